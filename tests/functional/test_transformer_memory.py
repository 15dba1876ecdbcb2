"""What the Transformer's Functions keep for backward: fused residual sums, merged heads and an
attention Function that saves no (…, L, S) array — and that the gradients are unchanged."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.functional import linear
from neuronet.functional.attention import scaled_dot_product_attention
from tests.helpers import assert_close, check_grad, check_parity


def _saved_arrays(fn):
    return {name: a for name, a in vars(fn).items() if isinstance(a, np.ndarray)}


def _graph_functions(y):
    seen, stack, out = set(), [y._creator], []
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        out.append(fn)
        stack.extend(t._creator for t in fn.inputs if t is not None)
    return out


@pytest.mark.parametrize("dropout_p", [0.0, 0.3])
def test_sdpa_saves_no_score_sized_float_array(rng, dropout_p):
    q, k, v = (nt.tensor(rng.standard_normal((2, 3, 6, 4)).astype(np.float32), requires_grad=True) for _ in range(3))
    out = scaled_dot_product_attention(q, k, v, dropout_p=dropout_p, is_causal=True)
    saved = _saved_arrays(out._creator)
    big = {n: a for n, a in saved.items() if a.shape[-2:] == (6, 6) and a.ndim == 4}
    assert all(a.dtype == bool for a in big.values()), {n: a.dtype for n, a in big.items()}
    assert ("keep" in big) == (dropout_p > 0)
    out.sum().backward()
    assert q.grad.shape == q.shape and np.isfinite(q.grad.data).all()


@pytest.mark.parametrize("mask", [None, "bool", "float"])
def test_sdpa_recomputed_probabilities_match_torch(rng, mask, torch, TF):
    q, k, v = (rng.standard_normal((2, 3, 5, 4)).astype(np.float32) for _ in range(3))
    m = None
    if mask == "bool":
        m = rng.random((5, 5)) > 0.3
        np.fill_diagonal(m, True)
    elif mask == "float":
        m = rng.standard_normal((5, 5)).astype(np.float32)
    check_parity(lambda q, k, v: scaled_dot_product_attention(q, k, v, attn_mask=m),
                 lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, attn_mask=None if m is None else torch.tensor(m)),
                 q, k, v)


def test_sdpa_dropout_gradient_uses_the_same_mask(rng):
    q, k, v = (rng.standard_normal((2, 4, 3)) for _ in range(3))
    nt.manual_seed(3)
    out, w = scaled_dot_product_attention(*(nt.tensor(a, requires_grad=True) for a in (q, k, v)),
                                          dropout_p=0.4, need_weights=True)
    check_grad(lambda q, k, v: (nt.manual_seed(3), scaled_dot_product_attention(q, k, v, dropout_p=0.4))[1], q, k, v)
    assert (w.data == 0).any()


@pytest.mark.parametrize("shapes", [((2, 3, 5, 4), (2, 3, 6, 4), (2, 3, 6, 2)), ((2, 3, 5, 4), (2, 1, 6, 4), (1, 3, 6, 2))])
def test_merge_heads_equals_transpose_reshape(rng, shapes):
    q, k, v = (rng.standard_normal(s) for s in shapes)
    n, h, L, ev = 2, 3, 5, 2
    merged = scaled_dot_product_attention(nt.tensor(q), nt.tensor(k), nt.tensor(v), merge_heads=True)
    plain = scaled_dot_product_attention(nt.tensor(q), nt.tensor(k), nt.tensor(v))
    assert merged.shape == (n, L, h * ev)
    assert_close(merged.data, plain.data.swapaxes(1, 2).reshape(n, L, h * ev), rtol=0)
    check_grad(lambda q, k, v: scaled_dot_product_attention(q, k, v, merge_heads=True), q, k, v)


def test_merge_heads_needs_a_heads_axis(rng):
    x = nt.tensor(rng.standard_normal((5, 4)))
    with pytest.raises(ValueError, match="scaled_dot_product_attention: merge_heads needs a heads axis"):
        scaled_dot_product_attention(x, x, x, merge_heads=True)


def _residual_inputs(rng, x_shape):
    w, b = rng.standard_normal((2, 3)), rng.standard_normal(2)
    x, r = rng.standard_normal(x_shape), rng.standard_normal(x_shape[:-1] + (2,))
    return x, w, b, r


@pytest.mark.parametrize("x_shape", [(4, 3), (2, 5, 3)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_with_residual(rng, x_shape, with_bias):
    x, w, b, r = _residual_inputs(rng, x_shape)
    if with_bias:
        check_grad(lambda x, w, b, r: linear(x, w, b, residual=r), x, w, b, r)
    else:
        check_grad(lambda x, w, r: linear(x, w, residual=r), x, w, r)
    y = linear(nt.tensor(x, requires_grad=True), nt.tensor(w), nt.tensor(b), residual=nt.tensor(r, requires_grad=True))
    assert type(y._creator).__name__ == "Affine"


@pytest.mark.parametrize("x_shape", [(4, 3), (2, 5, 3)])
def test_linear_with_residual_parity(rng, x_shape, TF):
    x, w, b, r = _residual_inputs(rng, x_shape)
    check_parity(lambda x, w, b, r: linear(x, w, b, residual=r), lambda x, w, b, r: TF.linear(x, w, b) + r,
                 *[a.astype(np.float32) for a in (x, w, b, r)])


def test_linear_residual_shape_error(rng):
    x, w = nt.tensor(np.zeros((4, 3))), nt.tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"linear: residual must have the output's shape \(4, 2\), got \(4, 3\)"):
        linear(x, w, residual=nt.tensor(np.zeros((4, 3))))


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_fuses_residuals_and_matches_torch(rng, norm_first, torch):
    nt.manual_seed(0)
    layer = nt.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, norm_first=norm_first)
    ref = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True, norm_first=norm_first)
    ref.load_state_dict({k: torch.tensor(v) for k, v in layer.state_dict().items()})
    x = rng.standard_normal((3, 5, 8)).astype(np.float32)
    xt = nt.tensor(x, requires_grad=True)
    y = layer(xt)
    names = [type(fn).__name__ for fn in _graph_functions(y)]
    assert "Add" not in names and "Transpose" in names  # residual sums fused into the projections
    g = rng.standard_normal(y.shape).astype(np.float32)
    y.backward(g)
    xr = torch.tensor(x, requires_grad=True)
    yr = ref(xr)
    yr.backward(torch.tensor(g))
    assert_close(y.data, yr.detach().numpy(), rtol=1e-5)
    assert_close(xt.grad, xr.grad.numpy(), rtol=1e-5)
    for name, p in layer.named_parameters():
        assert_close(p.grad, dict(ref.named_parameters())[name].grad.numpy(), rtol=1e-5)


def test_encoder_layer_with_dropout_keeps_unfused_path(rng):
    nt.manual_seed(0)
    layer = nt.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.2)
    y = layer(nt.tensor(rng.standard_normal((3, 5, 8)).astype(np.float32), requires_grad=True))
    assert "Add" in [type(fn).__name__ for fn in _graph_functions(y)]
    layer.eval()
    y = layer(nt.tensor(rng.standard_normal((3, 5, 8)).astype(np.float32), requires_grad=True))
    assert "Add" not in [type(fn).__name__ for fn in _graph_functions(y)]
