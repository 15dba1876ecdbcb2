import numpy as np
import pytest

import neuronet as nt
from neuronet.nn.layers.attention import AdditiveAttention, Attention, MultiHeadAttention
from tests.helpers import assert_close, check_grad


def _torch_state(module):
    return {k: v.detach().numpy() for k, v in module.state_dict().items()}


def _mha_pair(torch, num_heads=2, d_model=8, kdim=None, vdim=None, bias=True, batch_first=True):
    torch.manual_seed(0)
    tm = torch.nn.MultiheadAttention(d_model, num_heads, bias=bias, kdim=kdim, vdim=vdim, batch_first=batch_first)
    with torch.no_grad():  # non-zero biases so their gradients and use are checked
        for name, p in tm.named_parameters():
            if "bias" in name:
                p.normal_()
    nm = MultiHeadAttention(num_heads, d_model, bias=bias, kdim=kdim, vdim=vdim, batch_first=batch_first)
    nm.load_state_dict(_torch_state(tm), strict=True)
    return nm, tm


def _run_pair(torch, nm, tm, arrays, self_attention, nt_kw, torch_kw, rng):
    """Forward both, back-propagate the same cotangents through output and weights, compare everything."""
    n_in = [nt.tensor(a, requires_grad=True) for a in arrays]
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    if self_attention:
        n_in, t_in = n_in[:1] * 3, t_in[:1] * 3
    out, w = nm(*n_in, **nt_kw)
    tout, tw = tm(*t_in, **torch_kw)
    assert_close(out.numpy(), tout.detach().numpy(), what="output")
    if tw is None:
        assert w is None
        cots = [rng.standard_normal(out.shape).astype(np.float32)]
        out.backward(cots[0])
        tout.backward(torch.tensor(cots[0]))
    else:
        assert_close(w.numpy(), tw.detach().numpy(), what="weights")
        cots = [rng.standard_normal(t.shape).astype(np.float32) for t in (out, w)]
        out.backward(cots[0], retain_graph=True)
        w.backward(cots[1])
        torch.autograd.backward([tout, tw], [torch.tensor(c) for c in cots])
    for i, (a, b) in enumerate(zip(n_in[:len(arrays)], t_in[:len(arrays)])):
        assert_close(a.grad, b.grad.numpy(), what=f"gradient of input {i}")
    tparams = dict(tm.named_parameters())
    names = [name for name, _ in nm.named_parameters()]
    assert sorted(names) == sorted(tparams)
    for name, p in nm.named_parameters():
        assert_close(p.grad, tparams[name].grad.numpy(), what=f"gradient of {name}")


def test_mha_self_attention_parity_with_padding_mask(rng, torch):
    nm, tm = _mha_pair(torch)
    x = rng.standard_normal((3, 5, 8)).astype(np.float32)
    pad = np.zeros((3, 5), bool)
    pad[1, 3:] = True
    pad[2, 4] = True
    _run_pair(torch, nm, tm, [x], True, {"key_padding_mask": pad}, {"key_padding_mask": torch.tensor(pad)}, rng)


@pytest.mark.parametrize("average", [True, False])
def test_mha_cross_attention_parity_with_attn_mask(rng, average, torch):
    nm, tm = _mha_pair(torch, num_heads=4)
    q = rng.standard_normal((2, 4, 8)).astype(np.float32)
    k = rng.standard_normal((2, 6, 8)).astype(np.float32)
    v = rng.standard_normal((2, 6, 8)).astype(np.float32)
    causal = np.triu(np.ones((4, 6), bool), 1)
    kw = {"attn_mask": causal, "average_attn_weights": average}
    _run_pair(torch, nm, tm, [q, k, v], False, kw, {**kw, "attn_mask": torch.tensor(causal)}, rng)


def test_mha_float_masks_and_per_head_masks(rng, torch):
    nm, tm = _mha_pair(torch, num_heads=2)
    x = rng.standard_normal((2, 5, 8)).astype(np.float32)
    am = rng.standard_normal((4, 5, 5)).astype(np.float32)
    pad = np.zeros((2, 5), bool)
    pad[0, 4] = True
    _run_pair(torch, nm, tm, [x], True, {"attn_mask": am, "key_padding_mask": pad},
              {"attn_mask": torch.tensor(am), "key_padding_mask": torch.tensor(pad)}, rng)


def test_mha_separate_kv_dims_and_no_weights(rng, torch):
    nm, tm = _mha_pair(torch, num_heads=2, kdim=5, vdim=3)
    assert "q_proj_weight" in nm.state_dict() and "in_proj_weight" not in nm.state_dict()
    q = rng.standard_normal((2, 4, 8)).astype(np.float32)
    k = rng.standard_normal((2, 6, 5)).astype(np.float32)
    v = rng.standard_normal((2, 6, 3)).astype(np.float32)
    _run_pair(torch, nm, tm, [q, k, v], False, {"need_weights": False}, {"need_weights": False}, rng)


