"""Dense/Linear layers: PyTorch parity (outputs and every gradient), lazy build, errors, XOR learning."""
import math

import numpy as np
import pytest

import neuronet as nt
from tests.helpers import assert_close

TORCH_ACT = {None: lambda t: t, "relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid", "gelu": "gelu", "elu": "elu"}


@pytest.mark.parametrize("activation", list(TORCH_ACT))
@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4)])
def test_dense_parity_with_torch_linear(rng, activation, shape, torch):
    layer = nt.nn.Dense(3, activation=activation)
    x = rng.standard_normal(shape).astype(np.float32)
    xt = nt.tensor(x, requires_grad=True)
    y = layer(xt)  # builds: weight (3, 4)
    tl = torch.nn.Linear(4, 3)
    with torch.no_grad():
        tl.weight.copy_(torch.tensor(layer.weight.numpy()))
        tl.bias.copy_(torch.tensor(rng.standard_normal(3).astype(np.float32)))
    layer.load_state_dict({k: v.detach().numpy() for k, v in tl.state_dict().items()})
    y = layer(xt)
    tx = torch.tensor(x, requires_grad=True)
    act = TORCH_ACT[activation]
    ty = act(tl(tx)) if callable(act) else getattr(torch.nn.functional, act)(tl(tx))
    assert y.dtype == np.float32
    assert_close(y.numpy(), ty.detach().numpy(), what="output")
    cot = rng.standard_normal(y.shape).astype(np.float32)
    y.backward(cot)
    ty.backward(torch.tensor(cot))
    assert_close(xt.grad, tx.grad.numpy(), what="input grad")
    assert_close(layer.weight.grad, tl.weight.grad.numpy(), what="weight grad")
    assert_close(layer.bias.grad, tl.bias.grad.numpy(), what="bias grad")


def test_linear_is_torch_style(rng, torch):
    layer = nt.nn.Linear(6, 2)
    assert layer.built and layer.weight.shape == (2, 6) and layer.bias.shape == (2,) and layer.out_features == 2
    bound = 1 / math.sqrt(6)
    assert np.abs(layer.weight.numpy()).max() <= bound and np.abs(layer.bias.numpy()).max() <= bound
    assert nt.nn.Linear(6, 2, bias=False).bias is None
    tl = torch.nn.Linear(6, 2)
    layer.load_state_dict({k: v.detach().numpy() for k, v in tl.state_dict().items()})
    x = rng.standard_normal((3, 6)).astype(np.float32)
    assert_close(layer(nt.tensor(x)).numpy(), tl(torch.tensor(x)).detach().numpy())


def test_dense_lazy_build_and_initialisers():
    layer = nt.nn.Dense(50, kernel_initializer="glorot_uniform", bias_initializer="ones")
    assert not layer.built and layer.weight is None and list(layer.parameters()) == []
    layer(nt.tensor(np.zeros((2, 70), np.float32)))
    assert layer.built and layer.in_features == 70 and layer.weight.shape == (50, 70)
    assert layer.weight.dtype == np.float32 and np.all(layer.bias.numpy() == 1)
    assert np.abs(layer.weight.numpy()).max() <= math.sqrt(6 / 120)
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    eager = nt.nn.Dense(4, in_features=3, use_bias=False, kernel_initializer="zeros")
    assert eager.built and eager.weight.shape == (4, 3) and eager.bias is None
    assert np.array_equal(eager(nt.tensor(np.ones((1, 3), np.float32))).numpy(), np.zeros((1, 4)))


def test_dense_stores_regularizers_as_given():
    layer = nt.nn.Dense(2, kernel_regularizer="l2", bias_regularizer=("l1", 0.1))
    assert layer.kernel_regularizer == "l2" and layer.bias_regularizer == ("l1", 0.1)


def test_dense_errors():
    layer = nt.nn.Dense(3, in_features=4)
    with pytest.raises(ValueError, match=r"Dense\(units=3\): expected input of shape \(\.\.\., 4\) as the layer was "
                                         r"built for 4 input features, received shape \(2, 5\)"):
        layer(nt.tensor(np.zeros((2, 5), np.float32)))
    with pytest.raises(ValueError, match=r"Linear\(in_features=2, out_features=3\): expected input of shape \(\.\.\., 2\)"):
        nt.nn.Linear(2, 3)(nt.tensor(np.zeros((2, 5), np.float32)))
    with pytest.raises(ValueError, match="Dense: units must be a positive integer, got 0"):
        nt.nn.Dense(0)
    with pytest.raises(ValueError, match="unknown activation 'relux'"):
        nt.nn.Dense(3, activation="relux")
    with pytest.raises(ValueError, match="unknown initializer 'glorot'"):
        nt.nn.Dense(3, kernel_initializer="glorot")


def test_xor_mlp_learns_with_plain_gradient_descent():
    """A 2-4-1 network of Dense layers, trained with a hand-written gradient-descent loop."""
    nt.manual_seed(1)
    x = nt.tensor(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32))
    y = np.array([[0], [1], [1], [0]], np.float32)
    hidden, out = nt.nn.Dense(4, activation="tanh"), nt.nn.Dense(1, activation="sigmoid")
    params = None
    for _ in range(2000):
        p = out(hidden(x))
        loss = ((p - nt.tensor(y)) ** 2).mean()
        params = params or list(hidden.parameters()) + list(out.parameters())
        for q in params:
            q.grad = None
        loss.backward()
        with nt.no_grad():
            for q in params:
                q.data -= 2.0 * q.grad
    pred = (out(hidden(x)).numpy() > 0.5).astype(np.float32)
    assert np.array_equal(pred, y), f"predictions {pred.ravel()} after loss {loss.item():.4f}"
