"""``keras.models``: ``Sequential``, ``Model`` and ``load_model``."""
import os

from ..train.checkpoint import load_model as _load_neuronet_model
from .archive import load_keras_model
from .model import Model, Sequential  # noqa: F401

__all__ = ["Model", "Sequential", "load_model", "load_keras_model"]


def load_model(path, custom_objects=None, compile=True):
    """A model file back: a ``.keras`` archive written by Keras itself (read by
    :func:`load_keras_model`), or a model neuronet saved (``.safetensors``/``.nnet``/``.npz``).

    Example:
        >>> model = nt.keras.Sequential([nt.keras.Input(shape=(3,)), nt.keras.layers.Dense(2)])
        >>> model.save("tiny.nnet")
        >>> again = nt.keras.models.load_model("tiny.nnet")
        >>> x = np.ones((1, 3), np.float32)
        >>> bool(np.allclose(again.predict(x), model.predict(x)))
        True
    """
    if os.fspath(path).endswith(".keras"):
        return load_keras_model(path)
    return _load_neuronet_model(path, custom_objects=custom_objects, compile=compile)
