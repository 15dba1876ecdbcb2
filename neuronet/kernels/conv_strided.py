"""numba kernels for strided one-group convolutions through channels-last columns (optional: see
``compiled.py``; importing this module imports numba).

At stride ≠ 1 the columns of ``conv.py`` gather one float at a time (each output position reads
its window through an offset table) and the fold of the input gradient scatters one float at a
time; with the zero padding copied in and the padded gradient cropped out around them, that
cost DCGAN's 4×4/2 layers about half as much again as their products.  Here each image is
transposed once to channels last, zero-padded on the way, into a (Hp·Wp, C) scratch image whose
border stays zero; then every (output position, kernel row) is one contiguous run of kw·C
floats (C at dilation > 1), both when the columns (P, kh·kw·C) are built and when the column
gradients are added back, and numba vectorises the runs.  The fold's result is written back
transposed and cropped (plus a per-channel bias: a transposed convolution's output).  The
products take the columns as they lie (``sgemm``'s transposed flags; the forward computes zᵀ =
cols·Wᵀ from a transposed copy of W, the one order where neither operand is read transposed,
which OpenBLAS packs slowly); the weight is reordered to (O, kh, kw, C) once per call, and dW
is accumulated in that order and reordered once, after the chunks' parts are summed (one
weight-sized array per chunk).  Zero padding only; the same
products per image as the NumPy path (``functional.conv.Conv2d``'s chunks), summed in another order.
"""
from __future__ import annotations

from ..backend import np
from .compiled import compile_kernel
from .numba_sgemm import I64, PLAIN, ROW, TRANSPOSED, gemm

__all__ = ["CHANNELS_LAST_MIN", "GROUP_POSITIONS", "strided_forward_images", "strided_backward_images",
           "weight_channels_last", "weight_from_channels_last"]

_ZERO, _ONE = np.float32(0.0), np.float32(1.0)
CHANNELS_LAST_MIN = 8  # channels from which runs of C floats beat the one-float gather (one AVX2 vector)
GROUP_POSITIONS = 192  # images share a product until it has about this many output positions


@compile_kernel
def _to_channels_last(image, last, top, left, wp):
    """The interior of ``last`` (Hp·Wp, C) = ``image`` (C, H, W) transposed, from padded pixel
    (top, left) on; the border is left as it is (zero).  Contiguous writes, strided reads."""
    c, h, w = image.shape
    for r in range(h):
        for q in range(w):
            dst = last[(r + top) * wp + q + left]
            for ch in range(c):
                dst[ch] = image[ch, r, q]


@compile_kernel
def _from_channels_last(last, image, top, left, wp, bias):
    """``image`` (C, H, W) = the interior of ``last`` (Hp·Wp, C) from padded pixel (top, left) on,
    transposed back, plus bias (C,)."""
    c, h, w = image.shape
    for ch in range(c):
        plane, bias_ch = image[ch], bias[ch]
        for r in range(h):
            row, at = plane[r], (r + top) * wp + left
            for q in range(w):
                row[q] = last[at + q, ch] + bias_ch


@compile_kernel
def _columns(last, cols, row0, oh, ow, kh, kw, sh, sw, dh, dw, wp):
    """cols[row0 + y·OW + x] (rows of kh·kw·C) = the window of output (y, x): for each kernel offset
    (i, j) the C channels at padded pixel (sh·y + dh·i, sw·x + dw·j) of ``last`` (Hp·Wp, C) —
    at dilation 1 one run of kw·C floats per kernel row.  (Row views and indices from ``range``:
    an index like r + t, not known ≥ 0, keeps numba's negative-index check in the loop and ran 3× slower.)"""
    c = last.shape[1]
    flat = last.reshape(-1)
    run, pieces = (kw * c, 1) if dw == 1 else (c, kw)
    for y in range(oh):
        for x in range(ow):
            dst = cols[row0 + y * ow + x]
            r = 0
            for i in range(kh):
                base = ((sh * y + dh * i) * wp + sw * x) * c
                for j in range(pieces):
                    src, to = flat[base + j * dw * c:base + j * dw * c + run], dst[r:r + run]
                    for t in range(run):
                        to[t] = src[t]
                    r += run


