"""Fisher's Iris: 150 flowers, 4 measurements (cm), 3 species; shipped inside neuronet.

The file is scikit-learn's ``iris.csv`` (BSD-3, notice in ``neuronet/data/files``): a header
line ``150,4,setosa,versicolor,virginica`` then one row per flower: 4 measurements, class index.
"""
from __future__ import annotations

import numpy as np

from .fetch import FILES_DIR

__all__ = ["load_iris", "read_iris_csv", "IRIS_CLASSES", "IRIS_FEATURES"]

IRIS_CLASSES = ("setosa", "versicolor", "virginica")
IRIS_FEATURES = ("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)")


def read_iris_csv(path):
    """``(x, y, class_names)`` from a file in scikit-learn's iris.csv layout, checking its header."""
    with open(path) as f:
        try:  # UnicodeDecodeError (a binary file) is a ValueError too
            header = f.readline().strip().split(",")
            n, d = int(header[0]), int(header[1])
            table = np.loadtxt(f, delimiter=",", dtype=np.float64, ndmin=2)
        except (ValueError, IndexError) as e:
            raise ValueError(f"read_iris_csv: {path} is not in the iris.csv layout ({e})") from e
    if table.shape != (n, d + 1):
        raise ValueError(f"read_iris_csv: {path} holds a table of shape {table.shape}, its header says {(n, d + 1)}")
    return table[:, :d].astype(np.float32), table[:, d].astype(np.int64), tuple(header[2:])


def load_iris():
    """The Iris data set, no fetching needed: ``(x, y)``.

    Returns:
        ``(x, y)``: x float32 (150, 4) in cm (features ``IRIS_FEATURES``), y int64 (150,) in 0..2
        (names ``IRIS_CLASSES``), ordered by class: shuffle or use ``train_test_split``.

    Example:
        >>> x, y = nt.data.load_iris()
        >>> x.shape, np.bincount(y).tolist()
        ((150, 4), [50, 50, 50])
    """
    x, y, _ = read_iris_csv(FILES_DIR / "iris.csv")
    return x, y
