"""Learning-rate schedulers as objects (PyTorch style): ``step()``, ``get_last_lr()``, state dicts.

Each scheduler writes ``group["lr"]`` of every parameter group of its optimizer.  Construction
applies the value for step 0; each ``step()`` advances one step (or epoch) and applies the next
value.  The values are closed forms of the step count ``t`` and the initial rate ``lr₀`` of the
group (the same numbers as ``torch.optim.lr_scheduler`` when nothing else changes ``lr``).
"""
from __future__ import annotations

import bisect
import math

from .optimizer import Optimizer

__all__ = ["LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
           "LinearWarmupCosine", "OneCycleLR", "ReduceLROnPlateau", "warmup_cosine_lr"]


def warmup_cosine_lr(t: int, base_lr: float, warmup_steps: int, total_steps: int, min_lr: float = 0.0) -> float:
    """Linear warm-up then cosine decay to a floor, as a function of the step ``t`` (from 0)::

        t < W:        lr = base_lr · (t + 1) / W
        W ≤ t ≤ T:    lr = min_lr + (base_lr − min_lr) · (1 + cos(π·(t − W)/(T − W))) / 2
        t > T:        lr = min_lr

    with ``W = warmup_steps`` and ``T = total_steps``: the warm-up reaches ``base_lr`` at
    ``t = W − 1`` and stays there at ``t = W``; the cosine reaches ``min_lr`` at ``t = T``.

    Example:
        >>> [round(nt.optim.warmup_cosine_lr(t, 1.0, warmup_steps=2, total_steps=6), 3) for t in range(7)]
        [0.5, 1.0, 1.0, 0.854, 0.5, 0.146, 0.0]
    """
    if t < warmup_steps:
        return base_lr * (t + 1) / warmup_steps
    if t >= total_steps:
        return min_lr
    progress = (t - warmup_steps) / (total_steps - warmup_steps)
    return min_lr + (base_lr - min_lr) * (1 + math.cos(math.pi * progress)) / 2


