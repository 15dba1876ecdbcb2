"""3×3 stride-1 convolutions by Winograd's minimal filtering F(2×2, 3×3) (Lavin & Gray, 2016).

Each 2×2 block of outputs is computed from the 4×4 input tile under it with 16 multiplications per
(input, output) channel pair instead of 36: the tile d becomes V = Bᵀ·d·B, the kernel g becomes
U = G·g·Gᵀ, and the outputs are Y = Aᵀ·(U ⊙ V)·A.  Summed over the input channels, the 16
products U ⊙ V of all tiles are 16 matrix products M[ξ] (O, P) = U[ξ] (O, C) @ V[ξ] (C, P) over the
P tiles of a batch: 2.25× fewer multiply-adds than im2col's product, in GEMMs as large.  The
backward is the adjoint of the same linear maps: dM = A·dY·Aᵀ per tile, dU[ξ] = Σ dM[ξ]·V[ξ]ᵀ →
dW = Gᵀ·dU·G, dV[ξ] = U[ξ]ᵀ·dM[ξ] → dX = B·dV·Bᵀ added back onto the overlapping tiles.

The transforms' entries are 0, ±½ and ±1, so the result differs from the direct convolution by
rounding only (float32: a few units in the last place of the sums; tested against it).  This file
holds the NumPy implementation (any dtype, CuPy too: the reference and the path without numba) and
the dispatch; ``kernels/winograd.py`` runs the same per chunk of images in compiled code, calling
BLAS itself.  :func:`set_winograd` chooses when it runs.
"""
from __future__ import annotations

from ..backend import array_module, np
from ..kernels.compiled import kernel_arrays
from .im2col import pad_nchw, unpad_nchw

__all__ = ["set_winograd", "auto_min_channels", "winograd_applies", "winograd_forward", "winograd_backward", "weight_transform",
           "weight_transform_adjoint"]

# F(2×2, 3×3): V = Bᵀ d B (d 4×4), U = G g Gᵀ (g 3×3), Y = Aᵀ (U ⊙ V) A (Y 2×2)
_BT = ((1, 0, -1, 0), (0, 1, 1, 0), (0, -1, 1, 0), (0, 1, 0, -1))
_G = ((1, 0, 0), (0.5, 0.5, 0.5), (0.5, -0.5, 0.5), (0, 0, 1))
_AT = ((1, 1, 1, 0), (0, 1, -1, -1))

_MODES = ("auto", "always", "never")
_state = {"mode": "auto"}

# "auto" runs Winograd on the compiled kernels from these channel counts (in and out), by the tiles
# of one image's output (2×2 outputs a tile): below them the 16 products are too thin, or the
# transforms too large a part of the work, and the direct convolution wins.  Measured at 1 thread,
# batch 64, conv + ReLU forward + backward, Winograd ÷ direct time
# (`python -m benchmarks.winograd_crossover`, 2026-12-05): 32×32 outputs: 8 channels 1.17, 12 0.77;
# 16×16: 8 0.79, 12 0.79; 8×8: 16 1.06, 32 0.87; 4×4: 48 1.04, 64 0.94, 128 0.77; 2×2: 128 1.02,
# 256 0.85.  Re-checked 2026-12-06 after the kernels' transforms got faster (Winograd and direct
# alternating in one process, best of 15): 32×32: 8 1.06, 12 0.75; 16×16: 8 0.63; 8×8: 16 0.95,
# 32 0.83; 4×4: 32 1.06, 64 0.98; 2×2: 128 1.09, 256 1.04, 384 0.94 — the thresholds stand.
MIN_CHANNELS = ((64, 12), (16, 32), (4, 64), (0, 256))  # (tiles an image at least, channels at least)


def auto_min_channels(out_hw) -> int:
    """The fewest input and output channels at which 'auto' takes Winograd for an (OH, OW) output."""
    th, tw = tile_counts(out_hw)
    return next(channels for tiles, channels in MIN_CHANNELS if th * tw >= tiles)


def set_winograd(mode: str) -> str:
    """Choose when 3×3 stride-1 convolutions run by Winograd's F(2×2, 3×3); returns the previous mode.

    ``'auto'`` (default): float32 NumPy arrays with the compiled kernels on, one group, at least
    :func:`auto_min_channels` input and output channels — where it is faster.  ``'always'``: every 3×3,
    stride-1, dilation-1, one-group convolution, any dtype (the NumPy implementation without numba;
    tests use it for float64 gradient checks).  ``'never'``: always the direct (im2col) convolution,
    whose float32 sums are rounded as before Winograd existed.

    Example:
        >>> from neuronet.functional.conv_winograd import set_winograd
        >>> previous = set_winograd("never")
        >>> set_winograd(previous)
        'never'
    """
    if mode not in _MODES:
        raise ValueError(f"set_winograd: mode must be one of {_MODES}, got {mode!r}")
    previous, _state["mode"] = _state["mode"], mode
    return previous


