"""Attention: scaled dot-product attention as one fused Function, masked softmax, and the score
functions of the course (dot/Luong, scaled, cosine, general/bilinear, additive/Bahdanau).

Scaled dot-product attention computes, for queries Q (..., L, E), keys K (..., S, E) and
values V (..., S, Ev):

    S = scale·Q Kᵀ + M,   P = softmax_rows(S),   O = P V

with M an additive mask and positions a boolean mask excludes set to −∞.  Its backward is
written out (softmax backward inside):

    dV = Pᵀ dO,   dP = dO Vᵀ,   dS = P ⊙ (dP − rowsum(dP ⊙ P)),   dQ = scale·dS K,   dK = scale·dSᵀ Q

Difference from PyTorch: a row in which every position is masked gives an output row of zeros
and zero gradients here (PyTorch returns NaN), so padded queries never poison a batch.
"""
from __future__ import annotations

import math

from ..autograd import Function, unbroadcast
from ..backend import array_module, get_rng, np
from ..kernels.compiled import kernel_arrays, kernel_module
from ..kernels.parallel import blas_for_product, blas_thread_count, chunk_bounds, map_chunks
from ..tensor import Tensor
from .activation import tanh
from .linear import linear
from .math import matmul, mul, sqrt
from .reduce import sum as reduce_sum
from .shape import swapaxes, unsqueeze

__all__ = [
    "scaled_dot_product_attention", "masked_softmax",
    "dot_scores", "scaled_dot_scores", "cosine_scores", "general_scores", "additive_scores",
]


def _data(a):
    return a.data if isinstance(a, Tensor) else a


def _softmax_rows(scores, allowed, xp, own: bool = False):
    """Row softmax of ``scores`` with ``allowed`` False (and −∞ scores) excluded; all-excluded rows give 0.

    Returns (P, shift, denominator): P = exp(S − shift)/denominator, the two (…, 1) statistics
    letting :func:`_softmax_again` rebuild exactly the same P from the same scores.  With ``own``
    (the caller made ``scores`` and needs it no more) P is written over ``scores``."""
    masked = _masked(scores, allowed, xp)
    own = own or masked is not scores
    scores = masked
    if scores.shape[-1] == 0:  # no keys: empty weights and a zero output (PyTorch's)
        peak = xp.zeros(scores.shape[:-1] + (1,), dtype=scores.dtype)
    else:
        peak = scores.max(axis=-1, keepdims=True)
    peak = xp.where(xp.isfinite(peak), peak, 0)  # a fully masked row: exp(−∞ − 0) = 0 everywhere
    e = xp.subtract(scores, peak, out=scores if own and scores.dtype == peak.dtype else None)
    xp.exp(e, out=e)
    total = e.sum(axis=-1, keepdims=True)
    total = xp.where(total > 0, total, 1)
    e /= total
    return e, peak, total


_SOFTMAX_CHUNK_BYTES = 1 << 19  # rows of scores per chunk: about 512 KiB, a share of L2 per thread


def _softmax_compiled(scores, allowed, own: bool, stats=None):
    """:func:`_softmax_rows` (``stats`` None) or :func:`_softmax_again` (``stats`` = (shift, total))
    by ``kernels/softmax.py`` — one pass per row in cache, rows chunked over threads — or None
    where the kernel does not apply (kernels off, not a float32 NumPy array, no keys).  P is
    written over the (masked) scores; the statistics are (rows,) arrays, kept only for this path."""
    if not (kernel_arrays(scores) and scores.size and scores.flags.c_contiguous):
        return None
    kernel = kernel_module("softmax")  # imports numba on first use
    masked = _masked(scores, allowed, np)
    if masked is scores and not own:
        masked = scores.copy()
    rows2 = masked.reshape(-1, masked.shape[-1])
    bounds = chunk_bounds(rows2.shape[0], rows2.shape[1] * 4, np, target_bytes=_SOFTMAX_CHUNK_BYTES)
    if stats is None:
        shift, total = np.empty(rows2.shape[0], np.float32), np.empty(rows2.shape[0], np.float32)
        map_chunks(lambda a, b: kernel.softmax_forward(rows2, shift, total, a, b), bounds, rows2)
        return masked, shift, total
    shift, total = stats
    map_chunks(lambda a, b: kernel.softmax_recompute(rows2, shift, total, a, b), bounds, rows2)
    return masked


