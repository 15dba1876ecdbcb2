"""Pooling layers: parity with torch.nn pooling modules, shapes, errors."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.nn.layers.pool import (AdaptiveAvgPool2D, AvgPool1D, AvgPool2D, GlobalAvgPool1D, GlobalAvgPool2D,
                                     GlobalMaxPool1D, GlobalMaxPool2D, MaxPool1D, MaxPool2D)
from tests.helpers import assert_close


def _parity(torch, layer, tlayer, x, rng):
    xt, tx = nt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = layer(xt), tlayer(tx)
    assert_close(y.numpy(), ty.detach().numpy(), what="output")
    g = rng.standard_normal(y.shape).astype(np.float32)
    y.backward(g)
    ty.backward(torch.tensor(g))
    assert_close(xt.grad, tx.grad.numpy(), what="input gradient")


# (our layer, the torch layer as a function of the torch module, input shape)
@pytest.mark.parametrize("layer,tlayer,shape", [
    (MaxPool2D(2), lambda torch: torch.nn.MaxPool2d(2), (2, 3, 8, 8)),
    (MaxPool2D(3, strides=2, padding=1, ceil_mode=True), lambda torch: torch.nn.MaxPool2d(3, 2, 1, ceil_mode=True),
     (2, 3, 8, 9)),
    (MaxPool2D((2, 3), strides=1), lambda torch: torch.nn.MaxPool2d((2, 3), 1), (2, 3, 5, 6)),
    (AvgPool2D(2), lambda torch: torch.nn.AvgPool2d(2), (2, 3, 8, 8)),
    (AvgPool2D(3, strides=2, padding=1, count_include_pad=False),
     lambda torch: torch.nn.AvgPool2d(3, 2, 1, count_include_pad=False), (2, 3, 7, 8)),
    (MaxPool1D(3, strides=2), lambda torch: torch.nn.MaxPool1d(3, 2), (2, 3, 9)),
    (AvgPool1D(2, ceil_mode=True), lambda torch: torch.nn.AvgPool1d(2, ceil_mode=True), (2, 3, 9)),
    (AdaptiveAvgPool2D((2, 3)), lambda torch: torch.nn.AdaptiveAvgPool2d((2, 3)), (2, 3, 7, 8)),
    (GlobalAvgPool2D(), lambda torch: torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten()),
     (2, 3, 5, 4)),
    (GlobalMaxPool2D(), lambda torch: torch.nn.Sequential(torch.nn.AdaptiveMaxPool2d(1), torch.nn.Flatten()),
     (2, 3, 5, 4)),
    (GlobalAvgPool1D(), lambda torch: torch.nn.Sequential(torch.nn.AdaptiveAvgPool1d(1), torch.nn.Flatten()),
     (2, 3, 5)),
    (GlobalMaxPool1D(), lambda torch: torch.nn.Sequential(torch.nn.AdaptiveMaxPool1d(1), torch.nn.Flatten()),
     (2, 3, 5)),
])
def test_pool_layer_parity(layer, tlayer, shape, rng, torch):
    _parity(torch, layer, tlayer(torch), rng.standard_normal(shape).astype(np.float32), rng)


def test_pool_layers_have_no_parameters_and_keepdims():
    assert list(MaxPool2D(2).parameters()) == []
    y = GlobalAvgPool2D(keepdims=True)(nt.tensor(np.ones((2, 3, 4, 4), np.float32)))
    assert y.shape == (2, 3, 1, 1)


def test_pool_layer_errors():
    with pytest.raises(ValueError, match=r"MaxPool2D\(pool_size=\(2, 2\)\): expected a 4-D input.*\(3, 8, 8\)"):
        MaxPool2D(2)(nt.tensor(np.zeros((3, 8, 8), np.float32)))
    with pytest.raises(ValueError, match=r"AvgPool1D.*expected a 3-D input"):
        AvgPool1D(2)(nt.tensor(np.zeros((1, 3, 8, 8), np.float32)))
    with pytest.raises(ValueError, match=r"MaxPool2D: pool_size"):
        MaxPool2D(0)
    with pytest.raises(ValueError, match=r"global_avg_pool2d: expected a 4-D input"):
        GlobalAvgPool2D()(nt.tensor(np.zeros((3, 8), np.float32)))
