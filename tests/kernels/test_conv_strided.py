"""The channels-last kernels of strided convolutions (kernels/conv_strided.py, run through
functional/conv_strided.py) give the NumPy path's outputs and gradients, and PyTorch's."""
import numpy as np
import pytest

from neuronet.kernels import compiled
from tests.helpers import assert_close, need
from tests.kernels.test_conv import conv_arrays, run_conv, run_conv_transpose

need("numba")

_STRIDED = ("strided_forward_images", "strided_backward_images")


@pytest.fixture
def strided_calls(monkeypatch):
    """The names of the channels-last kernels called (the functional module imports them per call)."""
    from neuronet.kernels import conv_strided
    calls = []
    for name in _STRIDED:
        real = getattr(conv_strided, name)
        monkeypatch.setattr(conv_strided, name, lambda *a, _real=real, _name=name: calls.append(_name) or _real(*a))
    return calls


def strided_case(n, c, o, kernel, hw, stride, padding, dilation, seed=0):
    """conv_arrays for a strided convolution (the output gradient sized for the stride)."""
    x, w, b, _ = conv_arrays(n, c, o, kernel, hw, seed=seed)
    rng = np.random.default_rng(seed + 1)
    out = tuple((size + 2 * p - d * (k - 1) - 1) // s + 1
                for size, k, s, p, d in zip(hw, kernel, stride, padding, dilation))
    return [x, w, b, rng.standard_normal((n, o) + out).astype(np.float32)]


@pytest.mark.parametrize("c, o, kernel, hw, stride, padding, dilation", [
    (32, 16, (4, 4), (14, 14), (2, 2), (1, 1), (1, 1)),   # DCGAN's discriminator layer (fewer filters)
    (8, 5, (3, 2), (9, 11), (2, 3), (2, 1), (1, 1)),      # uneven stride and padding, the fewest channels
    (12, 4, (2, 3), (10, 9), (3, 2), (0, 0), (2, 1)),     # dilation (runs of C floats), no padding
    (16, 6, (3, 3), (8, 8), (2, 2), (1, 1), (2, 2))])
@pytest.mark.parametrize("activation", [None, "relu", "tanh", "sigmoid"])
def test_channels_last_conv_matches_the_numpy_path_and_torch(strided_calls, monkeypatch, c, o, kernel, hw, stride,
                                                             padding, dilation, activation):
    torch = need("torch")
    from neuronet.kernels import parallel
    monkeypatch.setattr(parallel, "_CHUNK_BYTES", 8192)  # several chunks: dW and db are summed over them
    arrays = strided_case(5, c, o, kernel, hw, stride, padding, dilation)
    options = dict(stride=stride, padding=padding, dilation=dilation)
    reference = run_conv(arrays, False, 1, activation, **options)
    assert not strided_calls
    fast = run_conv(arrays, True, 2, activation, **options)
    assert set(strided_calls) == set(_STRIDED)
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in arrays[:3])
    y = torch.nn.functional.conv2d(xt, wt, bt, **options)
    y = {None: y, "relu": torch.relu(y), "tanh": torch.tanh(y), "sigmoid": torch.sigmoid(y)}[activation]
    (y * torch.tensor(arrays[3])).sum().backward()
    assert len(fast) == len(reference) == 4
    for a, r, e in zip(fast, reference, [y.detach(), xt.grad, wt.grad, bt.grad]):
        assert_close(a, r, rtol=2e-5)  # float32 sums over up to 512 products, in another order
        assert_close(a, e.numpy(), rtol=2e-5)


@pytest.mark.parametrize("bias, grads", [(False, (True, True, False)), (True, (False, True, True)),
                                         (True, (True, False, False)), (True, (False, False, True))])
def test_channels_last_conv_with_some_gradients(strided_calls, bias, grads):
    arrays = strided_case(4, 9, 3, (3, 3), (7, 8), (2, 2), (1, 1), (1, 1))
    options = dict(stride=2, padding=1)
    reference = run_conv(arrays, False, 1, "relu", bias, grads, **options)
    fast = run_conv(arrays, True, 1, "relu", bias, grads, **options)
    assert strided_calls
    assert len(fast) == len(reference) == 1 + sum(g for g, used in zip(grads, (True, True, bias)) if used)
    for a, r in zip(fast, reference):
        assert_close(a, r, rtol=2e-6)


@pytest.mark.parametrize("c, o, kernel, hw, padding, dilation", [
    (16, 12, (3, 3), (8, 8), (1, 1), (1, 1)),    # a ResNet stage-3-like layer, 'same' padding
    (8, 5, (3, 2), (9, 11), (2, 0), (1, 1)),     # uneven kernel and padding, the fewest channels
    (12, 4, (2, 3), (10, 9), (0, 1), (2, 1)),    # dilation (runs of C floats)
    (9, 3, (5, 5), (5, 5), (2, 2), (1, 1))])     # one pixel of interior per window: mostly padding
