"""A labelled heat map written to a PNG: attention weights, alignments, confusion-style tables."""
from __future__ import annotations

import numpy as np

__all__ = ["save_heatmap"]


def save_heatmap(values, row_labels, col_labels, path: str, *, xlabel: str = "", ylabel: str = "",
                 title: str = "", vmin=None, vmax=None, cell: float = 0.4, rotate_columns: bool = False) -> str:
    """Draw ``values`` (rows × columns) with a colour bar and one tick label per row and column.

    Args:
        values: 2-D array; its shape must be (len(row_labels), len(col_labels)).
        row_labels, col_labels: tick labels (strings or anything printable).
        path: the PNG to write.
        xlabel, ylabel, title: axis labels and title.
        vmin, vmax: colour range (default: the data's).
        cell: inches per row/column, so that long sequences stay readable.
        rotate_columns: turn the column labels vertical (for words).

    Returns:
        ``path``.

    Example:
        >>> nt.viz.save_heatmap(np.eye(3), ["a", "b", "c"], ["x", "y", "z"], "heat.png")
        'heat.png'
    """
    values = np.asarray(values)
    if values.shape != (len(row_labels), len(col_labels)):
        raise ValueError(f"save_heatmap: values of shape {values.shape} do not match {len(row_labels)} row labels "
                         f"and {len(col_labels)} column labels")
    from .._pyplot import finish, pyplot
    plt = pyplot("save_heatmap")

    rows, cols = values.shape
    fig, ax = plt.subplots(figsize=(1.5 + cell * cols, 1.2 + cell * rows))
    try:
        im = ax.imshow(values, cmap="viridis", vmin=vmin, vmax=vmax, aspect="auto")
        ax.set_xticks(range(cols), [str(c) for c in col_labels], rotation=90 if rotate_columns else 0)
        ax.set_yticks(range(rows), [str(r) for r in row_labels])
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        fig.colorbar(im, ax=ax, fraction=0.046)
    except Exception:
        plt.close(fig)
        raise
    finish(plt, fig, path, show=False)
    return path
