"""ResNet-18, CIFAR variant, on 3×32×32 at batch 64: a 3×3 stem, four stages of two basic blocks
(64, 128, 256, 512 channels; stages after the first halve the size with a 1×1 projection
shortcut), global average pooling, Dense 10; convolutions without bias, batch norm, Adam.

neuronet's side is ``nt.models.resnet`` (``nn.ResidualBlock``); the torch and JAX sides list their
parameters in the same order (conv1, bn1, conv2, bn2, shortcut conv, shortcut bn per block).
``width`` scales every stage (64 = ResNet-18; the scaling report and the tests use others).
"""
from __future__ import annotations

from functools import partial

from .. import flops
from .base import Workload, images, require

BLOCKS = (2, 2, 2, 2)


def widths(width: int) -> tuple:
    return tuple(width * 2 ** i for i in range(len(BLOCKS)))


def forward_flops(width: int = 64, size: int = 32, classes: int = 10) -> int:
    """Per sample: stem, two 3×3 convs per block and the 1×1 projections, and the head."""
    filters = widths(width)
    total, channels = flops.conv2d(3, filters[0], 3, size), filters[0]
    for stage, (count, out) in enumerate(zip(BLOCKS, filters)):
        for i in range(count):
            stride = 2 if stage > 0 and i == 0 else 1
            size = flops.conv_out(size, 3, stride, 1)
            total += flops.conv2d(channels, out, 3, size) + flops.conv2d(out, out, 3, size)
            if stride != 1 or channels != out:
                total += flops.conv2d(channels, out, 1, size)
            channels = out
    return total + flops.dense(channels, classes)


def train_flops(width: int = 64, size: int = 32) -> int:
    return flops.train(forward_flops(width, size), first_layer=flops.conv2d(3, width, 3, size))


def build_neuronet(width: int, nt):
    return require(nt, "models.resnet")(num_classes=10, blocks=BLOCKS, filters=widths(width))


def build_torch(width: int, torch):
    nn = torch.nn

    class BasicBlock(nn.Module):
        def __init__(self, inputs, outputs, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(inputs, outputs, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(outputs)
            self.conv2 = nn.Conv2d(outputs, outputs, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(outputs)
            self.shortcut = None
            if stride != 1 or inputs != outputs:
                self.shortcut = nn.Sequential(nn.Conv2d(inputs, outputs, 1, stride, bias=False), nn.BatchNorm2d(outputs))

        def forward(self, x):
            h = torch.relu(self.bn1(self.conv1(x)))
            h = self.bn2(self.conv2(h))
            return torch.relu(h + (x if self.shortcut is None else self.shortcut(x)))

    filters = widths(width)
    layers, channels = [nn.Conv2d(3, filters[0], 3, padding=1, bias=False), nn.BatchNorm2d(filters[0]), nn.ReLU()], filters[0]
    for stage, (count, out) in enumerate(zip(BLOCKS, filters)):
        for i in range(count):
            layers.append(BasicBlock(channels, out, 2 if stage > 0 and i == 0 else 1))
            channels = out
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, 10))


def resnet_jax(width: int, params, state, x, train):
    import jax

    from .jaxops import Reader, batch_norm2d, conv2d, linear

    r, relu = Reader(params, state), jax.nn.relu
    filters = widths(width)
    h, channels = relu(batch_norm2d(r, conv2d(r, x, padding=1, bias=False), train)), filters[0]
    for stage, (count, out) in enumerate(zip(BLOCKS, filters)):
        for i in range(count):
            stride = 2 if stage > 0 and i == 0 else 1
            y = relu(batch_norm2d(r, conv2d(r, h, stride, 1, bias=False), train))
            y = batch_norm2d(r, conv2d(r, y, 1, 1, bias=False), train)
            if stride != 1 or channels != out:
                h = batch_norm2d(r, conv2d(r, h, stride, 0, bias=False), train)
            h, channels = relu(y + h), out
    return linear(r, h.mean(axis=(2, 3))), r.done()


def build_jax(width: int):
    return partial(resnet_jax, width)


def workload(width: int = 64, batch: int = 64, name: str = "resnet18") -> Workload:
    return Workload(
        name=name, family="cnn", batch=batch, train=True,
        description=f"ResNet-18 (CIFAR: 3×3 stem, 4 stages × 2 basic blocks, widths {'-'.join(map(str, widths(width)))}, "
                    f"BN, global average pool, Dense 10) on 3×32×32, Adam, batch {batch}",
        make_inputs=images(batch, 3, 32, 10), build_neuronet=partial(build_neuronet, width),
        build_torch=partial(build_torch, width), flops_per_sample=train_flops(width),
        build_jax=partial(build_jax, width))


WORKLOADS = [workload()]
