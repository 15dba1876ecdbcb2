"""``keras.losses``: Keras's loss classes and functions, called Keras's way: ``loss(y_true, y_pred)``.

neuronet's losses take ``(prediction, target)`` (PyTorch's order); these classes swap the two, so
a Keras-style custom loop reads as in Keras.  ``compile`` takes them (or their string names) and
trains with the neuronet loss underneath.  The functions return one loss per sample, as Keras's do.
"""
from __future__ import annotations

from .. import functional as F
from ..nn import losses as L

__all__ = ["Loss", "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
           "MeanSquaredError", "MeanAbsoluteError", "Huber", "Hinge", "binary_crossentropy",
           "categorical_crossentropy", "sparse_categorical_crossentropy", "mean_squared_error",
           "mean_absolute_error", "mse", "mae", "get", "for_compile"]


class Loss:
    """Mixin: ``__call__(y_true, y_pred)`` in Keras's order over a neuronet loss module."""

    keras_name = ""

    def __call__(self, y_true, y_pred, sample_weight=None):
        if sample_weight is not None:
            raise ValueError(f"{type(self).__name__}: sample_weight in a direct call is not supported; pass "
                             "sample_weight to fit")
        return super().__call__(y_pred, y_true)

    def neuronet_loss(self):
        """The neuronet loss with the same settings (prediction first), for ``compile``."""
        base = type(self).__mro__[2]
        args, kwargs = self._init_args
        return base(*args, **{k: v for k, v in kwargs.items() if k != "name"})


def _keras(base, name, doc):
    class K(Loss, base):
        keras_name = name

        def __init__(self, *args, name=None, **kwargs):
            base.__init__(self, *args, **kwargs)
    K.__name__ = K.__qualname__ = doc
    K.__doc__ = f"``keras.losses.{doc}`` (Keras's argument order ``loss(y_true, y_pred)``)."
    return K


BinaryCrossentropy = _keras(L.BinaryCrossentropy, "binary_crossentropy", "BinaryCrossentropy")
CategoricalCrossentropy = _keras(L.CategoricalCrossentropy, "categorical_crossentropy", "CategoricalCrossentropy")
SparseCategoricalCrossentropy = _keras(L.SparseCategoricalCrossentropy, "sparse_categorical_crossentropy",
                                       "SparseCategoricalCrossentropy")
MeanSquaredError = _keras(L.MSELoss, "mse", "MeanSquaredError")
MeanAbsoluteError = _keras(L.L1Loss, "mae", "MeanAbsoluteError")
Huber = _keras(L.HuberLoss, "huber", "Huber")
Hinge = _keras(L.HingeLoss, "hinge", "Hinge")


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    """One loss per sample (the mean over the last axis), as ``keras.losses.binary_crossentropy``."""
    return F.binary_crossentropy(y_pred, y_true, from_logits, label_smoothing, reduction="none")


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    return F.categorical_crossentropy(y_pred, y_true, from_logits, label_smoothing, reduction="none")


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False):
    return F.sparse_categorical_crossentropy(y_pred, y_true, from_logits, reduction="none")


def mean_squared_error(y_true, y_pred):
    """The mean over the last axis of (y_true − y_pred)², one value per sample."""
    return ((y_pred - y_true) ** 2).mean(axis=-1)


def mean_absolute_error(y_true, y_pred):
    return abs(y_pred - y_true).mean(axis=-1)


mse, mae = mean_squared_error, mean_absolute_error


def get(identifier):
    """A Keras loss object from its name (``"binary_crossentropy"``, ``"mse"``, ...)."""
    table = {c.keras_name: c for c in (BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
                                        MeanSquaredError, MeanAbsoluteError, Huber, Hinge)}
    table.update(mean_squared_error=MeanSquaredError, mean_absolute_error=MeanAbsoluteError)
    if isinstance(identifier, Loss):
        return identifier
    if not isinstance(identifier, str) or identifier.lower() not in table:
        raise ValueError(f"keras.losses.get: unknown loss {identifier!r}; known: {sorted(table)}")
    return table[identifier.lower()]()


def for_compile(loss):
    """What ``compile`` passes on: a string as it is; a Keras loss object as its name when it has
    Keras's defaults (so a saved model re-compiles), else as its neuronet loss."""
    if not isinstance(loss, Loss):
        return loss
    args, kwargs = loss._init_args
    if not args and not {k: v for k, v in kwargs.items() if k != "name"}:
        return loss.keras_name
    return loss.neuronet_loss()