def _softmax_grad_compiled(p, gp):
    """:func:`_softmax_grad_into` by ``kernels/softmax.py`` (same conditions as :func:`_softmax_compiled`), or None."""
    if not (kernel_arrays(p, gp) and gp.size and p.flags.c_contiguous and gp.flags.c_contiguous
            and p.shape == gp.shape):
        return None
    kernel = kernel_module("softmax")  # imports numba on first use
    p2, g2 = p.reshape(-1, p.shape[-1]), gp.reshape(-1, gp.shape[-1])
    bounds = chunk_bounds(g2.shape[0], g2.shape[1] * 4, np, target_bytes=_SOFTMAX_CHUNK_BYTES)
    map_chunks(lambda a, b: kernel.softmax_backward(g2, p2, a, b), bounds, g2)
    return gp


def _softmax_again(scores, allowed, peak, total, xp):
    """The P of :func:`_softmax_rows` from the same scores and its saved statistics (bit for bit)."""
    e = _masked(scores, allowed, xp) - peak
    xp.exp(e, out=e)
    e /= total
    return e


def _masked(scores, allowed, xp):
    if allowed is None:
        return scores
    return xp.where(xp.asarray(allowed), scores, -xp.inf)  # a mask made on the host is moved to the scores' device


def _softmax_grad(p, gp):
    # d softmax:  dS = P ⊙ (dP − rowsum(dP ⊙ P))
    return p * (gp - (gp * p).sum(axis=-1, keepdims=True))


def _softmax_grad_into(p, gp):
    """:func:`_softmax_grad` written over ``gp`` (an array backward made itself): no extra (…, L, S) array."""
    # d softmax:  dS = P ⊙ (dP − rowsum(dP ⊙ P))
    gp -= (gp * p).sum(axis=-1, keepdims=True)
    gp *= p
    return gp


def _causal(xp, length, source):
    """(L, S) boolean lower-triangular mask, aligned top-left as PyTorch's ``is_causal``."""
    return xp.tril(xp.ones((length, source), dtype=bool))


