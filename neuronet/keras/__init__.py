"""``import neuronet.keras as keras; from neuronet.keras import layers``: Keras code runs on neuronet.

Keras's names and arguments over the same objects as the rest of neuronet: ``keras.Sequential``,
``keras.Model`` (functional API and subclassing), ``keras.Input``, ``layers.*`` (channels-last
images), ``keras.optimizers``, ``keras.losses``, ``keras.metrics``, ``keras.callbacks``, ``keras.utils``, ``keras.datasets``.  Models are
neuronet Models (PyTorch-layout weights, a PyTorch-style loop works on them) and save with
``model.save``/``keras.models.load_model`` (neuronet's safetensors format, no pickle); a ``.keras``
archive that Keras itself wrote loads with ``keras.models.load_model``/``load_keras_model``.
See docs/keras.md for what differs from Keras.
"""
from . import callbacks, layers, losses, metrics, optimizers  # noqa: F401
from .graph import Input, KerasTensor  # noqa: F401
from .model import Model, Sequential  # noqa: F401
from . import datasets, models, utils  # noqa: F401
from .archive import load_keras_model  # noqa: F401

__all__ = ["Input", "Model", "Sequential", "layers", "optimizers", "losses", "metrics", "callbacks", "models", "utils", "datasets",
           "load_keras_model"]
