"""PyTorch-named layers (Conv1d/2d, MaxPool1d/2d, AvgPool1d/2d, BatchNorm1d/2d, LSTM/GRU/RNN built PyTorch-style):
torch's constructors, eager parameters with torch's names, and parity with torch.nn (same weights, same input →
same output, input gradient and parameter gradients)."""
import numpy as np
import pytest

import neuronet as nt
from tests.helpers import assert_close


def _parity(torch, ours, theirs, x, rtol=1e-5, train=True):
    """Load torch's state dict into ``ours``; compare outputs, the input gradient and every parameter gradient."""
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.train(train)
    theirs.train(train)
    xt, tx = nt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = ours(xt), theirs(tx)
    assert_close(y.numpy(), ty.detach().numpy(), rtol=rtol, what="output")
    cot = np.random.default_rng(1).standard_normal(y.shape).astype(np.float32)
    (y * nt.tensor(cot)).sum().backward()
    (ty * torch.tensor(cot)).sum().backward()
    assert_close(xt.grad, tx.grad.numpy(), rtol=rtol, what="input grad")
    for (name, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert_close(p.grad, tp.grad.numpy(), rtol=rtol, what=name)
    for name, b in ours.named_buffers():
        if name.endswith(("running_mean", "running_var")):
            assert_close(b, theirs.state_dict()[name].numpy(), rtol=rtol, what=name)


CASES = {
    "Conv2d": (lambda m: m.Conv2d(3, 6, 3, stride=2, padding=1, bias=True), (2, 3, 9, 9)),
    "Conv2d-same-groups": (lambda m: m.Conv2d(4, 6, (3, 5), padding="same", groups=2, dilation=(1, 2),
                                              padding_mode="reflect"), (2, 4, 8, 11)),
    "Conv1d": (lambda m: m.Conv1d(3, 5, 4, stride=1, padding=2, bias=False), (2, 3, 10)),
    "MaxPool2d": (lambda m: m.MaxPool2d(3, stride=2, padding=1, dilation=1, ceil_mode=True), (2, 3, 9, 8)),
    "MaxPool2d-dilated": (lambda m: m.MaxPool2d(2, stride=1, dilation=2), (2, 2, 7, 7)),
    "MaxPool1d": (lambda m: m.MaxPool1d(3, stride=2, padding=1), (2, 3, 11)),
    "AvgPool2d": (lambda m: m.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), (2, 3, 9, 8)),
    "AvgPool1d": (lambda m: m.AvgPool1d(2), (2, 3, 9)),
    "BatchNorm1d": (lambda m: m.BatchNorm1d(5, eps=1e-3, momentum=0.3), (8, 5)),
    "BatchNorm1d-seq": (lambda m: m.BatchNorm1d(4), (6, 4, 7)),
    "BatchNorm2d": (lambda m: m.BatchNorm2d(3, affine=True), (4, 3, 5, 5)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_torch_named_layer_parity(case, torch, rng):
    make, shape = CASES[case]
    ours, theirs = make(nt.nn), make(torch.nn)
    x = rng.standard_normal(shape).astype(np.float32)
    _parity(torch, ours, theirs, x)


def test_batchnorm2d_eval_uses_running_statistics_like_torch(torch, rng):
    ours, theirs = nt.nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3)
    x = rng.standard_normal((4, 3, 5, 5)).astype(np.float32)
    for _ in range(2):
        ours(x)
        theirs(torch.tensor(x))
    _parity(torch, ours, theirs, x, train=False)


def test_aliases_have_parameters_at_construction_so_an_optimizer_sees_them():
    conv, bn, lin = nt.nn.Conv2d(1, 4, 3), nt.nn.BatchNorm2d(4), nt.nn.Linear(16, 2)
    assert conv.weight.shape == (4, 1, 3, 3) and conv.bias.shape == (4,) and conv.out_channels == 4
    assert bn.weight.shape == (4,) and bn.running_var.shape == (4,)
    net = nt.nn.Sequential(conv, bn, nt.nn.ReLU(), nt.nn.MaxPool2d(2), nt.nn.Flatten(), lin)
    opt = nt.optim.SGD(net.parameters(), lr=0.1)
    assert sum(p.data.size for g in opt.param_groups for p in g["params"]) == 4 * 9 + 4 + 4 + 4 + 16 * 2 + 2
    before = conv.weight.data.copy()
    x = np.random.default_rng(0).normal(size=(2, 1, 6, 6)).astype(np.float32)  # (constant input: batch norm
    net(x).sum().backward()                                                       # would cancel the conv's gradient)
    opt.step()
    assert not np.array_equal(before, conv.weight.data)


def test_torch_default_init_bounds():
    conv = nt.nn.Conv2d(2, 3, 4)  # uniform on ±1/sqrt(fan_in), fan_in = 2·4·4
    assert np.abs(conv.weight.data).max() <= 1 / np.sqrt(32) and np.abs(conv.weight.data).max() > 0.5 / np.sqrt(32)
    lstm = nt.nn.LSTM(3, 16)
    assert np.abs(lstm.weight_hh_l0.data).max() <= 0.25


def test_conv2d_then_maxpool2d_in_sequential_is_fused_only_when_windows_tile(torch, rng):
    """Sequential fuses Conv→MaxPool2D; the alias fuses too (same values), a dilated MaxPool2d does not."""
    x = rng.standard_normal((2, 2, 8, 8)).astype(np.float32)
    for pool in (lambda m: m.MaxPool2d(2), lambda m: m.MaxPool2d(2, stride=1, dilation=2)):
        ours = nt.nn.Sequential(nt.nn.Conv2d(2, 3, 3), nt.nn.ReLU(), pool(nt.nn))
        theirs = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3), torch.nn.ReLU(), pool(torch.nn))
        _parity(torch, ours, theirs, x)
    assert nt.nn.Conv2d(1, 1, 3).fuses_max_pool(nt.nn.MaxPool2d(2))
    assert not nt.nn.Conv2d(1, 1, 3).fuses_max_pool(nt.nn.MaxPool2d(2, stride=1, dilation=2))


