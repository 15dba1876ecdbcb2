"""neuronet: a deep-learning library written from the neuron up.

``import neuronet as nt`` gives tensors with reverse-mode autodiff (``nt.tensor``), the
functional ops (``nt.functional``, alias ``nt.F``), modules and layers (``nt.nn``), optimizers
(``nt.optim``), data (``nt.data``, ``nt.datasets``), the Keras-style training API
(``nt.Model``, ``nt.Sequential``) and safe save/load (``nt.save``/``nt.load``/``nt.load_model``).
"""
__version__ = "0.1.0"

from ._openblas_env import configure_openblas
from ._malloc_tuning import configure_malloc

configure_openblas()  # before anything loads NumPy: see _openblas_env.py
configure_malloc()  # large buffers stay in the heap between steps: see _malloc_tuning.py


from .backend import get_default_dtype, set_default_dtype, manual_seed, cupy_available
from .tensor import Tensor, tensor
from .autograd import (Function, no_grad, enable_grad, set_grad_enabled, is_grad_enabled,
                       gradcheck, GradcheckError)
from . import functional
from . import functional as F
from . import nn
from .io import save, load, load_metadata
from . import optim
from . import data
from .data import datasets
from . import train
from .train import Model, Sequential, load_model, callbacks, metrics
from .train.jit import jit  # step capture: nt.jit(train_step)
from .creation import *  # noqa: F401,F403  (PyTorch's nt.zeros, nt.randn, nt.arange, ...)
from .functional.shape import concat as cat, stack
from . import utils, cuda


def __getattr__(name):
    """``nt.models``, ``nt.viz``, ``nt.interpret``, ``nt.distributed``, ``nt.onnx``, ``nt.pytorch`` and
    ``nt.keras`` are imported on first use: what training a layer stack never needs (models, viz and
    interpret alone took 0.09 s of a 0.4 s import); ``import neuronet.models`` works as usual."""
    if name in ("models", "viz", "interpret", "distributed", "onnx", "pytorch", "keras"):
        import importlib
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'neuronet' has no attribute {name!r}")

