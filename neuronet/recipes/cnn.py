"""Convolutional recipes: LeNet-5 and a compact Model-3-style CNN on Fashion-MNIST, the course's
three CIFAR-10 models (on the CIFAR-10 batches you provide: see :func:`cifar10_folder`)."""
from __future__ import annotations

from ..models import cifar_model1, cifar_model2, cifar_model3, compact_cnn, lenet5
from ..optim import cosine_decay
from ..train import LearningRateScheduler
from .datasets import dataset_splits
from .registry import Recipe, register

__all__ = ["fashion_cnn", "cifar10_data", "data_source_report"]


def _cosine(epochs, lr):
    return [LearningRateScheduler(cosine_decay(lr, epochs))]


def fashion_cnn():
    """The ``fashion-cnn`` model: Model 3's design (3×3 conv pairs, BatchNorm, max-pools, dropout,
    dense head) narrowed to blocks of 16 and 32 filters for 28×28 images (~12 MFLOP forward per
    image; blocks of 32 and 64 cost 2.5× the time and scored the same on a validation subset)."""
    return compact_cnn(10, filters=(16, 32), dense=256, dropout=0.25)


def cifar10_data() -> dict:
    """CIFAR-10 from ``$NEURONET_CIFAR10`` or the cache; a DatasetNotFoundError says where to put it."""
    return dataset_splits("cifar10")


def data_source_report(model, data, out) -> dict:
    """The folder the CIFAR-10 batches were read from, for the run's report."""
    return {"data_folder": data["source"]}


register(Recipe(
    name="fashion-lenet",
    description="LeNet-5 (conv 6@5x5, pool, conv 16@5x5, pool, dense 120-84-10, ReLU) on Fashion-MNIST images, "
                "Adam lr 1e-3 with cosine decay, batch 64, 15 epochs",
    data=lambda: dataset_splits("fashion-mnist-images"), model=lambda: lenet5(10),
    optimizer="adam", lr=1e-3, epochs=15, batch_size=64, validation_split=0.1,
    target=">= 90% test accuracy", callbacks=_cosine,
    kind="images", dataset="fashion-mnist-images", train_time="72 s", reported="90.43 % test accuracy"))

register(Recipe(
    name="fashion-cnn",
    description="Model-3-style CNN on Fashion-MNIST images: 2x(conv 3x3 'same', BatchNorm, ReLU, conv 3x3, ReLU, "
                "max-pool) with 16 then 32 filters, dropout 0.25, dense 256, dropout 0.25, dense 10; "
                "Adam lr 2e-3 with cosine decay, batch 128, 8 epochs",
    data=lambda: dataset_splits("fashion-mnist-images"), model=fashion_cnn,
    optimizer="adam", lr=2e-3, epochs=8, batch_size=128, validation_split=0.1,
    target=">= 92.5% test accuracy", callbacks=_cosine,
    kind="images", dataset="fashion-mnist-images", train_time="644 s (under load)",
    reported="93.07 % test accuracy"))

register(Recipe(
    name="cifar10-model1",
    description="the course's CIFAR-10 Model 1: fully connected 3072-1024-256-64-10 (ReLU), Adam lr 1e-3 with "
                "cosine decay, batch 64, 20 epochs; reads the CIFAR-10 batches from $NEURONET_CIFAR10",
    data=cifar10_data, model=lambda: cifar_model1(10),
    optimizer="adam", lr=1e-3, epochs=20, batch_size=64, validation_split=0.1,
    target="about 50% test accuracy (typical for an MLP; not measured here, CIFAR-10 is not on this machine)",
    callbacks=_cosine, report=data_source_report, kind="images", dataset="cifar10",
    train_time="not measured", reported="not measured"))

register(Recipe(
    name="cifar10-model2",
    description="the course's CIFAR-10 Model 2: conv 6@5x5, pool, conv 16@5x5, pool, dense 400-120-84-10 (ReLU), "
                "Adam lr 1e-3 with cosine decay, batch 64, 20 epochs; reads the CIFAR-10 batches from $NEURONET_CIFAR10",
    data=cifar10_data, model=lambda: cifar_model2(10),
    optimizer="adam", lr=1e-3, epochs=20, batch_size=64, validation_split=0.1,
    target="about 60% test accuracy (typical for LeNet-style nets; not measured here)",
    callbacks=_cosine, report=data_source_report, kind="images", dataset="cifar10",
    train_time="not measured", reported="not measured"))

register(Recipe(
    name="cifar10-model3",
    description="the course's CIFAR-10 Model 3: conv pairs 32-64, 128-128, 256-256 (3x3 'same', BatchNorm on the "
                "first of each pair, max-pool after each), dropout 0.05, dense 4096-1024-512-10; Adam lr 1e-3 with "
                "cosine decay, batch 64, 20 epochs; reads the CIFAR-10 batches from $NEURONET_CIFAR10",
    data=cifar10_data, model=lambda: cifar_model3(10),
    optimizer="adam", lr=1e-3, epochs=20, batch_size=64, validation_split=0.1,
    target="about 80% test accuracy (typical for this design without augmentation; not measured here)",
    callbacks=_cosine, report=data_source_report, kind="images", dataset="cifar10",
    train_time="not measured", reported="not measured"))
