"""A linear classifier's decision boundary w·x + b = 0 drawn after each epoch over 2-D data (the perceptron's story)."""
from __future__ import annotations

import numpy as np

from ._figure import pyplot

__all__ = ["save_decision_boundaries"]


def save_decision_boundaries(weights, x, y, path: str, *, epochs=None, title: str = "",
                             feature_names=("x₁", "x₂")) -> str:
    """Draw the samples (coloured by label) and the line w·x + b = 0 of each chosen epoch, darker = later.

    Args:
        weights: list of ``(w, b)`` per epoch (``Perceptron.history["weights"]``), w of shape (1, 2) or (2,).
        x: (N, 2) inputs; y: (N,) labels.
        path: the PNG to write.
        epochs: which epochs to draw (1-based; default all, at most 12 evenly spread).
        title, feature_names: labels.

    Returns:
        ``path``.

    Example:
        >>> x, y = nt.data.logic_gate("and")
        >>> weights = [(np.array([1.0, 1.0]), -1.5)]  # (w, b) per epoch: the line x1 + x2 = 1.5
        >>> nt.viz.save_decision_boundaries(weights, x, y.ravel(), "and.png")
        'and.png'
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"save_decision_boundaries: expected 2-D inputs of shape (N, 2), received {x.shape}")
    y = np.asarray(y).reshape(-1)
    if y.size != len(x):
        raise ValueError(f"save_decision_boundaries: {len(x)} samples but {y.size} labels")
    if not weights:
        raise ValueError("save_decision_boundaries: no weights to draw")
    n = len(weights)
    chosen = (sorted(set(np.linspace(1, n, min(n, 12)).round().astype(int))) if epochs is None else list(epochs))
    plt = pyplot("save_decision_boundaries")
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    try:
        for label in np.unique(y):
            ax.scatter(*x[y == label].T, s=14, label=f"class {label}", alpha=0.8)
        lo, hi = x.min(axis=0), x.max(axis=0)
        pad = 0.1 * (hi - lo + 1e-12)
        xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], 2)
        cmap = plt.get_cmap("Greys")
        for k, epoch in enumerate(chosen):
            w, b = weights[epoch - 1]
            w, b = np.asarray(w, float).reshape(-1), float(np.asarray(b, float).reshape(-1)[0])
            colour = cmap(0.3 + 0.7 * (k + 1) / len(chosen))
            if abs(w[1]) > 1e-12:
                ax.plot(xs, -(w[0] * xs + b) / w[1], color=colour, lw=1.2, label=f"epoch {epoch}" if k in (0, len(chosen) - 1) else None)
            elif abs(w[0]) > 1e-12:
                ax.axvline(-b / w[0], color=colour, lw=1.2)
        ax.set_xlim(lo[0] - pad[0], hi[0] + pad[0])
        ax.set_ylim(lo[1] - pad[1], hi[1] + pad[1])
        ax.set_xlabel(feature_names[0])
        ax.set_ylabel(feature_names[1])
        ax.set_title(title or "decision boundary after each epoch (darker = later)")
        ax.legend(fontsize=8, loc="best")
        fig.savefig(path, dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path
