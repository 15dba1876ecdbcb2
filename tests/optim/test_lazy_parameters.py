"""An optimizer made before a lazy model's first call (PyTorch's order) trains every layer."""
import numpy as np
import pytest

import neuronet as nt
import neuronet.functional as F


def text_model():
    return nt.nn.Sequential([nt.nn.Embedding(50, 8), nt.nn.LSTM(16), nt.nn.Dense(2)])


def data():
    rng = np.random.default_rng(0)
    return rng.integers(0, 50, (8, 6)), np.arange(8) % 2


def train(model, opt, steps=3):
    x, y = data()
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(model(x), nt.tensor(y)).backward()
        opt.step()


def test_optimizer_made_before_the_first_call_trains_the_layers_built_later():
    model = text_model()
    opt = nt.optim.Adam(model.parameters(), lr=0.01)
    assert len(opt.param_groups[0]["params"]) == 1          # only the embedding exists yet
    model(data()[0])                                         # builds the LSTM and the Dense layer
    before = {n: p.data.copy() for n, p in model.named_parameters()}
    train(model, opt)
    assert len(before) == 7
    unchanged = [n for n, p in model.named_parameters() if np.array_equal(before[n], p.data)]
    assert unchanged == []


def test_same_trajectory_and_state_as_an_optimizer_made_after_the_build():
    nt.manual_seed(1)
    early = text_model()
    opt_early = nt.optim.Adam(early.parameters(), lr=0.01)
    early(data()[0])
    late = text_model()
    late(data()[0])
    late.load_state_dict(early.state_dict())
    opt_late = nt.optim.Adam(late.parameters(), lr=0.01)
    train(early, opt_early)
    train(late, opt_late)
    for (n, a), (_, b) in zip(early.named_parameters(), late.named_parameters()):
        np.testing.assert_array_equal(a.data, b.data, err_msg=n)
    assert opt_early.state_dict()["param_groups"] == opt_late.state_dict()["param_groups"]


def test_parameter_groups_and_a_wholly_lazy_model():
    body, head = nt.nn.Dense(8, activation="tanh"), nt.nn.Dense(2)
    opt = nt.optim.SGD([{"params": body.parameters()}, {"params": head.parameters(), "lr": 0.5}], lr=0.1)
    assert [len(g["params"]) for g in opt.param_groups] == [0, 0]
    x = nt.tensor(np.ones((4, 3), np.float32))
    F.cross_entropy(head(body(x)), nt.tensor(np.array([0, 1, 0, 1]))).backward()
    opt.step()
    assert [len(g["params"]) for g in opt.param_groups] == [2, 2]
    assert opt.param_groups[1]["params"][0] is head.weight


def test_lookahead_over_a_lazy_model():
    model = text_model()
    opt = nt.optim.Lookahead(nt.optim.SGD(model.parameters(), lr=0.1), k=2)
    model(data()[0])
    train(model, opt, steps=4)
    assert len(opt.state) == 7


def test_a_model_without_parameters_is_still_an_error():
    with pytest.raises(ValueError, match="empty parameter list"):
        nt.optim.SGD(nt.nn.Sequential([nt.nn.ReLU()]).parameters(), lr=0.1)


def test_parameters_is_a_one_pass_iterator_that_knows_its_module():
    model = text_model()
    params = model.parameters()
    assert params.module is model and iter(params) is params
    assert len(list(params)) == 1 and list(params) == []
    assert model.unbuilt_modules() == ["1", "2"]
