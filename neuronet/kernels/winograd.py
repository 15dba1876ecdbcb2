"""numba kernels for Winograd F(2×2, 3×3) convolutions, per chunk of images (optional: see
``compiled.py``; importing this module imports numba).

The algorithm and its NumPy implementation, the reference these kernels are tested against, are in
``functional/conv_winograd.py``.  Here a group of images at a time is transformed into V (16, C, P)
(P = the group's tiles), multiplied by U (16, O, C) in 16 ``sgemm`` calls made from compiled code
(no GIL, no Python per product) and transformed back; the buffers are sized to the group, so they
stay in cache.  Every transform loop runs over the tiles of one tile row, so that it vectorises: the
input gradient's tiles overlap, so each row of tiles is transformed into a buffer first and added
back in four passes that do not overlap.
"""
from __future__ import annotations

from ..backend import np
from .compiled import compile_kernel
from .numba_sgemm import I64, PLAIN, ROW, TRANSPOSED

__all__ = ["winograd_forward_images", "winograd_backward_images", "transform_weight", "transform_weight_adjoint",
           "plane_floats", "TILES_PER_PRODUCT"]

_ZERO, _ONE = np.float32(0.0), np.float32(1.0)
TILES_PER_PRODUCT = 256  # images share the 16 products until they have about this many tiles
_F32 = 4  # bytes per float32, for pointer arithmetic


@compile_kernel(inline=True)
def _input_tiles(image, v, ld, p0, th, tw, wp):
    """v[ξ, c·ld + p0 + TW·y + x] = (Bᵀ·d·B)[ξ] for the 4×4 tile d at rows 2y.., columns 2x.. of
    image (C, Hp·Wp), Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]]."""
    for ci in range(image.shape[0]):
        img = image[ci]
        for ty in range(th):
            top, base = 2 * ty * wp, ci * ld + p0 + ty * tw
            d0, d1, d2, d3 = img[top:top + wp], img[top + wp:top + 2 * wp], img[top + 2 * wp:top + 3 * wp], \
                img[top + 3 * wp:top + 4 * wp]
            v0, v1, v2, v3 = v[0, base:base + tw], v[1, base:base + tw], v[2, base:base + tw], \
                v[3, base:base + tw]
            v4, v5, v6, v7 = v[4, base:base + tw], v[5, base:base + tw], v[6, base:base + tw], \
                v[7, base:base + tw]
            v8, v9, v10, v11 = v[8, base:base + tw], v[9, base:base + tw], v[10, base:base + tw], \
                v[11, base:base + tw]
            v12, v13, v14, v15 = v[12, base:base + tw], v[13, base:base + tw], v[14, base:base + tw], \
                v[15, base:base + tw]
            for tx in range(tw):
                a = 2 * tx
                # t = Bᵀ·d: rows d0 − d2, d1 + d2, d2 − d1, d1 − d3 (4 values each)
                t00, t01, t02, t03 = d0[a] - d2[a], d0[a + 1] - d2[a + 1], d0[a + 2] - d2[a + 2], d0[a + 3] - d2[a + 3]
                t10, t11, t12, t13 = d1[a] + d2[a], d1[a + 1] + d2[a + 1], d1[a + 2] + d2[a + 2], d1[a + 3] + d2[a + 3]
                t20, t21, t22, t23 = d2[a] - d1[a], d2[a + 1] - d1[a + 1], d2[a + 2] - d1[a + 2], d2[a + 3] - d1[a + 3]
                t30, t31, t32, t33 = d1[a] - d3[a], d1[a + 1] - d3[a + 1], d1[a + 2] - d3[a + 2], d1[a + 3] - d3[a + 3]
                # V = t·B, the same on each row's 4 values
                v0[tx] = t00 - t02
                v1[tx] = t01 + t02
                v2[tx] = t02 - t01
                v3[tx] = t01 - t03
                v4[tx] = t10 - t12
                v5[tx] = t11 + t12
                v6[tx] = t12 - t11
                v7[tx] = t11 - t13
                v8[tx] = t20 - t22
                v9[tx] = t21 + t22
                v10[tx] = t22 - t21
                v11[tx] = t21 - t23
                v12[tx] = t30 - t32
                v13[tx] = t31 + t32
                v14[tx] = t32 - t31
                v15[tx] = t31 - t33


