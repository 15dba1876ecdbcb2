"""The one way this package's plots make and write a figure: matplotlib's object API, no pyplot.

``matplotlib.figure.Figure`` draws with Agg whatever backend the user chose and never opens a
window, so the plots work on servers.  The figures carry ``_repr_png_``, so a notebook cell that
returns one shows the picture inline even when pyplot was never imported.
"""
from __future__ import annotations

from .._pyplot import pyplot  # for the plots drawn with pyplot (the classic networks'): backend left to the user

__all__ = ["new_figure", "finish", "grid_shape", "DPI", "pyplot"]

#: Resolution of the PNG files (dots per inch); the tests lower it to render faster.
DPI = 100


def new_figure(where: str, figsize, rows: int = 1, cols: int = 1, **subplot_kw):
    """(figure, 2-D array of axes) — matplotlib imported here, with an install hint if missing."""
    fig = _figure_class(where)(figsize=figsize)
    axes = fig.subplots(rows, cols, squeeze=False, **subplot_kw)
    return fig, axes


_FIGURE = []


def _figure_class(where):
    """matplotlib's Figure with a ``_repr_png_`` for notebooks (made once, on first use)."""
    if not _FIGURE:
        try:
            from matplotlib.figure import Figure
        except ImportError as error:
            raise ImportError(f"{where} needs matplotlib: pip install 'neuronet[plots]'") from error

        class NeuronetFigure(Figure):
            def _repr_png_(self):
                import io
                buffer = io.BytesIO()
                self.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
                return buffer.getvalue()

        _FIGURE.append(NeuronetFigure)
    return _FIGURE[0]


def finish(fig, path=None, dpi=None):
    """Write ``fig`` as a PNG when ``path`` is given (at ``dpi``, default :data:`DPI`); return the figure."""
    if path is not None:
        fig.savefig(path, dpi=dpi or DPI, bbox_inches="tight")
    return fig


def grid_shape(n: int, max_cols: int = 8):
    """Rows and columns for ``n`` small panels."""
    cols = max(1, min(n, max_cols))
    return (n + cols - 1) // cols, cols
