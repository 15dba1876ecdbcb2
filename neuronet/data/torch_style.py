"""PyTorch's data API over neuronet's loader: ``Dataset``, ``Subset``, ``random_split`` and a ``DataLoader``
that yields tensors (``nt.utils.data``, as ``torch.utils.data``).

``nt.data.DataLoader`` yields NumPy arrays (what ``fit`` takes); the ``DataLoader`` here is the
same loader with PyTorch's constructor (``batch_size=1`` by default, ``collate_fn``, ``generator``;
``num_workers`` and ``pin_memory`` are accepted and change nothing: batches are gathered in this
process) whose batches are :class:`~neuronet.Tensor` objects, so ``xb.float()``, ``xb.size(0)``
and ``yb.long()`` work as in a PyTorch loop.  Array-backed datasets, and subsets of them, are
still gathered with one indexing call per batch.

Example::

    ds = nt.utils.data.TensorDataset(nt.from_numpy(x), nt.from_numpy(y))
    train, val = nt.utils.data.random_split(ds, [0.8, 0.2], generator=0)
    for xb, yb in nt.utils.data.DataLoader(train, batch_size=64, shuffle=True):
        ...
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .. import backend
from ..tensor import Tensor
from .loader import ArrayDataset, DataLoader as _ArrayLoader

__all__ = ["Dataset", "Subset", "ConcatDataset", "random_split", "DataLoader"]


class Dataset:
    """The base of map-style datasets: subclasses define ``__getitem__(i)`` (one sample) and ``__len__``.

    ``a + b`` concatenates two datasets, as in PyTorch.

    Example:
        >>> class Squares(nt.utils.data.Dataset):
        ...     def __len__(self):
        ...         return 5
        ...     def __getitem__(self, i):
        ...         return np.float32(i), np.float32(i * i)
        >>> loader = nt.utils.data.DataLoader(Squares(), batch_size=5)
        >>> x, y = next(iter(loader))
        >>> y.tolist()
        [0.0, 1.0, 4.0, 9.0, 16.0]
    """

    def __getitem__(self, index):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __add__(self, other) -> "ConcatDataset":
        return ConcatDataset([self, other])


def _gathers_batches(dataset) -> bool:
    """Whether ``dataset[index_array]`` returns a whole batch at once (array-backed datasets)."""
    return isinstance(dataset, ArrayDataset) or getattr(dataset, "gathers_batches", False)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order.

    Example:
        >>> ds = nt.utils.data.Subset(nt.data.ArrayDataset(np.arange(10)), [7, 3])
        >>> len(ds), int(ds[0][0])
        (2, 7)
    """

    def __init__(self, dataset, indices):
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(f"Subset: dataset must have __len__ and __getitem__, got {type(dataset).__name__}")
        indices = np.asarray(indices, dtype=np.int64).reshape(-1)
        n = len(dataset)
        if indices.size and (indices.min() < -n or indices.max() >= n):
            raise IndexError(f"Subset: indices must be in [0, {n}) for a dataset of {n} samples, got "
                             f"{int(indices.min())}..{int(indices.max())}")
        self.dataset, self.indices = dataset, indices

    @property
    def gathers_batches(self) -> bool:
        return _gathers_batches(self.dataset)

    def __len__(self) -> int:
        return int(self.indices.size)

    def __getitem__(self, index):
        picked = self.indices[index]
        if isinstance(picked, np.ndarray) and not self.gathers_batches:
            raise TypeError("Subset: batch indexing needs an array-backed dataset; index one sample at a time")
        return self.dataset[picked if isinstance(picked, np.ndarray) else int(picked)]


class ConcatDataset(Dataset):
    """Several datasets one after another.

    Example:
        >>> a, b = nt.data.ArrayDataset(np.arange(3)), nt.data.ArrayDataset(np.arange(10, 15))
        >>> ds = nt.utils.data.ConcatDataset([a, b])
        >>> len(ds), int(ds[3][0])
        (8, 10)
    """

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: got no datasets")
        self.ends = np.cumsum([len(d) for d in self.datasets])

    def __len__(self) -> int:
        return int(self.ends[-1])

    def __getitem__(self, index):
        n = len(self)
        if isinstance(index, bool) or not isinstance(index, (numbers.Integral, np.integer)):
            raise TypeError(f"ConcatDataset: index one sample with an int, got {type(index).__name__}")
        if not -n <= index < n:
            raise IndexError(f"ConcatDataset: index {index} is out of range for {n} samples")
        index = int(index) % n
        k = int(np.searchsorted(self.ends, index, side="right"))
        return self.datasets[k][index - (int(self.ends[k - 1]) if k else 0)]


def _rng(generator):
    if generator is None:
        return backend.get_rng()
    if isinstance(generator, np.random.Generator):
        return generator
    if isinstance(generator, (numbers.Integral, np.integer)) and not isinstance(generator, bool):
        return np.random.default_rng(int(generator))
    raise TypeError(f"random_split: generator must be None, an int seed or a numpy Generator, got "
                    f"{type(generator).__name__}")


