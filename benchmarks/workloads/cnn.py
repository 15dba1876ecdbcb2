"""Convolutional workloads on 3×32×32 images: LeNet (course Model 2) and a wider CNN with BN."""
from __future__ import annotations

from .base import Workload, images, require


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


_LENET = "LeNet (conv 3→6 k5, pool, conv 6→16 k5, pool, dense 400-120-84-10, ReLU) on 3×32×32"

WORKLOADS = [
    Workload(name="lenet", family="cnn", batch=64, train=True, description=f"{_LENET}, Adam, batch 64",
             make_inputs=images(64, 3, 32, 10), build_neuronet=build_lenet_neuronet,
             build_torch=build_lenet_torch),
    Workload(name="cnn-wide", family="cnn", batch=64, train=True,
             description="CNN 3→32(BN)→64→pool→128(BN)→pool→dense 8192-10, 3×3 pad 1, ReLU, Adam, batch 64",
             make_inputs=images(64, 3, 32, 10), build_neuronet=build_wide_neuronet,
             build_torch=build_wide_torch),
    Workload(name="lenet-infer", family="cnn", batch=64, train=False,
             description=f"{_LENET}, inference (eval, no_grad), batch 64",
             make_inputs=images(64, 3, 32, 10), build_neuronet=build_lenet_neuronet,
             build_torch=build_lenet_torch),
]
