"""Indexing: slicing, integer/boolean/fancy indexing and gather, with scatter-add backwards."""
from __future__ import annotations

from ..autograd import Function
from ..backend import array_module, np
from ..tensor import Tensor
from .shape import _axis, _scatter_add

__all__ = ["getitem", "gather"]


# --- indexing -----------------------------------------------------------------------------------

def _is_basic(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, slice)
               or (isinstance(p, (int, np.integer)) and not isinstance(p, (bool, np.bool_))) for p in parts)


def _only_masks(index) -> bool:
    """True when every advanced part is boolean: no element is then selected twice."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(getattr(p, "dtype", None) == np.bool_ or _is_basic(p) for p in parts)


def _plain_index(index, xp):
    """Tensors become arrays and lists become integer/boolean arrays."""
    def conv(p):
        if isinstance(p, Tensor):
            return p.data
        if isinstance(p, list):
            return xp.asarray(p)
        return p
    return tuple(conv(p) for p in index) if isinstance(index, tuple) else conv(index)


class GetItem(Function):
    def __init__(self, index, basic):
        self.index, self.basic = index, basic

    def forward(self, x):
        self.shape = x.shape
        y = x[self.index]
        return y if self.basic and hasattr(y, "ndim") and not isinstance(y, np.generic) \
            else array_module(x).asarray(y)

    def backward(self, gy):
        # each selected element sends its gradient back to where it was read from
        xp = array_module(gy)
        gx = xp.zeros(self.shape, dtype=gy.dtype)
        if self.basic or _only_masks(self.index):
            gx[self.index] = gy
        else:
            _scatter_add(xp, gx, self.index, gy)
        return gx


def getitem(x, index):
    """``x[index]`` for NumPy indexing: ints, slices, None, Ellipsis, boolean masks, integer arrays.

    Example:
        >>> x = nt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        >>> F.getitem(x, (slice(None), 1)).sum().backward()  # same as x[:, 1]
        >>> x.grad
        array([[0., 1.],
               [0., 1.]], dtype=float32)
    """
    xp = array_module(x.data if isinstance(x, Tensor) else x)
    index = _plain_index(index, xp)
    try:
        return GetItem.apply(x, index=index, basic=_is_basic(index))
    except IndexError as e:
        raise IndexError(f"getitem: index {index!r} does not fit a tensor of shape {tuple(x.shape)}: {e}") from None


class Gather(Function):
    def __init__(self, axis, index):
        self.axis, self.index = axis, index

    def forward(self, x):
        xp = array_module(x)
        self.shape = x.shape
        idx = self.index
        window = tuple(slice(None) if d == self.axis else slice(0, idx.shape[d]) for d in range(x.ndim))
        return xp.take_along_axis(x[window], idx, axis=self.axis)

    def backward(self, gy):
        # out[..i..] = x[..index[i]..]: scatter-add gy into those positions
        xp = array_module(gy)
        idx = self.index
        full = []
        for d in range(idx.ndim):
            if d == self.axis:
                full.append(idx)
            else:
                shape = [1] * idx.ndim
                shape[d] = idx.shape[d]
                full.append(xp.arange(idx.shape[d]).reshape(shape))
        gx = xp.zeros(self.shape, dtype=gy.dtype)
        _scatter_add(xp, gx, tuple(full), gy)
        return gx


def gather(x, axis: int, index):
    """Pick values along ``axis`` at ``index`` (``torch.gather``): ``out[i][j] = x[index[i][j]][j]`` for axis 0.

    ``index`` is an integer tensor with as many dimensions as ``x``, no longer than ``x`` in any
    other dimension, and values in ``[0, x.shape[axis])``.

    Example:
        >>> x = nt.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        >>> F.gather(x, 1, np.array([[2], [0]])).numpy()
        array([[3.],
               [4.]], dtype=float32)
    """
    idx = index.data if isinstance(index, Tensor) else index
    xp = array_module(idx)
    idx = xp.asarray(idx)
    xs = tuple(x.shape)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"gather: index must be an integer tensor, got dtype {idx.dtype}")
    axis = _axis("gather", axis, len(xs))
    if idx.ndim != len(xs) or any(i > n for d, (i, n) in enumerate(zip(idx.shape, xs)) if d != axis):
        raise ValueError(f"gather: index of shape {tuple(idx.shape)} does not fit input of shape {xs} "
                         f"along axis {axis} (same number of dimensions, no longer in the other axes)")
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= xs[axis]):
        raise ValueError(f"gather: index values must lie in [0, {xs[axis]}) for axis {axis} of shape {xs}, "
                         f"got range [{int(idx.min())}, {int(idx.max())}]")
    return Gather.apply(x, axis=axis, index=idx)
