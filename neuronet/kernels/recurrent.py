"""numba kernels for one LSTM time step, forward and backward, and the inference loops that
keep nothing for backward (optional: see ``compiled.py``; importing this module imports numba).

The NumPy loop in ``recurrent.py`` is the reference; these kernels do the same element-wise
arithmetic of a step in one pass over the (N, H) cells instead of about ten ufunc calls, the
recurrent matrix product staying a BLAS call between them.  float32 only.  tanh is Eigen's
rational approximation (13/6 odd/even polynomials on [−7.9, 7.9], where float32 tanh reaches
±1; exactly ±1 from |x| ≥ 9 as float32 tanh): pure arithmetic, so the loops vectorise; measured max relative error 2.7e-7 against a
float64 tanh over 10⁶ normal·4 samples (NumPy's float32 tanh: 6e-8).  σ(a) = ½·tanh(a/2) + ½,
with a/2 folded into the weights by the caller, as in the NumPy path.
"""
from __future__ import annotations

from ..backend import np
from .numba_sgemm import I64 as _I64, PLAIN as _PLAIN, ROW as _ROW, compiled_sgemm, gemm
from .compiled import compile_kernel

__all__ = ["forward_step", "backward_step", "sequence_loops", "inference_loop", "inference_loop_direct"]

_F = np.float32
_CLAMP = _F(7.90531110763549805)
_A1, _A3, _A5, _A7 = _F(4.89352455891786e-03), _F(6.37261928875436e-04), _F(1.48572235717979e-05), _F(5.12229709037114e-08)
_A9, _A11, _A13 = _F(-8.60467152213735e-11), _F(2.00018790482477e-13), _F(-2.76076847742355e-16)
_B0, _B2, _B4, _B6 = _F(4.89352518554385e-03), _F(2.26843463243900e-03), _F(1.18534705686654e-04), _F(1.19825839466702e-06)
_HALF, _ONE, _ZERO, _SATURATED = _F(0.5), _F(1.0), _F(0.0), _F(9.0)


@compile_kernel(inline=True)
def tanh32(x):
    """float32 tanh as Eigen's rational approximation (see the module docstring)."""
    y = _CLAMP if x > _CLAMP else x  # comparisons with NaN are false: NaN passes through
    y = -_CLAMP if y < -_CLAMP else y
    y2 = y * y
    p = y2 * (y2 * (y2 * (y2 * (y2 * (y2 * _A13 + _A11) + _A9) + _A7) + _A5) + _A3) + _A1
    q = y2 * (y2 * (y2 * _B6 + _B4) + _B2) + _B0
    r = y * p / q
    r = _ONE if x >= _SATURATED else r  # float32 tanh is exactly ±1 from 9 on
    return -_ONE if x <= -_SATURATED else r


@compile_kernel
def forward_step(a, rec, c_prev, c, tanh_c, h):
    """a (N, 4H): this step's input projection (i, f, o halved, g), overwritten with the gate
    activations; rec (N, 4H): h_prev·W_hhᵀ (halved alike).  Writes c, tanh c and h (N, H).

    One flat tanh pass over all N·4H values first (long loops vectorise; per-row loops of 4H
    ran at a third of the speed), then per row σ = ½·tanh + ½ for i, f, o and the cell update.
    """
    n, g4 = a.shape
    hid = g4 // 4
    flat, flat_rec = a.reshape(-1), rec.reshape(-1)
    for k in range(n * g4):
        flat[k] = tanh32(flat[k] + flat_rec[k])
    for b in range(n):
        ab = a[b]
        for k in range(3 * hid):  # i, f, o = σ(z) = ½·tanh(z/2) + ½
            ab[k] = _HALF * ab[k] + _HALF
        cp, cb, tb, hb = c_prev[b], c[b], tanh_c[b], h[b]
        for j in range(hid):
            cell = ab[hid + j] * cp[j] + ab[j] * ab[3 * hid + j]  # c = f·c' + i·g
            cb[j] = cell
            tc = tanh32(cell)
            tb[j] = tc
            hb[j] = ab[2 * hid + j] * tc  # h = o·tanh c