@pytest.mark.parametrize("activation", [None, "relu", "sigmoid"])
@pytest.mark.parametrize("threads", [1, 2])
def test_small_stride1_conv_goes_channels_last_and_matches_numpy_and_torch(strided_calls, monkeypatch, c, o, kernel,
                                                                           hw, padding, dilation, activation, threads):
    """Stride 1 with few output positions per image runs channels last (STRIDE1_MAX_POSITIONS)."""
    torch = need("torch")
    from neuronet.kernels import parallel
    monkeypatch.setattr(parallel, "_CHUNK_BYTES", 8192)  # several chunks: dW and db are summed over them
    arrays = strided_case(7, c, o, kernel, hw, (1, 1), padding, dilation)
    options = dict(padding=padding, dilation=dilation)
    reference = run_conv(arrays, False, 1, activation, **options)
    assert not strided_calls
    fast = run_conv(arrays, True, threads, activation, **options)
    assert set(strided_calls) == set(_STRIDED)
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in arrays[:3])
    y = torch.nn.functional.conv2d(xt, wt, bt, **options)
    y = {None: y, "relu": torch.relu(y), "sigmoid": torch.sigmoid(y)}[activation]
    (y * torch.tensor(arrays[3])).sum().backward()
    assert len(fast) == len(reference) == 4
    for a, r, e in zip(fast, reference, [y.detach(), xt.grad, wt.grad, bt.grad]):
        assert_close(a, r, rtol=2e-5)
        assert_close(a, e.numpy(), rtol=2e-5)


def test_stride1_channels_last_limits_with_and_without_a_gradient(strided_calls, kernels_on):
    """Without a gradient only the smallest stride-1 outputs (8×8) go channels last; with one, up to 24×24."""
    import neuronet as nt
    from neuronet.functional.conv_strided import STRIDE1_MAX_POSITIONS
    assert STRIDE1_MAX_POSITIONS[False] == 64 and STRIDE1_MAX_POSITIONS[True] == 576
    rng = np.random.default_rng(5)
    w = nt.tensor(rng.standard_normal((4, 8, 3, 3)).astype(np.float32), requires_grad=True)
    for side, inference, training in [(8, True, True), (9, False, True), (24, False, True), (25, False, False)]:
        x = nt.tensor(rng.standard_normal((2, 8, side, side)).astype(np.float32))
        with nt.no_grad():
            quiet = nt.F.conv2d(x, w, padding=1)
        assert (strided_calls == ["strided_forward_images"]) == inference, side
        strided_calls.clear()
        recorded = nt.F.conv2d(x, w, padding=1)
        assert ("strided_forward_images" in strided_calls) == training, side
        strided_calls.clear()
        np.testing.assert_allclose(quiet.numpy(), recorded.numpy(), rtol=1e-5, atol=1e-5)


def test_channels_last_conv1d_and_the_paths_it_leaves_alone(strided_calls):
    x, w, b, _ = conv_arrays(3, 10, 4, (3,), (17,))
    g = np.random.default_rng(3).standard_normal((3, 4, 9)).astype(np.float32)
    reference = run_conv([x, w, b, g], False, 1, None, stride=2, padding=1)
    fast = run_conv([x, w, b, g], True, 1, None, stride=2, padding=1)
    assert strided_calls
    for a, r in zip(fast, reference):
        assert_close(a, r, rtol=2e-6)
    strided_calls.clear()
    for arrays, options in [(conv_arrays(2, 10, 4, (3, 3), (28, 28)), {}),  # stride 1, 26×26: the row kernels
                            (strided_case(2, 7, 4, (3, 3), (6, 6), (2, 2), (1, 1), (1, 1)), dict(stride=2, padding=1)),
                            (strided_case(2, 10, 4, (3, 3), (6, 6), (2, 2), (1, 1), (1, 1)),
                             dict(stride=2, padding=1, padding_mode="reflect"))]:
        run_conv(arrays, True, 1, None, **options)
    assert not strided_calls  # 7 channels gather, reflect padding pads first


