"""F.conv2d_max_pool2d: the fused convolution + ReLU + max pooling against conv2d then max_pool2d, and PyTorch."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.kernels import compiled, parallel
from neuronet.functional.conv_pool import Conv2dMaxPool
from tests.helpers import assert_close, need

need("numba")
pytestmark = pytest.mark.usefixtures("kernels_on")  # the fused Function needs them; each test restores the switch


def run(arrays, fused, grads=(True, True, True), bias=True, threads=1, **options):
    """Output, creator and gradients of the fused function or of conv2d followed by max_pool2d."""
    import threadpoolctl
    x, w, b = arrays
    xt, wt, bt = (nt.tensor(a, requires_grad=r) for a, r in zip((x, w, b), grads))
    pool = options.pop("pool_size", 2)
    activation = options.pop("activation", None)
    with threadpoolctl.threadpool_limits(threads):
        if fused:
            y = nt.F.conv2d_max_pool2d(xt, wt, bt if bias else None, activation=activation, pool_size=pool, **options)
        else:
            y = nt.F.max_pool2d(nt.F.conv2d(xt, wt, bt if bias else None, activation=activation, **options), pool)
        g = np.random.default_rng(9).integers(-3, 4, y.shape).astype(y.numpy().dtype)  # exact sums with integer data
        (y * nt.tensor(g)).sum().backward()
    return y, [y.numpy()] + [t.grad for t in (xt, wt, bt) if t.requires_grad and t.grad is not None]


def arrays(n=5, c=3, o=4, k=(3, 3), hw=(9, 11), dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((n, c) + hw).astype(dtype), (rng.standard_normal((o, c) + k) * 0.4).astype(dtype),
            rng.standard_normal(o).astype(dtype)]


@pytest.mark.parametrize("activation", [None, "relu"])
@pytest.mark.parametrize("options", [dict(padding=1), dict(padding=0, pool_size=(3, 2)), dict(padding=2, dilation=2),
                                     dict(padding="same", pool_size=3)])
@pytest.mark.parametrize("threads", [1, 2])
def test_fused_matches_conv_then_pool(activation, options, threads):
    a = arrays()
    y, fast = run(a, True, activation=activation, threads=threads, **dict(options))
    _, reference = run(a, False, activation=activation, **dict(options))
    assert isinstance(y._creator, Conv2dMaxPool)
    assert len(fast) == len(reference) == 4
    for got, want in zip(fast, reference):
        assert_close(got, want, rtol=2e-6)


@pytest.mark.parametrize("band_bytes", [1, 3000, 7000])
@pytest.mark.parametrize("options", [dict(padding=1), dict(padding=0, pool_size=(3, 2)), dict(padding=2, dilation=2)])
def test_images_in_bands_of_rows_match_conv_then_pool(monkeypatch, band_bytes, options):
    """A small band budget splits each image's rows into several bands (one pooling window's rows
    at the least, a last band cut short, rows past the last window skipped): the same values and
    gradients as conv2d then max_pool2d, in training and without a gradient."""
    from neuronet.kernels import conv as conv_kernels
    from neuronet.functional.conv_pool import conv_infer_array
    a = arrays(n=3, c=2, o=3, hw=(13, 11))
    _, reference = run(a, False, activation="relu", **dict(options))
    monkeypatch.setattr(conv_kernels, "BAND_BYTES", band_bytes)
    pool = options.get("pool_size", 2)
    heights = []  # the band height the kernel is given
    real = conv_kernels.band_rows
    monkeypatch.setattr(conv_kernels, "band_rows", lambda *args: heights.append(real(*args)) or heights[-1])
    y, fast = run(a, True, activation="relu", **dict(options))
    assert isinstance(y._creator, Conv2dMaxPool)
    conv_rows = y.shape[2] * (pool if isinstance(pool, int) else pool[0])
    assert heights and heights[0] < conv_rows  # several bands
    for got, want in zip(fast, reference):
        assert_close(got, want, rtol=2e-6)
    options = {k: v for k, v in options.items() if k != "pool_size"}
    inferred = conv_infer_array(*a, activation="relu", pool_size=pool, **options)
    assert_close(inferred, reference[0], rtol=2e-6)


@pytest.mark.parametrize("bias, grads", [(False, (True, True, False)), (True, (False, True, True)),
                                         (True, (True, False, False))])
def test_fused_with_some_gradients(bias, grads):
    a = arrays(k=(2, 2), hw=(8, 8))
    _, fast = run(a, True, grads, bias, activation="relu")
    _, reference = run(a, False, grads, bias, activation="relu")
    assert len(fast) == len(reference)
    for got, want in zip(fast, reference):
        assert_close(got, want, rtol=2e-6)


def test_ties_and_nan_follow_max_pool2d(monkeypatch):
    monkeypatch.setattr(parallel, "_CHUNK_BYTES", 256)  # several chunks
    x = np.random.default_rng(1).integers(-2, 3, (6, 2, 8, 8)).astype(np.float32)  # many exact ties
    w = np.ones((3, 2, 1, 1), np.float32)
    w[1] = -1
    x[0, 0, 2, 3] = np.nan
    b = np.zeros(3, np.float32)
    for activation in (None, "relu"):
        y, fast = run([x, w, b], True, activation=activation, threads=2)
        _, reference = run([x, w, b], False, activation=activation)
        assert isinstance(y._creator, Conv2dMaxPool)
        np.testing.assert_array_equal(fast[0], reference[0])  # NaN in the same windows
        assert np.isnan(fast[0]).any()
        for got, want in zip(fast[1:], reference[1:]):  # integer data: every sum is exact, ties go to the same place
            np.testing.assert_array_equal(got, want)


def test_fused_matches_torch(torch):
    x, w, b = arrays(n=4, c=3, o=6, k=(5, 5), hw=(16, 15))
    _, ours = run([x, w, b], True, activation="relu")
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    y = torch.nn.functional.max_pool2d(torch.relu(torch.nn.functional.conv2d(xt, wt, bt)), 2)
    (y * torch.tensor(np.random.default_rng(9).integers(-3, 4, tuple(y.shape)).astype(np.float32))).sum().backward()
    for got, want in zip(ours, [y.detach(), xt.grad, wt.grad, bt.grad]):
        assert_close(got, want.numpy(), rtol=2e-6)


@pytest.mark.parametrize("case", ["tanh", "stride", "groups", "float64", "kernels off", "small"])
def test_other_cases_run_conv_then_pool_with_the_same_results(case):
    a = arrays(c=4, o=4, hw=(9, 9), dtype=np.float64 if case == "float64" else np.float32)
    options = dict(activation="tanh" if case == "tanh" else "relu", stride=2 if case == "stride" else 1,
                   groups=2 if case == "groups" else 1, padding=1)
    if case == "groups":
        a[1] = a[1][:, :2]
    if case == "small":
        options.update(padding=0, pool_size=(8, 8))  # the 7×7 output holds no whole window: max_pool2d's error
        with pytest.raises(ValueError, match="max_pool2d"):
            run(a, True, **options)
        return
    compiled.set_numba_kernels(case != "kernels off")
    y, fast = run(a, True, **dict(options))
    _, reference = run(a, False, **dict(options))
    assert not isinstance(y._creator, Conv2dMaxPool)
    for got, want in zip(fast, reference):
        np.testing.assert_array_equal(got, want)


def test_only_the_pooled_output_is_kept():
    x, w, b = arrays(n=2, hw=(12, 12))
    y = nt.F.conv2d_max_pool2d(nt.tensor(x), nt.tensor(w, requires_grad=True), nt.tensor(b), padding=1,
                               activation="relu")
    fn = y._creator
    saved = [v for v in vars(fn).values() if isinstance(v, np.ndarray)]
    full = 2 * 4 * 12 * 12  # elements of the convolution output
    assert saved and all(a.size < full for a in saved if a is not fn.xpad)


def test_without_a_recorded_gradient_conv_then_pool_runs():
    """Without a recorded gradient nothing is kept for a backward; the values are the recorded ones."""
    x, w, b = (nt.tensor(a) for a in arrays())
    y = nt.F.conv2d_max_pool2d(x, w, b, padding=1, activation="relu")
    assert not isinstance(y._creator, Conv2dMaxPool)
    wt = nt.tensor(w.numpy(), requires_grad=True)
    with nt.no_grad():
        assert nt.F.conv2d_max_pool2d(x, wt, b, padding=1, activation="relu")._creator is None
    fused = nt.F.conv2d_max_pool2d(x, wt, b, padding=1, activation="relu")
    assert isinstance(fused._creator, Conv2dMaxPool)
    np.testing.assert_array_equal(fused.numpy(), y.numpy())


def test_gradcheck_float64():
    from tests.helpers import check_grad
    rng = np.random.default_rng(4)
    x, w, b = rng.standard_normal((2, 2, 6, 7)), rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)
    check_grad(lambda x, w, b: nt.F.conv2d_max_pool2d(x, w, b, padding=1, activation="relu"), x, w, b)


# --- 3×3 convolutions with 2×2 windows: Winograd's tiles are the pooling windows ---------------------------------

@pytest.fixture
def winograd_mode():
    """Set a Winograd mode for the test (``set_winograd``) and restore the previous one after it."""
    from neuronet.functional.conv_winograd import set_winograd
    previous = set_winograd("auto")
    yield set_winograd
    set_winograd(previous)


@pytest.fixture
def pooled_calls(monkeypatch):
    """The ``pool`` flag of each call of the compiled Winograd forward (conv_winograd.py imports it per call)."""
    from neuronet.kernels import winograd
    calls, real = [], winograd.winograd_forward_images
    monkeypatch.setattr(winograd, "winograd_forward_images", lambda *a: calls.append(a[12]) or real(*a))
    return calls


@pytest.mark.parametrize("shape, padding, padding_mode", [
    ((5, 3, 4, (9, 11)), 1, "zeros"),      # odd output sizes: the last tile row and column feed no window
    ((3, 16, 24, (16, 16)), 1, "zeros"),
    ((2, 5, 6, (8, 7)), 0, "zeros"),       # no padding
    ((3, 4, 5, (7, 8)), 1, "reflect"),
    ((70, 8, 8, (4, 4)), 1, "zeros")])     # several groups of images per product and several chunks
@pytest.mark.parametrize("activation", [None, "relu"])
@pytest.mark.parametrize("threads", [1, 2])
def test_winograd_pooled_equals_winograd_conv_then_pool_bit_for_bit(winograd_mode, pooled_calls, monkeypatch, shape,
                                                                  padding, padding_mode, activation, threads):
    """The pooled kernels run the products and transforms of conv2d's Winograd path, the pooling's
    selects of max_pool2d and its gradient's routing: values and gradients are identical."""
    monkeypatch.setattr(parallel, "_CHUNK_BYTES", 8192)  # several chunks: dW and db summed over them
    winograd_mode("always")
    n, c, o, hw = shape
    a = arrays(n=n, c=c, o=o, hw=hw)
    options = dict(padding=padding, padding_mode=padding_mode, activation=activation, threads=threads)
    y, fast = run(a, True, **dict(options))
    assert isinstance(y._creator, Conv2dMaxPool) and pooled_calls and all(pooled_calls)
    pooled_calls.clear()
    _, reference = run(a, False, **dict(options))
    assert pooled_calls and not any(pooled_calls)  # conv2d's Winograd path, then max_pool2d
    for got, want in zip(fast, reference):
        np.testing.assert_array_equal(got, want)
    from neuronet.functional.conv_pool import conv_infer_array  # the layers' route without a gradient
    pooled_calls.clear()
    inferred = conv_infer_array(*a, activation=activation, pool_size=2, padding=padding, padding_mode=padding_mode)
    assert pooled_calls and all(pooled_calls)
    np.testing.assert_array_equal(inferred, reference[0])


