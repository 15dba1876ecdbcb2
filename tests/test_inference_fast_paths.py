"""The lean batch-1 inference path (issue 21, goal 5): each shortcut against the path it shortcuts.

Every shortcut must give the same values as the reference path and keep its semantics: inputs of
another dtype are still cast, lists still become tensors, lazy layers still build, hooks still run,
``no_grad`` still records nothing, and a forward that records still gets the right gradients.
"""
import importlib

import numpy as np
import pytest

import neuronet as nt
from neuronet.functional.im2col import as_tuple
from tests.helpers import need

linear_module = importlib.import_module("neuronet.functional.linear")


def mlp():
    return nt.nn.Sequential([nt.nn.Dense(16, activation="relu"), nt.nn.Dense(8), nt.nn.ReLU(), nt.nn.Dense(3)])


def lenet():
    return nt.nn.Sequential([nt.nn.Conv2D(6, 5), nt.nn.ReLU(), nt.nn.MaxPool2D(2), nt.nn.Conv2D(16, 5),
                             nt.nn.ReLU(), nt.nn.MaxPool2D(2), nt.nn.Flatten(), nt.nn.Dense(12, activation="relu"),
                             nt.nn.Dense(10)])


def encoder():
    return nt.nn.Sequential([nt.nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0),
                             nt.nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0)])


CASES = {"mlp": (mlp, (1, 20)), "lenet": (lenet, (1, 3, 32, 32)), "encoder": (encoder, (1, 7, 16))}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("training", [False, True])
def test_batch1_no_grad_output_equals_recorded_and_layer_by_layer(name, training):
    """At batch 1, the no_grad forward (nothing saved, conv+pool fused) equals the recorded forward and
    the layers called one by one without Sequential's fusing, in eval and in train mode."""
    build, shape = CASES[name]
    model = build()
    x = nt.tensor(np.random.default_rng(1).standard_normal(shape).astype(np.float32))
    model(x)
    model.train(training)
    with nt.no_grad():
        fast = model(x)
        with nt.nn.unfused():
            reference = model(x)
    assert fast._creator is None and not fast.requires_grad
    recorded = model(x)
    assert recorded.requires_grad
    np.testing.assert_allclose(fast.numpy(), reference.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(fast.numpy(), recorded.numpy())


def test_dense_saves_nothing_without_a_gradient_and_backward_still_right():
    seen = []
    original = linear_module.Affine.forward

    def spy(self, *arrays):
        out = original(self, *arrays)
        seen.append(self)
        return out

    layer = nt.nn.Dense(5, activation="relu")
    x = nt.tensor(np.random.default_rng(2).standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    layer(x)
    linear_module.Affine.forward = spy
    try:
        with nt.no_grad():
            layer(x)
        y = layer(x)
    finally:
        linear_module.Affine.forward = original
    quiet, recording = seen
    assert not any(isinstance(v, np.ndarray) for v in vars(quiet).values())
    assert isinstance(recording.x2, np.ndarray) and recording.y is not None
    y.sum().backward()
    z = x.numpy() @ layer.weight.numpy().T + layer.bias.numpy()
    np.testing.assert_allclose(x.grad, (z > 0).astype(np.float32) @ layer.weight.numpy(), rtol=1e-6)


def test_affine_saves_nothing_and_equals_under_no_grad_gradcheck():
    """The fused dense Function still passes its float64 gradient check after the change."""
    rng = np.random.default_rng(3)
    x, w, b = (nt.tensor(rng.standard_normal(s), requires_grad=True, dtype=np.float64) for s in ((3, 4), (2, 4), (2,)))
    assert nt.gradcheck(lambda *a: nt.F.dense(*a, activation="tanh"), x, w, b)
    with nt.no_grad():
        quiet = nt.F.dense(x, w, b, activation="tanh").numpy()
    np.testing.assert_array_equal(quiet, nt.F.dense(x, w, b, activation="tanh").numpy())


@pytest.mark.parametrize("data, dtype", [(np.ones((2, 3), np.float64), np.float64), (np.ones((2, 3), np.int64), None),
                                         (np.ones((2, 3), np.uint8), None), ([[1.0, 2.0, 3.0]], None)])
def test_inputs_of_another_dtype_are_still_cast(data, dtype):
    """A float32 layer casts float64, integer and list inputs as before (the shortcut only takes inputs
    that are already tensors of the layer's dtype)."""
    layer = nt.nn.Dense(2, in_features=3)
    x = nt.tensor(data, dtype=dtype) if dtype is not None else data
    with nt.no_grad():
        y = layer(x)
    assert y.dtype == np.float32
    want = np.asarray(data, dtype=np.float32) @ layer.weight.numpy().T + layer.bias.numpy()
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-6)


def test_float64_input_keeps_its_graph_through_the_cast():
    layer = nt.nn.Dense(2, in_features=3)
    x = nt.tensor(np.ones((2, 3)), dtype=np.float64, requires_grad=True)
    layer(x).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_allclose(x.grad, np.tile(layer.weight.numpy().sum(axis=0), (2, 1)), rtol=1e-6)


def test_layer_dtype_is_its_own_parameters_dtype():
    """_float_dtype reads the layer's own parameters first: same answer as walking parameters()."""
    layer = nt.nn.Dense(2, in_features=3)
    layer.weight.data = layer.weight.data.astype(np.float64)
    layer.bias.data = layer.bias.data.astype(np.float64)
    assert layer._float_dtype() == np.float64
    assert layer(nt.tensor(np.ones((1, 3), np.float32))).dtype == np.float64
    block = nt.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0)  # parameters in its sub-layers only
    for p in block.parameters():
        p.data = p.data.astype(np.float64)
    assert block._float_dtype() == np.float64
    assert block(nt.ones(1, 3, 8)).dtype == np.float64


