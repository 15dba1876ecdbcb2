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
    """Mixin: ``__call__(y_true, y_pred)`` in Keras's order over a neuronet loss module.

    Example:
        >>> loss = nt.keras.losses.MeanSquaredError()
        >>> isinstance(loss, nt.keras.losses.Loss), loss(nt.tensor([1.0]), nt.tensor([3.0])).item()  # (y_true, y_pred)
        (True, 4.0)
    """

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


def _keras(base, name, doc, example):
    class K(Loss, base):
        keras_name = name

        def __init__(self, *args, name=None, **kwargs):
            base.__init__(self, *args, **kwargs)
    K.__name__ = K.__qualname__ = doc
    K.__doc__ = (f"``keras.losses.{doc}`` (Keras's argument order ``loss(y_true, y_pred)``).\n\n"
                 "    Example:\n" + "".join(f"        {line}\n" for line in example.strip().splitlines()))
    return K


BinaryCrossentropy = _keras(L.BinaryCrossentropy, "binary_crossentropy", "BinaryCrossentropy", """
>>> nt.keras.losses.BinaryCrossentropy()(nt.tensor([[1.0]]), nt.tensor([[0.5]])).item()  # log 2
0.6931...
""")
CategoricalCrossentropy = _keras(L.CategoricalCrossentropy, "categorical_crossentropy", "CategoricalCrossentropy", """
>>> nt.keras.losses.CategoricalCrossentropy()(nt.tensor([[0.0, 1.0]]), nt.tensor([[0.5, 0.5]])).item()
0.6931...
""")
SparseCategoricalCrossentropy = _keras(L.SparseCategoricalCrossentropy, "sparse_categorical_crossentropy",
                                       "SparseCategoricalCrossentropy", """
>>> loss = nt.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
>>> loss(np.array([3]), nt.zeros(1, 4)).item()  # uniform logits over 4 classes: log 4
1.3862...
""")
MeanSquaredError = _keras(L.MSELoss, "mse", "MeanSquaredError", """
>>> nt.keras.losses.MeanSquaredError()(nt.tensor([0.0, 0.0]), nt.tensor([1.0, 3.0])).item()
5.0
""")
MeanAbsoluteError = _keras(L.L1Loss, "mae", "MeanAbsoluteError", """
>>> nt.keras.losses.MeanAbsoluteError()(nt.tensor([0.0, 0.0]), nt.tensor([1.0, -3.0])).item()
2.0
""")
Huber = _keras(L.HuberLoss, "huber", "Huber", """
>>> nt.keras.losses.Huber(delta=1.0)(nt.tensor([0.0]), nt.tensor([3.0])).item()  # linear beyond delta
2.5
""")
Hinge = _keras(L.HingeLoss, "hinge", "Hinge", """
>>> nt.keras.losses.Hinge()(nt.tensor([1.0, -1.0]), nt.tensor([0.5, -2.0])).item()  # (0.5 + 0) / 2
0.25
""")


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    """One loss per sample (the mean over the last axis), as ``keras.losses.binary_crossentropy``.

    Example:
        >>> nt.keras.losses.binary_crossentropy(nt.tensor([[1.0, 0.0]]), nt.tensor([[0.5, 0.5]])).numpy()  # one value per sample
        array([0.6931], dtype=float32)
    """
    return F.binary_crossentropy(y_pred, y_true, from_logits, label_smoothing, reduction="none")


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    """One loss per sample, as ``keras.losses.categorical_crossentropy(y_true, y_pred)``.

    Example:
        >>> nt.keras.losses.categorical_crossentropy(nt.tensor([[0.0, 1.0]]), nt.tensor([[0.5, 0.5]])).numpy()
        array([0.6931], dtype=float32)
    """

    return F.categorical_crossentropy(y_pred, y_true, from_logits, label_smoothing, reduction="none")


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False):
    """One loss per sample, as ``keras.losses.sparse_categorical_crossentropy(y_true, y_pred)``.

    Example:
        >>> nt.keras.losses.sparse_categorical_crossentropy(np.array([1]), nt.tensor([[0.5, 0.5]])).numpy()
        array([0.6931], dtype=float32)
    """

    return F.sparse_categorical_crossentropy(y_pred, y_true, from_logits, reduction="none")


def mean_squared_error(y_true, y_pred):
    """The mean over the last axis of (y_true − y_pred)², one value per sample.

    Example:
        >>> nt.keras.losses.mean_squared_error(nt.tensor([[0.0, 0.0]]), nt.tensor([[1.0, 3.0]])).numpy()
        array([5.], dtype=float32)
    """
    return ((y_pred - y_true) ** 2).mean(axis=-1)


def mean_absolute_error(y_true, y_pred):
    """The mean over the last axis of |y_true − y_pred|, one value per sample.

    Example:
        >>> nt.keras.losses.mean_absolute_error(nt.tensor([[0.0, 0.0]]), nt.tensor([[1.0, -3.0]])).numpy()
        array([2.], dtype=float32)
    """

    return abs(y_pred - y_true).mean(axis=-1)


mse, mae = mean_squared_error, mean_absolute_error


def get(identifier):
    """A Keras loss object from its name (``"binary_crossentropy"``, ``"mse"``, ...).

    Example:
        >>> loss = nt.keras.losses.get("mse")
        >>> type(loss).__name__, loss(nt.tensor([0.0]), nt.tensor([2.0])).item()
        ('MeanSquaredError', 4.0)
    """
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
    Keras's defaults (so a saved model re-compiles), else as its neuronet loss.

    Example:
        >>> nt.keras.losses.for_compile(nt.keras.losses.MeanSquaredError())  # Keras's defaults: its name
        'mse'
        >>> type(nt.keras.losses.for_compile(nt.keras.losses.Huber(delta=2.0))).__name__  # else the neuronet loss
        'HuberLoss'
    """
    if not isinstance(loss, Loss):
        return loss
    args, kwargs = loss._init_args
    if not args and not {k: v for k, v in kwargs.items() if k != "name"}:
        return loss.keras_name
    return loss.neuronet_loss()
