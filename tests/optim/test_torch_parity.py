"""SGD, Adagrad, RMSprop, Adam and AdamW follow torch.optim's parameter trajectories step for step."""
import json

import numpy as np
import pytest

import neuronet as nt
import neuronet.optim as optim
from tests.helpers import assert_close

SHAPES = [(3, 4), (5,), (2, 3, 2), ()]
STEPS = 25


def make_params(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(np.float32) for s in SHAPES]


def gradient(arrays, step):
    """A gradient that depends on the current parameters (a non-quadratic bowl) plus fixed noise."""
    rng = np.random.default_rng(100 + step)
    return [np.asarray(2 * a + 0.5 * a ** 3 - 1 + 0.3 * rng.standard_normal(a.shape), dtype=np.float32) for a in arrays]


def run_neuronet(make_opt, steps=STEPS, params=None):
    params = params or [nt.nn.Parameter(a) for a in make_params()]
    opt = make_opt(params)
    traj = []
    for k in range(steps):
        for p, g in zip(params, gradient([p.data for p in params], k)):
            p.grad = g
        opt.step()
        traj.append([p.data.copy() for p in params])
    return traj, params, opt


def run_torch(torch, make_opt, steps=STEPS):
    params = [torch.tensor(a, requires_grad=True) for a in make_params()]
    opt = make_opt(params)
    traj = []
    for k in range(steps):
        for p, g in zip(params, gradient([p.detach().numpy() for p in params], k)):
            p.grad = torch.from_numpy(g)
        opt.step()
        traj.append([p.detach().numpy().copy() for p in params])
    return traj


def assert_same_trajectory(ours, theirs):
    for k, (a, b) in enumerate(zip(ours, theirs)):
        for i, (x, y) in enumerate(zip(a, b)):
            assert x.dtype == np.float32
            assert_close(x, y, 1e-5, what=f"step {k}, parameter {i}")


CASES = {  # our optimizer for each case; torch_cases gives torch's
    "sgd": lambda p: optim.SGD(p, lr=0.05),
    "sgd_momentum": lambda p: optim.SGD(p, lr=0.05, momentum=0.9),
    "sgd_dampening": lambda p: optim.SGD(p, lr=0.05, momentum=0.8, dampening=0.3),
    "sgd_nesterov": lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    "sgd_weight_decay": lambda p: optim.SGD(p, lr=0.05, momentum=0.5, weight_decay=0.1),
    "adagrad": lambda p: optim.Adagrad(p, lr=0.1),
    "adagrad_options": lambda p: optim.Adagrad(p, lr=0.1, lr_decay=0.05, weight_decay=0.1,
                                               initial_accumulator_value=0.2),
    "rmsprop": lambda p: optim.RMSprop(p, lr=0.01),
    "rmsprop_momentum": lambda p: optim.RMSprop(p, lr=0.01, momentum=0.9, weight_decay=0.05),
    "rmsprop_centered": lambda p: optim.RMSprop(p, lr=0.01, alpha=0.9, centered=True, momentum=0.5),
    "adam": lambda p: optim.Adam(p, lr=0.01),
    "adam_amsgrad_wd": lambda p: optim.Adam(p, lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True),
    "adamw": lambda p: optim.AdamW(p, lr=0.01),
    "adamw_amsgrad": lambda p: optim.AdamW(p, lr=0.01, weight_decay=0.2, amsgrad=True),
}


def torch_cases(torch):
    """torch.optim's optimizer for each CASES entry."""
    return {
        "sgd": lambda p: torch.optim.SGD(p, lr=0.05, foreach=False),
        "sgd_momentum": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, foreach=False),
        "sgd_dampening": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, dampening=0.3, foreach=False),
        "sgd_nesterov": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, foreach=False),
        "sgd_weight_decay": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.5, weight_decay=0.1, foreach=False),
        "adagrad": lambda p: torch.optim.Adagrad(p, lr=0.1, foreach=False),
        "adagrad_options": lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=0.05, weight_decay=0.1,
                                                         initial_accumulator_value=0.2, foreach=False),
        "rmsprop": lambda p: torch.optim.RMSprop(p, lr=0.01, foreach=False),
        "rmsprop_momentum": lambda p: torch.optim.RMSprop(p, lr=0.01, momentum=0.9, weight_decay=0.05,
                                                          foreach=False),
        "rmsprop_centered": lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, centered=True, momentum=0.5,
                                                          foreach=False),
        "adam": lambda p: torch.optim.Adam(p, lr=0.01, foreach=False),
        "adam_amsgrad_wd": lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True,
                                                      foreach=False),
        "adamw": lambda p: torch.optim.AdamW(p, lr=0.01, foreach=False),
        "adamw_amsgrad": lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.2, amsgrad=True, foreach=False),
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_trajectory_matches_torch(case, torch):
    ours, theirs = CASES[case], torch_cases(torch)[case]
    assert_same_trajectory(run_neuronet(ours)[0], run_torch(torch, theirs))