def test_alias_errors_name_the_layer():
    with pytest.raises(ValueError, match="Conv2d: in_channels=3 must be divisible by groups=2"):
        nt.nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="Conv2d: in_channels"):
        nt.nn.Conv2d(0, 4, 3)
    with pytest.raises(ValueError, match="MaxPool2d: return_indices=True is not supported"):
        nt.nn.MaxPool2d(2, return_indices=True)
    with pytest.raises(ValueError, match="AvgPool2d: divisor_override"):
        nt.nn.AvgPool2d(2, divisor_override=3)
    with pytest.raises(ValueError, match=r"Conv2d\(filters=4.*C=3.*received shape \(1, 2, 5, 5\)"):
        nt.nn.Conv2d(3, 4, 3)(np.zeros((1, 2, 5, 5), np.float32))
    with pytest.raises(ValueError, match="BatchNorm1d"):
        nt.nn.BatchNorm1d(None)


def test_alias_configs_round_trip():
    for layer in (nt.nn.Conv2d(3, 4, 3, stride=2), nt.nn.MaxPool2d(3, 2, 1), nt.nn.BatchNorm1d(4, 1e-3, 0.2),
                  nt.nn.LSTM(3, 5, num_layers=2, batch_first=True), nt.nn.GRU(3, 4), nt.nn.RNN(3, 4, nonlinearity="relu")):
        again = nt.nn.Module.from_config(layer.get_config())
        assert type(again) is type(layer) and again.get_config() == layer.get_config()
        assert [k for k in again.state_dict()] == [k for k in layer.state_dict()]


# --- recurrent layers built PyTorch-style ---------------------------------------------------------------

def test_lstm_dispatch_keras_or_torch_style():
    keras_style = nt.nn.LSTM(8, return_sequences=True)
    assert type(keras_style) is nt.nn.LSTM and not keras_style.built
    assert type(nt.nn.LSTM(8, True)) is nt.nn.LSTM  # Keras's second argument is unit_forget_bias
    for torch_style in (nt.nn.LSTM(4, 8), nt.nn.LSTM(input_size=4, hidden_size=8), nt.nn.LSTM(4, hidden_size=8)):
        assert type(torch_style) is nt.nn.TorchLSTM and isinstance(torch_style, nt.nn.LSTM)
        assert torch_style.weight_ih_l0.shape == (32, 4)
    assert type(nt.nn.GRU(4, 8)) is nt.nn.TorchGRU and type(nt.nn.GRU(8, reset_after=False)) is nt.nn.GRU
    with pytest.raises(TypeError, match="Bidirectional: TorchLSTM is built PyTorch-style"):
        nt.nn.Bidirectional(nt.nn.LSTM(4, 8))


