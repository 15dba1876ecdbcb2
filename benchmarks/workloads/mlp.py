"""MLP 784-256-128-10 with ReLU: training with SGD (batch 64 and 256) and eval inference."""
from __future__ import annotations

from .. import flops
from .base import Workload, features, require

LAYERS = (784, 256, 128, 10)
FORWARD_FLOPS = sum(flops.dense(a, b) for a, b in zip(LAYERS[:-1], LAYERS[1:]))  # per sample
# backward: a weight-gradient GEMM per layer and an input-gradient GEMM per layer but the first
# (the input needs no gradient, and neither framework computes one), each as large as the forward's
TRAIN_FLOPS = flops.train(FORWARD_FLOPS, first_layer=flops.dense(LAYERS[0], LAYERS[1]))


def build_neuronet(nt):
    dense = require(nt, "nn.Dense")
    sequential = require(nt, "nn.Sequential")
    return sequential([dense(256, activation="relu"), dense(128, activation="relu"), dense(10)])


def build_torch(torch):
    nn = torch.nn
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def jax_forward(params, state, x, train):
    import jax

    from .jaxops import Reader, linear

    r = Reader(params, state)
    h = jax.nn.relu(linear(r, x))
    h = jax.nn.relu(linear(r, h))
    return linear(r, h), r.done()


def build_jax():
    return jax_forward


def _train(batch: int) -> Workload:
    return Workload(
        name=f"mlp-b{batch}", family="mlp", batch=batch, train=True,
        description=f"MLP 784-256-128-10 ReLU, SGD lr 0.01, batch {batch}",
        make_inputs=features(batch, 784, 10), build_neuronet=build_neuronet, build_torch=build_torch,
        optimizer="sgd", lr=0.01, flops_per_sample=TRAIN_FLOPS, build_jax=build_jax)


WORKLOADS = [
    _train(64),
    _train(256),
    Workload(
        name="mlp-infer-b256", family="mlp", batch=256, train=False,
        description="MLP 784-256-128-10 inference (eval, no_grad), batch 256",
        make_inputs=features(256, 784, 10), build_neuronet=build_neuronet, build_torch=build_torch,
        flops_per_sample=FORWARD_FLOPS, build_jax=build_jax),
]
