"""Vectorised affine resampling of image batches: the one routine behind rotation, zoom and translation.

Each sample ``n`` gets its own 2×3 matrix ``theta[n]`` that maps an output pixel position to the
input position it is read from (both measured in pixels from the image centre, x to the right,
y downwards).  Every output pixel is then read by bilinear interpolation between its four
neighbouring input pixels, gathered for the whole batch at once with ``take_along_axis`` over
the flattened images; neighbours outside the image read ``fill``.  No loop over samples, no scipy.
"""
from __future__ import annotations

from ..backend import array_module, np

__all__ = ["affine_resample", "rotation_thetas", "zoom_thetas", "translation_thetas"]

_SNAP = 1e-6  # source coordinates this close to a whole pixel are taken as exactly that pixel


def affine_resample(x, theta, fill: float = 0.0):
    """Resample each image of the NCHW batch ``x`` through its own inverse affine map.

    Args:
        x: floating-point array (N, C, H, W).
        theta: (N, 2, 3) array; output pixel (u, v), centred, reads the input at
            ``theta[n] @ (u, v, 1)`` (centred), by bilinear interpolation.
        fill: the value of every pixel outside the input image.

    Returns:
        A new array (N, C, H, W) of ``x``'s dtype.  Source coordinates within 1e-6 of a whole
        pixel are snapped to it, so exact maps (identity, quarter turns of a square image) copy
        pixels exactly instead of mixing in round-off.
    """
    xp = array_module(x)
    n, c, h, w = x.shape
    theta = xp.asarray(theta, dtype=np.float64)
    cy, cx = (h - 1) / 2.0, (w - 1) / 2.0
    v, u = xp.meshgrid(xp.arange(h, dtype=np.float64) - cy, xp.arange(w, dtype=np.float64) - cx, indexing="ij")
    grid = xp.stack([u.ravel(), v.ravel(), xp.ones(h * w)])             # (3, H·W)
    src = theta @ grid                                                   # (N, 2, H·W), centred
    sx, sy = src[:, 0] + cx, src[:, 1] + cy
    sx = xp.where(xp.abs(sx - xp.rint(sx)) < _SNAP, xp.rint(sx), sx)
    sy = xp.where(xp.abs(sy - xp.rint(sy)) < _SNAP, xp.rint(sy), sy)
    x0, y0 = xp.floor(sx), xp.floor(sy)
    wx, wy = sx - x0, sy - y0
    x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
    flat = x.reshape(n, c, h * w)
    out = xp.zeros((n, c, h * w), dtype=x.dtype)
    for dy, dx, weight in ((0, 0, (1 - wy) * (1 - wx)), (0, 1, (1 - wy) * wx),
                           (1, 0, wy * (1 - wx)), (1, 1, wy * wx)):   # the four neighbours
        xi, yi = x0 + dx, y0 + dy
        inside = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
        index = xp.clip(yi, 0, h - 1) * w + xp.clip(xi, 0, w - 1)      # (N, H·W)
        values = xp.take_along_axis(flat, index[:, None, :], axis=2)    # (N, C, H·W)
        values = xp.where(inside[:, None, :], values, x.dtype.type(fill))
        out += values * weight[:, None, :].astype(x.dtype)
    return out.reshape(n, c, h, w)


def rotation_thetas(degrees):
    """(N, 2, 3) inverse maps rotating each image counter-clockwise (as displayed, row 0 on top)
    by ``degrees[n]`` about its centre."""
    xp = array_module(degrees)
    a = xp.deg2rad(xp.asarray(degrees, dtype=np.float64))
    cos, sin = xp.cos(a), xp.sin(a)
    zero = xp.zeros_like(a)
    # y points down, so [[cos, -sin], [sin, cos]] @ (u, v) is the inverse of a counter-clockwise turn by a:
    # +90° on a square image is exactly np.rot90(image, 1, axes=(-2, -1))
    return xp.stack([xp.stack([cos, -sin, zero], -1), xp.stack([sin, cos, zero], -1)], -2)


def zoom_thetas(scales):
    """(N, 2, 3) inverse maps scaling each image about its centre by ``scales[n]`` (> 1 enlarges the content)."""
    xp = array_module(scales)
    inv = 1.0 / xp.asarray(scales, dtype=np.float64)
    zero = xp.zeros_like(inv)
    return xp.stack([xp.stack([inv, zero, zero], -1), xp.stack([zero, inv, zero], -1)], -2)


def translation_thetas(dx, dy):
    """(N, 2, 3) inverse maps shifting each image by ``dx[n]`` pixels right and ``dy[n]`` pixels down."""
    xp = array_module(dx)
    dx, dy = xp.asarray(dx, dtype=np.float64), xp.asarray(dy, dtype=np.float64)
    one, zero = xp.ones_like(dx), xp.zeros_like(dx)
    return xp.stack([xp.stack([one, zero, -dx], -1), xp.stack([zero, one, -dy], -1)], -2)
