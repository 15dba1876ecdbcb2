"""Max/average/adaptive/global pooling: gradient checks, PyTorch parity (incl. ties and ceil_mode), errors."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.functional.pool import (adaptive_avg_pool1d, adaptive_avg_pool2d, avg_pool1d, avg_pool2d,
                                      global_avg_pool1d, global_avg_pool2d, global_max_pool1d, global_max_pool2d,
                                      max_pool1d, max_pool2d)
from tests.helpers import check_grad, check_parity

CASES = [  # kernel_size, stride, padding, ceil_mode, input (H, W)
    (2, None, 0, False, (8, 8)),  # tiled fast path
    (2, None, 0, False, (7, 9)),  # tiled, remainder dropped
    (3, None, 0, False, (7, 8)),
    (3, 1, 0, False, (6, 7)),  # overlapping windows
    (3, 2, 1, False, (7, 8)),
    ((2, 3), (2, 1), (1, 0), False, (7, 7)),
    (2, None, 0, True, (7, 9)),  # ceil_mode keeps the partial last window
    (3, 2, 1, True, (8, 8)),
]


@pytest.mark.parametrize("k,s,p,ceil,hw", CASES)
def test_max_pool2d_grad(k, s, p, ceil, hw, rng):
    x = rng.standard_normal((2, 3) + hw)
    fn = lambda x: max_pool2d(x, k, s, p, ceil_mode=ceil)  # noqa: E731
    check_grad(fn, x[:1, :2])


@pytest.mark.parametrize("k,s,p,ceil,hw", CASES)
def test_max_pool2d(k, s, p, ceil, hw, rng, TF):
    x = rng.standard_normal((2, 3) + hw)
    fn = lambda x: max_pool2d(x, k, s, p, ceil_mode=ceil)  # noqa: E731
    check_parity(fn, lambda x: TF.max_pool2d(x, k, s, p, ceil_mode=ceil), x.astype(np.float32))


@pytest.mark.parametrize("k,s,p,ceil,hw", CASES)
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool2d_grad(k, s, p, ceil, hw, count_include_pad, rng):
    x = rng.standard_normal((2, 3) + hw)
    fn = lambda x: avg_pool2d(x, k, s, p, ceil, count_include_pad)  # noqa: E731
    check_grad(fn, x[:1, :2])


@pytest.mark.parametrize("k,s,p,ceil,hw", CASES)
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool2d(k, s, p, ceil, hw, count_include_pad, rng, TF):
    x = rng.standard_normal((2, 3) + hw)
    fn = lambda x: avg_pool2d(x, k, s, p, ceil, count_include_pad)  # noqa: E731
    check_parity(fn, lambda x: TF.avg_pool2d(x, k, s, p, ceil, count_include_pad), x.astype(np.float32))


@pytest.mark.parametrize("dilation", [2, (1, 2)])
def test_max_pool2d_dilation_grad(dilation, rng):
    x = rng.standard_normal((2, 2, 8, 9))
    fn = lambda x: max_pool2d(x, 3, 1, 1, dilation)  # noqa: E731
    check_grad(fn, x[:1])


@pytest.mark.parametrize("dilation", [2, (1, 2)])
def test_max_pool2d_dilation(dilation, rng, TF):
    x = rng.standard_normal((2, 2, 8, 9))
    fn = lambda x: max_pool2d(x, 3, 1, 1, dilation)  # noqa: E731
    check_parity(fn, lambda x: TF.max_pool2d(x, 3, 1, 1, dilation), x.astype(np.float32))


@pytest.mark.parametrize("k,s,p", [(2, None, 0), (3, 1, 1), (3, 2, 1)])
def test_max_pool2d_ties_go_to_the_first_maximum(k, s, p, rng, TF):
    x = rng.integers(-1, 2, size=(2, 3, 6, 6)).astype(np.float32)  # many equal values per window
    x[0, 0] = 0.0  # a whole channel of ties
    check_parity(lambda x: max_pool2d(x, k, s, p), lambda x: TF.max_pool2d(x, k, s, p), x)
    t = nt.tensor(np.zeros((1, 1, 2, 2), np.float32), requires_grad=True)
    max_pool2d(t, 2).backward(np.ones((1, 1, 1, 1), np.float32))
    np.testing.assert_array_equal(t.grad[0, 0], [[1, 0], [0, 0]])


POOL1D_CASES = [(2, None, 0, False), (3, 2, 1, False), (2, 3, 1, True), (3, 1, 0, False)]


@pytest.mark.parametrize("k,s,p,ceil", POOL1D_CASES)
def test_pool1d_grad(k, s, p, ceil, rng):
    x = rng.standard_normal((2, 3, 10))
    check_grad(lambda x: max_pool1d(x, k, s, p, ceil_mode=ceil), x)
    for cip in (True, False):
        check_grad(lambda x: avg_pool1d(x, k, s, p, ceil, cip), x)


@pytest.mark.parametrize("k,s,p,ceil", POOL1D_CASES)
def test_pool1d(k, s, p, ceil, rng, TF):
    x = rng.standard_normal((2, 3, 10))
    check_parity(lambda x: max_pool1d(x, k, s, p, ceil_mode=ceil), lambda x: TF.max_pool1d(x, k, s, p, ceil_mode=ceil),
                 x.astype(np.float32))
    for cip in (True, False):
        check_parity(lambda x: avg_pool1d(x, k, s, p, ceil, cip), lambda x: TF.avg_pool1d(x, k, s, p, ceil, cip),
                     x.astype(np.float32))


ADAPTIVE_SIZES = [1, 3, (2, 4), (5, None), (5, 7), (4, 3)]


@pytest.mark.parametrize("output_size", ADAPTIVE_SIZES)
def test_adaptive_avg_pool2d_grad(output_size, rng):
    x = rng.standard_normal((2, 3, 5, 7))
    check_grad(lambda x: adaptive_avg_pool2d(x, output_size), x[:1])


@pytest.mark.parametrize("output_size", ADAPTIVE_SIZES)
def test_adaptive_avg_pool2d(output_size, rng, TF):
    x = rng.standard_normal((2, 3, 5, 7))
    check_parity(lambda x: adaptive_avg_pool2d(x, output_size), lambda x: TF.adaptive_avg_pool2d(x, output_size),
                 x.astype(np.float32))


def test_adaptive_avg_pool1d_grad(rng):
    x = rng.standard_normal((2, 3, 10))
    check_grad(lambda x: adaptive_avg_pool1d(x, 4), x)


def test_adaptive_avg_pool1d(rng, TF):
    x = rng.standard_normal((2, 3, 10))
    check_parity(lambda x: adaptive_avg_pool1d(x, 4), lambda x: TF.adaptive_avg_pool1d(x, 4), x.astype(np.float32))


def test_global_pooling_grad(rng):
    x = rng.standard_normal((2, 3, 4, 5))
    check_grad(global_avg_pool2d, x)
    check_grad(global_max_pool2d, x)
    s = rng.standard_normal((2, 3, 6))
    check_grad(global_avg_pool1d, s)
    check_grad(global_max_pool1d, s)


def test_global_pooling(rng, TF):
    x = rng.standard_normal((2, 3, 4, 5))
    x32 = x.astype(np.float32)
    check_parity(global_avg_pool2d, lambda x: x.mean(dim=(2, 3)), x32)
    check_parity(lambda x: global_avg_pool2d(x, keepdims=True), lambda x: TF.adaptive_avg_pool2d(x, 1), x32)
    check_parity(global_max_pool2d, lambda x: TF.adaptive_max_pool2d(x, 1)[:, :, 0, 0], x32)
    check_parity(lambda x: global_max_pool2d(x, keepdims=True), lambda x: TF.adaptive_max_pool2d(x, 1), x32)
    ties = np.zeros((1, 2, 3, 3), np.float32)
    check_parity(global_max_pool2d, lambda x: TF.adaptive_max_pool2d(x, 1)[:, :, 0, 0], ties)
    s = rng.standard_normal((2, 3, 6))
    check_parity(global_max_pool1d, lambda x: TF.adaptive_max_pool1d(x, 1)[:, :, 0], s.astype(np.float32))


def test_pool_errors(rng):
    x = rng.standard_normal((2, 3, 6, 6))
    with pytest.raises(ValueError, match=r"max_pool2d: expected a 4-D input.*\(3, 6, 6\)"):
        max_pool2d(x[0], 2)
    with pytest.raises(ValueError, match=r"max_pool2d: padding \(2, 2\) must be at most half"):
        max_pool2d(x, 3, padding=2)
    with pytest.raises(ValueError, match=r"avg_pool2d: input of shape \(2, 3, 6, 6\).*empty output"):
        avg_pool2d(x, 7)
    with pytest.raises(ValueError, match=r"max_pool1d: kernel_size"):
        max_pool1d(x[:, :, 0], 0)
    with pytest.raises(ValueError, match=r"adaptive_avg_pool2d: output_size"):
        adaptive_avg_pool2d(x, 0)
    with pytest.raises(ValueError, match=r"global_max_pool2d: expected a 4-D input"):
        global_max_pool2d(x[0])
