"""``keras.models``: ``Sequential``, ``Model`` and ``load_model``."""
import os

from ..train.checkpoint import load_model as _load_neuronet_model
from .archive import load_keras_model
from .model import Model, Sequential  # noqa: F401

__all__ = ["Model", "Sequential", "load_model", "load_keras_model"]


def load_model(path, custom_objects=None, compile=True):
    """A model file back: a ``.keras`` archive written by Keras itself (read by
    :func:`load_keras_model`), or a model neuronet saved (``.safetensors``/``.nnet``/``.npz``)."""
    if os.fspath(path).endswith(".keras"):
        return load_keras_model(path)
    return _load_neuronet_model(path, custom_objects=custom_objects, compile=compile)
