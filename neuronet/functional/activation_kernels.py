"""numba kernel for the ReLU gradient (optional: see ``compiled.py``; importing this module
imports numba).

NumPy needs two passes for dL/dx = dL/dy·[y > 0]: one writes the boolean mask, one multiplies.
This does it in one pass (read dy and y, write dx): 1.07 against 1.66 ms for 4 M float32 values.
"""
from __future__ import annotations

from ..backend import np
from .compiled import compile_kernel

__all__ = ["relu_grad"]


@compile_kernel
def relu_grad(out, gy, y):
    """out = gy where y > 0, else 0 (flat, C-contiguous arrays of one size)."""
    o, g, v = out.reshape(-1), gy.reshape(-1), y.reshape(-1)
    zero = np.float32(0.0)
    for k in range(o.size):
        o[k] = g[k] if v[k] > 0 else zero