@compile_kernel
def _fold(dcols, last, row0, oh, ow, kh, kw, sh, sw, dh, dw, wp):
    """last (Hp·Wp, C) = Σ of the column gradients dcols[row0 + y·OW + x] added back on their
    windows (col2im in channels-last order): positions row by row, kernel offsets in order."""
    c = last.shape[1]
    flat = last.reshape(-1)
    flat[:] = _ZERO
    run, pieces = (kw * c, 1) if dw == 1 else (c, kw)
    for y in range(oh):
        for x in range(ow):
            src = dcols[row0 + y * ow + x]
            r = 0
            for i in range(kh):
                base = ((sh * y + dh * i) * wp + sw * x) * c
                for j in range(pieces):
                    dst, add = flat[base + j * dw * c:base + j * dw * c + run], src[r:r + run]
                    for t in range(run):
                        dst[t] += add[t]
                    r += run


@compile_kernel
def weight_channels_last(w2, c, taps):
    """w2 (O, C·taps) in PyTorch's (O, C, kh, kw) order → (O, taps·C), channels last: the weight as
    the kernels below take it (reordered once per call by the caller, shared by its chunks)."""
    o = w2.shape[0]
    out = np.empty((o, taps * c), np.float32)
    for oc in range(o):
        for ch in range(c):
            for t in range(taps):
                out[oc, t * c + ch] = w2[oc, ch * taps + t]
    return out


@compile_kernel
def weight_from_channels_last(wl, c, taps):
    """The inverse of :func:`weight_channels_last`: (O, taps·C) → (O, C·taps), PyTorch's order."""
    o = wl.shape[0]
    out = np.empty((o, c * taps), np.float32)
    for oc in range(o):
        for ch in range(c):
            for t in range(taps):
                out[oc, ch * taps + t] = wl[oc, t * c + ch]
    return out