def winograd_applies(kernel, stride, dilation, groups, c, o, out_hw, arrays) -> bool:
    """Whether a convolution of this geometry runs by Winograd under the current :func:`set_winograd` mode."""
    mode = _state["mode"]
    if mode == "never" or tuple(kernel) != (3, 3) or tuple(stride) != (1, 1) or tuple(dilation) != (1, 1) or groups != 1:
        return False
    if mode == "always":
        return True
    if min(c, o) < auto_min_channels(out_hw) or not kernel_arrays(*arrays):
        return False
    from ..kernels.numba_sgemm import compiled_sgemm
    return compiled_sgemm() is not None


def _matrix(rows, dtype, xp):
    return xp.asarray(np.array(rows, dtype=dtype))


def weight_transform(w):
    """U (16, O, C) = G·g·Gᵀ for every 3×3 kernel g of w (O, C, 3, 3); ξ = 4·row + column."""
    xp = array_module(w)
    g = _matrix(_G, w.dtype, xp)
    o, c = w.shape[:2]
    return xp.ascontiguousarray(xp.einsum("ai,ocij,bj->aboc", g, w, g).reshape(16, o, c))


def weight_transform_adjoint(du):
    """dW (O, C, 3, 3) = Gᵀ·dU·G from dU (16, O, C): the adjoint of :func:`weight_transform`."""
    xp = array_module(du)
    g = _matrix(_G, du.dtype, xp)
    _, o, c = du.shape
    return xp.einsum("ai,aboc,bj->ocij", g, du.reshape(4, 4, o, c), g)


