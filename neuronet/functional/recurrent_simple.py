"""Whole-sequence Elman and Jordan recurrent networks, each one Function with hand-written BPTT.

Elman (``rnn``, PyTorch's ``nn.RNN``) feeds the hidden state back: h_t = f(x_t W_ihᵀ + b_ih +
h_{t−1} W_hhᵀ + b_hh).  Jordan (``jordan_rnn``) feeds the *output* back instead:
h_t = f(x_t W_ihᵀ + b_ih + ŷ_{t−1} W_hyᵀ + b_hh) and ŷ_t = g(h_t W_hoᵀ + b_ho), so the
recurrent weight is ``weight_hy (H, O)`` and the output projection ``weight_ho (O, H)`` is part
of the same Function.  Both share :mod:`recurrent_common`: one input GEMM before the loop, one
GEMM per step, and one GEMM each for dx, dW_ih and the recurrent weight after the reverse loop.
``lengths`` and ``reverse`` behave as in :func:`neuronet.functional.lstm`.
"""
from __future__ import annotations

from ..backend import array_module, np
from .empty import empty_result
from .recurrent_common import SequenceFunction, as_lengths, check_recurrent_inputs, sigmoid_

__all__ = ["rnn", "jordan_rnn"]

_NONLINEARITIES = ("tanh", "relu")
_OUTPUT_ACTIVATIONS = ("identity", "tanh", "sigmoid")


def _activate_(a, name, xp):
    """Apply ``name`` to ``a`` in place (tanh, relu, sigmoid or identity)."""
    if name == "tanh":
        xp.tanh(a, out=a)
    elif name == "relu":
        xp.maximum(a, 0, out=a)
    elif name == "sigmoid":
        sigmoid_(a)
    return a


def _derivative(y, name):
    """f'(a) written in terms of the output y = f(a)."""
    if name == "tanh":
        return 1 - y * y            # tanh' = 1 − tanh²
    if name == "relu":
        return (y > 0).astype(y.dtype)  # relu' = 1 where the output is positive
    if name == "sigmoid":
        return y - y * y            # σ' = σ(1 − σ)
    return None                     # identity' = 1


def _data(t):
    return t.data if hasattr(t, "data") else t


def _sum_bias(b1, b2):
    if b1 is None:
        return b2
    return b1 if b2 is None else b1 + b2


class ElmanSequence(SequenceFunction):
    def __init__(self, lengths=None, reverse=False, nonlinearity="tanh"):
        self.lengths, self.reverse, self.nonlinearity = lengths, reverse, nonlinearity

    def forward(self, x, h0, _unused, w_ih, w_hh, b_ih, b_hh):
        xp = array_module(x)
        acts = self.project_inputs(x, w_ih, _sum_bias(b_ih, b_hh), self.lengths, self.reverse)  # (T, N, H)
        t_len, n, h = acts.shape
        hs = xp.empty((t_len + 1, n, h), acts.dtype)  # not x's: integer input must not cut the states
        hs[0] = h0
        keep, w_hh_t = self.order.keep, w_hh.T
        for t in range(t_len):
            a = acts[t]
            a += hs[t] @ w_hh_t
            _activate_(a, self.nonlinearity, xp)
            if keep is None:
                hs[t + 1] = a
            else:
                hs[t + 1] = xp.where(keep[t] > 0, a, hs[t])
        self.acts, self.hs, self.w_ih, self.w_hh = acts, hs, w_ih, w_hh
        return self.outputs(hs), hs[-1].copy()

    def backward(self, g_out, g_h):
        xp = array_module(g_out)
        acts, writable = self.take_saved("acts")
        hs, _ = self.take_saved("hs")
        t_len, n, h = acts.shape
        g_seq = self.output_grad(g_out)
        keep, drop = self.order.keep, self.order.drop
        d_acts = acts if writable else xp.empty_like(acts)  # step t reads acts[t] before writing d_acts[t]
        dh = g_h
        for t in range(t_len - 1, -1, -1):
            dh_t = dh + g_seq[t]
            if keep is not None:
                dh_t = dh_t * keep[t]
            xp.multiply(dh_t, _derivative(acts[t], self.nonlinearity), out=d_acts[t])  # h = f(a): dh/da = f'(a)
            dh_prev = d_acts[t] @ self.w_hh                                               # da/dh' = W_hh
            if keep is not None:
                dh_prev += dh * drop[t]
            dh = dh_prev
        dw_hh = d_acts.reshape(t_len * n, h).T @ hs[:-1].reshape(t_len * n, h) if self.needs_grad[4] else None
        del hs  # dead before input_grads makes its (T·N, F) arrays
        dx, dw_ih, db = self.input_grads(d_acts, self.w_ih)
        return dx, dh, None, dw_ih, dw_hh, db, db


