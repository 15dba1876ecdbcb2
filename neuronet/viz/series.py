"""A forecast drawn against the truth (an echo-state network's or an LSTM's prediction of a series)."""
from __future__ import annotations

import numpy as np

from ._figure import pyplot

__all__ = ["save_prediction_vs_truth"]


def save_prediction_vs_truth(truth, predictions, path: str, *, start: int = 0, split: int | None = None,
                             title: str = "", ylabel: str = "", xlabel: str = "time step") -> str:
    """Plot ``truth`` (T,) and one or more predictions (``{"name": (T,) array}`` or one array) over steps
    ``start, start+1, ...``; ``split`` draws a vertical line where the test part begins.

    Returns:
        ``path``.

    Example:
        >>> t = np.linspace(0, 6, 50)
        >>> nt.viz.save_prediction_vs_truth(np.sin(t), {"model": np.sin(t) + 0.1}, "forecast.png", split=40)
        'forecast.png'
    """
    truth = np.asarray(truth, dtype=np.float64).reshape(-1)
    preds = predictions if isinstance(predictions, dict) else {"prediction": predictions}
    for name, p in preds.items():
        if np.asarray(p).reshape(-1).shape != truth.shape:
            raise ValueError(f"save_prediction_vs_truth: prediction {name!r} has shape {np.shape(p)}, "
                             f"the truth {truth.shape}")
    plt = pyplot("save_prediction_vs_truth")
    fig, ax = plt.subplots(figsize=(9, 3.5))
    try:
        steps = start + np.arange(truth.size)
        ax.plot(steps, truth, color="black", lw=1.0, label="truth")
        for name, p in preds.items():
            ax.plot(steps, np.asarray(p, dtype=np.float64).reshape(-1), lw=1.0, alpha=0.85, label=name)
        if split is not None:
            ax.axvline(split, color="grey", ls="--", lw=0.8)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.legend(fontsize=8)
        fig.savefig(path, dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path
