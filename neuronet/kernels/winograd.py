"""numba kernels for Winograd F(2×2, 3×3) convolutions, per chunk of images (optional: see
``compiled.py``; importing this module imports numba).

The algorithm and its NumPy implementation, the reference these kernels are tested against, are in
``functional/conv_winograd.py``.  Here a group of images at a time is transformed into V (16, C, P)
(P = the group's tiles), multiplied by U (16, O, C) in 16 ``sgemm`` calls made from compiled code
(no GIL, no Python per product) and transformed back; the buffers are sized to the group, so they
stay in cache.

The transforms over a whole group's tiles of one channel (the output's Aᵀ·M·A, the input gradient's
B·dV·Bᵀ) are loops of at most four outputs over all those tiles, which vectorise.  Those between an
image and its tiles (the input's Bᵀ·d·B, the output gradient's A·g·Aᵀ straight from gy, placing the
output's blocks, adding the input gradient's overlapping tiles back) run per image channel, a row
of tiles at a time.  Their helpers index flat buffers with unsigned indices (``unsigned.py``) and take no
slices: on ResNet's 4×4 images making the slices cost more than the loops they fed (placing
the output's blocks, 512 channels of 64 images: 5.4 → 1.0 ms; at 32×32 the unsigned indices
let the loops vectorise: 6.0 → 2.9 ms).
"""
from __future__ import annotations

from ..backend import np
from .compiled import compile_kernel
from .conv import window_max4
from .numba_sgemm import I64, PLAIN, ROW, TRANSPOSED, gemm
from .unsigned import unsigned as _u

__all__ = ["winograd_forward_images", "winograd_backward_images", "transform_weight", "transform_weight_adjoint",
           "plane_floats", "TILES_PER_PRODUCT"]

_ZERO, _ONE = np.float32(0.0), np.float32(1.0)
TILES_PER_PRODUCT = 64  # images share the 16 products until they have about this many tiles (16 to 128 measured: 64 best)
_F32 = 4  # bytes per float32, for pointer arithmetic


@compile_kernel(inline=True)
def _input_tiles(image, v, pv, ld, p0, c, th, tw, wp):
    """v[ξ·pv + c·ld + p0 + TW·y + x] = (Bᵀ·d·B)[ξ] (v flat, 16 planes ``pv`` apart) for the 4×4
    tile d at rows 2y.., columns 2x.. of each channel of image (flat, C planes of Hp·Wp),
    Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]]."""
    plane = image.shape[0] // c
    for ci in range(c):
        for ty in range(th):
            top, base = ci * plane + 2 * ty * wp, ci * ld + p0 + ty * tw
            for tx in range(tw):
                a, at = top + 2 * tx, base + tx
                # t = Bᵀ·d: rows d0 − d2, d1 + d2, d2 − d1, d1 − d3 (4 values each), d_k at a + k·Wp
                t00, t01, t02, t03 = _row_difference(image, a, a + 2 * wp)
                t10, t11, t12, t13 = _row_sum(image, a + wp, a + 2 * wp)
                t20, t21, t22, t23 = _row_difference(image, a + 2 * wp, a + wp)
                t30, t31, t32, t33 = _row_difference(image, a + wp, a + 3 * wp)
                # V = t·B, the same on each row's 4 values
                v[_u(at)], v[_u(pv + at)], v[_u(2 * pv + at)], v[_u(3 * pv + at)] = _times_b(t00, t01, t02, t03)
                v[_u(4 * pv + at)], v[_u(5 * pv + at)], v[_u(6 * pv + at)], v[_u(7 * pv + at)] = \
                    _times_b(t10, t11, t12, t13)
                v[_u(8 * pv + at)], v[_u(9 * pv + at)], v[_u(10 * pv + at)], v[_u(11 * pv + at)] = \
                    _times_b(t20, t21, t22, t23)
                v[_u(12 * pv + at)], v[_u(13 * pv + at)], v[_u(14 * pv + at)], v[_u(15 * pv + at)] = \
                    _times_b(t30, t31, t32, t33)


@compile_kernel(inline=True)
def _row_difference(image, a, b):
    """The 4 values image[a + k] − image[b + k]."""
    return image[_u(a)] - image[_u(b)], image[_u(a + 1)] - image[_u(b + 1)], image[_u(a + 2)] - image[_u(b + 2)], \
        image[_u(a + 3)] - image[_u(b + 3)]


