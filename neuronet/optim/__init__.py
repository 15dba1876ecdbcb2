"""Optimizers, learning-rate schedules, gradient clipping and weight regularizers (``nt.optim``)."""
from .optimizer import Optimizer, flatten_state_dict, unflatten_state_dict
from .sgd import SGD
from .adagrad import Adagrad
from .rmsprop import RMSprop
from .adam import Adam, AdamW
from .yogi import Yogi
from .adabelief import AdaBelief
from .lamb import LAMB
from .novograd import NovoGrad
from .lookahead import Lookahead
from .cocob import COCOB
from .ema import ExponentialMovingAverage
from .registry import get_optimizer, OPTIMIZER_NAMES
from . import lr_scheduler
from .lr_scheduler import (LRScheduler, StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR,
                           LinearWarmupCosine, OneCycleLR, ReduceLROnPlateau, warmup_cosine_lr)
from .schedules import step_decay, exponential_decay, cosine_decay, warmup_cosine
from .clip import clip_grad_norm_, clip_grad_value_
from .regularizers import Regularizer, L1, L2, L1L2, get_regularizer

__all__ = [
    "Optimizer", "flatten_state_dict", "unflatten_state_dict",
    "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Yogi", "AdaBelief", "LAMB", "NovoGrad", "Lookahead", "COCOB", "ExponentialMovingAverage",
    "get_optimizer", "OPTIMIZER_NAMES",
    "lr_scheduler", "LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
    "LinearWarmupCosine", "OneCycleLR", "ReduceLROnPlateau", "warmup_cosine_lr",
    "step_decay", "exponential_decay", "cosine_decay", "warmup_cosine",
    "clip_grad_norm_", "clip_grad_value_",
    "Regularizer", "L1", "L2", "L1L2", "get_regularizer",
]
