"""The Playground pictures of 2-D problems: a model's decision regions, the same over training as a
frame grid, and what each hidden neuron responds to over the input plane."""
from __future__ import annotations

import numpy as np

from ._figure import finish, grid_shape, new_figure
from ._model import layer_outputs, predict

__all__ = ["plot_decision_boundary", "plot_boundary_frames", "plot_hidden_features", "decision_grid"]


def _check_2d(where, x, y):
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"{where}: expected 2-D points (N, 2), got shape {x.shape}")
    y = np.asarray(y).reshape(-1)
    if len(y) != len(x):
        raise ValueError(f"{where}: {len(x)} points but {len(y)} labels")
    return x, y


def decision_grid(x, resolution: int = 150, margin: float = 0.5):
    """(xx, yy, points): a ``resolution``² grid covering the points with a margin."""
    lo, hi = x.min(0) - margin, x.max(0) + margin
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    return xx, yy, np.c_[xx.ravel(), yy.ravel()].astype(np.float32)


def _score(out):
    """(class map, confidence in [0, 1] of class 1 for two classes / of the top class otherwise)."""
    out = out.reshape(len(out), -1)
    if out.shape[1] == 1:
        s = out[:, 0]
        if s.min() < 0 or s.max() > 1:                       # logits or ±1 scores
            p = 1 / (1 + np.exp(-s))
        else:
            p = s
        return (p > 0.5).astype(int), p
    z = out - out.max(1, keepdims=True)
    prob = np.exp(z) / np.exp(z).sum(1, keepdims=True) if (out.min() < 0 or np.abs(out.sum(1) - 1).max() > 1e-3) else out
    cls = prob.argmax(1)
    return cls, (prob[:, 1] if prob.shape[1] == 2 else prob.max(1))


def _draw(ax, model, x, y, resolution, title, cmap="RdBu"):
    xx, yy, grid = decision_grid(x, resolution)
    cls, conf = _score(predict(model, grid))
    classes = np.unique(y)
    if len(classes) <= 2:
        ax.contourf(xx, yy, conf.reshape(xx.shape), levels=np.linspace(0, 1, 11), cmap=cmap, alpha=0.75)
        ax.contour(xx, yy, conf.reshape(xx.shape), levels=[0.5], colors="k", linewidths=1)
    else:
        ax.contourf(xx, yy, cls.reshape(xx.shape), levels=np.arange(len(classes) + 1) - 0.5, cmap="tab10",
                    alpha=0.35, vmin=0, vmax=9)
    ax.scatter(x[:, 0], x[:, 1], c=y, cmap="RdBu" if len(classes) <= 2 else "tab10", edgecolors="k", s=14,
               linewidths=0.5, vmin=classes.min(), vmax=classes.max() if len(classes) <= 2 else 9)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=9)


def plot_decision_boundary(model, x, y, path=None, resolution: int = 150, title: str = ""):
    """The model's prediction over the plane around the points (N, 2), the points coloured by label.

    Works for one output (a probability, logit or ±1 score: the boundary is drawn where it crosses
    0.5 / 0) and for class scores (regions per class).

    Example:
        >>> x, y = nt.data.xor()
        >>> model = nt.Sequential([nt.nn.Dense(4, activation="tanh"), nt.nn.Dense(1, activation="sigmoid")])
        >>> fig = nt.viz.plot_decision_boundary(model, x, y, "boundary.png", resolution=30)
        >>> import os; os.path.exists("boundary.png")
        True
    """
    x, y = _check_2d("plot_decision_boundary", x, y)
    fig, axes = new_figure("plot_decision_boundary", (4.2, 4.0))
    _draw(axes[0, 0], model, x, y, resolution, title or "decision boundary")
    return finish(fig, path)


