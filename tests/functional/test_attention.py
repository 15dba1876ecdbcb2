import numpy as np
import pytest

import neuronet as nt
from neuronet.functional.attention import (
    additive_scores, cosine_scores, dot_scores, general_scores, masked_softmax, scaled_dot_product_attention,
    scaled_dot_scores,
)
from tests.helpers import assert_close, check_grad, check_parity

SHAPES = [  # q, k, v
    ((3, 4), (5, 4), (5, 2)),
    ((2, 3, 4), (2, 5, 4), (2, 5, 3)),
    ((2, 2, 3, 4), (1, 2, 5, 4), (2, 1, 5, 3)),  # broadcast batch dims
]


def _qkv(rng, shapes, dtype=np.float64):
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


@pytest.mark.parametrize("shapes", SHAPES)
def test_sdpa_gradcheck_plain_and_causal(rng, shapes):
    q, k, v = _qkv(rng, shapes)
    check_grad(lambda q, k, v: scaled_dot_product_attention(q, k, v), q, k, v)
    check_grad(lambda q, k, v: scaled_dot_product_attention(q, k, v, is_causal=True), q, k, v)
    check_grad(lambda q, k, v: scaled_dot_product_attention(q, k, v, scale=0.7), q, k, v)


@pytest.mark.parametrize("shapes", SHAPES)
def test_sdpa_gradcheck_boolean_and_additive_masks(rng, shapes):
    q, k, v = _qkv(rng, shapes)
    L, S = shapes[0][-2], shapes[1][-2]
    mask = rng.random((L, S)) > 0.4
    mask[:, 0] = True
    check_grad(lambda q, k, v: scaled_dot_product_attention(q, k, v, attn_mask=mask), q, k, v)
    additive = rng.standard_normal((L, S))
    # the additive mask is differentiable too
    check_grad(lambda q, k, v, m: scaled_dot_product_attention(q, k, v, attn_mask=m), q, k, v, additive)


def test_sdpa_gradcheck_weights_output(rng):
    q, k, v = _qkv(rng, SHAPES[1])
    check_grad(lambda q, k, v: scaled_dot_product_attention(q, k, v, is_causal=True, need_weights=True), q, k, v)


def _torch_sdpa(torch, **kw):
    return lambda q, k, v: torch.nn.functional.scaled_dot_product_attention(q, k, v, **kw)


@pytest.mark.parametrize("kw", [{}, {"is_causal": True}, {"scale": 0.3}])
def test_sdpa_parity_with_torch(rng, kw, torch):
    q, k, v = _qkv(rng, ((2, 3, 6, 8), (2, 3, 7, 8), (2, 3, 7, 5)), np.float32)
    check_parity(lambda q, k, v: scaled_dot_product_attention(q, k, v, **kw), _torch_sdpa(torch, **kw), q, k, v)


def test_sdpa_parity_with_masks(rng, torch):
    q, k, v = _qkv(rng, ((2, 6, 8), (2, 7, 8), (2, 7, 5)), np.float32)
    bool_mask = rng.random((2, 6, 7)) > 0.5
    bool_mask[..., 0] = True
    check_parity(lambda q, k, v: scaled_dot_product_attention(q, k, v, attn_mask=bool_mask),
                 lambda q, k, v: torch.nn.functional.scaled_dot_product_attention(
                     q, k, v, attn_mask=torch.tensor(bool_mask)), q, k, v)
    additive = rng.standard_normal((6, 7)).astype(np.float32)
    additive[2, 3:] = -np.inf
    check_parity(lambda q, k, v: scaled_dot_product_attention(q, k, v, attn_mask=additive),
                 lambda q, k, v: torch.nn.functional.scaled_dot_product_attention(
                     q, k, v, attn_mask=torch.tensor(additive)), q, k, v)


def test_fully_masked_row_gives_zeros_and_zero_gradient(rng):
    q, k, v = (nt.tensor(a, requires_grad=True) for a in _qkv(rng, ((1, 3, 4), (1, 5, 4), (1, 5, 2)), np.float32))
    mask = np.ones((3, 5), bool)
    mask[1] = False
    out = scaled_dot_product_attention(q, k, v, attn_mask=mask)
    assert not np.isnan(out.numpy()).any()
    assert_close(out.numpy()[0, 1], np.zeros(2))
    out.backward(np.ones(out.shape, np.float32))
    assert_close(q.grad[0, 1], np.zeros(4))
    assert np.isfinite(k.grad).all() and np.isfinite(v.grad).all()
    additive = np.zeros((3, 5), np.float32)
    additive[0] = -np.inf
    out = scaled_dot_product_attention(q, k, v, attn_mask=additive)
    assert_close(out.numpy()[0, 0], np.zeros(2))


def test_sdpa_dropout_keeps_expectation_and_float32(rng):
    nt.manual_seed(3)
    q, k, v = _qkv(rng, ((1, 4, 4), (1, 6, 4), (1, 6, 2)), np.float32)
    out, w = scaled_dot_product_attention(nt.tensor(q), nt.tensor(k), nt.tensor(v), dropout_p=0.5, need_weights=True)
    assert out.dtype == np.float32 and w.dtype == np.float32
    nonzero = w.numpy()[w.numpy() != 0]
    plain = scaled_dot_product_attention(nt.tensor(q), nt.tensor(k), nt.tensor(v), need_weights=True)[1].numpy()
    assert_close(nonzero, 2 * plain[w.numpy() != 0])
    assert (w.numpy() == 0).any()
    assert_close(out.numpy(), w.numpy() @ v)


