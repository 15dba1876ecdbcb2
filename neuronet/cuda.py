"""``nt.cuda.is_available()``, as ``torch.cuda``: whether a GPU can be used (through CuPy, the optional extra).

Example::

    device = "cuda" if nt.cuda.is_available() else "cpu"
    model.to(device)
    xb = xb.to(device)
"""
from __future__ import annotations

from . import backend

__all__ = ["is_available", "device_count"]


def is_available() -> bool:
    """True when CuPy imports and sees a GPU (``pip install 'neuronet[cuda13]'``); imports CuPy only when asked."""
    return backend.cupy_available()


def device_count() -> int:
    """The number of GPUs CuPy sees (0 without CuPy or a GPU)."""
    if not backend.cupy_available():
        return 0
    import cupy  # noqa: the extra is installed: cupy_available() imported it
    return int(cupy.cuda.runtime.getDeviceCount())
