"""numba kernel for col2im at stride 1 (optional: see ``compiled.py``; importing this module
imports numba).

``im2col.col2im`` is the reference: one slice-add of the whole chunk per kernel offset, so the
chunk's input gradient is read and written kh·kw times from outer caches.  This kernel works
one image channel at a time (an (Hp·Wp) plane of a few KiB that stays in L1) and does the
same kh·kw shifted adds there, in the same order, so the sums are bit-identical.
"""
from __future__ import annotations

from .compiled import compile_kernel

__all__ = ["col2im_rows"]


@compile_kernel
def col2im_rows(cols, out, dh, dw, wp, length):
    """out (N, C, Hp·Wp) = Σ over offsets (i, j) of cols (N, C, kh, kw, ≥length) shifted to i·dh·Wp + j·dw."""
    n, c, kh, kw = cols.shape[:4]
    for b in range(n):
        for ch in range(c):
            plane = out[b, ch]
            plane[:] = 0
            for i in range(kh):
                for j in range(kw):
                    start = i * dh * wp + j * dw
                    src = cols[b, ch, i, j]
                    for p in range(length):
                        plane[start + p] += src[p]
