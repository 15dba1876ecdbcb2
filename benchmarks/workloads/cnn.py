"""Convolutional workloads on 3×32×32 images: LeNet (course Model 2) and a wider CNN with BN."""
from __future__ import annotations

from .. import flops
from .base import Workload, images, require

# per sample; a conv's output size is what the products cover
LENET_FORWARD = (flops.conv2d(3, 6, 5, 28) + flops.conv2d(6, 16, 5, 10)
                 + flops.dense(400, 120) + flops.dense(120, 84) + flops.dense(84, 10))
LENET_TRAIN = flops.train(LENET_FORWARD, first_layer=flops.conv2d(3, 6, 5, 28))
WIDE_FORWARD = (flops.conv2d(3, 32, 3, 32) + flops.conv2d(32, 64, 3, 32) + flops.conv2d(64, 128, 3, 16)
                + flops.dense(128 * 8 * 8, 10))
WIDE_TRAIN = flops.train(WIDE_FORWARD, first_layer=flops.conv2d(3, 32, 3, 32))


def build_lenet_neuronet(nt):
    sequential = require(nt, "nn.Sequential")
    conv, pool = require(nt, "nn.Conv2D"), require(nt, "nn.MaxPool2D")
    relu, flatten, dense = require(nt, "nn.ReLU"), require(nt, "nn.Flatten"), require(nt, "nn.Dense")
    return sequential([
        conv(6, 5), relu(), pool(2),
        conv(16, 5), relu(), pool(2),
        flatten(), dense(120, activation="relu"), dense(84, activation="relu"), dense(10),
    ])


def build_lenet_torch(torch):
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )


def build_wide_neuronet(nt):
    sequential = require(nt, "nn.Sequential")
    conv, pool, bn = require(nt, "nn.Conv2D"), require(nt, "nn.MaxPool2D"), require(nt, "nn.BatchNorm2D")
    relu, flatten, dense = require(nt, "nn.ReLU"), require(nt, "nn.Flatten"), require(nt, "nn.Dense")
    return sequential([
        conv(32, 3, padding=1), bn(), relu(),
        conv(64, 3, padding=1), relu(), pool(2),
        conv(128, 3, padding=1), bn(), relu(), pool(2),
        flatten(), dense(10),
    ])


def build_wide_torch(torch):
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 128, 3, padding=1), nn.BatchNorm2d(128), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(128 * 8 * 8, 10),
    )


def lenet_jax(params, state, x, train):
    import jax

    from .jaxops import Reader, conv2d, linear, max_pool2d

    r, relu = Reader(params, state), jax.nn.relu
    h = max_pool2d(relu(conv2d(r, x)))
    h = max_pool2d(relu(conv2d(r, h)))
    h = relu(linear(r, h.reshape(h.shape[0], -1)))
    return linear(r, relu(linear(r, h))), r.done()


def wide_jax(params, state, x, train):
    import jax

    from .jaxops import Reader, batch_norm2d, conv2d, linear, max_pool2d

    r, relu = Reader(params, state), jax.nn.relu
    h = relu(batch_norm2d(r, conv2d(r, x, padding=1), train))
    h = max_pool2d(relu(conv2d(r, h, padding=1)))
    h = max_pool2d(relu(batch_norm2d(r, conv2d(r, h, padding=1), train)))
    return linear(r, h.reshape(h.shape[0], -1)), r.done()


def build_lenet_jax():
    return lenet_jax


def build_wide_jax():
    return wide_jax


_LENET = "LeNet (conv 3→6 k5, pool, conv 6→16 k5, pool, dense 400-120-84-10, ReLU) on 3×32×32"

WORKLOADS = [
    Workload(name="lenet", family="cnn", batch=64, train=True, description=f"{_LENET}, Adam, batch 64",
             make_inputs=images(64, 3, 32, 10), build_neuronet=build_lenet_neuronet,
             build_torch=build_lenet_torch, flops_per_sample=LENET_TRAIN, build_jax=build_lenet_jax),
    Workload(name="cnn-wide", family="cnn", batch=64, train=True,
             description="CNN 3→32(BN)→64→pool→128(BN)→pool→dense 8192-10, 3×3 pad 1, ReLU, Adam, batch 64",
             make_inputs=images(64, 3, 32, 10), build_neuronet=build_wide_neuronet,
             build_torch=build_wide_torch, flops_per_sample=WIDE_TRAIN, build_jax=build_wide_jax),
    Workload(name="lenet-infer", family="cnn", batch=64, train=False,
             description=f"{_LENET}, inference (eval, no_grad), batch 64",
             make_inputs=images(64, 3, 32, 10), build_neuronet=build_lenet_neuronet,
             build_torch=build_lenet_torch, flops_per_sample=LENET_FORWARD, build_jax=build_lenet_jax),
]
