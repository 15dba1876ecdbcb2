"""matplotlib for neuronet's plots, without taking the user's choice of backend away.

``pyplot()`` imports ``matplotlib.pyplot`` and switches to the file-only Agg backend only when
nobody chose a backend (no ``MPLBACKEND``, no ``matplotlib.use``, pyplot not yet imported), no
display exists (no ``$DISPLAY``/``$WAYLAND_DISPLAY`` on Linux) and the code does not run in a
notebook; otherwise matplotlib's own choice stands, so a plot can show in a window or inline.
Plots are written to files with ``savefig`` whatever the backend.
"""
from __future__ import annotations

import os
import sys

__all__ = ["pyplot", "finish", "in_notebook", "headless"]


def in_notebook() -> bool:
    """True inside a Jupyter (or other ZMQ-based IPython) kernel."""
    shell = sys.modules.get("IPython")
    try:
        ip = shell.get_ipython() if shell is not None else None
    except Exception:  # pragma: no cover - odd IPython states
        return False
    return (ip is not None and type(ip).__name__ in ("ZMQInteractiveShell", "Shell")) or "google.colab" in sys.modules


def headless() -> bool:
    """True when no display can show a window (Linux and the BSDs without X11 or Wayland)."""
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return False


def _backend_chosen(matplotlib) -> bool:
    if "matplotlib.pyplot" in sys.modules or os.environ.get("MPLBACKEND"):
        return True
    get = getattr(matplotlib.rcParams, "_get_backend_or_none", None)
    return get is not None and get() is not None   # set by matplotlib.use or a matplotlibrc


def pyplot(who: str):
    """``matplotlib.pyplot``, with Agg chosen only when no backend was chosen, no display exists
    and this is no notebook.  ``who`` names the caller in the ImportError when matplotlib is missing."""
    try:
        import matplotlib
    except ImportError as e:
        raise ImportError(f"{who} needs matplotlib: pip install 'neuronet[plots]'") from e
    if not _backend_chosen(matplotlib) and headless() and not in_notebook():
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


_FILE_BACKENDS = {"agg", "pdf", "ps", "svg", "pgf", "cairo", "template"}


def _interactive(plt) -> bool:
    name = plt.get_backend().lower()
    return name not in _FILE_BACKENDS and not name.startswith("module://matplotlib_inline")


def finish(plt, fig, path=None, show=None, dpi: int = 110):
    """Save ``fig`` to ``path`` (PNG, tight box) when given, show it in a window when ``show`` (default:
    when no path is given, outside notebooks, with an interactive backend), then release it from
    pyplot.  Returns the Figure: in a notebook it displays inline as a cell's value (or ``display(fig)``)."""
    if path:
        fig.savefig(path, dpi=dpi, bbox_inches="tight")
    if show is None:
        show = not path and not in_notebook() and _interactive(plt)
    if show:  # pragma: no cover - needs a display
        plt.show()
    plt.close(fig)
    return fig