def test_channels_last_conv_passes_nan_and_inf_like_the_numpy_path():
    arrays = strided_case(2, 8, 3, (3, 3), (7, 7), (2, 2), (1, 1), (1, 1))
    arrays[0][0, 2, 3, 3] = np.nan
    arrays[0][1, 5, 0, 6] = np.inf
    with np.errstate(invalid="ignore"):  # inf·0 in the products makes NaN, on both paths
        reference = run_conv(arrays, False, 1, "relu", stride=2, padding=1)
        fast = run_conv(arrays, True, 1, "relu", stride=2, padding=1)
    for a, r in zip(fast, reference):
        np.testing.assert_array_equal(np.isnan(a), np.isnan(r))
        np.testing.assert_array_equal(np.isinf(a), np.isinf(r))
        finite = np.isfinite(r)
        assert_close(a[finite], r[finite], rtol=2e-6)
    assert np.isnan(fast[0][0]).any() and np.isinf(fast[0][1]).any()


@pytest.mark.parametrize("shape, kernel, options", [
    ((5, 12, 7, 7), (4, 4), dict(stride=2, padding=1)),                                   # DCGAN's generator layer
    ((4, 6, 5, 4), (3, 2), dict(stride=(2, 3), padding=(0, 1), output_padding=(1, 2))),
    ((4, 5, 6, 5), (3, 3), dict(stride=2, padding=1, output_padding=1, dilation=2)),
    ((3, 4, 9), (3,), dict(stride=2, padding=1, output_padding=1))])
@pytest.mark.parametrize("grads", [(True, True, True), (False, True, False), (True, False, True)])
def test_channels_last_conv_transpose_matches_the_numpy_path_and_torch(strided_calls, monkeypatch, shape, kernel,
                                                                       options, grads):
    torch = need("torch")
    from neuronet.kernels import parallel
    monkeypatch.setattr(parallel, "_CHUNK_BYTES", 4096)  # several chunks: dW is summed over them
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape).astype(np.float32)
    w = (rng.standard_normal((shape[1], 8) + kernel) * 0.3).astype(np.float32)  # 8 output channels
    b = rng.standard_normal(8).astype(np.float32)
    y = run_conv_transpose([x, w, b, None], False, 1, (False,) * 3, **options)[0]
    g = rng.standard_normal(y.shape).astype(np.float32)
    reference = run_conv_transpose([x, w, b, g], False, 1, grads, **options)
    assert not strided_calls
    fast = run_conv_transpose([x, w, b, g], True, 2, grads, **options)
    assert strided_calls and set(strided_calls) <= set(_STRIDED)
    fn = torch.nn.functional.conv_transpose1d if len(shape) == 3 else torch.nn.functional.conv_transpose2d
    xt, wt, bt = (torch.tensor(a, requires_grad=r) for a, r in zip((x, w, b), grads))
    yt = fn(xt, wt, bt, **options)
    (yt * torch.tensor(g)).sum().backward()
    expected = [yt.detach()] + [t.grad for t in (xt, wt, bt) if t.requires_grad]
    assert len(fast) == len(reference) == len(expected) == 1 + sum(grads)
    for a, r, e in zip(fast, reference, expected):
        assert_close(a, r, rtol=2e-5)  # float32 sums over up to 512 products, in another order
        assert_close(a, e.numpy(), rtol=2e-5)


def test_a_dcgan_takes_the_channels_last_kernels(strided_calls):
    """Both strided 16-channel layers of a small DCGAN take the kernels, and D(G(z))'s gradients
    for every parameter are the NumPy path's."""
    import neuronet as nt
    z = np.random.default_rng(0).standard_normal((6, 8)).astype(np.float32)
    results = []
    for use in (False, True):
        compiled.set_numba_kernels(use)
        try:
            nt.manual_seed(0)
            gan = nt.models.dcgan(latent=8, width=16)
            gan.train()
            gan.discriminator(gan.generator(nt.tensor(z))).mean().backward()
            results.append([p.grad.copy() for p in gan.parameters()])
        finally:
            compiled.set_numba_kernels(True)
        assert set(strided_calls) == (set(_STRIDED) if use else set())
    assert len(results[0]) == len(results[1]) == 16
    for a, r in zip(results[1], results[0]):
        assert_close(a, r, rtol=1e-5)


def test_small_stride1_same_padding_with_an_even_kernel(strided_calls):
    """'same' with an even kernel pads one more after than before: the kernels' (top, left) offsets."""
    x, w, b, _ = conv_arrays(3, 8, 5, (2, 4), (7, 6))
    g = np.random.default_rng(4).standard_normal((3, 5, 7, 6)).astype(np.float32)
    reference = run_conv([x, w, b, g], False, 1, "relu", padding="same")
    fast = run_conv([x, w, b, g], True, 2, "relu", padding="same")
    assert set(strided_calls) == set(_STRIDED)
    for a, r in zip(fast, reference):
        assert_close(a, r, rtol=2e-5)
