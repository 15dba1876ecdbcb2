"""nt.tensor and Tensor: dtypes, conversions, repr, comparisons and indexing."""
import numpy as np
import pytest

import neuronet as nt


def test_python_floats_become_float32():
    assert nt.tensor(1.5).dtype == np.float32
    assert nt.tensor([[1.0, 2.0]]).dtype == np.float32


def test_python_ints_become_int64_and_bools_stay_bool():
    assert nt.tensor([1, 2, 3]).dtype == np.int64
    assert nt.tensor(np.array([1, 2], np.int32)).dtype == np.int32  # existing arrays keep theirs
    assert nt.tensor([True, False]).dtype == np.bool_


def test_float64_on_request_and_from_float64_arrays():
    assert nt.tensor([1.0], dtype=np.float64).dtype == np.float64
    assert nt.tensor(np.zeros(2)).dtype == np.float64


def test_default_dtype_changes_new_float_tensors():
    nt.set_default_dtype(np.float64)
    assert nt.tensor([1.0]).dtype == np.float64


@pytest.mark.parametrize("data", [[1, 2], [True, False]])
def test_requires_grad_on_non_float_raises_type_error(data):
    with pytest.raises(TypeError, match="floating-point"):
        nt.tensor(data, requires_grad=True)
    with pytest.raises(TypeError, match="floating-point"):
        nt.tensor(data).requires_grad_()


def test_item_numpy_detach_shape_dtype_len():
    x = nt.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert x.shape == (2, 3) and x.dtype == np.float32 and len(x) == 2 and x.ndim == 2 and x.size == 6
    assert isinstance(x.numpy(), np.ndarray)
    np.testing.assert_array_equal(x.numpy(), [[1, 2, 3], [4, 5, 6]])
    assert x.sum().item() == 21.0 and isinstance(x.sum().item(), float)
    with pytest.raises(ValueError, match="one element"):
        x.item()
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf
    with pytest.raises(TypeError, match="len"):
        len(nt.tensor(1.0))


def test_repr_shows_values_dtype_and_grad_state():
    assert repr(nt.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert "dtype=int64" in repr(nt.tensor([1, 2]))
    assert "requires_grad=True" in repr(nt.tensor([1.0], requires_grad=True))
    assert "grad_fn=<Mul>" in repr(nt.tensor([1.0], requires_grad=True) * 2)


def test_comparisons_are_not_differentiable():
    x = nt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for out in (x < 2, x <= 2, x > 2, x >= 2, x == 2, x != 2, x == x):
        assert out.dtype == np.bool_ and not out.requires_grad and out.is_leaf
    np.testing.assert_array_equal((x == 2).numpy(), [False, True, False])
    assert bool(nt.tensor(1.0) == 1.0)
    with pytest.raises(ValueError, match="ambiguous"):
        bool(x > 0)


def test_indexing_forms():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    x = nt.tensor(a)
    forms = [0, -1, (1, 2), (1, 2, 3), slice(0, 1), (Ellipsis, 1), (None, 0), (slice(None), slice(None, None, 2)),
             [1, 0], (np.array([0, 1]), np.array([2, 0])), a > 10, (0, a[0] > 5)]
    for index in forms:
        np.testing.assert_array_equal(x[index].numpy(), a[index], err_msg=repr(index))
    np.testing.assert_array_equal(x[nt.tensor([1, 1])].numpy(), a[[1, 1]])
    np.testing.assert_array_equal(x[x > 10].numpy(), a[a > 10])
    assert int(nt.tensor(1)) == 1 and a[nt.tensor(1)].shape == (3, 4)


def test_scalar_conversions():
    assert float(nt.tensor([2.5])) == 2.5
    with pytest.raises(TypeError, match="integer"):
        [0, 1][nt.tensor(1.0)]
