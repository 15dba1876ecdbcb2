"""Optional compiled CPU kernels (numba): the switch, and the one way kernels are compiled.

A few hot loops that NumPy can only run as many small calls (the per-step gate arithmetic of
an LSTM: about ten ufunc calls on 32×128 arrays per time step) have a numba kernel that does
the same arithmetic in one pass.  The NumPy code stays the reference: it runs whenever numba is
not installed (it is an optional extra, ``pip install neuronet[numba]``), when the kernels are
turned off (``NEURONET_NUMBA=0`` in the environment or :func:`set_numba_kernels`), on CuPy
arrays, and for dtypes a kernel does not cover (float64 gradient checks always take NumPy).
numba is imported on first use, not by ``import neuronet`` (that would cost ~0.3 s and make
numba a dependency); kernels are compiled on their first call and cached on disk in
:func:`numba_cache_dir` — never beside the sources, which may be a read-only site-packages.
This module is the only one that knows numba is optional: kernel modules import numba freely,
and are imported only after :func:`kernel_arrays` (or :func:`numba_kernels_enabled`) said yes.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..backend import np

__all__ = ["numba_kernels_enabled", "set_numba_kernels", "kernel_arrays", "compile_kernel", "describe",
           "numba_cache_dir", "import_numba", "kernel_module"]

_state = {"enabled": None, "reason": "not checked yet"}
_modules = {}  # kernel modules imported by kernel_module


def kernel_module(name: str):
    """``neuronet.kernels.<name>``, imported on first use (it imports numba), then from a dict: a
    ``from ..kernels.x import f`` inside a hot function costs ~1 µs per call, a real share of a
    batch-1 layer (call only after :func:`kernel_arrays` said yes)."""
    module = _modules.get(name)
    if module is None:
        import importlib
        module = _modules[name] = importlib.import_module(f"{__package__}.{name}")
    return module


def set_numba_kernels(enabled: bool) -> None:
    """Turn the numba kernels on or off for this process (on needs numba installed)."""
    if enabled:
        _state["enabled"] = None  # re-detect
        if not numba_kernels_enabled(force_check=True):
            raise RuntimeError(f"set_numba_kernels(True): {_state['reason']}; install it with pip install 'neuronet[numba]'")
    else:
        _state["enabled"], _state["reason"] = False, "turned off by set_numba_kernels(False)"


def numba_kernels_enabled(force_check: bool = False) -> bool:
    """Whether compiled kernels run (numba importable and not turned off)."""
    if _state["enabled"] is None:
        if not force_check and os.environ.get("NEURONET_NUMBA", "1").strip().lower() in ("0", "false", "no", "off"):
            _state["enabled"], _state["reason"] = False, "NEURONET_NUMBA=0"
        else:
            try:
                numba = import_numba()
            except ImportError:
                _state["enabled"], _state["reason"] = False, "numba is not installed"
            else:
                _state["enabled"], _state["reason"] = True, f"numba {numba.__version__}"
    return _state["enabled"]


_FLOAT32 = np.dtype(np.float32)


def kernel_arrays(*arrays) -> bool:
    """True when compiled kernels are on and every array is a NumPy float32 array (native byte
    order).  Asked several times per layer call, so a plain loop that tests the dtype's identity
    first (NumPy's own float32 dtype; an unpickled array has an equal copy of it), not ``all()``
    over a generator and ``dtype == np.float32`` every time."""
    if not (_state["enabled"] or numba_kernels_enabled()):
        return False
    for a in arrays:
        if type(a) is not np.ndarray:
            return False
        dtype = a.dtype
        if dtype is not _FLOAT32 and dtype != _FLOAT32:
            return False
    return True


def compile_kernel(fn=None, *, inline: bool = False, reassociate: bool = False, contract: bool = True):
    """numba-compile ``fn`` the house way: no Python error checks in loops (``error_model='numpy'``,
    so loops vectorise), fused multiply-add allowed but no other fast-math (NaN and inf propagate
    as in NumPy), the GIL released, compiled code cached on disk; ``inline`` for small helpers;
    ``reassociate`` lets reductions (sums) vectorise, in a fixed order for a given shape;
    ``contract=False`` forbids fused multiply-add, so every product is rounded as NumPy rounds it
    (a kernel whose results must equal NumPy's bit for bit)."""
    numba = import_numba()

    fastmath = ({"contract"} if contract else set()) | ({"reassoc"} if reassociate else set())
    fastmath = fastmath or False

    def build(f):
        if inline:
            return numba.njit(inline="always", error_model="numpy", fastmath=fastmath)(f)
        return numba.njit(error_model="numpy", fastmath=fastmath, nogil=True, cache=True)(f)

    return build if fn is None else build(fn)


def numba_cache_dir() -> Path:
    """Where numba caches compiled kernels: ``$NUMBA_CACHE_DIR`` when the user set it, else
    ``neuronet/numba`` under ``$XDG_CACHE_HOME`` (default ``~/.cache``)."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return Path(os.environ["NUMBA_CACHE_DIR"]).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser() / "neuronet" / "numba"


def import_numba():
    """Import numba with its on-disk cache in :func:`numba_cache_dir` (numba's default writes
    ``__pycache__`` beside the kernel sources).  Sets ``NUMBA_CACHE_DIR`` for this process when the
    user has not, and reloads numba's configuration if numba was imported before without it."""
    if not os.environ.get("NUMBA_CACHE_DIR"):
        os.environ["NUMBA_CACHE_DIR"] = str(numba_cache_dir())
    import numba
    from numba.core import config

    if config.CACHE_DIR != os.environ["NUMBA_CACHE_DIR"]:
        config.reload_config()
    return numba


def describe() -> str:
    """One line for reports: whether compiled kernels run, and why."""
    on = numba_kernels_enabled()
    return ("compiled kernels on: " if on else "compiled kernels off: ") + _state["reason"]