@compile_kernel(inline=True)
def _row_sum(image, a, b):
    """The 4 values image[a + k] + image[b + k]."""
    return image[_u(a)] + image[_u(b)], image[_u(a + 1)] + image[_u(b + 1)], image[_u(a + 2)] + image[_u(b + 2)], \
        image[_u(a + 3)] + image[_u(b + 3)]


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
def _place_blocks(q, span, p0, out, at, th, tw, oh, ow):
    """out[at:at + OH·OW] (out flat) = the 2×2 blocks q[(2i + j)·span + p0 + TW·y + x] (q flat, 4
    planes of ``span``) put at rows 2y + i, columns 2x + j, cropped to OH, OW (the last tiles of an
    odd size hang over)."""
    for ty in range(th):
        for i in range(2):
            r = 2 * ty + i
            if r < oh:
                even, row = 2 * i * span + p0 + ty * tw, at + r * ow
                odd = even + span
                for tx in range(ow // 2):
                    out[_u(row + 2 * tx)] = q[_u(even + tx)]
                    out[_u(row + 2 * tx + 1)] = q[_u(odd + tx)]
                if ow % 2:
                    out[_u(row + ow - 1)] = q[_u(even + tw - 1)]


@compile_kernel(inline=True)
def _pool_blocks(q, span, p0, out, index, tw, poh, pow_):
    """out, index (POH·POW) = the maximum of each tile's 2×2 block q[(2i + j)·span + p0 + TW·y + x]
    (after bias and ReLU) and the row-major index 2i + j of its first maximum, plus 4 when the value
    there is > 0 (the ReLU's mask for the gradient sent there: not the maximum's when a NaN came
    after it), for the tiles y < POH, x < POW: a tile's outputs are one 2×2 pooling window (those of
    a tile hanging over an odd size are dropped, as max_pool2d drops them), by ``conv.py``'s
    :func:`window_max4`: ties keep the first maximum, a NaN makes the maximum NaN."""
    for ty in range(poh):
        at, to = p0 + ty * tw, ty * pow_
        for tx in range(pow_):
            p = at + tx
            m, w = window_max4(q[_u(p)], q[_u(span + p)], q[_u(2 * span + p)], q[_u(3 * span + p)])
            out[_u(to + tx)] = m
            index[_u(to + tx)] = w


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
def _pooled_grad_image(gp, index, relu, dm, at, th, tw, poh, pow_):
    """:func:`_output_grad_image` under a 2×2 max pooling (:func:`_pool_blocks`): tile (y, x)'s block
    of gz is the pooled gradient gp at its first maximum index % 4 (through the ReLU, when ``relu``,
    where index ≥ 4: the value there > 0) and 0 at the other three outputs and in the tiles past
    POH, POW (gp and index POH·POW each).  Returns Σ gz."""
    total = _ZERO
    for ty in range(th):
        base = at + ty * tw
        for tx in range(tw):
            g00 = g01 = g10 = g11 = _ZERO
            if ty < poh and tx < pow_:
                r = ty * pow_ + tx
                k = index[r]
                v = gp[r] * (_ONE if not relu or k >= 4 else _ZERO)  # d/dz max(z, 0) = [z > 0]
                k = k & 3
                g00 = v if k == 0 else _ZERO
                g01 = v if k == 1 else _ZERO
                g10 = v if k == 2 else _ZERO
                g11 = v if k == 3 else _ZERO
            total += (g00 + g01) + (g10 + g11)  # the sum of the unpooled convolution's gradient, in its order
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
def _place_input_grad(r, span, p0, out, th, tw, h, w, top, left):
    """out (H·W) = one channel of one image's input gradient: the sum over its tiles of the 4×4
    blocks r[(4i + j)·span + p0 + TW·y + x] (r flat, 20 planes of ``span``) at padded rows 2y + i,
    columns 2x + j, without the padding.  Padded row R = 2a + b takes rows b of tile row a and
    b + 2 of tile row a − 1, column C = 2c + d columns d of tile c and d + 2 of tile c − 1: every
    element is written once, as a sum of four (r's planes 16-19, zeros, stand for the tile rows
    above the first and below the last)."""
    for rr in range(h):
        a, b = (rr + top) // 2, (rr + top) % 2
        ta = tb = 16 * span  # where r's planes for tile row a (this row's b) and a − 1 (b + 2) start
        if a < th:
            ta = 4 * b * span + p0 + a * tw
        if a >= 1:
            tb = (4 * b + 8) * span + p0 + (a - 1) * tw
        # padded columns 2c and 2c + 1 (c = 1 .. TW − 1) together: an interleaved store that vectorises
        lo, hi = max(1, (left + 1) // 2), min(tw, (w + left) // 2)
        at = rr * w - left
        for c in range(lo, hi):
            out[_u(at + 2 * c)] = (r[_u(ta + c)] + r[_u(tb + c)]) + \
                (r[_u(ta + 2 * span + c - 1)] + r[_u(tb + 2 * span + c - 1)])
            out[_u(at + 2 * c + 1)] = (r[_u(ta + span + c)] + r[_u(tb + span + c)]) + \
                (r[_u(ta + 3 * span + c - 1)] + r[_u(tb + 3 * span + c - 1)])
        for col in range(0, min(w, 2 * lo - left)):  # the columns of tiles c < lo and c ≥ hi, one by one
            out[rr * w + col] = _edge_column(r, span, ta, tb, col + left, tw)
        for col in range(max(0, 2 * hi - left), w):
            out[rr * w + col] = _edge_column(r, span, ta, tb, col + left, tw)


@compile_kernel(inline=True)
def _edge_column(r, span, ta, tb, col, tw):
    """Padded column ``col`` of :func:`_place_input_grad`'s row, with the checks its loop leaves out."""
    c, d = col // 2, col % 2
    v = _ZERO
    if c < tw:
        v += r[ta + d * span + c] + r[tb + d * span + c]
    if c >= 1:
        v += r[ta + (d + 2) * span + c - 1] + r[tb + (d + 2) * span + c - 1]
    return v


@compile_kernel(inline=True)
def _load_image(image, scratch, h, w, top, left, wp):
    """scratch (flat, C planes of Hp·Wp) at rows top.., columns left.. = image (C, H·W): the
    zero-padded image the tiles read; the border, zeroed once by the caller, is never written."""
    c = image.shape[0]
    plane = scratch.shape[0] // c
    for ci in range(c):
        for r in range(h):
            at, to = r * w, ci * plane + (top + r) * wp + left
            for q in range(w):
                scratch[_u(to + q)] = image[ci, _u(at + q)]


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
def winograd_forward_images(sgemm, x, h, w, top, left, u, c, bias, relu, y, arg, pool, th, tw, wp, oh, ow, group, s,
                            e):
    """y[b] (O, OH·OW) = the 3×3 convolution of x[b] (C, H·W) zero-padded by ``top`` rows and
    ``left`` columns (and below and right as far as the tiles reach: Hp = 2TH + 2 rows of Wp = 2TW + 2)
    with the transformed weight u (16 planes of (O, C) at :func:`plane_floats` apart:
    :func:`transform_weight`), + bias, then max(·, 0) when ``relu``, for the images b in s:e.
    ``group`` images share the 16 products.  Each image is padded in a scratch buffer of its own
    size (in cache).  With ``pool`` each tile's 2×2 block is max-pooled instead (:func:`_pool_blocks`):
    y[b] is (O, POH·POW) = the pooled output and arg[b] (uint8, alike) the index of each window's
    first maximum (+ 4 where its value is > 0), POH = OH // 2, POW = OW // 2; the convolution's
    output is never stored."""
    o = y.shape[1]
    tiles = th * tw
    span = group * tiles  # the leading dimension of each plane's (C, span) or (O, span) matrix
    pv, pm = plane_floats(c * span), plane_floats(o * span)
    v = np.empty((16, pv), np.float32)
    vflat = v.reshape(16 * pv)
    m = np.empty((16, pm), np.float32)
    q = np.empty((4, span), np.float32)  # one output channel's 2×2 blocks, tile by tile
    qflat = q.reshape(4 * span)
    ys = y.reshape(-1)
    padded = np.zeros(c * (2 * th + 2) * wp, np.float32)
    for b0 in range(s, e, group):
        count = min(group, e - b0)
        for j in range(count):
            _load_image(x[b0 + j], padded, h, w, top, left, wp)
            _input_tiles(padded, vflat, pv, span, j * tiles, c, th, tw, wp)
        for xi in range(16):  # M[ξ] (O, count·tiles) = U[ξ] (O, C) @ V[ξ] (C, count·tiles)
            gemm(sgemm, ROW, PLAIN, PLAIN, I64(o), I64(count * tiles), I64(c), _ONE,
                 I64(u.ctypes.data + xi * u.shape[1] * _F32), I64(c), I64(v.ctypes.data + xi * pv * _F32),
                 I64(span), _ZERO, I64(m.ctypes.data + xi * pm * _F32), I64(span))
        for oc in range(o):
            _output_tiles(m, oc * span, count * tiles, bias[oc], relu, q)
            for j in range(count):
                if pool:
                    _pool_blocks(qflat, span, j * tiles, y[b0 + j, oc], arg[b0 + j, oc], tw, oh // 2, ow // 2)
                else:
                    _place_blocks(qflat, span, j * tiles, ys, ((b0 + j) * o + oc) * oh * ow, th, tw, oh, ow)


@compile_kernel(reassociate=True)  # the bias-gradient sums vectorise
def winograd_backward_images(sgemm, x, h, w, top, left, u, c, y, gy, act, arg, pool, gx, du, gb, want_x, want_w,
                             want_b, th, tw, wp, oh, ow, group, s, e):
    """Gradients of :func:`winograd_forward_images` (activation ``act``: 0 none, 1 relu, 2 tanh,
    3 sigmoid, written with the output y) for the images b in s:e; gy and y are (N, O, OH·OW).
    With ``pool``: of the pooled forward, gy the pooled output's gradient and arg its indices (N, O,
    POH·POW each; y unread), ``act`` 0 or 1 (:func:`_pooled_grad_image`).

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
    vflat = v.reshape(16 * pv)
    r = np.zeros((20, span), np.float32)  # one input channel's B·dV·Bᵀ, tile by tile; rows 16-19 stay zero
    rflat = r.reshape(20 * span)
    padded = np.zeros(c * (2 * th + 2) * wp, np.float32)  # one image padded (its border stays zero)
    for b0 in range(s, e, group):
        count = min(group, e - b0)
        for oc in range(o):
            total = _ZERO
            for j in range(count):
                if pool:
                    total += _pooled_grad_image(gy[b0 + j, oc], arg[b0 + j, oc], act == 1, dm, oc * span + j * tiles,
                                                th, tw, oh // 2, ow // 2)
                else:
                    total += _output_grad_image(gy[b0 + j, oc], y[b0 + j, oc], act, dm, oc * span + j * tiles, th, tw,
                                                oh, ow)
            if want_b:
                gb[oc] += total
        cols = count * tiles
        if want_w:  # dU[ξ] (O, C) += dM[ξ] (O, cols) @ V[ξ] (C, cols)ᵀ
            for j in range(count):
                _load_image(x[b0 + j], padded, h, w, top, left, wp)
                _input_tiles(padded, vflat, pv, span, j * tiles, c, th, tw, wp)
            for xi in range(16):
                gemm(sgemm, ROW, PLAIN, TRANSPOSED, I64(o), I64(c), I64(cols), _ONE,
                     I64(dm.ctypes.data + xi * pm * _F32), I64(span), I64(v.ctypes.data + xi * pv * _F32), I64(span),
                     _ONE, I64(du.ctypes.data + xi * du.shape[1] * _F32), I64(c))
        if want_x:  # dV[ξ] (C, cols) = U[ξ]ᵀ (C, O) @ dM[ξ] (O, cols), then back onto each image
            for xi in range(16):
                gemm(sgemm, ROW, TRANSPOSED, PLAIN, I64(c), I64(cols), I64(o), _ONE,
                     I64(u.ctypes.data + xi * u.shape[1] * _F32), I64(c), I64(dm.ctypes.data + xi * pm * _F32),
                     I64(span), _ZERO, I64(v.ctypes.data + xi * pv * _F32), I64(span))
            for ci in range(c):
                _input_grad_blocks(v, ci * span, cols, r)
                for j in range(count):
                    _place_input_grad(rflat, span, j * tiles, gx[b0 + j, ci], th, tw, h, w, top, left)
