"""Fashion-MNIST: 70,000 grey 28x28 images of clothing in 10 classes, from Debian's package.

The files come from the Debian package ``dataset-fashion-mnist`` (``apt-get download`` +
``dpkg -x``; MIT licence), or straight from ``/usr/share/datasets/fashion-mnist`` when that
package is installed.
"""
from __future__ import annotations

from .fetch import dataset_path
from .idx import load_idx_pair

__all__ = ["load_fashion_mnist", "FASHION_MNIST_CLASSES"]

FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


def load_fashion_mnist(flatten: bool = False, download: bool = True):
    """Fashion-MNIST's official split: 60,000 training and 10,000 test images.

    Args:
        flatten: images as (N, 784) instead of (N, 1, 28, 28) (NCHW).
        download: fetch the data into the cache when absent (``neuronet data fetch fashion-mnist``
            does the same ahead of time); False raises instead.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: float32 images in [0, 1], int64 labels 0..9
        (names in ``FASHION_MNIST_CLASSES``).

    Raises:
        DatasetNotFoundError: absent and not fetched; the message gives the command to fetch it.

    Example:
        >>> (x, y), (x_test, y_test) = nt.data.load_fashion_mnist()   # doctest: +SKIP
        >>> x.shape, FASHION_MNIST_CLASSES[y[0]]                       # doctest: +SKIP
        ((60000, 1, 28, 28), 'Ankle boot')
    """
    folder = dataset_path("fashion-mnist", download)
    return load_idx_pair(folder, "train", flatten), load_idx_pair(folder, "t10k", flatten)
