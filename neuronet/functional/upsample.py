"""Bilinear resizing of NCHW images, as ``torch.nn.functional.interpolate(mode="bilinear")``.

Bilinear interpolation is separable: every output row is a blend of two input rows, every output
column a blend of two input columns.  So the whole resize is two small matrix products,
``y = A_h @ x @ A_w^T``, with interpolation matrices A_h (out_h, H) and A_w (out_w, W) holding two
non-zero weights per row.  It is linear in x, so backward is the transposed products.
"""
from __future__ import annotations

import math
import numbers

from ..autograd import Function
from ..backend import array_module, np
from ..tensor import Tensor

__all__ = ["upsample_bilinear2d"]


def _interpolation_matrix(xp, n_in, n_out, align_corners, scale, dtype):
    """(n_out, n_in) weights of 1-D linear interpolation, PyTorch's source-index rule.

    align_corners=True: the corner pixels' centres line up, src = dst · (n_in − 1)/(n_out − 1).
    align_corners=False (half-pixel centres): src = (dst + 0.5) · r − 0.5 clamped at 0, where
    r = 1/scale_factor when a scale factor was given, else n_in / n_out (as PyTorch).
    """
    dst = xp.arange(n_out, dtype=np.float64)
    if align_corners:
        src = dst * ((n_in - 1) / (n_out - 1)) if n_out > 1 else xp.zeros(n_out)
    else:
        ratio = 1.0 / scale if scale is not None else n_in / n_out
        src = xp.maximum((dst + 0.5) * ratio - 0.5, 0.0)
    i0 = xp.minimum(xp.floor(src).astype(np.int64), n_in - 1)
    i1 = xp.minimum(i0 + 1, n_in - 1)
    lam = (src - i0)[:, None]
    cols = xp.arange(n_in)[None, :]
    a = (1.0 - lam) * (cols == i0[:, None]) + lam * (cols == i1[:, None])
    return a.astype(dtype)


class UpsampleBilinear2d(Function):
    def __init__(self, size, scales, align_corners):
        self.size, self.scales, self.align_corners = size, scales, align_corners

    def forward(self, x):
        xp = array_module(x)
        (oh, ow), (sh, sw) = self.size, self.scales
        self.a_h = _interpolation_matrix(xp, x.shape[2], oh, self.align_corners, sh, x.dtype)
        self.a_w = _interpolation_matrix(xp, x.shape[3], ow, self.align_corners, sw, x.dtype)
        return self.a_h @ (x @ self.a_w.T)

    def backward(self, gy):
        # y = A_h x A_w^T is linear in x: dL/dx = A_h^T gy A_w
        return self.a_h.T @ (gy @ self.a_w)


def _pair(name, value, kind):
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return tuple(value)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return value, value
    raise ValueError(f"upsample_bilinear2d: {name} must be a {kind} or a pair of them, got {value!r}")


def upsample_bilinear2d(x, size=None, scale_factor=None, align_corners: bool = False):
    """Resize a batch of images (N, C, H, W) by bilinear interpolation (up or down).

    Matches ``torch.nn.functional.interpolate(x, size, scale_factor, mode="bilinear",
    align_corners=align_corners)``, outputs and gradients, including its rule that a given
    ``scale_factor`` (not the rounded output size) sets the sampling positions.

    Args:
        x: tensor (N, C, H, W).
        size: output (height, width), or an int for both.  Give exactly one of size and scale_factor.
        scale_factor: multiplier of height and width (a number or a pair); the output size is
            floor(H · scale), floor(W · scale).
        align_corners: False (default, Keras and PyTorch default) places pixel centres at
            half-integers, so corners of input and output images coincide; True makes the centres
            of the corner pixels coincide instead.

    Returns:
        A tensor (N, C, out_h, out_w) of x's dtype.

    Example:
        >>> y = F.upsample_bilinear2d(nt.tensor(np.ones((1, 3, 4, 4), np.float32)), scale_factor=2)
        >>> y.shape
        (1, 3, 8, 8)
    """
    shape = tuple(x.shape)
    if len(shape) != 4:
        raise ValueError(f"upsample_bilinear2d: expected a 4-D input (N, C, H, W), received shape {shape}")
    if np.dtype(x.dtype).kind != "f":
        raise TypeError(f"upsample_bilinear2d: expected a floating-point input, got dtype {x.dtype}")
    if not isinstance(align_corners, bool):
        raise TypeError(f"upsample_bilinear2d: align_corners must be True or False, got {align_corners!r}")
    if (size is None) == (scale_factor is None):
        raise ValueError("upsample_bilinear2d: give exactly one of size and scale_factor")
    h, w = shape[2], shape[3]
    if h == 0 or w == 0:
        raise ValueError(f"upsample_bilinear2d: input of shape {shape} has a size-0 spatial dimension: there is "
                         "nothing to interpolate")
    if size is not None:
        out = _pair("size", size, "positive int")
        if any(isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 1 for s in out):
            raise ValueError(f"upsample_bilinear2d: size must be a positive int or a pair of them, got {size!r}")
        out, scales = (int(out[0]), int(out[1])), (None, None)
    else:
        scales = _pair("scale_factor", scale_factor, "positive number")
        if any(isinstance(s, bool) or not isinstance(s, numbers.Real) or not s > 0 for s in scales):
            raise ValueError(f"upsample_bilinear2d: scale_factor must be positive, got {scale_factor!r}")
        scales = (float(scales[0]), float(scales[1]))
        out = (math.floor(h * scales[0]), math.floor(w * scales[1]))
        if min(out) < 1:
            raise ValueError(f"upsample_bilinear2d: scale_factor {scale_factor!r} gives an empty output "
                             f"{out} for input of shape {shape}")
    if not isinstance(x, Tensor):
        x = Tensor(x)
    return UpsampleBilinear2d.apply(x, size=out, scales=scales, align_corners=align_corners)
