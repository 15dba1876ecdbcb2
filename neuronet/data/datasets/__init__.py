"""Real datasets, loaded offline: fetched once from package registries, or read from your files.

Every loader returns NumPy arrays in the Keras convention: data sets with an official split
return ``(x_train, y_train), (x_test, y_test)`` (Fashion-MNIST, MNIST, CIFAR-10), the others
``(x, y)`` (MNIST-5k, Iris, digits); class names are module constants (``FASHION_MNIST_CLASSES``,
...).  Images are float32 in [0, 1], NCHW unless ``flatten=True``; labels are int64.

Loaders that need registry data fetch it on first use (``download=True``, the default) and
raise ``DatasetNotFoundError`` naming the command ``neuronet data fetch NAME`` when they cannot.
"""
from .fetch import (DatasetNotFoundError, DatasetInfo, cache_dir, dataset_path, fetch, is_cached,
                    list_datasets, sha256_of, index_url)
from .idx import read_idx
from .fashion_mnist import load_fashion_mnist, FASHION_MNIST_CLASSES
from .mnist import load_mnist, load_mnist_5k, read_mnist_csv, MNIST_CLASSES
from .iris import load_iris, IRIS_CLASSES, IRIS_FEATURES
from .digits import load_digits, DIGITS_CLASSES
from .shakespeare import load_shakespeare
from .cifar10 import load_cifar10, CIFAR10_CLASSES
from .rotten_tomatoes import load_rotten_tomatoes, rotten_tomatoes_split, ROTTEN_TOMATOES_CLASSES
from .timeseries import load_sunspots, load_co2, load_nile, make_windows

__all__ = [
    "DatasetNotFoundError", "DatasetInfo", "cache_dir", "dataset_path", "fetch", "is_cached",
    "list_datasets", "sha256_of", "index_url", "read_idx", "read_mnist_csv",
    "load_fashion_mnist", "load_mnist", "load_mnist_5k", "load_iris", "load_digits",
    "load_shakespeare", "load_cifar10",
    "FASHION_MNIST_CLASSES", "MNIST_CLASSES", "IRIS_CLASSES", "IRIS_FEATURES", "DIGITS_CLASSES",
    "CIFAR10_CLASSES", "load_rotten_tomatoes", "rotten_tomatoes_split", "ROTTEN_TOMATOES_CLASSES",
    "load_sunspots", "load_co2", "load_nile", "make_windows",
]

from .bbc_news import load_bbc_news, BBC_NEWS_CLASSES

__all__ += ["load_bbc_news", "BBC_NEWS_CLASSES"]