@compile_kernel(inline=True)
def _output_tiles(m, ld, p0, out, bias, relu, th, tw, row):
    """out[o, (2y + i)·row + 2x + j] = (Aᵀ·m·A)[i, j] + bias[o] (then max(·, 0) when ``relu``) for
    the tiles of one image in m (16, O·ld) from column p0 of each row o, Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]]."""
    for oc in range(out.shape[0]):
        b = bias[oc]
        for ty in range(th):
            base, r0 = oc * ld + p0 + ty * tw, 2 * ty * row
            top, bottom = out[oc, r0:r0 + row], out[oc, r0 + row:r0 + 2 * row]
            m0, m1, m2, m3 = m[0, base:base + tw], m[1, base:base + tw], m[2, base:base + tw], \
                m[3, base:base + tw]
            m4, m5, m6, m7 = m[4, base:base + tw], m[5, base:base + tw], m[6, base:base + tw], \
                m[7, base:base + tw]
            m8, m9, m10, m11 = m[8, base:base + tw], m[9, base:base + tw], m[10, base:base + tw], \
                m[11, base:base + tw]
            m12, m13, m14, m15 = m[12, base:base + tw], m[13, base:base + tw], m[14, base:base + tw], \
                m[15, base:base + tw]
            for tx in range(tw):
                # Aᵀ·m: rows m_0 + m_1 + m_2 and m_1 − m_2 − m_3 of the 4×4 tile
                s0, s1, s2, s3 = m0[tx] + m4[tx] + m8[tx], m1[tx] + m5[tx] + m9[tx], m2[tx] + m6[tx] + m10[tx], \
                    m3[tx] + m7[tx] + m11[tx]
                q0, q1, q2, q3 = m4[tx] - m8[tx] - m12[tx], m5[tx] - m9[tx] - m13[tx], m6[tx] - m10[tx] - m14[tx], \
                    m7[tx] - m11[tx] - m15[tx]
                y00, y01 = s0 + s1 + s2 + b, s1 - s2 - s3 + b
                y10, y11 = q0 + q1 + q2 + b, q1 - q2 - q3 + b
                if relu:  # NaN passes, as in np.maximum
                    y00 = _ZERO if y00 < _ZERO else y00
                    y01 = _ZERO if y01 < _ZERO else y01
                    y10 = _ZERO if y10 < _ZERO else y10
                    y11 = _ZERO if y11 < _ZERO else y11
                top[2 * tx] = y00
                top[2 * tx + 1] = y01
                bottom[2 * tx] = y10
                bottom[2 * tx + 1] = y11


