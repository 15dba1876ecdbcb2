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
    """``keras.layers.Concatenate(axis=-1)([a, b, ...])``: join along ``axis`` (the feature axis).

    Example:
        >>> nt.keras.layers.Concatenate()([nt.ones(2, 3), nt.zeros(2, 5)]).shape
        (2, 8)
    """

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
    """``keras.layers.Add()([a, b, ...])``: the element-wise sum (a residual connection).

    Example:
        >>> nt.keras.layers.Add()([nt.ones(2, 3), nt.ones(2, 3)]).numpy()[0]
        array([2., 2., 2.], dtype=float32)
    """

    def forward(self, inputs):
        xs = self._check(inputs)
        self._same_shapes(xs)
        out = xs[0]
        for x in xs[1:]:
            out = _add(out, x)
        return out


class Subtract(_Merge):
    """``keras.layers.Subtract()([a, b])``: a − b.

    Example:
        >>> nt.keras.layers.Subtract()([nt.full((1, 2), 5.0), nt.ones(1, 2)]).numpy()
        array([[4., 4.]], dtype=float32)
    """

    def forward(self, inputs):
        xs = self._check(inputs)
        if len(xs) != 2:
            raise ValueError(f"Subtract: expected exactly 2 inputs, got {len(xs)}")
        self._same_shapes(xs)
        return _sub(xs[0], xs[1])


class Multiply(_Merge):
    """``keras.layers.Multiply()([a, b, ...])``: the element-wise product.

    Example:
        >>> nt.keras.layers.Multiply()([nt.full((1, 2), 3.0), nt.full((1, 2), 2.0)]).numpy()
        array([[6., 6.]], dtype=float32)
    """

    def forward(self, inputs):
        xs = self._check(inputs)
        self._same_shapes(xs)
        out = xs[0]
        for x in xs[1:]:
            out = _mul(out, x)
        return out


class Average(Add):
    """``keras.layers.Average()([a, b, ...])``: the element-wise mean.

    Example:
        >>> nt.keras.layers.Average()([nt.zeros(1, 2), nt.full((1, 2), 4.0)]).numpy()
        array([[2., 2.]], dtype=float32)
    """

    def forward(self, inputs):
        return _mul(Add.forward(self, inputs), 1.0 / len(inputs))


def concatenate(inputs, axis=-1, **kwargs):
    """``Concatenate(axis)(inputs)``.

    Example:
        >>> nt.keras.layers.concatenate([nt.ones(2, 3), nt.ones(2, 3)], axis=0).shape
        (4, 3)
    """
    return Concatenate(axis=axis, **kwargs)(inputs)


def add(inputs, **kwargs):
    """``Add()(inputs)``: the element-wise sum.

    Example:
        >>> nt.keras.layers.add([nt.ones(1, 2), nt.ones(1, 2)]).numpy()
        array([[2., 2.]], dtype=float32)
    """

    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """``Subtract()(inputs)``: a − b.

    Example:
        >>> nt.keras.layers.subtract([nt.ones(1, 2), nt.ones(1, 2)]).numpy()
        array([[0., 0.]], dtype=float32)
    """

    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """``Multiply()(inputs)``: the element-wise product.

    Example:
        >>> nt.keras.layers.multiply([nt.full((1, 2), 3.0), nt.full((1, 2), 3.0)]).numpy()
        array([[9., 9.]], dtype=float32)
    """

    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """``Average()(inputs)``: the element-wise mean.

    Example:
        >>> nt.keras.layers.average([nt.zeros(1, 2), nt.ones(1, 2)]).numpy()
        array([[0.5, 0.5]], dtype=float32)
    """

    return Average(**kwargs)(inputs)
