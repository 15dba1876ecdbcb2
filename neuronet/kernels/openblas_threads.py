"""NumPy's OpenBLAS thread count through ctypes: how neuronet steers BLAS threads.

neuronet keeps small matrix products on one BLAS thread and runs its own chunks with BLAS at one
thread (``parallel.py``).  Without that, every tiny product runs on all of OpenBLAS's threads —
measured on the 2-core machine under load, an MLP training step took 40–70 ms instead of 1.2 ms.
This finds the OpenBLAS library NumPy loaded (``/proc/self/maps``, or the wheel's
``numpy.libs``/``.dylibs`` folder) and calls its own ``openblas_set_num_threads`` — the
mechanism threadpoolctl uses, without its rule that only the first Python thread to set the
count may change it — with the symbol prefix and suffix of NumPy's wheels
(``scipy_openblas…64_``) or of a system OpenBLAS.  So a NumPy-only install, and a model trained
in a worker thread, get the same thread control.  Another BLAS (MKL, Accelerate) gives no
controller here (``parallel.blas_controllers`` then asks threadpoolctl, when installed).
"""
from __future__ import annotations

import ctypes
import os
from pathlib import Path

__all__ = ["OpenBLASThreads", "find_openblas"]

_PREFIXES = (("scipy_openblas", "64_"), ("scipy_openblas", ""), ("openblas", "64_"), ("openblas", ""))


class OpenBLASThreads:
    """One loaded OpenBLAS: ``num_threads`` (read live), ``set_num_threads(n)``, ``filepath``,
    ``architecture`` (its kernel, e.g. ``SkylakeX``) — the parts of threadpoolctl's controller
    that neuronet uses."""

    def __init__(self, filepath: str, lib, prefix: str, suffix: str):
        self.filepath = filepath
        self._get = getattr(lib, f"{prefix}_get_num_threads{suffix}")
        self._set = getattr(lib, f"{prefix}_set_num_threads{suffix}")
        self._get.restype, self._set.argtypes = ctypes.c_int, [ctypes.c_int]
        corename = getattr(lib, f"{prefix}_get_corename{suffix}", None)
        if corename is not None:
            corename.restype = ctypes.c_char_p
            self.architecture = (corename() or b"").decode(errors="replace")
        else:
            self.architecture = ""

    @property
    def num_threads(self) -> int:
        return int(self._get())

    def set_num_threads(self, count: int) -> None:
        self._set(int(count))


def _candidate_paths() -> list:
    """Paths of loaded libraries that look like OpenBLAS, NumPy's own first."""
    paths = []
    try:
        with open("/proc/self/maps") as maps:  # Linux: what this process really loaded
            for line in maps:
                path = line.rstrip("\n").split(maxsplit=5)[-1]
                if "openblas" in os.path.basename(path).lower() and path not in paths:
                    paths.append(path)
    except OSError:
        pass
    import numpy

    root = Path(numpy.__file__).resolve().parent
    for folder in (root.parent / "numpy.libs", root / ".dylibs"):  # the wheels' bundled OpenBLAS
        paths += [str(p) for p in sorted(folder.glob("*openblas*")) if str(p) not in paths]
    paths.sort(key=lambda p: "numpy" not in p)
    return paths


def find_openblas() -> list:
    """A controller for each loaded OpenBLAS library (NumPy's first); empty when there is none."""
    import numpy  # noqa: F401  (loads NumPy's BLAS before looking for it)

    found = []
    for path in _candidate_paths():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in _PREFIXES:
            if hasattr(lib, f"{prefix}_set_num_threads{suffix}") and hasattr(lib, f"{prefix}_get_num_threads{suffix}"):
                found.append(OpenBLASThreads(path, lib, prefix, suffix))
                break
    return found