def _rnn_parity(torch, kind, rng, num_layers, bidirectional, batch_first, with_state, unbatched=False, **kw):
    ours = getattr(nt.nn, kind)(3, 5, num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first,
                                **kw)
    theirs = getattr(torch.nn, kind)(3, 5, num_layers=num_layers, bidirectional=bidirectional,
                                     batch_first=batch_first, **kw)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    assert list(ours.state_dict()) == list(theirs.state_dict())
    n, t, k = 2, 4, num_layers * (2 if bidirectional else 1)
    shape = (t, 3) if unbatched else ((n, t, 3) if batch_first else (t, n, 3))
    x = rng.standard_normal(shape).astype(np.float32)
    xt, tx = nt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    states, tstates = [], []
    if with_state:
        for _ in range(2 if kind == "LSTM" else 1):
            s = rng.standard_normal((k, 5) if unbatched else (k, n, 5)).astype(np.float32)
            states.append(nt.tensor(s, requires_grad=True))
            tstates.append(torch.tensor(s, requires_grad=True))
    arg = None if not with_state else (tuple(states) if kind == "LSTM" else states[0])
    targ = None if not with_state else (tuple(tstates) if kind == "LSTM" else tstates[0])
    out, hn = ours(xt, arg)
    tout, thn = theirs(tx, targ)
    hs = list(hn) if kind == "LSTM" else [hn]
    ths = list(thn) if kind == "LSTM" else [thn]
    assert_close(out.numpy(), tout.detach().numpy(), what="output")
    for h, th in zip(hs, ths):
        assert_close(h.numpy(), th.detach().numpy(), what="final state")
    loss = (out * out).sum() + sum((h * h * 0.5).sum() for h in hs)
    tloss = (tout * tout).sum() + sum((h * h * 0.5).sum() for h in ths)
    loss.backward()
    tloss.backward()
    assert_close(xt.grad, tx.grad.numpy(), what="input grad")
    for s, ts in zip(states, tstates):
        assert_close(s.grad, ts.grad.numpy(), what="initial state grad")
    for (name, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert_close(p.grad, tp.grad.numpy(), what=name)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("num_layers,bidirectional,batch_first,with_state", [
    (1, False, True, False), (2, True, False, True), (2, False, True, True), (1, True, True, False)])
def test_torch_style_recurrent_parity(kind, num_layers, bidirectional, batch_first, with_state, torch, rng):
    _rnn_parity(torch, kind, rng, num_layers, bidirectional, batch_first, with_state)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_torch_style_recurrent_unbatched_input(kind, torch, rng):
    _rnn_parity(torch, kind, rng, 2, True, False, True, unbatched=True)


def test_rnn_relu_and_no_bias_parity(torch, rng):
    _rnn_parity(torch, "RNN", rng, 2, False, True, True, nonlinearity="relu", bias=False)


def test_torch_style_lstm_returns_out_and_state_tuple():
    lstm = nt.nn.LSTM(4, 6, num_layers=2, batch_first=True)
    out, (h, c) = lstm(np.zeros((3, 7, 4), np.float32))
    assert out.shape == (3, 7, 6) and h.shape == (2, 3, 6) and c.shape == (2, 3, 6)
    out, h = nt.nn.GRU(4, 6)(np.zeros((7, 3, 4), np.float32))  # time-major by default, as in PyTorch
    assert out.shape == (7, 3, 6) and h.shape == (1, 3, 6)


def test_torch_style_dropout_between_layers():
    lstm = nt.nn.LSTM(4, 6, num_layers=2, dropout=0.5, batch_first=True)
    x = np.random.default_rng(0).standard_normal((2, 5, 4)).astype(np.float32)
    a, _ = lstm(x)
    b, _ = lstm(x)
    assert not np.allclose(a.numpy(), b.numpy())  # a new mask each call while training
    lstm.eval()
    c, _ = lstm(x)
    d, _ = lstm(x)
    assert np.array_equal(c.numpy(), d.numpy())


def test_torch_style_recurrent_errors():
    lstm = nt.nn.LSTM(4, 6, batch_first=True)
    with pytest.raises(ValueError, match=r"TorchLSTM\(input_size=4, hidden_size=6\): expected input of shape "
                                         r"\(N, T, input_size\)"):
        lstm(np.zeros((2, 3, 5), np.float32))
    with pytest.raises(ValueError, match=r"initial state h_0 must have shape \(1, 2, 6\)"):
        lstm(np.zeros((2, 3, 4), np.float32), (np.zeros((2, 6), np.float32), np.zeros((2, 6), np.float32)))
    with pytest.raises(ValueError, match=r"must be a tuple \(h_0, c_0\)"):
        lstm(np.zeros((2, 3, 4), np.float32), np.zeros((1, 2, 6), np.float32))
    with pytest.raises(ValueError, match="proj_size"):
        nt.nn.LSTM(4, 6, proj_size=2)
    with pytest.raises(ValueError, match="RNN: nonlinearity"):
        nt.nn.RNN(4, 6, nonlinearity="sigmoid")


def test_torch_keyword_arguments_of_common_layers(torch, rng):
    ours = nt.nn.Sequential(nt.nn.Linear(4, 6), nt.nn.ReLU(inplace=True), nt.nn.Dropout(p=0.0, inplace=True),
                            nt.nn.LeakyReLU(0.2, inplace=True), nt.nn.ELU(inplace=True), nt.nn.SiLU(inplace=True),
                            nt.nn.Linear(6, 2))
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.ReLU(inplace=True), torch.nn.Dropout(p=0.0),
                                 torch.nn.LeakyReLU(0.2), torch.nn.ELU(), torch.nn.SiLU(), torch.nn.Linear(6, 2))
    _parity(torch, ours, theirs, rng.standard_normal((5, 4)).astype(np.float32))
    assert nt.nn.Dropout(p=0.3).rate == 0.3 and nt.nn.Dropout(0.3).rate == 0.3
    with pytest.raises(ValueError, match="Dropout: give rate \\(Keras\\) or p \\(PyTorch\\), not both"):
        nt.nn.Dropout(0.3, p=0.2)


