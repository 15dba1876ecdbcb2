"""Datasets of aligned arrays and a DataLoader that yields shuffled NumPy mini-batches.

Array-backed datasets are gathered with one fancy-indexing call per array per batch (no Python
loop over samples); any other object with ``__len__`` and ``__getitem__`` also works, its samples
stacked one by one.  Shuffling draws from neuronet's seeded generator (``nt.manual_seed``) or
from the loader's own ``seed``, so epochs are reproducible.
"""
from __future__ import annotations

import math

import numpy as np

from .. import backend

__all__ = ["ArrayDataset", "TensorDataset", "DataLoader"]


class ArrayDataset:
    """Samples made of aligned arrays: sample ``i`` is ``(x[i], y[i], ...)``.

    Args:
        *arrays: arrays (or array-likes) with the same first dimension.

    Example:
        >>> ds = nt.data.ArrayDataset(np.zeros((10, 3)), np.arange(10))
        >>> x_2, y_2 = ds[2]          # one sample
        >>> len(ds), int(y_2)
        (10, 2)
    """

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("ArrayDataset: give at least one array")
        arrays = tuple(a if hasattr(a, "shape") and hasattr(a, "__getitem__") else np.asarray(a) for a in arrays)
        for i, a in enumerate(arrays):
            if a.ndim == 0:
                raise ValueError(f"ArrayDataset: array {i} is a scalar, expected a first (sample) dimension")
            if a.shape[0] != arrays[0].shape[0]:
                raise ValueError(f"ArrayDataset: array {i} has {a.shape[0]} samples (shape {tuple(a.shape)}), "
                                 f"array 0 has {arrays[0].shape[0]} (shape {tuple(arrays[0].shape)})")
        self.arrays = arrays

    def __len__(self) -> int:
        return int(self.arrays[0].shape[0])

    def __getitem__(self, index):
        """One sample (an int index) or a batch (a slice or an index array), as a tuple."""
        return tuple(a[index] for a in self.arrays)


TensorDataset = ArrayDataset
"""PyTorch's name for the same thing."""


def _collate(samples):
    """Stack a list of samples (arrays, numbers, or tuples of them) into a tuple of batch arrays."""
    first = samples[0]
    if isinstance(first, (tuple, list)):
        return tuple(np.stack([np.asarray(s[j]) for s in samples]) for j in range(len(first)))
    return (np.stack([np.asarray(s) for s in samples]),)


class DataLoader:
    """Iterate over a dataset in mini-batches, each a tuple of NumPy arrays ``(x_batch, y_batch, ...)``.

    Args:
        dataset: an ``ArrayDataset``, an array, a tuple/list of aligned arrays, or any object with
            ``__len__`` and ``__getitem__(i)`` returning a sample (an array or a tuple of them).
        batch_size: samples per batch.
        shuffle: a new random order every epoch (every ``iter``).
        drop_last: skip the last batch when it is smaller than ``batch_size``.
        transform: called on each batch's first array (the inputs), e.g. data augmentation;
            it must return a new array, not modify its argument.
        seed: the loader's own generator seed; None draws from neuronet's generator, which
            ``nt.manual_seed`` seeds.

    ``len(loader)`` is the number of batches per epoch.

    Example:
        >>> x, y = np.random.rand(100, 3).astype(np.float32), np.arange(100)
        >>> loader = nt.data.DataLoader((x, y), batch_size=32, shuffle=True, seed=0)
        >>> len(loader), [xb.shape[0] for xb, yb in loader]
        (4, [32, 32, 32, 4])
    """

    def __init__(self, dataset, batch_size: int = 32, shuffle: bool = False, drop_last: bool = False,
                 transform=None, seed: int | None = None):
        if isinstance(dataset, (tuple, list)):
            dataset = ArrayDataset(*dataset)
        elif hasattr(dataset, "shape") and not isinstance(dataset, ArrayDataset):
            dataset = ArrayDataset(dataset)
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(f"DataLoader: dataset must be arrays or have __len__ and __getitem__, "
                            f"got {type(dataset).__name__}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        if transform is not None and not callable(transform):
            raise TypeError(f"DataLoader: transform must be callable, got {type(transform).__name__}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.transform = transform
        self._rng = np.random.default_rng(seed) if seed is not None else None

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _order(self, n: int):
        if not self.shuffle:
            return None
        rng = self._rng if self._rng is not None else backend.get_rng()
        return rng.permutation(n)

    def _gather(self, index):
        if isinstance(self.dataset, ArrayDataset) or getattr(self.dataset, "gathers_batches", False):
            return self.dataset[index]  # one indexing call per array (a Subset of arrays too)
        if isinstance(index, slice):
            index = range(*index.indices(len(self.dataset)))
        return _collate([self.dataset[int(i)] for i in index])

    def __iter__(self):
        n = len(self.dataset)
        order = self._order(n)
        for b in range(len(self)):
            start, stop = b * self.batch_size, min(n, (b + 1) * self.batch_size)
            index = slice(start, stop) if order is None else order[start:stop]
            batch = self._gather(index)
            if self.transform is not None:
                batch = (self.transform(batch[0]), *batch[1:])
            yield batch
