"""The optional numba col2im kernel adds the same shifted columns in the same order as NumPy's."""
import numpy as np
import pytest

from neuronet.kernels import compiled
from neuronet.functional.im2col import col2im
from tests.helpers import assert_close, need

need("numba")


@pytest.mark.parametrize("n, c, kernel, dilation, hw", [(3, 4, (3, 3), (1, 1), (6, 7)), (2, 2, (2, 5), (2, 1), (5, 9))])
def test_col2im_kernel_is_bit_identical_to_numpy(n, c, kernel, dilation, hw):
    (kh, kw), (dh, dw), (oh, ow) = kernel, dilation, hw
    hp, wp = oh + dh * (kh - 1), ow + dw * (kw - 1)
    rng = np.random.default_rng(0)
    cols = rng.standard_normal((n, c, kh, kw, oh * wp)).astype(np.float32)
    cols.reshape(n, c, kh, kw, oh, wp)[..., ow:] = 0  # junk columns hold zeros, as conv2d leaves them
    results = []
    for use in (True, False):
        compiled.set_numba_kernels(use)
        try:
            results.append(col2im(cols, (n, c, hp, wp), (1, 1), dilation, hw, out=np.full((n, c, hp, wp), 7.0, np.float32)))
        finally:
            compiled.set_numba_kernels(True)
    np.testing.assert_array_equal(results[0], results[1])
    assert not np.any(results[0] == 7.0)  # every element was overwritten, none left from ``out``


def run_conv(arrays, use_kernels, threads=1, activation=None, bias=True, grads=(True, True, True), **options):
    """Output and gradients of one conv2d (conv1d for 3-D input) forward and backward, compiled kernels on or off."""
    import threadpoolctl
    import neuronet as nt
    x, w, b, g = arrays
    compiled.set_numba_kernels(use_kernels)
    try:
        xt, wt, bt = (nt.tensor(a, requires_grad=r) for a, r in zip((x, w, b), grads))
        with threadpoolctl.threadpool_limits(threads):
            conv = nt.F.conv1d if x.ndim == 3 else nt.F.conv2d
            y = conv(xt, wt, bt if bias else None, activation=activation, **options)
            (y * nt.tensor(g)).sum().backward()
        return [y.numpy()] + [t.grad for t in (xt, wt, bt) if t.requires_grad and t.grad is not None]
    finally:
        compiled.set_numba_kernels(True)


def conv_arrays(n, c, o, kernel, hw, padding=0, dilation=1, seed=0):
    """Input, weight, bias and output gradient of a conv2d (kernel and hw pairs) or conv1d (one-element tuples)."""
    rng = np.random.default_rng(seed)
    out = tuple(size + 2 * padding - dilation * (k - 1) for k, size in zip(kernel, hw))
    return [rng.standard_normal((n, c) + tuple(hw)).astype(np.float32),
            (rng.standard_normal((o, c) + tuple(kernel)) * 0.3).astype(np.float32),
            rng.standard_normal(o).astype(np.float32), rng.standard_normal((n, o) + out).astype(np.float32)]


