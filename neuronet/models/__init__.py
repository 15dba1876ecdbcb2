"""Ready architectures from the curriculum, built from ``nt.nn`` layers."""
from .cnn import *  # noqa: F401,F403
