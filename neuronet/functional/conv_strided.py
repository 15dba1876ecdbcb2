"""Strided (and small stride-1) one-group convolutions and their transposes on the channels-last
kernels (``kernels/conv_strided.py``): what :class:`~neuronet.functional.conv.Conv2d` and
:class:`~neuronet.functional.conv.ConvTranspose2d` run when those kernels apply.

They apply to float32 NumPy arrays with numba on (``conv._compiled_sgemm`` found NumPy's sgemm),
one group, stride ≠ 1 (or, for a convolution, stride 1 with at most ``STRIDE1_MAX_POSITIONS``
output positions per image), zero padding and at least ``CHANNELS_LAST_MIN`` channels on the side
whose columns are built (a convolution's input, a transposed convolution's output).  The padding
is done by the kernels (no padded copy of the input, no crop of the padded gradient), and so is
a transposed convolution's crop and bias.  Everything else — and the reference these are tested
against — is ``conv.py``'s NumPy chunks.  The batch runs in ``chunk_bounds`` chunks, as there,
and dW is summed over chunks in chunk order: the same results at any thread count.
"""
from __future__ import annotations

from ..kernels import parallel
from ..kernels.parallel import chunk_bounds, fold_chunks, map_chunks

__all__ = ["channels_last_applies", "split_bytes", "strided_conv_forward", "strided_conv_backward",
           "strided_transpose_forward", "strided_transpose_backward"]


def channels_last_applies(sgemm, stride, channels, padding_mode="zeros", positions=None, recording=False) -> bool:
    """Whether the channels-last kernels run: ``sgemm`` found (numba on, float32 NumPy, one group),
    zero padding, enough ``channels`` for runs of C floats to pay, and a stride ≠ 1 or (a
    convolution's) few output ``positions`` per image: at most ``STRIDE1_MAX_POSITIONS[recording]``."""
    if sgemm is None or padding_mode != "zeros":
        return False
    if tuple(stride) == (1, 1) and (positions is None or positions > STRIDE1_MAX_POSITIONS[recording]):
        return False
    from ..kernels.conv_strided import CHANNELS_LAST_MIN
    return channels >= CHANNELS_LAST_MIN


# Stride-1 convolutions go channels last up to this many output positions per image, without and
# with a recorded gradient.  Their backward gains most: the per-image layout's thin dW and dX
# products (inner size OH·Wp, or O) and its junk columns (Wp − OW per row) cost more than building
# channels-last columns; its forward loses from 16×16 up.  Measured fwd+bwd, 64 images, 3×3 pad 1,
# 1 thread, per-image → channels last: 64→128 at 16×16 95→85 ms, 64→64 at 24×24 120→108, at 32×32
# 202→217; forward alone: 64→128 at 16×16 30→31, 32→64 at 16×16 9.4→11.7, 256→256 at 8×8 67→57,
# 512→512 at 4×4 111→64 (paired and interleaved, load average ≈ 1 on 2 CPUs).
STRIDE1_MAX_POSITIONS = {False: 64, True: 576}


