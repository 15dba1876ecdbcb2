"""Element-wise math and matmul: float64 gradient checks, PyTorch parity, dtypes, error messages."""
import numpy as np
import pytest

import neuronet as nt
import neuronet.functional as F
from neuronet.functional import math as M
from tests.helpers import assert_close, check_grad, check_parity

BROADCAST_PAIRS = [((3, 4), (3, 4)), ((2, 3, 4), (4,)), ((3, 1), (1, 4)), ((), (2, 3)), ((2, 1, 3), (4, 1))]


def _rand(rng, shape, positive=False, dtype=np.float32):
    a = rng.standard_normal(shape)
    if positive:
        a = np.abs(a) + 0.5
    return np.asarray(a, dtype=dtype)


# (name, neuronet function, torch counterpart as a function of the torch module, positive inputs only)
BINARY = [
    ("add", M.add, lambda torch: torch.add, False),
    ("sub", M.sub, lambda torch: torch.sub, False),
    ("mul", M.mul, lambda torch: torch.mul, False),
    ("div", M.div, lambda torch: torch.div, True),
    ("maximum", M.maximum, lambda torch: torch.maximum, False),
    ("minimum", M.minimum, lambda torch: torch.minimum, False),
    ("pow", M.pow, lambda torch: torch.pow, True),
]


@pytest.mark.parametrize("name,fn,tfn,positive", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("shapes", BROADCAST_PAIRS)
def test_binary_grad(name, fn, tfn, positive, shapes, rng):
    a, b = _rand(rng, shapes[0], positive), _rand(rng, shapes[1], positive)
    check_grad(fn, a, b)


@pytest.mark.parametrize("name,fn,tfn,positive", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("shapes", BROADCAST_PAIRS)
def test_binary_parity(name, fn, tfn, positive, shapes, rng, torch):
    a, b = _rand(rng, shapes[0], positive), _rand(rng, shapes[1], positive)
    check_parity(fn, tfn(torch), a, b)


@pytest.mark.parametrize("name,fn,tfn,positive", BINARY, ids=[b[0] for b in BINARY])
def test_binary_with_python_scalar_keeps_float32(name, fn, tfn, positive, rng, torch):
    a = _rand(rng, (3, 4), positive=True)
    tfn = tfn(torch)
    check_parity(lambda x: fn(x, 1.5), lambda x: tfn(x, torch.tensor(1.5)), a)
    check_parity(lambda x: fn(2.5, x), lambda x: tfn(torch.tensor(2.5), x), a)


@pytest.mark.parametrize("name,fn,tfn,positive", BINARY, ids=[b[0] for b in BINARY])
def test_binary_with_python_scalar_grad(name, fn, tfn, positive, rng):
    a = _rand(rng, (3, 4), positive=True)
    check_grad(lambda x: fn(x, 1.5), a.astype(np.float64))


UNARY = [
    ("neg", M.neg, lambda torch: torch.neg, False),
    ("exp", M.exp, lambda torch: torch.exp, False),
    ("log", M.log, lambda torch: torch.log, True),
    ("sqrt", M.sqrt, lambda torch: torch.sqrt, True),
    ("abs", M.abs, lambda torch: torch.abs, False),
    ("sin", M.sin, lambda torch: torch.sin, False),
    ("cos", M.cos, lambda torch: torch.cos, False),
    ("tanh", M.tanh, lambda torch: torch.tanh, False),
    ("square", lambda x: M.pow(x, 2), lambda torch: lambda x: torch.pow(x, 2), False),
    ("cube", lambda x: M.pow(x, 3), lambda torch: lambda x: torch.pow(x, 3), False),
    ("pow_frac", lambda x: M.pow(x, 0.7), lambda torch: lambda x: torch.pow(x, 0.7), True),
    ("pow_neg", lambda x: M.pow(x, -1.5), lambda torch: lambda x: torch.pow(x, -1.5), True),
    ("clip", lambda x: M.clip(x, -0.5, 0.8), lambda torch: lambda x: torch.clamp(x, -0.5, 0.8), False),
    ("clip_min", lambda x: M.clip(x, min=0.1), lambda torch: lambda x: torch.clamp(x, min=0.1), False),
    ("clip_max", lambda x: M.clamp(x, max=0.1), lambda torch: lambda x: torch.clamp(x, max=0.1), False),
]


def _unary_input(rng, name, shape, positive):
    a = _rand(rng, shape, positive)
    if name.startswith("clip"):  # keep central differences away from the kinks
        a = np.where(np.abs(a + 0.5) < 1e-3, a + 0.01, a)
        a = np.where(np.abs(a - 0.8) < 1e-3, a + 0.01, a)
        a = np.where(np.abs(a - 0.1) < 1e-3, a + 0.01, a).astype(np.float32)
    return a


@pytest.mark.parametrize("name,fn,tfn,positive", UNARY, ids=[u[0] for u in UNARY])
@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 4)])
def test_unary_grad(name, fn, tfn, positive, shape, rng):
    check_grad(fn, _unary_input(rng, name, shape, positive))


