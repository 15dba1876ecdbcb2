"""nt.nn.utils (clip_grad_norm_, clip_grad_value_, parameters_to_vector, vector_to_parameters) and nt.nn.init's
in-place initialisers, as torch.nn.utils and torch.nn.init."""
import math

import numpy as np
import pytest

import neuronet as nt
from tests.helpers import assert_close


def test_nn_utils_clip_is_the_optim_function_and_matches_torch(torch, rng):
    assert nt.nn.utils.clip_grad_norm_ is nt.optim.clip_grad_norm_
    grads = [rng.standard_normal(s).astype(np.float32) for s in ((3, 4), (4,))]
    ours = [nt.nn.Parameter(np.zeros(g.shape, np.float32)) for g in grads]
    theirs = [torch.nn.Parameter(torch.zeros(g.shape)) for g in grads]
    for p, tp, g in zip(ours, theirs, grads):
        p.grad, tp.grad = g.copy(), torch.tensor(g)
    total = nt.nn.utils.clip_grad_norm_(ours, 0.5)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs, 0.5)
    assert math.isclose(total, float(ttotal), rel_tol=1e-5)
    nt.nn.utils.clip_grad_value_(ours, 0.1)
    torch.nn.utils.clip_grad_value_(theirs, 0.1)
    for p, tp in zip(ours, theirs):
        assert_close(p.grad, tp.grad.numpy())


def test_parameters_to_vector_and_back(torch):
    model = nt.nn.Linear(3, 2)
    tmodel = torch.nn.Linear(3, 2)
    model.load_state_dict({k: v.detach().numpy() for k, v in tmodel.state_dict().items()})
    vec = nt.nn.utils.parameters_to_vector(model.parameters())
    assert_close(vec.numpy(), torch.nn.utils.parameters_to_vector(tmodel.parameters()).detach().numpy())
    (vec * vec).sum().backward()  # differentiable, as in torch
    assert_close(model.weight.grad, 2 * model.weight.data)
    nt.nn.utils.vector_to_parameters(nt.arange(8).float(), model.parameters())
    assert model.weight.data.ravel().tolist() == [0, 1, 2, 3, 4, 5] and model.bias.data.tolist() == [6, 7]
    with pytest.raises(ValueError, match="the parameters hold 8 values, the vector 3"):
        nt.nn.utils.vector_to_parameters(nt.zeros(3), model.parameters())


@pytest.mark.parametrize("name,args,check", [
    ("xavier_uniform_", {}, lambda w: np.abs(w).max() <= math.sqrt(6 / (64 + 32))),
    ("xavier_normal_", {"gain": 2.0}, lambda w: abs(w.std() - 2 * math.sqrt(2 / 96)) < 0.02),
    ("kaiming_uniform_", {"nonlinearity": "relu"}, lambda w: np.abs(w).max() <= math.sqrt(6 / 32)),
    ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}, lambda w: abs(w.std() - math.sqrt(2 / 64)) < 0.02),
    ("uniform_", {}, lambda w: w.min() >= 0 and w.max() < 1 and w.mean() > 0.4),
    ("normal_", {"std": 0.5}, lambda w: abs(w.std() - 0.5) < 0.05),
    ("trunc_normal_", {"std": 1.0, "a": -1.0, "b": 1.0}, lambda w: np.abs(w).max() <= 1 and abs(w.std() - 0.54) < 0.05),
    ("constant_", {"val": 0.3}, lambda w: np.all(w == np.float32(0.3))),
    ("zeros_", {}, lambda w: not w.any()),
    ("ones_", {}, lambda w: np.all(w == 1)),
    ("orthogonal_", {}, lambda w: np.allclose(w.T @ w, np.eye(32), atol=1e-5)),
])
def test_in_place_initialisers(name, args, check):
    w = nt.nn.Linear(32, 64).weight
    out = getattr(nt.nn.init, name)(w, **args)
    assert out is w and w.data.shape == (64, 32) and w.data.dtype == np.float32
    assert check(w.data)


def test_eye_and_init_errors():
    w = nt.nn.Parameter(np.zeros((2, 3), np.float32))
    nt.nn.init.eye_(w)
    assert np.array_equal(w.data, np.eye(2, 3))
    with pytest.raises(TypeError, match=r"init.xavier_uniform_: expected a Tensor \(e.g. layer.weight\), got ndarray"):
        nt.nn.init.xavier_uniform_(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        nt.nn.init.xavier_uniform_(nt.nn.Linear(2, 3).bias)
    with pytest.raises(TypeError, match="must be floating point"):
        nt.nn.init.zeros_(nt.tensor([1, 2]))
