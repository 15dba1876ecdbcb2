"""numba whole-sequence loops for the reset-after GRU (PyTorch's and Keras's default), forward
and backward (optional: see ``compiled.py``; importing this module imports numba).

The NumPy loops in ``functional/recurrent.py`` (``_gru_loop`` and ``GRUSequence.backward``) are
the reference; these do a step's element-wise arithmetic in one pass over the (N, H) cells
instead of about fifteen ufunc calls, each step's recurrent product staying one ``sgemm`` call
(``numba_sgemm.py``), so a thread runs a block of batch rows through the whole sequence without
the GIL or a temporary per step.  float32 only; σ(z) = ½·tanh(z/2) + ½ and tanh are
``recurrent.tanh32`` (Eigen's rational tanh, relative error under 3e-7).
"""
from __future__ import annotations

from ..backend import np
from .compiled import compile_kernel
from .numba_sgemm import I64 as _I64, PLAIN as _PLAIN, ROW as _ROW, gemm
from .recurrent import tanh32

__all__ = ["forward_loop", "backward_loop", "infer_loop"]

_F = np.float32
_HALF, _ONE, _ZERO = _F(0.5), _F(1.0), _F(0.0)


@compile_kernel(inline=True)
def _sigmoid(x):
    return _HALF * tanh32(_HALF * x) + _HALF


@compile_kernel(inline=True)
def _step(a, gh, b_hn, h_prev, extra, h):
    """One step for m rows: a (m, 3H) the input projection (biases but b_hn folded in),
    overwritten with r, z, n; gh (m, 3H) = h_prev·W_hhᵀ; extra (m, H) receives W_hn h + b_hn."""
    m, g3 = a.shape
    hid = g3 // 3
    for b in range(m):
        ab, gb, hp, eb, hb = a[b], gh[b], h_prev[b], extra[b], h[b]
        for j in range(hid):
            r = _sigmoid(ab[j] + gb[j])
            z = _sigmoid(ab[hid + j] + gb[hid + j])
            ghn = gb[2 * hid + j] + b_hn[j]
            n = tanh32(ab[2 * hid + j] + r * ghn)  # n = tanh(a_n + r⊙(W_hn h + b_hn))
            ab[j], ab[hid + j], ab[2 * hid + j], eb[j] = r, z, n, ghn
            hb[j] = n + z * (hp[j] - n)  # h' = (1−z)⊙n + z⊙h


@compile_kernel
def forward_loop(sgemm, acts, hs, extra, w_hh_t, b_hn, s, e):
    """Steps t = 0..T−1 for rows s:e: gh = h_t·W_hhᵀ (sgemm on a contiguous w_hh_t (H, 3H)),
    then the gates into acts[t], W_hn h + b_hn into extra[t] and h into hs[t+1]."""
    t_len, _, g3 = acts.shape
    hid, m = g3 // 3, e - s
    gh = np.empty((m, g3), np.float32)
    for t in range(t_len):
        gemm(sgemm, _ROW, _PLAIN, _PLAIN, _I64(m), _I64(g3), _I64(hid), _ONE, _I64(hs[t, s:e].ctypes.data), _I64(hid),
             _I64(w_hh_t.ctypes.data), _I64(g3), _ZERO, _I64(gh.ctypes.data), _I64(g3))
        _step(acts[t, s:e], gh, b_hn, hs[t, s:e], extra[t, s:e], hs[t + 1, s:e])


@compile_kernel
def infer_loop(sgemm, acts, hs, w_hh_t, b_hn, s, e):
    """:func:`forward_loop` keeping nothing for backward: one (m, H) scratch for W_hn h + b_hn."""
    t_len, _, g3 = acts.shape
    hid, m = g3 // 3, e - s
    gh = np.empty((m, g3), np.float32)
    scratch = np.empty((m, hid), np.float32)
    for t in range(t_len):
        gemm(sgemm, _ROW, _PLAIN, _PLAIN, _I64(m), _I64(g3), _I64(hid), _ONE, _I64(hs[t, s:e].ctypes.data), _I64(hid),
             _I64(w_hh_t.ctypes.data), _I64(g3), _ZERO, _I64(gh.ctypes.data), _I64(g3))
        _step(acts[t, s:e], gh, b_hn, hs[t, s:e], scratch, hs[t + 1, s:e])


@compile_kernel
def backward_loop(sgemm, acts, extra, hs, g_h, g_seq, has_seq, d_in, d_rec_n, w_hh, dh_0, s, e):
    """Steps t = T−1..0 for rows s:e.  d_in[t] (m, 3H) gets the gradient of the input projection
    (r, z, n pre-activations), d_rec_n[t] (m, H) that of W_hn h + b_hn, dh_0 the state gradient
    reaching h0.  d_in may be acts and d_rec_n may be extra: each cell is read before it is
    written.  dh' = z⊙dh + [dr, dz, r⊙dn]·W_hh (sgemm accumulating onto z⊙dh)."""
    t_len, _, g3 = acts.shape
    hid, m = g3 // 3, e - s
    dh = g_h[s:e].copy()
    dh_prev = np.empty((m, hid), np.float32)
    d_rec = np.empty((m, g3), np.float32)
    for t in range(t_len - 1, -1, -1):
        for b in range(m):
            row = s + b
            ab, eb, hp, di, dr_n = acts[t, row], extra[t, row], hs[t, row], d_in[t, row], d_rec_n[t, row]
            drec, dhb, dpb = d_rec[b], dh[b], dh_prev[b]
            for j in range(hid):
                r, z, n, ghn = ab[j], ab[hid + j], ab[2 * hid + j], eb[j]
                dht = dhb[j] + g_seq[t, row, j] if has_seq else dhb[j]
                dan = dht * (_ONE - z) * (_ONE - n * n)  # dh'/dn = 1−z; tanh' = 1 − n²
                dz = dht * (hp[j] - n) * (z * (_ONE - z))  # dh'/dz = h − n
                dr = dan * ghn * (r * (_ONE - r))  # dn/dr = W_hn h + b_hn
                rn = dan * r
                di[j], di[hid + j], di[2 * hid + j] = dr, dz, dan
                drec[j], drec[hid + j], drec[2 * hid + j] = dr, dz, rn
                dr_n[j] = rn
                dpb[j] = dht * z  # dh'/dh (direct) = z
        gemm(sgemm, _ROW, _PLAIN, _PLAIN, _I64(m), _I64(hid), _I64(g3), _ONE, _I64(d_rec.ctypes.data), _I64(g3),
             _I64(w_hh.ctypes.data), _I64(hid), _ONE, _I64(dh_prev.ctypes.data), _I64(hid))
        dh, dh_prev = dh_prev, dh
    dh_0[s:e] = dh
