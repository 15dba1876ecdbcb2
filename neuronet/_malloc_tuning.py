"""glibc malloc settings that keep multi-MiB NumPy buffers in the heap instead of mapping each afresh.

NumPy takes every array from malloc.  glibc serves a block above its mmap threshold (128 KiB,
raised on the fly up to 32 MiB) with a fresh ``mmap`` and gives it back with ``munmap``, and it
trims the heap top whenever more than twice that threshold is free.  A training step allocates
and frees the same multi-MiB activations over and over, so with the defaults every one of them
page-faults on first touch again (about 0.25 µs per 4 KiB page: 1 ms for 16 MiB).  Measured on
the 2-core development machine: three chained ufuncs on 16 MiB float32 arrays took 6.2 ms with
glibc's defaults and 2.3 ms with the mmap threshold fixed at 32 MiB (glibc's own ceiling for
the dynamic threshold) and the trim threshold at 64 MiB; the wide-CNN benchmark's training step
went from 92 to 84 ms at 2 threads.  Blocks above 32 MiB are still mapped and returned on free,
and at most 64 MiB of free heap top is kept, so memory is not hoarded.

``import neuronet`` applies this on glibc only, and not when the user has chosen malloc
settings (``MALLOC_MMAP_THRESHOLD_`` or ``MALLOC_TRIM_THRESHOLD_`` in the environment) or
turned it off (``NEURONET_MALLOC_TUNING=0``).  It affects the whole process, as any allocator
setting does.  Pure standard library.
"""
from __future__ import annotations

import ctypes
import os
import sys

MMAP_THRESHOLD = 32 << 20  # bytes: larger blocks are mapped on their own and unmapped on free
TRIM_THRESHOLD = 64 << 20  # bytes of free heap top kept for the next allocations
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt parameter numbers from glibc's malloc.h
_USER_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")

state = {"applied": False, "reason": "not configured yet"}


def configure_malloc() -> bool:
    """Fix glibc's mmap and trim thresholds (see the module docstring); True when applied.

    Example:
        >>> isinstance(nt.configure_malloc(), bool)  # False off glibc or with NEURONET_MALLOC_TUNING=0
        True
    """
    state["applied"], state["reason"] = _configure()
    return state["applied"]


def _configure():
    if os.environ.get("NEURONET_MALLOC_TUNING", "1").strip().lower() in ("0", "false", "no", "off"):
        return False, "NEURONET_MALLOC_TUNING=0"
    chosen = [name for name in _USER_SETTINGS if name in os.environ]
    if chosen:
        return False, f"{chosen[0]} set in the environment"
    if not sys.platform.startswith("linux"):
        return False, f"not glibc ({sys.platform})"
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # glibc only: musl's mallopt does nothing
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False, "not glibc"
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    if mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) != 1 or mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) != 1:
        return False, "mallopt refused the settings"
    return True, f"mmap threshold {MMAP_THRESHOLD >> 20} MiB, trim threshold {TRIM_THRESHOLD >> 20} MiB"


def describe() -> str:
    """One line for reports: what ``import neuronet`` did to malloc, and why."""
    return ("glibc malloc tuned by import neuronet: " if state["applied"] else "glibc malloc left as is: ") + state["reason"]
