"""``keras.models``: ``Sequential``, ``Model`` and ``load_model`` (neuronet's model files)."""
from ..train.checkpoint import load_model  # noqa: F401
from .model import Model, Sequential  # noqa: F401

__all__ = ["Model", "Sequential", "load_model"]