def _zeros(*shape):
    return nt.tensor(np.zeros(shape, np.float32))


def test_sdpa_rejects_bad_shapes():
    q, k, v = _zeros(2, 3, 4), _zeros(2, 5, 3), _zeros(2, 5, 2)
    with pytest.raises(ValueError, match="scaled_dot_product_attention.*share E"):
        scaled_dot_product_attention(q, k, v)
    with pytest.raises(ValueError, match="share S"):
        scaled_dot_product_attention(q, _zeros(2, 5, 4), _zeros(2, 6, 2))
    with pytest.raises(ValueError, match="attn_mask of shape"):
        scaled_dot_product_attention(q, _zeros(2, 5, 4), v, attn_mask=np.ones((4, 5), bool))
    with pytest.raises(TypeError, match="boolean"):
        scaled_dot_product_attention(q, _zeros(2, 5, 4), v, attn_mask=np.ones((3, 5), np.int64))


@pytest.mark.parametrize("shape", [(2, 5), (3, 2, 4)])
def test_masked_softmax_gradcheck(rng, shape):
    x = rng.standard_normal(shape)
    mask = rng.random(shape) > 0.3
    check_grad(lambda x: masked_softmax(x, mask), x)


@pytest.mark.parametrize("shape", [(2, 5), (3, 2, 4)])
def test_masked_softmax_parity(rng, shape, torch):
    x = rng.standard_normal(shape)
    check_parity(lambda x: masked_softmax(x), lambda x: torch.softmax(x, -1), x.astype(np.float32))


@pytest.mark.parametrize("q_shape,k_shape", [((4, 3), (5, 3)), ((2, 4, 3), (2, 5, 3)), ((2, 4, 3), (5, 3))])
def test_score_functions_gradcheck(rng, q_shape, k_shape):
    q, k = rng.standard_normal(q_shape), rng.standard_normal(k_shape)
    check_grad(dot_scores, q, k)
    check_grad(scaled_dot_scores, q, k)
    check_grad(cosine_scores, q, k)
    check_grad(general_scores, q, k, rng.standard_normal((3, 3)))
    check_grad(lambda q, k, v, wq, wk, b: additive_scores(q, k, v, wq, wk, b),
               q, k, rng.standard_normal(6), rng.standard_normal((6, 3)), rng.standard_normal((6, 3)),
               rng.standard_normal(6))
    check_grad(additive_scores, q, k, rng.standard_normal(3))


def test_score_functions_match_their_formulas(rng):
    q, k = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 5, 3))
    qt, kt = nt.tensor(q), nt.tensor(k)
    assert_close(dot_scores(qt, kt).numpy(), q @ k.transpose(0, 2, 1))
    assert_close(scaled_dot_scores(qt, kt).numpy(), q @ k.transpose(0, 2, 1) / np.sqrt(3))
    cos = (q / np.linalg.norm(q, axis=-1, keepdims=True)) @ (k / np.linalg.norm(k, axis=-1, keepdims=True)).transpose(0, 2, 1)
    assert_close(cosine_scores(qt, kt).numpy(), cos)
    w = rng.standard_normal((3, 3))
    assert_close(general_scores(qt, kt, nt.tensor(w)).numpy(), q @ w @ k.transpose(0, 2, 1))
    v, wq, wk = rng.standard_normal(6), rng.standard_normal((6, 3)), rng.standard_normal((6, 3))
    expect = np.tanh((q @ wq.T)[:, :, None, :] + (k @ wk.T)[:, None, :, :]) @ v
    assert_close(additive_scores(qt, kt, nt.tensor(v), nt.tensor(wq), nt.tensor(wk)).numpy(), expect)
    with pytest.raises(ValueError, match="general_scores"):
        general_scores(qt, kt, nt.tensor(np.ones((3, 2))))


@pytest.mark.parametrize("kw", [{}, {"is_causal": True, "merge_heads": True}])
def test_sdpa_split_over_threads_gives_the_same_bits(rng, kw, monkeypatch):
    """At 2 BLAS threads the heads' products are split over the batch axis: same values and gradients
    as at 1 thread, bit for bit (each matrix goes through the same BLAS call)."""
    from neuronet.functional import attention
    from neuronet.kernels.parallel import blas_controllers
    controllers = blas_controllers()
    if not controllers:
        pytest.skip("BLAS thread count cannot be set here")
    q, k, v = _qkv(rng, ((4, 4, 64, 64),) * 3, np.float32)  # each of the 7 products: 2²² multiply-adds
    g = rng.standard_normal((4, 64, 4 * 64) if kw.get("merge_heads") else (4, 4, 64, 64)).astype(np.float32)
    splits = []
    split = attention.map_chunks
    monkeypatch.setattr(attention, "map_chunks",
                        lambda fn, bounds, *a: splits.append(len(bounds)) or split(fn, bounds, *a))

    def run(threads):
        before = [c.num_threads for c in controllers]
        for c in controllers:
            c.set_num_threads(threads)
        try:
            tensors = [nt.tensor(a, requires_grad=True) for a in (q, k, v)]
            out = scaled_dot_product_attention(*tensors, **kw)
            (out * nt.tensor(g)).sum().backward()
            return [out.numpy()] + [t.grad for t in tensors]
        finally:
            for c, n in zip(controllers, before):
                c.set_num_threads(n)

    one = run(1)
    assert 2 not in splits
    two = run(2)
    assert splits.count(2) == 7  # Q Kᵀ and P V; in backward Q Kᵀ again, Pᵀ dO, dO Vᵀ, dS K and dSᵀ Q
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b)
