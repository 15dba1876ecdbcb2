"""The data of each recipe, split the same way every time (so `neuronet evaluate` can reuse it)."""
from __future__ import annotations

import os
from pathlib import Path

from ..backend import np
from ..data import (CIFAR10_CLASSES, DIGITS_CLASSES, FASHION_MNIST_CLASSES, IRIS_CLASSES, MNIST_CLASSES,
                    DatasetNotFoundError, cache_dir, load_cifar10, load_digits, load_fashion_mnist, load_iris,
                    load_mnist_5k, train_test_split, xor)

__all__ = ["dataset_splits", "test_split", "cifar10_folder", "DATASETS", "CIFAR10_ENV"]

CIFAR10_ENV = "NEURONET_CIFAR10"


def _xor():
    x, y = xor()
    y = y.reshape(-1).astype(np.int64)
    return {"x_train": x, "y_train": y, "x_test": x, "y_test": y, "class_names": ("0", "1")}


def _stratified(x, y, class_names, test_size=0.2):
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=test_size, stratify=y, seed=0)
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test, "class_names": class_names}


def _iris():
    return _stratified(*load_iris(), IRIS_CLASSES)


def _digits():
    return _stratified(*load_digits(flatten=True), DIGITS_CLASSES)


def _mnist_5k():
    return _stratified(*load_mnist_5k(flatten=True), MNIST_CLASSES)


def _fashion(flatten=True):
    (x_train, y_train), (x_test, y_test) = load_fashion_mnist(flatten=flatten)
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test,
            "class_names": FASHION_MNIST_CLASSES}


def cifar10_folder() -> Path:
    """Where the CIFAR-10 recipes look for the batches: ``$NEURONET_CIFAR10`` if set, else
    ``cache_dir()/cifar-10-batches-py``."""
    env = os.environ.get(CIFAR10_ENV)
    return Path(env).expanduser() if env else cache_dir() / "cifar-10-batches-py"


def _cifar10():
    """CIFAR-10's official 50,000/10,000 split as NCHW float32 images in [0, 1].

    Raises:
        DatasetNotFoundError: the batches are not in :func:`cifar10_folder`; the message says
            where to put them (no package registry ships CIFAR-10, so it is never downloaded).
    """
    folder = cifar10_folder()
    try:
        (x_train, y_train), (x_test, y_test) = load_cifar10(folder)
    except FileNotFoundError as e:
        raise DatasetNotFoundError(
            f"CIFAR-10 is not on this machine (looked in {folder}): {e}. No package registry ships it, so "
            f"neuronet cannot download it. Put the standard CIFAR-10 python batches (cifar-10-batches-py: "
            f"data_batch_1 ... data_batch_5, test_batch) or binary batches (cifar-10-batches-bin: "
            f"data_batch_1.bin ... data_batch_5.bin, test_batch.bin) in {cache_dir() / 'cifar-10-batches-py'}, "
            f"or set {CIFAR10_ENV} to the folder that holds them") from None
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test,
            "class_names": CIFAR10_CLASSES, "source": str(folder)}


DATASETS = {"xor": _xor, "iris": _iris, "digits": _digits, "mnist-5k": _mnist_5k, "fashion-mnist": _fashion,
            "fashion-mnist-images": lambda: _fashion(flatten=False), "cifar10": _cifar10}


def dataset_splits(name: str) -> dict:
    """``{"x_train", "y_train", "x_test", "y_test", "class_names"}`` for a dataset name."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; known: {', '.join(sorted(DATASETS))}")
    return DATASETS[name]()


def test_split(name: str):
    """``(x_test, y_test)`` of a dataset, as the recipes split it."""
    d = dataset_splits(name)
    return d["x_test"], d["y_test"]
