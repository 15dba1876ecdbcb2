"""numba kernels for convolutions and col2im (optional: see ``compiled.py``; importing
this module imports numba).

``im2col.col2im`` and the chunked NumPy path of ``conv.Conv2d`` are the reference.
:func:`col2im_rows` works one image channel at a time (an (Hp·Wp) plane of a few KiB that
stays in L1) and does the same kh·kw shifted adds in the same order, so the sums are
bit-identical.  :func:`conv_forward_images` and :func:`conv_backward_images` run a one-group
convolution (any stride) image by image: one image's columns (C·kh·kw, OH·row; in the forward
at stride 1 a band of rows at a time, :func:`band_rows`) are built, used by NumPy's own sgemm
(``numba_sgemm.py``) and dropped while they are still in L2, instead of a chunk's columns going
through the outer cache, and a whole chunk of images runs without returning to Python (so
without the GIL).  Same layouts and products as the NumPy path; the order of the sums over
images (dW, db) differs, and a band's product may round differently from the whole image's.
"""
from __future__ import annotations

from ..backend import np
from .numba_sgemm import I64, PLAIN, ROW, TRANSPOSED, gemm
from .compiled import compile_kernel

__all__ = ["image_group", "band_rows",
           "col2im_rows", "col2im_strided", "conv_forward_images", "conv_backward_images", "conv_pool_forward_images",
           "conv_pool_backward_images", "ACTIVATION_CODES"]

_ZERO, _ONE = np.float32(0.0), np.float32(1.0)
ACTIVATION_CODES = {None: 0, "relu": 1, "tanh": 2, "sigmoid": 3}  # the fused activations the backward kernel knows

GROUP_COLUMNS = 128  # a strided layer's images share a product until it has about this many columns
BAND_BYTES = 256 * 1024  # a stride-1 image's forward columns and product, this many bytes of rows at a time