@compile_kernel(inline=True)
def _output_grad_tiles(gz, dm, ld, p0, th, tw):
    """dm[ξ, o·ld + p0 + TW·y + x] = (A·g·Aᵀ)[ξ] for the 2×2 blocks g of gz (O, 2TH·2TW), A = (Aᵀ)ᵀ."""
    row = 2 * tw
    for oc in range(gz.shape[0]):
        for ty in range(th):
            base, r0 = oc * ld + p0 + ty * tw, 2 * ty * row
            top, bottom = gz[oc, r0:r0 + row], gz[oc, r0 + row:r0 + 2 * row]
            m0, m1, m2, m3 = dm[0, base:base + tw], dm[1, base:base + tw], dm[2, base:base + tw], \
                dm[3, base:base + tw]
            m4, m5, m6, m7 = dm[4, base:base + tw], dm[5, base:base + tw], dm[6, base:base + tw], \
                dm[7, base:base + tw]
            m8, m9, m10, m11 = dm[8, base:base + tw], dm[9, base:base + tw], dm[10, base:base + tw], \
                dm[11, base:base + tw]
            m12, m13, m14, m15 = dm[12, base:base + tw], dm[13, base:base + tw], dm[14, base:base + tw], \
                dm[15, base:base + tw]
            for tx in range(tw):
                g00, g01, g10, g11 = top[2 * tx], top[2 * tx + 1], bottom[2 * tx], bottom[2 * tx + 1]
                # A·g, rows g_0, g_0 + g_1, g_0 − g_1, −g_1; then the same on each row's 2 values
                b0, b1 = g00 + g10, g01 + g11
                c0, c1 = g00 - g10, g01 - g11
                m0[tx], m1[tx], m2[tx], m3[tx] = g00, g00 + g01, g00 - g01, -g01
                m4[tx], m5[tx], m6[tx], m7[tx] = b0, b0 + b1, b0 - b1, -b1
                m8[tx], m9[tx], m10[tx], m11[tx] = c0, c0 + c1, c0 - c1, -c1
                m12[tx], m13[tx], m14[tx], m15[tx] = -g10, -g10 - g11, g11 - g10, g11


@compile_kernel(inline=True)
def _input_grad_tiles(dv, ld, p0, image, buf, th, tw, wp):
    """image (C, Hp·Wp) = Σ over tiles of B·dV·Bᵀ placed at the tile (rows 2y.., columns 2x..), from
    dv (16, C·ld) at column p0 of each row c; ``buf`` (16, TW) holds one row of transformed tiles."""
    for ci in range(image.shape[0]):
        img = image[ci]
        img[:] = _ZERO
        for ty in range(th):
            base = ci * ld + p0 + ty * tw
            e0, e1, e2, e3 = dv[0, base:base + tw], dv[1, base:base + tw], dv[2, base:base + tw], \
                dv[3, base:base + tw]
            f0, f1, f2, f3 = dv[4, base:base + tw], dv[5, base:base + tw], dv[6, base:base + tw], \
                dv[7, base:base + tw]
            g0, g1, g2, g3 = dv[8, base:base + tw], dv[9, base:base + tw], dv[10, base:base + tw], \
                dv[11, base:base + tw]
            h0, h1, h2, h3 = dv[12, base:base + tw], dv[13, base:base + tw], dv[14, base:base + tw], \
                dv[15, base:base + tw]
            for tx in range(tw):
                # B·dV, rows: e, f − g + h, −e + f + g, −h (e..h the rows of dV); then ·Bᵀ the same on columns
                r0, r1, r2, r3 = e0[tx], e1[tx], e2[tx], e3[tx]
                buf[0, tx], buf[1, tx], buf[2, tx], buf[3, tx] = r0, r1 - r2 + r3, r1 + r2 - r0, -r3
                r0, r1, r2, r3 = f0[tx] - g0[tx] + h0[tx], f1[tx] - g1[tx] + h1[tx], f2[tx] - g2[tx] + h2[tx], \
                    f3[tx] - g3[tx] + h3[tx]
                buf[4, tx], buf[5, tx], buf[6, tx], buf[7, tx] = r0, r1 - r2 + r3, r1 + r2 - r0, -r3
                r0, r1, r2, r3 = f0[tx] + g0[tx] - e0[tx], f1[tx] + g1[tx] - e1[tx], f2[tx] + g2[tx] - e2[tx], \
                    f3[tx] + g3[tx] - e3[tx]
                buf[8, tx], buf[9, tx], buf[10, tx], buf[11, tx] = r0, r1 - r2 + r3, r1 + r2 - r0, -r3
                r0, r1, r2, r3 = h0[tx], h1[tx], h2[tx], h3[tx]
                buf[12, tx], buf[13, tx], buf[14, tx], buf[15, tx] = -r0, r2 - r1 - r3, r0 - r1 - r2, r3
            for i in range(4):  # tile x covers columns 2x..2x+3: columns 2x, 2x+1 then 2x+2, 2x+3 (no overlap within a pass)
                dst = img[(2 * ty + i) * wp:(2 * ty + i + 1) * wp]
                for q in range(2):
                    even, odd = buf[4 * i + 2 * q], buf[4 * i + 2 * q + 1]
                    for tx in range(tw):
                        dst[2 * tx + 2 * q] += even[tx]
                        dst[2 * tx + 2 * q + 1] += odd[tx]


