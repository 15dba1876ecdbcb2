"""Winograd F(2×2, 3×3) convolutions, the NumPy implementation (functional/conv_winograd.py): the
same outputs and gradients as PyTorch's conv2d in float64 for every padding and padding mode, float64
gradient checks, and when :func:`set_winograd` sends a convolution there."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.functional import conv as conv_module
from neuronet.functional import conv_winograd
from neuronet.functional.conv import conv2d
from neuronet.functional.conv_winograd import (set_winograd, weight_transform, weight_transform_adjoint,
                                               winograd_applies)
from tests.helpers import assert_close, check_grad


@pytest.fixture
def winograd_calls(monkeypatch):
    """How many times the NumPy Winograd forward and backward ran (conv.py holds the names it imported)."""
    calls = {"forward": 0, "backward": 0}
    for name, key in (("winograd_forward", "forward"), ("winograd_backward", "backward")):
        real = getattr(conv_module, name)

        def spy(*args, _real=real, _key=key):
            calls[_key] += 1
            return _real(*args)
        monkeypatch.setattr(conv_module, name, spy)
    return calls


def _torch_reference(torch, x, w, b, padding, padding_mode, gy):
    """torch conv2d output and gradients (x, w, b) for a padding mode, as nn.Conv2d computes it."""
    TF = torch.nn.functional
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    bt = None if b is None else torch.tensor(b, requires_grad=True)
    if padding_mode == "zeros":
        y = TF.conv2d(xt, wt, bt, 1, padding)
    else:
        y = TF.conv2d(TF.pad(xt, (padding, padding, padding, padding), mode=padding_mode), wt, bt)
    (y * torch.tensor(gy)).sum().backward()
    return [y.detach().numpy(), xt.grad.numpy(), wt.grad.numpy()] + ([] if b is None else [bt.grad.numpy()])


@pytest.mark.parametrize("hw, padding, padding_mode", [
    ((8, 8), 1, "zeros"),        # even output: whole tiles
    ((7, 9), 1, "zeros"),        # odd output rows and columns: the last tiles are cropped
    ((5, 6), 0, "zeros"),        # no padding
    ((6, 5), 2, "zeros"),        # wider padding than the kernel needs
    ((3, 3), 1, "zeros"),        # one-pixel output rows
    ((7, 6), 1, "reflect"),
    ((6, 7), 2, "replicate"),
    ((5, 5), 1, "circular")])
@pytest.mark.parametrize("bias", [True, False])
def test_numpy_winograd_matches_torch_in_float64(torch, kernels_off, winograd_calls, hw, padding, padding_mode, bias):
    set_winograd("always")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4) + hw)
    w = rng.standard_normal((5, 4, 3, 3))
    b = rng.standard_normal(5) if bias else None
    out = tuple(s + 2 * padding - 2 for s in hw)
    gy = rng.standard_normal((3, 5) + out)
    inputs = [nt.tensor(a, requires_grad=True) for a in (x, w) + ((b,) if bias else ())]
    y = conv2d(*inputs[:2], inputs[2] if bias else None, padding=padding, padding_mode=padding_mode)
    (y * nt.tensor(gy)).sum().backward()
    assert winograd_calls == {"forward": 1, "backward": 1}
    expected = _torch_reference(torch, x, w, b, padding, padding_mode, gy)
    for what, actual, want in zip(("y", "dx", "dw", "db"), [y.numpy()] + [t.grad for t in inputs], expected):
        assert_close(actual, want, rtol=1e-12, what=what)


@pytest.mark.parametrize("activation", [None, "relu", "tanh", "sigmoid"])
def test_numpy_winograd_matches_the_direct_convolution_through_the_activation(kernels_off, activation):
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((2, 3, 7, 8)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    gy = rng.standard_normal((2, 4, 7, 8))
    results = []
    for mode in ("never", "always"):
        set_winograd(mode)
        inputs = [nt.tensor(a, requires_grad=True) for a in (x, w, b)]
        y = conv2d(*inputs, padding="same", activation=activation)
        (y * nt.tensor(gy)).sum().backward()
        results.append([y.numpy()] + [t.grad for t in inputs])
    for what, a, e in zip(("y", "dx", "dw", "db"), results[1], results[0]):
        assert_close(a, e, rtol=1e-12, what=what)


@pytest.mark.parametrize("padding_mode", ["zeros", "reflect"])
def test_winograd_gradients_check_in_float64(kernels_off, winograd_calls, padding_mode):
    set_winograd("always")
    rng = np.random.default_rng(2)
    check_grad(lambda x, w, b: conv2d(x, w, b, padding=1, padding_mode=padding_mode, activation="tanh"),
               rng.standard_normal((2, 2, 5, 4)), rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3))
    assert winograd_calls["forward"] > 0 and winograd_calls["backward"] > 0


def test_only_the_wanted_gradients_are_computed(kernels_off, winograd_calls):
    set_winograd("always")
    rng = np.random.default_rng(3)
    x = nt.tensor(rng.standard_normal((2, 2, 6, 6)))                    # no gradient for the input
    w = nt.tensor(rng.standard_normal((3, 2, 3, 3)), requires_grad=True)
    y = conv2d(x, w, None, padding=1)
    y.sum().backward()
    assert x.grad is None and w.grad is not None and winograd_calls["backward"] == 1
    set_winograd("never")
    w2 = nt.tensor(w.numpy(), requires_grad=True)
    conv2d(x, w2, None, padding=1).sum().backward()
    assert_close(w.grad, w2.grad, rtol=1e-12)


def test_the_weight_transform_and_its_adjoint_are_adjoint():
    rng = np.random.default_rng(4)
    w, du = rng.standard_normal((3, 2, 3, 3)), rng.standard_normal((16, 3, 2))
    assert weight_transform(w).shape == (16, 3, 2) and weight_transform_adjoint(du).shape == (3, 2, 3, 3)
    assert np.isclose(np.sum(weight_transform(w) * du), np.sum(w * weight_transform_adjoint(du)), rtol=1e-12)


def test_set_winograd_returns_the_previous_mode_and_refuses_others():
    assert set_winograd("never") == "auto"
    assert set_winograd("always") == "never"
    with pytest.raises(ValueError, match=r"set_winograd: mode must be one of .*'auto'.*got 'fast'"):
        set_winograd("fast")
    assert set_winograd("auto") == "always"  # the refused call changed nothing


@pytest.mark.parametrize("kernel, stride, dilation, groups", [
    ((3, 3), (1, 1), (1, 1), 1),
    ((3, 3), (2, 2), (1, 1), 1),   # strided: not F(2×2, 3×3)
    ((3, 3), (1, 1), (2, 2), 1),   # dilated
    ((3, 3), (1, 1), (1, 1), 2),   # grouped
    ((5, 5), (1, 1), (1, 1), 1),
    ((3, 2), (1, 1), (1, 1), 1)])
def test_which_geometries_winograd_takes(kernel, stride, dilation, groups):
    geometry_fits = kernel == (3, 3) and stride == (1, 1) and dilation == (1, 1) and groups == 1
    arrays = (np.zeros((1, 1), np.float64),)
    set_winograd("always")
    assert winograd_applies(kernel, stride, dilation, groups, 4, 4, (8, 8), arrays) == geometry_fits
    set_winograd("never")
    assert not winograd_applies(kernel, stride, dilation, groups, 512, 512, (8, 8), arrays)


def test_auto_needs_more_channels_for_fewer_tiles():
    sizes = ((32, 32), (16, 16), (15, 15), (8, 8), (7, 7), (4, 4), (3, 4), (1, 9), (2, 2))
    # (15, 15): 8 × 8 tiles, the last ones cropped; (1, 9): 1 × 5 tiles
    assert [conv_winograd.auto_min_channels(hw) for hw in sizes] == [12, 12, 12, 32, 32, 64, 64, 64, 256]


def test_auto_leaves_float64_and_the_numpy_path_to_the_direct_convolution(kernels_off):
    """'auto' runs Winograd only on the compiled kernels (tested in tests/kernels/test_winograd.py)."""
    wide = conv_winograd.auto_min_channels((32, 32))
    assert not winograd_applies((3, 3), (1, 1), (1, 1), 1, wide, wide, (32, 32), (np.zeros(2, np.float32),))
    assert not winograd_applies((3, 3), (1, 1), (1, 1), 1, wide, wide, (32, 32), (np.zeros(2, np.float64),))
