"""The Hopfield capacity curve: recall overlap against load α = P/N, one line per network size."""
from __future__ import annotations

import numpy as np

from ._figure import pyplot

__all__ = ["save_capacity_curve"]


def save_capacity_curve(curves, path: str, title: str = "Hopfield capacity (Hebbian storage)") -> str:
    """Draw each curve of ``capacity_curve(...)`` (dicts with ``n_units``, ``loads``, ``overlap``,
    ``perfect``): mean overlap (solid) and fraction recalled perfectly (dashed), with α = 0.138 marked.

    Example:
        >>> curves = [nt.models.energy.capacity_curve(50, loads=[0.05, 0.2], trials=1)]
        >>> nt.viz.save_capacity_curve(curves, "capacity.png")
        'capacity.png'
    """
    curves = list(curves)
    if not curves or any(not {"n_units", "loads", "overlap", "perfect"} <= set(c) for c in curves):
        raise ValueError("save_capacity_curve: expected a list of capacity_curve results "
                         "(dicts with n_units, loads, overlap, perfect)")
    plt = pyplot("save_capacity_curve")
    fig, ax = plt.subplots(figsize=(6.5, 4))
    try:
        for c in curves:
            line, = ax.plot(c["loads"], c["overlap"], marker="o", ms=3, label=f"N = {c['n_units']}: overlap")
            ax.plot(c["loads"], c["perfect"], ls="--", color=line.get_color(), label=f"N = {c['n_units']}: perfect")
        ax.axvline(0.138, color="k", lw=0.8, ls=":")
        ax.text(0.14, 0.02, "α = 0.138", fontsize=8)
        ax.set_xlabel("load α = patterns / units")
        ax.set_ylabel("recall quality")
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=2)
        ax.set_title(title)
        fig.savefig(path, dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path
