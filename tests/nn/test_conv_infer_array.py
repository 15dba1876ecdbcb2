"""Conv2D, MaxPool2D and Flatten ``infer_array``: the array route of ``Sequential``'s no-grad forward
equals the layer call, and steps aside (None) wherever the layer call could differ."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.kernels import compiled
from tests.helpers import need

RNG = np.random.default_rng(0)


def images(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def built(layer, x):
    layer(nt.tensor(x))
    return layer


def layer_call(layer, x, **options):
    with nt.no_grad():
        return layer(nt.tensor(x), **options).numpy()


@pytest.fixture(params=[False, True], ids=["numpy", "kernels"])
def kernels(request):
    """Each test with the compiled kernels off, then on (skipped without numba); the process's setting restored."""
    if request.param:
        need("numba")
    before = compiled.numba_kernels_enabled()
    compiled.set_numba_kernels(request.param)
    yield request.param
    compiled.set_numba_kernels(before)


@pytest.mark.parametrize("options", [dict(), dict(padding=1), dict(padding="same", activation="relu"),
                                     dict(strides=2, activation="tanh"), dict(dilation_rate=2, activation="sigmoid"),
                                     dict(groups=2), dict(padding=2, padding_mode="reflect")])
@pytest.mark.parametrize("n", [1, 3, 7])
def test_conv_infer_array_equals_the_layer_call(kernels, options, n):
    x = images(n, 4, 9, 10)
    conv = built(nt.nn.Conv2D(6, 3, **options), x)
    out = conv.infer_array(x)
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    np.testing.assert_array_equal(out, layer_call(conv, x))


@pytest.mark.parametrize("pool", [2, 3, (2, 3)])
@pytest.mark.parametrize("then_relu", [False, True])
@pytest.mark.parametrize("n", [1, 4, 6])
def test_conv_infer_array_with_relu_and_pooling_equals_the_fused_call(kernels, pool, then_relu, n):
    x = images(n, 3, 13, 12)
    conv, pooling = built(nt.nn.Conv2D(5, 3), x), nt.nn.MaxPool2D(pool)
    out = conv.infer_array(x, then_relu=then_relu, then_pool=pooling)
    np.testing.assert_array_equal(out, layer_call(conv, x, then_relu=then_relu, then_pool=pooling))
    unfused = layer_call(conv, x)
    unfused = np.maximum(unfused, 0) if then_relu else unfused
    np.testing.assert_array_equal(out, layer_call(pooling, unfused))


def test_max_pool_and_flatten_infer_array_equal_the_layer_call():
    x = images(2, 3, 7, 9)
    for layer in (nt.nn.MaxPool2D(2), nt.nn.MaxPool2D(3, strides=2, padding=1, ceil_mode=True),
                  nt.nn.Flatten(), nt.nn.Flatten(2), nt.nn.Flatten(1, 2), nt.nn.Flatten(0, -2)):
        out = layer.infer_array(x)
        np.testing.assert_array_equal(out, layer_call(layer, x))


def test_lenet_batch1_runs_array_to_array(monkeypatch):
    """No layer of LeNet is called in a no-grad forward: every one takes the array route."""
    model = nt.nn.Sequential([nt.nn.Conv2D(6, 5), nt.nn.ReLU(), nt.nn.MaxPool2D(2), nt.nn.Conv2D(16, 5),
                              nt.nn.ReLU(), nt.nn.MaxPool2D(2), nt.nn.Flatten(), nt.nn.Dense(12, activation="relu"),
                              nt.nn.Dense(10)])
    x = nt.tensor(images(1, 3, 32, 32))
    model.eval()
    with nt.no_grad():
        reference = model(x).numpy()
        with nt.nn.unfused():
            layer_by_layer = model(x).numpy()

    def refuse(self, *args, **kwargs):
        raise AssertionError(f"{type(self).__name__} was called")
    for layer in model:
        monkeypatch.setattr(type(layer), "__call__", refuse)
    with nt.no_grad():
        out = model(x)
    np.testing.assert_array_equal(out.numpy(), reference)
    np.testing.assert_allclose(out.numpy(), layer_by_layer, rtol=1e-5, atol=1e-6)


