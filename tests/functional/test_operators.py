"""Tensor's installed operators and methods: they reach the right functional op, with gradients."""
import numpy as np
import pytest

import neuronet as nt
from tests.helpers import assert_close, check_grad, check_parity


@pytest.fixture
def ab(rng):
    return rng.standard_normal((3, 4)).astype(np.float32), (np.abs(rng.standard_normal(4)) + 0.5).astype(np.float32)


OPERATORS = [
    ("add", lambda x, y: x + y), ("radd", lambda x, y: 2 + x + y), ("sub", lambda x, y: x - y),
    ("rsub", lambda x, y: 1 - x - y), ("mul", lambda x, y: x * y), ("rmul", lambda x, y: 3 * x * y),
    ("div", lambda x, y: x / y), ("rdiv", lambda x, y: 2 / y + x), ("pow", lambda x, y: x ** 2 * y ** y),
    ("rpow", lambda x, y: 2 ** x + y), ("neg", lambda x, y: -x + (+y)), ("abs", lambda x, y: abs(x) * y),
    ("matmul", lambda x, y: x @ y), ("rmatmul", lambda x, y: y @ x.T),
]


@pytest.mark.parametrize("name,op", OPERATORS, ids=[o[0] for o in OPERATORS])
def test_operator_grad(name, op, ab):
    check_grad(op, *ab)


@pytest.mark.parametrize("name,op", OPERATORS, ids=[o[0] for o in OPERATORS])
def test_operator_parity(name, op, ab, torch):
    check_parity(op, op, *ab)


def test_operators_with_ndarray_operands(ab):
    a, b = ab
    x = nt.tensor(a, requires_grad=True)
    for y in (x + b, b + x, b * x, x @ b, b - x):
        assert isinstance(y, nt.Tensor) and y.requires_grad


COMPARISONS = [("lt", lambda x, y: x < y), ("le", lambda x, y: x <= y), ("gt", lambda x, y: x > y),
               ("ge", lambda x, y: x >= y), ("eq", lambda x, y: x == y), ("ne", lambda x, y: x != y)]


@pytest.mark.parametrize("name,op", COMPARISONS, ids=[c[0] for c in COMPARISONS])
def test_comparisons_return_bool_tensors_outside_the_graph(name, op, torch):
    a = np.array([[1.0, 2.0, 3.0]], np.float32)
    b = np.array([2.0, 2.0, 2.0], np.float32)
    x = nt.tensor(a, requires_grad=True)
    for other, tother in ((nt.tensor(b), torch.tensor(b)), (2.0, 2.0)):
        out = op(x, other)
        assert isinstance(out, nt.Tensor) and out.dtype == np.bool_ and not out.requires_grad
        np.testing.assert_array_equal(out.numpy(), op(torch.tensor(a), tother).numpy())


def test_comparison_with_non_numbers_falls_back_to_identity():
    x = nt.tensor([1.0, 2.0])
    assert (x == None) is False and (x != "text") is True  # noqa: E711
    assert x in [None, "a", x]


def test_hash_still_identity_after_eq_is_installed():
    x, y = nt.tensor([1.0]), nt.tensor([1.0])
    d = {x: "x", y: "y"}
    assert d[x] == "x" and d[y] == "y" and hash(x) == id(x)
    assert x in {x} and len({x, y}) == 2