class ScaledDotProductAttention(Function):
    """O = dropout(softmax(scale·Q Kᵀ + M)) V, masked; optionally also returns the weights.

    Like PyTorch's fused kernels it keeps no (…, L, S) array for backward: q, k, v, the two
    (…, L, 1) softmax statistics and, with dropout, a boolean keep-mask; backward recomputes
    the probabilities P bit for bit (one more Q Kᵀ product).  With ``merge_heads`` the output
    (…, h, L, Ev) is returned as (…, L, h·Ev), the layout the output projection reads."""

    def __init__(self, allowed=None, is_causal=False, scale=1.0, dropout_p=0.0, return_weights=False,
                 merge_heads=False):
        self.allowed, self.is_causal, self.scale = allowed, is_causal, scale
        self.dropout_p, self.return_weights, self.merge_heads = dropout_p, return_weights, merge_heads

    def _scores(self, q, k, additive, xp):
        """scale·Q Kᵀ + M, the softmax's input (its mask is ``self.allowed``)."""
        scores = _matmul_t(q, k)
        scores *= self.scale  # a Python float: the product stays in the scores' dtype, in place
        return scores if additive is None else scores + xp.asarray(additive)

    def forward(self, q, k, v, additive=None):
        xp = array_module(q)
        allowed = None if self.allowed is None else xp.asarray(self.allowed)
        if self.is_causal:
            causal = _causal(xp, q.shape[-2], k.shape[-2])
            allowed = causal if allowed is None else allowed & causal
        self.allowed = allowed
        scores = self._scores(q, k, additive, xp)
        compiled = _softmax_compiled(scores, allowed, own=True)
        self.compiled = compiled is not None
        p, self.peak, self.total = compiled if self.compiled else _softmax_rows(scores, allowed, xp, own=True)
        p = p.astype(q.dtype, copy=False)
        self.keep = None
        if self.dropout_p > 0:
            self.keep = get_rng(xp).random(p.shape, dtype=p.dtype) >= self.dropout_p
        weights = self._dropped(p)
        self.q, self.k, self.v, self.additive = q, k, v, additive
        self.shapes = (q.shape, k.shape, v.shape, None if additive is None else additive.shape)
        out = _matmul(weights, v)
        if self.merge_heads:  # (..., h, L, Ev) → (..., L, h·Ev)
            self.heads = out.shape[-3]
            out = out.swapaxes(-3, -2).reshape(out.shape[:-3] + (out.shape[-2], out.shape[-3] * out.shape[-1]))
        return (out, weights) if self.return_weights else out

    def _dropped(self, p):
        """The weights W = P ⊙ keep/(1 − p): P itself without dropout."""
        if self.keep is None:
            return p
        weights = p * self.keep
        weights *= p.dtype.type(1.0 / (1.0 - self.dropout_p))
        return weights

    def backward(self, gout, gweights=None):
        # dV = Wᵀ dO;  dW = dO Vᵀ (+ dL/dW when the weights are an output);  dP = dW ⊙ keep/(1 − p)
        q_shape, k_shape, v_shape, m_shape = self.shapes
        xp = array_module(gout)
        q, k, v = self.q, self.k, self.v
        scores = self._scores(q, k, self.additive, xp)
        if self.compiled:
            p = _softmax_compiled(scores, self.allowed, True, (self.peak, self.total))
        else:
            p = _softmax_again(scores, self.allowed, self.peak, self.total, xp)
        p = p.astype(q.dtype, copy=False)
        if self.merge_heads:  # (..., L, h·Ev) → (..., h, L, Ev), a view
            gout = gout.reshape(gout.shape[:-1] + (self.heads, v_shape[-1])).swapaxes(-3, -2)
        gq = gk = gv = gm = None
        if self.needs_grad[2]:
            gv = unbroadcast(_matmul(_swap_last(self._dropped(p)), gout), v_shape)
        gw = _matmul_t(gout, v)
        if gweights is not None:
            gw += gweights
        if self.keep is not None:
            gw *= self.keep
            gw *= gw.dtype.type(1.0 / (1.0 - self.dropout_p))
        gs = _softmax_grad_compiled(p, gw) if self.compiled else None
        if gs is None:
            gs = _softmax_grad_into(p, gw)
        del p
        if self.needs_grad[0]:
            gq = _matmul(gs, k)
            gq *= self.scale
            gq = unbroadcast(gq, q_shape)  # dQ = scale·dS K
        if self.needs_grad[1]:
            gk = _matmul(_swap_last(gs), q)
            gk *= self.scale
            gk = unbroadcast(gk, k_shape)  # dK = scale·dSᵀ Q
        if len(self.needs_grad) > 3 and self.needs_grad[3]:
            gm = unbroadcast(gs, m_shape)  # d/dM (S + M) = 1
        return gq, gk, gv, gm


def _swap_last(a):
    """The last two axes of an array exchanged (a view)."""
    return a.swapaxes(-1, -2)


def _matmul_t(a, b):
    """a bᵀ over the last two axes, arrays broadcast over the leading ones.  bᵀ is copied to be
    contiguous: NumPy's batched matmul runs 2× slower on a transposed view as its second operand
    (measured on (32, 4, 128, 32) arrays at one thread), and the copy costs less than that."""
    return _matmul(a, b, transpose_b=True)


# multiply-adds of a batched product from which its batch axis is split over the BLAS threads
# (the size from which parallel.blas_for_product lets one product use them all)
_SPLIT_PRODUCT = 1 << 22


