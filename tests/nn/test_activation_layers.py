"""Activation layers: PyTorch parity (outputs, input and parameter gradients), configs, errors."""
import math

import numpy as np
import pytest

import neuronet as nt
from neuronet import nn
from tests.helpers import assert_close, check_grad, check_parity

# (our layer, the torch layer as a function of the torch module)
PAIRS = [
    (nn.Identity(), lambda torch: torch.nn.Identity()),
    (nn.Sigmoid(), lambda torch: torch.nn.Sigmoid()),
    (nn.Tanh(), lambda torch: torch.nn.Tanh()),
    (nn.Softsign(), lambda torch: torch.nn.Softsign()),
    (nn.ReLU(), lambda torch: torch.nn.ReLU()),
    (nn.LeakyReLU(0.1), lambda torch: torch.nn.LeakyReLU(0.1)),
    (nn.ELU(0.5), lambda torch: torch.nn.ELU(0.5)),
    (nn.SELU(), lambda torch: torch.nn.SELU()),
    (nn.SiLU(), lambda torch: torch.nn.SiLU()),
    (nn.Swish(), lambda torch: torch.nn.SiLU()),
    (nn.GELU(), lambda torch: torch.nn.GELU()),
    (nn.GELU("tanh"), lambda torch: torch.nn.GELU("tanh")),
    (nn.Softplus(2.0, 5.0), lambda torch: torch.nn.Softplus(2.0, 5.0)),
    (nn.Softmax(axis=1), lambda torch: torch.nn.Softmax(dim=1)),
    (nn.Softmax(dim=-1), lambda torch: torch.nn.Softmax(dim=-1)),
    (nn.LogSoftmax(axis=1), lambda torch: torch.nn.LogSoftmax(dim=1)),
]


@pytest.mark.parametrize("ours,theirs", PAIRS, ids=[type(ours).__name__ for ours, _ in PAIRS])
def test_torch_parity(ours, theirs, rng, torch):
    x = (rng.standard_normal((4, 5, 3)) * 2).astype(np.float32)
    check_parity(ours, theirs(torch), x)


@pytest.mark.parametrize("layer,expected", [
    (nn.LinearActivation(3.0), lambda x: 3 * x),
    (nn.ArcTan(), lambda x: 2 / math.pi * np.arctan(x)),
    (nn.Heaviside(), lambda x: (x >= 0).astype(x.dtype)),
    (nn.Step(0.0), lambda x: (x > 0).astype(x.dtype)),
    (nn.Sign(), np.sign),
    (nn.Maxout(2), lambda x: x.reshape(4, 3, 2).max(-1)),
    (nn.Activation("relu"), lambda x: np.maximum(x, 0)),
    (nn.Activation(None), lambda x: x),
])
def test_layers_without_torch_counterpart(layer, expected, rng):
    x = rng.standard_normal((4, 6)).astype(np.float32)
    x[0, 0] = 0.0
    y = layer(nt.tensor(x))
    assert y.dtype == np.float32
    assert_close(y.numpy(), expected(x))


@pytest.mark.parametrize("num_parameters,shape", [(1, (4, 3)), (3, (4, 3)), (3, (2, 3, 5, 5))])
def test_prelu_matches_torch_including_weight_gradient(num_parameters, shape, rng, torch):
    ours, theirs = nn.PReLU(num_parameters, init=0.2), torch.nn.PReLU(num_parameters, init=0.2)
    assert ours.weight.shape == tuple(theirs.weight.shape)
    np.testing.assert_array_equal(ours.weight.numpy(), theirs.weight.detach().numpy())
    x = rng.standard_normal(shape).astype(np.float32)
    g = rng.standard_normal(shape).astype(np.float32)
    y = ours(nt.tensor(x))
    y.backward(g)
    ty = theirs(torch.tensor(x))
    ty.backward(torch.tensor(g))
    assert_close(y.numpy(), ty.detach().numpy())
    assert_close(ours.weight.grad, theirs.weight.grad.numpy())
    assert [n for n, _ in ours.named_parameters()] == ["weight"]


def test_prelu_gradcheck(rng):
    layer = nn.PReLU(3)
    x = rng.uniform(0.1, 2, (2, 3, 4)) * rng.choice([-1.0, 1.0], (2, 3, 4))
    check_grad(lambda t, w: nt.F.prelu(t, w), x, layer.weight.numpy().astype(np.float64))


def test_configs_round_trip():
    for layer in (nn.LeakyReLU(0.3), nn.PReLU(4, 0.1), nn.GELU("tanh"), nn.Softplus(2.0), nn.Maxout(3),
                  nn.Activation("tanh"), nn.Softmax(axis=0), nn.Heaviside(0.5)):
        rebuilt = nn.Module.from_config(layer.get_config())
        assert type(rebuilt) is type(layer)
        assert rebuilt.get_config() == layer.get_config()


def test_layer_errors():
    with pytest.raises(ValueError, match="GELU: approximate must be 'none' or 'tanh'"):
        nn.GELU("fast")
    with pytest.raises(ValueError, match="PReLU: num_parameters must be at least 1"):
        nn.PReLU(0)
    with pytest.raises(ValueError, match="Maxout: pieces must be a positive integer"):
        nn.Maxout(0)
    with pytest.raises(ValueError, match="unknown activation 'bogus'"):
        nn.Activation("bogus")
    with pytest.raises(ValueError, match=r"prelu: weight has 3 parameters.*\(2, 4\)"):
        nn.PReLU(3)(nt.tensor(np.zeros((2, 4))))