@pytest.mark.parametrize("activation", [None, "relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("threads", [1, 2])
def test_per_image_conv_kernels_match_the_numpy_path(activation, threads):
    arrays = conv_arrays(9, 3, 5, (3, 4), (8, 9), padding=1)
    reference = run_conv(arrays, False, 1, activation, padding=1)
    fast = run_conv(arrays, True, threads, activation, padding=1)
    assert len(fast) == len(reference) == 4
    for a, b in zip(fast, reference):
        assert_close(a, b, rtol=2e-6)


@pytest.mark.parametrize("bias, grads", [(False, (True, True, False)), (True, (False, True, True)),
                                         (True, (True, False, False)), (True, (False, False, True))])
def test_per_image_conv_kernels_with_some_gradients(bias, grads):
    arrays = conv_arrays(4, 2, 3, (2, 2), (5, 6), dilation=2)
    reference = run_conv(arrays, False, 1, "relu", bias, grads, dilation=2)
    fast = run_conv(arrays, True, 1, "relu", bias, grads, dilation=2)
    assert len(fast) == len(reference) == 1 + sum(g for g, used in zip(grads, (True, True, bias)) if used)
    for a, b in zip(fast, reference):
        assert_close(a, b, rtol=2e-6)


@pytest.mark.parametrize("band_bytes", [1, 2000, 4000])
@pytest.mark.parametrize("activation", [None, "relu"])
def test_per_image_conv_kernels_in_bands_of_rows_match_the_numpy_path(monkeypatch, band_bytes, activation):
    """A small band budget splits each image's output rows into several bands (a last one cut
    short): the same values and gradients as the NumPy path."""
    from neuronet.kernels import conv as conv_kernels
    arrays = conv_arrays(3, 3, 4, (3, 2), (11, 9), padding=1, dilation=2)
    reference = run_conv(arrays, False, 1, activation, padding=1, dilation=2)
    monkeypatch.setattr(conv_kernels, "BAND_BYTES", band_bytes)
    heights, real = [], conv_kernels.band_rows
    monkeypatch.setattr(conv_kernels, "band_rows", lambda *args: heights.append(real(*args)) or heights[-1])
    fast = run_conv(arrays, True, 1, activation, padding=1, dilation=2)
    assert heights and heights[0] < 11 - 2  # the forward's 9 output rows in several bands
    for a, b in zip(fast, reference):
        assert_close(a, b, rtol=2e-6)


@pytest.mark.parametrize("k, o, wp, rows, multiple, band", [(75, 6, 32, 28, 2, 14), (27, 64, 226, 224, 2, 4),
                                                             (288, 64, 34, 32, 1, 5), (10 ** 6, 1, 10, 9, 3, 3),
                                                             (1, 1, 10, 9, 1, 9), (2000, 64, 20, 18, 1, 1)])
def test_band_rows_fit_the_budget_in_equal_bands(k, o, wp, rows, multiple, band):
    from neuronet.kernels.conv import BAND_BYTES, band_rows
    got = band_rows(k, o, wp, rows, 4, multiple)
    assert got == band and got % multiple == 0
    row_bytes = (k + o) * wp * 4
    assert got == multiple or row_bytes * (got - multiple + 1) <= BAND_BYTES  # over the budget only by rounding


def test_per_image_conv_kernels_match_torch_in_1d_and_many_chunks(monkeypatch):
    torch = need("torch")
    from neuronet.kernels import parallel
    monkeypatch.setattr(parallel, "_CHUNK_BYTES", 512)  # several chunks: dW and db are summed over them
    arrays = conv_arrays(7, 3, 4, (3,), (11,), padding=1)
    ours = run_conv(arrays, True, 2, "relu", padding=1)
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in arrays[:3])
    y = torch.relu(torch.nn.functional.conv1d(xt, wt, bt, padding=1))
    (y * torch.tensor(arrays[3])).sum().backward()
    for a, e in zip(ours, [y.detach(), xt.grad, wt.grad, bt.grad]):
        assert_close(a, e.numpy(), rtol=2e-6)


def test_the_per_image_kernels_run(monkeypatch):
    from neuronet.kernels import conv as conv_kernels
    calls = []
    for name in ("conv_forward_images", "conv_backward_images"):
        real = getattr(conv_kernels, name)
        monkeypatch.setattr(conv_kernels, name, lambda *a, _real=real, _name=name: calls.append(_name) or _real(*a))
    run_conv(conv_arrays(2, 2, 3, (3, 3), (6, 6)), True)
    assert set(calls) == {"conv_forward_images", "conv_backward_images"}
    calls.clear()
    x, w, b, _ = conv_arrays(2, 2, 3, (3, 3), (6, 6))
    run_conv([x, w, b, np.ones((2, 3, 2, 2), np.float32)], True, stride=2)  # strided convolutions too
    assert set(calls) == {"conv_forward_images", "conv_backward_images"}
    calls.clear()
    x, w, b, _ = conv_arrays(2, 2, 4, (3, 3), (6, 6))
    run_conv([x, w[:, :1], b, np.ones((2, 4, 4, 4), np.float32)], True, groups=2)  # groups take the NumPy chunks
    assert not calls


@pytest.mark.parametrize("stride, padding, dilation, kernel, hw", [((2, 2), 1, 1, (4, 4), (14, 14)),
                                                                  ((2, 3), 2, 1, (3, 2), (9, 11)),
                                                                  ((3, 2), 0, 2, (2, 3), (10, 9))])
@pytest.mark.parametrize("activation", [None, "relu", "tanh"])
def test_strided_per_image_kernels_match_the_numpy_path_and_torch(stride, padding, dilation, kernel, hw, activation):
    torch = need("torch")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 3) + hw).astype(np.float32)
    w = (rng.standard_normal((4, 3) + kernel) * 0.3).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    y = torch.nn.functional.conv2d(xt, wt, bt, stride=stride, padding=padding, dilation=dilation)
    y = {None: y, "relu": torch.relu(y), "tanh": torch.tanh(y)}[activation]
    g = rng.standard_normal(tuple(y.shape)).astype(np.float32)
    (y * torch.tensor(g)).sum().backward()
    options = dict(stride=stride, padding=padding, dilation=dilation)
    reference = run_conv([x, w, b, g], False, 1, activation, **options)
    fast = run_conv([x, w, b, g], True, 2, activation, **options)
    for a, r, e in zip(fast, reference, [y.detach(), xt.grad, wt.grad, bt.grad]):
        assert_close(a, r, rtol=2e-6)
        assert_close(a, e.numpy(), rtol=2e-5)


