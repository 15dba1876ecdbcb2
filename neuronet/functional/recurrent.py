"""Whole-sequence LSTM and GRU, each one Function with back-propagation through time written by hand.

The input projection of all T steps is one GEMM ``(N·T, F) @ W_ihᵀ`` before the loop; the loop
then does one ``(N, H) @ W_hhᵀ`` GEMM per step into preallocated (T, N, ·) arrays.  Backward runs
the loop in reverse with the gate derivatives below, stores the gate gradients of every step,
and finishes with one GEMM each for dW_hh (over the stacked previous states), dW_ih and dx.
When nothing records a graph (``nt.no_grad()``, inference) the LSTM and the GRU keep only their
states; the LSTM uses the weights as given and at batch 1 runs its whole loop in one compiled call.
Backward writes the gate gradients over the saved activations when nothing else holds them,
and drops the states before dx and dW_ih make their (T·N, F) arrays: a training step's peak is
the saved arrays plus the gradients.  With numba, float32 and no padding mask the time loops
are compiled (``kernels/recurrent.py``, ``kernels/recurrent_gru.py`` for the reset-after GRU),
one block of batch rows per BLAS thread; the NumPy loops here are their reference.
``return_sequences=False`` skips the (N, T, H) output.

Layouts and gate orders are PyTorch's: ``weight_ih (G·H, F)``, ``weight_hh (G·H, H)``,
``bias_ih``/``bias_hh (G·H,)``; LSTM gates (i, f, g, o), GRU gates (r, z, n).  ``lengths``
(N,) masks padded steps exactly like ``torch.nn.utils.rnn.pack_padded_sequence``: outputs are
zero past each sequence's end and the returned state is the one at its own last step.
``reverse=True`` reads every sequence right to left within its own length (the backward
direction of a bidirectional layer); outputs stay at their original time positions.
"""
from __future__ import annotations

from ..backend import array_module, np
from ..kernels.alignment import aligned
from ..kernels.compiled import kernel_arrays
from ..kernels.parallel import over_row_blocks, single_threaded_blas
from .empty import empty_result
from .recurrent_common import SequenceFunction, as_lengths, check_recurrent_inputs, sigmoid_

_MIN_BLOCK_ROWS = 4  # smaller blocks of the compiled loops cost more per call than unpacked products save

__all__ = ["lstm", "gru"]


def _zeros_state(x, n, h):
    xp = array_module(x.data if hasattr(x, "data") else x)
    return xp.zeros((n, h), dtype=(x.data if hasattr(x, "data") else x).dtype)


_IFOG = [0, 1, 3, 2]  # PyTorch's gate blocks (i, f, g, o) <-> the internal order (i, f, o, g); its own inverse


