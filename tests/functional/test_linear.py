"""linear and the fused dense op: gradient checks, PyTorch parity, shape errors."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.functional import dense, linear
from neuronet.functional import activation as A
from tests.helpers import check_grad, check_parity

X_SHAPES = [(4,), (5, 4), (2, 3, 4)]


def _linear_inputs(rng, x_shape, with_bias):
    x, w, b = rng.standard_normal(x_shape), rng.standard_normal((3, 4)), rng.standard_normal(3)
    return (x, w, b) if with_bias else (x, w)


@pytest.mark.parametrize("x_shape", X_SHAPES)
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_grad(x_shape, with_bias, rng):
    check_grad(linear, *_linear_inputs(rng, x_shape, with_bias))


@pytest.mark.parametrize("x_shape", X_SHAPES)
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear(x_shape, with_bias, rng, TF):
    arrays = _linear_inputs(rng, x_shape, with_bias)
    check_parity(linear, TF.linear, *[a.astype(np.float32) for a in arrays])


def torch_act(torch):
    """The torch function after the linear map, for each activation ``dense`` takes."""
    TF = torch.nn.functional
    return {None: lambda z: z, "relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
            "gelu": TF.gelu, "softmax": lambda z: torch.softmax(z, -1), "identity": lambda z: z}


DENSE_ACTIVATIONS = [None, "relu", "tanh", "sigmoid", "gelu", "softmax", "identity"]


def _dense_inputs(rng, x_shape, activation):
    x, w, b = rng.standard_normal(x_shape), rng.standard_normal((3, 4)), rng.standard_normal(3)
    if activation == "relu":  # keep pre-activations away from relu's kink at 0
        z = x @ w.T + b
        b = b + np.where(np.abs(z) < 0.1, 0.3, 0.0).reshape(-1, 3).max(axis=0)
    return x, w, b


@pytest.mark.parametrize("activation", DENSE_ACTIVATIONS)
@pytest.mark.parametrize("x_shape", X_SHAPES)
def test_dense_grad(activation, x_shape, rng):
    fn = lambda *a: dense(*a, activation=activation)  # noqa: E731
    check_grad(fn, *_dense_inputs(rng, x_shape, activation))


@pytest.mark.parametrize("activation", DENSE_ACTIVATIONS)
@pytest.mark.parametrize("x_shape", X_SHAPES)
def test_dense(activation, x_shape, rng, torch, TF):
    x, w, b = _dense_inputs(rng, x_shape, activation)
    fn = lambda *a: dense(*a, activation=activation)  # noqa: E731
    act = torch_act(torch)[activation]
    check_parity(fn, lambda *a: act(TF.linear(*a)), *[a.astype(np.float32) for a in (x, w, b)])


def test_dense_accepts_activation_functions_and_fuses_them(rng):
    x = nt.tensor(rng.standard_normal((5, 4)).astype(np.float32), requires_grad=True)
    w = nt.tensor(rng.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    for act in (A.relu, A.tanh, A.sigmoid, "ReLU"):
        y = dense(x, w, activation=act)
        assert type(y._creator).__name__ == "Affine"
        np.testing.assert_allclose(y.numpy(), A.get_activation(act if not isinstance(act, str) else "relu")(
            linear(x, w)).numpy(), rtol=1e-6)
    assert type(dense(x, w, activation="elu")._creator).__name__ == "ELU"


def test_linear_keeps_float32(rng):
    x = nt.tensor(rng.standard_normal((5, 4)).astype(np.float32), requires_grad=True)
    w = nt.tensor(rng.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    b = nt.tensor(np.zeros(3, np.float32), requires_grad=True)
    y = dense(x, w, b, activation="tanh")
    assert y.dtype == np.float32
    y.backward(np.ones((5, 3), np.float32))
    assert x.grad.dtype == w.grad.dtype == b.grad.dtype == np.float32


def test_shape_errors_name_the_op_and_shapes():
    x, w = nt.tensor(np.zeros((5, 4))), nt.tensor(np.zeros((3, 6)))
    with pytest.raises(ValueError, match=r"linear: input of shape \(5, 4\) has 4 features .* weight of shape \(3, 6\) expects 6"):
        linear(x, w)
    with pytest.raises(ValueError, match=r"dense: input of shape \(5, 4\)"):
        dense(x, w, activation="relu")
    with pytest.raises(ValueError, match=r"linear: bias must have shape \(3,\)"):
        linear(x, nt.tensor(np.zeros((3, 4))), nt.tensor(np.zeros(4)))
    with pytest.raises(ValueError, match=r"linear: weight must have shape \(out_features, in_features\)"):
        linear(x, nt.tensor(np.zeros(4)))
    with pytest.raises(ValueError, match="unknown activation"):
        dense(nt.tensor(np.zeros((5, 4))), nt.tensor(np.zeros((3, 4))), activation="nope")