def _bounds(n, k, positions, xp, weight_items=0):
    """Chunks of the batch by one image's columns (float32); with ``weight_items`` (O·K, a
    convolution's), chunks hold at least ``WEIGHT_CHUNKS``× the weight's bytes of columns while there
    are two chunks or more: each chunk zeroes, reorders and adds an (O, K) dW, which for a wide layer
    of few positions (ResNet's 512 channels at 4×4: 9.4 MB of dW against 0.3 MB of columns per image)
    cost as much as a third of its backward in 4 MiB chunks."""
    per_image = k * positions * 4
    target = max(parallel._CHUNK_BYTES, min(WEIGHT_CHUNKS * weight_items * 4, n * per_image // 2))
    return chunk_bounds(n, per_image, xp, target, split_bytes(weight_items))


def split_bytes(weight_items: int = 0) -> int:
    """``chunk_bounds``' split_bytes for chunks that each keep a weight-sized part (dW, O·K items):
    from ``parallel.SPLIT_BYTES`` on, but two halves must each hold ``WEIGHT_CHUNKS``× the part's
    bytes, or the parts cost more than the second thread saves (a wide layer at a small batch)."""
    return max(parallel.SPLIT_BYTES, 2 * WEIGHT_CHUNKS * weight_items * 4)


# (64 images, 3×3, 1 thread, CPU time of forward / backward, 4 MiB chunks → these: 512 channels at
# 4×4 64 / 158 → 60 / 117 ms, 256 at 8×8 57 / 110 → 55 / 102 ms, 128 at 16×16 unchanged; paired and
# interleaved, load average 2.9 on 2 CPUs)
WEIGHT_CHUNKS = 4


def _geometry(w_shape, stride, dilation):
    return (*w_shape[2:], *stride, *dilation)


def strided_conv_forward(sgemm, x, w, b, relu, pads, stride, dilation, out_hw, xp):
    """conv2d of x (N, C, H, W) by w (O, C, kh, kw) with zero padding ``pads`` (top, bottom, left,
    right), plus b (or None), through max(·, 0) when ``relu``: y (N, O, OH, OW)."""
    from ..kernels.conv_strided import strided_forward_images, weight_channels_last
    n, c, h, wd = x.shape
    o, k = w.shape[0], w.shape[1] * w.shape[2] * w.shape[3]
    hp, wp = h + pads[0] + pads[1], wd + pads[2] + pads[3]
    x, wl = xp.ascontiguousarray(x), weight_channels_last(xp.ascontiguousarray(w.reshape(o, k)), c, k // c)
    bias = xp.zeros(o, x.dtype) if b is None else xp.ascontiguousarray(b)
    y = xp.empty((n, o) + tuple(out_hw), dtype=x.dtype)
    flat, geometry = y.reshape(n, o, -1), _geometry(w.shape, stride, dilation)
    map_chunks(lambda s, e: strided_forward_images(sgemm, x, wl, bias, relu, flat, pads[0], pads[2], hp, wp, *out_hw,
                                                   *geometry, s, e), _bounds(n, k, out_hw[0] * out_hw[1], xp, o * k), x)
    return y


def strided_conv_backward(sgemm, x, w, y, gy, act, want_x, want_w, want_b, pads, stride, dilation, x_shape,
                          w_shape, xp):
    """Gradients (gx (N, C, H, W), gw (O, C, kh, kw), gb (O,); None where not wanted) of
    :func:`strided_conv_forward` followed by the activation with code ``act`` (``kernels/conv.py``'s
    ACTIVATION_CODES; y its output, read when act ≠ 0).  x is read for gw, w for gx."""
    from ..kernels.conv_strided import strided_backward_images, weight_channels_last, weight_from_channels_last
    n, c, h, wd = x_shape
    o, k = w_shape[0], w_shape[1] * w_shape[2] * w_shape[3]
    hp, wp = h + pads[0] + pads[1], wd + pads[2] + pads[3]
    oh, ow = gy.shape[2:]
    dtype = gy.dtype
    gy = xp.ascontiguousarray(gy).reshape(n, o, -1)
    y = gy if act == 0 else xp.ascontiguousarray(y).reshape(n, o, -1)
    unused = xp.empty((1, c, 1, 1), dtype)  # stands for an array the kernel is told not to read
    x = xp.ascontiguousarray(x) if want_w else unused
    wl = weight_channels_last(xp.ascontiguousarray(w.reshape(o, k)), c, k // c) if want_x else xp.empty((1, 1), dtype)
    gx = xp.empty(x_shape, dtype) if want_x else unused
    zeros_c = xp.zeros(c, dtype)
    geometry = _geometry(w_shape, stride, dilation)

    def chunk(s, e):  # dW channels last: one weight-sized array per chunk, reordered once for the total
        gwl, gb = xp.zeros((o, k) if want_w else (1, 1), dtype), xp.zeros(o, dtype)
        strided_backward_images(sgemm, x, wl, y, gy, act, gx, zeros_c, gwl, gb, want_x, want_w, want_b,
                                pads[0], pads[2], hp, wp, oh, ow, *geometry, s, e)
        return gwl, gb
    gwl, gb = fold_chunks(chunk, _bounds(n, k, oh * ow, xp, o * k), gy)  # summed in chunk order
    del wl
    gw = weight_from_channels_last(gwl, c, k // c).reshape(w_shape) if want_w else None
    gb = gb if want_b else None
    return (gx if want_x else None), gw, gb


def strided_transpose_forward(sgemm, x, w, b, padding, full_hw, out_hw, stride, dilation, xp):
    """conv_transpose2d of x (N, C_in, H, W) by w (C_in, C_out, kh, kw): the (padding-cropped) input
    gradient of the convolution it is the adjoint of, plus b (or None): y (N, C_out, OH, OW)."""
    from ..kernels.conv_strided import strided_backward_images, weight_channels_last
    n, c_in, h, wd = x.shape
    c_out, k = w.shape[1], w.shape[1] * w.shape[2] * w.shape[3]
    dtype = x.dtype
    gy = xp.ascontiguousarray(x).reshape(n, c_in, -1)
    wl = weight_channels_last(xp.ascontiguousarray(w.reshape(c_in, k)), c_out, k // c_out)
    bias = xp.zeros(c_out, dtype) if b is None else xp.ascontiguousarray(b)
    y = xp.empty((n, c_out) + tuple(out_hw), dtype)
    unused = xp.empty((1, c_out, 1, 1), dtype)
    gwl, gb = xp.empty((1, 1), dtype), xp.empty(c_in, dtype)  # not written (want_w, want_b off)
    geometry = _geometry(w.shape, stride, dilation)
    map_chunks(lambda s, e: strided_backward_images(sgemm, unused, wl, gy, gy, 0, y, bias, gwl, gb, True, False, False,
                                                    padding[0], padding[1], *full_hw, h, wd, *geometry, s, e),
               _bounds(n, k, h * wd, xp), x)
    return y


def strided_transpose_backward(sgemm, x, w, gy, want_x, want_w, padding, full_hw, stride, dilation, x_shape, w_shape,
                               xp):
    """Input and weight gradients of :func:`strided_transpose_forward` (None where not wanted):
    dX = the convolution of dY (zero-padded to the full output) by w, dW = Σ_b x[b]·columns(dY[b])ᵀ."""
    from ..kernels.conv_strided import (strided_backward_images, strided_forward_images, weight_channels_last,
                                        weight_from_channels_last)
    n, c_in, h, wd = x_shape
    c_out, k = w_shape[1], w_shape[1] * w_shape[2] * w_shape[3]
    dtype = gy.dtype
    gy = xp.ascontiguousarray(gy)
    geometry = _geometry(w_shape, stride, dilation)
    bounds = _bounds(n, k, h * wd, xp)
    gx = gw = None
    if want_x:
        gx = xp.empty(x_shape, dtype)
        wl = weight_channels_last(xp.ascontiguousarray(w.reshape(c_in, k)), c_out, k // c_out)
        zeros, flat = xp.zeros(c_in, dtype), gx.reshape(n, c_in, -1)
        map_chunks(lambda s, e: strided_forward_images(sgemm, gy, wl, zeros, False, flat, padding[0], padding[1],
                                                       *full_hw, h, wd, *geometry, s, e), bounds, gy)
    if want_w:
        xs = xp.ascontiguousarray(x).reshape(n, c_in, -1)
        unused, unused2 = xp.empty((1, c_out, 1, 1), dtype), xp.empty((1, 1), dtype)
        zeros_c = xp.zeros(c_out, dtype)

        def chunk(s, e):  # dW channels last, reordered once for the total
            part, gb = xp.zeros((c_in, k), dtype), xp.zeros(c_in, dtype)
            strided_backward_images(sgemm, gy, unused2, xs, xs, 0, unused, zeros_c, part, gb, False, True,
                                    False, padding[0], padding[1], *full_hw, h, wd, *geometry, s, e)
            return (part,)
        gw = weight_from_channels_last(fold_chunks(chunk, bounds, gy)[0], c_out, k // c_out).reshape(w_shape)
    return gx, gw
