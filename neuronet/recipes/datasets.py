"""The data of each recipe, split the same way every time (so `neuronet evaluate` can reuse it)."""
from __future__ import annotations

from ..backend import np
from ..data import (DIGITS_CLASSES, FASHION_MNIST_CLASSES, IRIS_CLASSES, MNIST_CLASSES, load_digits,
                    load_fashion_mnist, load_iris, load_mnist_5k, train_test_split, xor)

__all__ = ["dataset_splits", "test_split", "DATASETS"]


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


DATASETS = {"xor": _xor, "iris": _iris, "digits": _digits, "mnist-5k": _mnist_5k, "fashion-mnist": _fashion,
            "fashion-mnist-images": lambda: _fashion(flatten=False)}


def dataset_splits(name: str) -> dict:
    """``{"x_train", "y_train", "x_test", "y_test", "class_names"}`` for a dataset name."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; known: {', '.join(sorted(DATASETS))}")
    return DATASETS[name]()


def test_split(name: str):
    """``(x_test, y_test)`` of a dataset, as the recipes split it."""
    d = dataset_splits(name)
    return d["x_test"], d["y_test"]
