"""Conv layers: lazy build, PyTorch layouts and init, parity with torch.nn conv layers, errors, LeNet shapes."""
import math

import numpy as np
import pytest

import neuronet as nt
from neuronet.nn.layers.conv import Conv1D, Conv1DTranspose, Conv2D, Conv2DTranspose, DepthwiseConv2D
from neuronet.nn.layers.pool import MaxPool2D
from tests.helpers import assert_close


def _parity(torch, layer, tlayer, x, rng):
    """Copy the layer's weights into the torch layer; outputs and all gradients must agree."""
    xt = nt.tensor(x, requires_grad=True)
    y = layer(xt)
    with torch.no_grad():
        tlayer.weight.copy_(torch.tensor(layer.weight.numpy()))
        if layer.bias is not None:
            tlayer.bias.copy_(torch.tensor(layer.bias.numpy()))
    tx = torch.tensor(x, requires_grad=True)
    ty = tlayer(tx)
    assert_close(y.numpy(), ty.detach().numpy(), what="output")
    g = rng.standard_normal(y.shape).astype(np.float32)
    y.backward(g)
    ty.backward(torch.tensor(g))
    assert_close(xt.grad, tx.grad.numpy(), what="input gradient")
    assert_close(layer.weight.grad, tlayer.weight.grad.numpy(), what="weight gradient")
    if layer.bias is not None:
        assert_close(layer.bias.grad, tlayer.bias.grad.numpy(), what="bias gradient")


