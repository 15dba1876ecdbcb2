"""Array helpers shared by convolution and pooling: argument checks, padding, im2col and col2im.

These work on raw arrays (no autograd).  Columns use the layout ``(N, C, kh, kw, OH·row)``:
``im2col`` fills it with one slice copy of the whole batch per kernel offset — at stride 1 a
single long contiguous run per image and offset — so a convolution is then one batched matrix
product ``W (O, C·kh·kw) @ cols[n] (C·kh·kw, OH·row)`` whose result is already NCHW, and
``col2im`` (its adjoint) is one slice-add per kernel offset.  Padding modes follow PyTorch: zeros, reflect, replicate, circular.
"""
from __future__ import annotations

from ..backend import array_module, np
from ..kernels.compiled import kernel_arrays

__all__ = ["as_tuple", "out_size", "same_padding", "pad_nchw", "unpad_nchw", "im2col", "im2col_row_width", "col2im", "PADDING_MODES"]

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
_NUMPY_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def as_tuple(fn: str, name: str, value, n: int, minimum: int = 1) -> tuple:
    """``value`` (an int or a sequence of ``n`` ints, each ≥ ``minimum``) as an ``n``-tuple of ints."""
    if type(value) is int and value >= minimum:  # the common cases first: conv and pool layers call this per call
        return (value,) * n
    if type(value) is tuple and len(value) == n and all(type(v) is int and v >= minimum for v in value):
        return value
    items = (value,) * n if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else value
    try:
        items = tuple(items)
    except TypeError:
        items = None
    if (items is None or len(items) != n
            or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < minimum for v in items)):
        raise ValueError(f"{fn}: {name} must be an int ≥ {minimum} or a tuple of {n} such ints, got {value!r}")
    return tuple(int(v) for v in items)


def out_size(size: int, kernel: int, stride: int, pad_total: int, dilation: int = 1,
             ceil_mode: bool = False, pad_before: int = 0) -> int:
    """Output length ⌊(in + P − d(K−1) − 1)/S⌋ + 1 (⌈⌉ with ``ceil_mode``, PyTorch's rule: the
    last window must start inside the input or the left padding)."""
    span = size + pad_total - dilation * (kernel - 1) - 1
    if span < 0:
        return 0
    n = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (n - 1) * stride >= size + pad_before:
        n -= 1
    return n


def pad_nchw(x, pads, mode: str = "zeros", value=0.0):
    """``x`` (N, C, H, W) padded by ``pads`` = (top, bottom, left, right) in ``mode``; ``x`` itself when no padding."""
    top, bottom, left, right = pads
    if not any(pads):
        return x
    xp = array_module(x)
    n, c, h, w = x.shape
    if mode == "zeros":
        out = xp.full((n, c, h + top + bottom, w + left + right), value, dtype=x.dtype)
        out[:, :, top:top + h, left:left + w] = x
        return out
    return xp.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), mode=_NUMPY_MODE[mode])


def unpad_nchw(g, pads, shape, mode: str = "zeros"):
    """Adjoint of :func:`pad_nchw`: the gradient of the unpadded input from the padded one's ``g``."""
    top, bottom, left, right = pads
    if not any(pads):
        return g
    h, w = shape[2:]
    if mode == "zeros":
        return g[:, :, top:top + h, left:left + w]
    g = _fold_axis(g, 3, left, right, w, mode)  # columns first, over every padded row
    return _fold_axis(g, 2, top, bottom, h, mode)


def _fold_axis(g, axis: int, before: int, after: int, size: int, mode: str):
    """Crop ``axis`` of ``g`` to the input and add each padded slice's gradient to the slice it copies."""
    if not before and not after:
        return g
    def at(k):
        return (slice(None),) * axis + (k,)
    out = g[(slice(None),) * axis + (slice(before, before + size),)].copy()
    for k in list(range(before)) + list(range(before + size, before + size + after)):
        out[at(_source(k - before, size, mode))] += g[at(k)]
    return out


def _source(j: int, size: int, mode: str) -> int:
    """The index of the input element that padded position ``j`` (relative to the input start) copies."""
    if mode == "reflect":
        return -j if j < 0 else 2 * (size - 1) - j
    if mode == "replicate":
        return min(max(j, 0), size - 1)
    return j % size  # circular


def im2col_row_width(padded_width: int, stride, out_hw) -> int:
    """The row width of :func:`im2col`'s columns: the padded width at stride 1, else OW."""
    return padded_width if tuple(stride) == (1, 1) else out_hw[1]


