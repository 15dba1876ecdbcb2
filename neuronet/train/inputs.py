"""What ``fit``/``evaluate``/``predict`` accept as data, turned into arrays once at the entry.

Keras users pass NumPy arrays, pandas DataFrames and Series, and plain lists; their labels come
in the shapes Keras accepts.  Here, before any check of shapes:

- a pandas DataFrame or Series becomes its NumPy values (pandas is imported only when the object
  is one); a list of numbers becomes an array (floats in the default dtype, integers int64);
- uint8 and boolean inputs (images, one-hot pixels) are cast once, the whole array, to the default
  float dtype, with a one-time note: values are not rescaled (divide by 255 yourself, as in Keras).
  A model with an ``Embedding`` keeps its integer inputs (they are token ids);
- targets are fitted to the loss as Keras fits them: labels of shape (N, 1) for a sparse
  categorical loss become (N,); targets of shape (N,) for a loss on one output per sample
  (binary cross-entropy, MSE, MAE, Huber, hinge) against outputs of shape (N, 1) become (N, 1);
  integer targets of such a loss become floats; float labels holding whole numbers for Keras's
  sparse categorical become int64 (a CSV column of 0.0/1.0), as Keras casts them; PyTorch's
  ``cross_entropy`` keeps refusing float labels, as PyTorch does.
"""
from __future__ import annotations

import warnings

from .. import backend
from ..backend import np

__all__ = ["as_data", "cast_inputs", "fit_targets_to_loss"]

# losses whose targets are class indices; losses that compare each output with a target of its shape
INDEX_LOSSES = {"CrossEntropyLoss", "SparseCategoricalCrossentropy", "NLLLoss"}
POINTWISE_LOSSES = {"MSELoss", "L1Loss", "RMSELoss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss",
                    "BinaryCrossentropy", "HingeLoss"}

_noted = False


def _is_pandas(a) -> bool:
    """A pandas DataFrame, Series or Index, recognised without importing pandas."""
    return type(a).__module__.split(".")[0] == "pandas"


def as_data(a):
    """``a`` as an array when it is pandas or a list of numbers; anything else unchanged."""
    if _is_pandas(a):
        values = a.to_numpy()
        if values.dtype == object:  # mixed columns: numbers if they are numbers
            try:
                values = values.astype(np.float64)
            except (TypeError, ValueError):
                raise TypeError(f"{type(a).__name__} holds non-numeric columns; encode them as numbers "
                                f"(e.g. pandas.get_dummies) first") from None
        return values
    if isinstance(a, list) and a and not any(hasattr(v, "shape") for v in a):
        from ..tensor import as_array
        return as_array(a, where="x")
    return a


def _cast_note(dtype) -> None:
    global _noted
    if not _noted:
        _noted = True
        warnings.warn(f"neuronet: {dtype} input cast to {np.dtype(backend.get_default_dtype()).name} once at the "
                      "input (values are not rescaled: divide images by 255 yourself, as in Keras)", stacklevel=4)


def cast_inputs(model, xs):
    """uint8/bool inputs as the default float dtype, cast once for the whole array (see the module
    docstring); a model with an Embedding keeps its integer inputs."""
    if not any(a.dtype.kind == "b" or a.dtype == np.uint8 for a in xs):
        return xs
    if any(type(m).__name__ == "Embedding" for m in model.modules()):
        return xs
    dtype = backend.get_default_dtype()
    out = []
    for a in xs:
        if a.dtype.kind == "b" or a.dtype == np.uint8:
            _cast_note(a.dtype)
            a = a.astype(dtype)
        out.append(a)
    return tuple(out)


def fit_targets_to_loss(y, loss_kind: str, out_shape):
    """``y`` in the shape and dtype the loss takes, where Keras accepts the one given (module docstring)."""
    if out_shape is None:
        return y
    out_shape = tuple(out_shape)
    if loss_kind in INDEX_LOSSES:
        if y.ndim >= 2 and y.shape[-1] == 1 and y.shape[1:] != out_shape and len(y.shape) - 1 == len(out_shape):
            y = y[..., 0]  # (N, 1) labels: Keras squeezes the last axis
        if (loss_kind == "SparseCategoricalCrossentropy" and y.dtype.kind == "f" and y.shape[1:] != out_shape
                and np.all(y == np.round(y))):
            y = y.astype(np.int64)  # whole-number float labels (a CSV column) are class indices
    elif loss_kind in POINTWISE_LOSSES:
        if out_shape and out_shape[-1] == 1 and y.shape[1:] == out_shape[:-1]:
            y = y[..., None]  # (N,) targets vs (N, 1) outputs: Keras expands the targets
        if y.dtype.kind in "biu":
            y = y.astype(backend.get_default_dtype())
    return y