@pytest.mark.parametrize("activation", [None, "relu"])
def test_winograd_pooled_weight_gradient_in_blocks_of_output_channels(winograd_mode, pooled_calls, monkeypatch,
                                                                      activation):
    """A transformed weight over TWO_PASSES_BYTES: the input gradient in a pass of its own, then dW
    in blocks of output channels, each reading its channels' pooled gradients and indices."""
    from neuronet.functional import conv_winograd
    monkeypatch.setattr(conv_winograd, "TWO_PASSES_BYTES", 1)
    monkeypatch.setattr(conv_winograd, "BLOCK_BYTES", 16 * 6 * 4)  # blocks of 1 to 2 output channels
    winograd_mode("always")
    a = arrays(n=4, c=6, o=5, hw=(8, 10))
    _, fast = run(a, True, activation=activation, padding=1)
    assert pooled_calls == [True]
    _, reference = run(a, False, activation=activation, padding=1)
    for got, want in zip(fast, reference):
        np.testing.assert_array_equal(got, want)


def test_winograd_pooled_ties_and_nan_follow_max_pool2d(winograd_mode, pooled_calls):
    """Integer data (every Winograd sum exact): many tied windows; a NaN input makes its windows NaN.
    The gradient goes to each window's first maximum, as max_pool2d sends it."""
    winograd_mode("always")
    x = np.random.default_rng(1).integers(-2, 3, (4, 2, 8, 8)).astype(np.float32)
    w = np.zeros((3, 2, 3, 3), np.float32)
    w[:, :, 1, 1] = 1  # the centre tap only: outputs equal (sums of) inputs, so neighbouring outputs tie
    w[1] *= -1
    w[2, 0, 0, 0] = 1
    x[0, 0, 2, 3] = np.nan
    b = np.zeros(3, np.float32)
    for activation in (None, "relu"):
        pooled_calls.clear()
        _, fast = run([x, w, b], True, activation=activation, padding=1, threads=2)
        assert pooled_calls and all(pooled_calls)
        _, reference = run([x, w, b], False, activation=activation, padding=1)
        np.testing.assert_array_equal(fast[0], reference[0])  # NaN in the same windows
        assert np.isnan(fast[0]).any()
        for got, want in zip(fast[1:], reference[1:]):
            np.testing.assert_array_equal(got, want)


