"""PyTorch's top-level tensor creation (nt.zeros, nt.randn, nt.arange, ...) and Tensor methods (size(), float(), ...):
same shapes, dtypes and values as torch, seeded by nt.manual_seed."""
import numpy as np
import pytest

import neuronet as nt


@pytest.mark.parametrize("name,args,kwargs", [
    ("zeros", (2, 3), {}), ("zeros", ((2, 3),), {}), ("ones", ([4],), {}), ("ones", (2, 2), {"dtype": "float64"}),
    ("full", ((2, 2), 7), {}), ("full", ((3,), 1.5), {}), ("full", ((2,), True), {}),
    ("arange", (5,), {}), ("arange", (1, 10, 3), {}), ("arange", (0.0, 1.0, 0.25), {}), ("arange", (0, 1, 0.1), {}),
    ("arange", (10, 0, -3), {}), ("arange", (5,), {"dtype": "float32"}),
    ("linspace", (0, 1, 5), {}), ("linspace", (-2, 2, 1), {}), ("eye", (3,), {}), ("eye", (2, 4), {}),
])
def test_creation_matches_torch(name, args, kwargs, torch):
    ours = getattr(nt, name)(*args, **kwargs)
    tkw = {k: getattr(torch, v) if isinstance(v, str) else v for k, v in kwargs.items()}
    theirs = getattr(torch, name)(*args, **tkw)
    assert isinstance(ours, nt.Tensor)
    assert ours.shape == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_like_functions_keep_shape_and_dtype(torch):
    base = nt.tensor(np.arange(6, dtype=np.float64).reshape(2, 3))
    for name in ("zeros_like", "ones_like"):
        ours, theirs = getattr(nt, name)(base), getattr(torch, name)(torch.tensor(base.numpy()))
        assert ours.dtype == np.float64 and np.array_equal(ours.numpy(), theirs.numpy())
    assert nt.full_like(base, 2.5).numpy().tolist() == [[2.5] * 3] * 2
    assert nt.zeros_like(np.ones((2, 2), np.int64)).dtype == np.int64
    assert nt.zeros_like(base, dtype="float32").dtype == np.float32
    assert nt.rand_like(base).dtype == np.float64 and nt.randn_like(nt.zeros(3, 2)).shape == (3, 2)


def test_random_creation_is_seeded_float32_and_distributed():
    nt.manual_seed(3)
    a = nt.randn(4000)
    nt.manual_seed(3)
    b = nt.randn(4000)
    assert a.dtype == np.float32 and np.array_equal(a.numpy(), b.numpy())
    assert abs(float(a.numpy().mean())) < 0.06 and abs(float(a.numpy().std()) - 1) < 0.05
    u = nt.rand(2, 1000)
    assert u.shape == (2, 1000) and 0 <= u.numpy().min() and u.numpy().max() < 1
    r = nt.randint(3, 7, (500,))
    assert r.dtype == np.int64 and set(np.unique(r.numpy())) == {3, 4, 5, 6}
    assert nt.randint(2, (10,)).numpy().max() <= 1
    w = nt.randn(3, 2, requires_grad=True)
    assert w.requires_grad and w.is_leaf


def test_from_numpy_shares_memory_and_keeps_dtype():
    a = np.zeros(3)
    t = nt.from_numpy(a)
    a[0] = 5
    assert t.dtype == np.float64 and t.numpy()[0] == 5
    with pytest.raises(TypeError, match="from_numpy: expected a numpy.ndarray, got list"):
        nt.from_numpy([1, 2])


def test_cat_and_stack_at_top_level(torch):
    a, b = nt.ones(2, 3, requires_grad=True), nt.zeros(1, 3)
    c = nt.cat([a, b], dim=0)
    assert c.shape == (3, 3)
    assert nt.stack([a, a], dim=1).shape == (2, 2, 3)
    c.sum().backward()
    assert np.array_equal(a.grad, np.ones((2, 3)))


def test_creation_errors_name_the_function():
    with pytest.raises(TypeError, match=r"zeros: sizes must be integers, got \(2.5,\)"):
        nt.zeros(2.5)
    with pytest.raises(ValueError, match="ones: sizes must be non-negative"):
        nt.ones(-1)
    with pytest.raises(ValueError, match="arange: step must be nonzero"):
        nt.arange(0, 5, 0)
    with pytest.raises(TypeError, match="zeros: only floating-point tensors can require gradients"):
        nt.zeros(2, dtype="int64", requires_grad=True)
    with pytest.raises(TypeError, match="randn: dtype must be floating point"):
        nt.randn(2, dtype="int64")
    with pytest.raises(TypeError, match="complex"):
        nt.zeros(2, dtype="complex64")


def test_tensor_size_is_numpy_size_and_torch_size():
    t = nt.zeros(2, 3, 4)
    assert t.size == 24 and t.size + 1 == 25                           # NumPy habit: the element count
    assert t.size() == (2, 3, 4) and t.size(0) == 2 and t.size(-1) == 4  # PyTorch habit: the shape
    with pytest.raises(IndexError, match="dim 3 is out of range for a tensor with 3 dimensions"):
        t.size(3)
    assert t.dim() == 3 and t.numel() == 24


def test_tensor_dtype_and_device_methods():
    x = nt.tensor([[1.5, 2.0]], requires_grad=True)
    assert x.float() is x and x.cpu() is x and x.contiguous() is x
    d = x.double()
    assert d.dtype == np.float64
    (d * d).sum().backward()  # the cast keeps the graph
    assert x.grad.dtype == np.float32 and np.allclose(x.grad, [[3.0, 4.0]])
    assert x.long().dtype == np.int64 and x.long().tolist() == [[1, 2]] and not x.long().requires_grad
    assert x.int().dtype == np.int32 and x.bool().dtype == np.bool_ and x.half().dtype == np.float16
    assert x.detach().view(2).tolist() == [1.5, 2.0] and x.sum().item() == 3.5
    assert isinstance(x.numpy(), np.ndarray)
    assert x.to("cpu") is x and x.to(nt.float32) is x  # nothing to change: the tensor itself, as in torch
    y = x.to(nt.float64)
    assert y.dtype == np.float64 and y.requires_grad and x.to("int64").tolist() == [[1, 2]]
    assert x.to(nt.zeros(1, dtype="float64")).dtype == np.float64
    with pytest.raises(TypeError, match="Tensor.to: 'tpu' is neither a device"):
        x.to("tpu")
    assert nt.cuda.is_available() in (True, False) and nt.cuda.device_count() >= 0
    c = x.clone()
    assert c.dtype == np.float32 and not np.shares_memory(c.data, x.data)
    x.grad = None
    (c * 3).sum().backward()  # gradients flow through the copy
    assert np.allclose(x.grad, 3)
    assert nt.arange(3).clone().tolist() == [0, 1, 2]


def test_nn_functional_is_functional():
    import neuronet.nn.functional as F
    assert F is nt.functional is nt.nn.functional
    from neuronet.nn import functional
    assert functional.relu is nt.F.relu
