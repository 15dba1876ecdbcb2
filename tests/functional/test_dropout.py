"""Inverted dropout: statistics of the mask, expectation, eval identity, seeding, backward, p checks."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.functional import dropout
from tests.helpers import check_grad


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_fraction_zeroed_and_scale(p):
    x = nt.tensor(np.ones((400, 500), np.float32))
    y = dropout(x, p).numpy()
    zeroed = float((y == 0).mean())
    # 200,000 Bernoulli(p) draws: the standard error is <= 0.0012, so 0.01 is > 8 standard errors
    assert abs(zeroed - p) < 0.01
    np.testing.assert_allclose(y[y != 0], 1 / (1 - p), rtol=1e-6)
    assert y.dtype == np.float32


def test_expectation_is_preserved(rng):
    x = rng.uniform(1, 2, (300, 400)).astype(np.float32)
    y = dropout(nt.tensor(x), 0.3).numpy()
    # mean of 120,000 samples: relative standard error about 0.2%
    assert abs(y.mean() / x.mean() - 1) < 0.01


def test_eval_and_p_zero_are_identity(rng):
    x = nt.tensor(rng.standard_normal((4, 5)).astype(np.float32))
    assert dropout(x, 0.5, training=False) is x
    assert dropout(x, 0.0) is x


def test_p_one_drops_everything():
    x = nt.tensor(np.ones((3, 4)), requires_grad=True)
    y = dropout(x, 1.0)
    np.testing.assert_array_equal(y.numpy(), 0)
    y.backward(np.ones((3, 4)))
    np.testing.assert_array_equal(x.grad, 0)


def test_same_seed_same_mask():
    x = nt.tensor(np.ones((50, 60), np.float32))
    nt.manual_seed(7)
    a = dropout(x, 0.5).numpy()
    nt.manual_seed(7)
    b = dropout(x, 0.5).numpy()
    c = dropout(x, 0.5).numpy()
    np.testing.assert_array_equal(a, b)
    assert (a != c).any()


def test_backward_uses_the_forward_mask(rng):
    x = nt.tensor(rng.standard_normal((20, 30)), requires_grad=True)
    y = dropout(x, 0.4)
    g = rng.standard_normal((20, 30))
    y.backward(g)
    kept = y.numpy() != 0
    np.testing.assert_allclose(x.grad, np.where(kept, g / 0.6, 0.0), rtol=1e-12)


def test_gradcheck_with_fixed_mask(rng):
    """Re-seeding before each call makes the mask the same for every central difference."""
    def fn(t):
        nt.manual_seed(3)
        return dropout(t, 0.5)
    check_grad(fn, rng.standard_normal((4, 5)))


@pytest.mark.parametrize("p", [-0.1, 1.5, "0.5", None, True])
def test_rejects_bad_p(p):
    with pytest.raises(ValueError, match="dropout: p must be a probability in \\[0, 1\\]"):
        dropout(nt.tensor(np.ones(3)), p)