def tile_counts(out_hw):
    """Tiles (rows, columns) of 2×2 outputs that cover an (OH, OW) output."""
    return -(-out_hw[0] // 2), -(-out_hw[1] // 2)


def pad_for_tiles(x, pads, padding_mode, out_hw):
    """x padded by ``pads`` in ``padding_mode`` and then with zeros below and to the right up to
    (2·TH + 2, 2·TW + 2), so that every 4×4 tile lies inside (the extra rows only feed outputs that
    are cropped); C-contiguous."""
    xp = array_module(x)
    th, tw = tile_counts(out_hw)
    top, bottom, left, right = pads
    n, c, h, w = x.shape
    extra_h, extra_w = 2 * th + 2 - (h + top + bottom), 2 * tw + 2 - (w + left + right)
    if padding_mode == "zeros":
        return pad_nchw(xp.ascontiguousarray(x), (top, bottom + extra_h, left, right + extra_w))
    xpad = pad_nchw(x, pads, padding_mode)
    if extra_h or extra_w:
        xpad = pad_nchw(xpad, (0, extra_h, 0, extra_w))
    return xp.ascontiguousarray(xpad)


def unpad_from_tiles(gxpad, pads, padding_mode, x_shape):
    """The gradient of x from that of :func:`pad_for_tiles`'s output (its adjoint)."""
    top, bottom, left, right = pads
    h, w = x_shape[2:]
    return unpad_nchw(gxpad[:, :, :h + top + bottom, :w + left + right], pads, x_shape, padding_mode)


def _tiles(xpad, th, tw):
    """The (N, C, TH, TW, 4, 4) view of the overlapping 4×4 tiles (stride 2) of xpad."""
    xp = array_module(xpad)
    n, c = xpad.shape[:2]
    s = xpad.strides
    return xp.lib.stride_tricks.as_strided(xpad, (n, c, th, tw, 4, 4), (s[0], s[1], 2 * s[2], 2 * s[3], s[2], s[3]))


def input_transform(xpad, th, tw):
    """V (16, C, N·TH·TW) = Bᵀ·d·B for every 4×4 tile d of xpad (N, C, 2·TH + 2, 2·TW + 2)."""
    xp = array_module(xpad)
    bt = _matrix(_BT, xpad.dtype, xp)
    n, c = xpad.shape[:2]
    v = xp.einsum("ai,ncyxij,bj->abcnyx", bt, _tiles(xpad, th, tw), bt, optimize=True)
    return xp.ascontiguousarray(v).reshape(16, c, n * th * tw)


def winograd_forward(xpad, u, out_hw):
    """Y (N, O, OH, OW) = Aᵀ·(Σ_c U ⊙ V)·A per tile: the convolution of the tiled input xpad with
    the transformed weight u (16, O, C), no bias."""
    xp = array_module(xpad)
    at = _matrix(_AT, xpad.dtype, xp)
    n, o = xpad.shape[0], u.shape[1]
    th, tw = tile_counts(out_hw)
    m = xp.matmul(u, input_transform(xpad, th, tw)).reshape(4, 4, o, n, th, tw)
    y = xp.einsum("ia,abonyx,jb->noyixj", at, m, at, optimize=True).reshape(n, o, 2 * th, 2 * tw)
    return xp.ascontiguousarray(y[:, :, :out_hw[0], :out_hw[1]])


def output_grad_transform(gz, th, tw):
    """dM (16, O, N·TH·TW) = A·dY·Aᵀ per tile from dL/dY gz (N, O, OH, OW), zero beyond OH, OW."""
    xp = array_module(gz)
    at = _matrix(_AT, gz.dtype, xp)
    n, o, oh, ow = gz.shape
    if (oh, ow) != (2 * th, 2 * tw):
        full = xp.zeros((n, o, 2 * th, 2 * tw), gz.dtype)
        full[:, :, :oh, :ow] = gz
        gz = full
    dm = xp.einsum("ia,noyixj,jb->abonyx", at, gz.reshape(n, o, th, 2, tw, 2), at, optimize=True)
    return xp.ascontiguousarray(dm).reshape(16, o, n * th * tw)


def input_grad_transform(dv, xpad_shape):
    """dL/dxpad from dV (16, C, N·TH·TW): B·dV·Bᵀ per tile, added onto the overlapping tiles."""
    xp = array_module(dv)
    bt = _matrix(_BT, dv.dtype, xp)
    n, c, hp, wp = xpad_shape
    th, tw = (hp - 2) // 2, (wp - 2) // 2
    dd = xp.einsum("ai,abcnyx,bj->ncyixj", bt, dv.reshape(4, 4, c, n, th, tw), bt, optimize=True)
    gx = xp.zeros(xpad_shape, dv.dtype)
    for r in (0, 1):  # tile (y, x) covers rows 2y..2y+3: its rows 2r, 2r+1 land on the block at row 2(y+r)
        for q in (0, 1):
            block = gx[:, :, 2 * r:2 * r + 2 * th, 2 * q:2 * q + 2 * tw].reshape(n, c, th, 2, tw, 2)
            block += dd[:, :, :, 2 * r:2 * r + 2, :, 2 * q:2 * q + 2]
    return gx


def winograd_backward(xpad, u, gz, want_x, want_w):
    """(dL/dxpad, dU) of :func:`winograd_forward` from dL/dY gz: dU (16, O, C), not yet through Gᵀ·G."""
    xp = array_module(gz)
    n, o = gz.shape[:2]
    th, tw = tile_counts(gz.shape[2:])
    dm = output_grad_transform(gz, th, tw)
    gxpad = du = None
    if want_w:
        du = xp.matmul(dm, input_transform(xpad, th, tw).transpose(0, 2, 1))
    if want_x:
        c = u.shape[2]
        gxpad = input_grad_transform(xp.matmul(u.transpose(0, 2, 1), dm), (n, c, 2 * th + 2, 2 * tw + 2))
    return gxpad, du


TWO_PASSES_BYTES = 4 << 20  # U at least this large: the backward computes gx, then gw in blocks of output channels
BLOCK_BYTES = 8 << 20  # dU of a block of output channels: at most about this many bytes


def _group(out_hw, n):
    """Images per set of 16 products in the compiled kernels: enough for about
    ``TILES_PER_PRODUCT`` tiles (ResNet's 4×4 outputs have 4 tiles an image), at most the batch."""
    from ..kernels.winograd import TILES_PER_PRODUCT
    th, tw = tile_counts(out_hw)
    return max(1, min(n, TILES_PER_PRODUCT // (th * tw)))


def _chunks(n, c, o, out_hw, xp, weight_items=0):
    """Chunks of the batch by one image's transformed input and output (16·(C + O) floats a tile);
    with ``weight_items`` (the backward's part of dW, 9·O·C), chunks hold at least
    ``WEIGHT_CHUNKS``× its bytes while there are two chunks or more: each chunk keeps a part."""
    from ..kernels import parallel
    from .conv_strided import WEIGHT_CHUNKS, split_bytes
    th, tw = tile_counts(out_hw)
    per_image = 16 * (c + o) * th * tw * 4
    target = max(parallel._CHUNK_BYTES, min(WEIGHT_CHUNKS * weight_items * 4, n * per_image // 2))
    return parallel.chunk_bounds(n, per_image, xp, target, split_bytes(weight_items))


def _compiled_u(w, xp):
    """G·g·Gᵀ of every kernel of w (O, C, 3, 3) as the compiled kernels take it: 16 planes of (O, C)."""
    from ..kernels.winograd import plane_floats, transform_weight
    o, c = w.shape[:2]
    u = xp.empty((16, plane_floats(o * c)), w.dtype)
    transform_weight(xp.ascontiguousarray(w).reshape(o * c, 9), u)
    return u


def _kernel_input(x, pads, padding_mode, xp):
    """x as the compiled kernels read it, (N, C, H·W) C-contiguous, with the (top, left) zeros they
    add per image: x itself for zero padding, else x padded in its mode (the kernels add no more)."""
    if padding_mode == "zeros":
        source, (top, left) = xp.ascontiguousarray(x), (pads[0], pads[2])
    else:
        source, top, left = xp.ascontiguousarray(pad_nchw(x, pads, padding_mode)), 0, 0
    n, c, h, w = source.shape
    return source.reshape(n, c, h * w), h, w, top, left


def compiled_forward(sgemm, x, w, b, activation, pads, padding_mode, out_hw, xp, pool=False):
    """conv2d (3×3, stride 1) of x (N, C, H, W) by w (O, C, 3, 3) + b (or None), through ReLU when
    ``activation`` is 'relu' (other activations are the caller's), by the compiled kernels.  With
    ``pool``: (pooled, arg) of a 2×2 max pooling of that output, its windows being the tiles' 2×2
    blocks (``functional/conv_pool.py``): the pooled output (N, O, OH // 2, OW // 2) and each
    window's first maximum's row-major index, + 4 where the value there is > 0 (uint8); the
    convolution's output is never stored."""
    from ..kernels.parallel import map_chunks
    from ..kernels.winograd import winograd_forward_images
    n, c = x.shape[:2]
    o = w.shape[0]
    th, tw = tile_counts(out_hw)
    source, h, wd, top, left = _kernel_input(x, pads, padding_mode, xp)
    u = _compiled_u(w, xp)
    bias = xp.zeros(o, x.dtype) if b is None else xp.ascontiguousarray(b)
    y = xp.empty((n, o) + ((out_hw[0] // 2, out_hw[1] // 2) if pool else tuple(out_hw)), x.dtype)
    arg = xp.empty(y.shape if pool else (1, 1, 1), np.uint8)
    group = _group(out_hw, n)
    yflat, argflat = y.reshape(n, o, -1), arg.reshape(arg.shape[0], arg.shape[1], -1)

    def chunk(s, e):
        winograd_forward_images(sgemm, source, h, wd, top, left, u, c, bias, activation == "relu", yflat, argflat,
                                pool, th, tw, 2 * tw + 2, out_hw[0], out_hw[1], group, s, e)
    map_chunks(chunk, _chunks(n, c, o, out_hw, xp), x)
    return (y, arg) if pool else y


def compiled_backward(sgemm, x, x_shape, w, y, gy, act, want_x, want_w, want_b, pads, padding_mode, xp,
                      pool_arg=None, out_hw=None):
    """Gradients (gx, gw, gb; None where not wanted) of :func:`compiled_forward` followed by the
    activation with code ``act`` (``kernels/conv.py``'s ACTIVATION_CODES; y its output, read when
    act ≠ 0); x (of shape ``x_shape``) is read for gw, w for gx.  With ``pool_arg`` (the pooled
    forward's arg), of the pooled forward: gy is the pooled output's gradient (y unread), act 0 or
    1, and ``out_hw`` the convolution's output size.

    Over chunks of images, each chunk's dU becomes its part of gw (Gᵀ·dU·G, 9/16 of its size),
    added to the parts before it in chunk order.  Where U (16·O·C floats) takes
    ``TWO_PASSES_BYTES`` or more, gx is computed in a pass of its own, and then gw and gb in
    blocks of output channels instead of chunks of images: each block takes the whole batch, dU's
    slice for its channels (at most ``BLOCK_BYTES``) and writes gw's slice, with no per-chunk
    parts to add, so that U, the whole dU and weight-sized parts never coexist; the blocks run on
    the threads as chunks do (the input's tiles are transformed once per block, so blocks are kept
    large: ``BLOCK_BYTES``, two blocks at least).  ResNet-18's 512-channel layers (4×4, 64 images,
    1 thread): this backward's extra memory 36.0 → 23.1 MiB (traced), the network's peak 460.3 →
    449.1 MiB, the layer's time unchanged within this machine's noise (4 MiB blocks cost 10 %)."""
    n, o = gy.shape[:2]
    oh, ow = gy.shape[2:] if pool_arg is None else out_hw
    gy = xp.ascontiguousarray(gy).reshape(n, o, -1)
    y = gy if act == 0 or pool_arg is not None else xp.ascontiguousarray(y).reshape(n, o, -1)
    arg = None if pool_arg is None else xp.ascontiguousarray(pool_arg).reshape(n, o, -1)
    c = x_shape[1]
    if not (want_x and want_w and 16 * o * c * gy.itemsize >= TWO_PASSES_BYTES):
        return _backward_pass(sgemm, x, x_shape, (oh, ow), w, y, gy, act, arg, want_x, want_w, want_b, pads,
                              padding_mode, xp)
    from ..kernels.parallel import chunk_bounds, map_chunks
    gx = _backward_pass(sgemm, x, x_shape, (oh, ow), w, y, gy, act, arg, True, False, False, pads, padding_mode,
                        xp)[0]
    gw, gb = xp.empty((o, c, 3, 3), gy.dtype), xp.empty(o, gy.dtype)

    def block(s, e):
        gy_block = xp.ascontiguousarray(gy[:, s:e])
        y_block = gy_block if y is gy else xp.ascontiguousarray(y[:, s:e])  # y is gy where the kernel reads no y
        arg_block = None if arg is None else xp.ascontiguousarray(arg[:, s:e])
        gb[s:e] = _backward_pass(sgemm, x, x_shape, (oh, ow), None, y_block, gy_block, act, arg_block, False, True,
                                 True, pads, padding_mode, xp, gw_out=gw[s:e])[2]
    blocks = chunk_bounds(o, 16 * c * gy.itemsize, xp, BLOCK_BYTES)
    if len(blocks) == 1 and o > 1:  # two blocks at least: the threads share them (two halves of the channels)
        blocks = [(0, o // 2), (o // 2, o)]
    map_chunks(block, blocks, gy)
    return gx, gw, (gb if want_b else None)


def _backward_pass(sgemm, x, x_shape, out_hw, w, y, gy, act, arg, want_x, want_w, want_b, pads, padding_mode, xp,
                   gw_out=None):
    """One pass of :func:`compiled_backward` over the batch (gy and y (N, O, OH·OW), or pooled when
    ``arg`` (N, O, POH·POW) is given; C-contiguous): in chunks of images, or with ``gw_out`` (where
    gw (O, C, 3, 3) is written) in one chunk."""
    from ..kernels.parallel import fold_chunks
    from ..kernels.winograd import plane_floats, transform_weight_adjoint, winograd_backward_images
    n, o = gy.shape[:2]
    oh, ow = out_hw
    c = x_shape[1]
    th, tw = tile_counts((oh, ow))
    dtype = gy.dtype
    unused = xp.empty((1, 1, 1), dtype)  # stands for an array the kernel is told not to read
    indices = xp.empty((1, 1, 1), np.uint8) if arg is None else arg
    top, left = (pads[0], pads[2]) if padding_mode == "zeros" else (0, 0)
    h, wd = x_shape[2:] if padding_mode == "zeros" else (x_shape[2] + pads[0] + pads[1], x_shape[3] + pads[2] + pads[3])
    source = _kernel_input(x, pads, padding_mode, xp)[0] if want_w else unused
    u = _compiled_u(w, xp) if want_x else xp.empty((16, 1), dtype)
    gsource = xp.empty((n, c, h, wd), dtype) if want_x else None  # the gradient of x, or of x padded in its mode
    group = _group((oh, ow), n)
    planes = (16, plane_floats(o * c)) if want_w else (16, 1)

    def chunk(s, e):
        du, gb = xp.zeros(planes, dtype), xp.zeros(o, dtype)
        winograd_backward_images(sgemm, source, h, wd, top, left, u, c, y, gy, act, indices, arg is not None,
                                 unused if gsource is None else gsource.reshape(n, c, -1), du, gb, want_x, want_w,
                                 want_b, th, tw, 2 * tw + 2, oh, ow, group, s, e)
        if not want_w:
            return None, gb
        gw = xp.empty((o, c, 3, 3), dtype) if gw_out is None else gw_out  # 9/16 of dU's size
        transform_weight_adjoint(du, gw.reshape(o * c, 9))
        return gw, gb
    bounds = [(0, n)] if gw_out is not None else _chunks(n, c, o, (oh, ow), xp, 9 * o * c if want_w else 0)
    gw, gb = fold_chunks(chunk, bounds, gy)  # in chunk order
    gb = gb if want_b else None
    gx = None
    if want_x:
        gx = gsource if padding_mode == "zeros" else unpad_nchw(gsource, pads, x_shape, padding_mode)
    return gx, gw, gb