def _gate_blocks(a, order, gates=4):
    """Reorder the gate blocks of a (G·H, ...) weight or (G·H,) bias."""
    return a.reshape(gates, a.shape[0] // gates, *a.shape[1:])[order].reshape(a.shape)


class LSTMSequence(SequenceFunction):
    """Internally the gates are ordered (i, f, o, g), so the three sigmoids are one contiguous block,
    and their rows of the forward weights are halved: σ(a) = ½·tanh(a/2) + ½ makes one tanh call
    per step activate all four gates."""

    def __init__(self, lengths=None, reverse=False, sequences=True):
        self.lengths, self.reverse, self.sequences = lengths, reverse, sequences

    def forward(self, x, h0, c0, w_ih, w_hh, b_ih, b_hh):
        if not self.recording:  # no graph (inference, nt.no_grad()): keep nothing, copy no weights
            return self._infer(x, h0, c0, w_ih, w_hh, _sum_biases(b_ih, b_hh))
        xp = array_module(x)
        h = w_hh.shape[1]
        half = xp.ones((4 * h, 1), xp.result_type(x.dtype, w_ih.dtype))  # not x's: an integer x would cut 0.5 to 0
        half[:3 * h] = 0.5
        self.w_ih, self.w_hh = _gate_blocks(w_ih, _IFOG), _gate_blocks(w_hh, _IFOG)  # backward uses these
        bias = _sum_biases(b_ih, b_hh)
        bias = None if bias is None else _gate_blocks(bias, _IFOG) * half[:, 0]
        acts = self.project_inputs(x, self.w_ih * half, bias, self.lengths, self.reverse)  # (T, N, 4H)
        t_len, n, _ = acts.shape
        # states in the projections' dtype: an integer or float16 x with float32 weights must not cut the
        # states to integers (or hand float16 buffers to the float32 kernels)
        hs = xp.empty((t_len + 1, n, h), acts.dtype)  # hs[t+1] = state after step t (carried past the end)
        cs = xp.empty((t_len + 1, n, h), acts.dtype)
        tanh_c = xp.empty((t_len, n, h), acts.dtype)
        hs[0], cs[0] = h0, c0
        keep = self.order.keep
        w_hh_t = xp.ascontiguousarray((self.w_hh * half).T)  # a transposed view makes each step's GEMM 1.5× slower
        self.acts, self.hs, self.cs, self.tanh_c = acts, hs, cs, tanh_c
        loops = _lstm_kernels(keep, acts)
        if loops is not None:
            self._forward_compiled(loops, w_hh_t)
        else:
            with single_threaded_blas():
                self._forward_numpy(w_hh_t, keep)
        return self.outputs(hs), hs[-1].copy(), cs[-1].copy()

    def _infer(self, x, h0, c0, w_ih, w_hh, bias):
        """The forward when nothing records: PyTorch's gate order and the weights as given (no
        reordered, halved or transposed copies), and only the states kept — no gate activations,
        cells or tanh c for a backward that will not run.  Batch 1 runs the whole loop in one
        compiled call without BLAS (``kernels.recurrent.inference_loop_direct``)."""
        xp = array_module(x)
        acts = self.project_inputs(x, w_ih, bias, self.lengths, self.reverse)  # (T, N, 4H), all steps in one GEMM
        t_len, n, g4 = acts.shape
        hs = xp.empty((t_len + 1, n, g4 // 4), acts.dtype)
        hs[0] = h0
        c = xp.array(c0, dtype=acts.dtype)  # a copy: updated in place step by step
        keep = self.order.keep
        kernels = _inference_kernels(keep, acts, hs, c, w_hh)
        if kernels is not None and n <= kernels.DIRECT_ROWS:  # batch 1: one compiled call, no BLAS
            # W_hh on a 32-byte boundary, as the layers and load_state_dict make it (a copy only when it is
            # not): its rows are streamed with vector loads every step (kernels/alignment.py)
            kernels.inference_loop_direct(acts, hs, c, aligned(w_hh, 32))
        elif kernels is not None and kernels.sequence_loops() is not None:
            # sgemm on a contiguous W_hhᵀ: a transposed view makes each step's GEMM 1.5× slower
            sgemm = kernels.sequence_loops()[2]
            w_hh_t = xp.ascontiguousarray(w_hh.T)
            over_row_blocks(lambda s, e: kernels.inference_loop(sgemm, acts, hs, c, w_hh_t, s, e), n, acts)
        else:
            with single_threaded_blas():
                _infer_numpy(acts, hs, c, w_hh, keep)
        return self.outputs(hs), hs[-1].copy(), c

    def _forward_compiled(self, loops, w_hh_t):
        """The whole step loop in compiled code (kernels/recurrent.py), one block of batch rows per core."""
        forward_loop, _, sgemm = loops
        acts, hs, cs, tanh_c = self.acts, self.hs, self.cs, self.tanh_c
        over_row_blocks(lambda s, e: forward_loop(sgemm, acts, hs, cs, tanh_c, w_hh_t, s, e), acts.shape[1], acts,
                        max_rows=_loop_block_rows(acts.shape[2] // 4))

    def _forward_numpy(self, w_hh_t, keep):
        """The reference step loop: NumPy ufuncs, in place in preallocated arrays."""
        acts, hs, cs, tanh_c = self.acts, self.hs, self.cs, self.tanh_c
        xp = array_module(acts)
        t_len, n, g4 = acts.shape
        h = g4 // 4
        rec = xp.empty((n, g4), acts.dtype)  # per-step scratch: a fresh 64 KB array each step costs page faults
        ig = xp.empty((n, h), acts.dtype)
        for t in range(t_len):
            a = acts[t]
            xp.matmul(hs[t], w_hh_t, out=rec)
            a += rec
            xp.tanh(a, out=a)
            sig = a[:, :3 * h]
            sig *= 0.5
            sig += 0.5
            i, f, o, g = a[:, :h], a[:, h:2 * h], a[:, 2 * h:3 * h], a[:, 3 * h:]
            c = cs[t + 1]
            xp.multiply(f, cs[t], out=c)
            xp.multiply(i, g, out=ig)
            c += ig
            xp.tanh(c, out=tanh_c[t])
            xp.multiply(o, tanh_c[t], out=hs[t + 1])
            if keep is not None:  # a padded step carries the state unchanged
                cs[t + 1] = xp.where(keep[t] > 0, c, cs[t])
                hs[t + 1] = xp.where(keep[t] > 0, hs[t + 1], hs[t])

    def backward(self, g_out, g_h, g_c):
        xp = array_module(g_out)
        # the gate gradients overwrite the gate activations step by step (each step reads only its
        # own) when nothing else holds them; the cells, tanh c and states are dropped once used
        acts, writable = self.take_saved("acts")
        t_len, n, g4 = acts.shape
        h = g4 // 4
        d_acts = acts if writable else xp.empty_like(acts)
        cs, tanh_c = self.take_saved("cs")[0], self.take_saved("tanh_c")[0]
        hs = self.take_saved("hs")[0]
        g_seq = self.output_grad(g_out) if g_out.any() else None
        # g_h, g_c are never written: backward must not modify the gradients it receives
        loops = _lstm_kernels(self.order.keep, acts, g_h, g_c, g_seq)
        if loops is not None:
            dh, dc = self._backward_compiled(loops, acts, cs, tanh_c, hs, d_acts, g_seq, g_h, g_c)
        else:
            with single_threaded_blas():
                dh, dc = self._backward_numpy(acts, cs, tanh_c, d_acts, g_seq, g_h, g_c)
        del acts, cs, tanh_c
        dw_hh = None
        if self.needs_grad[4]:
            dw_hh = _gate_blocks(d_acts.reshape(t_len * n, g4).T @ hs[:-1].reshape(t_len * n, h), _IFOG)
        del hs  # dead before input_grads makes its (T·N, F) arrays
        dx, dw_ih, db = self.input_grads(d_acts, self.w_ih)
        dw_ih = None if dw_ih is None else _gate_blocks(dw_ih, _IFOG)
        db = _gate_blocks(db, _IFOG)
        return dx, dh, dc, dw_ih, dw_hh, db, db

    def _backward_compiled(self, loops, acts, cs, tanh_c, hs, d_acts, g_seq, g_h, g_c):
        """The whole reverse step loop in compiled code, one block of batch rows per core; fills
        d_acts (which may be acts) and returns (dh_0, dc_0)."""
        _, backward_loop, sgemm = loops
        xp = array_module(acts)
        n, h = acts.shape[1], acts.shape[2] // 4
        dh_0, dc_0 = xp.empty((n, h), acts.dtype), xp.empty((n, h), acts.dtype)
        seq = hs if g_seq is None else g_seq  # any (T, N, H) array when there is no output gradient: never read

        def rows(s, e):
            backward_loop(sgemm, acts, tanh_c, cs, g_h, g_c, seq, g_seq is not None, d_acts, self.w_hh, dh_0, dc_0, s, e)

        over_row_blocks(rows, n, acts, max_rows=_loop_block_rows(h))
        return dh_0, dc_0

    def _backward_numpy(self, acts, cs, tanh_c, d_acts, g_seq, g_h, g_c):
        """The reference reverse step loop (NumPy ufuncs); fills d_acts (which may be acts: a
        step reads its activations before writing its gradients) and returns (dh_0, dc_0)."""
        xp = array_module(acts)
        t_len, n, g4 = acts.shape
        h = g4 // 4
        keep, drop = self.order.keep, self.order.drop
        dtype = acts.dtype
        tmp, dh_t_buf, dc_t, dg = (xp.empty((n, h), dtype) for _ in range(4))
        sig_d = xp.empty((n, 3 * h), dtype)
        bufs = [(xp.empty((n, h), dtype), xp.empty((n, h), dtype)) for _ in range(2)]  # alternate: dh, dc
        dh, dc = g_h, g_c
        for t in range(t_len - 1, -1, -1):
            a, da = acts[t], d_acts[t]
            i, f, o, g = a[:, :h], a[:, h:2 * h], a[:, 2 * h:3 * h], a[:, 3 * h:]
            dh_t = dh if g_seq is None else xp.add(dh, g_seq[t], out=dh_t_buf)
            dc_in = dc
            if keep is not None:  # only real steps receive gradient; padded ones pass it straight through
                dh_t, dc_in = dh_t * keep[t], dc * keep[t]
            tc = tanh_c[t]
            xp.multiply(tc, tc, out=tmp)
            xp.subtract(1, tmp, out=tmp)
            tmp *= o
            tmp *= dh_t
            xp.add(dc_in, tmp, out=dc_t)                 # h = o·tanh(c): dh/dc = o·(1 − tanh²c)
            sig = a[:, :3 * h]                             # every read of a comes before the writes into da
            xp.multiply(sig, sig, out=sig_d)
            xp.subtract(sig, sig_d, out=sig_d)             # σ' = σ(1 − σ) of i, f, o
            xp.multiply(dc_t, i, out=dg)                   # dc/dg = i
            xp.multiply(g, g, out=tmp)
            xp.subtract(1, tmp, out=tmp)
            dg *= tmp                                      # tanh' = 1 − tanh²
            dh_prev, dc_prev = bufs[t % 2]
            xp.multiply(dc_t, f, out=dc_prev)              # dc/dc' = f
            xp.multiply(dc_t, g, out=da[:, :h])            # c = f·c' + i·g: dc/di = g
            xp.multiply(dc_t, cs[t], out=da[:, h:2 * h])   # dc/df = c'
            xp.multiply(dh_t, tc, out=da[:, 2 * h:3 * h])  # dh/do = tanh c
            da[:, 3 * h:] = dg
            da[:, :3 * h] *= sig_d
            xp.matmul(da, self.w_hh, out=dh_prev)          # d(h' W_hhᵀ)/dh' = W_hh
            if keep is not None:
                dc_prev += dc * drop[t]
                dh_prev += dh * drop[t]
            dh, dc = dh_prev, dc_prev
        return dh.copy(), dc.copy()


def _sum_biases(b_ih, b_hh):
    """b_ih + b_hh, either alone, or None: both add to the same pre-activations."""
    return b_ih if b_hh is None else b_hh if b_ih is None else b_ih + b_hh


def _infer_numpy(acts, hs, c, w_hh, keep):
    """The inference step loop in NumPy (the reference of ``kernels.recurrent.inference_loop``):
    PyTorch's gate order (i, f, g, o); acts (T, N, 4H) is overwritten with the activations, hs[t+1]
    and c written; ``keep`` (T, N, 1) or None holds padded steps' states.

    σ(z) = ½·tanh(z/2) + ½ with the ½ folded into acts and into one scaled copy of W_hh, so a
    step activates all four gates with three ufunc calls (tanh, then ·s + o with s = ½, o = ½ on
    i, f, o and s = 1, o = 0 on g): at batch 1 the step costs its number of calls."""
    xp = array_module(acts)
    t_len, n, g4 = acts.shape
    h = g4 // 4
    scale = xp.full(g4, 0.5, acts.dtype)
    scale[2 * h:3 * h] = 1
    shift = xp.full(g4, 0.5, acts.dtype)
    shift[2 * h:3 * h] = 0
    acts *= scale
    w_t = (w_hh * scale[:, None].astype(w_hh.dtype)).T  # a view of the scaled copy: no transposing copy
    if n > 4:  # more rows multiply faster against contiguous rows of W_hhᵀ
        w_t = xp.ascontiguousarray(w_t)
    rec = xp.empty((n, g4), acts.dtype)
    ig, tanh_c = xp.empty((n, h), acts.dtype), xp.empty((n, h), acts.dtype)
    for t in range(t_len):
        a = acts[t]
        xp.matmul(hs[t], w_t, out=rec)
        a += rec
        xp.tanh(a, out=a)
        a *= scale
        a += shift
        i, f, g, o = a[:, :h], a[:, h:2 * h], a[:, 2 * h:3 * h], a[:, 3 * h:]
        xp.multiply(i, g, out=ig)
        if keep is None:
            c *= f
            c += ig               # c = f·c' + i·g
        else:                     # a padded step carries the state unchanged
            c[...] = xp.where(keep[t] > 0, f * c + ig, c)
        xp.tanh(c, out=tanh_c)
        xp.multiply(o, tanh_c, out=hs[t + 1])  # h = o·tanh c
        if keep is not None:
            hs[t + 1] = xp.where(keep[t] > 0, hs[t + 1], hs[t])


def _loop_block_rows(h: int, gates: int = 4) -> int:
    """Rows per block of the compiled loops: as many as NumPy's BLAS multiplies by W_hh without
    packing it (``kernels.cblas.direct_sgemm_rows``), or no limit (0) when that is under 4 rows or unknown."""
    from ..kernels.cblas import direct_sgemm_rows
    rows = direct_sgemm_rows(gates * h, h)
    return rows if rows >= _MIN_BLOCK_ROWS else 0


def _inference_kernels(keep, *arrays):
    """The module of compiled inference loops (``kernels.recurrent``) when they apply — numba on,
    NumPy float32 arrays, no padding mask — else None (the NumPy loop)."""
    if keep is not None or not kernel_arrays(*arrays):
        return None
    from ..kernels import recurrent
    return recurrent


def _lstm_kernels(keep, *arrays):
    """The compiled whole-sequence loops (forward, backward, sgemm) when they apply — numba on,
    NumPy float32 arrays, no padding mask, NumPy's sgemm found — else None (the NumPy loop)."""
    if keep is not None or not kernel_arrays(*(a for a in arrays if a is not None)):
        return None
    from ..kernels.recurrent import sequence_loops
    return sequence_loops()


def _gru_kernels(reset_after, keep, *arrays):
    """(kernels.recurrent_gru, sgemm) when the compiled loops apply — reset-after, numba on,
    NumPy float32 arrays, no padding mask, NumPy's sgemm found — else None (the NumPy loop)."""
    if not reset_after or keep is not None or not kernel_arrays(*(a for a in arrays if a is not None)):
        return None
    from ..kernels import recurrent_gru
    from ..kernels.numba_sgemm import compiled_sgemm
    sgemm = compiled_sgemm()
    return None if sgemm is None else (recurrent_gru, sgemm)


def lstm(x, h0, c0, weight_ih, weight_hh, bias_ih=None, bias_hh=None, lengths=None, reverse=False,
         return_sequences=True):
    """Run a one-layer LSTM over a whole batch-first sequence as one fused Function.

    Each step: i, f, o = σ(·), g = tanh(·) of x_t W_ihᵀ + b_ih + h W_hhᵀ + b_hh (gate order
    i, f, g, o); c' = f⊙c + i⊙g; h' = o⊙tanh(c').

    Args:
        x: (N, T, F).  h0, c0: (N, H) initial states, or None for zeros.
        weight_ih, weight_hh, bias_ih, bias_hh: (4H, F), (4H, H), and (4H,) or None for the biases.
        lengths: (N,) real lengths of right-padded sequences, or None when all are T.
        reverse: read each sequence right to left within its own length.
        return_sequences: False when only the last state is wanted: the outputs are then an
            empty (N, 0, H) array (no (N, T, H) copy of the states is made or kept).

    Returns:
        (outputs (N, T, H), h_T (N, H), c_T (N, H)); outputs are zero at padded steps and the
        states are those at each sequence's own last step.

    Example:
        >>> N, T, D, H = 2, 5, 3, 4
        >>> x, h0, c0 = nt.randn(N, T, D), nt.zeros(N, H), nt.zeros(N, H)
        >>> out = F.lstm(x, h0, c0, nt.randn(4 * H, D), nt.randn(4 * H, H))  # gates (i, f, g, o)
        >>> [t.shape for t in out]  # outputs (N, T, H), last h, last c
        [(2, 5, 4), (2, 4), (2, 4)]
    """
    n, t, _, h = check_recurrent_inputs("lstm", x, {"h0": (h0, None), "c0": (c0, None)}, weight_ih, weight_hh, 4,
                                        biases={"bias_ih": (bias_ih, None), "bias_hh": (bias_hh, None)})
    lengths = as_lengths("lstm", lengths, n, t, array_module(x.data if hasattr(x, "data") else x))
    h0 = _zeros_state(x, n, h) if h0 is None else h0
    c0 = _zeros_state(x, n, h) if c0 is None else c0
    if n == 0:  # an empty batch: empty outputs and states, zero gradients for the weights (PyTorch)
        return empty_result([(0, t if return_sequences else 0, h), (0, h), (0, h)], x, h0, c0, weight_ih, weight_hh,
                            bias_ih, bias_hh, dtype=np.result_type(x.dtype, weight_ih.dtype))  # a batch's dtype
    return LSTMSequence.apply(x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh, lengths=lengths, reverse=bool(reverse),
                              sequences=bool(return_sequences))


class GRUSequence(SequenceFunction):
    """Saves the activations (T, N, 3H), the states (T+1, N, H), one (T, N, H) array (see
    :func:`_gru_loop`) and x for backward, and nothing when no graph records."""

    def __init__(self, lengths=None, reverse=False, reset_after=True, sequences=True):
        self.lengths, self.reverse, self.reset_after, self.sequences = lengths, reverse, reset_after, sequences

    def forward(self, x, h0, _unused, w_ih, w_hh, b_ih, b_hh):
        xp = array_module(x)
        h = w_hh.shape[1]
        bias = b_ih
        b_hn = None
        if b_hh is not None:  # reset-after keeps b_hn inside r⊙(W_hn h + b_hn); everything else folds in
            folded = b_hh.copy()
            if self.reset_after:
                folded[2 * h:] = 0
                b_hn = b_hh[2 * h:]
            bias = folded if bias is None else bias + folded
        acts = self.project_inputs(x, w_ih, bias, self.lengths, self.reverse)  # (T, N, 3H)
        t_len, n, _ = acts.shape
        hs = xp.empty((t_len + 1, n, h), acts.dtype)  # the projections' dtype, as in LSTMSequence
        hs[0] = h0
        keep = self.order.keep
        kernels = _gru_kernels(self.reset_after, keep, acts, w_hh, b_hn)
        extra = None if not self.recording else xp.empty((t_len, n, h), acts.dtype)
        if kernels is not None:
            self._forward_compiled(kernels, acts, hs, extra, w_hh, b_hn)
        else:  # reset-after: extra gets the recurrent n-part W_hn h + b_hn; reset-before: r⊙h
            _gru_loop(acts, hs, w_hh, b_hn, keep, self.reset_after, extra)
        if not self.recording:  # no graph (inference, nt.no_grad()): keep only the states
            return self.outputs(hs), hs[-1].copy()
        self.acts, self.hs, self.extra, self.w_ih, self.w_hh = acts, hs, extra, w_ih, w_hh
        return self.outputs(hs), hs[-1].copy()

    @staticmethod
    def _forward_compiled(kernels, acts, hs, extra, w_hh, b_hn):
        """The whole reset-after step loop in compiled code (kernels/recurrent_gru.py), one block
        of batch rows per BLAS thread; ``extra`` None when nothing records."""
        module, sgemm = kernels
        xp = array_module(acts)
        h = hs.shape[2]
        w_hh_t = xp.ascontiguousarray(w_hh.T)  # a transposed view makes each step's GEMM 1.5× slower
        b_hn = xp.zeros(h, acts.dtype) if b_hn is None else xp.ascontiguousarray(b_hn)
        if extra is None:
            def rows(s, e):
                module.infer_loop(sgemm, acts, hs, w_hh_t, b_hn, s, e)
        else:
            def rows(s, e):
                module.forward_loop(sgemm, acts, hs, extra, w_hh_t, b_hn, s, e)
        over_row_blocks(rows, acts.shape[1], acts, max_rows=_loop_block_rows(h, 3))

    def backward(self, g_out, g_h):
        xp = array_module(g_out)
        w_hh = self.w_hh
        # the gate gradients overwrite the gate activations step by step (each step reads only its
        # own), and reset-after's n-part of the recurrent gradient overwrites W_hn h + b_hn: no
        # (T, N, 3H) arrays beyond the saved ones when nothing else holds them
        acts, writable = self.take_saved("acts")
        t_len, n, g3 = acts.shape
        h = g3 // 3
        d_in = acts if writable else xp.empty_like(acts)  # gradient of the input projection (r, z, n)
        extra, writable = self.take_saved("extra")
        # reset-after: the gradient of W_hn h + b_hn (the rest of the recurrent gradient equals d_in's)
        d_rec_n = None if not self.reset_after else extra if writable else xp.empty_like(extra)
        hs = self.take_saved("hs")[0]
        g_seq = self.output_grad(g_out) if g_out.any() else None  # last-state-only layers: no sequence gradient
        kernels = _gru_kernels(self.reset_after, self.order.keep, acts, w_hh, g_h, g_seq)
        if kernels is not None:
            dh = self._backward_compiled(kernels, acts, extra, hs, d_in, d_rec_n, g_h, g_seq)
        else:
            dh = self._backward_numpy(acts, extra, hs, d_in, d_rec_n, g_h, g_seq)
        del acts
        flat_in = d_in.reshape(t_len * n, g3)
        dw_hh = db_hn = None
        h_prev = hs[:-1].reshape(t_len * n, h)
        if self.needs_grad[4]:  # each block's product straight into its rows: no (3H, H) pieces to concatenate
            dw_hh = xp.empty(w_hh.shape, xp.result_type(d_in, hs))
            xp.matmul(flat_in[:, :2 * h].T, h_prev, out=dw_hh[:2 * h])
            if self.reset_after:  # W_hn multiplies h
                xp.matmul(d_rec_n.reshape(t_len * n, h).T, h_prev, out=dw_hh[2 * h:])
            else:  # W_hn multiplies r⊙h
                xp.matmul(flat_in[:, 2 * h:].T, extra.reshape(t_len * n, h), out=dw_hh[2 * h:])
        if self.reset_after:
            db_hn = d_rec_n.reshape(t_len * n, h).sum(axis=0)
        del hs, h_prev, extra, d_rec_n  # dead before input_grads makes its (T·N, F) arrays
        dx, dw_ih, db_ih = self.input_grads(d_in, self.w_ih)
        db_hh = db_ih if db_hn is None else xp.concatenate([db_ih[:2 * h], db_hn])
        return dx, dh, None, dw_ih, dw_hh, db_ih, db_hh

    def _backward_compiled(self, kernels, acts, extra, hs, d_in, d_rec_n, g_h, g_seq):
        """The whole reverse reset-after loop in compiled code, one block of batch rows per BLAS
        thread; fills d_in and d_rec_n and returns the gradient reaching h0."""
        module, sgemm = kernels
        xp = array_module(acts)
        n, h = acts.shape[1], acts.shape[2] // 3
        dh_0 = xp.empty((n, h), acts.dtype)
        seq = hs if g_seq is None else g_seq  # any (T, N, H) array when there is no output gradient: never read

        def rows(s, e):
            module.backward_loop(sgemm, acts, extra, hs, g_h, seq, g_seq is not None, d_in, d_rec_n, self.w_hh,
                                 dh_0, s, e)

        over_row_blocks(rows, n, acts, max_rows=_loop_block_rows(h, 3))
        return dh_0

    def _backward_numpy(self, acts, extra, hs, d_in, d_rec_n, g_h, g_seq):
        """The reference reverse step loop (NumPy); fills d_in (and d_rec_n for reset-after) and
        returns the gradient reaching h0."""
        xp = array_module(acts)
        w_hh = self.w_hh
        t_len, n, g3 = acts.shape
        h = g3 // 3
        keep, drop = self.order.keep, self.order.drop
        w_rz, w_n = w_hh[:2 * h], w_hh[2 * h:]
        d_rec = xp.empty((n, g3), acts.dtype)  # one step's recurrent gradient, for one GEMM with W_hh
        dh = g_h
        with single_threaded_blas():
            for t in range(t_len - 1, -1, -1):
                a, hp, di = acts[t], hs[t], d_in[t]
                r, z, nn = a[:, :h], a[:, h:2 * h], a[:, 2 * h:]
                dh_t = dh if g_seq is None else dh + g_seq[t]
                if keep is not None:
                    dh_t = dh_t * keep[t]
                # every read of a's activations comes before the writes into di (which may be a)
                dan = dh_t * (1 - z) * (1 - nn * nn)      # h' = (1−z)n + z h: dh'/dn = 1−z; tanh' = 1 − n²
                dz = dh_t * (hp - nn) * (z * (1 - z))     # dh'/dz = h − n
                dh_prev = dh_t * z                        # dh'/dh (direct) = z
                if self.reset_after:  # n = tanh(a_n + r⊙(W_hn h + b_hn)): dn/dr = W_hn h + b_hn
                    dr = dan * extra[t] * (r * (1 - r))
                    xp.multiply(dan, r, out=d_rec[:, 2 * h:])
                    di[:, :h], di[:, h:2 * h], di[:, 2 * h:] = dr, dz, dan
                    d_rec[:, :2 * h] = di[:, :2 * h]
                    d_rec_n[t] = d_rec[:, 2 * h:]
                    dh_prev += d_rec @ w_hh
                else:  # n = tanh(a_n + W_hn (r⊙h)): d/d(r⊙h) = W_hn
                    drh = dan @ w_n
                    dr = drh * hp * (r * (1 - r))
                    dh_prev += drh * r
                    di[:, :h], di[:, h:2 * h], di[:, 2 * h:] = dr, dz, dan
                    dh_prev += di[:, :2 * h] @ w_rz
                if keep is not None:
                    dh_prev += dh * drop[t]
                dh = dh_prev
        return dh


def _gru_loop(acts, hs, w_hh, b_hn, keep, reset_after, extra):
    """The GRU step loop in NumPy: acts (T, N, 3H) holds the input projections and is overwritten
    with the activations (r, z, n); hs[t+1] is written.  ``extra`` (T, N, H) receives what
    backward needs besides them (reset-after: W_hn h + b_hn; reset-before: r⊙h), or is None
    when nothing records: then one (N, H) scratch array serves every step."""
    xp = array_module(acts)
    t_len, n, g3 = acts.shape
    h = g3 // 3
    scratch = xp.empty((n, h), acts.dtype) if extra is None else None
    # contiguous transposes: a transposed view makes each step's small GEMM about 1.5× slower
    w_hh_t = xp.ascontiguousarray(w_hh.T) if reset_after else None
    w_rz_t = None if reset_after else xp.ascontiguousarray(w_hh[:2 * h].T)
    w_n_t = None if reset_after else xp.ascontiguousarray(w_hh[2 * h:].T)
    with single_threaded_blas():  # one small product per step: a second BLAS thread only costs
        for t in range(t_len):
            a, hp = acts[t], hs[t]
            ex = scratch if extra is None else extra[t]
            if reset_after:
                gh = hp @ w_hh_t
                a[:, :2 * h] += gh[:, :2 * h]
                sigmoid_(a[:, :2 * h])
                r = a[:, :h]
                if b_hn is None:
                    ex[...] = gh[:, 2 * h:]
                else:
                    xp.add(gh[:, 2 * h:], b_hn, out=ex)
                a[:, 2 * h:] += r * ex
            else:
                a[:, :2 * h] += hp @ w_rz_t
                sigmoid_(a[:, :2 * h])
                xp.multiply(a[:, :h], hp, out=ex)
                a[:, 2 * h:] += ex @ w_n_t
            nn = a[:, 2 * h:]
            xp.tanh(nn, out=nn)
            h_new = nn + a[:, h:2 * h] * (hp - nn)  # (1−z)⊙n + z⊙h
            if keep is None:
                hs[t + 1] = h_new
            else:
                hs[t + 1] = xp.where(keep[t] > 0, h_new, hp)


def gru(x, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None, lengths=None, reverse=False, reset_after=True,
        return_sequences=True):
    """Run a one-layer GRU over a whole batch-first sequence as one fused Function.

    Each step (gate order r, z, n): r, z = σ(x W_iᵀ + b_i + h W_hᵀ + b_h);
    reset-after (``reset_after=True``, PyTorch's and Keras's default):
    n = tanh(x W_inᵀ + b_in + r⊙(h W_hnᵀ + b_hn)); textbook reset-before (``reset_after=False``):
    n = tanh(x W_inᵀ + b_in + (r⊙h) W_hnᵀ + b_hn); then h' = (1−z)⊙n + z⊙h.

    Args:
        x: (N, T, F).  h0: (N, H) or None for zeros.
        weight_ih, weight_hh, bias_ih, bias_hh: (3H, F), (3H, H), and (3H,) or None for the biases.
        lengths, reverse, return_sequences: as in :func:`lstm`.

    Returns:
        (outputs (N, T, H), h_T (N, H)).

    Example:
        >>> N, T, D, H = 2, 5, 3, 4
        >>> out = F.gru(nt.randn(N, T, D), nt.zeros(N, H), nt.randn(3 * H, D), nt.randn(3 * H, H))  # gates (r, z, n)
        >>> [t.shape for t in out]  # outputs (N, T, H), last h
        [(2, 5, 4), (2, 4)]
    """
    n, t, _, h = check_recurrent_inputs("gru", x, {"h0": (h0, None)}, weight_ih, weight_hh, 3,
                                        biases={"bias_ih": (bias_ih, None), "bias_hh": (bias_hh, None)})
    lengths = as_lengths("gru", lengths, n, t, array_module(x.data if hasattr(x, "data") else x))
    h0 = _zeros_state(x, n, h) if h0 is None else h0
    if n == 0:  # an empty batch: empty outputs and state, zero gradients for the weights (PyTorch)
        return empty_result([(0, t if return_sequences else 0, h), (0, h)], x, h0, weight_ih, weight_hh, bias_ih,
                            bias_hh, dtype=np.result_type(x.dtype, weight_ih.dtype))  # the dtype a batch would get
    return GRUSequence.apply(x, h0, None, weight_ih, weight_hh, bias_ih, bias_hh, lengths=lengths,
                             reverse=bool(reverse), reset_after=bool(reset_after), sequences=bool(return_sequences))
