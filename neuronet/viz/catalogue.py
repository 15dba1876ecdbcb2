"""The course's sheets: every activation function beside its derivative, every loss beside its gradient.

Derivatives come from neuronet's own backward passes (autograd), so the sheet also shows what the
library computes, not a formula typed twice.
"""
from __future__ import annotations

import numpy as np

from ._figure import finish, grid_shape, new_figure

__all__ = ["plot_activations", "plot_losses", "ACTIVATION_SHEET"]

#: The elementwise activations drawn by default (softmax/maxout act on vectors and are left out).
ACTIVATION_SHEET = ("identity", "sigmoid", "tanh", "arctan", "softsign", "heaviside", "sign", "relu", "leaky_relu",
                    "elu", "selu", "silu", "gelu", "softplus")


def _value_and_grad(fn, x):
    from ..tensor import tensor
    t = tensor(x, requires_grad=True)
    y = fn(t)
    y.backward(np.ones_like(y.numpy()))
    return y.numpy(), (t.grad if t.grad is not None else np.zeros_like(x))


def plot_activations(path=None, names=ACTIVATION_SHEET, span: float = 4.0, cols: int = 5):
    """One panel per activation: f(x) (solid) and f′(x) (dashed) on [−span, span].

    ``names`` are activation names (``nt.functional.get_activation``) or (label, callable) pairs.

    Example:
        >>> fig = nt.viz.plot_activations("activations.png", names=("sigmoid", "relu", "gelu"))
        >>> len([ax for ax in fig.axes if ax.has_data()])  # one panel per activation: f and f'
        3
    """
    from ..functional import get_activation
    x = np.linspace(-span, span, 401)
    fns = [(n, get_activation(n)) if isinstance(n, str) else tuple(n) for n in names]
    rows, cols = grid_shape(len(fns), cols)
    fig, axes = new_figure("plot_activations", (2.6 * cols, 2.1 * rows), rows, cols)
    for ax, (label, fn) in zip(axes.flat, fns):
        if label.startswith("leaky_relu"):
            fn = (lambda t, f=fn: f(t, 0.1))                 # a visible slope
        y, dy = _value_and_grad(fn, x)
        ax.axhline(0, color="0.8", lw=0.6)
        ax.axvline(0, color="0.8", lw=0.6)
        ax.plot(x, y, lw=1.8, label="f(x)")
        ax.plot(x, dy, "--", lw=1.4, label="f′(x)")
        ax.set_title(label.replace("leaky_relu", "leaky ReLU (0.1)"), fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(fns):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7, loc="upper left")
    fig.suptitle("activation functions (solid) and their derivatives (dashed)", fontsize=11)
    fig.tight_layout()
    return finish(fig, path)


def _loss_panels():
    from .. import functional as F
    from ..tensor import tensor
    e = np.linspace(-3, 3, 301)
    p = np.linspace(0.01, 0.99, 301)

    def ce(z):
        logits = F.concat([z.reshape(-1, 1), tensor(np.zeros((z.shape[0], 1)))], axis=1)
        return F.cross_entropy(logits, tensor(np.zeros(z.shape[0], dtype=np.int64)), reduction="none")

    return [
        ("MSE (target 0)", "prediction", e, lambda t: F.mse_loss(t, tensor(np.zeros_like(e)), reduction="none")),
        ("MAE (target 0)", "prediction", e, lambda t: F.l1_loss(t, tensor(np.zeros_like(e)), reduction="none")),
        ("Huber δ=1 (target 0)", "prediction", e,
         lambda t: F.huber_loss(t, tensor(np.zeros_like(e)), reduction="none", delta=1.0)),
        ("binary cross-entropy (target 1)", "probability p", p,
         lambda t: F.binary_cross_entropy(t, tensor(np.ones_like(p)), reduction="none")),
        ("BCE with logits (target 1)", "logit z", e,
         lambda t: F.binary_cross_entropy_with_logits(t, tensor(np.ones_like(e)), reduction="none")),
        ("hinge (target +1)", "score z", e, lambda t: F.hinge_loss(t, tensor(np.ones_like(e)), reduction="none")),
        ("cross-entropy, logits [z, 0], class 0", "logit z", e, ce),
    ]


def plot_losses(path=None, cols: int = 4):
    """One panel per loss: the loss of one sample (solid) and its derivative (dashed) against the prediction.

    Example:
        >>> fig = nt.viz.plot_losses("losses.png")
        >>> sum(ax.has_data() for ax in fig.axes) >= 6
        True
    """
    panels = _loss_panels()
    rows, cols = grid_shape(len(panels), cols)
    fig, axes = new_figure("plot_losses", (3.0 * cols, 2.4 * rows), rows, cols)
    for ax, (label, xlabel, x, fn) in zip(axes.flat, panels):
        y, dy = _value_and_grad(fn, x)
        ax.axhline(0, color="0.8", lw=0.6)
        ax.plot(x, y, lw=1.8, label="loss")
        ax.plot(x, dy, "--", lw=1.4, label="d loss / d input")
        low = min(y.min(), dy.min())
        if low < -6:                                          # BCE's gradient runs to −1/p: keep the loss readable
            ax.set_ylim(-6, max(y.max(), dy.max()) + 0.5)
        ax.set_title(label, fontsize=9)
        ax.set_xlabel(xlabel, fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.suptitle("loss functions (solid) and their gradients (dashed)", fontsize=11)
    fig.tight_layout()
    return finish(fig, path)