def _matmul(a, b, transpose_b: bool = False):
    """a @ b (a @ bᵀ with ``transpose_b``; a batched bᵀ is copied contiguous) over the last two axes.

    NumPy's batched matmul calls BLAS once per matrix, one matrix after another, so the heads'
    small products would use one core however many BLAS may use.  Where the leading (batch) axis
    of two same-batch NumPy operands holds at least ``_SPLIT_PRODUCT`` multiply-adds, it is split
    in one block per BLAS thread (:func:`parallel.map_chunks`, each block on one BLAS thread,
    written into its rows of the output).  Every matrix goes through the same one-thread BLAS
    call as at one thread, so the split changes no value.  Otherwise each matrix's product runs
    on one BLAS thread when it is small (:func:`parallel.blas_for_product`): NumPy's batched
    matmul calls BLAS once per head, and waking the other threads for each small call cost up
    to 100× the product itself on a busy 2-core machine (4.2 s instead of 0.03 s for a 32×4-head
    batch)."""
    xp = array_module(b)
    if transpose_b:
        b = b.swapaxes(-1, -2)
    copy = transpose_b and b.ndim > 2
    rows, depth, cols = a.shape[-2], a.shape[-1], b.shape[-1]
    n = a.shape[0] if a.ndim > 2 and a.shape[:-2] == b.shape[:-2] else 1
    threads = 1
    if n > 1 and xp is np and math.prod(a.shape[:-2]) * rows * depth * cols >= _SPLIT_PRODUCT:
        threads = blas_thread_count()
    if threads < 2:
        with blas_for_product(rows, depth, cols):
            return a @ (xp.ascontiguousarray(b) if copy else b)
    out = np.empty(a.shape[:-2] + (rows, cols), np.result_type(a.dtype, b.dtype))

    def block(start, stop):
        part = b[start:stop]
        np.matmul(a[start:stop], np.ascontiguousarray(part) if copy else part, out=out[start:stop])

    map_chunks(block, [(i * n // threads, (i + 1) * n // threads) for i in range(threads)], a, b)
    return out


def _broadcasts_to(mask_shape, shape) -> bool:
    """Whether a mask of ``mask_shape`` broadcasts to ``shape`` without enlarging it: a (2, S) mask
    against (N, 1, S) scores broadcasts *with* them, to (N, 2, S), but not *to* them."""
    try:
        return tuple(np.broadcast_shapes(mask_shape, shape)) == shape
    except ValueError:
        return False


def _split_mask(fn, attn_mask, shape):
    """(allowed boolean array or None, additive float mask or None) from a PyTorch-style mask."""
    if attn_mask is None:
        return None, None
    data = _data(attn_mask)
    data = array_module(data).asarray(data)
    if not _broadcasts_to(tuple(data.shape), tuple(shape)):
        raise ValueError(f"{fn}: attn_mask of shape {tuple(data.shape)} does not broadcast to the scores' "
                         f"shape {tuple(shape)} (..., L, S)")
    if data.dtype == bool:
        return data, None
    if data.dtype.kind != "f":
        raise TypeError(f"{fn}: attn_mask must be boolean (True = take part) or floating (added to the "
                        f"scores), got dtype {data.dtype}")
    return None, attn_mask


def _check_qkv(fn, q, k, v):
    qs, ks, vs = tuple(q.shape), tuple(k.shape), tuple(v.shape)
    if len(qs) < 2 or len(ks) < 2 or len(vs) < 2:
        raise ValueError(f"{fn}: query, key and value need at least 2 dimensions (..., L, E), got shapes {qs}, {ks}, {vs}")
    if qs[-1] != ks[-1]:
        raise ValueError(f"{fn}: query (..., L, E) and key (..., S, E) must share E, got shapes {qs} and {ks}")
    if ks[-2] != vs[-2]:
        raise ValueError(f"{fn}: key (..., S, E) and value (..., S, Ev) must share S, got shapes {ks} and {vs}")
    try:
        lead = np.broadcast_shapes(qs[:-2], ks[:-2], vs[:-2])
    except ValueError:
        raise ValueError(f"{fn}: leading (batch) dimensions of query {qs}, key {ks} and value {vs} do not broadcast") from None
    return tuple(lead) + (qs[-2], ks[-2])


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal: bool = False, dropout_p: float = 0.0,
                                 scale: float | None = None, *, need_weights: bool = False, merge_heads: bool = False):
    """softmax(Q Kᵀ/√E + mask) V in one fused Function — PyTorch's ``F.scaled_dot_product_attention``.

    Args:
        q, k, v: query (..., L, E), key (..., S, E), value (..., S, Ev); leading dims broadcast.
        attn_mask: boolean (True = the position takes part) or floating (added to the scores),
            broadcastable to (..., L, S).  A floating mask that requires grad gets a gradient.
        is_causal: also mask every key after the query's position (lower-triangular, top-left
            aligned); unlike PyTorch it may be combined with ``attn_mask`` (both apply).
        dropout_p: dropout on the attention weights (pass 0.0 when not training).
        scale: factor on the scores; 1/√E when None.
        need_weights: also return the (dropped-out) attention weights (..., L, S).
        merge_heads: return the output of inputs (..., h, L, ·) with the heads concatenated,
            (..., L, h·Ev), in one Function (what multi-head attention's output projection reads).

    Returns:
        (..., L, Ev), or (..., L, h·Ev) with ``merge_heads``; or (output, weights) with
        ``need_weights``.  A query whose keys are all masked gets an output row of zeros and zero
        gradient (PyTorch gives NaN there).

    Example:
        >>> q = k = v = nt.randn(2, 4, 5, 8)  # (N, heads, L, E)
        >>> out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        >>> out.shape, bool(np.allclose(out.numpy()[..., 0, :], v.numpy()[..., 0, :]))  # step 0 sees only itself
        ((2, 4, 5, 8), True)
    """
    fn = "scaled_dot_product_attention"
    score_shape = _check_qkv(fn, q, k, v)
    if not 0 <= dropout_p < 1:
        raise ValueError(f"{fn}: dropout_p must be in [0, 1), got {dropout_p!r}")
    if merge_heads and len(score_shape) < 3:
        raise ValueError(f"{fn}: merge_heads needs a heads axis, inputs (..., h, L, E); got query {tuple(q.shape)}, "
                         f"key {tuple(k.shape)}, value {tuple(v.shape)}")
    allowed, additive = _split_mask(fn, attn_mask, score_shape)
    scale = _default_scale(q) if scale is None else float(scale)
    inputs = (q, k, v) if additive is None else (q, k, v, additive)
    return ScaledDotProductAttention.apply(*inputs, allowed=allowed, is_causal=bool(is_causal), scale=scale,
                                           dropout_p=float(dropout_p), return_weights=bool(need_weights),
                                           merge_heads=bool(merge_heads))


class MaskedSoftmax(Function):
    def __init__(self, allowed=None):
        self.allowed = allowed

    def forward(self, scores):
        compiled = _softmax_compiled(scores, self.allowed, own=False)  # the caller's scores are not overwritten
        if compiled is not None:
            self.p = compiled[0]
        else:
            self.p = _softmax_rows(scores, self.allowed, array_module(scores))[0].astype(scores.dtype, copy=False)
        del self.allowed
        return self.p

    def backward(self, gp):
        if kernel_arrays(gp):
            gs = _softmax_grad_compiled(self.p, gp.copy())  # over a copy: gp is not this Function's
            if gs is not None:
                return gs
        return _softmax_grad(self.p, gp)  # dS = P ⊙ (dP − rowsum(dP ⊙ P))


def masked_softmax(scores, mask=None):
    """Softmax over the last axis that ignores positions where ``mask`` is False; a row with no
    position left gives zeros (not NaN), so the attention layers can pad freely.

    Args:
        scores: (..., S) attention scores.
        mask: boolean, broadcastable to ``scores`` (True = take part), or None.

    Example:
        >>> F.masked_softmax(nt.tensor([[1.0, 1.0, 5.0]]), np.array([[True, True, False]])).numpy()
        array([[0.5, 0.5, 0. ]], dtype=float32)
    """
    if mask is None:
        return MaskedSoftmax.apply(scores)
    mask = _data(mask)
    if mask.dtype != bool:
        raise TypeError(f"masked_softmax: mask must be boolean (True = take part), got dtype {mask.dtype}")
    if not _broadcasts_to(tuple(mask.shape), tuple(scores.shape)):
        raise ValueError(f"masked_softmax: mask of shape {tuple(mask.shape)} does not broadcast to scores "
                         f"of shape {tuple(scores.shape)}")
    return MaskedSoftmax.apply(scores, allowed=mask)


def _check_scores(fn, q, k):
    qs, ks = tuple(q.shape), tuple(k.shape)
    if len(qs) < 2 or len(ks) < 2 or qs[-1] != ks[-1]:
        raise ValueError(f"{fn}: expected query (..., L, E) and key (..., S, E) with the same E, got {qs} and {ks}")


def dot_scores(q, k):
    """Luong's dot score qᵀk for every query/key pair: (..., L, E), (..., S, E) → (..., L, S).

    Example:
        >>> F.dot_scores(nt.ones(2, 3, 4), nt.ones(2, 5, 4)).shape  # (N, L, S)
        (2, 3, 5)
    """
    _check_scores("dot_scores", q, k)
    return matmul(q, swapaxes(k, -1, -2))


def _default_scale(q) -> float:
    """1/√E; with E = 0 every score is an empty dot product, 0, and any scale gives it (PyTorch's result)."""
    return 1.0 / math.sqrt(q.shape[-1]) if q.shape[-1] else 1.0


def scaled_dot_scores(q, k, scale: float | None = None):
    """qᵀk/√E (or ·``scale``): the dot score kept at unit variance for random unit-variance vectors.

    Example:
        >>> F.scaled_dot_scores(nt.ones(1, 1, 4), nt.ones(1, 1, 4)).item()  # 4 / sqrt(4)
        2.0
    """
    _check_scores("scaled_dot_scores", q, k)
    scale = _default_scale(q) if scale is None else float(scale)
    return mul(matmul(q, swapaxes(k, -1, -2)), scale)


def cosine_scores(q, k, eps: float = 1e-8):
    """qᵀk/(‖q‖‖k‖): the cosine of the angle between query and key, in [−1, 1].

    ``eps`` is added under the square roots, so a zero vector scores 0 instead of NaN.

    Example:
        >>> F.cosine_scores(nt.tensor([[[1.0, 0.0]]]), nt.tensor([[[2.0, 0.0], [0.0, 3.0]]])).numpy()
        array([[[1., 0.]]], dtype=float32)
    """
    _check_scores("cosine_scores", q, k)
    qn = q / sqrt(reduce_sum(q * q, axis=-1, keepdims=True) + eps * eps)
    kn = k / sqrt(reduce_sum(k * k, axis=-1, keepdims=True) + eps * eps)
    return matmul(qn, swapaxes(kn, -1, -2))


def general_scores(q, k, weight):
    """Luong's general (bilinear) score qᵀ W k with a learned ``weight`` (Eq, Ek).

    Args:
        q: (..., L, Eq); k: (..., S, Ek); weight: (Eq, Ek).  Returns (..., L, S).

    Example:
        >>> F.general_scores(nt.ones(2, 3, 4), nt.ones(2, 5, 6), nt.ones(4, 6)).shape  # q^T W k
        (2, 3, 5)
    """
    qs, ks, ws = tuple(q.shape), tuple(k.shape), tuple(weight.shape)
    if len(ws) != 2 or len(qs) < 2 or len(ks) < 2 or ws != (qs[-1], ks[-1]):
        raise ValueError(f"general_scores: expected query (..., L, Eq), key (..., S, Ek) and weight (Eq, Ek), "
                         f"got {qs}, {ks} and {ws}")
    return matmul(matmul(q, weight), swapaxes(k, -1, -2))


def additive_scores(q, k, v, w_q=None, w_k=None, bias=None):
    """Bahdanau's additive score vᵀ tanh(W_q q + W_k k + b) for every query/key pair.

    With ``w_q``/``w_k`` None the inputs are taken as already projected (Keras's
    ``AdditiveAttention``): vᵀ tanh(q + k).

    Args:
        q: (..., L, Eq); k: (..., S, Ek); v: (H,); w_q: (H, Eq); w_k: (H, Ek); bias: (H,) or None.

    Returns:
        (..., L, S).  Memory grows as L·S·H: fine for the sequence lengths of the course.

    Example:
        >>> q, k = nt.randn(2, 3, 8), nt.randn(2, 5, 8)  # already projected by W_q and W_k
        >>> F.additive_scores(q, k, nt.randn(8)).shape
        (2, 3, 5)
    """
    if w_q is not None:
        q = linear(q, w_q)
    if w_k is not None:
        k = linear(k, w_k)
    qs, ks, vs = tuple(q.shape), tuple(k.shape), tuple(v.shape)
    if len(qs) < 2 or len(ks) < 2 or qs[-1] != ks[-1] or vs != (qs[-1],):
        raise ValueError(f"additive_scores: projected query (..., L, H) {qs}, key (..., S, H) {ks} and v (H,) {vs} "
                         "must share H")
    hidden = unsqueeze(q, -2) + unsqueeze(k, -3)  # (..., L, S, H)
    if bias is not None:
        hidden = hidden + bias
    return matmul(tanh(hidden), v)