def plot_boundary_frames(model, x, y, path=None, epochs: int = 100, frames: int = 8, resolution: int = 80,
                         cols: int = 4, **fit_kwargs):
    """Train a compiled ``model`` on (x, y) for ``epochs`` in ``frames`` equal parts and draw the decision
    regions after each part: the Playground's animation as a grid of frames.

    ``y`` is passed to ``fit`` as given (e.g. (N, 1) floats for a binary cross-entropy) and flattened
    for colouring.  ``fit_kwargs`` go to ``model.fit`` (batch_size, ...).  Returns the Figure; the model stays trained.

    Example:
        >>> x, y = nt.data.xor()
        >>> model = nt.Sequential([nt.nn.Dense(4, activation="tanh"), nt.nn.Dense(1, activation="sigmoid")])
        >>> _ = model.compile(optimizer="adam", loss="binary_cross_entropy")
        >>> fig = nt.viz.plot_boundary_frames(model, x, y, "frames.png", epochs=8, frames=4, resolution=20, verbose=0)
        >>> sum(ax.has_data() for ax in fig.axes)  # the boundary after each quarter of training
        4
    """
    y_fit = np.asarray(y)
    x, y = _check_2d("plot_boundary_frames", x, y)
    if not hasattr(model, "fit"):
        raise TypeError(f"plot_boundary_frames: needs a compiled nt.Model (with fit), got {type(model).__name__}")
    if not (isinstance(frames, int) and 1 <= frames <= epochs):
        raise ValueError(f"plot_boundary_frames: frames must be an integer in 1..epochs={epochs}, got {frames!r}")
    marks = np.linspace(0, epochs, frames + 1).round().astype(int)
    rows, cols = grid_shape(frames, cols)
    fig, axes = new_figure("plot_boundary_frames", (2.6 * cols, 2.7 * rows), rows, cols)
    fit_kwargs.setdefault("verbose", 0)
    for k in range(frames):
        model.fit(x.astype(np.float32), y_fit, epochs=int(marks[k + 1]), initial_epoch=int(marks[k]), **fit_kwargs)
        _draw(axes.flat[k], model, x, y, resolution, f"epoch {marks[k + 1]}")
    for ax in list(axes.flat)[frames:]:
        ax.axis("off")
    fig.tight_layout()
    return finish(fig, path)


def plot_hidden_features(model, x, y, path=None, layer: int = 0, resolution: int = 60, max_neurons: int = 16):
    """What each neuron of one layer computes over the input plane (the Playground's neuron thumbnails),
    beside the model's output.

    ``layer`` indexes the top-level layers of a Sequential; its output neurons are drawn.

    Example:
        >>> x, y = nt.data.xor()
        >>> model = nt.Sequential([nt.nn.Dense(3, activation="tanh"), nt.nn.Dense(1, activation="sigmoid")])
        >>> _ = model(nt.tensor(x))
        >>> fig = nt.viz.plot_hidden_features(model, x, y, "neurons.png", resolution=20)
        >>> [ax.get_title() for ax in fig.axes]  # one map per neuron of the first layer, and the output
        ['neuron 0', 'neuron 1', 'neuron 2', 'output']
    """
    x, y = _check_2d("plot_hidden_features", x, y)
    xx, yy, grid = decision_grid(x, resolution)
    outs = layer_outputs(model, grid)
    if not -len(outs) <= layer < len(outs):
        raise ValueError(f"plot_hidden_features: layer {layer} out of range for {len(outs)} layers")
    h = outs[layer][1].reshape(len(grid), -1)
    n = min(h.shape[1], max_neurons)
    rows, cols = grid_shape(n + 1, 6)
    fig, axes = new_figure("plot_hidden_features", (1.9 * cols, 2.0 * rows), rows, cols)
    for j in range(n):
        ax = axes.flat[j]
        v = h[:, j].reshape(xx.shape)
        lim = np.abs(v).max() or 1.0
        ax.contourf(xx, yy, v, levels=20, cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"neuron {j}", fontsize=8)
    _draw(axes.flat[n], model, x, y, resolution, "output")
    for ax in list(axes.flat)[n + 1:]:
        ax.axis("off")
    fig.suptitle(f"layer {layer} ({type(outs[layer][0]).__name__}): each neuron over the input plane", fontsize=10)
    fig.tight_layout()
    return finish(fig, path)
