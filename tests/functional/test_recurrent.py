"""Fused whole-sequence recurrent Functions: gradient checks, PyTorch parity, NumPy transcriptions."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.functional.recurrent import gru, lstm
from neuronet.functional.recurrent_simple import jordan_rnn, rnn
from tests.helpers import assert_close, check_grad, check_parity

N, T, F, H = 2, 4, 3, 3
LENGTH_CASES = [None, np.array([4, 2])]


def _arrays(rng, gates, n=N, t=T, f=F, h=H, states=1):
    x = rng.standard_normal((n, t, f))
    st = [rng.standard_normal((n, h)) * 0.5 for _ in range(states)]
    w = [rng.standard_normal((gates * h, f)) * 0.5, rng.standard_normal((gates * h, h)) * 0.5,
         rng.standard_normal(gates * h) * 0.1, rng.standard_normal(gates * h) * 0.1]
    return x, st, w


# --- gradient checks (float64) --------------------------------------------------------------------

@pytest.mark.parametrize("lengths", LENGTH_CASES)
@pytest.mark.parametrize("reverse", [False, True])
def test_lstm_gradcheck(rng, lengths, reverse):
    x, (h0, c0), w = _arrays(rng, 4, states=2)
    check_grad(lambda *a: lstm(*a, lengths=lengths, reverse=reverse), x, h0, c0, *w)


@pytest.mark.parametrize("lengths", LENGTH_CASES)
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_gradcheck(rng, lengths, reverse, reset_after):
    x, (h0,), w = _arrays(rng, 3)
    check_grad(lambda *a: gru(*a, lengths=lengths, reverse=reverse, reset_after=reset_after), x, h0, *w)


@pytest.mark.parametrize("lengths", LENGTH_CASES)
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_gradcheck(rng, lengths, reverse, nonlinearity):
    x, (h0,), w = _arrays(rng, 1)
    check_grad(lambda *a: rnn(*a, lengths=lengths, reverse=reverse, nonlinearity=nonlinearity), x, h0, *w)


def _jordan_arrays(rng, o=2):
    x = rng.standard_normal((N, T, F))
    y0 = rng.standard_normal((N, o)) * 0.5
    ws = [rng.standard_normal((H, F)) * 0.5, rng.standard_normal((H, o)) * 0.5, rng.standard_normal((o, H)) * 0.5,
          rng.standard_normal(H) * 0.1, rng.standard_normal(H) * 0.1, rng.standard_normal(o) * 0.1]
    return x, y0, ws


@pytest.mark.parametrize("lengths", LENGTH_CASES)
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("acts", [("tanh", "identity"), ("relu", "sigmoid"), ("tanh", "tanh")])
def test_jordan_gradcheck(rng, lengths, reverse, acts):
    x, y0, ws = _jordan_arrays(rng)
    check_grad(lambda *a: jordan_rnn(*a, lengths=lengths, reverse=reverse, nonlinearity=acts[0],
                                     output_activation=acts[1]), x, y0, *ws)


def test_no_bias_and_no_initial_state_gradcheck(rng):
    x, _, w = _arrays(rng, 4)
    check_grad(lambda x, wi, wh: lstm(x, None, None, wi, wh), x, w[0], w[1])


# --- PyTorch parity (float32) ---------------------------------------------------------------------

def _torch_run(torch, kind, x, h0, c0, w, lengths):
    cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn_tanh": torch.nn.RNN, "rnn_relu": torch.nn.RNN}[kind]
    extra = {"nonlinearity": kind[4:]} if kind.startswith("rnn") else {}
    m = cls(x.shape[2], h0.shape[1], batch_first=True, **extra)
    params = dict(zip(["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"], w))
    inp = x
    if lengths is not None:
        inp = torch.nn.utils.rnn.pack_padded_sequence(x, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
    state = (h0[None], c0[None]) if kind == "lstm" else h0[None]
    out, st = torch.func.functional_call(m, params, (inp, state))
    if lengths is not None:
        out, _ = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
    return (out, st[0][0], st[1][0]) if kind == "lstm" else (out, st[0])


@pytest.mark.parametrize("lengths", [None, np.array([2, 5, 3])])
@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn_tanh", "rnn_relu"])
def test_parity_with_torch(rng, kind, lengths, torch):
    gates = {"lstm": 4, "gru": 3}.get(kind, 1)
    x, (h0, c0), w = _arrays(rng, gates, n=3, t=5, f=4, h=6, states=2)
    arrays = [a.astype(np.float32) for a in (x, h0, c0, *w)]
    if kind == "lstm":
        fn = lambda x, h, c, *w: lstm(x, h, c, *w, lengths=lengths)  # noqa: E731
        tfn = lambda x, h, c, *w: _torch_run(torch, kind, x, h, c, w, lengths)  # noqa: E731
        check_parity(fn, tfn, *arrays)
        return
    del arrays[2]
    if kind == "gru":
        fn = lambda x, h, *w: gru(x, h, *w, lengths=lengths)  # noqa: E731
    else:
        fn = lambda x, h, *w: rnn(x, h, *w, lengths=lengths, nonlinearity=kind[4:])  # noqa: E731
    check_parity(fn, lambda x, h, *w: _torch_run(torch, kind, x, h, None, w, lengths), *arrays)


def test_float32_stays_float32(rng):
    x, (h0, c0), w = _arrays(rng, 4, states=2)
    args = [nt.tensor(a.astype(np.float32), requires_grad=True) for a in (x, h0, c0, *w)]
    out, h, c = lstm(*args, lengths=np.array([4, 1]), reverse=True)
    (out.sum() + h.sum() + c.sum()).backward()
    assert out.dtype == h.dtype == c.dtype == np.float32
    assert all(a.grad.dtype == np.float32 for a in args)


# --- NumPy transcriptions of the equations ---------------------------------------------------------

def _sig(a):
    return 1 / (1 + np.exp(-a))


def _gru_textbook(x, h, wi, wh, bi, bh):
    hid = h.shape[1]
    outs = []
    for t in range(x.shape[1]):
        gi = x[:, t] @ wi.T + bi
        r = _sig(gi[:, :hid] + h @ wh[:hid].T + bh[:hid])
        z = _sig(gi[:, hid:2 * hid] + h @ wh[hid:2 * hid].T + bh[hid:2 * hid])
        n = np.tanh(gi[:, 2 * hid:] + (r * h) @ wh[2 * hid:].T + bh[2 * hid:])
        h = (1 - z) * n + z * h
        outs.append(h)
    return np.stack(outs, 1), h


def test_gru_reset_before_matches_textbook_equations(rng):
    x, (h0,), w = _arrays(rng, 3)
    out, h = gru(nt.tensor(x), nt.tensor(h0), *[nt.tensor(a) for a in w], reset_after=False)
    ref_out, ref_h = _gru_textbook(x, h0, *w)
    assert_close(out.numpy(), ref_out, 1e-12)
    assert_close(h.numpy(), ref_h, 1e-12)


def _jordan_reference(x, y, wi, why, who, bi, bh, bo, lengths, reverse):
    """Per sequence, per step: h = tanh(x W_ihᵀ + b_ih + ŷ W_hyᵀ + b_hh), ŷ = σ(h W_hoᵀ + b_ho)."""
    n, t, _ = x.shape
    ys, hs, last = np.zeros((n, t, who.shape[0])), np.zeros((n, t, wi.shape[0])), y.copy()
    for b in range(n):
        yb = y[b]
        steps = range(lengths[b])
        for s in (reversed(steps) if reverse else steps):
            hb = np.tanh(x[b, s] @ wi.T + bi + yb @ why.T + bh)
            yb = _sig(hb @ who.T + bo)
            hs[b, s], ys[b, s] = hb, yb
        last[b] = yb
    return ys, hs, last


@pytest.mark.parametrize("reverse", [False, True])
def test_jordan_matches_equations(rng, reverse):
    x, y0, ws = _jordan_arrays(rng)
    lengths = np.array([4, 3])
    got = jordan_rnn(nt.tensor(x), nt.tensor(y0), *[nt.tensor(a) for a in ws], lengths=lengths,
                     reverse=reverse, output_activation="sigmoid")
    ref = _jordan_reference(x, y0, *ws, lengths, reverse)
    for g, r, what in zip(got, ref, ("outputs", "hidden", "last output")):
        assert_close(g.numpy(), r, 1e-12, what=what)


def test_lengths_mask_and_reverse_follow_each_sequence(rng):
    """Padded steps give zero output and leave the state; reverse reads each sequence from its own end."""
    x, (h0,), w = _arrays(rng, 3)
    lengths = np.array([4, 2])
    out, h = gru(nt.tensor(x), nt.tensor(h0), *[nt.tensor(a) for a in w], lengths=lengths, reverse=True)
    assert np.all(out.numpy()[1, 2:] == 0)
    short_out, short_h = gru(nt.tensor(x[1:, :2]), nt.tensor(h0[1:]), *[nt.tensor(a) for a in w], reverse=True)
    assert_close(out.numpy()[1, :2], short_out.numpy()[0], 1e-12)
    assert_close(h.numpy()[1], short_h.numpy()[0], 1e-12)


# --- errors ---------------------------------------------------------------------------------------

def test_errors_name_the_function(rng):
    x, (h0, c0), w = _arrays(rng, 4, states=2)
    with pytest.raises(ValueError, match=r"lstm: expected input of shape \(batch, time, features\)"):
        lstm(nt.tensor(x[0]), None, None, *[nt.tensor(a) for a in w])
    with pytest.raises(ValueError, match=r"lstm: weight_ih must have shape \(4\*hidden, 5\)"):
        lstm(nt.tensor(rng.standard_normal((2, 4, 5))), None, None, *[nt.tensor(a) for a in w])
    with pytest.raises(ValueError, match=r"gru: h0 must have shape \(2, 3\)"):
        gru(nt.tensor(x), nt.tensor(np.zeros((2, 4))), *[nt.tensor(a[: 3 * H]) for a in w])
    with pytest.raises(ValueError, match=r"rnn: lengths must lie in \[0, 4\]"):
        rnn(nt.tensor(x), None, nt.tensor(w[0][:H]), nt.tensor(w[1][:H]), lengths=np.array([5, 1]))
    with pytest.raises(ValueError, match="rnn: nonlinearity must be one of"):
        rnn(nt.tensor(x), None, nt.tensor(w[0][:H]), nt.tensor(w[1][:H]), nonlinearity="sigmoid")