def test_mha_sequence_first_and_unbatched(rng, torch):
    nm, tm = _mha_pair(torch, batch_first=False)
    x = rng.standard_normal((5, 2, 8)).astype(np.float32)
    _run_pair(torch, nm, tm, [x], True, {}, {}, rng)
    nm, tm = _mha_pair(torch, bias=False)
    x = rng.standard_normal((5, 8)).astype(np.float32)
    _run_pair(torch, nm, tm, [x, x[:3], x[:3]], False, {}, {}, rng)


def test_mha_fully_padded_query_row_is_zero_not_nan(rng):
    nm = MultiHeadAttention(2, 8, bias=False)
    x = nt.tensor(rng.standard_normal((1, 3, 8)).astype(np.float32), requires_grad=True)
    out, w = nm(x, x, x, key_padding_mask=np.ones((1, 3), bool))
    assert not np.isnan(out.numpy()).any() and not np.isnan(w.numpy()).any()
    assert_close(w.numpy(), np.zeros((1, 3, 3)))
    out.sum().backward()
    assert np.isfinite(x.grad).all()


def test_mha_gradcheck_float64(rng):
    nt.set_default_dtype(np.float64)
    nm = MultiHeadAttention(2, 4)
    nm.in_proj_bias.data[:] = rng.standard_normal(12)
    x = rng.standard_normal((2, 3, 4))
    causal = np.triu(np.ones((3, 3), bool), 1)
    check_grad(lambda x: nm(x, x, x, attn_mask=causal)[0], x)


def test_mha_dropout_only_in_training(rng):
    nm = MultiHeadAttention(2, 8, dropout=0.5)
    x = nt.tensor(rng.standard_normal((2, 4, 8)).astype(np.float32))
    _, w_train = nm(x, x, x, average_attn_weights=False)
    assert (w_train.numpy() == 0).any()
    nm.eval()
    _, w_eval = nm(x, x, x, average_attn_weights=False)
    assert_close(w_eval.numpy().sum(-1), np.ones((2, 2, 4)))


def test_mha_rejects_bad_inputs():
    nm = MultiHeadAttention(2, 8)
    x = nt.tensor(np.zeros((2, 4, 8), np.float32))
    with pytest.raises(ValueError, match="divisible"):
        MultiHeadAttention(3, 8)
    with pytest.raises(ValueError, match="MultiHeadAttention.*query must have 8 features"):
        nm(nt.tensor(np.zeros((2, 4, 6), np.float32)))
    with pytest.raises(ValueError, match="key_padding_mask must have shape"):
        nm(x, x, x, key_padding_mask=np.zeros((2, 3), bool))
    with pytest.raises(ValueError, match="attn_mask must have shape"):
        nm(x, x, x, attn_mask=np.zeros((3, 4), bool))


def _softmax(s, allowed):
    s = np.where(allowed, s, -np.inf)
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


@pytest.mark.parametrize("score", ["dot", "scaled", "cosine", "general"])
def test_attention_layer_matches_formula(rng, score):
    nt.set_default_dtype(np.float64)
    q, v = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 4))
    value_mask = np.ones((2, 5), bool)
    value_mask[1, 3:] = False
    query_mask = np.array([[1, 1, 0], [1, 1, 1]], bool)
    layer = Attention(score, use_scale=True)
    out, w = layer([nt.tensor(q), nt.tensor(v)], mask=[query_mask, value_mask], return_attention_scores=True)
    s = q @ v.transpose(0, 2, 1)
    if score == "scaled":
        s = s / 2.0
    elif score == "cosine":
        s = s / np.linalg.norm(q, axis=-1)[..., None] / np.linalg.norm(v, axis=-1)[:, None, :]
    elif score == "general":
        s = q @ layer.weight.numpy() @ v.transpose(0, 2, 1)
    expect_w = _softmax(s, value_mask[:, None, :])
    assert_close(w.numpy(), expect_w)
    assert_close(out.numpy(), expect_w @ v * query_mask[..., None])
    check_grad(lambda q, v: layer([q, v], mask=[None, value_mask], use_causal_mask=True), q, v)


def test_additive_attention_matches_formula(rng):
    nt.set_default_dtype(np.float64)
    q, v, k = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 2)), rng.standard_normal((2, 5, 6))
    layer = AdditiveAttention(units=7)
    out, w = layer([nt.tensor(q), nt.tensor(v), nt.tensor(k)], return_attention_scores=True)
    wq, wk, vv = layer.query_weight.numpy(), layer.key_weight.numpy(), layer.v.numpy()
    s = np.tanh((q @ wq.T)[:, :, None, :] + (k @ wk.T)[:, None, :, :]) @ vv
    assert_close(w.numpy(), _softmax(s, True))
    assert_close(out.numpy(), _softmax(s, True) @ v)
    check_grad(lambda q, v, k: layer([q, v, k]), q, v, k)
    keras_style = AdditiveAttention(use_scale=False)
    s = np.tanh(q[:, :, None, :] + q[:, None, :, :]).sum(-1)
    assert_close(keras_style([nt.tensor(q), nt.tensor(q)]).numpy(), _softmax(s, True) @ q)
    assert keras_style.count_params() == 0
    with pytest.raises(ValueError, match="AdditiveAttention: without units"):
        AdditiveAttention()([nt.tensor(q), nt.tensor(k)])
    with pytest.raises(ValueError, match="inputs must be"):
        Attention()(nt.tensor(q))
