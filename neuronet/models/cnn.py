"""The course's convolutional networks: LeNet-5 and the three CIFAR-10 models.

Every builder returns an ``nt.Sequential`` with lazy input sizes, so the same model takes
3×32×32 CIFAR images or 1×28×28 (Fashion-)MNIST images.
"""
from __future__ import annotations

from ..nn import BatchNorm2D, Conv2D, Dense, Dropout, Flatten, MaxPool2D
from ..train import Sequential

__all__ = ["lenet5", "cifar_model1", "cifar_model2"]


def lenet5(num_classes: int = 10, activation: str = "relu") -> Sequential:
    """LeNet-5 (LeCun et al. 1998) with max pooling: conv 6@5×5 (padding 2) → pool → conv 16@5×5 →
    pool → dense 120 → 84 → ``num_classes`` logits.  On 28×28 input the padding keeps 28×28 as in
    the original 32×32 design."""
    return Sequential([
        Conv2D(6, 5, padding=2, activation=activation), MaxPool2D(2),
        Conv2D(16, 5, activation=activation), MaxPool2D(2),
        Flatten(),
        Dense(120, activation=activation), Dense(84, activation=activation), Dense(num_classes),
    ])


def cifar_model1(num_classes: int = 10) -> Sequential:
    """The course's CIFAR-10 Model 1: fully connected 3072-1024-256-64-10 with ReLU."""
    return Sequential([Flatten(), Dense(1024, activation="relu"), Dense(256, activation="relu"),
                       Dense(64, activation="relu"), Dense(num_classes)])


def cifar_model2(num_classes: int = 10) -> Sequential:
    """The course's CIFAR-10 Model 2: conv 3→6 k5, max-pool, conv 6→16 k5, max-pool, dense 400-120-84-10."""
    return Sequential([
        Conv2D(6, 5, activation="relu"), MaxPool2D(2),
        Conv2D(16, 5, activation="relu"), MaxPool2D(2),
        Flatten(), Dense(120, activation="relu"), Dense(84, activation="relu"), Dense(num_classes),
    ])
