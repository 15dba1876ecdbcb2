"""Keras's merge layers, called on a list of tensors: Concatenate, Add, Subtract, Multiply,
Average, and the functions ``concatenate``/``add``/... that build and call them at once."""
from __future__ import annotations

from ...functional.math import add as _add, mul as _mul, sub as _sub
from ...functional.shape import concat
from ...nn.layers.base import _Layer
from .base import KerasLayer

__all__ = ["Concatenate", "Add", "Subtract", "Multiply", "Average", "concatenate", "add", "subtract",
           "multiply", "average"]


class _Merge(KerasLayer, _Layer):
    least = 2

    def __init__(self, **kwargs):
        _Layer.__init__(self)
        self._keras_base(kwargs)

    def _check(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < self.least:
            raise ValueError(f"{type(self).__name__}: expected a list of at least {self.least} tensors, got "
                             f"{type(inputs).__name__}{'' if not isinstance(inputs, (list, tuple)) else f' of {len(inputs)}'}")
        return list(inputs)

    def _same_shapes(self, xs):
        shapes = [tuple(x.shape) for x in xs]
        if len(set(shapes)) > 1:
            raise ValueError(f"{type(self).__name__}: the inputs must have the same shape, got {shapes}")


class Concatenate(_Merge):
    """``keras.layers.Concatenate(axis=-1)([a, b, ...])``: join along ``axis`` (the feature axis)."""

    def __init__(self, axis=-1, **kwargs):
        _Merge.__init__(self, **kwargs)
        self.axis = int(axis)

    def forward(self, inputs):
        xs = self._check(inputs)
        ax = self.axis % xs[0].ndim
        shapes = [tuple(x.shape) for x in xs]
        if len({s[:ax] + s[ax + 1:] for s in shapes}) > 1 or len({len(s) for s in shapes}) > 1:
            raise ValueError(f"Concatenate(axis={self.axis}): the inputs must match on every axis but {self.axis}, "
                             f"got {shapes}")
        return concat(xs, axis=ax)


class Add(_Merge):
    """``keras.layers.Add()([a, b, ...])``: the element-wise sum (a residual connection)."""

    def forward(self, inputs):
        xs = self._check(inputs)
        self._same_shapes(xs)
        out = xs[0]
        for x in xs[1:]:
            out = _add(out, x)
        return out


class Subtract(_Merge):
    """``keras.layers.Subtract()([a, b])``: a − b."""

    def forward(self, inputs):
        xs = self._check(inputs)
        if len(xs) != 2:
            raise ValueError(f"Subtract: expected exactly 2 inputs, got {len(xs)}")
        self._same_shapes(xs)
        return _sub(xs[0], xs[1])


class Multiply(_Merge):
    """``keras.layers.Multiply()([a, b, ...])``: the element-wise product."""

    def forward(self, inputs):
        xs = self._check(inputs)
        self._same_shapes(xs)
        out = xs[0]
        for x in xs[1:]:
            out = _mul(out, x)
        return out


class Average(Add):
    """``keras.layers.Average()([a, b, ...])``: the element-wise mean."""

    def forward(self, inputs):
        return _mul(Add.forward(self, inputs), 1.0 / len(inputs))


def concatenate(inputs, axis=-1, **kwargs):
    """``Concatenate(axis)(inputs)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def add(inputs, **kwargs):
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    return Average(**kwargs)(inputs)