def run_conv_transpose(arrays, use_kernels, threads, grads=(True, True, True), **options):
    import threadpoolctl
    import neuronet as nt
    x, w, b, g = arrays
    compiled.set_numba_kernels(use_kernels)
    try:
        xt, wt, bt = (nt.tensor(a, requires_grad=r) for a, r in zip((x, w, b), grads))
        with threadpoolctl.threadpool_limits(threads):
            fn = nt.F.conv_transpose1d if x.ndim == 3 else nt.F.conv_transpose2d
            y = fn(xt, wt, bt, **options)
            if g is not None:
                (y * nt.tensor(g)).sum().backward()
        return [y.numpy()] + [t.grad for t in (xt, wt, bt) if t.requires_grad]
    finally:
        compiled.set_numba_kernels(True)


@pytest.mark.parametrize("shape, kernel, options", [
    ((9, 6, 7, 7), (4, 4), dict(stride=2, padding=1)),                       # DCGAN's generator layers
    ((5, 3, 5, 4), (3, 2), dict(stride=(2, 3), padding=(0, 1), output_padding=(1, 2))),
    ((4, 3, 6, 5), (3, 3), dict(stride=1, padding=1, dilation=2)),
    ((6, 4, 9), (3,), dict(stride=2, padding=1, output_padding=1))])
@pytest.mark.parametrize("grads", [(True, True, True), (False, True, False), (True, False, True)])
@pytest.mark.parametrize("band_bytes", [None, 1])  # 1: dX's stride-1 forward kernel one row at a time
def test_per_image_conv_transpose_kernels_match_the_numpy_path(monkeypatch, shape, kernel, options, grads, band_bytes):
    from neuronet.kernels import conv as conv_kernels, parallel
    monkeypatch.setattr(parallel, "_CHUNK_BYTES", 4096)  # several chunks: dW is summed over them
    if band_bytes is not None:
        monkeypatch.setattr(conv_kernels, "BAND_BYTES", band_bytes)
    calls = []
    for name in ("conv_forward_images", "conv_backward_images"):
        real = getattr(conv_kernels, name)
        monkeypatch.setattr(conv_kernels, name, lambda *a, _real=real: calls.append(1) or _real(*a))
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape).astype(np.float32)
    w = (rng.standard_normal((shape[1], 5) + kernel) * 0.3).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    y = run_conv_transpose([x, w, b, None], False, 1, (False,) * 3, **options)[0]
    g = rng.standard_normal(y.shape).astype(np.float32)
    reference = run_conv_transpose([x, w, b, g], False, 1, grads, **options)
    assert not calls
    fast = run_conv_transpose([x, w, b, g], True, 2, grads, **options)
    assert calls
    assert len(fast) == len(reference) == 1 + sum(grads)
    for a, r in zip(fast, reference):
        assert_close(a, r, rtol=2e-6)