@pytest.mark.parametrize("kind,kw", [("LSTMCell", {}), ("GRUCell", {}), ("RNNCell", {"nonlinearity": "relu"}),
                                     ("LSTMCell", {"bias": False})])
@pytest.mark.parametrize("unbatched", [False, True])
def test_torch_style_cells_parity(kind, kw, unbatched, torch, rng):
    ours, theirs = getattr(nt.nn, kind)(3, 5, **kw), getattr(torch.nn, kind)(3, 5, **kw)
    assert type(ours).__name__ == "Torch" + kind and ours.weight_hh.shape == tuple(theirs.weight_hh.shape)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    assert list(ours.state_dict()) == list(theirs.state_dict())
    lead = () if unbatched else (4,)
    x = rng.standard_normal(lead + (3,)).astype(np.float32)
    states = [rng.standard_normal(lead + (5,)).astype(np.float32) for _ in range(2 if kind == "LSTMCell" else 1)]
    xt, tx = nt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    st = [nt.tensor(s, requires_grad=True) for s in states]
    tst = [torch.tensor(s, requires_grad=True) for s in states]
    out = ours(xt, tuple(st) if kind == "LSTMCell" else st[0])
    tout = theirs(tx, tuple(tst) if kind == "LSTMCell" else tst[0])
    outs, touts = (list(out), list(tout)) if kind == "LSTMCell" else ([out], [tout])
    for o, to in zip(outs, touts):
        assert_close(o.numpy(), to.detach().numpy(), what="state")
    sum((o * o).sum() for o in outs).backward()
    sum((o * o).sum() for o in touts).backward()
    assert_close(xt.grad, tx.grad.numpy(), what="input grad")
    for s, ts in zip(st, tst):
        assert_close(s.grad, ts.grad.numpy(), what="state grad")
    for (name, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert_close(p.grad, tp.grad.numpy(), what=name)


def test_cell_dispatch_keeps_keras_style_cells():
    assert type(nt.nn.LSTMCell(16)) is nt.nn.LSTMCell and not nt.nn.LSTMCell(16).built
    assert type(nt.nn.LSTMCell(16, False)) is nt.nn.LSTMCell  # Keras-style second argument: use_bias
    assert type(nt.nn.RNNCell(16, "relu")) is nt.nn.RNNCell
    assert type(nt.nn.GRUCell(input_size=3, hidden_size=4)) is nt.nn.TorchGRUCell