@compile_kernel
def backward_step(a, tanh_c, c_prev, dh, g_seq, has_seq, dc, da, dc_prev):
    """Gate gradients da (N, 4H) (w.r.t. the un-halved pre-activations) and dc_prev from the
    step's activations a, tanh c, c_prev and the incoming dh (+ g_seq when has_seq) and dc.
    da may be a: each cell's four gates are read before its four gradients are written."""
    n, g4 = a.shape
    hid = g4 // 4
    for b in range(n):
        ab, tb, cp, dhb, gb, dcb, dab, dcp = a[b], tanh_c[b], c_prev[b], dh[b], g_seq[b], dc[b], da[b], dc_prev[b]
        for j in range(hid):
            i, f, o, g = ab[j], ab[hid + j], ab[2 * hid + j], ab[3 * hid + j]
            tc = tb[j]
            dht = dhb[j] + gb[j] if has_seq else dhb[j]
            dct = dcb[j] + dht * o * (_ONE - tc * tc)  # h = o·tanh(c): dh/dc = o·(1 − tanh²c)
            dab[j] = dct * g * (i * (_ONE - i))  # dc/di = g, σ' = σ(1 − σ)
            dab[hid + j] = dct * cp[j] * (f * (_ONE - f))  # dc/df = c'
            dab[2 * hid + j] = dht * tc * (o * (_ONE - o))  # dh/do = tanh c
            dab[3 * hid + j] = dct * i * (_ONE - g * g)  # dc/dg = i, tanh' = 1 − tanh²
            dcp[j] = dct * f  # dc/dc' = f


_loops = {}


def sequence_loops():
    """(forward_loop, backward_loop, sgemm): whole time loops over a block of batch rows that
    call NumPy's own ``sgemm`` (``numba_sgemm.py``) for each step's product; a thread then runs
    a block's whole recurrence without the GIL.  None when NumPy's ``sgemm`` is not found."""
    if "loops" not in _loops:
        sgemm = compiled_sgemm()
        _loops["loops"] = None if sgemm is None else (forward_loop, backward_loop, sgemm)
    return _loops["loops"]


@compile_kernel
def forward_loop(sgemm, acts, hs, cs, tanh_c, w_hh_t, s, e):
    """Steps t = 0..T−1 for rows s:e: rec = h_t·W_hhᵀ (sgemm), then :func:`forward_step`."""
    t_len, _, g4 = acts.shape
    hid, m = g4 // 4, e - s
    rec = np.empty((m, g4), np.float32)
    for t in range(t_len):
        gemm(sgemm, _ROW, _PLAIN, _PLAIN, _I64(m), _I64(g4), _I64(hid), _ONE, _I64(hs[t, s:e].ctypes.data), _I64(hid),
             _I64(w_hh_t.ctypes.data), _I64(g4), _ZERO, _I64(rec.ctypes.data), _I64(g4))
        forward_step(acts[t, s:e], rec, cs[t, s:e], cs[t + 1, s:e], tanh_c[t, s:e], hs[t + 1, s:e])


@compile_kernel
def backward_loop(sgemm, acts, tanh_c, cs, g_h, g_c, g_seq, has_seq, d_acts, w_hh, dh_0, dc_0, s, e):
    """Steps t = T−1..0 for rows s:e: :func:`backward_step`, then dh' = da·W_hh (sgemm); the
    gradients reaching the initial state go to dh_0, dc_0 (g_seq is read only when has_seq)."""
    t_len, _, g4 = acts.shape
    hid, m = g4 // 4, e - s
    dh, dc = g_h[s:e].copy(), g_c[s:e].copy()
    dh_next, dc_next = np.empty((m, hid), np.float32), np.empty((m, hid), np.float32)
    for t in range(t_len - 1, -1, -1):
        backward_step(acts[t, s:e], tanh_c[t, s:e], cs[t, s:e], dh, g_seq[t, s:e], has_seq, dc, d_acts[t, s:e],
                      dc_next)
        gemm(sgemm, _ROW, _PLAIN, _PLAIN, _I64(m), _I64(hid), _I64(g4), _ONE, _I64(d_acts[t, s:e].ctypes.data),
             _I64(g4), _I64(w_hh.ctypes.data), _I64(hid), _ZERO, _I64(dh_next.ctypes.data), _I64(hid))
        dh, dh_next = dh_next, dh
        dc, dc_next = dc_next, dc
    dh_0[s:e] = dh
    dc_0[s:e] = dc