def image_group(stride, oh: int, ow: int) -> int:
    """Images per product in :func:`conv_forward_images`/:func:`conv_backward_images`: 1 at stride 1
    (rows of width Wp already give wide products), else enough for ``GROUP_COLUMNS`` output positions."""
    return 1 if tuple(stride) == (1, 1) else max(1, GROUP_COLUMNS // (oh * ow))


def band_rows(k: int, o: int, wp: int, rows: int, itemsize: int, multiple: int = 1) -> int:
    """Output rows per band of one stride-1 image in the forward kernels: the columns (k, band·Wp)
    and the product (o, band·Wp) of a band fit ``BAND_BYTES`` (so they stay in L2, and a large
    image needs no image-sized scratch), the ``rows`` are split into bands of equal height, a
    multiple of ``multiple`` (the pooling window's height), at least one multiple."""
    fit = max(multiple, BAND_BYTES // max(1, (k + o) * wp * itemsize))
    count = -(-rows // fit)  # bands needed
    band = -(-rows // count)  # their equal height
    return -(-band // multiple) * multiple


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


@compile_kernel
def col2im_strided(cols, out, sh, sw, dh, dw, oh, ow, row_width):
    """out (N, C, Hp, Wp) = Σ over offsets (i, j) of cols (N, C, kh, kw, OH·row_width) scattered to rows
    i·dh + sh·y and columns j·dw + sw·x (any stride): the same adds in the same order as the NumPy path,
    one channel plane at a time instead of kh·kw strided passes over the whole batch."""
    n, c, kh, kw = cols.shape[:4]
    for b in range(n):
        for ch in range(c):
            plane = out[b, ch]
            plane[:, :] = 0
            for i in range(kh):
                for j in range(kw):
                    src = cols[b, ch, i, j]
                    for y in range(oh):
                        row = plane[i * dh + sh * y]
                        base = y * row_width
                        for x in range(ow):
                            row[j * dw + sw * x] += src[base + x]


@compile_kernel(inline=True)
def _image_columns(image, cols, kh, kw, dh, dw, wp, length, base=0):
    """cols (C·kh·kw, rows·Wp) of one padded ``image`` (C, Hp·Wp) at stride 1 (``im2col``'s layout),
    for the output rows from ``base // Wp`` on (``base`` = 0: all of them); the columns from
    ``length`` on are zeroed so that they add nothing to dW.  (Loops over 1-D views: numba
    vectorises them; 2-D indexing in the inner loop ran 8× slower.)"""
    width = cols.shape[1]
    r = 0
    for ch in range(image.shape[0]):
        for i in range(kh):
            for j in range(kw):
                start = base + i * dh * wp + j * dw
                src, dst = image[ch, start:start + length], cols[r]
                for p in range(length):
                    dst[p] = src[p]
                for p in range(length, width):
                    dst[p] = _ZERO
                r += 1



@compile_kernel(inline=True)
def _strided_offsets(oh, ow, sh, sw, wp):
    """The flat offset in a padded plane of each output position's window, for kernel offset (0, 0)."""
    offsets = np.empty(oh * ow, np.int64)
    for y in range(oh):
        for x in range(ow):
            offsets[y * ow + x] = sh * y * wp + sw * x
    return offsets


@compile_kernel(inline=True)
def _image_columns_strided(image, cols, kh, kw, dh, dw, wp, offsets):
    """cols (C·kh·kw, OH·OW) of one padded ``image`` (C, Hp·Wp) at any stride (``im2col``'s
    layout for stride ≠ 1: row width OW, no junk columns); ``offsets`` from :func:`_strided_offsets`.
    (One gather loop over the OH·OW positions: row-by-row loops of OW ≈ 7 steps cost 2× more.)"""
    r = 0
    for ch in range(image.shape[0]):
        plane = image[ch]
        for i in range(kh):
            for j in range(kw):
                dst, start = cols[r], i * dh * wp + j * dw
                for p in range(offsets.size):
                    dst[p] = plane[start + offsets[p]]
                r += 1


@compile_kernel(inline=True)
def _fold_columns_strided(dcols, image, c, kh, kw, dh, dw, wp, offsets):
    """image (C, Hp·Wp) = col2im of one image's column gradients dcols (C·kh·kw, OH·OW) at any
    stride: the adds of ``im2col.col2im``'s NumPy path, in its order."""
    image[:, :] = _ZERO
    r = 0
    for ch in range(c):
        plane = image[ch]
        for i in range(kh):
            for j in range(kw):
                src, start = dcols[r], i * dh * wp + j * dw
                for p in range(offsets.size):
                    plane[start + offsets[p]] += src[p]
                r += 1


@compile_kernel(inline=True)
def _fold_columns(dcols, image, c, kh, kw, dh, dw, wp, length):
    """image (C, Hp·Wp) = col2im of one image's column gradients dcols (C·kh·kw, ≥ length) at stride 1."""
    image[:, :] = _ZERO
    r = 0
    for ch in range(c):
        for i in range(kh):
            for j in range(kw):
                start = i * dh * wp + j * dw
                src, dst = dcols[r], image[ch, start:start + length]
                for p in range(length):
                    dst[p] += src[p]
                r += 1


@compile_kernel(inline=True)
def _image_grads(sgemm, image, w2, gz, cols, dcols, image_gx, gwt, want_x, want_w, c, kh, kw, sh, sw, dh, dw, wp,
                 offsets, length):
    """For one image with dL/dz = gz (O, OH·row; row = Wp at stride 1, else OW): gwt (K, O) +=
    cols·gzᵀ, dW transposed (want_w), and image_gx (C, Hp·Wp) = col2im(Wᵀ·gz) (want_x); cols and
    dcols are (K, OH·row) scratch; ``offsets`` as :func:`_strided_offsets` gives them (read at stride ≠ 1)."""
    o, width = gz.shape
    k = cols.shape[0]
    unit = sh == 1 and sw == 1
    if want_w:
        if unit:
            _image_columns(image, cols, kh, kw, dh, dw, wp, length)
        else:
            _image_columns_strided(image, cols, kh, kw, dh, dw, wp, offsets)
        gemm(sgemm, ROW, PLAIN, TRANSPOSED, I64(k), I64(o), I64(width), _ONE, I64(cols.ctypes.data), I64(width),
             I64(gz.ctypes.data), I64(width), _ONE, I64(gwt.ctypes.data), I64(o))
    if want_x:  # dcols (K, OH·row) = Wᵀ (K, O) @ gz (O, OH·row), then folded back onto the padded image
        gemm(sgemm, ROW, TRANSPOSED, PLAIN, I64(k), I64(width), I64(o), _ONE, I64(w2.ctypes.data), I64(k),
             I64(gz.ctypes.data), I64(width), _ZERO, I64(dcols.ctypes.data), I64(width))
        if unit:
            _fold_columns(dcols, image_gx, c, kh, kw, dh, dw, wp, length)
        else:
            _fold_columns_strided(dcols, image_gx, c, kh, kw, dh, dw, wp, offsets)


@compile_kernel(inline=True)
def _band_product(sgemm, image, w2, cols, z, r0, rows, kh, kw, dh, dw, wp, ow):
    """z (O, rows·Wp) = W (O, K) @ the columns (K, rows·Wp) of the output rows r0:r0 + rows of one
    padded stride-1 ``image`` (C, Hp·Wp), in the flat scratch buffers ``cols`` and ``z``."""
    o, k = w2.shape
    width = rows * wp
    band_cols, band_z = cols[:k * width].reshape((k, width)), z[:o * width].reshape((o, width))
    _image_columns(image, band_cols, kh, kw, dh, dw, wp, (rows - 1) * wp + ow, r0 * wp)
    gemm(sgemm, ROW, PLAIN, PLAIN, I64(o), I64(width), I64(k), _ONE, I64(w2.ctypes.data), I64(k),
         I64(band_cols.ctypes.data), I64(width), _ZERO, I64(band_z.ctypes.data), I64(width))
    return band_z


@compile_kernel(inline=True)
def _store_rows(z, start, bias, relu, dst, rows, row, ow, first):
    """dst (O, OH·OW) rows first:first + rows = act(z + bias) from the columns start:start + rows·row
    of z (O, ·), the product's ``row``-wide rows (junk columns past OW at stride 1 are dropped)."""
    for oc in range(z.shape[0]):
        bias_oc, src, plane = bias[oc], z[oc], dst[oc]
        for r in range(rows):
            at, to = start + r * row, (first + r) * ow
            if relu:
                for q in range(ow):
                    v = src[at + q] + bias_oc
                    plane[to + q] = _ZERO if v < _ZERO else v  # NaN passes, as in np.maximum
            else:
                for q in range(ow):
                    plane[to + q] = src[at + q] + bias_oc


@compile_kernel
def conv_forward_images(sgemm, xflat, w2, bias, relu, y, oh, ow, kh, kw, sh, sw, dh, dw, wp, group, band, s, e):
    """y[b] = W·im2col(x[b]) + bias, then max(·, 0) when ``relu``, for the images b in s:e.

    xflat: padded input (N, C, Hp·Wp); w2: weight (O, C·kh·kw); bias (O,); y: output (N, O, OH·OW).
    At stride 1 each image runs in bands of ``band`` output rows (:func:`band_rows`), whose columns
    have rows of width Wp (``im2col``'s layout); at other strides the columns (rows of width OW) of
    ``group`` images sit side by side for one product (a strided layer's few output positions per
    image make a thin product that BLAS runs below its speed).
    """
    o, k = w2.shape
    if sh == 1 and sw == 1:
        band = min(band, oh)
        cols = np.empty(k * band * wp, np.float32)
        z = np.empty(o * band * wp, np.float32)
        for b in range(s, e):
            for r0 in range(0, oh, band):
                rows = min(band, oh - r0)
                band_z = _band_product(sgemm, xflat[b], w2, cols, z, r0, rows, kh, kw, dh, dw, wp, ow)
                _store_rows(band_z, 0, bias, relu, y[b], rows, wp, ow, r0)
        return
    width = oh * ow
    span = group * width  # leading dimension of cols and z
    cols = np.empty((k, span), np.float32)
    z = np.empty((o, span), np.float32)
    offsets = _strided_offsets(oh, ow, sh, sw, wp)
    for b0 in range(s, e, group):
        count = min(group, e - b0)
        for j in range(count):
            _image_columns_strided(xflat[b0 + j], cols[:, j * width:(j + 1) * width], kh, kw, dh, dw, wp, offsets)
        # z (O, count·width) = W (O, K) @ cols (K, count·width)
        gemm(sgemm, ROW, PLAIN, PLAIN, I64(o), I64(count * width), I64(k), _ONE, I64(w2.ctypes.data), I64(k),
             I64(cols.ctypes.data), I64(span), _ZERO, I64(z.ctypes.data), I64(span))
        for j in range(count):
            _store_rows(z, j * width, bias, relu, y[b0 + j], oh, ow, ow, 0)


@compile_kernel(reassociate=True)  # the bias-gradient sums vectorise
def conv_backward_images(sgemm, xflat, w2, y, gy, act, gxflat, gwt, gb, want_x, want_w, want_b,
                         oh, ow, kh, kw, sh, sw, dh, dw, wp, group, s, e):
    """Gradients of :func:`conv_forward_images` (activation ``act``: 0 none, 1 relu, 2 tanh, 3
    sigmoid, written with the output y) for the images b in s:e; gy and y are (N, O, OH·OW).

    gz = dL/dz; gwt (K, O) += cols·gzᵀ, dW transposed (BLAS runs this orientation of the product
    1.1-1.7× faster than gz·colsᵀ when O is the smaller side); gb (O,) += Σ gz; gxflat[b] (C, Hp·Wp)
    = col2im(Wᵀ·gz).  gwt and gb accumulate (the caller zeroes them); gxflat is overwritten for each
    image.  Arrays that the ``want_*`` flags leave unread may be placeholders (the sizes come from gy
    and gwt).
    ``group`` images share each product, as in :func:`conv_forward_images`.
    """
    o, k = gy.shape[1], gwt.shape[0]
    c = k // (kh * kw)
    unit = sh == 1 and sw == 1
    row = wp if unit else ow
    width, length = oh * row, (oh - 1) * wp + ow
    span = group * width
    gz = np.zeros((o, span), np.float32)  # the junk columns q ≥ OW (stride 1) stay zero
    cols = np.empty((k, span), np.float32)
    dcols = np.empty((k, span), np.float32)
    offsets = _strided_offsets(oh, ow, sh, sw, wp)
    for b0 in range(s, e, group):
        count = min(group, e - b0)
        for j in range(count):
            b = b0 + j
            for oc in range(o):
                g, dst, out = gy[b, oc], gz[oc, j * width:(j + 1) * width], y[b, oc]  # (OH·OW) planes, (OH·row) rows
                total = _ZERO
                for r in range(oh):
                    at, to = r * ow, r * row
                    if act == 1:
                        for q in range(ow):
                            dst[to + q] = g[at + q] * (_ONE if out[at + q] > _ZERO else _ZERO)  # d/dz max(z, 0) = [z > 0]
                    elif act == 2:
                        for q in range(ow):
                            dst[to + q] = g[at + q] * (_ONE - out[at + q] * out[at + q])  # d/dz tanh z = 1 − tanh² z
                    elif act == 3:
                        for q in range(ow):
                            dst[to + q] = g[at + q] * (out[at + q] * (_ONE - out[at + q]))  # d/dz σ(z) = σ(z)(1 − σ(z))
                    else:
                        for q in range(ow):
                            dst[to + q] = g[at + q]
                    if want_b:
                        for q in range(ow):
                            total += dst[to + q]
                gb[oc] += total
        columns = count * width
        if want_w:  # gwt (K, O) += cols (K, count·width) @ gz (O, count·width)ᵀ
            for j in range(count):
                block = cols[:, j * width:(j + 1) * width]
                if unit:
                    _image_columns(xflat[b0 + j], block, kh, kw, dh, dw, wp, length)
                else:
                    _image_columns_strided(xflat[b0 + j], block, kh, kw, dh, dw, wp, offsets)
            gemm(sgemm, ROW, PLAIN, TRANSPOSED, I64(k), I64(o), I64(columns), _ONE, I64(cols.ctypes.data), I64(span),
                 I64(gz.ctypes.data), I64(span), _ONE, I64(gwt.ctypes.data), I64(o))
        if want_x:  # dcols (K, count·width) = Wᵀ (K, O) @ gz, then each image's block folded back onto it
            gemm(sgemm, ROW, TRANSPOSED, PLAIN, I64(k), I64(columns), I64(o), _ONE, I64(w2.ctypes.data), I64(k),
                 I64(gz.ctypes.data), I64(span), _ZERO, I64(dcols.ctypes.data), I64(span))
            for j in range(count):
                block = dcols[:, j * width:(j + 1) * width]
                if unit:
                    _fold_columns(block, gxflat[b0 + j], c, kh, kw, dh, dw, wp, length)
                else:
                    _fold_columns_strided(block, gxflat[b0 + j], c, kh, kw, dh, dw, wp, offsets)


@compile_kernel
def _pool_image(z, bias, relu, pooled, arg, top, where, kept, ph, pw, wp, first=0):
    """pooled, arg (O, POH·POW) of one image's act(z + bias), z (O, rows·Wp): the rows // ph pooled
    rows from ``first`` on; arg = the row-major index of each window's first maximum, + ph·pw where
    the value there is > 0 (the ReLU's mask for the gradient sent there: not the maximum's when a
    NaN came after it); top, where and kept (the value at where) are (POW,) scratch rows.  (A
    function of its own: inlined into the convolution kernel, LLVM left these loops scalar and 4×
    slower.)"""
    o, pow_ = pooled.shape[0], top.shape[0]
    poh = z.shape[1] // (ph * wp)
    for oc in range(o):
        bias_oc, src = bias[oc], z[oc]
        for r in range(poh):
            for i in range(ph):
                base = (r * ph + i) * wp
                for j in range(pw):
                    here = np.int32(i * pw + j)
                    if i == 0 and j == 0:
                        for q in range(pow_):
                            v = src[base + q * pw] + bias_oc
                            top[q] = kept[q] = _ZERO if relu and v < _ZERO else v
                            where[q] = here
                    else:
                        for q in range(pow_):
                            v = src[base + q * pw + j] + bias_oc
                            v = _ZERO if relu and v < _ZERO else v
                            m, w = top[q], where[q]
                            greater = np.int32(v > m)
                            where[q] = w + greater * (here - w)  # arithmetic, not a select: no branch
                            kept[q] = v if v > m else kept[q]
                            top[q] = v if v > m or v != v else m  # NaN: the maximum becomes NaN
            out, index = pooled[oc], arg[oc]
            for q in range(pow_):
                out[(first + r) * pow_ + q] = top[q]
                index[(first + r) * pow_ + q] = where[q] + (ph * pw if kept[q] > _ZERO else 0)


@compile_kernel(inline=True)
def window_max4(a, b, c, d):
    """(maximum, index) of a 2×2 window's values a, b, c, d in row-major order, by selects (random
    data would mispredict branches): ties keep the first maximum, a NaN makes the maximum NaN, and
    the index (uint8) is that of the first maximum, + 4 where the value there is > 0 — the ReLU's
    mask for the gradient sent there, not the maximum's when a NaN came after it."""
    m, w, there = a, np.uint8(0), a  # there: the value at w
    w, there = (np.uint8(1), b) if b > m else (w, there)
    m = b if b > m or b != b else m
    w, there = (np.uint8(2), c) if c > m else (w, there)
    m = c if c > m or c != c else m
    w, there = (np.uint8(3), d) if d > m else (w, there)
    m = d if d > m or d != d else m
    return m, w + (np.uint8(4) if there > _ZERO else np.uint8(0))


@compile_kernel
def _pool_image_2x2(z, bias, relu, pooled, arg, pow_, wp, first=0):
    """:func:`_pool_image` for 2×2 windows: the four values of a window are read in one loop step
    (offsets 2q and 2q + 1 of two rows), which LLVM turns into interleaved vector loads, so the loop
    runs in SIMD where the general one's stride-pw reads stay scalar.  The same row-major scan, with
    selects (:func:`window_max4`)."""
    o = pooled.shape[0]
    poh = z.shape[1] // (2 * wp)
    for oc in range(o):
        bias_oc, src, out, index = bias[oc], z[oc], pooled[oc], arg[oc]
        for r in range(poh):
            upper, lower = src[2 * r * wp:2 * r * wp + 2 * pow_], src[(2 * r + 1) * wp:(2 * r + 1) * wp + 2 * pow_]
            at_row = (first + r) * pow_
            dst, at = out[at_row:at_row + pow_], index[at_row:at_row + pow_]
            for q in range(pow_):
                a, b = upper[2 * q] + bias_oc, upper[2 * q + 1] + bias_oc
                c, d = lower[2 * q] + bias_oc, lower[2 * q + 1] + bias_oc
                if relu:
                    a, b = (_ZERO if a < _ZERO else a), (_ZERO if b < _ZERO else b)
                    c, d = (_ZERO if c < _ZERO else c), (_ZERO if d < _ZERO else d)
                dst[q], at[q] = window_max4(a, b, c, d)


@compile_kernel
def conv_pool_forward_images(sgemm, xflat, w2, bias, relu, pooled, arg, oh, ow, ph, pw, kh, kw, dh, dw, wp, band,
                             s, e):
    """pooled[b] = max_pool(act(W·im2col(x[b]) + bias)) over (ph, pw) windows at stride (ph, pw),
    for the images b in s:e; arg (uint8: windows of at most 127) = row-major index i·pw + j of
    each window's FIRST maximum, + ph·pw where the value there is > 0 (the backward's ReLU mask).

    Each image runs in bands of ``band`` output rows (a multiple of ph, :func:`band_rows`): a
    band's columns (C·kh·kw, band·Wp) and its (O, band·Wp) product stay in cache and the
    full-size activation is never written; rows past the last whole window are not computed.
    pooled and arg are (N, O, POH·POW) with POH = OH // ph, POW = OW // pw (rows and columns past
    the last whole window are dropped, as max_pool2d does).  One pass per window offset into small
    local accumulators, with selects instead of branches (random data would mispredict them); the
    order, ties and NaN rule are ``pool.MaxPool2d``'s.
    """
    o, k = w2.shape
    pow_, rows_used = ow // pw, (oh // ph) * ph
    band = min(band, rows_used)
    cols = np.empty(k * band * wp, np.float32)
    z = np.empty(o * band * wp, np.float32)
    top, kept = np.empty(pow_, np.float32), np.empty(pow_, np.float32)
    where = np.empty(pow_, np.int32)  # arg may be int32: windows of more than 128 values
    for b in range(s, e):
        for r0 in range(0, rows_used, band):
            rows = min(band, rows_used - r0)
            band_z = _band_product(sgemm, xflat[b], w2, cols, z, r0, rows, kh, kw, dh, dw, wp, ow)
            if ph == 2 and pw == 2:
                _pool_image_2x2(band_z, bias, relu, pooled[b], arg[b], pow_, wp, r0 // 2)
            else:
                _pool_image(band_z, bias, relu, pooled[b], arg[b], top, where, kept, ph, pw, wp, r0 // ph)


@compile_kernel(reassociate=True)  # the bias-gradient sums vectorise
def conv_pool_backward_images(sgemm, xflat, w2, arg, gp, relu, gxflat, gwt, gb, want_x, want_w,
                              oh, ow, ph, pw, kh, kw, dh, dw, wp, s, e):
    """Gradients of :func:`conv_pool_forward_images` for the images b in s:e, from the pooled
    output's gradient gp (N, O, POH·POW): each window's gradient goes to its first maximum, through
    the ReLU when the value there is > 0 (arg's flag); then dW, db and dX as :func:`conv_backward_images`."""
    o, k = gp.shape[1], gwt.shape[0]
    c = k // (kh * kw)
    poh, pow_, window = oh // ph, ow // pw, ph * pw
    width, length = oh * wp, (oh - 1) * wp + ow
    gz = np.zeros((o, width), np.float32)  # only the window maxima are written, and cleared after each image
    cols = np.empty((k, width), np.float32)
    dcols = np.empty((k, width), np.float32)
    offsets = np.empty(0, np.int64)  # stride 1: not read
    for b in range(s, e):
        for oc in range(o):
            g, index, dst = gp[b, oc], arg[b, oc], gz[oc]
            total = _ZERO
            for r in range(poh):
                for q in range(pow_):
                    p = r * pow_ + q
                    k = index[p]
                    v = g[p] * (_ONE if not relu or k >= window else _ZERO)  # d/dz max(z, 0) = [z > 0]
                    k = k - window if k >= window else k
                    i = k // pw
                    dst[(r * ph + i) * wp + q * pw + k - i * pw] = v
                    total += v
            gb[oc] += total
        _image_grads(sgemm, xflat[b], w2, gz, cols, dcols, gxflat[b], gwt, want_x, want_w, c, kh, kw, 1, 1, dh, dw, wp,
                     offsets, length)
        for oc in range(o):
            index, dst = arg[b, oc], gz[oc]
            for r in range(poh):
                for q in range(pow_):
                    k = index[r * pow_ + q]
                    k = k - window if k >= window else k
                    i = k // pw
                    dst[(r * ph + i) * wp + q * pw + k - i * pw] = _ZERO
