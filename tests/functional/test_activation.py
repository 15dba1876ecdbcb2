"""Activations: float64 gradient checks, PyTorch parity (float32), stability, get_activation."""
import math

import numpy as np
import pytest

import neuronet as nt
from neuronet.functional import activation as A
from tests.helpers import assert_close, check_grad, check_parity

SHAPES = [(7,), (3, 4), (2, 3, 5)]


def away_from_kink(rng, shape, low=0.1, high=3.0):
    """Values with |x| >= low: kinked functions (relu, leaky_relu, elu, ...) are smooth there."""
    return rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)


# neuronet function of each element-wise activation with a torch counterpart (torch_elementwise below)
ELEMENTWISE = {
    "identity": A.identity,
    "linear_k": lambda x: A.linear(x, 2.5),
    "sigmoid": A.sigmoid,
    "tanh": A.tanh,
    "arctan": A.arctan,
    "softsign": A.softsign,
    "relu": A.relu,
    "leaky_relu": lambda x: A.leaky_relu(x, 0.2),
    "elu": lambda x: A.elu(x, 0.7),
    "selu": A.selu,
    "silu": A.silu,
    "gelu": A.gelu,
    "gelu_tanh": lambda x: A.gelu(x, approximate="tanh"),
    "softplus": A.softplus,
    "softplus_beta": lambda x: A.softplus(x, beta=2.0, threshold=3.0),
    "softmax": A.softmax,
    "softmax_dim0": lambda x: A.softmax(x, dim=0),
    "log_softmax": A.log_softmax,
    "log_softmax_axis0": lambda x: A.log_softmax(x, axis=0),
}


def torch_elementwise(torch):
    """The torch function for each ELEMENTWISE entry."""
    TF = torch.nn.functional
    return {
        "identity": lambda x: x * 1,
        "linear_k": lambda x: 2.5 * x,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "arctan": lambda x: torch.atan(x) * (2 / math.pi),
        "softsign": TF.softsign,
        "relu": TF.relu,
        "leaky_relu": lambda x: TF.leaky_relu(x, 0.2),
        "elu": lambda x: TF.elu(x, 0.7),
        "selu": TF.selu,
        "silu": TF.silu,
        "gelu": TF.gelu,
        "gelu_tanh": lambda x: TF.gelu(x, approximate="tanh"),
        "softplus": TF.softplus,
        "softplus_beta": lambda x: TF.softplus(x, 2.0, 3.0),
        "softmax": lambda x: torch.softmax(x, -1),
        "softmax_dim0": lambda x: torch.softmax(x, 0),
        "log_softmax": lambda x: torch.log_softmax(x, -1),
        "log_softmax_axis0": lambda x: torch.log_softmax(x, 0),
    }


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@pytest.mark.parametrize("shape", SHAPES)
def test_gradcheck(name, shape, rng):
    fn = ELEMENTWISE[name]
    check_grad(fn, away_from_kink(rng, shape))


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@pytest.mark.parametrize("shape", SHAPES)
def test_torch_parity(name, shape, rng, torch):
    nt_fn, torch_fn = ELEMENTWISE[name], torch_elementwise(torch)[name]
    x = (rng.standard_normal(shape) * 3).astype(np.float32)
    check_parity(nt_fn, torch_fn, x)


def test_parity_covers_kinks_and_thresholds(torch):
    """At exactly 0 (ReLU's subgradient 0) and around softplus's threshold, as PyTorch."""
    x = np.array([-25.0, -1.0, 0.0, 1e-3, 19.9, 20.0, 20.1, 30.0], np.float32)
    for name in ("relu", "leaky_relu", "elu", "softplus", "softplus_beta", "gelu", "silu"):
        check_parity(ELEMENTWISE[name], torch_elementwise(torch)[name], x)


def test_gelu_exact_uses_an_accurate_erf():
    x = np.linspace(-8, 8, 2001)
    erf = A._erf(x, np)
    assert np.abs(erf - np.array([math.erf(v) for v in x])).max() < 1e-14


@pytest.mark.parametrize("fn,value", [(A.heaviside, [0.0, 1.0, 1.0, 1.0]), (A.step, [0.0, 1.0, 1.0, 1.0]),
                                      (A.sign, [-1.0, 0.0, 1.0, 1.0])])
def test_step_and_sign_values_and_zero_gradient(fn, value):
    x = nt.tensor(np.array([-2.0, 0.0, 0.5, 3.0], np.float32), requires_grad=True)
    y = fn(x)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.numpy(), value)
    y.backward(np.ones(4, np.float32))
    np.testing.assert_array_equal(x.grad, np.zeros(4))


def test_heaviside_value_at_zero_matches_torch(torch):
    x = np.array([-1.0, 0.0, 2.0], np.float32)
    ours = A.heaviside(nt.tensor(x), value_at_zero=0.5).numpy()
    theirs = torch.heaviside(torch.tensor(x), torch.tensor(0.5)).numpy()
    np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(A.sign(nt.tensor(x)).numpy(), torch.sign(torch.tensor(x)).numpy())


PRELU_CASES = [((4, 3), 3), ((2, 3, 5), 3), ((2, 3, 4, 4), 3), ((2, 3, 4), 1), ((5,), 1)]


@pytest.mark.parametrize("shape,n", PRELU_CASES)
def test_prelu_grad(shape, n, rng):
    x = away_from_kink(rng, shape)
    w = rng.uniform(0.05, 0.5, n)
    check_grad(A.prelu, x, w)


@pytest.mark.parametrize("shape,n", PRELU_CASES)
def test_prelu(shape, n, rng, torch):
    x = away_from_kink(rng, shape)
    w = rng.uniform(0.05, 0.5, n)
    check_parity(A.prelu, torch.nn.functional.prelu, x.astype(np.float32), w.astype(np.float32))


