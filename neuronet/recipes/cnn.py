"""Convolutional recipes: LeNet-5 on Fashion-MNIST."""
from __future__ import annotations

from ..models import lenet5
from ..optim import cosine_decay
from ..train import LearningRateScheduler
from .datasets import dataset_splits
from .registry import Recipe, register

register(Recipe(
    name="fashion-lenet",
    description="LeNet-5 (conv 6@5x5, pool, conv 16@5x5, pool, dense 120-84-10, ReLU) on Fashion-MNIST images, "
                "Adam lr 1e-3 with cosine decay, batch 64, 15 epochs",
    data=lambda: dataset_splits("fashion-mnist-images"), model=lambda: lenet5(10),
    optimizer="adam", lr=1e-3, epochs=15, batch_size=64, validation_split=0.1,
    target=">= 90% test accuracy",
    callbacks=lambda epochs, lr: [LearningRateScheduler(cosine_decay(lr, epochs))]))
