"""Plots leave the user's matplotlib backend alone, tick whole epochs, and show inline in notebooks."""
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from neuronet._pyplot import headless, in_notebook
from neuronet.train.history import History
from tests.helpers import need

ROOT = Path(__file__).resolve().parents[1]


def _history(epochs=3):
    h = History()
    for e in range(epochs):
        h.on_epoch_end(e, {"loss": 1.0 / (e + 1), "val_loss": 1.2 / (e + 1), "accuracy": 0.5 + 0.1 * e})
    return h


def _run(code, **env):
    base = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**base, "PYTHONPATH": str(ROOT), **env})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


PLOT = ("from neuronet.train.history import History\n"
        "h = History(); h.on_epoch_end(0, {{'loss': 1.0}}); h.on_epoch_end(1, {{'loss': 0.5}})\n"
        "h.plot({path!r})\n"
        "import matplotlib; print(matplotlib.get_backend().lower())\n")


def test_epoch_ticks_are_whole_numbers(tmp_path):
    need("matplotlib")
    fig = _history(3).plot(tmp_path / "c.png")
    for ax in fig.axes:
        lo, hi = ax.get_xlim()
        ticks = [t for t in ax.get_xticks() if lo <= t <= hi]
        assert ticks and all(float(t).is_integer() for t in ticks), ticks
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"


def test_the_users_backend_is_kept(tmp_path):
    need("matplotlib")
    code = "import matplotlib; matplotlib.use('svg')\n" + PLOT.format(path=str(tmp_path / "a.png"))
    assert _run(code) == "svg"
    assert (tmp_path / "a.png").exists()


def test_agg_only_without_a_display(tmp_path):
    need("matplotlib")
    assert _run(PLOT.format(path=str(tmp_path / "a.png"))) == "agg"
    # with a display, the choice is matplotlib's own (it is not forced to Agg; here the fake display
    # cannot open a window, so matplotlib itself falls back to a non-interactive backend)
    code = ("import matplotlib, neuronet._pyplot as p\n"
            "calls = []\nmatplotlib.use = lambda *a, **k: calls.append(a)\n"
            "p.pyplot('test'); print(calls)\n")
    assert _run(code, DISPLAY=":99") == "[]"


def test_headless_reads_the_display_variables(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    if sys.platform.startswith("linux"):
        assert headless()
        monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
        assert not headless()


def test_in_a_notebook_the_figure_is_returned_not_shown(monkeypatch):
    need("matplotlib")
    shell_class = type("ZMQInteractiveShell", (), {})
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=shell_class))
    assert in_notebook()
    import matplotlib.pyplot as plt
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plt.show called in a notebook"))
    fig = _history(2).plot()
    assert type(fig).__name__ == "Figure" and len(fig.axes) == 2
    assert fig.number not in plt.get_fignums()   # released from pyplot: shown once, as the cell's value
