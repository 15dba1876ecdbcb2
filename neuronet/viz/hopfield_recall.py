"""Hopfield recall pictured: the state after each sweep (as images) above the energy per sweep."""
from __future__ import annotations

import numpy as np

from ._figure import pyplot

__all__ = ["save_recall_steps"]


def save_recall_steps(states, energy, path: str, image_shape, target=None, title: str = "Hopfield recall") -> str:
    """Draw recall histories and their energies.

    Args:
        states: (sweeps+1, B, N) ±1 states, as ``Hopfield.recall(..., return_history=True)`` gives.
        energy: (sweeps+1, B) energies of those states.
        path: the PNG to write; image_shape: (h, w) with h·w = N.
        target: optional (B, N) stored patterns, drawn as the last column.

    Returns:
        ``path``.

    Example:
        >>> states = np.sign(np.random.randn(1, 4, 16))  # one recall: 4 steps of a 16-unit state
        >>> energy = np.array([[-3.0, -5.0, -6.0, -6.0]])
        >>> nt.viz.save_recall_steps(states, energy, "recall.png", image_shape=(4, 4))
        'recall.png'
    """
    s, e = np.asarray(states, np.float64), np.asarray(energy, np.float64)
    if s.ndim != 3 or e.shape != s.shape[:2] or int(np.prod(image_shape)) != s.shape[2]:
        raise ValueError(f"save_recall_steps: expected states (sweeps+1, B, N) with N = h·w of image_shape "
                         f"{tuple(image_shape)} and energy (sweeps+1, B); received {s.shape} and {e.shape}")
    steps, batch = s.shape[:2]
    cols = steps + (target is not None)
    plt = pyplot("save_recall_steps")
    fig = plt.figure(figsize=(1.1 * cols + 4.5, 1.1 * batch + 0.6))
    grid = fig.add_gridspec(batch, cols + 4)  # one empty column keeps the energy axis labels clear
    try:
        for b in range(batch):
            for t in range(cols):
                ax = fig.add_subplot(grid[b, t])
                img = (np.asarray(target)[b] if t == steps else s[t, b]).reshape(image_shape)
                ax.imshow(img, cmap="gray", vmin=-1, vmax=1)
                ax.set_xticks([])
                ax.set_yticks([])
                if b == 0:
                    ax.set_title("stored" if t == steps else ("start" if t == 0 else f"sweep {t}"), fontsize=8)
        ax = fig.add_subplot(grid[:, cols + 1:])
        for b in range(batch):
            ax.plot(range(steps), e[:, b], marker="o", ms=3)
        ax.set_xticks(range(steps))
        ax.set_xlabel("sweep")
        ax.set_ylabel("energy E(s)")
        ax.grid(alpha=0.3)
        fig.suptitle(title)
        fig.savefig(path, dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path