def random_split(dataset, lengths, generator=None) -> list:
    """Split ``dataset`` into non-overlapping random :class:`Subset` objects of the given lengths.

    ``lengths`` are counts that add up to ``len(dataset)``, or fractions that add up to 1 (each
    part gets ``floor(fraction · n)`` samples and the remainder goes one by one to the first parts,
    as in PyTorch).  ``generator``: an int seed, a NumPy Generator, or None for neuronet's seeded one.

    Example:
        >>> train, val = nt.utils.data.random_split(nt.data.ArrayDataset(np.arange(10)), [8, 2])
        >>> len(train), len(val)
        (8, 2)
    """
    n = len(dataset)
    lengths = list(lengths)
    if not lengths:
        raise ValueError("random_split: lengths is empty")
    if all(isinstance(x, (numbers.Integral, np.integer)) and not isinstance(x, bool) for x in lengths):
        if any(x < 0 for x in lengths) or sum(lengths) != n:
            raise ValueError(f"random_split: lengths {lengths} must be non-negative and add up to the dataset's "
                             f"{n} samples")
        counts = [int(x) for x in lengths]
    elif all(isinstance(x, numbers.Real) and not isinstance(x, bool) and 0 <= x <= 1 for x in lengths) \
            and math.isclose(sum(lengths), 1.0, abs_tol=1e-9):
        counts = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
    else:
        raise ValueError(f"random_split: lengths must be counts adding up to {n} or fractions adding up to 1, "
                         f"got {lengths}")
    order = _rng(generator).permutation(n)
    bounds = np.cumsum([0] + counts)
    return [Subset(dataset, order[bounds[i]:bounds[i + 1]]) for i in range(len(counts))]


def _to_tensor(value):
    if isinstance(value, Tensor):
        return value
    return Tensor(value if hasattr(value, "dtype") else np.asarray(value))


class DataLoader(_ArrayLoader):
    """``torch.utils.data.DataLoader``: mini-batches of ``dataset`` as tensors.

    Args:
        dataset: a :class:`Dataset` (anything with ``__len__`` and ``__getitem__``), a
            ``TensorDataset``, an array or a tuple of aligned arrays.
        batch_size: samples per batch (1, PyTorch's default).
        shuffle: a new random order every epoch.
        collate_fn: ``list of samples -> batch``; default: stack each field into a tensor.
        drop_last: skip the last, smaller batch.
        generator: an int seed or a NumPy Generator for the shuffling (default: neuronet's seeded one).
        num_workers, pin_memory: accepted for PyTorch code; batches are gathered in this process.

    A dataset whose samples are tuples yields tuples ``(xb, yb, ...)``; one whose samples are single
    arrays yields single tensors.

    Example:
        >>> ds = nt.data.ArrayDataset(np.ones((10, 3), np.float32), np.arange(10))
        >>> batches = list(nt.utils.data.DataLoader(ds, batch_size=4))
        >>> len(batches), batches[0][0].shape, type(batches[0][0]).__name__
        (3, (4, 3), 'Tensor')
    """

    def __init__(self, dataset, batch_size: int = 1, shuffle: bool = False, collate_fn=None, drop_last: bool = False,
                 generator=None, num_workers: int = 0, pin_memory: bool = False, **_ignored):
        if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(f"DataLoader: num_workers must be a non-negative int, got {num_workers!r}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got {type(collate_fn).__name__}")
        unknown = sorted(set(_ignored) - {"timeout", "worker_init_fn", "prefetch_factor", "persistent_workers",
                                          "multiprocessing_context", "pin_memory_device", "in_order"})
        if unknown:
            raise TypeError(f"DataLoader: unexpected arguments {unknown} (sampler and batch_sampler are not "
                            "supported: use shuffle, or a Subset for a fixed order)")
        seed = None
        super().__init__(dataset, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, seed=seed)
        if generator is not None:
            self._rng = _rng(generator)
        self.collate_fn = collate_fn
        self.num_workers, self.pin_memory = num_workers, pin_memory

    def _gather(self, index):
        if self.collate_fn is None and _gathers_batches(self.dataset):
            return tuple(_to_tensor(a) for a in self.dataset[index])
        if isinstance(index, slice):
            index = range(*index.indices(len(self.dataset)))
        samples = [self.dataset[int(i)] for i in index]
        if self.collate_fn is not None:
            return self.collate_fn(samples)
        first = samples[0]
        if isinstance(first, (tuple, list)):
            return tuple(_stack([s[j] for s in samples]) for j in range(len(first)))
        return _stack(samples)


def _stack(items):
    """One field of a batch as a tensor: tensors stacked (keeping their dtype), numbers and arrays via NumPy."""
    if isinstance(items[0], Tensor):
        from ..functional.shape import stack
        return stack(items, axis=0)
    return Tensor(np.stack([backend.to_numpy(np.asarray(i)) if not hasattr(i, "shape") else backend.to_numpy(i)
                            for i in items]))
