"""An index that compiled kernels can use without NumPy-style wrapping of negative indices
(optional: see ``compiled.py``; importing this module imports numba).

numba compiles ``a[i]`` for a signed ``i`` as ``a[i + len(a)] if i < 0 else a[i]``; when ``i`` is
computed (``base + k``) LLVM cannot prove it non-negative, keeps the select in the loop and often
leaves the loop scalar.  Indexing with ``unsigned(base + k)`` compiles no such check, so the loop
vectorises; it also lets a kernel index one flat buffer instead of taking a slice per row, which
costs more than a short row's loop.  The index must be in range: like every kernel index here,
it is not checked.
"""
from __future__ import annotations

from ..backend import np
from .compiled import compile_kernel

__all__ = ["unsigned"]


@compile_kernel(inline=True)
def unsigned(i):
    """i as an unsigned (uint64) index, for a ``i`` known to lie in 0 .. len − 1."""
    return np.uint64(i)
