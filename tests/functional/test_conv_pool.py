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