def test_conv_infer_array_steps_aside_where_the_layer_call_differs():
    x = images(2, 3, 8, 8)
    conv = built(nt.nn.Conv2D(4, 3), x)
    assert conv.infer_array(x.astype(np.float64)) is None  # cast by the layer call
    assert conv.infer_array(images(2, 5, 8, 8)) is None  # wrong channels: the call's error
    assert conv.infer_array(images(3, 8, 8)) is None  # 3-D input
    assert conv.infer_array(images(2, 3, 2, 2)) is None  # empty output: the call's error
    assert nt.nn.Conv2D(4, 3).infer_array(x) is None  # not built yet
    assert built(nt.nn.Conv2D(4, 3, activation="softplus"), x).infer_array(x) is None  # applied afterwards
    assert built(nt.nn.Conv2D(4, 3, activation="relu"), x).infer_array(x, then_relu=True) is None
    assert conv.infer_array(x, then_pool=nt.nn.MaxPool2D(2, strides=1)) is None  # windows that overlap
    assert conv.infer_array(images(2, 3, 3, 3), then_pool=nt.nn.MaxPool2D(2)) is None  # output smaller than a window
    assert built(nt.nn.Conv1D(4, 3), images(2, 3, 8)).infer_array(images(2, 3, 8)) is None
    assert built(nt.nn.Conv2DTranspose(4, 3), x).infer_array(x) is None
    assert built(nt.nn.Conv2D(4, 3, activity_regularizer="l2"), x).infer_array(x) is None
    hooked = built(nt.nn.Conv2D(4, 3), x)
    hooked.register_forward_hook(lambda module, inputs, output: None)
    assert hooked.infer_array(x) is None

    class Shifted(nt.nn.Conv2D):
        def forward(self, x, **options):
            return super().forward(x, **options) + 1.0
    assert built(Shifted(4, 3), x).infer_array(x) is None
    assert nt.nn.MaxPool2D(2).infer_array(images(2, 3, 1, 1)) is None  # empty output: the call's error
    assert nt.nn.MaxPool2D(2).infer_array(images(3, 4)) is None
    assert nt.nn.Flatten(3).infer_array(images(2, 3)) is None  # no axis 3: the call's error


def test_sequential_falls_back_to_the_layer_call_and_keeps_its_result():
    """A float64 input to a float32 model is cast by the layer call; a hook sees its call."""
    model = nt.nn.Sequential([nt.nn.Conv2D(3, 3), nt.nn.ReLU(), nt.nn.MaxPool2D(2), nt.nn.Flatten(), nt.nn.Dense(2)])
    x = images(1, 2, 8, 8)
    model(nt.tensor(x))
    seen = []
    model[2].register_forward_hook(lambda module, inputs, output: seen.append(output.shape))
    with nt.no_grad():
        fast = model(nt.tensor(x)).numpy()
        cast = model(nt.tensor(x.astype(np.float64))).numpy()
        with nt.nn.unfused():
            reference = model(nt.tensor(x)).numpy()
    assert cast.dtype == np.float32
    np.testing.assert_allclose(fast, reference, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(cast, reference, rtol=1e-5, atol=1e-6)
    assert seen == [(1, 3, 3, 3)] * 3  # the hooked pooling is not fused, and is called each time


def test_a_hooked_relu_is_not_fused_away():
    model = nt.nn.Sequential([nt.nn.Conv2D(3, 3), nt.nn.ReLU(), nt.nn.Flatten(), nt.nn.Dense(4), nt.nn.ReLU()])
    x = nt.tensor(images(1, 2, 6, 6))
    seen = []
    for i in (1, 4):
        model[i].register_forward_hook(lambda module, inputs, output, i=i: seen.append(i))
    model(x)
    with nt.no_grad():
        model(x)
    assert seen == [1, 4, 1, 4]


def test_the_remembered_conv_params_follow_every_argument(kernels):
    """``conv_infer_array`` keeps conv_params' resolution by shapes, dtypes and settings: the same
    layer at another input size, another padding, a list setting (no dict key) or a refused
    argument (never kept) each give the function's own answer."""
    from neuronet.functional import conv_pool
    from neuronet.functional.conv import conv2d
    w, b = images(4, 3, 3, 3), images(4)
    for shape, padding, stride in [((1, 3, 9, 9), 0, 1), ((1, 3, 12, 10), 0, 1), ((1, 3, 9, 9), 1, 1),
                                   ((2, 3, 9, 9), 1, [2, 1]), ((1, 3, 9, 9), 0, 1)]:
        x = images(*shape)
        got = conv_pool.conv_infer_array(x, w, b, stride, padding, activation="relu")
        with nt.no_grad():
            expected = conv2d(nt.tensor(x), nt.tensor(w), nt.tensor(b), stride, padding, activation="relu").numpy()
        np.testing.assert_array_equal(got, expected)
    x = images(1, 3, 2, 2)  # smaller than the kernel: conv_params refuses it, every time
    assert conv_pool.conv_infer_array(x, w, b) is None and conv_pool.conv_infer_array(x, w, b) is None
    assert all(key[0] != (1, 3, 2, 2) for key in conv_pool._RESOLVED)
    x = images(1, 3, 9, 9)  # True equals 1 and hashes alike, but conv_params refuses a bool stride
    assert conv_pool.conv_infer_array(x, w, b, 1) is not None
    assert conv_pool.conv_infer_array(x, w, b, True) is None and conv_pool.conv_infer_array(x, w, b, (True, 1)) is None