def test_lazy_build_and_hooks_still_run():
    layer = nt.nn.Dense(3)
    calls = []
    layer.register_forward_hook(lambda module, args, out: calls.append(out.shape))
    with nt.no_grad():
        y = layer(nt.ones(1, 5))
    assert layer.built and layer.weight.shape == (3, 5) and calls == [(1, 3)] and y.shape == (1, 3)
    model = mlp()
    model.eval()
    with nt.no_grad():
        model(nt.ones(1, 20))
    assert model.unbuilt_modules() == []


@pytest.mark.parametrize("value, n, minimum", [(3, 2, 1), ((2, 5), 2, 1), (0, 2, 0), ((0, 1), 2, 0),
                                               (np.int64(2), 2, 1), ([1, 2], 2, 1), ((np.int32(1), 2), 2, 1)])
def test_as_tuple_shortcut_gives_plain_int_tuples(value, n, minimum):
    got = as_tuple("f", "stride", value, n, minimum)
    want = tuple(int(v) for v in (value if isinstance(value, (tuple, list)) else (value,) * n))
    assert got == want and all(type(v) is int for v in got)


@pytest.mark.parametrize("value, minimum", [(True, 1), (0, 1), ((1, 0), 1), ((1, True), 1), (-1, 0), ((1, 2, 3), 1),
                                            (1.0, 1), ("2", 1)])
def test_as_tuple_still_refuses(value, minimum):
    with pytest.raises(ValueError, match="stride must be an int"):
        as_tuple("f", "stride", value, 2, minimum)


@pytest.mark.parametrize("batch, pool, fused", [(1, 3, True), (4, 3, True), (5, 3, False), (5, 2, True),
                                               (9, 2, True)])
def test_conv_pool_fused_without_gradient_at_small_batches(kernels_on, batch, pool, fused):
    """Without a gradient, conv+ReLU+max-pool is one Function for 2×2 windows (their SIMD loop) and
    for batches up to 4 (per-call overhead dominates there), conv then pool otherwise; the values
    equal conv2d then max_pool2d bit for bit."""
    from neuronet.functional.conv_pool import Conv2dMaxPool, _sgemm_found
    if not _sgemm_found():
        pytest.skip("NumPy's BLAS has no 64-bit-integer sgemm here")
    rng = np.random.default_rng(5)
    x = nt.tensor(rng.standard_normal((batch, 3, 12, 12)).astype(np.float32))
    w = nt.tensor((rng.standard_normal((4, 3, 3, 3)) * 0.4).astype(np.float32), requires_grad=True)
    b = nt.tensor(rng.standard_normal(4).astype(np.float32))
    calls = []
    original = Conv2dMaxPool.forward

    def spy(self, *arrays):
        calls.append(arrays[0].shape[0])
        return original(self, *arrays)

    Conv2dMaxPool.forward = spy
    try:
        with nt.no_grad():
            y = nt.F.conv2d_max_pool2d(x, w, b, padding=1, activation="relu", pool_size=pool)
    finally:
        Conv2dMaxPool.forward = original
    assert calls == ([batch] if fused else [])
    with nt.no_grad():
        reference = nt.F.max_pool2d(nt.F.conv2d(x, w, b, padding=1, activation="relu"), pool)
    np.testing.assert_array_equal(y.numpy(), reference.numpy())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape, k", [((1, 64, 128), 1), ((3, 5, 7, 9), 2), ((4, 1000), 1)])