@compile_kernel
def strided_forward_images(sgemm, x, wl, bias, relu, y, top, left, hp, wp, oh, ow, kh, kw, sh, sw, dh, dw, s, e):
    """y[b] = W·im2col(pad(x[b])) + bias, then max(·, 0) when ``relu``, for the images b in s:e.

    x: input (N, C, H, W), zero-padded here by (top, left) to (Hp, Wp); wl: the weight channels last
    (O, kh·kw·C, :func:`weight_channels_last`);
    bias (O,); y: output (N, O, OH·OW).  ``conv.conv_forward_images``'s result, through
    channels-last columns; ``GROUP_POSITIONS`` output positions share each product.
    """
    o, k = wl.shape
    c, p = x.shape[1], oh * ow
    group = max(1, GROUP_POSITIONS // p)
    span = group * p
    last = np.zeros((hp * wp, c), np.float32)  # the border stays zero: only the interior is written
    cols = np.empty((span, k), np.float32)
    wt = np.ascontiguousarray(wl.T)  # (K, O): both operands of the product plain (see below)
    zt = np.empty((span, o), np.float32)
    for b0 in range(s, e, group):
        count = min(group, e - b0)
        for j in range(count):
            _to_channels_last(x[b0 + j], last, top, left, wp)
            _columns(last, cols, j * p, oh, ow, kh, kw, sh, sw, dh, dw, wp)
        # zᵀ (count·P, O) = cols (count·P, K) @ Wᵀ (K, O): OpenBLAS packs a transposed operand slowly,
        # and W (O, K) @ colsᵀ ran at 88 against 119 GFLOP/s (64 × 147 × 512, 1 thread)
        gemm(sgemm, ROW, PLAIN, PLAIN, I64(count * p), I64(o), I64(k), _ONE, I64(cols.ctypes.data), I64(k),
             I64(wt.ctypes.data), I64(o), _ZERO, I64(zt.ctypes.data), I64(o))
        for j in range(count):
            for oc in range(o):
                bias_oc, src, dst = bias[oc], zt[j * p:(j + 1) * p, oc], y[b0 + j, oc]
                if relu:
                    for q in range(p):
                        v = src[q] + bias_oc
                        dst[q] = _ZERO if v < _ZERO else v  # NaN passes, as in np.maximum
                else:
                    for q in range(p):
                        dst[q] = src[q] + bias_oc


@compile_kernel(reassociate=True)  # the bias-gradient sums vectorise
def strided_backward_images(sgemm, x, wl, y, gy, act, gx, gx_bias, gwl, gb, want_x, want_w, want_b,
                            top, left, hp, wp, oh, ow, kh, kw, sh, sw, dh, dw, s, e):
    """Gradients of :func:`strided_forward_images` (activation ``act``: 0 none, 1 relu, 2 tanh,
    3 sigmoid, written with the output y) for the images b in s:e; gy and y are (N, O, OH·OW).

    gz = dL/dz; gwl (O, kh·kw·C) += gz·colsᵀ, dW channels last (the caller sums its chunks' and
    reorders the total once: :func:`weight_from_channels_last`); gb (O,) += Σ gz; gx[b] (C, H, W) =
    the unpadded part of col2im(Wᵀ·gz) + gx_bias (C,) (zeros for a gradient; a transposed
    convolution's bias when this computes its output), W read channels last from wl.  gwl and gb
    accumulate (the caller zeroes them); gx is overwritten.  Arrays that the ``want_*`` flags leave
    unread may be placeholders, except that x or gx (the one read) gives C.
    """
    o = gy.shape[1]
    c, p = (gx.shape[1] if want_x else x.shape[1]), oh * ow
    k = c * kh * kw
    group = max(1, GROUP_POSITIONS // p)
    span = group * p
    gz = np.empty((o, span), np.float32)
    last = np.zeros((hp * wp, c) if want_w else (0, c), np.float32)  # x[b] padded: the border stays zero
    folded = np.empty((hp * wp, c) if want_x else (0, c), np.float32)  # the padded gradient of x[b]
    cols = np.empty((span if want_w or want_x else 0, k), np.float32)  # the columns, then their gradients
    for b0 in range(s, e, group):
        count = min(group, e - b0)
        for j in range(count):
            b = b0 + j
            for oc in range(o):
                g, dst, out = gy[b, oc], gz[oc, j * p:(j + 1) * p], y[b, oc]
                if act == 1:
                    for q in range(p):
                        dst[q] = g[q] * (_ONE if out[q] > _ZERO else _ZERO)  # d/dz max(z, 0) = [z > 0]
                elif act == 2:
                    for q in range(p):
                        dst[q] = g[q] * (_ONE - out[q] * out[q])  # d/dz tanh z = 1 − tanh² z
                elif act == 3:
                    for q in range(p):
                        dst[q] = g[q] * (out[q] * (_ONE - out[q]))  # d/dz σ(z) = σ(z)(1 − σ(z))
                else:
                    for q in range(p):
                        dst[q] = g[q]
                if want_b:
                    total = _ZERO
                    for q in range(p):
                        total += dst[q]
                    gb[oc] += total
        rows = count * p
        if want_w:  # dW (O, K) += gz (O, count·P) @ cols (count·P, K)
            for j in range(count):
                _to_channels_last(x[b0 + j], last, top, left, wp)
                _columns(last, cols, j * p, oh, ow, kh, kw, sh, sw, dh, dw, wp)
            gemm(sgemm, ROW, PLAIN, PLAIN, I64(o), I64(k), I64(rows), _ONE, I64(gz.ctypes.data), I64(span),
                 I64(cols.ctypes.data), I64(k), _ONE, I64(gwl.ctypes.data), I64(k))
        if want_x:  # dcols (count·P, K) = gz (O, count·P)ᵀ @ W (O, K), each image's rows folded back
            gemm(sgemm, ROW, TRANSPOSED, PLAIN, I64(rows), I64(k), I64(o), _ONE, I64(gz.ctypes.data), I64(span),
                 I64(wl.ctypes.data), I64(k), _ZERO, I64(cols.ctypes.data), I64(k))
            for j in range(count):
                _fold(cols, folded, j * p, oh, ow, kh, kw, sh, sw, dh, dw, wp)
                _from_channels_last(folded, gx[b0 + j], top, left, wp, gx_bias)
