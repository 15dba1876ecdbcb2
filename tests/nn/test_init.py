"""Initialisers: fans as PyTorch, statistics against their formulas, orthogonality, seeding, names."""
import math

import numpy as np
import pytest

import neuronet as nt
from neuronet.nn import init

SHAPE = (400, 500)  # 200,000 draws: the sample std is within ~0.3% of the true one


@pytest.mark.parametrize("shape", [(3, 4), (7, 5, 3), (8, 4, 3, 5), (2, 3, 2, 2, 2)])
def test_fans_match_torch(shape, torch):
    assert init.compute_fans(shape) == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


def test_fans_need_two_dimensions():
    with pytest.raises(ValueError, match=r"at least 2 dimensions.*\(5,\)"):
        init.compute_fans((5,))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.xavier_uniform((5,))


@pytest.mark.parametrize("name,param", [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                                        ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None), ("conv2d", None)])
def test_gain_matches_torch(name, param, torch):
    assert init.calculate_gain(name, param) == pytest.approx(torch.nn.init.calculate_gain(name, param))


def _std_check(a, mean, std, tol=0.01):
    assert abs(a.mean() - mean) < 0.01 * max(std, 1e-3) + 3 * std / math.sqrt(a.size)
    assert abs(a.std() / std - 1) < tol


def test_constants():
    assert np.array_equal(init.zeros((2, 3)), np.zeros((2, 3)))
    assert np.array_equal(init.ones(4), np.ones(4))
    c = init.constant((2, 2), 0.5)
    assert c.dtype == np.float32 and np.all(c == 0.5)


def test_normal_and_uniform_statistics():
    _std_check(init.normal(SHAPE), 0.0, 0.01)
    _std_check(init.normal(SHAPE, mean=2.0, std=3.0), 2.0, 3.0)
    u = init.uniform(SHAPE, a=-1.0, b=3.0)
    assert u.min() >= -1 and u.max() < 3
    _std_check(u, 1.0, 4 / math.sqrt(12))


@pytest.mark.parametrize("shape", [SHAPE, (50, 40, 5, 5)])
def test_variance_scaling_statistics(shape):
    fan_in, fan_out = init.compute_fans(shape)
    b = math.sqrt(6 / (fan_in + fan_out))
    a = init.xavier_uniform(shape, gain=2.0)
    assert np.abs(a).max() <= 2 * b
    _std_check(a, 0, 2 * b / math.sqrt(3))
    _std_check(init.glorot_normal(shape), 0, math.sqrt(2 / (fan_in + fan_out)))
    _std_check(init.he_normal(shape), 0, math.sqrt(2 / fan_in))
    _std_check(init.kaiming_normal(shape, mode="fan_out", nonlinearity="relu"), 0, math.sqrt(2 / fan_out))
    _std_check(init.kaiming_normal(shape, a=0.3, nonlinearity="leaky_relu"), 0,
               math.sqrt(2 / (1 + 0.09)) / math.sqrt(fan_in))
    h = init.he_uniform(shape)
    assert np.abs(h).max() <= math.sqrt(6 / fan_in)
    _std_check(h, 0, math.sqrt(2 / fan_in))
    _std_check(init.lecun_normal(shape), 0, math.sqrt(1 / fan_in))
    _std_check(init.lecun_uniform(shape), 0, math.sqrt(1 / fan_in))


def test_kaiming_bad_mode():
    with pytest.raises(ValueError, match="kaiming_normal: mode must be 'fan_in' or 'fan_out', got 'fan_avg'"):
        init.kaiming_normal((3, 4), mode="fan_avg")


@pytest.mark.parametrize("shape", [(6, 10), (10, 6), (8, 8), (4, 3, 2, 2)])
def test_orthogonal(shape):
    w = init.orthogonal(shape, gain=2.0, dtype=np.float64)
    assert w.shape == shape
    m = w.reshape(shape[0], -1)
    gram = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
    np.testing.assert_allclose(gram, 4 * np.eye(gram.shape[0]), atol=1e-10)


def test_dtype_and_default_dtype():
    assert init.he_normal((3, 4)).dtype == np.float32
    assert init.he_normal((3, 4), dtype=np.float64).dtype == np.float64
    assert init.uniform((3, 4), dtype=np.float16).dtype == np.float16
    nt.set_default_dtype(np.float64)
    assert init.xavier_normal((3, 4)).dtype == np.float64
    assert init.orthogonal((3, 4)).dtype == np.float64


def test_seed_makes_draws_reproducible():
    nt.manual_seed(7)
    a = init.glorot_uniform((5, 6))
    b = init.glorot_uniform((5, 6))
    nt.manual_seed(7)
    assert np.array_equal(a, init.glorot_uniform((5, 6)))
    assert np.array_equal(b, init.glorot_uniform((5, 6)))
    assert not np.array_equal(a, b)


@pytest.mark.parametrize("name,fn", [("zeros", init.zeros), ("ones", init.ones), ("normal", init.normal),
                                     ("uniform", init.uniform), ("glorot_uniform", init.xavier_uniform),
                                     ("Xavier_Uniform", init.xavier_uniform), ("glorot_normal", init.xavier_normal),
                                     ("he_normal", init.kaiming_normal), ("he_uniform", init.kaiming_uniform),
                                     ("kaiming_normal", init.kaiming_normal), ("lecun_normal", init.lecun_normal),
                                     ("orthogonal", init.orthogonal), ("constant", init.constant)])
def test_get_by_name(name, fn):
    assert init.get(name) is fn
    assert init.get(name)((3, 4)).shape == (3, 4)


def test_get_callable_and_errors():
    custom = lambda shape, dtype=None, xp=np: np.full(shape, 3.0, dtype)  # noqa: E731
    assert init.get(custom) is custom
    with pytest.raises(ValueError, match=r"unknown initializer 'he_normall'.*known names:.*he_normal"):
        init.get("he_normall")
    with pytest.raises(TypeError, match="init.get: expected an initializer name or a callable, got int"):
        init.get(3)


@pytest.mark.parametrize("name", ["normal", "uniform"])
def test_random_inits_hold_one_copy_of_a_large_table(name):
    """An embedding table of 5000×64 floats is drawn and scaled in place: the peak is one table, not three."""
    import tracemalloc

    from neuronet.nn import init
    tracemalloc.start()
    try:
        w = getattr(init, name)((5000, 64))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert w.dtype == np.float32 and peak < 1.5 * w.nbytes, (peak, w.nbytes)
