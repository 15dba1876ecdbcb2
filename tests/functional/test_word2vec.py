"""word2vec's negative-sampling loss: float64 gradient check, the closed form, the noise mask, bad shapes."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.functional import negative_sampling_loss


def _inputs(b=4, k=3, d=5, seed=0):
    rng = np.random.default_rng(seed)
    return (nt.tensor(rng.standard_normal((b, d)), requires_grad=True),
            nt.tensor(rng.standard_normal((b, d)), requires_grad=True),
            nt.tensor(rng.standard_normal((b, k, d)), requires_grad=True))


@pytest.mark.parametrize("reduction", ["sum", "mean", "none"])
def test_negative_sampling_gradcheck(reduction):
    u, v, n = _inputs()
    assert nt.gradcheck(lambda u, v, n: negative_sampling_loss(u, v, n, reduction=reduction), u, v, n)


def test_negative_sampling_gradcheck_with_mask():
    u, v, n = _inputs(seed=1)
    mask = np.array([[1, 0, 1], [1, 1, 1], [0, 0, 1], [1, 1, 0]], dtype=np.float64)
    assert nt.gradcheck(lambda u, v, n: negative_sampling_loss(u, v, n, mask), u, v, n)


def test_negative_sampling_matches_the_formula_and_drops_masked_noise():
    u, v, n = _inputs(b=3, k=2, d=4, seed=2)
    ud, vd, nd = u.data, v.data, n.data
    sig = lambda x: 1 / (1 + np.exp(-x))
    per_pair = -np.log(sig((ud * vd).sum(1))) - np.log(sig(-np.einsum("bkd,bd->bk", nd, ud))).sum(1)
    got = negative_sampling_loss(u, v, n, reduction="none").data
    np.testing.assert_allclose(got, per_pair, rtol=1e-12)
    mask = np.array([[1, 0], [1, 1], [0, 0]], dtype=np.float64)
    masked = -np.log(sig((ud * vd).sum(1))) - (np.log(sig(-np.einsum("bkd,bd->bk", nd, ud))) * mask).sum(1)
    np.testing.assert_allclose(negative_sampling_loss(u, v, n, mask).data, masked.sum(), rtol=1e-12)
    big = nt.tensor(np.full((1, 2), 400.0))  # scores of ±800: no overflow, exact limits
    loss = negative_sampling_loss(big, big, nt.tensor(np.full((1, 1, 2), -400.0)))
    assert float(loss.data) == 0.0


def test_negative_sampling_float32_stays_float32():
    rng = np.random.default_rng(0)
    u = nt.tensor(rng.standard_normal((8, 6)).astype(np.float32), requires_grad=True)
    v = nt.tensor(rng.standard_normal((8, 6)).astype(np.float32), requires_grad=True)
    n = nt.tensor(rng.standard_normal((8, 5, 6)).astype(np.float32), requires_grad=True)
    loss = negative_sampling_loss(u, v, n)
    loss.backward()
    assert loss.dtype == np.float32 and u.grad.dtype == np.float32 and n.grad.dtype == np.float32


def test_negative_sampling_bad_shapes_name_the_function():
    u, v, n = _inputs()
    with pytest.raises(ValueError, match=r"negative_sampling_loss: u and v .* got u \(4, 5\), v \(3, 5\)"):
        negative_sampling_loss(u, v[:3], n)
    with pytest.raises(ValueError, match=r"noise must be \(batch, K, dim\) = \(4, K, 5\); got \(4, 3\)"):
        negative_sampling_loss(u, v, n[:, :, 0])
    with pytest.raises(ValueError, match="noise_mask must be"):
        negative_sampling_loss(u, v, n, np.ones((4, 2)))
    with pytest.raises(ValueError, match="reduction"):
        negative_sampling_loss(u, v, n, reduction="max")