@pytest.mark.parametrize("name,fn,tfn,positive", UNARY, ids=[u[0] for u in UNARY])
@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 4)])
def test_unary_parity(name, fn, tfn, positive, shape, rng, torch):
    check_parity(fn, tfn(torch), _unary_input(rng, name, shape, positive))


def test_abs_subgradient_is_zero_at_zero():
    x = nt.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    M.abs(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [-1.0, 0.0, 1.0])


def test_clip_gradient_is_one_at_the_bounds_like_torch(torch):
    a = np.array([-1.0, -0.5, 0.0, 0.8, 1.0], np.float32)
    check_parity(lambda x: M.clip(x, -0.5, 0.8), lambda x: torch.clamp(x, -0.5, 0.8), a)
    x = nt.tensor(a, requires_grad=True)
    M.clip(x, -0.5, 0.8).sum().backward()
    np.testing.assert_array_equal(x.grad, [0, 1, 1, 1, 0])


def test_clip_needs_a_bound():
    with pytest.raises(ValueError, match="clip"):
        M.clip(nt.tensor([1.0]))


@pytest.mark.parametrize("fn,tfn", [(M.maximum, "maximum"), (M.minimum, "minimum")])
def test_maximum_minimum_ties_split_gradient_like_torch(fn, tfn, torch):
    a = np.array([1.0, 2.0, 3.0, 5.0], np.float32)
    b = np.array([1.0, 1.0, 4.0, 5.0], np.float32)
    check_parity(fn, getattr(torch, tfn), a, b)
    x, y = nt.tensor(a, requires_grad=True), nt.tensor(b, requires_grad=True)
    fn(x, y).sum().backward()
    assert x.grad[0] == 0.5 and y.grad[0] == 0.5 and x.grad[3] == 0.5


def test_pow_tensor_exponent_at_zero_base_matches_torch(torch):
    a = np.array([0.0, 2.0, 1.5], np.float32)
    b = np.array([2.0, 3.0, 0.5], np.float32)
    check_parity(M.pow, torch.pow, a, b)


def test_rpow_scalar_base_grad(rng):
    a = _rand(rng, (3, 2))
    check_grad(lambda x: M.pow(2.0, x), a)


def test_rpow_scalar_base(rng, torch):
    a = _rand(rng, (3, 2))
    check_parity(lambda x: M.pow(2.0, x), lambda x: torch.pow(2.0, x), a)


WHERE_SHAPES = [((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), (3, 1)), ((2, 1), (1, 3), ())]


def _where_inputs(rng, shapes):
    c = rng.standard_normal(shapes[0]) > 0
    return c, _rand(rng, shapes[1]), _rand(rng, shapes[2])


@pytest.mark.parametrize("shapes", WHERE_SHAPES)
def test_where_grad(shapes, rng):
    c, a, b = _where_inputs(rng, shapes)
    check_grad(lambda x, y: M.where(c, x, y), a, b)


