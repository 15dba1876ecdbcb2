"""Installs Tensor's Python operators and methods (Chainer's install_variable_arithmetics)."""
from __future__ import annotations

from ..tensor import Tensor
from . import math as _m


def install() -> None:
    """Attach operators (+, *, @, ...) and methods (.sum(), .reshape(), ...) to Tensor."""
    Tensor.__add__ = lambda a, b: _m.add(a, b)
    Tensor.__radd__ = lambda a, b: _m.add(b, a)
    Tensor.__mul__ = lambda a, b: _m.mul(a, b)
    Tensor.__rmul__ = lambda a, b: _m.mul(b, a)
    Tensor.__matmul__ = lambda a, b: _m.matmul(a, b)
    Tensor.__rmatmul__ = lambda a, b: _m.matmul(b, a)
