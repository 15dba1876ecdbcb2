"""Element-wise arithmetic and matrix products, each with its derivative."""
from __future__ import annotations

from ..autograd import Function, unbroadcast
from ..backend import array_module

__all__ = ["add", "mul", "matmul"]


def _shape(a):
    return getattr(a, "shape", ())


class Add(Function):
    def forward(self, a, b):
        self.a_shape, self.b_shape = _shape(a), _shape(b)
        return a + b

    def backward(self, gy):
        # d(a+b)/da = 1, d(a+b)/db = 1; broadcasting is undone by summing
        ga = unbroadcast(gy, self.a_shape) if self.needs_grad[0] else None
        gb = unbroadcast(gy, self.b_shape) if self.needs_grad[1] else None
        return ga, gb


def add(a, b):
    """a + b with broadcasting."""
    return Add.apply(a, b)


class Mul(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, gy):
        # d(ab)/da = b, d(ab)/db = a
        ga = unbroadcast(gy * self.b, _shape(self.a)) if self.needs_grad[0] else None
        gb = unbroadcast(gy * self.a, _shape(self.b)) if self.needs_grad[1] else None
        return ga, gb


def mul(a, b):
    """a * b with broadcasting."""
    return Mul.apply(a, b)


class MatMul(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a @ b

    def backward(self, gy):
        # y = a @ b: dL/da = gy @ b^T, dL/db = a^T @ gy (then undo batch broadcasting)
        xp = array_module(gy)
        a, b = self.a, self.b
        ga = gb = None
        if a.ndim == 1 and b.ndim == 1:
            if self.needs_grad[0]:
                ga = gy * b
            if self.needs_grad[1]:
                gb = gy * a
            return ga, gb
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        gy2 = gy
        if a.ndim == 1:
            gy2 = xp.expand_dims(gy2, -2)
        if b.ndim == 1:
            gy2 = xp.expand_dims(gy2, -1)
        if self.needs_grad[0]:
            ga = gy2 @ xp.swapaxes(b2, -1, -2)
            ga = unbroadcast(ga, a2.shape).reshape(a.shape)
        if self.needs_grad[1]:
            gb = xp.swapaxes(a2, -1, -2) @ gy2
            gb = unbroadcast(gb, b2.shape).reshape(b.shape)
        return ga, gb


def matmul(a, b):
    """Matrix product with NumPy semantics (1-D vectors, batched and broadcast leading dims)."""
    return MatMul.apply(a, b)