def test_winograd_pooled_matches_torch_and_the_direct_kernel(torch, winograd_mode, pooled_calls):
    """From 12 channels at 32×32 'auto' takes the Winograd pooled path; it agrees with torch and with
    the direct fused kernel ('never') to Winograd's float32 rounding."""
    x, w, b = arrays(n=3, c=12, o=16, hw=(32, 32))
    _, ours = run([x, w, b], True, activation="relu", padding=1)
    assert pooled_calls and all(pooled_calls)  # one call per chunk of images
    winograd_calls = len(pooled_calls)
    winograd_mode("never")
    y, direct = run([x, w, b], True, activation="relu", padding=1)
    assert isinstance(y._creator, Conv2dMaxPool) and len(pooled_calls) == winograd_calls  # the direct fused kernel
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    yt = torch.nn.functional.max_pool2d(torch.relu(torch.nn.functional.conv2d(xt, wt, bt, padding=1)), 2)
    (yt * torch.tensor(np.random.default_rng(9).integers(-3, 4, tuple(yt.shape)).astype(np.float32))).sum().backward()
    for got, d, want in zip(ours, direct, [yt.detach(), xt.grad, wt.grad, bt.grad]):
        assert_close(got, want.numpy(), rtol=2e-5)  # float32 sums over 9·C products, by other sums
        assert_close(got, d, rtol=2e-5)


