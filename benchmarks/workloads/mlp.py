"""MLP 784-256-128-10 with ReLU: training with SGD (batch 64 and 256) and eval inference."""
from __future__ import annotations

from functools import partial

from .. import flops
from .base import Workload, features, require

LAYERS = (784, 256, 128, 10)
FORWARD_FLOPS = sum(flops.dense(a, b) for a, b in zip(LAYERS[:-1], LAYERS[1:]))  # per sample
# backward: a weight-gradient GEMM per layer and an input-gradient GEMM per layer but the first
# (the input needs no gradient, and neither framework computes one), each as large as the forward's
TRAIN_FLOPS = flops.train(FORWARD_FLOPS, first_layer=flops.dense(LAYERS[0], LAYERS[1]))


def build_neuronet_sized(hidden: tuple, nt):
    dense = require(nt, "nn.Dense")
    sequential = require(nt, "nn.Sequential")
    return sequential([dense(h, activation="relu") for h in hidden] + [dense(10)])


def build_torch_sized(hidden: tuple, torch):
    nn = torch.nn
    layers, inputs = [], LAYERS[0]
    for h in hidden:
        layers += [nn.Linear(inputs, h), nn.ReLU()]
        inputs = h
    return nn.Sequential(*layers, nn.Linear(inputs, 10))


build_neuronet = partial(build_neuronet_sized, LAYERS[1:-1])
build_torch = partial(build_torch_sized, LAYERS[1:-1])


def sized(batch: int, hidden: tuple = LAYERS[1:-1]) -> Workload:
    """The SGD training workload with other hidden widths (the scaling report's width sweep)."""
    widths = (LAYERS[0], *hidden, 10)
    forward = sum(flops.dense(a, b) for a, b in zip(widths[:-1], widths[1:]))
    return Workload(
        name=f"mlp-{'-'.join(map(str, hidden))}-b{batch}", family="mlp", batch=batch, train=True,
        description=f"MLP {'-'.join(map(str, widths))} ReLU, SGD lr 0.01, batch {batch}",
        make_inputs=features(batch, 784, 10), build_neuronet=partial(build_neuronet_sized, tuple(hidden)),
        build_torch=partial(build_torch_sized, tuple(hidden)), optimizer="sgd", lr=0.01,
        flops_per_sample=flops.train(forward, first_layer=flops.dense(widths[0], widths[1])),
        build_jax=partial(build_jax_sized, len(hidden)))


def jax_forward(hidden_layers: int, params, state, x, train):
    import jax

    from .jaxops import Reader, linear

    r = Reader(params, state)
    for _ in range(hidden_layers):
        x = jax.nn.relu(linear(r, x))
    return linear(r, x), r.done()


def build_jax_sized(hidden_layers: int):
    return partial(jax_forward, hidden_layers)


build_jax = partial(build_jax_sized, len(LAYERS) - 2)


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
