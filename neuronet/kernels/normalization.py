"""numba kernels for batch normalisation in training mode (optional: see ``compiled.py``;
importing this module imports numba).

``normalization.BatchNormTrain`` is the reference: per chunk of channels it makes five NumPy
passes forward (sum, centre, sum of squares, scale, shift) and eight backward.  These kernels
do, per channel, two reading passes and one writing pass forward (mean, variance of the
centred values, y = x·a + b) and one reading and one writing pass backward (Σdy and Σdy·x̂
with x̂ rebuilt on the fly, then dx), with the same formulas.  Sums are accumulated in float64
with reassociation allowed (so they vectorise): as accurate as NumPy's pairwise float32 sums
or more, and still the same at any thread count, since a channel is never split.  A ReLU after
the normalisation (``relu``) is applied in the writing pass and its mask read in the backward.
"""
from __future__ import annotations

from ..backend import np
from .compiled import compile_kernel

__all__ = ["batch_norm_forward", "batch_norm_backward"]

_jit = compile_kernel(reassociate=True)


@_jit
def batch_norm_forward(x, y, mean, var, rstd, weight, bias, has_weight, has_bias, relu, eps, start, stop):
    """Channels start..stop of x, y (N, C, L): batch statistics into mean, var, rstd, then
    y = (x − μ)·rstd·γ + β written as one multiply-add (then max(·, 0) with ``relu``)."""
    n, _, length = x.shape
    count = n * length
    for ch in range(start, stop):
        total = 0.0
        for b in range(n):
            row = x[b, ch]
            for k in range(length):
                total += row[k]
        mu = total / count
        squares = 0.0
        for b in range(n):
            row = x[b, ch]
            for k in range(length):
                d = row[k] - mu
                squares += d * d
        v = squares / count
        r = 1.0 / np.sqrt(v + eps)
        scale = r * weight[ch] if has_weight else r
        shift = (bias[ch] if has_bias else 0.0) - mu * scale
        a, c = np.float32(scale), np.float32(shift)
        zero = np.float32(0.0)
        for b in range(n):
            row, out = x[b, ch], y[b, ch]
            if relu:
                for k in range(length):
                    z = row[k] * a + c
                    out[k] = zero if z < zero else z  # NaN passes, as in np.maximum
            else:
                for k in range(length):
                    out[k] = row[k] * a + c
        mean[ch], var[ch], rstd[ch] = mu, v, r


@_jit
def batch_norm_backward(gy, x, mean, rstd, weight, has_weight, relu, y, want_x, gx, gw, gb, start, stop):
    """Channels start..stop: gb = Σ dy, gw = Σ dy·x̂ and, with want_x,
    dx = γ·rstd·(dy − gb/n − x̂·gw/n); with ``relu`` dy is first masked by y > 0 (y is read only then)."""
    n, _, length = gy.shape
    count = n * length
    zero = np.float32(0.0)
    for ch in range(start, stop):
        mu, r = mean[ch], rstd[ch]
        sum_g, sum_gx = 0.0, 0.0
        for b in range(n):
            grow, xrow, yrow = gy[b, ch], x[b, ch], y[b, ch]
            for k in range(length):
                g = (grow[k] if yrow[k] > zero else zero) if relu else grow[k]
                sum_g += g
                sum_gx += g * ((xrow[k] - mu) * r)
        gb[ch], gw[ch] = sum_g, sum_gx
        if want_x:
            scale = np.float32((weight[ch] if has_weight else 1.0) * r)
            m_g, m_gx = np.float32(sum_g / count), np.float32(sum_gx / count)
            mu32, r32 = np.float32(mu), np.float32(r)
            for b in range(n):
                grow, xrow, yrow, out = gy[b, ch], x[b, ch], y[b, ch], gx[b, ch]
                for k in range(length):
                    g = (grow[k] if yrow[k] > zero else zero) if relu else grow[k]
                    out[k] = scale * (g - m_g - (xrow[k] - mu32) * r32 * m_gx)