def test_winograd_pooled_keeps_the_input_not_a_padded_copy(winograd_mode):
    winograd_mode("always")
    x, w, b = arrays(n=2, hw=(12, 12))
    xt = nt.tensor(x)
    y = nt.F.conv2d_max_pool2d(xt, nt.tensor(w, requires_grad=True), nt.tensor(b), padding=1, activation="relu")
    fn = y._creator
    assert fn.winograd and fn.x is xt.data
    saved = [v for v in vars(fn).values() if isinstance(v, np.ndarray)]
    assert saved and all(a.size < 2 * 4 * 12 * 12 for a in saved if a is not fn.x)  # nothing of the full output's size


@pytest.mark.parametrize("pool", [(2, 2), (3, 2)])
def test_relu_mask_is_the_routed_values_when_a_nan_follows_the_maximum(winograd_mode, pool):
    """A window whose first maximum is > 0 and whose later value is NaN: max_pool2d sends the
    gradient to that first maximum and the ReLU passes it (the value there is > 0), although the
    window's maximum (NaN) is not > 0.  The direct fused kernel once masked with the maximum."""
    winograd_mode("never")
    x = np.zeros((1, 1, 4, 4), np.float32)
    x[0, 0, 0, 0], x[0, 0, 0, 1] = 2.0, np.nan  # window (0, 0): 2 first, then NaN
    w = np.ones((1, 1, 1, 1), np.float32)
    b = np.zeros(1, np.float32)
    y, fast = run([x, w, b], True, activation="relu", pool_size=pool)
    assert isinstance(y._creator, Conv2dMaxPool)
    _, reference = run([x, w, b], False, activation="relu", pool_size=pool)
    assert np.isnan(fast[0][0, 0, 0, 0]) and fast[1][0, 0, 0, 0] != 0  # the gradient reaches x at the 2
    for got, want in zip(fast, reference):
        np.testing.assert_array_equal(got, want)


def test_windows_of_more_than_256_values_route_their_gradient():
    """A 17×17 window (289 values: int32 indices, past a uint8's range): the gradient reaches each
    window's maximum."""
    a = arrays(n=2, c=2, o=2, k=(1, 1), hw=(34, 34))
    y, fast = run(a, True, activation="relu", pool_size=17)
    assert isinstance(y._creator, Conv2dMaxPool)
    _, reference = run(a, False, activation="relu", pool_size=17)
    for got, want in zip(fast, reference):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("bias, grads", [(False, (True, True, False)), (True, (False, True, True)),
                                         (True, (True, False, False)), (True, (False, False, True))])
@pytest.mark.parametrize("activation", [None, "relu"])
def test_winograd_pooled_with_some_gradients(winograd_mode, pooled_calls, bias, grads, activation):
    winograd_mode("always")
    a = arrays(hw=(8, 9))
    _, fast = run(a, True, grads, bias, activation=activation, padding=1)
    assert pooled_calls == [True]
    _, reference = run(a, False, grads, bias, activation=activation, padding=1)
    assert len(fast) == len(reference)
    for got, want in zip(fast, reference):
        np.testing.assert_array_equal(got, want)