@pytest.mark.parametrize("shapes", WHERE_SHAPES)
def test_where(shapes, rng, torch):
    c, a, b = _where_inputs(rng, shapes)
    check_parity(lambda x, y: M.where(nt.tensor(c), x, y), lambda x, y: torch.where(torch.tensor(c), x, y), a, b)


MATMUL_SHAPES = [((3, 4), (4, 5)), ((4,), (4,)), ((4,), (4, 5)), ((3, 4), (4,)), ((2, 3, 4), (4, 5)),
                 ((2, 3, 4), (4,)), ((4,), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 6)), ((3, 4), (2, 4, 5)),
                 ((2, 3, 4), (2, 4, 5))]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES)
def test_matmul_grad(shapes, rng):
    a, b = _rand(rng, shapes[0]), _rand(rng, shapes[1])
    check_grad(M.matmul, a, b)


@pytest.mark.parametrize("shapes", MATMUL_SHAPES)
def test_matmul(shapes, rng, torch):
    a, b = _rand(rng, shapes[0]), _rand(rng, shapes[1])
    check_parity(M.matmul, torch.matmul, a, b)
    check_parity(lambda x, y: x @ y, lambda x, y: x @ y, a, b)


@pytest.mark.parametrize("shapes", [((3, 4), (5, 6)), ((4,), (3,)), ((2, 3, 4), (3, 4, 5))])
def test_matmul_shape_error_names_matmul_and_shapes(shapes):
    a, b = nt.tensor(np.ones(shapes[0])), nt.tensor(np.ones(shapes[1]))
    with pytest.raises(ValueError, match="matmul") as info:
        M.matmul(a, b)
    assert str(shapes[0]) in str(info.value) and str(shapes[1]) in str(info.value)


def test_matmul_rejects_scalars():
    with pytest.raises(ValueError, match="matmul"):
        M.matmul(nt.tensor(2.0), nt.tensor([1.0, 2.0]))


def test_cast_is_differentiable_and_grad_returns_in_input_dtype(rng):
    a = _rand(rng, (3, 4))
    x = nt.tensor(a, requires_grad=True)
    y = M.cast(x, np.float64)
    assert y.dtype == np.float64
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    assert_close(x.grad, 2 * a)
    with pytest.raises(TypeError, match="cast"):
        M.cast(x, np.int64)


ALL_FLOAT_OPS = [lambda x: op(x) for op in (M.neg, M.exp, M.sin, M.cos, M.tanh, M.abs)] + [
    lambda x: M.log(M.abs(x) + 1), lambda x: M.sqrt(M.abs(x) + 1), lambda x: M.pow(x, 2),
    lambda x: M.pow(M.abs(x) + 1, x), lambda x: M.clip(x, -0.1, 0.1), lambda x: M.maximum(x, 0.0),
    lambda x: M.minimum(x, x * 2), lambda x: M.where(x.data > 0, x, 0.0), lambda x: M.add(x, 1),
    lambda x: M.sub(1, x), lambda x: M.mul(x, 3), lambda x: M.div(1, M.abs(x) + 1),
    lambda x: M.matmul(x, x.T), lambda x: M.add(x, nt.tensor([1, 2, 3, 4])),
    lambda x: M.mul(x, nt.tensor([True, False, True, True])),
]


@pytest.mark.parametrize("k", range(len(ALL_FLOAT_OPS)))
def test_float32_stays_float32_in_output_and_gradient(k, rng):
    x = nt.tensor(_rand(rng, (3, 4)), requires_grad=True)
    y = ALL_FLOAT_OPS[k](x)
    assert y.dtype == np.float32
    y.backward(np.ones(y.shape, np.float32))
    assert x.grad.dtype == np.float32


def test_numpy_float64_scalar_does_not_promote():
    x = nt.tensor([1.0, 2.0])
    assert (x * np.float64(2.0)).dtype == np.float32
    assert (np.float64(2.0) + x).dtype == np.float32


def test_tanh_function_is_exported():
    x = nt.tensor([0.5])
    assert_close(M.tanh(x).numpy(), np.tanh([0.5]))
    assert "tanh" in M.__all__ and hasattr(F, "tanh")
