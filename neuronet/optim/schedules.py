"""Keras-style learning-rate schedules: plain functions ``epoch -> lr`` for the LearningRateScheduler callback.

Each factory returns a function of the epoch (or step) index counted from 0, e.g.::

    model.fit(x, y, callbacks=[LearningRateScheduler(step_decay(0.1, drop=0.5, epochs_drop=10))])
"""
from __future__ import annotations

import math

from .lr_scheduler import warmup_cosine_lr

__all__ = ["step_decay", "exponential_decay", "cosine_decay", "warmup_cosine"]


def _positive(owner, name, value):
    if not (isinstance(value, (int, float)) and value > 0):
        raise ValueError(f"{owner}: {name} must be > 0, got {value!r}")


def step_decay(initial_lr: float, drop: float = 0.5, epochs_drop: int = 10):
    """Drop the rate by a factor every ``epochs_drop`` epochs: ``lr = initial_lr·drop^⌊epoch/epochs_drop⌋``.

    The same values as ``StepLR(step_size=epochs_drop, gamma=drop)``.

    Example:
        >>> schedule = nt.optim.step_decay(0.1, drop=0.5, epochs_drop=10)
        >>> schedule(0), schedule(10), schedule(25)
        (0.1, 0.05, 0.025)
    """
    _positive("step_decay", "initial_lr", initial_lr)
    _positive("step_decay", "epochs_drop", epochs_drop)

    def schedule(epoch):
        return initial_lr * drop ** math.floor(epoch / epochs_drop)
    return schedule


def exponential_decay(initial_lr: float, decay_rate: float, decay_steps: int, staircase: bool = False):
    """Keras's ExponentialDecay: ``lr = initial_lr·decay_rate^(epoch/decay_steps)`` (floored with ``staircase``).

    Example:
        >>> schedule = nt.optim.exponential_decay(1.0, decay_rate=0.5, decay_steps=2)
        >>> schedule(2), round(schedule(1), 4), nt.optim.exponential_decay(1.0, 0.5, 2, staircase=True)(1)
        (0.5, 0.7071, 1.0)
    """
    _positive("exponential_decay", "initial_lr", initial_lr)
    _positive("exponential_decay", "decay_steps", decay_steps)

    def schedule(epoch):
        p = epoch / decay_steps
        return initial_lr * decay_rate ** (math.floor(p) if staircase else p)
    return schedule


def cosine_decay(initial_lr: float, decay_steps: int, alpha: float = 0.0):
    """Keras's CosineDecay: ``lr = initial_lr·((1 − alpha)·(1 + cos(π·min(epoch, decay_steps)/decay_steps))/2 + alpha)``.

    ``alpha`` is the floor as a fraction of ``initial_lr``.

    Example:
        >>> schedule = nt.optim.cosine_decay(1.0, decay_steps=10)
        >>> schedule(0), round(schedule(5), 4), schedule(20)
        (1.0, 0.5, 0.0)
    """
    _positive("cosine_decay", "initial_lr", initial_lr)
    _positive("cosine_decay", "decay_steps", decay_steps)

    def schedule(epoch):
        cosine = (1 + math.cos(math.pi * min(epoch, decay_steps) / decay_steps)) / 2
        return initial_lr * ((1 - alpha) * cosine + alpha)
    return schedule


def warmup_cosine(initial_lr: float, warmup_steps: int, total_steps: int, min_lr: float = 0.0):
    """Linear warm-up then cosine decay to ``min_lr``: the formula of :func:`warmup_cosine_lr`.

    The same values as the ``LinearWarmupCosine`` scheduler object.

    Example:
        >>> schedule = nt.optim.warmup_cosine(1.0, warmup_steps=2, total_steps=6)
        >>> [round(schedule(t), 3) for t in (1, 2, 6)]
        [1.0, 1.0, 0.0]
    """
    _positive("warmup_cosine", "initial_lr", initial_lr)
    if not (isinstance(warmup_steps, int) and isinstance(total_steps, int) and 0 < warmup_steps < total_steps):
        raise ValueError(f"warmup_cosine: need integers 0 < warmup_steps < total_steps, got "
                         f"warmup_steps={warmup_steps!r}, total_steps={total_steps!r}")

    def schedule(epoch):
        return warmup_cosine_lr(epoch, initial_lr, warmup_steps, total_steps, min_lr)
    return schedule
