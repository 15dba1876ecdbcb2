"""Installs Tensor's Python operators and methods (Chainer's install_variable_arithmetics).

``tensor.py`` knows nothing of the functional ops; importing ``neuronet.functional`` calls
:func:`install`, which attaches ``+ - * / ** @``, unary ``-``, ``abs()``, comparisons (which
return bool tensors outside the graph, like PyTorch), indexing and the array methods.
Activation shortcuts (``.relu()``, ``.softmax()``, ...) import ``functional.activation`` lazily.
"""
from __future__ import annotations

import numbers

from ..backend import array_module
from ..tensor import Tensor
from . import math as _m
from . import reduce as _r
from . import shape as _s
from .indexing import getitem as _getitem

__all__ = ["install"]


def _data(v):
    return v.data if isinstance(v, Tensor) else v


def _compare(name):
    """A comparison operator: a bool tensor, never part of the graph."""
    def op(a, b):
        if not isinstance(b, (Tensor, numbers.Number, list, tuple)) and not hasattr(b, "__array__"):
            return NotImplemented  # e.g. t == None or t == "text": Python falls back to identity
        ad = a.data
        return Tensor(getattr(array_module(ad), name)(ad, _data(b)))
    op.__name__ = f"__{name}__"
    return op


def _reshape(self, *shape):
    """The same elements in a new shape: ``t.reshape(2, 3)`` or ``t.reshape((2, 3))``."""
    return _s.reshape(self, *shape)


def _transpose(self, *axes):
    """Permute axes: ``t.transpose()`` reverses them, ``t.transpose(d0, d1)`` swaps two axes
    (PyTorch), ``t.transpose((2, 0, 1))`` or three or more ints permute them (NumPy)."""
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        axes = tuple(axes[0])
    if not axes:
        return _s.transpose(self)
    if len(axes) == 2:
        return _s.swapaxes(self, axes[0], axes[1])
    return _s.transpose(self, axes)


def _expand(self, *shape):
    """Broadcast to ``shape`` (-1 keeps a dimension), PyTorch's ``expand``."""
    return _s.expand(self, *shape)


def _flatten(self, start_dim: int = 0, end_dim: int = -1):
    """Merge dimensions ``start_dim..end_dim`` (PyTorch's ``Tensor.flatten``: everything by default)."""
    return _s.flatten(self, start_dim, end_dim)


def _cast_to(dtype: str):
    """A ``Tensor.float()``-style method: ``t`` itself when already ``dtype`` (as in PyTorch), else the
    cast (differentiable to floating dtypes, through ``F.cast``; integer and bool casts leave the graph)."""
    def method(self):
        if self.data.dtype == dtype:
            return self
        if dtype in ("float16", "float32", "float64"):
            return _m.cast(self, dtype)
        return Tensor(self.data.astype(dtype))
    method.__name__ = {"float32": "float", "float64": "double", "float16": "half", "int64": "long",
                       "int32": "int", "bool": "bool"}[dtype]
    method.__doc__ = f"This tensor as {dtype} (PyTorch's ``Tensor.{method.__name__}()``)."
    return method


def _clone(self):
    """A copy of the data (PyTorch's ``Tensor.clone()``): gradients flow back through it to this tensor."""
    if self.requires_grad:
        return _m.add(self, 0)  # x + 0: a new array of x's dtype, d/dx = 1
    return Tensor(self.data.copy(), dtype=self.data.dtype)


def _activation(name):
    def method(self, *args, **kwargs):
        from . import activation  # written alongside; imported lazily so this file never depends on it
        return getattr(activation, name)(self, *args, **kwargs)
    method.__name__ = name
    method.__doc__ = f"``functional.activation.{name}`` applied to this tensor."
    return method


def install() -> None:
    """Attach operators (+, *, @, ...) and methods (.sum(), .reshape(), ...) to Tensor."""
    T = Tensor
    T.__add__ = lambda a, b: _m.add(a, b)
    T.__radd__ = lambda a, b: _m.add(b, a)
    T.__sub__ = lambda a, b: _m.sub(a, b)
    T.__rsub__ = lambda a, b: _m.sub(b, a)
    T.__mul__ = lambda a, b: _m.mul(a, b)
    T.__rmul__ = lambda a, b: _m.mul(b, a)
    T.__truediv__ = lambda a, b: _m.div(a, b)
    T.__rtruediv__ = lambda a, b: _m.div(b, a)
    T.__pow__ = lambda a, b: _m.pow(a, b)
    T.__rpow__ = lambda a, b: _m.pow(b, a)
    T.__matmul__ = lambda a, b: _m.matmul(a, b)
    T.__rmatmul__ = lambda a, b: _m.matmul(b, a)
    T.__neg__ = lambda a: _m.neg(a)
    T.__pos__ = lambda a: a
    T.__abs__ = lambda a: _m.abs(a)
    # comparisons: bool tensors outside the graph; __hash__ stays Tensor's own (identity)
    T.__lt__, T.__le__ = _compare("less"), _compare("less_equal")
    T.__gt__, T.__ge__ = _compare("greater"), _compare("greater_equal")
    T.__eq__, T.__ne__ = _compare("equal"), _compare("not_equal")
    T.__getitem__ = lambda a, index: _getitem(a, index)

    # reductions
    T.sum, T.mean, T.max, T.min = _r.sum, _r.mean, _r.max, _r.min
    T.var, T.std, T.logsumexp = _r.var, _r.std, _r.logsumexp
    T.argmax, T.argmin, T.any, T.all = _r.argmax, _r.argmin, _r.any, _r.all
    # shape
    T.reshape = T.view = _reshape
    T.transpose = _transpose
    T.permute = _s.permute
    T.swapaxes = _s.swapaxes
    T.T = property(lambda a: _s.transpose(a), doc="The tensor with its axes reversed (NumPy's .T).")
    T.squeeze, T.unsqueeze = _s.squeeze, _s.unsqueeze
    T.expand = _expand
    T.broadcast_to = _s.broadcast_to
    T.flatten = _flatten
    # element-wise
    T.exp, T.log, T.sqrt, T.abs = _m.exp, _m.log, _m.sqrt, _m.abs
    T.sin, T.cos, T.tanh = _m.sin, _m.cos, _m.tanh
    T.clip = T.clamp = _m.clip
    T.pow, T.matmul = _m.pow, _m.matmul
    T.cast = _m.cast
    # PyTorch's dtype shortcuts: floating casts keep the graph (and return the tensor itself when nothing changes)
    T.float, T.double, T.half = _cast_to("float32"), _cast_to("float64"), _cast_to("float16")
    T.long, T.int, T.bool = _cast_to("int64"), _cast_to("int32"), _cast_to("bool")
    T.clone = _clone
    for name in ("sigmoid", "relu", "softmax", "log_softmax"):
        setattr(T, name, _activation(name))
