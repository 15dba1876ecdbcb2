"""numba kernels for the row softmax of attention (optional: see ``compiled.py``; importing this
module imports numba).

``functional/attention.py``'s ``_softmax_rows`` / ``_softmax_again`` / ``_softmax_grad_into`` are
the reference: NumPy makes five passes over the (…, L, S) scores forward (max, subtract, exp,
sum, divide) and three backward, each through memory.  These kernels do one row at a time while
it sits in L1: forward max, then exp and sum, then scale (in place over the scores); backward
dx = y·(dy − Σ dy·y) in place over dy; and ``softmax_recompute`` rebuilds y from the scores and
the saved statistics (shift, denominator) as the reference does, for the backward that keeps no
(…, L, S) array.  ``np.exp`` is a library call that stops the loop from vectorising, so the
exponential is :func:`expf`, Cephes' single-precision polynomial (relative error ≤ 2 ulp against
``np.exp`` over the range used here, tested): the loop then runs 8 lanes at a time with AVX2.
No lane makes a subnormal float: :func:`expf` flushes below 2^−126 and probabilities that would
be subnormal are 0 (NumPy keeps them) — on Intel cores each subnormal result costs a microcode
assist of about 100 cycles, which made the softmax of widely spread scores 4× slower.  The row's
max is taken by eight running maxima, not one chain of dependent max operations.
Rows are independent, so any split over threads gives the same bits.
"""
from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from ..backend import np
from .compiled import compile_kernel

__all__ = ["expf", "softmax_forward", "softmax_recompute", "softmax_backward"]

_LOG2E = np.float32(1.44269504088896341)
_LN2_HI = np.float32(0.693359375)
_LN2_LO = np.float32(-2.12194440e-4)
_HI = np.float32(88.72283935546875)  # exp overflows float32 above this (ln of the largest float32)
# ... and is flushed to 0 below: the float32 just above −126·ln 2, where e^x is still 2^−126
# (the smallest normal float32) or more, so that no lane — a clamped one included — makes a
# subnormal, which costs a microcode assist of ~100 cycles per value on Intel cores
_LO = np.float32(-87.33654022216797)
_TINY = np.finfo(np.float32).tiny  # the smallest normal float32, 2^−126


@intrinsic
def _as_float(typingctx, bits):
    """The float32 whose bit pattern is the int32 ``bits`` (a register move, so loops still vectorise)."""
    if bits != types.int32:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.FloatType())

    return types.float32(types.int32), codegen


@compile_kernel(inline=True)
def expf(x):
    """e^x in float32, branch-free (Cephes ``expf``): x = n·ln2 + r, |r| ≤ ln2/2, e^r by a degree-7
    polynomial, 2^n put into the exponent bits; −∞ and x < −87.3 give 0, x > 88.72 gives +∞."""
    big = x > _HI
    small = x < _LO
    x = min(max(x, _LO), _HI)
    n = np.floor(x * _LOG2E + np.float32(0.5))
    r = x - n * _LN2_HI
    r = r - n * _LN2_LO
    p = np.float32(1.9875691500e-4)
    p = p * r + np.float32(1.3981999507e-3)
    p = p * r + np.float32(8.3334519073e-3)
    p = p * r + np.float32(4.1665795894e-2)
    p = p * r + np.float32(1.6666665459e-1)
    p = p * r + np.float32(5.0000001201e-1)
    p = p * r * r + r + np.float32(1.0)
    # 2^n: n ∈ [−126, 128] after the clamp; two halves keep each power a normal float32
    half = np.int32(n) >> 1
    s1 = np.int32((half + 127) << 23)
    s2 = np.int32((np.int32(n) - half + 127) << 23)
    y = p * _as_float(s1) * _as_float(s2)
    if big:
        y = np.float32(np.inf)
    if small:
        y = np.float32(0.0)
    return y


_jit = compile_kernel(reassociate=True)


@compile_kernel(inline=True)
def _row_max(row, width):
    """max(row[:width]) by eight running maxima: one chain of dependent max operations (4 cycles
    each) made the row's max cost more than its exponentials.  Exact in any order."""
    m0 = m1 = m2 = m3 = m4 = m5 = m6 = m7 = np.float32(-np.inf)
    full = width - width % 8
    for j in range(0, full, 8):
        m0, m1 = max(m0, row[j]), max(m1, row[j + 1])
        m2, m3 = max(m2, row[j + 2]), max(m3, row[j + 3])
        m4, m5 = max(m4, row[j + 4]), max(m5, row[j + 5])
        m6, m7 = max(m6, row[j + 6]), max(m7, row[j + 7])
    for j in range(full, width):
        m0 = max(m0, row[j])
    return max(max(max(m0, m1), max(m2, m3)), max(max(m4, m5), max(m6, m7)))


@compile_kernel(inline=True)
def _normalised(e, inv, cutoff):
    """e·inv, or 0 where that would be subnormal (e < cutoff = 2^−126·Σ): the operand is chosen
    before the product, so no lane makes a subnormal (see ``_LO``)."""
    return (e if e >= cutoff else np.float32(0.0)) * inv


@_jit
def softmax_forward(s, shift, total, start, stop):
    """Rows start..stop of s (rows, S), in place: s = exp(s − m)/Σ with m the row's finite max (0 if
    none: a fully masked row of −∞ gives zeros) and Σ replaced by 1 when it is 0; m and Σ saved.
    Probabilities below 2^−126 (subnormal) are 0."""
    width = s.shape[1]
    for i in range(start, stop):
        row = s[i]
        m = _row_max(row, width)
        if not np.isfinite(m):
            m = np.float32(0.0)
        acc = np.float32(0.0)
        for j in range(width):
            e = expf(row[j] - m)
            row[j] = e
            acc += e
        if not acc > 0:
            acc = np.float32(1.0)
        inv = np.float32(1.0) / acc
        cutoff = _TINY * acc
        for j in range(width):
            row[j] = _normalised(row[j], inv, cutoff)
        shift[i], total[i] = m, acc


@_jit
def softmax_recompute(s, shift, total, start, stop):
    """Rows start..stop of s, in place: the forward's output again from the same scores and its
    saved shift and denominator."""
    width = s.shape[1]
    for i in range(start, stop):
        row = s[i]
        m = shift[i]
        inv = np.float32(1.0) / total[i]
        cutoff = _TINY * total[i]
        for j in range(width):
            row[j] = _normalised(expf(row[j] - m), inv, cutoff)


@_jit
def softmax_backward(g, y, start, stop):
    """Rows start..stop, in place over g: dx = y ⊙ (dy − Σ dy·y)."""
    width = g.shape[1]
    for i in range(start, stop):
        grow, yrow = g[i], y[i]
        dot = np.float32(0.0)
        for j in range(width):
            dot += grow[j] * yrow[j]
        for j in range(width):
            grow[j] = yrow[j] * (grow[j] - dot)
