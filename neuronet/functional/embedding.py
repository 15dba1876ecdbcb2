"""Embedding lookup (rows of a weight matrix picked by integer indices) and one-hot encoding."""
from __future__ import annotations

import math

from ..autograd import Function
from ..backend import array_module, np
from ..tensor import Tensor
from .shape import _scatter_add

__all__ = ["embedding", "one_hot"]


def _indices(fn, indices):
    """The integer index array behind ``indices`` (a Tensor, array or nested list)."""
    data = indices.data if isinstance(indices, Tensor) else indices
    xp = array_module(data)
    data = xp.asarray(data)
    if data.dtype.kind not in "iu":
        raise TypeError(f"{fn}: indices must be integers, got dtype {data.dtype}; cast with .astype('int64')")
    return data


def _check_range(fn, idx, size, what):
    if idx.size == 0:
        return
    lo, hi = int(idx.min()), int(idx.max())
    if lo < 0 or hi >= size:
        bad = lo if lo < 0 else hi
        raise ValueError(f"{fn}: index {bad} is out of range for {what} {size} (valid indices 0..{size - 1})")


def _scatter_add_rows(xp, target, index, rows):
    """target[index[k]] += rows[k] for every k, accumulating repeated indices.

    On NumPy: ``np.add.at`` on flat element positions (index·D + column) of the raveled
    target, which takes NumPy's fast one-dimensional path: 0.12 ms instead of 0.6–1 ms for
    1,600 rows of 64, and the same sums in the same order.
    """
    if xp is np:
        if target.ndim == 2 and target.flags.c_contiguous:
            d = target.shape[1]
            positions = (index[:, None] * d + np.arange(d)).reshape(-1)
            np.add.at(target.reshape(-1), positions, np.ascontiguousarray(rows).reshape(-1))
        else:
            np.add.at(target, index, rows)
    else:  # pragma: no cover - GPU only
        _scatter_add(xp, target, index, rows)


class Embedding(Function):
    def __init__(self, indices, padding_idx):
        self.indices, self.padding_idx = indices, padding_idx

    def forward(self, weight):
        self.weight_shape, self.dtype = weight.shape, weight.dtype
        return weight[self.indices]

    def backward(self, gy):
        # y[k] = W[i_k]:  dL/dW[r] = Σ_{k: i_k = r} dy[k]; the padding row gets no gradient
        xp = array_module(gy)
        gw = xp.zeros(self.weight_shape, dtype=gy.dtype)
        _scatter_add_rows(xp, gw, self.indices.reshape(-1), gy.reshape(math.prod(gy.shape[:-1]), self.weight_shape[1]))
        if self.padding_idx is not None:
            gw[self.padding_idx] = 0
        return gw


def embedding(indices, weight, padding_idx: int | None = None):
    """Rows of ``weight`` selected by ``indices`` (PyTorch's ``F.embedding``): output shape
    ``indices.shape + (embedding_dim,)``.

    Args:
        indices: integer tensor or array of any shape, values in [0, num_embeddings).
        weight: (num_embeddings, embedding_dim) tensor.
        padding_idx: a row whose gradient is always zero (its vector stays as initialised);
            negative values count from the end.

    Example:
        >>> weight = nt.tensor(np.arange(12.0).reshape(4, 3))
        >>> F.embedding(np.array([[0, 3]]), weight).shape, F.embedding(np.array([2]), weight).tolist()
        ((1, 2, 3), [[6.0, 7.0, 8.0]])
    """
    ws = tuple(weight.shape)
    if len(ws) != 2:
        raise ValueError(f"embedding: weight must have shape (num_embeddings, embedding_dim), got {ws}")
    idx = _indices("embedding", indices)
    _check_range("embedding", idx, ws[0], "an embedding of size")
    if padding_idx is not None:
        if not -ws[0] <= padding_idx < ws[0]:
            raise ValueError(f"embedding: padding_idx {padding_idx} is out of range for an embedding of size {ws[0]}")
        padding_idx = int(padding_idx) % ws[0]
    return Embedding.apply(weight, indices=idx, padding_idx=padding_idx)


def one_hot(indices, num_classes: int = -1, dtype=np.int64) -> Tensor:
    """A vector with a 1 at each index (PyTorch's ``F.one_hot``): shape ``indices.shape + (num_classes,)``.

    Not differentiable.  ``num_classes=-1`` takes the largest index + 1.  ``dtype`` is int64 as
    in PyTorch; pass ``dtype="float32"`` for targets of a loss.

    Example:
        >>> F.one_hot(np.array([0, 2]), num_classes=3).tolist()
        [[1, 0, 0], [0, 0, 1]]
    """
    idx = _indices("one_hot", indices)
    xp = array_module(idx)
    if num_classes == -1:
        if idx.size == 0:
            raise ValueError("one_hot: cannot infer num_classes from empty indices; pass num_classes")
        num_classes = int(idx.max()) + 1
    if num_classes < 1:
        raise ValueError(f"one_hot: num_classes must be positive (or -1 to infer it), got {num_classes}")
    _check_range("one_hot", idx, num_classes, "num_classes =")
    out = (idx[..., None] == xp.arange(num_classes)).astype(dtype)
    return Tensor(out, dtype=out.dtype)
