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
TILES_PER_PRODUCT = 64  # images share the 16 products until they have about this many tiles (16 to 128 measured: 64 best)
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
                v0[tx], v1[tx], v2[tx], v3[tx] = _times_b(t00, t01, t02, t03)
                v4[tx], v5[tx], v6[tx], v7[tx] = _times_b(t10, t11, t12, t13)
                v8[tx], v9[tx], v10[tx], v11[tx] = _times_b(t20, t21, t22, t23)
                v12[tx], v13[tx], v14[tx], v15[tx] = _times_b(t30, t31, t32, t33)


@compile_kernel(inline=True)
def _times_b(t0, t1, t2, t3):
    """(t0, t1, t2, t3)·B = t0 − t2, t1 + t2, t2 − t1, t1 − t3, B = [[1, 0, 0, 0], [0, 1, −1, 1], [−1, 1, 1, 0], [0, 0, 0, −1]]."""
    return t0 - t2, t1 + t2, t2 - t1, t1 - t3


@compile_kernel(inline=True)
def _output_tiles(m, at, n, b, relu, q):
    """q[2i + j, p] = (Aᵀ·m·A)[i, j] + b (then max(·, 0) when ``relu``) for the n tiles p whose 16
    values m[ξ, at + p] are, Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]].  One loop over all of a group's
    tiles (its images lie side by side in m): long enough to vectorise well, with four outputs."""
    m0, m1, m2, m3 = m[0, at:at + n], m[1, at:at + n], m[2, at:at + n], m[3, at:at + n]
    m4, m5, m6, m7 = m[4, at:at + n], m[5, at:at + n], m[6, at:at + n], m[7, at:at + n]
    m8, m9, m10, m11 = m[8, at:at + n], m[9, at:at + n], m[10, at:at + n], m[11, at:at + n]
    m12, m13, m14, m15 = m[12, at:at + n], m[13, at:at + n], m[14, at:at + n], m[15, at:at + n]
    q0, q1, q2, q3 = q[0], q[1], q[2], q[3]
    for p in range(n):
        # Aᵀ·m: rows m_0 + m_1 + m_2 and m_1 − m_2 − m_3 of the 4×4 tile; then the same on each row
        s0, s1, s2, s3 = m0[p] + m4[p] + m8[p], m1[p] + m5[p] + m9[p], m2[p] + m6[p] + m10[p], m3[p] + m7[p] + m11[p]
        d0, d1, d2, d3 = m4[p] - m8[p] - m12[p], m5[p] - m9[p] - m13[p], m6[p] - m10[p] - m14[p], \
            m7[p] - m11[p] - m15[p]
        y00, y01 = s0 + s1 + s2 + b, s1 - s2 - s3 + b
        y10, y11 = d0 + d1 + d2 + b, d1 - d2 - d3 + b
        if relu:  # NaN passes, as in np.maximum
            y00 = _ZERO if y00 < _ZERO else y00
            y01 = _ZERO if y01 < _ZERO else y01
            y10 = _ZERO if y10 < _ZERO else y10
            y11 = _ZERO if y11 < _ZERO else y11
        q0[p] = y00
        q1[p] = y01
        q2[p] = y10
        q3[p] = y11