def rnn(x, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None, lengths=None, reverse=False, nonlinearity="tanh"):
    """Run a one-layer Elman network h_t = f(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh) over a whole
    batch-first sequence as one fused Function (PyTorch's ``nn.RNN``).

    Args:
        x: (N, T, F).  h0: (N, H) or None for zeros.
        weight_ih, weight_hh, bias_ih, bias_hh: (H, F), (H, H), and (H,) or None for the biases.
        lengths, reverse: as in :func:`neuronet.functional.lstm`.
        nonlinearity: ``"tanh"`` or ``"relu"``.

    Returns:
        (outputs (N, T, H), h_T (N, H)).

    Example:
        >>> N, T, D, H = 2, 5, 3, 4
        >>> out, h_last = F.rnn(nt.randn(N, T, D), nt.zeros(N, H), nt.randn(H, D), nt.randn(H, H))
        >>> out.shape, bool(np.allclose(out.numpy()[:, -1], h_last.numpy()))
        ((2, 5, 4), True)
    """
    if nonlinearity not in _NONLINEARITIES:
        raise ValueError(f"rnn: nonlinearity must be one of {_NONLINEARITIES}, got {nonlinearity!r}")
    n, t, _, h = check_recurrent_inputs("rnn", x, {"h0": (h0, None)}, weight_ih, weight_hh, 1,
                                        biases={"bias_ih": (bias_ih, None), "bias_hh": (bias_hh, None)})
    xd = _data(x)
    lengths = as_lengths("rnn", lengths, n, t, array_module(xd))
    h0 = array_module(xd).zeros((n, h), xd.dtype) if h0 is None else h0
    if n == 0:  # an empty batch: empty outputs and state, zero gradients for the weights (PyTorch)
        return empty_result([(0, t, h), (0, h)], x, h0, weight_ih, weight_hh, bias_ih, bias_hh,
                            dtype=np.result_type(x.dtype, weight_ih.dtype))  # the dtype a batch would get
    return ElmanSequence.apply(x, h0, None, weight_ih, weight_hh, bias_ih, bias_hh, lengths=lengths,
                               reverse=bool(reverse), nonlinearity=nonlinearity)


class JordanSequence(SequenceFunction):
    def __init__(self, lengths=None, reverse=False, nonlinearity="tanh", output_activation="identity"):
        self.lengths, self.reverse = lengths, reverse
        self.nonlinearity, self.output_activation = nonlinearity, output_activation

    def forward(self, x, y0, _unused, w_ih, w_hy, b_ih, b_hh, w_ho, b_ho):
        xp = array_module(x)
        acts = self.project_inputs(x, w_ih, _sum_bias(b_ih, b_hh), self.lengths, self.reverse)  # (T, N, H)
        t_len, n, h = acts.shape
        o = w_ho.shape[0]
        ys = xp.empty((t_len + 1, n, o), acts.dtype)  # ys[t+1] = fed-back output after step t
        y_new = xp.empty((t_len, n, o), acts.dtype)
        ys[0] = y0
        keep, w_hy_t, w_ho_t = self.order.keep, w_hy.T, w_ho.T
        for t in range(t_len):
            a = acts[t]
            a += ys[t] @ w_hy_t
            _activate_(a, self.nonlinearity, xp)
            yt = y_new[t]
            xp.matmul(a, w_ho_t, out=yt)
            if b_ho is not None:
                yt += b_ho
            _activate_(yt, self.output_activation, xp)
            if keep is None:
                ys[t + 1] = yt
            else:
                ys[t + 1] = xp.where(keep[t] > 0, yt, ys[t])
        self.acts, self.ys, self.y_new = acts, ys, y_new
        self.w_ih, self.w_hy, self.w_ho = w_ih, w_hy, w_ho
        y_seq = self.outputs(ys)
        h_seq = self.order.to_batch_major(acts if self.order.keep is None else acts * self.order.keep)
        return y_seq, xp.ascontiguousarray(h_seq), ys[-1].copy()

    def backward(self, g_y, g_h, g_last):
        xp = array_module(g_y)
        acts, ys, y_new = self.acts, self.ys, self.y_new
        t_len, n, h = acts.shape
        o = ys.shape[2]
        gy_seq, gh_seq = self.output_grad(g_y), self.output_grad(g_h)
        keep, drop = self.order.keep, self.order.drop
        d_acts = xp.empty_like(acts)
        d_out = xp.empty((t_len, n, o), acts.dtype)  # gradient of the output pre-activation
        dy = g_last
        for t in range(t_len - 1, -1, -1):
            dy_t = dy + gy_seq[t]
            if keep is not None:
                dy_t = dy_t * keep[t]
            deriv = _derivative(y_new[t], self.output_activation)
            d_out[t] = dy_t if deriv is None else dy_t * deriv        # ŷ = g(o): dŷ/do = g'(o)
            dh_t = d_out[t] @ self.w_ho + gh_seq[t]                     # do/dh = W_ho
            xp.multiply(dh_t, _derivative(acts[t], self.nonlinearity), out=d_acts[t])  # h = f(a)
            dy_prev = d_acts[t] @ self.w_hy                             # da/dŷ' = W_hy
            if keep is not None:
                dy_prev += dy * drop[t]
            dy = dy_prev
        dx, dw_ih, db = self.input_grads(d_acts, self.w_ih)
        flat_a, flat_o = d_acts.reshape(t_len * n, h), d_out.reshape(t_len * n, o)
        dw_hy = flat_a.T @ ys[:-1].reshape(t_len * n, o) if self.needs_grad[4] else None
        dw_ho = flat_o.T @ acts.reshape(t_len * n, h) if self.needs_grad[7] else None
        return dx, dy, None, dw_ih, dw_hy, db, db, dw_ho, flat_o.sum(axis=0)