def test_prelu_rejects_channel_mismatch():
    with pytest.raises(ValueError, match=r"prelu: weight has 4 parameters.*\(2, 3\)"):
        A.prelu(nt.tensor(np.zeros((2, 3))), nt.tensor(np.ones(4)))


def torch_maxout(torch, pieces, axis):
    def f(x):
        moved = torch.movedim(x, axis, -1)
        out = moved.reshape(moved.shape[:-1] + (-1, pieces)).max(-1).values
        return torch.movedim(out, -1, axis)
    return f


MAXOUT_CASES = [((6,), 2, -1), ((4, 6), 3, -1), ((2, 6, 3), 2, 1), ((4, 6), 2, 0)]


def _maxout_input(rng, shape):
    return rng.permutation(np.arange(np.prod(shape), dtype=np.float64)).reshape(shape) * 0.1  # distinct: no ties


@pytest.mark.parametrize("shape,pieces,axis", MAXOUT_CASES)
def test_maxout(shape, pieces, axis, rng):
    x = _maxout_input(rng, shape)
    y = A.maxout(nt.tensor(x), pieces, axis)
    expected_shape = list(shape)
    expected_shape[axis] //= pieces
    assert y.shape == tuple(expected_shape)
    check_grad(lambda t: A.maxout(t, pieces, axis), x)


@pytest.mark.parametrize("shape,pieces,axis", MAXOUT_CASES)
def test_maxout_parity(shape, pieces, axis, rng, torch):
    x = _maxout_input(rng, shape)
    check_parity(lambda t: A.maxout(t, pieces, axis), torch_maxout(torch, pieces, axis), x.astype(np.float32))


def test_maxout_errors():
    with pytest.raises(ValueError, match=r"maxout: the size of axis -1 of input shape \(2, 5\) must be divisible by pieces=2"):
        A.maxout(nt.tensor(np.zeros((2, 5))), 2)
    with pytest.raises(ValueError, match="maxout: pieces must be a positive integer"):
        A.maxout(nt.tensor(np.zeros((2, 4))), 0)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "arctan", "softsign", "silu", "gelu", "gelu_tanh", "softplus",
                                  "elu", "selu", "softmax", "log_softmax"])
def test_stable_at_large_magnitudes(name, torch):
    """Finite, warning-free and equal to PyTorch at ±1e4 (float32 and float64)."""
    nt_fn, torch_fn = ELEMENTWISE[name], torch_elementwise(torch)[name]
    for dtype in (np.float32, np.float64):
        x = np.array([[-1e4, -50.0, 0.0, 50.0, 1e4], [1e4, 1e4 - 1, -1e4, 3.0, -3.0]], dtype)
        t = nt.tensor(x, requires_grad=True)
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            y = nt_fn(t)
            y.backward(np.ones_like(x))
        assert np.isfinite(y.numpy()).all() and np.isfinite(t.grad).all()
        tx = torch.tensor(x, requires_grad=True)
        ty = torch_fn(tx)
        ty.backward(torch.ones_like(tx))
        assert_close(y.numpy(), ty.detach().numpy(), what=f"{name} output")
        assert_close(t.grad, tx.grad.numpy(), what=f"{name} gradient")


def test_float32_stays_float32(rng):
    x = nt.tensor(rng.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    for fn in list(A.ACTIVATIONS.values()) + [lambda t: A.maxout(t, 2), lambda t: A.linear(t, 3.0)]:
        y = fn(x)
        assert y.dtype == np.float32, fn
        y.backward(np.ones((3, y.shape[-1]), np.float32))
        assert x.grad.dtype == np.float32
        x.grad = None


def test_softmax_rows_sum_to_one_and_axis_errors(rng):
    y = A.softmax(nt.tensor(rng.standard_normal((3, 5))), axis=1)
    np.testing.assert_allclose(y.numpy().sum(axis=1), 1.0, rtol=1e-12)
    with pytest.raises(ValueError, match="softmax: axis 2 is out of range for an input with 2 dimensions"):
        A.softmax(nt.tensor(np.zeros((2, 3))), axis=2)


def test_get_activation():
    assert A.get_activation("relu") is A.relu
    assert A.get_activation("ReLU") is A.relu
    assert A.get_activation(None) is A.identity
    assert A.get_activation("linear") is A.identity
    assert A.get_activation("swish") is A.silu
    assert A.get_activation("step") is A.heaviside
    for name in ("sigmoid", "tanh", "softmax", "log_softmax", "leaky_relu", "elu", "selu", "gelu",
                 "softplus", "softsign", "arctan", "heaviside", "sign", "identity", "silu"):
        assert A.get_activation(name) is getattr(A, name)
    fn = lambda x: x  # noqa: E731
    assert A.get_activation(fn) is fn
    with pytest.raises(ValueError, match=r"unknown activation 'rleu'; known names: .*relu.*sigmoid"):
        A.get_activation("rleu")
    with pytest.raises(TypeError, match="get_activation"):
        A.get_activation(3)


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(ValueError, match="gelu: approximate must be 'none' or 'tanh', got 'fast'"):
        A.gelu(nt.tensor([1.0]), approximate="fast")


def test_gelu_float32_erf_fit_matches_torch_over_a_wide_range(torch):
    x = np.linspace(-12, 12, 100_001, dtype=np.float32)
    ours = nt.F.gelu(nt.tensor(x)).numpy()
    ref = torch.nn.functional.gelu(torch.tensor(x)).numpy()
    assert ours.dtype == np.float32
    assert np.abs(ours - ref).max() <= 2e-6 * max(1.0, np.abs(ref).max())