METHODS = [
    ("sum", lambda x: x.sum(), lambda x: x.sum()),
    ("sum_axis", lambda x: x.sum(1, keepdims=True), lambda x: x.sum(1, keepdim=True)),
    ("mean_dim", lambda x: x.mean(dim=0), lambda x: x.mean(dim=0)),
    ("max", lambda x: x.max(axis=1), lambda x: x.amax(dim=1)),
    ("min", lambda x: x.min(), lambda x: x.amin()),
    ("var", lambda x: x.var(0, ddof=1), lambda x: x.var(0)),
    ("std", lambda x: x.std(1), lambda x: x.std(1, correction=0)),
    ("logsumexp", lambda x: x.logsumexp(-1), lambda x: x.logsumexp(-1)),
    ("reshape_args", lambda x: x.reshape(2, 6), lambda x: x.reshape(2, 6)),
    ("reshape_tuple", lambda x: x.reshape((4, 3)), lambda x: x.reshape((4, 3))),
    ("view", lambda x: x.view(-1), lambda x: x.view(-1)),
    ("transpose_two", lambda x: x.transpose(0, 1), lambda x: x.transpose(0, 1)),
    ("transpose_none", lambda x: x.transpose(), lambda x: x.permute(1, 0)),
    ("T", lambda x: x.T, lambda x: x.T),
    ("permute", lambda x: x.reshape(3, 2, 2).permute(2, 0, 1), lambda x: x.reshape(3, 2, 2).permute(2, 0, 1)),
    ("squeeze", lambda x: x.unsqueeze(1).squeeze(1), lambda x: x.unsqueeze(1).squeeze(1)),
    ("expand", lambda x: x[:1].expand(5, 4), lambda x: x[:1].expand(5, 4)),
    ("flatten", lambda x: x.flatten(), lambda x: x.flatten()),
    ("getitem", lambda x: x[1:, [0, 2]], lambda x: x[1:, [0, 2]]),
    ("exp", lambda x: x.exp(), lambda x: x.exp()),
    ("log", lambda x: x.abs().log(), lambda x: x.abs().log()),
    ("sqrt", lambda x: x.abs().sqrt(), lambda x: x.abs().sqrt()),
    ("sin_cos", lambda x: x.sin() * x.cos(), lambda x: x.sin() * x.cos()),
    ("tanh", lambda x: x.tanh(), lambda x: x.tanh()),
    ("clip", lambda x: x.clip(-0.5, 0.5), lambda x: x.clip(-0.5, 0.5)),
    ("clamp", lambda x: x.clamp(min=0.0), lambda x: x.clamp(min=0.0)),
    ("pow", lambda x: x.pow(3), lambda x: x.pow(3)),
    ("matmul", lambda x: x.matmul(x.T), lambda x: x.matmul(x.T)),
    ("sigmoid", lambda x: x.sigmoid(), lambda x: x.sigmoid()),
    ("relu", lambda x: x.relu(), lambda x: x.relu()),
    ("softmax", lambda x: x.softmax(), lambda x: x.softmax(-1)),
    ("softmax_axis", lambda x: x.softmax(axis=0), lambda x: x.softmax(0)),
    ("log_softmax", lambda x: x.log_softmax(-1), lambda x: x.log_softmax(-1)),
]


def _away_from_kinks(ab):
    a = ab[0]
    return np.where(np.abs(a) < 0.05, 0.3, a).astype(np.float32)  # away from the kinks of abs/clip/relu


@pytest.mark.parametrize("name,method,tmethod", METHODS, ids=[m[0] for m in METHODS])
def test_method_parity(name, method, tmethod, ab, torch):
    check_parity(method, tmethod, _away_from_kinks(ab))


@pytest.mark.parametrize("name,method,tmethod", METHODS, ids=[m[0] for m in METHODS])
def test_method_grad(name, method, tmethod, ab):
    check_grad(method, _away_from_kinks(ab))


def test_argmax_any_all_methods(ab):
    x = nt.tensor(ab[0])
    assert x.argmax().item() == int(np.argmax(ab[0]))
    np.testing.assert_array_equal(x.argmin(dim=1).numpy(), np.argmin(ab[0], axis=1))
    assert (x > 100).any().item() is False and (x < 100).all().item() is True


def test_getitem_operator_forms(ab):
    a = ab[0]
    x = nt.tensor(a)
    assert_close(x[0].numpy(), a[0])
    assert_close(x[..., -1].numpy(), a[..., -1])
    assert_close(x[x > 0].numpy(), a[a > 0])
    assert_close(x[nt.tensor([2, 0])].numpy(), a[[2, 0]])
    assert x[1, 2].shape == ()