def jordan_rnn(x, y0, weight_ih, weight_hy, weight_ho, bias_ih=None, bias_hh=None, bias_ho=None,
               lengths=None, reverse=False, nonlinearity="tanh", output_activation="identity"):
    """Run a one-layer Jordan network, whose previous *output* is fed back, over a whole sequence.

    Each step: h_t = f(x_t W_ihᵀ + b_ih + ŷ_{t−1} W_hyᵀ + b_hh), ŷ_t = g(h_t W_hoᵀ + b_ho).

    Args:
        x: (N, T, F).  y0: (N, O) first fed-back output, or None for zeros.
        weight_ih, weight_hy, weight_ho: (H, F), (H, O), (O, H).  bias_ih, bias_hh, bias_ho: (H,), (H,), (O,) or None.
        lengths, reverse: as in :func:`neuronet.functional.lstm`.
        nonlinearity: f, ``"tanh"`` or ``"relu"``.  output_activation: g, ``"identity"``, ``"tanh"``
            or ``"sigmoid"``.

    Returns:
        (outputs ŷ (N, T, O), hidden states (N, T, H), last fed-back output ŷ_T (N, O)); outputs
        and hidden states are zero at padded steps.

    Example:
        >>> N, T, D, H, O = 2, 5, 3, 4, 1
        >>> out = F.jordan_rnn(nt.randn(N, T, D), nt.zeros(N, O), nt.randn(H, D), nt.randn(H, O), nt.randn(O, H))
        >>> [t.shape for t in out]  # outputs, hidden states, last output
        [(2, 5, 1), (2, 5, 4), (2, 1)]
    """
    if nonlinearity not in _NONLINEARITIES:
        raise ValueError(f"jordan_rnn: nonlinearity must be one of {_NONLINEARITIES}, got {nonlinearity!r}")
    if output_activation not in _OUTPUT_ACTIVATIONS:
        raise ValueError(f"jordan_rnn: output_activation must be one of {_OUTPUT_ACTIVATIONS}, "
                         f"got {output_activation!r}")
    w_ho = tuple(_data(weight_ho).shape)
    hidden = tuple(_data(weight_ih).shape)[0] if _data(weight_ih).ndim == 2 else None
    if len(w_ho) != 2 or w_ho[1] != hidden:
        raise ValueError(f"jordan_rnn: weight_ho must have shape (outputs, {hidden}), got {w_ho}")
    out = w_ho[0]
    n, t, _, h = check_recurrent_inputs("jordan_rnn", x, {"y0": (y0, out)}, weight_ih, weight_hy, 1,
                                        recurrent_size=out,
                                        biases={"bias_ih": (bias_ih, None), "bias_hh": (bias_hh, None),
                                                "bias_ho": (bias_ho, out)})
    xd = _data(x)
    lengths = as_lengths("jordan_rnn", lengths, n, t, array_module(xd))
    y0 = array_module(xd).zeros((n, out), xd.dtype) if y0 is None else y0
    if n == 0:  # an empty batch: empty outputs and state, zero gradients for the weights
        return empty_result([(0, t, out), (0, t, h), (0, out)], x, y0, weight_ih, weight_hy, bias_ih, bias_hh,
                            weight_ho, bias_ho,
                            dtype=np.result_type(x.dtype, weight_ih.dtype))  # the dtype a batch would get
    return JordanSequence.apply(x, y0, None, weight_ih, weight_hy, bias_ih, bias_hh, weight_ho, bias_ho,
                                lengths=lengths, reverse=bool(reverse), nonlinearity=nonlinearity,
                                output_activation=output_activation)