def _check_optimizer(owner, optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{owner}: expected an Optimizer, got {type(optimizer).__name__}")
    if any("lr" not in g for g in optimizer.param_groups):
        raise ValueError(f"{owner}: {type(optimizer).__name__} has no learning rate ('lr') to schedule")


class LRScheduler:
    """Base class: subclasses implement ``lr_at(t, base_lr)``, the rate of a group at step ``t``.

    Example:
        >>> class Halving(nt.optim.LRScheduler):
        ...     def lr_at(self, t, base_lr):
        ...         return base_lr / 2 ** t
        >>> opt = nt.optim.SGD(nt.nn.Linear(2, 1).parameters(), lr=1.0)
        >>> sched = Halving(opt)
        >>> sched.step(); sched.step()
        >>> sched.get_last_lr()
        [0.25]
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1):
        name = type(self).__name__
        _check_optimizer(name, optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for g in optimizer.param_groups:
                g["initial_lr"] = g["lr"]
        elif any("initial_lr" not in g for g in optimizer.param_groups):
            raise ValueError(f"{name}: last_epoch={last_epoch} needs 'initial_lr' in every parameter group "
                             "(resume from a scheduler's state_dict instead)")
        self.base_lrs = [g["initial_lr"] for g in optimizer.param_groups]
        self.last_epoch = last_epoch
        self.step()

    def lr_at(self, t: int, base_lr: float) -> float:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.lr_at")

    def lrs_at(self, t: int) -> list[float]:
        """The rate of every group at step ``t``."""
        return [self.lr_at(t, base) for base in self.base_lrs]

    def step(self) -> None:
        """Advance one step and set every group's ``lr``."""
        self.last_epoch += 1
        for g, lr in zip(self.optimizer.param_groups, self.lrs_at(self.last_epoch)):
            g["lr"] = lr
        self._last_lr = [g["lr"] for g in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rate of each group after the last ``step()``."""
        return list(self._last_lr)

    def state_dict(self) -> dict:
        """Every attribute but the optimizer (numbers and lists: JSON-able)."""
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore the attributes saved by :meth:`state_dict` (the optimizer's ``lr`` is not touched)."""
        self.__dict__.update(state_dict)


class StepLR(LRScheduler):
    """Multiply the rate by ``gamma`` every ``step_size`` steps: ``lr = lr₀·gamma^⌊t/step_size⌋``.

    Example:
        >>> opt = nt.optim.SGD(nt.nn.Linear(2, 1).parameters(), lr=0.1)
        >>> sched = nt.optim.StepLR(opt, step_size=2, gamma=0.5)
        >>> rates = []
        >>> for epoch in range(5):
        ...     rates.append(sched.get_last_lr()[0]); opt.step(); sched.step()
        >>> rates
        [0.1, 0.1, 0.05, 0.05, 0.025]
    """

    def __init__(self, optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be an integer >= 1, got {step_size!r}")
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t, base_lr):
        return base_lr * self.gamma ** (t // self.step_size)


class MultiStepLR(LRScheduler):
    """Multiply the rate by ``gamma`` at each milestone: ``lr = lr₀·gamma^(number of milestones ≤ t)``.

    Example:
        >>> opt = nt.optim.SGD(nt.nn.Linear(2, 1).parameters(), lr=1.0)
        >>> sched = nt.optim.MultiStepLR(opt, milestones=[1, 3], gamma=0.1)
        >>> rates = []
        >>> for epoch in range(4):
        ...     rates.append(round(sched.get_last_lr()[0], 6)); sched.step()
        >>> rates
        [1.0, 0.1, 0.1, 0.01]
    """

    def __init__(self, optimizer, milestones, gamma: float = 0.1, last_epoch: int = -1):
        self.milestones = sorted(int(m) for m in milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t, base_lr):
        return base_lr * self.gamma ** bisect.bisect_right(self.milestones, t)


class ExponentialLR(LRScheduler):
    """Multiply the rate by ``gamma`` every step: ``lr = lr₀·gamma^t``.

    Example:
        >>> opt = nt.optim.SGD(nt.nn.Linear(2, 1).parameters(), lr=1.0)
        >>> sched = nt.optim.ExponentialLR(opt, gamma=0.5)
        >>> sched.step(); sched.step()
        >>> sched.get_last_lr()
        [0.25]
    """

    def __init__(self, optimizer, gamma: float, last_epoch: int = -1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t, base_lr):
        return base_lr * self.gamma ** t


class CosineAnnealingLR(LRScheduler):
    """Half a cosine from ``lr₀`` down to ``eta_min`` over ``T_max`` steps (SGDR without restarts).

    ``lr = eta_min + (lr₀ − eta_min)·(1 + cos(π·t/T_max))/2``; like PyTorch, the cosine goes on
    (back up) after ``T_max``.

    Example:
        >>> opt = nt.optim.SGD(nt.nn.Linear(2, 1).parameters(), lr=1.0)
        >>> sched = nt.optim.CosineAnnealingLR(opt, T_max=4)
        >>> rates = []
        >>> for t in range(5):
        ...     rates.append(round(sched.get_last_lr()[0], 4)); sched.step()
        >>> rates  # half a cosine from 1 to 0
        [1.0, 0.8536, 0.5, 0.1464, 0.0]
    """

    def __init__(self, optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
        if not T_max > 0:
            raise ValueError(f"CosineAnnealingLR: T_max must be > 0, got {T_max!r}")
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t, base_lr):
        return self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * t / self.T_max)) / 2


class LinearWarmupCosine(LRScheduler):
    """Linear warm-up for ``warmup_steps``, then cosine decay to ``min_lr`` at ``total_steps``.

    The exact formula is :func:`warmup_cosine_lr` (``t`` counts ``step()`` calls from 0)::

        t < W:       lr = lr₀·(t + 1)/W
        W ≤ t ≤ T:   lr = min_lr + (lr₀ − min_lr)·(1 + cos(π·(t − W)/(T − W)))/2
        t > T:       lr = min_lr

    Example:
        >>> opt = nt.optim.SGD(nt.nn.Linear(2, 1).parameters(), lr=1.0)
        >>> sched = nt.optim.LinearWarmupCosine(opt, warmup_steps=2, total_steps=6)
        >>> rates = []
        >>> for t in range(7):
        ...     rates.append(round(sched.get_last_lr()[0], 3)); sched.step()
        >>> rates
        [0.5, 1.0, 1.0, 0.854, 0.5, 0.146, 0.0]
    """

    def __init__(self, optimizer, warmup_steps: int, total_steps: int, min_lr: float = 0.0, last_epoch: int = -1):
        if not (isinstance(warmup_steps, int) and isinstance(total_steps, int) and 0 < warmup_steps < total_steps):
            raise ValueError(f"LinearWarmupCosine: need integers 0 < warmup_steps < total_steps, got "
                             f"warmup_steps={warmup_steps!r}, total_steps={total_steps!r}")
        if not min_lr >= 0:
            raise ValueError(f"LinearWarmupCosine: min_lr must be >= 0, got {min_lr!r}")
        self.warmup_steps, self.total_steps, self.min_lr = warmup_steps, total_steps, min_lr
        super().__init__(optimizer, last_epoch)

    def lr_at(self, t, base_lr):
        return warmup_cosine_lr(t, base_lr, self.warmup_steps, self.total_steps, self.min_lr)


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith 2018), PyTorch's two-phase cosine form (``three_phase=False``).

    Over ``total_steps`` steps the rate rises from ``max_lr/div_factor`` to ``max_lr`` in the first
    ``pct_start`` of the steps, then falls to ``max_lr/(div_factor·final_div_factor)``; each phase is
    ``end + (start − end)·(1 + cos(π·pct))/2`` with ``pct`` the fraction of the phase done.  With
    ``cycle_momentum`` the momentum (or β1) moves the opposite way between ``max_momentum`` and
    ``base_momentum``.  Stepping past ``total_steps`` raises ValueError, as in PyTorch.

    Example:
        >>> opt = nt.optim.SGD(nt.nn.Linear(2, 1).parameters(), lr=0.1)
        >>> sched = nt.optim.OneCycleLR(opt, max_lr=1.0, total_steps=10)
        >>> rates = []
        >>> for t in range(10):
        ...     rates.append(sched.get_last_lr()[0]); sched.step()
        >>> round(rates[0], 3), round(max(rates), 3), rates.index(max(rates))  # from max_lr/25 up to max_lr at step 0.3*10 - 1
        (0.04, 1.0, 2)
    """

    def __init__(self, optimizer, max_lr, total_steps: int | None = None, epochs: int | None = None,
                 steps_per_epoch: int | None = None, pct_start: float = 0.3, cycle_momentum: bool = True,
                 base_momentum: float = 0.85, max_momentum: float = 0.95, div_factor: float = 25.0,
                 final_div_factor: float = 1e4, last_epoch: int = -1):
        _check_optimizer("OneCycleLR", optimizer)
        if total_steps is None:
            if epochs is None or steps_per_epoch is None:
                raise ValueError("OneCycleLR: give total_steps, or epochs and steps_per_epoch")
            total_steps = epochs * steps_per_epoch
        if not (isinstance(total_steps, int) and total_steps > 0):
            raise ValueError(f"OneCycleLR: total_steps must be a positive integer, got {total_steps!r}")
        if not 0 <= pct_start <= 1:
            raise ValueError(f"OneCycleLR: pct_start must be in [0, 1], got {pct_start!r}")
        groups = optimizer.param_groups
        max_lrs = list(max_lr) if isinstance(max_lr, (list, tuple)) else [max_lr] * len(groups)
        if len(max_lrs) != len(groups):
            raise ValueError(f"OneCycleLR: {len(max_lrs)} max_lr values for {len(groups)} parameter groups")
        self.total_steps, self.cycle_momentum = total_steps, cycle_momentum
        self.phase_ends = [float(pct_start * total_steps) - 1, float(total_steps - 1)]
        self.lr_ranges = [(m / div_factor, m, m / div_factor / final_div_factor) for m in max_lrs]
        self.momentum_range = (max_momentum, base_momentum, max_momentum)
        if cycle_momentum:
            key = "betas" if "betas" in optimizer.defaults else "momentum" if "momentum" in optimizer.defaults else None
            if key is None:
                raise ValueError(f"OneCycleLR: cycle_momentum=True but {type(optimizer).__name__} has neither "
                                 "'momentum' nor 'betas'; pass cycle_momentum=False")
            self.momentum_key = key
        if last_epoch == -1:
            for g, (initial, _, _) in zip(groups, self.lr_ranges):
                g["lr"] = initial
        super().__init__(optimizer, last_epoch)

    def _anneal(self, t, start, peak, end):
        """The value at step t of a two-phase cosine start → peak → end."""
        if t <= self.phase_ends[0]:
            a, b, pct = start, peak, t / self.phase_ends[0]
        else:
            a, b = peak, end
            pct = (t - self.phase_ends[0]) / (self.phase_ends[1] - self.phase_ends[0])
        return b + (a - b) / 2 * (math.cos(math.pi * pct) + 1)

    def step(self) -> None:
        if self.last_epoch + 1 > self.total_steps:
            raise ValueError(f"OneCycleLR: tried to step {self.last_epoch + 1} times; the schedule has "
                             f"total_steps={self.total_steps}")
        super().step()
        if self.cycle_momentum:
            mom = self._anneal(self.last_epoch, *self.momentum_range)
            for g in self.optimizer.param_groups:
                if self.momentum_key == "betas":
                    g["betas"] = (mom, *g["betas"][1:])
                else:
                    g["momentum"] = mom

    def lrs_at(self, t):
        return [self._anneal(t, *r) for r in self.lr_ranges]


class ReduceLROnPlateau:
    """Multiply the rate by ``factor`` when a metric has not improved for ``patience`` steps.

    PyTorch's rule: ``step(metric)`` counts the calls since the last improvement, where "better"
    means ``metric < best·(1 − threshold)`` (mode ``"min"``, ``threshold_mode="rel"``),
    ``metric < best − threshold`` (``"abs"``), and the mirror images for mode ``"max"``.  When the
    count exceeds ``patience`` every group's rate becomes ``max(lr·factor, min_lr)`` (changes
    smaller than ``eps`` are skipped) and ``cooldown`` steps pass before counting starts again.

    Args:
        optimizer: the optimizer whose rates to reduce.
        mode: ``"min"`` (lower metric is better) or ``"max"``.
        factor: multiplier in (0, 1).
        patience: steps without improvement tolerated before reducing.
        threshold: the smallest change that counts as an improvement.
        threshold_mode: ``"rel"`` or ``"abs"``.
        cooldown: steps to wait after a reduction.
        min_lr: floor, one number or one per group.
        eps: minimal change of ``lr`` that is applied.

    Example:
        >>> opt = nt.optim.SGD(nt.nn.Linear(2, 1).parameters(), lr=1.0)
        >>> sched = nt.optim.ReduceLROnPlateau(opt, factor=0.5, patience=1)
        >>> for val_loss in [1.0, 0.9, 0.9, 0.9, 0.9]:
        ...     sched.step(val_loss)
        >>> opt.param_groups[0]["lr"]  # halved once two epochs (more than patience) failed to improve on 0.9
        0.5
    """

    def __init__(self, optimizer, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0, min_lr=0.0,
                 eps: float = 1e-8):
        _check_optimizer("ReduceLROnPlateau", optimizer)
        if not 0 < factor < 1:
            raise ValueError(f"ReduceLROnPlateau: factor must be in (0, 1), got {factor!r}")
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        n = len(optimizer.param_groups)
        min_lrs = list(min_lr) if isinstance(min_lr, (list, tuple)) else [min_lr] * n
        if len(min_lrs) != n:
            raise ValueError(f"ReduceLROnPlateau: {len(min_lrs)} min_lr values for {n} parameter groups")
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.min_lrs, self.eps = cooldown, min_lrs, eps
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0
        self._last_lr = [g["lr"] for g in optimizer.param_groups]

    def is_better(self, value: float) -> bool:
        """Whether ``value`` improves on the best value by more than the threshold."""
        rel = self.threshold_mode == "rel"
        if self.mode == "min":
            return value < (self.best * (1 - self.threshold) if rel else self.best - self.threshold)
        return value > (self.best * (1 + self.threshold) if rel else self.best + self.threshold)

    def step(self, metric) -> None:
        """Record this step's ``metric`` (e.g. the validation loss) and reduce the rates if it stalls."""
        value = float(metric)
        self.last_epoch += 1
        if self.is_better(value):
            self.best = value
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            for g, floor in zip(self.optimizer.param_groups, self.min_lrs):
                new = max(g["lr"] * self.factor, floor)
                if g["lr"] - new > self.eps:
                    g["lr"] = new
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [g["lr"] for g in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rate of each group after the last ``step()``."""
        return list(self._last_lr)

    def state_dict(self) -> dict:
        """Every attribute but the optimizer (numbers, strings and lists: JSON-able)."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore the attributes saved by :meth:`state_dict`."""
        self.__dict__.update(state_dict)
