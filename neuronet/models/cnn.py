"""The course's convolutional networks: LeNet-5, the three CIFAR-10 models, a compact Model-3-style net.

Every builder returns an ``nt.Sequential`` with lazy input sizes, so the same model takes
3×32×32 CIFAR images or 1×28×28 (Fashion-)MNIST images.
"""
from __future__ import annotations

from ..nn import (BatchNorm2D, Conv2D, Dense, Dropout, Flatten, GlobalAvgPool2D, MaxPool2D, ReLU,
                  ResidualBlock)
from ..train import Sequential

__all__ = ["lenet5", "cifar_model1", "cifar_model2", "cifar_model3", "compact_cnn", "resnet"]


def lenet5(num_classes: int = 10, activation: str = "relu") -> Sequential:
    """LeNet-5 (LeCun et al. 1998) with max pooling: conv 6@5×5 (padding 2) → pool → conv 16@5×5 →
    pool → dense 120 → 84 → ``num_classes`` logits.  On 28×28 input the padding keeps 28×28 as in
    the original 32×32 design.

    Example:
        >>> model = nt.models.lenet5()
        >>> model(nt.zeros(2, 1, 28, 28)).shape, model.count_params()
        ((2, 10), 61706)
    """
    return Sequential([
        Conv2D(6, 5, padding=2, activation=activation), MaxPool2D(2),
        Conv2D(16, 5, activation=activation), MaxPool2D(2),
        Flatten(),
        Dense(120, activation=activation), Dense(84, activation=activation), Dense(num_classes),
    ])


def cifar_model1(num_classes: int = 10) -> Sequential:
    """The course's CIFAR-10 Model 1: fully connected 3072-1024-256-64-10 with ReLU.

    Example:
        >>> nt.models.cifar_model1()(nt.zeros(2, 3, 32, 32)).shape
        (2, 10)
    """
    return Sequential([Flatten(), Dense(1024, activation="relu"), Dense(256, activation="relu"),
                       Dense(64, activation="relu"), Dense(num_classes)])


def cifar_model2(num_classes: int = 10) -> Sequential:
    """The course's CIFAR-10 Model 2: conv 3→6 k5, max-pool, conv 6→16 k5, max-pool, dense 400-120-84-10.

    Example:
        >>> nt.models.cifar_model2()(nt.zeros(2, 3, 32, 32)).shape
        (2, 10)
    """
    return Sequential([
        Conv2D(6, 5, activation="relu"), MaxPool2D(2),
        Conv2D(16, 5, activation="relu"), MaxPool2D(2),
        Flatten(), Dense(120, activation="relu"), Dense(84, activation="relu"), Dense(num_classes),
    ])


def _conv_pair(filters: int, second: int) -> list:
    """conv 3×3 'same' → BatchNorm → ReLU → conv 3×3 'same' + ReLU → max-pool 2: one Model 3 block."""
    return [Conv2D(filters, 3, padding="same"), BatchNorm2D(), ReLU(),
            Conv2D(second, 3, padding="same", activation="relu"), MaxPool2D(2)]


def cifar_model3(num_classes: int = 10, dropout: float = 0.05) -> Sequential:
    """The course's CIFAR-10 Model 3: three blocks of two 3×3 'same' convolutions (32-64, 128-128,
    256-256), BatchNorm after the first conv of each pair, a 2×2 max-pool closing each block, then
    dense 4096-1024-512-``num_classes``.

    Dropout (rate ``dropout``) follows the second block and precedes the first and the last dense
    layer.  On 3×32×32 input the blocks leave 256×4×4 = 4,096 features; on 1×28×28 they leave
    256×3×3 = 2,304, which the lazy first Dense layer takes as it comes.

    Example:
        >>> nt.models.cifar_model3(num_classes=5)(nt.zeros(2, 3, 32, 32)).shape
        (2, 5)
    """
    return Sequential([
        *_conv_pair(32, 64),
        *_conv_pair(128, 128), Dropout(dropout),
        *_conv_pair(256, 256),
        Flatten(), Dropout(dropout),
        Dense(1024, activation="relu"), Dense(512, activation="relu"), Dropout(dropout),
        Dense(num_classes),
    ])


def compact_cnn(num_classes: int = 10, filters=(32, 64), dense: int = 256, dropout: float = 0.25) -> Sequential:
    """A narrow Model-3-style network for 28×28 images: one block per entry of ``filters`` (two
    3×3 'same' convs of that width, BatchNorm after the first, max-pool 2), dropout, a dense
    ReLU layer with dropout, and the ``num_classes`` logits.

    With the defaults a 1×28×28 image costs about 38 MFLOP forward (Model 3 costs ~200), which
    is what makes Fashion-MNIST training take minutes rather than hours on a CPU.

    Example:
        >>> nt.models.compact_cnn(filters=(8, 16), dense=32)(nt.zeros(2, 1, 28, 28)).shape
        (2, 10)
    """
    if not filters:
        raise ValueError(f"compact_cnn: filters must name at least one block width, got {filters!r}")
    layers = []
    for width in filters:
        layers += _conv_pair(width, width)
    layers += [Dropout(dropout), Flatten(), Dense(dense, activation="relu"), Dropout(dropout), Dense(num_classes)]
    return Sequential(layers)


def resnet(num_classes: int = 10, blocks=(2, 2, 2), filters=(16, 32, 64)) -> Sequential:
    """A small ResNet for 32×32 / 28×28 images (He et al. 2016, CIFAR variant): a 3×3 stem,
    stages of :class:`~neuronet.nn.ResidualBlock` (each stage after the first halves the size
    and uses a projection shortcut), global average pooling, a dense classifier.  The defaults
    give ResNet-14 (2 blocks × 3 stages × 2 convs + stem + classifier).

    Example:
        >>> model = nt.models.resnet(blocks=(1, 1), filters=(8, 16))
        >>> model(nt.zeros(2, 3, 32, 32)).shape
        (2, 10)
    """
    if len(blocks) != len(filters) or not blocks:
        raise ValueError(f"resnet: blocks {blocks} and filters {filters} must be non-empty and of equal length")
    layers = [Conv2D(filters[0], 3, padding=1, use_bias=False), BatchNorm2D(), ReLU()]
    for stage, (count, width) in enumerate(zip(blocks, filters)):
        for i in range(count):
            layers.append(ResidualBlock(width, strides=2 if stage > 0 and i == 0 else 1))
    layers += [GlobalAvgPool2D(), Dense(num_classes)]
    return Sequential(layers)
