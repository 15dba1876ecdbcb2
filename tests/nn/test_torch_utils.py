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


class _Tower(nt.nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nt.nn.ModuleList([nt.nn.Linear(3, 3) for _ in range(2)])
        self.heads = nt.nn.ModuleDict({"a": nt.nn.Linear(3, 2), "b": nt.nn.Linear(3, 1)})

    def forward(self, x):
        for block in self.blocks:
            x = block(x).tanh()
        return self.heads["a"](x), self.heads["b"](x)


def test_module_list_and_dict_register_their_modules_like_torch(torch, rng):
    ours = _Tower()
    theirs = torch.nn.Module()
    theirs.blocks = torch.nn.ModuleList([torch.nn.Linear(3, 3) for _ in range(2)])
    theirs.heads = torch.nn.ModuleDict({"a": torch.nn.Linear(3, 2), "b": torch.nn.Linear(3, 1)})
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = rng.standard_normal((4, 3)).astype(np.float32)
    a, b = ours(x)
    h = torch.tensor(x)
    for block in theirs.blocks:
        h = torch.tanh(block(h))
    assert_close(a.numpy(), theirs.heads["a"](h).detach().numpy())
    assert len(list(ours.parameters())) == 8


def test_module_list_and_dict_operations():
    blocks = nt.nn.ModuleList([nt.nn.ReLU(), nt.nn.Tanh()])
    blocks.append(nt.nn.Sigmoid())
    blocks.insert(0, nt.nn.Identity())
    blocks += [nt.nn.ELU()]
    assert [type(m).__name__ for m in blocks] == ["Identity", "ReLU", "Tanh", "Sigmoid", "ELU"]
    del blocks[1]
    blocks[0] = nt.nn.Linear(2, 2)
    assert [name for name, _ in blocks.named_children()] == ["0", "1", "2", "3"]
    assert list(blocks.state_dict()) == ["0.weight", "0.bias"] and type(blocks[1:]) is nt.nn.ModuleList
    again = nt.nn.Module.from_config(blocks.get_config())
    assert [type(m).__name__ for m in again] == ["Linear", "Tanh", "Sigmoid", "ELU"]
    heads = nt.nn.ModuleDict()
    heads["x"] = nt.nn.Linear(2, 1)
    heads.update({"y": nt.nn.ReLU()})
    assert heads.keys() == ["x", "y"] and "x" in heads and len(heads) == 2
    assert type(nt.nn.Module.from_config(heads.get_config())["x"]) is nt.nn.Linear
    heads.pop("y")
    assert list(heads) == ["x"]
    with pytest.raises(KeyError, match="no module under 'z'"):
        heads["z"]
    with pytest.raises(KeyError, match="'keys' is the name of an attribute"):
        heads["keys"] = nt.nn.ReLU()
    with pytest.raises(TypeError, match="ModuleList.append: expected a Module"):
        blocks.append(3)
    with pytest.raises(IndexError, match="index 9 is out of range for 4 modules"):
        blocks[9]
