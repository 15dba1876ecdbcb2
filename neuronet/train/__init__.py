"""Training: the Keras-style Model API, callbacks, metrics, progress, checkpoints."""
from .callbacks import *  # noqa: F401,F403
from .history import History
from .progress import ProgressBar
from .model import Model
from .sequential import Sequential
from .checkpoint import save_model, load_model
from .summary import summary
from . import metrics
from .jit import jit, StepFunction