def im2col(xpad, kernel, stride, dilation, out_hw, out=None):
    """Columns of the padded input (N, C, Hp, Wp) for every kernel offset, and their row width.

    Returns ``(cols, row_width)``: cols has shape (N, C, kh, kw, OH·row_width).  At stride 1 a
    row is a whole padded input row (row_width = Wp): each kernel offset is then ONE contiguous
    slice of the flattened image, and output columns ≥ OW are junk the caller crops away (the
    last few are zero).  At other strides row_width = OW and each offset is a strided slice.
    ``out`` (contiguous, that shape) receives the columns instead of a new array.
    """
    xp = array_module(xpad)
    xpad = xp.ascontiguousarray(xpad)
    n, c, hp, wp = xpad.shape
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_hw
    sn, sc, sy, sx = xpad.strides
    # ONE strided copy for all offsets: a single call (the GIL is released once, not kh·kw times)
    if sh == sw == 1:
        cols = xp.empty((n, c, kh, kw, oh * wp), dtype=xpad.dtype) if out is None else out.reshape(n, c, kh, kw, -1)
        length = (oh - 1) * wp + ow  # offset (i, j) is the run starting at i·dh·Wp + j·dw of the flat image
        windows = xp.lib.stride_tricks.as_strided(xpad, (n, c, kh, kw, length), (sn, sc, dh * sy, dw * sx, sx))
        xp.copyto(cols[..., :length], windows)
        cols[..., length:] = 0
        return cols, wp
    cols = xp.empty((n, c, kh, kw, oh, ow), dtype=xpad.dtype) if out is None else out.reshape(n, c, kh, kw, oh, ow)
    windows = xp.lib.stride_tricks.as_strided(xpad, (n, c, kh, kw, oh, ow), (sn, sc, dh * sy, dw * sx, sh * sy, sw * sx))
    xp.copyto(cols, windows)
    return cols.reshape(n, c, kh, kw, oh * ow), ow


def col2im(cols, padded_shape, stride, dilation, out_hw, out=None):
    """Adjoint of :func:`im2col`: sum columns (N, C, kh, kw, OH·row_width) back into an (N, C, Hp, Wp) array.

    Junk columns (those ≥ OW in a row of width Wp) must hold zeros.  ``out`` (contiguous,
    (N, C, Hp, Wp)) is overwritten with the result instead of allocating one.
    """
    xp = array_module(cols)
    n, c, kh, kw = cols.shape[:4]
    hp, wp = padded_shape[2:]
    (sh, sw), (dh, dw), (oh, ow) = stride, dilation, out_hw
    row_width = cols.shape[-1] // oh
    if sh == sw == 1 and row_width == wp:
        length = (oh - 1) * wp + ow
        if kernel_arrays(cols) and (out is None or kernel_arrays(out)):  # per-plane, in L1 (kernels/conv.py)
            from ..kernels.conv import col2im_rows
            out = xp.empty((n, c, hp, wp), dtype=cols.dtype) if out is None else out
            col2im_rows(cols, out.reshape(n, c, hp * wp), dh, dw, wp, length)
            return out
        if out is None:
            out = xp.zeros((n, c, hp, wp), dtype=cols.dtype)
        else:
            out[...] = 0
        flat = out.reshape(n, c, hp * wp)
        for i in range(kh):
            for j in range(kw):
                start = i * dh * wp + j * dw
                flat[:, :, start:start + length] += cols[:, :, i, j, :length]
        return out
    if kernel_arrays(cols) and (out is None or kernel_arrays(out)):  # per-plane, compiled (kernels/conv.py)
        from ..kernels.conv import col2im_strided
        out = xp.empty((n, c, hp, wp), dtype=cols.dtype) if out is None else out
        col2im_strided(xp.ascontiguousarray(cols), out, sh, sw, dh, dw, oh, ow, row_width)
        return out
    if out is None:
        out = xp.zeros((n, c, hp, wp), dtype=cols.dtype)
    else:
        out[...] = 0
    cols = cols.reshape(n, c, kh, kw, oh, row_width)
    for i in range(kh):
        for j in range(kw):
            out[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh, j * dw:j * dw + sw * (ow - 1) + 1:sw] += cols[:, :, i, j, :, :ow]
    return out


def same_padding(kernel, dilation) -> tuple:
    """(top, bottom, left, right) that keep the size at stride 1; the odd pixel goes after (PyTorch)."""
    pads = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        pads += [total // 2, total - total // 2]
    return tuple(pads)