@pytest.mark.parametrize("oh, ow", [(8, 8), (7, 9), (2, 3), (5, 2)])
@pytest.mark.parametrize("relu", [False, True])
def test_the_2x2_pooling_loop_equals_the_general_one(oh, ow, relu):
    """_pool_image_2x2 (SIMD) against _pool_image (any window): the same maxima and argmax table,
    with exact ties, NaN, ±inf and rows and columns past the last whole window (odd sizes)."""
    from neuronet.kernels.conv import _pool_image, _pool_image_2x2
    rng = np.random.default_rng(oh * 10 + ow)
    o, wp = 5, ow + 3  # rows of width Wp, junk columns past OW as the stride-1 layout has them
    z = rng.integers(-2, 3, (o, oh * wp)).astype(np.float32)  # many exact ties
    z[0, 1], z[1, wp + 2], z[2, 0], z[3, 1] = np.nan, np.inf, -np.inf, np.nan
    z[3, 0] = np.inf  # a window with inf before a NaN
    bias = np.array([0, 1, -1, 0.5, 0], np.float32)
    poh, pow_ = oh // 2, ow // 2
    general = [np.full((o, poh * pow_), 7, np.float32), np.full((o, poh * pow_), 9, np.uint8)]
    simd = [a.copy() for a in general]
    _pool_image(z, bias, relu, *general, np.empty(pow_, np.float32), np.empty(pow_, np.int32),
                np.empty(pow_, np.float32), 2, 2, wp)
    _pool_image_2x2(z, bias, relu, *simd, pow_, wp)
    np.testing.assert_array_equal(simd[0], general[0])
    np.testing.assert_array_equal(simd[1], general[1])
    assert simd[1].max() <= 7  # the index, + 4 where the value there is > 0
    rows = z[:, :poh * 2 * wp].reshape(o, poh, 2, wp)[..., :pow_ * 2].reshape(o, poh, 2, pow_, 2)
    windows = rows + bias.reshape(o, 1, 1, 1, 1)  # (O, POH, 2, POW, 2): window (r, q)'s row i, column j
    windows = np.maximum(windows, 0) if relu else windows
    values = windows.transpose(0, 1, 3, 2, 4).reshape(o, poh * pow_, 4)  # each window's 4 values, row-major
    there = np.take_along_axis(values, (general[1] % 4).reshape(o, -1, 1).astype(np.int64), 2)[..., 0]
    np.testing.assert_array_equal(general[1] >= 4, there > 0)  # the flag: the value at the index is > 0


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("grad", [False, True])
@pytest.mark.parametrize("hw, padding", [((12, 12), 1), ((11, 9), 0), ((6, 7), 2)])
def test_fused_2x2_conv_pool_matches_the_numpy_path_and_torch(monkeypatch, threads, grad, hw, padding):
    """The fused convolution + ReLU + 2×2 pooling (with and without a gradient: both fuse now)
    against conv2d then max_pool2d on the NumPy path and against PyTorch, over several chunks."""
    import threadpoolctl
    import neuronet as nt
    from neuronet.kernels import parallel
    from neuronet.functional.conv_pool import Conv2dMaxPool
    torch = need("torch")
    monkeypatch.setattr(parallel, "_CHUNK_BYTES", 4096)
    x, w, b, _ = conv_arrays(9, 3, 6, (3, 3), hw, padding=padding, seed=4)
    x[1, 0, :4, :4] = np.round(x[1, 0, :4, :4])  # ties
    calls = []
    original = Conv2dMaxPool.forward
    monkeypatch.setattr(Conv2dMaxPool, "forward", lambda self, *a: calls.append(1) or original(self, *a))
    results = []
    for use in (True, False):
        compiled.set_numba_kernels(use)
        try:
            xt, wt, bt = (nt.tensor(a, requires_grad=grad) for a in (x, w, b))
            with threadpoolctl.threadpool_limits(threads), nt.set_grad_enabled(grad):
                y = nt.F.conv2d_max_pool2d(xt, wt, bt, padding=padding, activation="relu")
                if grad:
                    g = np.random.default_rng(2).standard_normal(y.shape).astype(np.float32)
                    (y * nt.tensor(g)).sum().backward()
            results.append([y.numpy()] + ([xt.grad, wt.grad, bt.grad] if grad else []))
        finally:
            compiled.set_numba_kernels(True)
    assert calls == [1]  # fused with the kernels on, whether or not a gradient is recorded
    xs, ws, bs = (torch.tensor(a, requires_grad=grad) for a in (x, w, b))
    ty = torch.nn.functional.max_pool2d(torch.relu(torch.nn.functional.conv2d(xs, ws, bs, padding=padding)), 2)
    expected = [ty.detach().numpy()]
    if grad:
        (ty * torch.tensor(g)).sum().backward()
        expected += [xs.grad.numpy(), ws.grad.numpy(), bs.grad.numpy()]
    for fast, reference, oracle in zip(results[0], results[1], expected):
        assert_close(fast, reference, rtol=1e-5)
        assert_close(fast, oracle, rtol=1e-5)
