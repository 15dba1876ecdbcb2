"""Reductions: float64 gradient checks over axes and keepdims, PyTorch parity, ties, dtypes, aliases."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.functional import reduce as R
from tests.helpers import assert_close, check_grad, check_parity

AXES = [None, 0, -1, (0, 2), (0, 1, 2)]


def _torch_dims(axis, ndim):
    return tuple(range(ndim)) if axis is None else axis


# (name, neuronet reduction, torch reduction as a function of the torch module)
DIFFERENTIABLE = [
    ("sum", R.sum, lambda torch: lambda x, d, k: torch.sum(x, dim=d, keepdim=k)),
    ("mean", R.mean, lambda torch: lambda x, d, k: torch.mean(x, dim=d, keepdim=k)),
    ("max", R.max, lambda torch: lambda x, d, k: torch.amax(x, dim=d, keepdim=k)),
    ("min", R.min, lambda torch: lambda x, d, k: torch.amin(x, dim=d, keepdim=k)),
    ("logsumexp", R.logsumexp, lambda torch: lambda x, d, k: torch.logsumexp(x, dim=d, keepdim=k)),
    ("var", R.var, lambda torch: lambda x, d, k: torch.var(x, dim=d, keepdim=k, correction=0)),
    ("std", R.std, lambda torch: lambda x, d, k: torch.std(x, dim=d, keepdim=k, correction=0)),
]


@pytest.mark.parametrize("name,fn,tfn", DIFFERENTIABLE, ids=[d[0] for d in DIFFERENTIABLE])
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduction_grad(name, fn, tfn, axis, keepdims, rng):
    a = rng.standard_normal((2, 3, 4)).astype(np.float32)
    check_grad(lambda x: fn(x, axis=axis, keepdims=keepdims), a)


@pytest.mark.parametrize("name,fn,tfn", DIFFERENTIABLE, ids=[d[0] for d in DIFFERENTIABLE])
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduction_parity(name, fn, tfn, axis, keepdims, rng, torch):
    a = rng.standard_normal((2, 3, 4)).astype(np.float32)
    tfn = tfn(torch)
    check_parity(lambda x: fn(x, axis=axis, keepdims=keepdims),
                 lambda x: tfn(x, _torch_dims(axis, 3), keepdims), a)


@pytest.mark.parametrize("name,fn,tfn", DIFFERENTIABLE, ids=[d[0] for d in DIFFERENTIABLE])
def test_reduction_of_vector_and_scalar(name, fn, tfn, rng):
    a = rng.standard_normal(5).astype(np.float32)
    check_grad(fn, a)
    if name not in ("var", "std"):
        check_grad(fn, np.array(0.7))


@pytest.mark.parametrize("ddof", [0, 1, 2])
@pytest.mark.parametrize("fn,tfn", [(R.var, "var"), (R.std, "std")])
def test_var_std_ddof_and_correction_grad(fn, tfn, ddof, rng):
    a = rng.standard_normal((4, 5)).astype(np.float32)
    check_grad(lambda x: fn(x, axis=1, ddof=ddof), a)


@pytest.mark.parametrize("ddof", [0, 1, 2])
@pytest.mark.parametrize("fn,tfn", [(R.var, "var"), (R.std, "std")])
def test_var_std_ddof_and_correction(fn, tfn, ddof, rng, torch):
    tfn = getattr(torch, tfn)
    a = rng.standard_normal((4, 5)).astype(np.float32)
    check_parity(lambda x: fn(x, axis=0, ddof=ddof), lambda x: tfn(x, dim=0, correction=ddof), a)
    check_parity(lambda x: fn(x, dim=1, correction=ddof), lambda x: tfn(x, dim=1, correction=ddof), a)
    np.testing.assert_allclose(fn(nt.tensor(a), ddof=ddof).item(), getattr(np, fn.__name__)(a, ddof=ddof), rtol=1e-5)


def test_var_rejects_conflicting_ddof_and_correction():
    with pytest.raises(ValueError, match="var"):
        R.var(nt.tensor([1.0, 2.0, 3.0]), ddof=1, correction=2)


@pytest.mark.parametrize("fn,tfn", [(R.max, "amax"), (R.min, "amin")])
def test_ties_share_gradient_like_torch_amax(fn, tfn, torch):
    tfn = getattr(torch, tfn)
    a = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [-1.0, -1.0, 5.0, -1.0]], np.float32)
    check_parity(lambda x: fn(x, axis=1), lambda x: tfn(x, dim=1), a)
    check_parity(fn, tfn, a)
    x = nt.tensor(a, requires_grad=True)
    R.max(x, axis=1).sum().backward()
    np.testing.assert_allclose(x.grad[1], [0.25] * 4)


def test_logsumexp_is_stable_for_large_and_infinite_values():
    x = nt.tensor([[1000.0, 1000.0], [-1000.0, -1000.0], [-np.inf, -np.inf]], requires_grad=True)
    y = R.logsumexp(x, axis=1)
    assert_close(y.numpy()[:2], [1000 + np.log(2), -1000 + np.log(2)])
    assert y.numpy()[2] == -np.inf
    R.logsumexp(x[:2], axis=1).sum().backward()
    assert_close(x.grad[:2], np.full((2, 2), 0.5))


def test_pytorch_aliases_dim_keepdim(rng):
    a = rng.standard_normal((2, 3)).astype(np.float32)
    x = nt.tensor(a)
    assert R.sum(x, dim=1, keepdim=True).shape == (2, 1)
    assert R.mean(x, dim=(0, 1)).shape == ()
    assert x.max(dim=0).shape == (3,)
    with pytest.raises(ValueError, match="sum"):
        R.sum(x, axis=0, dim=1)


def test_axis_out_of_range_names_the_function():
    with pytest.raises(ValueError, match="mean: axis 3"):
        R.mean(nt.tensor(np.ones((2, 3))), axis=3)
    with pytest.raises(ValueError, match="repeated"):
        R.sum(nt.tensor(np.ones((2, 3))), axis=(1, -1))


@pytest.mark.parametrize("fn,tfn", [(R.argmax, "argmax"), (R.argmin, "argmin")])
def test_argmax_argmin_are_int64_and_not_differentiable(fn, tfn, rng, torch):
    tfn = getattr(torch, tfn)
    a = rng.standard_normal((3, 4, 5)).astype(np.float32)
    x = nt.tensor(a, requires_grad=True)
    for axis in (None, 0, 2, -1):
        out = fn(x, axis=axis)
        assert out.dtype == np.int64 and not out.requires_grad
        np.testing.assert_array_equal(out.numpy(), tfn(torch.tensor(a), dim=axis).numpy())
    assert fn(x, dim=1, keepdim=True).shape == (3, 1, 5)
    with pytest.raises(ValueError, match=fn.__name__):
        fn(x, axis=(0, 1))


def test_any_all(rng):
    a = rng.standard_normal((3, 4)) > 0.5
    x = nt.tensor(a)
    assert R.any(x).dtype == np.bool_ and not R.any(x).requires_grad
    np.testing.assert_array_equal(R.any(x, axis=1).numpy(), a.any(axis=1))
    np.testing.assert_array_equal(R.all(x, dim=0, keepdim=True).numpy(), a.all(axis=0, keepdims=True))
    assert bool(R.all(nt.tensor([1.0, 2.0]) > 0))


@pytest.mark.parametrize("name,fn,tfn", DIFFERENTIABLE, ids=[d[0] for d in DIFFERENTIABLE])
def test_float32_output_and_gradient(name, fn, tfn, rng):
    x = nt.tensor(rng.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    for axis in (None, 1):
        y = fn(x, axis=axis)
        assert y.dtype == np.float32 and isinstance(y.data, np.ndarray)
        x.grad = None
        y.backward(np.ones(y.shape, np.float32))
        assert x.grad.dtype == np.float32 and x.grad.flags.writeable


def test_sum_gradient_is_a_fresh_writable_array():
    x = nt.tensor(np.ones((2, 3), np.float32), requires_grad=True)
    x.sum().backward()
    x.grad *= 2  # an optimizer may update gradients in place
    np.testing.assert_array_equal(x.grad, np.full((2, 3), 2.0))
