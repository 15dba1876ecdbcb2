"""Handwritten digits 8x8 (UCI optical recognition, 1,797 images, 10 classes); shipped inside neuronet.

The file is scikit-learn's ``digits.csv.gz`` (BSD-3, notice in ``neuronet/data/files``): one
row per image, 64 pixel values 0..16 then the digit.
"""
from __future__ import annotations

import gzip

import numpy as np

from .fetch import FILES_DIR

__all__ = ["load_digits", "DIGITS_CLASSES"]

DIGITS_CLASSES = tuple(str(d) for d in range(10))


def load_digits(flatten: bool = True):
    """The 8x8 digits, no fetching needed: ``(x, y)``.

    Args:
        flatten: x as (1797, 64) features (default, the usual tabular form) or False for
            (1797, 1, 8, 8) images (NCHW) for convolutional networks.

    Returns:
        ``(x, y)``: x float32 scaled from 0..16 to [0, 1], y int64 digits 0..9.

    Example:
        >>> x, y = nt.data.load_digits()
        >>> x.shape, int(y.max())
        ((1797, 64), 9)
    """
    path = FILES_DIR / "digits.csv.gz"
    with gzip.open(path, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64, ndmin=2)
    if table.shape[1] != 65:
        raise ValueError(f"load_digits: {path} has {table.shape[1]} columns, expected 65 (64 pixels + digit)")
    x = table[:, :64].astype(np.float32) / np.float32(16.0)
    return (x if flatten else x.reshape(-1, 1, 8, 8)), table[:, 64]