@compile_kernel(inline=True)
def _place_blocks(q, p0, out, th, tw, oh, ow):
    """out (OH·OW) = the 2×2 blocks q[2i + j, p0 + TW·y + x] put at rows 2y + i, columns 2x + j,
    cropped to OH, OW (the last tiles of an odd size hang over)."""
    for ty in range(th):
        for i in range(2):
            r = 2 * ty + i
            if r < oh:
                row = out[r * ow:(r + 1) * ow]
                at = p0 + ty * tw
                even, odd = q[2 * i, at:at + tw], q[2 * i + 1, at:at + tw]
                for tx in range(ow // 2):
                    row[2 * tx] = even[tx]
                    row[2 * tx + 1] = odd[tx]
                if ow % 2:
                    row[ow - 1] = even[tw - 1]


@compile_kernel(inline=True)
def _gz(g, out, act, i):
    """gz = g·f'(z) at index i of one channel, from dL/dy g and the output y = out (``act`` as in
    :func:`winograd_backward_images`)."""
    if act == 1:
        return g[i] * (_ONE if out[i] > _ZERO else _ZERO)  # d/dz max(z, 0)
    if act == 2:
        return g[i] * (_ONE - out[i] * out[i])  # d/dz tanh z
    if act == 3:
        return g[i] * (out[i] * (_ONE - out[i]))  # d/dz σ(z)
    return g[i]


@compile_kernel(inline=True)
def _output_grad_tile(dm, p, g00, g01, g10, g11):
    """dm[ξ, p] = (A·g·Aᵀ)[ξ] for the 2×2 block g = (g00, g01; g10, g11), A = (Aᵀ)ᵀ."""
    # A·g, rows g_0, g_0 + g_1, g_0 − g_1, −g_1; then the same on each row's 2 values
    b0, b1 = g00 + g10, g01 + g11
    c0, c1 = g00 - g10, g01 - g11
    dm[0, p], dm[1, p], dm[2, p], dm[3, p] = g00, g00 + g01, g00 - g01, -g01
    dm[4, p], dm[5, p], dm[6, p], dm[7, p] = b0, b0 + b1, b0 - b1, -b1
    dm[8, p], dm[9, p], dm[10, p], dm[11, p] = c0, c0 + c1, c0 - c1, -c1
    dm[12, p], dm[13, p], dm[14, p], dm[15, p] = -g10, -g10 - g11, g11 - g10, g11


@compile_kernel(inline=True)
def _output_grad_image(g, out, act, dm, at, th, tw, oh, ow):
    """dm[ξ, at + TW·y + x] = A·gz·Aᵀ of the 2×2 block of gz = g·f'(z) at rows 2y.., columns 2x.. of
    one channel of one image (g and the output y = out, OH·OW each; 0 beyond OH, OW).  Returns
    Σ gz (for the bias).  One pass straight from g to dm: the whole tiles of a row of tiles in
    one loop, then those that hang over the last row or column."""
    total = _ZERO
    rows, cols = oh // 2, ow // 2  # the tile rows and columns that lie wholly inside
    for ty in range(th):
        r0 = 2 * ty * ow
        r1, base = r0 + ow, at + ty * tw
        first = 0
        if ty < rows:
            for tx in range(cols):
                a = 2 * tx
                g00, g01 = _gz(g, out, act, r0 + a), _gz(g, out, act, r0 + a + 1)
                g10, g11 = _gz(g, out, act, r1 + a), _gz(g, out, act, r1 + a + 1)
                total += (g00 + g01) + (g10 + g11)
                _output_grad_tile(dm, base + tx, g00, g01, g10, g11)
            first = cols
        for tx in range(first, tw):
            a = 2 * tx
            below, right = 2 * ty + 1 < oh, a + 1 < ow
            g00 = _gz(g, out, act, r0 + a)
            g01 = _gz(g, out, act, r0 + a + 1) if right else _ZERO
            g10 = _gz(g, out, act, r1 + a) if below else _ZERO
            g11 = _gz(g, out, act, r1 + a + 1) if below and right else _ZERO
            total += (g00 + g01) + (g10 + g11)
            _output_grad_tile(dm, base + tx, g00, g01, g10, g11)
    return total


@compile_kernel(inline=True)
def _times_bt(a0, a1, a2, a3, o0, o1, o2, o3, n):
    """(o0, o1, o2, o3)[p] = (a0, a1, a2, a3)[p]·Bᵀ: a0, a1 − a2 + a3, a1 + a2 − a0, −a3."""
    for p in range(n):
        o0[p], o1[p], o2[p], o3[p] = a0[p], a1[p] - a2[p] + a3[p], a1[p] + a2[p] - a0[p], -a3[p]


@compile_kernel(inline=True)
def _input_grad_blocks(dv, at, n, r):
    """r[4i + j, p] = (B·dV·Bᵀ)[i, j] for the n tiles p whose 16 values dV[ξ] are dv[ξ, at + p]:
    one loop over a group's tiles of one channel, long enough to vectorise well."""
    e0, e1, e2, e3 = dv[0, at:at + n], dv[1, at:at + n], dv[2, at:at + n], dv[3, at:at + n]
    f0, f1, f2, f3 = dv[4, at:at + n], dv[5, at:at + n], dv[6, at:at + n], dv[7, at:at + n]
    g0, g1, g2, g3 = dv[8, at:at + n], dv[9, at:at + n], dv[10, at:at + n], dv[11, at:at + n]
    h0, h1, h2, h3 = dv[12, at:at + n], dv[13, at:at + n], dv[14, at:at + n], dv[15, at:at + n]
    # B·dV, rows: e, f − g + h, −e + f + g, −h (e..h the rows of dV); then ·Bᵀ the same on columns.
    # Four loops of four outputs each: with sixteen, the compiler keeps the loop scalar.
    _times_bt(e0, e1, e2, e3, r[0], r[1], r[2], r[3], n)
    r4, r5, r6, r7 = r[4], r[5], r[6], r[7]
    for p in range(n):
        a0, a1, a2, a3 = f0[p] - g0[p] + h0[p], f1[p] - g1[p] + h1[p], f2[p] - g2[p] + h2[p], f3[p] - g3[p] + h3[p]
        r4[p], r5[p], r6[p], r7[p] = a0, a1 - a2 + a3, a1 + a2 - a0, -a3
    r8, r9, r10, r11 = r[8], r[9], r[10], r[11]
    for p in range(n):
        a0, a1, a2, a3 = f0[p] + g0[p] - e0[p], f1[p] + g1[p] - e1[p], f2[p] + g2[p] - e2[p], f3[p] + g3[p] - e3[p]
        r8[p], r9[p], r10[p], r11[p] = a0, a1 - a2 + a3, a1 + a2 - a0, -a3
    r12, r13, r14, r15 = r[12], r[13], r[14], r[15]
    for p in range(n):
        a0, a1, a2, a3 = h0[p], h1[p], h2[p], h3[p]
        r12[p], r13[p], r14[p], r15[p] = -a0, a2 - a1 - a3, a0 - a1 - a2, a3


@compile_kernel(inline=True)
def _place_input_grad(r, p0, out, th, tw, h, w, top, left):
    """out (H·W) = one channel of one image's input gradient: the sum over its tiles of the 4×4
    blocks r[4i + j, p0 + TW·y + x] at padded rows 2y + i, columns 2x + j, without the padding.
    Padded row R = 2a + b takes rows b of tile row a and b + 2 of tile row a − 1, column C = 2c + d
    columns d of tile c and d + 2 of tile c − 1: every element is written once, as a sum of four
    (r's rows 16-19, zeros, stand for the tile rows above the first and below the last)."""
    for rr in range(h):
        a, b = (rr + top) // 2, (rr + top) % 2
        dst = out[rr * w:(rr + 1) * w]
        ta = tb = 16  # r's rows for tile row a (this row's b) and a − 1 (b + 2), at columns at, bt
        at = bt = 0
        if a < th:
            ta, at = 4 * b, p0 + a * tw
        if a >= 1:
            tb, bt = 4 * b + 8, p0 + (a - 1) * tw
        e0, e2, f0, f2 = r[ta, at:at + tw], r[ta + 2, at:at + tw], r[tb, bt:bt + tw], r[tb + 2, bt:bt + tw]
        o0, o2, g0, g2 = r[ta + 1, at:at + tw], r[ta + 3, at:at + tw], r[tb + 1, bt:bt + tw], r[tb + 3, bt:bt + tw]
        # padded columns 2c and 2c + 1 (c = 1 .. TW − 1) together: an interleaved store that vectorises
        lo, hi = max(1, (left + 1) // 2), min(tw, (w + left) // 2)
        for c in range(lo, hi):
            dst[2 * c - left] = (e0[c] + f0[c]) + (e2[c - 1] + f2[c - 1])
            dst[2 * c + 1 - left] = (o0[c] + g0[c]) + (o2[c - 1] + g2[c - 1])
        for col in range(0, min(w, 2 * lo - left)):  # the columns of tiles c < lo and c ≥ hi, one by one
            dst[col] = _edge_column(r, ta, at, tb, bt, col + left, tw)
        for col in range(max(0, 2 * hi - left), w):
            dst[col] = _edge_column(r, ta, at, tb, bt, col + left, tw)


@compile_kernel(inline=True)
def _edge_column(r, ta, at, tb, bt, col, tw):
    """Padded column ``col`` of :func:`_place_input_grad`'s row, with the checks its loop leaves out."""
    c, d = col // 2, col % 2
    v = _ZERO
    if c < tw:
        v += r[ta + d, at + c] + r[tb + d, bt + c]
    if c >= 1:
        v += r[ta + d + 2, at + c - 1] + r[tb + d + 2, bt + c - 1]
    return v


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
def _crop_plane(plane, out, h, w, top, left, wp):
    """out (H·W) = plane (Hp·Wp) at rows top.., columns left..: one channel's input gradient
    without the padding's rows and columns (the adjoint of :func:`_load_image`)."""
    for r in range(h):
        at, to = (top + r) * wp + left, r * w
        for q in range(w):
            out[to + q] = plane[at + q]


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
def winograd_forward_images(sgemm, x, h, w, top, left, u, c, bias, relu, y, th, tw, wp, oh, ow, group, s, e):
    """y[b] (O, OH·OW) = the 3×3 convolution of x[b] (C, H·W) zero-padded by ``top`` rows and
    ``left`` columns (and below and right as far as the tiles reach: Hp = 2TH + 2 rows of Wp = 2TW + 2)
    with the transformed weight u (16 planes of (O, C) at :func:`plane_floats` apart:
    :func:`transform_weight`), + bias, then max(·, 0) when ``relu``, for the images b in s:e.
    ``group`` images share the 16 products.  Each image is padded in a scratch buffer of its own
    size (in cache)."""
    o = y.shape[1]
    tiles = th * tw
    span = group * tiles  # the leading dimension of each plane's (C, span) or (O, span) matrix
    pv, pm = plane_floats(c * span), plane_floats(o * span)
    v = np.empty((16, pv), np.float32)
    m = np.empty((16, pm), np.float32)
    q = np.empty((4, span), np.float32)  # one output channel's 2×2 blocks, tile by tile
    padded = np.zeros((c, (2 * th + 2) * wp), np.float32)
    for b0 in range(s, e, group):
        count = min(group, e - b0)
        for j in range(count):
            _load_image(x[b0 + j], padded, h, w, top, left, wp)
            _input_tiles(padded, v, span, j * tiles, th, tw, wp)
        for xi in range(16):  # M[ξ] (O, count·tiles) = U[ξ] (O, C) @ V[ξ] (C, count·tiles)
            sgemm(ROW, PLAIN, PLAIN, I64(o), I64(count * tiles), I64(c), _ONE,
                  I64(u.ctypes.data + xi * u.shape[1] * _F32), I64(c), I64(v.ctypes.data + xi * pv * _F32),
                  I64(span), _ZERO, I64(m.ctypes.data + xi * pm * _F32), I64(span))
        for oc in range(o):
            _output_tiles(m, oc * span, count * tiles, bias[oc], relu, q)
            for j in range(count):
                _place_blocks(q, j * tiles, y[b0 + j, oc], th, tw, oh, ow)


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
    pv, pm = plane_floats(c * span), plane_floats(o * span)
    dm = np.empty((16, pm), np.float32)
    v = np.empty((16, pv), np.float32)  # the input's tiles (dW), then their gradients (dX)
    r = np.zeros((20, span), np.float32)  # one input channel's B·dV·Bᵀ, tile by tile; rows 16-19 stay zero
    padded = np.zeros((c, (2 * th + 2) * wp), np.float32)  # one image padded (its border stays zero)
    for b0 in range(s, e, group):
        count = min(group, e - b0)
        for oc in range(o):
            total = _ZERO
            for j in range(count):
                total += _output_grad_image(gy[b0 + j, oc], y[b0 + j, oc], act, dm, oc * span + j * tiles, th, tw, oh, ow)
            if want_b:
                gb[oc] += total
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
            for ci in range(c):
                _input_grad_blocks(v, ci * span, cols, r)
                for j in range(count):
                    _place_input_grad(r, j * tiles, gx[b0 + j, ci], th, tw, h, w, top, left)
