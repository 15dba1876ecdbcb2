"""The courses' optimizer pictures: the paths of SGD, momentum, Adam … on a 2-D loss surface
(Rosenbrock's banana valley, Beale's function), each step taken by neuronet's real optimizers."""
from __future__ import annotations

import numpy as np

from ._figure import finish, new_figure

__all__ = ["SURFACES", "optimizer_trajectories", "plot_optimizer_paths"]


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def _beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y * y * y) ** 2


#: name → (function of (x, y) working on arrays and tensors, start, minimum, plot window, default optimizers).
SURFACES = {
    "rosenbrock": (_rosenbrock, (-1.5, 2.0), (1.0, 1.0), ((-2.0, 2.0), (-1.0, 3.0)),
                   {"sgd": {"lr": 1e-3}, "momentum": {"lr": 1e-3}, "nesterov": {"lr": 1e-3}, "rmsprop": {"lr": 1e-2},
                    "adam": {"lr": 0.1}, "adagrad": {"lr": 2.0}}),
    "beale": (_beale, (1.0, 1.5), (3.0, 0.5), ((-4.5, 4.5), (-4.5, 4.5)),
              {"sgd": {"lr": 1e-3}, "momentum": {"lr": 1e-3}, "nesterov": {"lr": 1e-3}, "rmsprop": {"lr": 1e-2},
               "adam": {"lr": 5e-2}, "adagrad": {"lr": 0.5}}),
}


def _surface(where, surface):
    if surface not in SURFACES:
        raise ValueError(f"{where}: unknown surface {surface!r}; known: {', '.join(SURFACES)}")
    return SURFACES[surface]


def optimizer_trajectories(surface: str = "rosenbrock", optimizers=None, steps: int = 300, start=None):
    """Run each optimizer from ``start`` for ``steps`` steps on the surface: ``{name: (steps + 1, 2) path}``.

    ``optimizers``: ``{name: kwargs}`` with names from ``nt.optim.get_optimizer`` ("sgd", "momentum",
    "adam", …); default: the surface's own choice of learning rates.  Paths are computed in float64.

    Example:
        >>> paths = nt.viz.optimizer_trajectories("rosenbrock", steps=100)
        >>> "adam" in paths, paths["adam"].shape  # (steps + 1, 2) points per optimizer
        (True, (101, 2))
    """
    from ..optim import get_optimizer
    from ..tensor import tensor
    fn, default_start, _, _, default_opts = _surface("optimizer_trajectories", surface)
    start = np.asarray(default_start if start is None else start, dtype=np.float64)
    paths = {}
    for name, kwargs in (default_opts if optimizers is None else optimizers).items():
        p = tensor(start.copy(), requires_grad=True)
        opt = get_optimizer(name, [p], **kwargs)
        path = [start.copy()]
        for _ in range(steps):                                # one optimizer step per iteration
            opt.zero_grad()
            loss = fn(p[0], p[1])
            loss.backward()
            opt.step()
            path.append(np.array(p.numpy(), dtype=np.float64))
            if not np.all(np.isfinite(path[-1])):
                break
        paths[name] = np.array(path)
    return paths


def plot_optimizer_paths(surface: str = "rosenbrock", optimizers=None, steps: int = 300, path=None, start=None,
                         title: str = ""):
    """Contours of log(1 + loss) on the surface with each optimizer's path and the minimum (★).

    Example:
        >>> fig = nt.viz.plot_optimizer_paths("rosenbrock", steps=50, path="paths.png")
        >>> import os; os.path.exists("paths.png")
        True
    """
    fn, _, minimum, (xr, yr), _ = _surface("plot_optimizer_paths", surface)
    paths = optimizer_trajectories(surface, optimizers, steps, start)
    xx, yy = np.meshgrid(np.linspace(*xr, 300), np.linspace(*yr, 300))
    fig, axes = new_figure("plot_optimizer_paths", (6.4, 5.2))
    ax = axes[0, 0]
    ax.contourf(xx, yy, np.log1p(fn(xx, yy)), levels=30, cmap="Greys", alpha=0.6)
    ax.contour(xx, yy, np.log1p(fn(xx, yy)), levels=15, colors="0.5", linewidths=0.4)
    for name, pts in paths.items():
        final = fn(*pts[-1])
        ax.plot(pts[:, 0], pts[:, 1], lw=1.5, label=f"{name} (loss {final:.2g} after {len(pts) - 1})")
        ax.plot(*pts[-1], "o", ms=4, color=ax.lines[-1].get_color())
    ax.plot(*minimum, "*", ms=14, color="gold", markeredgecolor="k", label="minimum")
    ax.plot(*next(iter(paths.values()))[0], "ks", ms=5, label="start")
    ax.set_xlim(*xr)
    ax.set_ylim(*yr)
    ax.legend(fontsize=7, loc="lower right" if surface == "rosenbrock" else "upper left")
    ax.set_title(title or f"optimizers on the {surface} function, {steps} steps", fontsize=10)
    return finish(fig, path)
