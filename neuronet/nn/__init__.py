"""Modules, parameters, initialisers, layers and loss modules (``nt.nn``)."""
from .parameter import Parameter
from .module import Module, register_module, get_module_class
from . import init
from .layers import *  # noqa: F401,F403
from .sequential import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .containers import *  # noqa: F401,F403  (ModuleList, ModuleDict)
from . import utils
from .. import functional  # ``nt.nn.functional`` is ``nt.functional`` (``import neuronet.nn.functional as F`` too)
import sys as _sys
_sys.modules[__name__ + ".functional"] = functional
