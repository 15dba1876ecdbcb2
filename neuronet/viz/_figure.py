"""The one way this package's plots make and write a figure: matplotlib's object API, no pyplot.

``matplotlib.figure.Figure`` draws with Agg whatever backend the user chose and never opens a
window, so the plots work on servers; returned from a notebook cell, the figure shows inline.
"""
from __future__ import annotations

__all__ = ["new_figure", "finish", "grid_shape", "DPI"]

#: Resolution of the PNG files (dots per inch); the tests lower it to render faster.
DPI = 100


def new_figure(where: str, figsize, rows: int = 1, cols: int = 1, **subplot_kw):
    """(figure, 2-D array of axes) — matplotlib imported here, with an install hint if missing."""
    try:
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ImportError(f"{where} needs matplotlib: pip install 'neuronet[plots]'") from error
    fig = Figure(figsize=figsize)
    axes = fig.subplots(rows, cols, squeeze=False, **subplot_kw)
    return fig, axes


def finish(fig, path=None, dpi=None):
    """Write ``fig`` as a PNG when ``path`` is given (at ``dpi``, default :data:`DPI`); return the figure."""
    if path is not None:
        fig.savefig(path, dpi=dpi or DPI, bbox_inches="tight")
    return fig


def grid_shape(n: int, max_cols: int = 8):
    """Rows and columns for ``n`` small panels."""
    cols = max(1, min(n, max_cols))
    return (n + cols - 1) // cols, cols