@pytest.mark.parametrize("kwargs,tkwargs", [
    (dict(), dict()),
    (dict(strides=2, padding=1), dict(stride=2, padding=1)),
    (dict(padding="same", dilation_rate=2), dict(padding="same", dilation=2)),
    (dict(padding=1, groups=2, use_bias=False), dict(padding=1, groups=2, bias=False)),
    (dict(padding=2, padding_mode="reflect"), dict(padding=2, padding_mode="reflect")),
    (dict(padding=(1, 2), padding_mode="replicate"), dict(padding=(1, 2), padding_mode="replicate")),
    (dict(padding=1, padding_mode="circular"), dict(padding=1, padding_mode="circular")),
])
def test_conv2d_layer_parity(kwargs, tkwargs, rng, torch):
    layer = Conv2D(6, 3, **kwargs)
    x = rng.standard_normal((2, 4, 8, 7)).astype(np.float32)
    layer(nt.tensor(x))
    assert layer.weight.shape == (6, 4 // kwargs.get("groups", 1), 3, 3)
    _parity(torch, layer, torch.nn.Conv2d(4, 6, 3, **tkwargs), x, rng)


def test_conv2d_layer_fused_relu_parity(rng, torch):
    layer = Conv2D(5, (3, 2), activation="relu")
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    layer(nt.tensor(x))
    t = torch.nn.Conv2d(3, 5, (3, 2))
    with torch.no_grad():
        t.weight.copy_(torch.tensor(layer.weight.numpy()))
        t.bias.copy_(torch.tensor(layer.bias.numpy()))
    assert_close(layer(nt.tensor(x)).numpy(), torch.relu(t(torch.tensor(x))).detach().numpy())


def test_conv1d_layer_parity(rng, torch):
    layer = Conv1D(4, 3, strides=2, padding=1)
    x = rng.standard_normal((2, 3, 11)).astype(np.float32)
    layer(nt.tensor(x))
    assert layer.weight.shape == (4, 3, 3)
    _parity(torch, layer, torch.nn.Conv1d(3, 4, 3, stride=2, padding=1), x, rng)


@pytest.mark.parametrize("kwargs,tkwargs", [
    (dict(strides=2), dict(stride=2)),
    (dict(strides=2, padding=1, output_padding=1), dict(stride=2, padding=1, output_padding=1)),
    (dict(groups=2, dilation_rate=2), dict(groups=2, dilation=2)),
])
def test_conv2d_transpose_layer_parity(kwargs, tkwargs, rng, torch):
    layer = Conv2DTranspose(6, 3, **kwargs)
    x = rng.standard_normal((2, 4, 5, 4)).astype(np.float32)
    layer(nt.tensor(x))
    assert layer.weight.shape == (4, 6 // kwargs.get("groups", 1), 3, 3)
    _parity(torch, layer, torch.nn.ConvTranspose2d(4, 6, 3, **tkwargs), x, rng)


def test_conv1d_transpose_layer_parity(rng, torch):
    layer = Conv1DTranspose(2, 4, strides=2, padding=1)
    x = rng.standard_normal((2, 3, 6)).astype(np.float32)
    layer(nt.tensor(x))
    _parity(torch, layer, torch.nn.ConvTranspose1d(3, 2, 4, stride=2, padding=1), x, rng)


@pytest.mark.parametrize("depth_multiplier", [1, 2])
def test_depthwise_conv2d_parity(depth_multiplier, rng, torch):
    layer = DepthwiseConv2D(3, depth_multiplier=depth_multiplier, padding="same")
    x = rng.standard_normal((2, 4, 6, 6)).astype(np.float32)
    layer(nt.tensor(x))
    assert layer.weight.shape == (4 * depth_multiplier, 1, 3, 3)
    _parity(torch, layer, torch.nn.Conv2d(4, 4 * depth_multiplier, 3, padding="same", groups=4), x, rng)


def test_default_init_is_pytorch_uniform_bound():
    layer = Conv2D(64, 5)
    layer(nt.tensor(np.zeros((1, 8, 9, 9), np.float32)))
    bound = 1 / math.sqrt(8 * 25)
    w, b = layer.weight.numpy(), layer.bias.numpy()
    assert w.dtype == np.float32 and np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(b).max() <= bound
    he = Conv2D(64, 5, kernel_initializer="he_normal", bias_initializer="zeros")
    he(nt.tensor(np.zeros((1, 8, 9, 9), np.float32)))
    assert np.abs(he.bias.numpy()).max() == 0
    assert abs(he.weight.numpy().std() - math.sqrt(2 / 200)) < 0.1 * math.sqrt(2 / 200)


def test_lenet_shapes():
    net = nt.nn.Sequential(Conv2D(6, 5, activation="relu"), MaxPool2D(2), Conv2D(16, 5, activation="relu"),
                           MaxPool2D(2))
    x = nt.tensor(np.random.default_rng(0).standard_normal((4, 3, 32, 32)).astype(np.float32))
    y = net(x)
    assert y.shape == (4, 16, 5, 5)
    y.sum().backward()
    assert all(p.grad is not None and p.grad.shape == p.shape for p in net.parameters())
    assert sum(p.data.size for p in net.parameters()) == (6 * 3 * 25 + 6) + (16 * 6 * 25 + 16)


def test_conv_layer_errors():
    with pytest.raises(ValueError, match=r"Conv2D\(filters=6, kernel_size=\(5, 5\)\): expected a 4-D input .*\(3, 32, 32\)"):
        Conv2D(6, 5)(nt.tensor(np.zeros((3, 32, 32), np.float32)))
    layer = Conv2D(6, 5)
    layer(nt.tensor(np.zeros((1, 3, 8, 8), np.float32)))
    with pytest.raises(ValueError, match=r"Conv2D.*built for 3 channels, received shape \(1, 4, 8, 8\)"):
        layer(nt.tensor(np.zeros((1, 4, 8, 8), np.float32)))
    with pytest.raises(ValueError, match=r"Conv2D: filters"):
        Conv2D(0, 3)
    with pytest.raises(ValueError, match=r"Conv2D: padding='same' needs strides 1"):
        Conv2D(4, 3, strides=2, padding="same")
    with pytest.raises(ValueError, match=r"Conv2D: padding_mode"):
        Conv2D(4, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match=r"Conv2DTranspose: padding must be an int or tuple"):
        Conv2DTranspose(4, 3, padding="same")
    with pytest.raises(ValueError, match=r"get_activation|unknown activation"):
        Conv2D(4, 3, activation="nope")
    with pytest.raises(ValueError, match=r"Conv2D\(filters=4.*divisible by groups=2"):
        Conv2D(4, 3, groups=2)(nt.tensor(np.zeros((1, 3, 8, 8), np.float32)))
    with pytest.raises(ValueError, match=r"Conv1D.*expected a 3-D input"):
        Conv1D(4, 3)(nt.tensor(np.zeros((1, 3, 8, 8), np.float32)))
