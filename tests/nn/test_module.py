"""The Module API: registration, traversal, modes, gradients, state dicts, configs, repr."""
import json

import numpy as np
import pytest

import neuronet as nt
from neuronet.nn import Module, Parameter


class Block(Module):
    def __init__(self):
        super().__init__()
        self.scale = Parameter(np.ones(3, np.float32))
        self.inner = nt.nn.Dense(2, in_features=3)
        self.register_buffer("count", np.zeros((), np.int64))
        self.shift = Parameter(np.zeros(3, np.float32))

    def forward(self, x):
        return self.inner(x * self.scale + self.shift)


class Net(Module):
    def __init__(self):
        super().__init__()
        self.a = Block()
        self.b = Block()
        self.b.shift = self.a.shift  # shared

    def forward(self, x):
        return self.a(x) + self.b(x)


def test_registration_order_and_names():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["a.scale", "a.shift", "a.inner.weight", "a.inner.bias", "b.scale", "b.inner.weight", "b.inner.bias"]
    assert len(list(net.parameters())) == 7  # the shared shift appears once
    assert [n for n, _ in net.named_children()] == ["a", "b"]
    assert [n for n, _ in net.named_modules()] == ["", "a", "a.inner", "b", "b.inner"]
    assert [n for n, _ in net.named_buffers()] == ["a.count", "b.count"]
    assert [n for n, _ in net.a.named_parameters(recurse=False)] == ["scale", "shift"]
    assert net.count_params() == 3 + 3 + 8 + 3 + 8


def test_assigning_a_non_parameter_to_a_parameter_name_fails():
    block = Block()
    with pytest.raises(TypeError, match=r"Block.scale is a parameter; assign a Parameter or None, got ndarray"):
        block.scale = np.ones(3)