def test_layer_norm_means_as_sums_equal_ndarray_mean_bit_for_bit(dtype, shape, k, kernels_off):
    """layer_norm's NumPy forward takes its means as sum / count in place; the reference is ndarray.mean
    (the compiled float32 kernel is tested against this path in tests/kernels/test_softmax_layer_norm.py)."""
    rng = np.random.default_rng(6)
    x = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    normalized = shape[len(shape) - k:]
    w, b = rng.standard_normal(normalized).astype(dtype), rng.standard_normal(normalized).astype(dtype)
    with nt.no_grad():
        got = nt.F.layer_norm(nt.tensor(x), normalized, nt.tensor(w), nt.tensor(b)).numpy()
    axes = tuple(range(len(shape) - k, len(shape)))
    centred = x - x.mean(axis=axes, keepdims=True)
    want = centred * (1.0 / np.sqrt((centred * centred).mean(axis=axes, keepdims=True) + 1e-5)) * w + b
    np.testing.assert_array_equal(got, want.astype(dtype))


def _apply_counter(monkeypatch):
    calls = []
    original = linear_module.Affine.apply.__func__

    def counted(cls, *inputs, **params):
        calls.append(cls)
        return original(cls, *inputs, **params)

    monkeypatch.setattr(linear_module.Affine, "apply", classmethod(counted))
    return calls


def test_sequential_no_grad_route_skips_layer_calls_with_the_same_values(monkeypatch):
    model = mlp()
    x = nt.tensor(np.random.default_rng(7).standard_normal((1, 20)).astype(np.float32))
    reference = model(x).numpy()
    calls = _apply_counter(monkeypatch)
    with nt.no_grad():
        fast = model(x)
    assert calls == []  # every Dense went by its array route
    assert type(fast) is nt.Tensor and fast._creator is None and not fast.requires_grad
    np.testing.assert_array_equal(fast.numpy(), reference)
    model(x)  # with a gradient: the layer calls
    assert len(calls) == 3


def test_sequential_route_falls_back_to_the_layer_call_where_it_could_differ(monkeypatch):
    model = nt.nn.Sequential([nt.nn.Dense(6, activation="gelu"), nt.nn.Dense(4, activity_regularizer="l1"),
                              nt.nn.Dense(3), nt.nn.Dense(2)])
    x = nt.tensor(np.random.default_rng(8).standard_normal((1, 5)).astype(np.float32))
    reference = model(x).numpy()
    seen = []
    model[2].register_forward_hook(lambda module, args, out: seen.append(out.shape))
    calls = _apply_counter(monkeypatch)
    with nt.no_grad():
        fast = model(x)
    assert seen == [(1, 3)]  # the hook ran
    assert model[1].activity_loss is not None
    assert len(calls) == 3  # gelu's Dense, the regularized one and the hooked one were called; the last routed
    np.testing.assert_array_equal(fast.numpy(), reference)


def test_sequential_route_casts_and_refuses_as_the_layer_call():
    model = mlp()
    model(nt.ones(1, 20))
    with nt.no_grad():
        y = model(nt.tensor(np.ones((1, 20)), dtype=np.float64))  # cast by the first layer's call, then routed
        assert y.dtype == np.float32
        np.testing.assert_allclose(y.numpy(), model(nt.ones(1, 20)).numpy(), rtol=1e-6)
        with pytest.raises(ValueError, match=r"Dense\(units=16\): expected input of shape \(\.\.\., 20\)"):
            model(nt.ones(1, 21))


def test_sequential_route_is_not_taken_in_a_step_capture():
    model = mlp()
    x = nt.tensor(np.random.default_rng(9).standard_normal((1, 20)).astype(np.float32))
    model(x)

    def forward(batch):
        with nt.no_grad():
            return model(batch)
    captured = nt.jit(forward)
    outputs = [captured(x).numpy() for _ in range(3)]  # recorded, recorded, replayed
    with nt.no_grad():
        eager = model(x).numpy()
    for out in outputs:
        np.testing.assert_array_equal(out, eager)
