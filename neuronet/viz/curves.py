"""Training pictures: loss curves with the under- and over-fitting regions marked, and learning-rate schedules."""
from __future__ import annotations

import numpy as np

from ._figure import finish, new_figure

__all__ = ["plot_fitting_curves", "fitting_regions", "plot_lr_schedules", "default_schedules"]


def _history_dict(history):
    return history.history if hasattr(history, "history") else dict(history)


def fitting_regions(train, val, tolerance: float = 0.02):
    """(best epoch index, first over-fitting index or None) for loss-like curves (lower is better).

    Before the best validation epoch both curves fall: the model still under-fits.  After it, when
    validation ends more than ``tolerance`` (relative) above its best while training keeps falling,
    the model over-fits from the best epoch on.

    Example:
        >>> nt.viz.fitting_regions([1.0, 0.5, 0.3, 0.2, 0.1], [1.1, 0.6, 0.5, 0.7, 0.9])  # (best epoch, over-fitting from)
        (2, 3)
    """
    train, val = np.asarray(train, float), np.asarray(val, float)
    best = int(np.argmin(val))
    rising = val[-1] > val[best] * (1 + tolerance) + 1e-12 and train[-1] <= train[best]
    return best, (best + 1 if rising and best + 1 < len(val) else None)


def plot_fitting_curves(history, path=None, metric: str = "loss", tolerance: float = 0.02, title: str = ""):
    """Training and validation ``metric`` per epoch with the regions the course names shaded:
    under-fitting (both still falling) up to the best validation epoch, over-fitting after it when
    the validation curve turns up; the best epoch (where early stopping would keep the weights) marked.

    ``history`` is what ``fit`` returned (or a dict of lists) and must hold ``metric`` and ``val_<metric>``;
    for a metric where higher is better (accuracy) the regions come from its negation.

    Example:
        >>> history = {"loss": [1.0, 0.5, 0.3, 0.2, 0.1], "val_loss": [1.1, 0.6, 0.5, 0.7, 0.9]}
        >>> fig = nt.viz.plot_fitting_curves(history, "fitting.png")  # the over-fitting region starts after epoch 3
        >>> import os; os.path.exists("fitting.png")
        True
    """
    h = _history_dict(history)
    if metric not in h or f"val_{metric}" not in h:
        raise ValueError(f"plot_fitting_curves: needs '{metric}' and 'val_{metric}' in the history "
                         f"(fit with validation data), got {sorted(h)}")
    train, val = np.asarray(h[metric], float), np.asarray(h[f"val_{metric}"], float)
    sign = -1.0 if "acc" in metric or metric in ("f1", "precision", "recall", "r2") else 1.0
    best, over = fitting_regions(sign * train, sign * val, tolerance)
    epochs = np.arange(1, len(train) + 1)
    fig, axes = new_figure("plot_fitting_curves", (6.4, 4.0))
    ax = axes[0, 0]
    ax.axvspan(0.5, best + 1, color="#fdd49e", alpha=0.45, label="under-fitting: both curves still improving")
    if over is not None:
        ax.axvspan(best + 1, len(train) + 0.5, color="#c6dbef", alpha=0.6,
                   label="over-fitting: validation worsens, training improves")
    ax.plot(epochs, train, "o-", ms=3, label=f"training {metric}")
    ax.plot(epochs, val, "o-", ms=3, label=f"validation {metric}")
    ax.axvline(best + 1, color="k", ls=":", lw=1)
    ax.annotate(f"best validation: epoch {best + 1}", (best + 1, val[best]), xytext=(8, 14),
                textcoords="offset points", fontsize=8, arrowprops={"arrowstyle": "->", "lw": 0.8})
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    ax.set_xlim(0.5, len(train) + 0.5)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    ax.set_title(title or "under- and over-fitting", fontsize=10)
    return finish(fig, path)


def default_schedules(initial_lr: float = 0.1, steps: int = 100):
    """The course's schedules as ``{name: step -> lr}``: constant, step, exponential, cosine, warm-up + cosine, one-cycle.

    Example:
        >>> schedules = nt.viz.default_schedules(0.1, steps=100)
        >>> "constant" in schedules, schedules["constant"](50)
        (True, 0.1)
    """
    from ..optim.schedules import cosine_decay, exponential_decay, step_decay, warmup_cosine
    import math

    def one_cycle(t, peak=initial_lr, pct=0.3):  # PyTorch OneCycleLR's cosine shape, div_factor 25, final 1e4
        up = pct * steps
        start, end = peak / 25, peak / 25 / 1e4
        if t <= up:
            return start + (peak - start) * (1 - math.cos(math.pi * t / up)) / 2
        return end + (peak - end) * (1 + math.cos(math.pi * (t - up) / (steps - up))) / 2

    return {
        "constant": lambda t: initial_lr,
        "step (×0.5 every 25)": step_decay(initial_lr, 0.5, max(1, steps // 4)),
        "exponential (0.96^t/2)": exponential_decay(initial_lr, 0.96, 2),
        "cosine": cosine_decay(initial_lr, steps),
        "warm-up + cosine": warmup_cosine(initial_lr, max(1, steps // 10), steps),
        "one-cycle": one_cycle,
    }


def plot_lr_schedules(schedules=None, steps: int = 100, path=None, log: bool = False, title: str = ""):
    """The learning rate per step (or epoch) of each schedule.

    ``schedules``: ``{name: schedule}`` where a schedule is a function ``step -> lr`` (``nt.optim``'s
    ``step_decay``, ``cosine_decay``, ...) or a scheduler object with ``step()`` and ``get_last_lr()``
    (``StepLR``, ``OneCycleLR``, ...: it is stepped ``steps`` times).  Default: :func:`default_schedules`.

    Example:
        >>> fig = nt.viz.plot_lr_schedules(steps=50, path="schedules.png")
        >>> len(fig.axes[0].get_lines()) >= 4
        True
    """
    schedules = default_schedules(steps=steps) if schedules is None else schedules
    fig, axes = new_figure("plot_lr_schedules", (6.4, 3.8))
    ax = axes[0, 0]
    t = np.arange(steps)
    for name, sched in schedules.items():
        if hasattr(sched, "get_last_lr"):
            lrs = []
            for _ in t:
                lrs.append(sched.get_last_lr()[0])
                sched.step()
        elif callable(sched):
            lrs = [sched(int(k)) for k in t]
        else:
            raise TypeError(f"plot_lr_schedules: schedule {name!r} is neither a function of the step nor a "
                            f"scheduler with get_last_lr(), got {type(sched).__name__}")
        ax.plot(t, lrs, lw=1.8, label=name)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("learning rate")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(title or "learning-rate schedules", fontsize=10)
    return finish(fig, path)
