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
    """True when CuPy imports and sees a GPU (``pip install 'neuronet[cuda13]'``); imports CuPy only when asked.

    Example:
        >>> isinstance(nt.cuda.is_available(), bool)  # False without CuPy or a GPU
        True
    """
    return backend.cupy_available()


def device_count() -> int:
    """The number of GPUs CuPy sees (0 without CuPy or a GPU).

    Example:
        >>> nt.cuda.device_count() >= 0 and (nt.cuda.device_count() > 0) == nt.cuda.is_available()
        True
    """
    if not backend.cupy_available():
        return 0
    import cupy  # noqa: the extra is installed: cupy_available() imported it
    return int(cupy.cuda.runtime.getDeviceCount())
