"""numba kernels for layer normalisation over the last axis (optional: see ``compiled.py``;
importing this module imports numba).

``normalization.LayerNorm`` is the reference: NumPy makes about eight passes over the input
forward (sum, centre, square, sum, scale, γ, β) and a dozen backward.  These kernels work one
row at a time while it sits in L1: forward two reading passes (mean, variance of the centred
values) and one writing pass y = (x − μ)·rstd·γ + β; backward one reading pass (Σ g and Σ g·x̂
with g = γ·dy and x̂ rebuilt from the saved μ and rstd) and one writing pass
dx = (g − mean g − x̂·mean(g·x̂))·rstd, adding the row's dy·x̂ and dy into the chunk's own
dγ and dβ rows.  Sums are accumulated in float64 (reassociated, so they vectorise); a row is
never split, and the per-chunk dγ, dβ are added in chunk order, so results do not depend on
the thread count.
"""
from __future__ import annotations

from ..backend import np
from .compiled import compile_kernel

__all__ = ["layer_norm_forward", "layer_norm_backward"]

_jit = compile_kernel(reassociate=True)


@_jit
def layer_norm_forward(x, y, mean, rstd, weight, bias, has_weight, has_bias, eps, start, stop):
    """Rows start..stop of x, y (rows, d): μ and rstd = 1/√(σ² + ε) saved, y = (x − μ)·rstd·γ + β."""
    width = x.shape[1]
    for i in range(start, stop):
        row, out = x[i], y[i]
        total = 0.0
        for j in range(width):
            total += row[j]
        mu = total / width
        squares = 0.0
        for j in range(width):
            d = row[j] - mu
            squares += d * d
        r = 1.0 / np.sqrt(squares / width + eps)
        mu32, r32 = np.float32(mu), np.float32(r)
        if has_weight and has_bias:
            for j in range(width):
                out[j] = (row[j] - mu32) * r32 * weight[j] + bias[j]
        elif has_weight:
            for j in range(width):
                out[j] = (row[j] - mu32) * r32 * weight[j]
        elif has_bias:
            for j in range(width):
                out[j] = (row[j] - mu32) * r32 + bias[j]
        else:
            for j in range(width):
                out[j] = (row[j] - mu32) * r32
        mean[i], rstd[i] = mu32, r32


@_jit
def layer_norm_backward(gy, x, mean, rstd, weight, has_weight, want_x, gx, gw, gb, chunk, start, stop):
    """Rows start..stop: dγ, dβ of these rows into row ``chunk`` of gw, gb (float64 (chunks, d));
    with ``want_x`` dx = (g − mean g − x̂·mean(g·x̂))·rstd, g = γ·dy, into gx."""
    width = gy.shape[1]
    acc_w, acc_b = gw[chunk], gb[chunk]
    for i in range(start, stop):
        grow, xrow = gy[i], x[i]
        mu, r = mean[i], rstd[i]
        sum_g, sum_gx = 0.0, 0.0
        for j in range(width):
            dy = grow[j]
            xh = (xrow[j] - mu) * r
            acc_w[j] += dy * xh
            acc_b[j] += dy
            g = dy * weight[j] if has_weight else dy
            sum_g += g
            sum_gx += g * xh
        if want_x:
            out = gx[i]
            m_g, m_gx = np.float32(sum_g / width), np.float32(sum_gx / width)
            for j in range(width):
                g = grow[j] * weight[j] if has_weight else grow[j]
                xh = (xrow[j] - mu) * r
                out[j] = (g - m_g - xh * m_gx) * r