def test_train_eval_propagate():
    net = nt.nn.Sequential(nt.nn.Dense(2, in_features=2), nt.nn.Sequential(nt.nn.Dropout(0.5)))
    net.eval()
    assert all(not m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    x = nt.tensor(np.ones((4, 2), np.float32))
    net.eval()
    assert np.array_equal(net(x).numpy(), net(x).numpy())  # dropout off


def test_zero_grad_and_requires_grad():
    net = Net()
    x = nt.tensor(np.ones((2, 3), np.float32))
    net(x).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    assert np.array_equal(net.a.shift.grad, net.a.shift.grad)
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.requires_grad_(False)
    assert not net(x).requires_grad
    net.requires_grad_(True)
    assert all(p.requires_grad for p in net.parameters())


def test_shared_parameter_gets_both_gradients():
    net = Net()
    x = nt.tensor(np.ones((2, 3), np.float32))
    net(x).sum().backward()
    w_a, w_b = net.a.inner.weight.numpy(), net.b.inner.weight.numpy()
    np.testing.assert_allclose(net.a.shift.grad, 2 * w_a.sum(0) + 2 * w_b.sum(0), rtol=1e-6)


def test_state_dict_round_trip():
    src, dst = Net(), Net()
    src.a.count[...] = 5
    state = src.state_dict()
    assert list(state) == ["a.scale", "a.shift", "a.count", "a.inner.weight", "a.inner.bias",
                           "b.scale", "b.shift", "b.count", "b.inner.weight", "b.inner.bias"]  # shared: both names, as torch
    assert dst.load_state_dict(state) == ([], [])
    for k, v in dst.state_dict().items():
        assert np.array_equal(v, state[k]), k
    assert int(dst.a.count) == 5
    state["a.scale"][0] = 99  # loading copies: later edits of the source do not leak in
    assert dst.a.scale.numpy()[0] == 1


def test_load_state_dict_strict_errors():
    net = Net()
    state = dict(net.state_dict())
    del state["a.scale"]
    state["extra"] = np.zeros(1)
    with pytest.raises(KeyError, match=r"missing keys \['a.scale'\], unexpected keys \['extra'\]"):
        net.load_state_dict(state)
    assert net.load_state_dict(state, strict=False) == (["a.scale"], ["extra"])
    bad = dict(net.state_dict())
    bad["b.inner.weight"] = np.zeros((3, 3), np.float32)
    before = net.a.scale.numpy().copy()
    bad["a.scale"] = before + 1
    with pytest.raises(ValueError, match=r"b.inner.weight expects shape \(2, 3\), the state has \(3, 3\)"):
        net.load_state_dict(bad)
    assert np.array_equal(net.a.scale.numpy(), before)  # nothing was half-loaded


def test_load_into_unbuilt_lazy_model():
    trained = nt.nn.Sequential(nt.nn.Dense(4), nt.nn.Dense(1))
    trained.build((None, 3))
    fresh = nt.nn.Sequential(nt.nn.Dense(4), nt.nn.Dense(1))
    with pytest.raises(ValueError, match=r"layers \['0', '1'\] are not built yet; call the model once"):
        fresh.load_state_dict(trained.state_dict())
    fresh.build((None, 3))
    fresh.load_state_dict(trained.state_dict())
    x = nt.tensor(np.ones((2, 3), np.float32))
    assert np.array_equal(fresh(x).numpy(), trained(x).numpy())


def test_layer_without_bias_loads_strictly():
    a, b = nt.nn.Dense(3, use_bias=False, in_features=2), nt.nn.Dense(3, use_bias=False, in_features=2)
    assert list(a.state_dict()) == ["weight"]
    b.load_state_dict(a.state_dict())
    assert np.array_equal(a.weight.numpy(), b.weight.numpy())


def test_config_round_trip_rebuilds_an_equivalent_model():
    model = nt.nn.Sequential([nt.nn.Dense(8, activation="tanh", kernel_initializer="he_normal"),
                              nt.nn.Dropout(0.25), nt.nn.LayerNorm(eps=1e-6), nt.nn.BatchNorm1D(momentum=0.2),
                              nt.nn.Dense(2, use_bias=False)])
    model.add(nt.nn.Dense(1, activation="sigmoid"))
    model.build((None, 5))
    x = nt.tensor(np.random.default_rng(0).standard_normal((6, 5)).astype(np.float32))
    model(x)  # one training step moves the running statistics
    spec = json.loads(json.dumps(model.get_config()))  # plain JSON
    again = Module.from_config(spec)
    assert isinstance(again, nt.nn.Sequential) and len(again) == 6  # "Sequential" resolves to nt.Sequential (a subclass)
    assert [type(m).__name__ for m in again] == ["Dense", "Dropout", "LayerNorm", "BatchNorm1D", "Dense", "Dense"]
    assert again[0].activation == "tanh" and again[1].rate == 0.25 and again[2].eps == 1e-6
    assert again[3].momentum == 0.2 and again[4].bias is None
    again.build((None, 5))
    again.load_state_dict(model.state_dict())
    model.eval()
    again.eval()
    np.testing.assert_array_equal(again(x).numpy(), model(x).numpy())


def test_repr_is_readable():
    model = nt.nn.Sequential(nt.nn.Dense(4, activation="relu"), nt.nn.Dropout(0.1))
    text = repr(model)
    assert text.splitlines() == ["Sequential(",
                                 "  (0): Dense(units=4, in_features=None, activation='relu', use_bias=True)",
                                 "  (1): Dropout(rate=0.1)",
                                 ")"]
    assert repr(nt.nn.Linear(3, 2)) == "Linear(in_features=3, out_features=2, bias=True)"


def test_layers_created_by_a_lazy_build_take_the_mode_of_their_parent():
    """A model first called in eval mode (a first ``predict``) must not build batch norms or
    dropout layers that run in training mode: ResidualBlock's projection shortcut used batch
    statistics, and moved its running statistics, during inference."""
    block = nt.nn.ResidualBlock(8, strides=2)   # its shortcut conv + batch norm are made in build
    block.eval()
    x = nt.tensor(np.random.default_rng(0).normal(2.0, 1.0, (4, 3, 8, 8)).astype(np.float32))
    first = block(x).data
    assert all(not m.training for m in block.modules())
    np.testing.assert_array_equal(block.shortcut_bn.running_mean, np.zeros(8, np.float32))
    np.testing.assert_array_equal(block(x).data, first)
