"""Recurrent layers: PyTorch parity (stacked, bidirectional, packed lengths), cells, Keras options."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.nn.layers.bidirectional import Bidirectional, TimeDistributed
from neuronet.nn.layers.jordan import JordanRNN
from neuronet.nn.layers.recurrent import GRU, LSTM, SimpleRNN
from neuronet.nn.layers.recurrent_cells import GRUCell, LSTMCell, RNNCell
from tests.helpers import assert_close

N, T, F, H = 3, 5, 4, 6
LENGTHS = np.array([2, 5, 3])


def _torch_layer(torch, kind, num_layers, bidirectional):
    cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
    return cls(F, H, num_layers=num_layers, bidirectional=bidirectional, batch_first=True)


def _ours(kind, **kw):
    return {"rnn": SimpleRNN, "lstm": LSTM, "gru": GRU}[kind](H, **kw)


@pytest.mark.parametrize("lengths", [None, LENGTHS])
@pytest.mark.parametrize("num_layers,bidirectional", [(1, False), (2, False), (1, True), (2, True)])
@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_parity_with_torch_module(rng, kind, num_layers, bidirectional, lengths, torch):
    tm = _torch_layer(torch, kind, num_layers, bidirectional)
    layer = _ours(kind, num_layers=num_layers, bidirectional=bidirectional, return_sequences=True, return_state=True)
    x = rng.standard_normal((N, T, F)).astype(np.float32)
    layer.build(x.shape)
    layer.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})

    tx = torch.tensor(x, requires_grad=True)
    inp = tx if lengths is None else torch.nn.utils.rnn.pack_padded_sequence(
        tx, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
    t_out, t_state = tm(inp)
    if lengths is not None:
        t_out, _ = torch.nn.utils.rnn.pad_packed_sequence(t_out, batch_first=True, total_length=T)
    t_states = list(t_state) if kind == "lstm" else [t_state]

    nx = nt.tensor(x, requires_grad=True)
    out, *states = layer(nx, lengths=lengths)
    k = num_layers * (2 if bidirectional else 1)
    assert_close(out.numpy(), t_out.detach().numpy(), what="output sequence")
    for s, ts in zip(states, t_states):
        want = ts.detach().numpy()
        assert_close(s.numpy(), want if k > 1 else want[0], what="final state")

    cots = [rng.standard_normal(a.shape).astype(np.float32) for a in [out] + states]
    loss = sum((a * nt.tensor(c)).sum() for a, c in zip([out] + states, cots))
    loss.backward()
    t_cots = [cots[0]] + [c if k > 1 else c[None] for c in cots[1:]]
    torch.autograd.backward([t_out] + t_states, [torch.tensor(c) for c in t_cots])
    assert_close(nx.grad, tx.grad.numpy(), what="input gradient")
    params = dict(layer.named_parameters())
    for name, p in tm.named_parameters():
        assert_close(params[name].grad, p.grad.numpy(), what=f"gradient of {name}")


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_cells_match_torch_cells(rng, kind, torch):
    cls, tcls = {"rnn": (RNNCell, torch.nn.RNNCell), "lstm": (LSTMCell, torch.nn.LSTMCell),
                 "gru": (GRUCell, torch.nn.GRUCell)}[kind]
    tcell, cell = tcls(F, H), cls(H, in_features=F)
    cell.load_state_dict({k: v.detach().numpy() for k, v in tcell.state_dict().items()})
    xs = rng.standard_normal((T, N, F)).astype(np.float32)
    state, t_state = None, None
    nxs = [nt.tensor(a, requires_grad=True) for a in xs]
    txs = [torch.tensor(a, requires_grad=True) for a in xs]
    for nx, tx in zip(nxs, txs):  # a hand-written loop over time
        state, t_state = cell(nx, state), tcell(tx, t_state)
    h, th = (state[0], t_state[0]) if kind == "lstm" else (state, t_state)
    assert_close(h.numpy(), th.detach().numpy(), what="last state")
    (h * h).sum().backward()
    (th * th).sum().backward()
    for nx, tx in zip(nxs, txs):
        assert_close(nx.grad, tx.grad.numpy(), what="input gradient")
    params = dict(cell.named_parameters())
    for name, p in tcell.named_parameters():
        assert_close(params[name].grad, p.grad.numpy(), what=f"gradient of {name}")


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave"])
def test_bidirectional_wrapper_matches_torch_bidirectional(rng, merge_mode, torch):
    tm = _torch_layer(torch, "lstm", 1, True)
    layer = Bidirectional(LSTM(H, return_sequences=True), merge_mode=merge_mode)
    x = rng.standard_normal((N, T, F)).astype(np.float32)
    layer(nt.tensor(x))
    sd = {k: v.detach().numpy() for k, v in tm.state_dict().items()}
    layer.load_state_dict({("backward_layer." + k.replace("_reverse", "")) if k.endswith("_reverse")
                           else "forward_layer." + k: v for k, v in sd.items()})
    packed = torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(x), torch.tensor(LENGTHS), batch_first=True,
                                                     enforce_sorted=False)
    t_out, _ = torch.nn.utils.rnn.pad_packed_sequence(tm(packed)[0], batch_first=True, total_length=T)
    f, b = t_out[..., :H].detach().numpy(), t_out[..., H:].detach().numpy()
    want = {"concat": np.concatenate([f, b], -1), "sum": f + b, "mul": f * b, "ave": (f + b) / 2}[merge_mode]
    mask = np.arange(T)[None, :] < LENGTHS[:, None]
    assert_close(layer(nt.tensor(x), mask=mask).numpy(), want)


# --- Keras options ---------------------------------------------------------------------------------

def test_return_conventions_shapes(rng):
    x = nt.tensor(rng.standard_normal((N, T, F)).astype(np.float32))
    assert LSTM(H)(x).shape == (N, H)
    assert GRU(H, return_sequences=True)(x).shape == (N, T, H)
    out, h, c = LSTM(H, return_state=True)(x)
    assert out.shape == h.shape == c.shape == (N, H)
    assert_close(out.numpy(), h.numpy())
    out, h = SimpleRNN(H, return_state=True, num_layers=2, bidirectional=True)(x)
    assert out.shape == (N, 2 * H) and h.shape == (4, N, H)
    out, hf, cf, hb, cb = Bidirectional(LSTM(H, return_state=True))(x)
    assert out.shape == (N, 2 * H) and hb.shape == (N, H)
    assert TimeDistributed(nt.nn.Dense(7))(x).shape == (N, T, 7)
    assert JordanRNN(H, 2, return_sequences=True)(x).shape == (N, T, 2)


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
def test_go_backwards_reads_reversed_input(rng, cls):
    x = rng.standard_normal((N, T, F)).astype(np.float32)
    back = cls(H, go_backwards=True, return_sequences=True)
    fwd = cls(H, return_sequences=True)
    back(nt.tensor(x)), fwd(nt.tensor(x))
    fwd.load_state_dict(back.state_dict())
    assert_close(back(nt.tensor(x)).numpy(), fwd(nt.tensor(x[:, ::-1].copy())).numpy())
    # with lengths, each sequence is reversed within its own length
    xr = x.copy()
    for b, n in enumerate(LENGTHS):
        xr[b, :n] = x[b, :n][::-1]
    assert_close(back(nt.tensor(x), lengths=LENGTHS).numpy(), fwd(nt.tensor(xr), lengths=LENGTHS).numpy())


def test_stateful_carries_state_across_calls(rng):
    x = rng.standard_normal((N, 2 * T, F)).astype(np.float32)
    whole = LSTM(H, return_sequences=True)
    split = LSTM(H, return_sequences=True, stateful=True)
    whole(nt.tensor(x)), split(nt.tensor(x[:, :T]))
    split.load_state_dict(whole.state_dict())
    split.reset_states()
    first, second = split(nt.tensor(x[:, :T])), split(nt.tensor(x[:, T:]))
    assert_close(np.concatenate([first.numpy(), second.numpy()], 1), whole(nt.tensor(x)).numpy())
    split.reset_states()
    assert_close(split(nt.tensor(x[:, T:])).numpy(), whole(nt.tensor(x[:, T:])).numpy())
    with pytest.raises(ValueError, match="stateful layer carries states for batch size 3"):
        split(nt.tensor(x[:2, :T]))


def test_initial_state_is_used(rng):
    x = rng.standard_normal((N, T, F)).astype(np.float32)
    layer = GRU(H, return_state=True)
    h0 = rng.standard_normal((N, H)).astype(np.float32)
    _, h_zero = layer(nt.tensor(x))
    _, h_given = layer(nt.tensor(x), initial_state=[nt.tensor(h0)])
    assert not np.allclose(h_zero.numpy(), h_given.numpy())
    cell = GRUCell(H, in_features=F)
    cell.load_state_dict({k.replace("_l0", ""): v for k, v in layer.state_dict().items()})
    h = nt.tensor(h0)
    for t in range(T):
        h = cell(nt.tensor(x[:, t]), h)
    assert_close(h_given.numpy(), h.numpy())
    with pytest.raises(ValueError, match=r"GRU\(units=6\): initial state h must have shape \(3, 6\)"):
        layer(nt.tensor(x), initial_state=[nt.tensor(h0[:2])])


def test_dropout_and_recurrent_dropout(rng):
    x = nt.tensor(rng.standard_normal((N, T, F)).astype(np.float32), requires_grad=True)
    for kind in ("rnn", "lstm", "gru"):
        layer = _ours(kind, dropout=0.3, recurrent_dropout=0.3, return_sequences=True)
        plain = _ours(kind, return_sequences=True)
        layer(x), plain(x)
        plain.load_state_dict(layer.state_dict())
        y = layer(x, lengths=LENGTHS)
        assert np.all(y.numpy()[0, 2:] == 0)
        y.sum().backward()
        assert all(p.grad is not None and np.isfinite(p.grad).all() for p in layer.parameters())
        assert not np.allclose(y.numpy(), plain(x, lengths=LENGTHS).numpy())
        layer.eval()
        assert_close(layer(x, lengths=LENGTHS).numpy(), plain(x, lengths=LENGTHS).numpy())


def test_recurrent_dropout_loop_equals_fused_without_dropout(rng):
    """The per-step path with an all-ones mask is the fused path (checked via a rate ~0)."""
    x = nt.tensor(rng.standard_normal((N, T, F)).astype(np.float32))
    fused = LSTM(H, return_sequences=True, bidirectional=True)
    loop = LSTM(H, return_sequences=True, bidirectional=True, recurrent_dropout=1e-12)
    fused(x), loop(x)
    loop.load_state_dict(fused.state_dict())
    assert_close(loop(x, lengths=LENGTHS).numpy(), fused(x, lengths=LENGTHS).numpy())


def test_mask_equals_lengths_and_rejects_left_padding(rng):
    x = nt.tensor(rng.standard_normal((N, T, F)).astype(np.float32))
    layer = LSTM(H, return_sequences=True)
    mask = np.arange(T)[None, :] < LENGTHS[:, None]
    assert_close(layer(x, mask=mask).numpy(), layer(x, lengths=LENGTHS).numpy())
    with pytest.raises(ValueError, match="LSTM.*right-padded"):
        layer(x, mask=mask[:, ::-1])


def test_errors_name_the_layer(rng):
    layer = LSTM(H)
    with pytest.raises(ValueError, match=r"LSTM\(units=6\): expected input of shape \(batch, time, features\)"):
        layer(nt.tensor(np.zeros((N, F), np.float32)))
    layer(nt.tensor(np.zeros((N, T, F), np.float32)))
    with pytest.raises(ValueError, match=r"LSTM\(units=6\): expected 4 input features.*\(3, 5, 7\)"):
        layer(nt.tensor(np.zeros((N, T, 7), np.float32)))
    with pytest.raises(ValueError, match=r"LSTMCell\(units=6\): expected input of shape \(batch, 4\)"):
        LSTMCell(H, in_features=F)(nt.tensor(np.zeros((N, 5), np.float32)))
    with pytest.raises(ValueError, match="SimpleRNN: activation must be"):
        SimpleRNN(H, activation="sigmoid")
    with pytest.raises(ValueError, match=r"JordanRNN\(units=6, output_units=2\): expected input"):
        JordanRNN(H, 2)(nt.tensor(np.zeros((N, F), np.float32)))


def test_layers_learn_a_short_sequence_task(rng):
    """Sum of a ±1 sequence's sign: a GRU + Dense head drives the loss down within a few dozen steps."""
    x = rng.choice([-1.0, 1.0], size=(64, 6, 1)).astype(np.float32)
    y = (x.sum(axis=(1, 2)) > 0).astype(np.float32)[:, None]
    rnn_layer, head = GRU(8), nt.nn.Dense(1)
    params = None
    losses = []
    for _ in range(60):
        logits = head(rnn_layer(nt.tensor(x)))
        loss = nt.functional.binary_cross_entropy_with_logits(logits, nt.tensor(y))
        params = params or list(rnn_layer.parameters()) + list(head.parameters())
        for p in params:
            p.grad = None
        loss.backward()
        with nt.no_grad():
            for p in params:
                p.data -= 0.5 * p.grad
        losses.append(float(loss.numpy()))
    assert losses[-1] < 0.5 * losses[0]


def test_lstm_unit_forget_bias_adds_one_to_the_forget_block_only():
    import neuronet as nt
    nt.manual_seed(0)
    plain = nt.nn.LSTM(3, num_layers=2, bidirectional=True)
    plain.build((1, 1, 2))
    nt.manual_seed(0)
    opened = nt.nn.LSTM(3, num_layers=2, bidirectional=True, unit_forget_bias=True)
    opened.build((1, 1, 2))
    for name, p in plain.state_dict().items():
        diff = opened.state_dict()[name] - p
        expected = np.zeros_like(diff)
        if name.startswith("bias_ih"):
            expected[3:6] = 1.0
        np.testing.assert_allclose(diff, expected, atol=1e-6, err_msg=name)
    with pytest.raises(ValueError, match="unit_forget_bias"):
        nt.nn.LSTM(3, unit_forget_bias=True, use_bias=False)
    assert nt.nn.Module.from_config(opened.get_config()).unit_forget_bias