# --- inference: nothing kept for backward, PyTorch's gate order, the weights as they are -----------
DIRECT_ROWS = 4  # up to this many rows a plain dot loop beats sgemm (which packs W_hh afresh every call)


@compile_kernel(reassociate=True)
def recurrent_product(h, w, out):
    """out (m, G) = h (m, H) · wᵀ for w (G, H) as it is stored, G a multiple of 4: dot products of
    length H, four rows of w at a time (each h value loaded once for four), which vectorise
    (reassociated sums) without a transposed copy of w.  For the few rows of batch-1 inference:
    OpenBLAS's sgemm packs w on every call (about 20 µs for 512×128 at one row, where these dots
    take 2–3 µs; four rows at a time measured 15–20 % faster than one)."""
    m, g = out.shape
    hid = h.shape[1]
    for b in range(m):
        hb, ob = h[b], out[b]
        for j in range(0, g, 4):
            w0, w1, w2, w3 = w[j], w[j + 1], w[j + 2], w[j + 3]
            a0, a1, a2, a3 = _ZERO, _ZERO, _ZERO, _ZERO
            for k in range(hid):
                hk = hb[k]
                a0 += w0[k] * hk
                a1 += w1[k] * hk
                a2 += w2[k] * hk
                a3 += w3[k] * hk
            ob[j], ob[j + 1], ob[j + 2], ob[j + 3] = a0, a1, a2, a3


@compile_kernel
def inference_step(a, rec, c, h):
    """One LSTM step in PyTorch's gate order (i, f, g, o) from the pre-activations a + rec (N, 4H),
    a read only; c (N, H) updated in place, h (N, H) written.  σ(z) = ½·tanh(z/2) + ½."""
    n, g4 = a.shape
    hid = g4 // 4
    for b in range(n):
        ab, rb, cb, hb = a[b], rec[b], c[b], h[b]
        for j in range(hid):
            i = _HALF * tanh32(_HALF * (ab[j] + rb[j])) + _HALF
            f = _HALF * tanh32(_HALF * (ab[hid + j] + rb[hid + j])) + _HALF
            g = tanh32(ab[2 * hid + j] + rb[2 * hid + j])
            o = _HALF * tanh32(_HALF * (ab[3 * hid + j] + rb[3 * hid + j])) + _HALF
            cell = f * cb[j] + i * g  # c = f·c' + i·g
            cb[j] = cell
            hb[j] = o * tanh32(cell)  # h = o·tanh c


@compile_kernel
def inference_loop_direct(acts, hs, c, w_hh):
    """Steps t = 0..T−1 of an LSTM that records nothing, for a few rows (up to ``DIRECT_ROWS``):
    rec = h_t·W_hhᵀ by :func:`recurrent_product` on w_hh (4H, H) as stored, then
    :func:`inference_step` into hs[t+1] and c.  No BLAS: at these few rows the dot loop beats
    sgemm, which packs W_hh afresh on every call."""
    t_len, m, g4 = acts.shape
    rec = np.empty((m, g4), np.float32)
    for t in range(t_len):
        recurrent_product(hs[t], w_hh, rec)
        inference_step(acts[t], rec, c, hs[t + 1])


@compile_kernel
def inference_loop(sgemm, acts, hs, c, w_hh_t, s, e):
    """:func:`inference_loop_direct` for rows s:e of a larger batch: rec = h_t·W_hhᵀ by sgemm on a
    contiguous w_hh_t (H, 4H)."""
    t_len, _, g4 = acts.shape
    hid, m = g4 // 4, e - s
    rec = np.empty((m, g4), np.float32)
    for t in range(t_len):
        gemm(sgemm, _ROW, _PLAIN, _PLAIN, _I64(m), _I64(g4), _I64(hid), _ONE, _I64(hs[t, s:e].ctypes.data), _I64(hid),
             _I64(w_hh_t.ctypes.data), _I64(g4), _ZERO, _I64(rec.ctypes.data), _I64(g4))
        inference_step(acts[t, s:e], rec, c[s:e], hs[t + 1, s:e])