def test_param_groups_with_their_own_lr_match_torch(torch):
    def ours(p):
        return optim.SGD([{"params": p[:2]}, {"params": p[2:], "lr": 0.2, "momentum": 0.5}], lr=0.05, momentum=0.9)

    def theirs(p):
        return torch.optim.SGD([{"params": p[:2]}, {"params": p[2:], "lr": 0.2, "momentum": 0.5}], lr=0.05,
                               momentum=0.9, foreach=False)
    assert_same_trajectory(run_neuronet(ours)[0], run_torch(torch, theirs))
    adam_groups = (lambda p: optim.Adam([{"params": p[:1], "lr": 0.03}, {"params": p[1:]}], lr=0.01),
                   lambda p: torch.optim.Adam([{"params": p[:1], "lr": 0.03}, {"params": p[1:]}], lr=0.01,
                                              foreach=False))
    assert_same_trajectory(run_neuronet(adam_groups[0])[0], run_torch(torch, adam_groups[1]))


@pytest.mark.parametrize("case", ["sgd_momentum", "adam_amsgrad_wd", "rmsprop_centered", "adagrad_options"])
def test_state_dict_round_trip_continues_the_trajectory(case):
    ours = CASES[case]
    full, _, _ = run_neuronet(ours, steps=20)
    first, params, opt = run_neuronet(ours, steps=10)
    # through the flat form a safetensors file stores: arrays + JSON
    arrays, meta = opt.flat_state()
    assert all(isinstance(a, np.ndarray) for a in arrays.values())
    meta = json.loads(json.dumps(meta))
    fresh_params = [nt.nn.Parameter(p.data.copy()) for p in params]
    fresh = ours(fresh_params)
    fresh.load_flat_state({k: v.copy() for k, v in arrays.items()}, meta)
    for p, q in zip(opt.state_dict()["state"].values(), fresh.state_dict()["state"].values()):
        assert p.keys() == q.keys()
    for k in range(10, 20):
        for p, g in zip(fresh_params, gradient([p.data for p in fresh_params], k)):
            p.grad = g
        fresh.step()
    for a, b in zip(full[-1], [p.data for p in fresh_params]):
        np.testing.assert_array_equal(a, b)


def test_load_state_dict_copies_and_keeps_hyper_parameters():
    params = [nt.nn.Parameter(a) for a in make_params()]
    opt = optim.Adam(params, lr=0.01, betas=(0.8, 0.9))
    for p in params:
        p.grad = np.ones_like(p.data)
    opt.step()
    sd = opt.state_dict()
    other = optim.Adam([nt.nn.Parameter(a) for a in make_params()], lr=0.5)
    other.load_state_dict(sd)
    assert other.param_groups[0]["lr"] == 0.01 and other.param_groups[0]["betas"] == (0.8, 0.9)
    saved = sd["state"][0]["exp_avg"]
    loaded = other.state_dict()["state"][0]["exp_avg"]
    assert loaded is not saved and loaded.dtype == np.float32
    np.testing.assert_array_equal(loaded, saved)
    with pytest.raises(ValueError, match="Adam.load_state_dict: group 0 has 4 parameters"):
        optim.Adam([nt.nn.Parameter(np.zeros(2, np.float32))]).load_state_dict(sd)
    with pytest.raises(ValueError, match="saved by SGD"):
        other.load_flat_state(*optim.SGD(params).flat_state())


def test_parameters_without_gradient_are_skipped_and_zero_grad():
    a, b = nt.nn.Parameter(np.ones(3, np.float32)), nt.nn.Parameter(np.ones(2, np.float32))
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = np.full(3, 2.0, np.float32)
    opt.step()
    np.testing.assert_array_equal(b.data, np.ones(2, np.float32))
    assert b not in opt.state and opt.state[a]["step"] == 1
    assert_close(a.data, np.full(3, 0.9), 1e-6)
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(a.grad, np.zeros(3))
    assert b.grad is None
    opt.zero_grad()
    assert a.grad is None


def test_closure_returns_the_loss_and_float64_stays_float64():
    w = nt.nn.Parameter(np.array([3.0, -2.0]), dtype=np.float64)
    opt = optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss
    loss = opt.step(closure)
    assert float(loss.item()) == pytest.approx(13.0)
    assert w.data.dtype == np.float64
    np.testing.assert_allclose(w.data, [1.5, -1.0])  # w - 0.25 * 2w


def test_add_param_group_and_bad_params():
    a, b = nt.nn.Parameter(np.ones(2, np.float32)), nt.nn.Parameter(np.ones(2, np.float32))
    opt = optim.SGD([a], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": [b], "lr": 0.5})
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["lr"] == 0.5
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(ValueError, match="SGD: got an empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="single Tensor"):
        optim.SGD(a, lr=0.1)
    with pytest.raises(ValueError, match="SGD: invalid lr -0.1"):
        optim.SGD([{"params": [a], "lr": -0.1}], lr=0.1)


def test_load_state_dict_rejects_state_of_the_wrong_shape():
    a = nt.nn.Parameter(np.ones(3, np.float32))
    opt = optim.SGD([a], lr=0.1, momentum=0.9)
    a.grad = np.ones(3, np.float32)
    opt.step()
    b = nt.nn.Parameter(np.ones(4, np.float32))
    with pytest.raises(ValueError, match=r"state 'momentum_buffer' of parameter 0 has shape \(3,\), the parameter has "
                                         r"shape \(4,\)"):
        optim.SGD([b], lr=0.1, momentum=0.9).load_state_dict(opt.state_dict())