@compile_kernel(inline=True)
def _load_image(image, scratch, h, w, top, left, wp):
    """scratch (C, Hp·Wp) at rows top.., columns left.. = image (C, H·W): the zero-padded image the
    tiles read; the border, zeroed once by the caller, is never written."""
    for ci in range(image.shape[0]):
        src, dst = image[ci], scratch[ci]
        for r in range(h):
            at, to = r * w, (top + r) * wp + left
            for q in range(w):
                dst[to + q] = src[at + q]


@compile_kernel(inline=True)
def _store_crop(scratch, image, h, w, top, left, wp):
    """image (C, H·W) = scratch (C, Hp·Wp) at rows top.., columns left..: the input gradient
    without the padding's rows and columns (the adjoint of :func:`_load_image`)."""
    for ci in range(image.shape[0]):
        src, dst = scratch[ci], image[ci]
        for r in range(h):
            at, to = (top + r) * wp + left, r * w
            for q in range(w):
                dst[to + q] = src[at + q]


@compile_kernel(inline=True)
def plane_floats(items):
    """Floats per ξ-plane of a (16, ·) buffer holding ``items``: a whole number of 64-byte lines, and
    an odd number of them, so that the 16 planes start in 16 different L1 sets.  Planes a power of
    two apart (64 channels × 256 tiles) put the 16 streams of a tile loop in one set: measured 9×
    slower transforms."""
    lines = -(-items // 16)
    return 16 * (lines if lines % 2 else lines + 1)


@compile_kernel
def transform_weight(w9, u):
    """u[ξ, o·C + c] = (G·g·Gᵀ)[ξ] for each 3×3 kernel g = w9[o·C + c] (9 values, row-major),
    G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]; u's 16 planes as :func:`plane_floats` pads them."""
    half = np.float32(0.5)
    for i in range(w9.shape[0]):
        g = w9[i]
        # T = G·g, rows of 3: g_0, (g_0 + g_1 + g_2)/2, (g_0 − g_1 + g_2)/2, g_2; then U = T·Gᵀ the same on each row
        for r in range(4):
            if r == 0:
                t0, t1, t2 = g[0], g[1], g[2]
            elif r == 1:
                t0, t1, t2 = (g[0] + g[3] + g[6]) * half, (g[1] + g[4] + g[7]) * half, (g[2] + g[5] + g[8]) * half
            elif r == 2:
                t0, t1, t2 = (g[0] - g[3] + g[6]) * half, (g[1] - g[4] + g[7]) * half, (g[2] - g[5] + g[8]) * half
            else:
                t0, t1, t2 = g[6], g[7], g[8]
            u[4 * r, i] = t0
            u[4 * r + 1, i] = (t0 + t1 + t2) * half
            u[4 * r + 2, i] = (t0 - t1 + t2) * half
            u[4 * r + 3, i] = t2


@compile_kernel(inline=True)
def _times_g(q0, q1, q2, q3, out, at):
    """out[at:at + 3] = (q0, q1, q2, q3)·G: q0 + (q1 + q2)/2, (q1 − q2)/2, (q1 + q2)/2 + q3."""
    half = np.float32(0.5)
    out[at] = q0 + (q1 + q2) * half
    out[at + 1] = (q1 - q2) * half
    out[at + 2] = (q1 + q2) * half + q3


@compile_kernel
def transform_weight_adjoint(du, w9):
    """w9[o·C + c] (9 values) = Gᵀ·dU·G of the 4×4 values du[·, o·C + c]: the adjoint of :func:`transform_weight`."""
    half = np.float32(0.5)
    for i in range(w9.shape[0]):
        out = w9[i]
        # R = Gᵀ·dU, rows of 4: dU_0 + (dU_1 + dU_2)/2, (dU_1 − dU_2)/2, (dU_1 + dU_2)/2 + dU_3; then each row ·G
        s0, s1, s2, s3 = du[4, i] + du[8, i], du[5, i] + du[9, i], du[6, i] + du[10, i], du[7, i] + du[11, i]
        d0, d1, d2, d3 = du[4, i] - du[8, i], du[5, i] - du[9, i], du[6, i] - du[10, i], du[7, i] - du[11, i]
        _times_g(du[0, i] + s0 * half, du[1, i] + s1 * half, du[2, i] + s2 * half, du[3, i] + s3 * half, out, 0)
        _times_g(d0 * half, d1 * half, d2 * half, d3 * half, out, 3)
        _times_g(s0 * half + du[12, i], s1 * half + du[13, i], s2 * half + du[14, i], s3 * half + du[15, i], out, 6)


@compile_kernel
def winograd_forward_images(sgemm, x, h, w, top, left, u, c, bias, relu, y, full, th, tw, wp, oh, ow, group, s, e):
    """y[b] (O, OH·OW) = the 3×3 convolution of x[b] (C, H·W) zero-padded by ``top`` rows and
    ``left`` columns (and below and right as far as the tiles reach: Hp = 2TH + 2 rows of Wp = 2TW + 2)
    with the transformed weight u (16 planes of (O, C) at :func:`plane_floats` apart:
    :func:`transform_weight`), + bias, then max(·, 0) when ``relu``, for the images b in s:e.
    ``group`` images share the 16 products; ``full`` (O, 2TH·2TW) is scratch for odd OH or OW,
    cropped into y.  Each image is padded in a scratch buffer of its own size (in cache)."""
    o = y.shape[1]
    tiles = th * tw
    span = group * tiles  # the leading dimension of each plane's (C, span) or (O, span) matrix
    pv, pm = plane_floats(c * span), plane_floats(o * span)
    v = np.empty((16, pv), np.float32)
    m = np.empty((16, pm), np.float32)
    padded = np.zeros((c, (2 * th + 2) * wp), np.float32)
    even = oh == 2 * th and ow == 2 * tw
    for b0 in range(s, e, group):
        count = min(group, e - b0)
        for j in range(count):
            _load_image(x[b0 + j], padded, h, w, top, left, wp)
            _input_tiles(padded, v, span, j * tiles, th, tw, wp)
        for xi in range(16):  # M[ξ] (O, count·tiles) = U[ξ] (O, C) @ V[ξ] (C, count·tiles)
            sgemm(ROW, PLAIN, PLAIN, I64(o), I64(count * tiles), I64(c), _ONE,
                  I64(u.ctypes.data + xi * u.shape[1] * _F32), I64(c), I64(v.ctypes.data + xi * pv * _F32),
                  I64(span), _ZERO, I64(m.ctypes.data + xi * pm * _F32), I64(span))
        for j in range(count):
            if even:
                _output_tiles(m, span, j * tiles, y[b0 + j], bias, relu, th, tw, ow)
            else:
                _output_tiles(m, span, j * tiles, full, bias, relu, th, tw, 2 * tw)
                dst = y[b0 + j]
                for oc in range(o):
                    for r in range(oh):
                        src, to = full[oc, r * 2 * tw:r * 2 * tw + ow], dst[oc, r * ow:(r + 1) * ow]
                        for q in range(ow):
                            to[q] = src[q]


@compile_kernel(reassociate=True)  # the bias-gradient sums vectorise
def winograd_backward_images(sgemm, x, h, w, top, left, u, c, y, gy, act, gx, du, gb, want_x, want_w, want_b,
                             th, tw, wp, oh, ow, group, s, e):
    """Gradients of :func:`winograd_forward_images` (activation ``act``: 0 none, 1 relu, 2 tanh,
    3 sigmoid, written with the output y) for the images b in s:e; gy and y are (N, O, OH·OW).

    gz = dL/dz; du (16 planes as u's) += Σ dM[ξ]·V[ξ]ᵀ (dW before :func:`transform_weight_adjoint`);
    gb (O,) += Σ gz; gx[b] (C, H·W) = Σ_tiles B·(U[ξ]ᵀ·dM[ξ])·Bᵀ without the padding (x and gx as in
    :func:`winograd_forward_images`).  du and gb accumulate (the caller zeroes them); gx is
    overwritten.  Arrays that the ``want_*`` flags leave unread may be placeholders.
    """
    o = gy.shape[1]
    tiles = th * tw
    span = group * tiles
    row = 2 * tw
    pv, pm = plane_floats(c * span), plane_floats(o * span)
    gz = np.zeros((o, 2 * th * row), np.float32)  # beyond OH, OW it stays zero
    dm = np.empty((16, pm), np.float32)
    v = np.empty((16, pv), np.float32)  # the input's tiles (dW), then their gradients (dX)
    buf = np.empty((16, tw), np.float32)
    padded = np.zeros((c, (2 * th + 2) * wp), np.float32)  # one image padded (its border stays zero)
    gpadded = np.empty((c, (2 * th + 2) * wp), np.float32)  # one image's padded gradient
    for b0 in range(s, e, group):
        count = min(group, e - b0)
        for j in range(count):
            b = b0 + j
            for oc in range(o):
                g, out, dst = gy[b, oc], y[b, oc], gz[oc]
                total = _ZERO
                for r in range(oh):
                    at, to = r * ow, r * row
                    if act == 1:
                        for q in range(ow):
                            dst[to + q] = g[at + q] * (_ONE if out[at + q] > _ZERO else _ZERO)  # d/dz max(z, 0)
                    elif act == 2:
                        for q in range(ow):
                            dst[to + q] = g[at + q] * (_ONE - out[at + q] * out[at + q])  # d/dz tanh z
                    elif act == 3:
                        for q in range(ow):
                            dst[to + q] = g[at + q] * (out[at + q] * (_ONE - out[at + q]))  # d/dz σ(z)
                    else:
                        for q in range(ow):
                            dst[to + q] = g[at + q]
                    if want_b:
                        for q in range(ow):
                            total += dst[to + q]
                gb[oc] += total
            _output_grad_tiles(gz, dm, span, j * tiles, th, tw)
        cols = count * tiles
        if want_w:  # dU[ξ] (O, C) += dM[ξ] (O, cols) @ V[ξ] (C, cols)ᵀ
            for j in range(count):
                _load_image(x[b0 + j], padded, h, w, top, left, wp)
                _input_tiles(padded, v, span, j * tiles, th, tw, wp)
            for xi in range(16):
                sgemm(ROW, PLAIN, TRANSPOSED, I64(o), I64(c), I64(cols), _ONE, I64(dm.ctypes.data + xi * pm * _F32),
                      I64(span), I64(v.ctypes.data + xi * pv * _F32), I64(span), _ONE,
                      I64(du.ctypes.data + xi * du.shape[1] * _F32), I64(c))
        if want_x:  # dV[ξ] (C, cols) = U[ξ]ᵀ (C, O) @ dM[ξ] (O, cols), then back onto each image
            for xi in range(16):
                sgemm(ROW, TRANSPOSED, PLAIN, I64(c), I64(cols), I64(o), _ONE, I64(u.ctypes.data + xi * u.shape[1] * _F32),
                      I64(c), I64(dm.ctypes.data + xi * pm * _F32), I64(span), _ZERO,
                      I64(v.ctypes.data + xi * pv * _F32), I64(span))
            for j in range(count):
                _input_grad_tiles(v, span, j * tiles, gpadded, buf, th, tw, wp)
                _store_crop(gpadded, gx[b0 + j], h, w, top, left, wp)
