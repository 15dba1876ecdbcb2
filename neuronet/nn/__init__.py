"""Modules, parameters, initialisers, layers and loss modules (``nt.nn``)."""
from .parameter import Parameter
from .module import Module, register_module, get_module_class
from . import init
from .layers import *  # noqa: F401,F403
from .sequential import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
