"""Learning-rate schedulers against torch.optim.lr_scheduler over 40 steps, and the Keras-style callables."""
import inspect
import json
import math

import numpy as np
import pytest

import neuronet as nt
import neuronet.optim as optim

STEPS = 40


def our_groups(opt_cls=optim.SGD, **kw):
    a, b = nt.nn.Parameter(np.zeros(2, np.float32)), nt.nn.Parameter(np.zeros(3, np.float32))
    return opt_cls([{"params": [a]}, {"params": [b], "lr": 0.3}], lr=0.1, **kw)


def torch_groups(torch, opt_cls=None, **kw):
    opt_cls = opt_cls or torch.optim.SGD
    a, b = torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)
    return opt_cls([{"params": [a]}, {"params": [b], "lr": 0.3}], lr=0.1, **kw)


def trace(scheduler, opt, steps=STEPS, metrics=None):
    """The lr of every group after construction and after each of ``steps`` steps."""
    out = [scheduler.get_last_lr()]
    for t in range(steps):
        opt.step()
        if metrics is None:
            scheduler.step()
        else:
            scheduler.step(metrics[t])
        out.append(scheduler.get_last_lr())
    return np.array(out)


SCHEDULES = {  # our scheduler for each case; torch_schedules gives torch's
    "step": lambda o: optim.StepLR(o, step_size=7, gamma=0.5),
    "multistep": lambda o: optim.MultiStepLR(o, milestones=[25, 5, 12], gamma=0.3),
    "exponential": lambda o: optim.ExponentialLR(o, gamma=0.93),
    "cosine": lambda o: optim.CosineAnnealingLR(o, T_max=30, eta_min=0.01),
}


def torch_schedules(torch):
    """torch.optim.lr_scheduler's scheduler for each SCHEDULES entry."""
    return {
        "step": lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5),
        "multistep": lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=[25, 5, 12], gamma=0.3),
        "exponential": lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.93),
        "cosine": lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=30, eta_min=0.01),
    }


@pytest.mark.parametrize("case", sorted(SCHEDULES))
def test_schedule_matches_torch(case, torch):
    ours, theirs = SCHEDULES[case], torch_schedules(torch)[case]
    o, t = our_groups(), torch_groups(torch)
    expected = trace(theirs(t), t)
    np.testing.assert_allclose(trace(ours(o), o), expected, rtol=1e-9, atol=1e-12)
    assert [g["lr"] for g in o.param_groups] == pytest.approx(list(expected[-1]))


def test_linear_warmup_cosine_matches_torch_linear_then_cosine(torch):
    warmup, total, floor = 8, 40, 0.005
    o, t = our_groups(), torch_groups(torch)
    ours = optim.LinearWarmupCosine(o, warmup_steps=warmup, total_steps=total, min_lr=floor)
    lin = torch.optim.lr_scheduler.LinearLR(t, start_factor=1 / warmup, total_iters=warmup - 1)
    cos = torch.optim.lr_scheduler.CosineAnnealingLR(t, T_max=total - warmup, eta_min=floor)
    theirs = torch.optim.lr_scheduler.SequentialLR(t, [lin, cos], milestones=[warmup])
    got = trace(ours, o)
    np.testing.assert_allclose(got, trace(theirs, t), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got[:, 0][[0, warmup - 1, warmup, total]], [0.1 / warmup, 0.1, 0.1, floor])
    for _ in range(3):
        ours.step()
    assert ours.get_last_lr() == [floor, floor]  # stays at the floor after total_steps


@pytest.mark.parametrize("pct_start", [0.3, 0.25])
def test_one_cycle_matches_torch_lr_and_momentum(pct_start, torch):
    o, t = our_groups(optim.SGD, momentum=0.9), torch_groups(torch, momentum=0.9)
    ours = optim.OneCycleLR(o, max_lr=[1.0, 2.0], total_steps=STEPS + 1, pct_start=pct_start)
    theirs = torch.optim.lr_scheduler.OneCycleLR(t, max_lr=[1.0, 2.0], total_steps=STEPS + 1, pct_start=pct_start)
    moms_ours, moms_torch = [], []
    out_o, out_t = [ours.get_last_lr()], [theirs.get_last_lr()]
    for _ in range(STEPS):
        o.step(), t.step(), ours.step(), theirs.step()
        out_o.append(ours.get_last_lr()), out_t.append(theirs.get_last_lr())
        moms_ours.append(o.param_groups[0]["momentum"]), moms_torch.append(t.param_groups[0]["momentum"])
    np.testing.assert_allclose(out_o, out_t, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(moms_ours, moms_torch, rtol=1e-9)
    with pytest.raises(ValueError, match="OneCycleLR: tried to step 42 times"):
        ours.step()
        ours.step()


def test_one_cycle_cycles_adam_beta1_like_torch(torch):
    o, t = our_groups(optim.Adam), torch_groups(torch, torch.optim.Adam)
    ours = optim.OneCycleLR(o, max_lr=0.01, epochs=4, steps_per_epoch=10)
    theirs = torch.optim.lr_scheduler.OneCycleLR(t, max_lr=0.01, epochs=4, steps_per_epoch=10)
    for _ in range(30):
        o.step(), t.step(), ours.step(), theirs.step()
        assert o.param_groups[1]["betas"][0] == pytest.approx(t.param_groups[1]["betas"][0], rel=1e-9)
        assert o.param_groups[1]["betas"][1] == 0.999
    np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-9)


@pytest.mark.parametrize("mode,threshold_mode,cooldown", [("min", "rel", 0), ("min", "abs", 2), ("max", "rel", 1),
                                                          ("max", "abs", 0)])
def test_reduce_on_plateau_matches_torch(mode, threshold_mode, cooldown, torch):
    rng = np.random.default_rng(3)
    metrics = np.round(np.cumsum(rng.standard_normal(STEPS)) * 0.1 + 5, 3)
    kw = dict(mode=mode, factor=0.5, patience=2, threshold=0.01, threshold_mode=threshold_mode,
              cooldown=cooldown, min_lr=[0.01, 0.02])
    o, t = our_groups(), torch_groups(torch)
    ours = optim.ReduceLROnPlateau(o, **kw)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(t, **kw)
    got = trace(ours, o, metrics=metrics)
    np.testing.assert_allclose(got, trace(theirs, t, metrics=metrics), rtol=1e-12)
    assert len(np.unique(got[:, 0])) > 2  # the rate really was reduced more than once


def test_scheduler_state_dict_is_json_and_resumes():
    o = our_groups()
    sched = optim.CosineAnnealingLR(o, T_max=20)
    for _ in range(7):
        sched.step()
    saved = json.loads(json.dumps(sched.state_dict()))
    o2 = our_groups()
    resumed = optim.CosineAnnealingLR(o2, T_max=20)
    resumed.load_state_dict(saved)
    for _ in range(5):
        sched.step(), resumed.step()
    assert resumed.get_last_lr() == sched.get_last_lr()
    plateau = optim.ReduceLROnPlateau(o, patience=1)
    plateau.step(1.0)
    assert json.loads(json.dumps(plateau.state_dict()))["best"] == 1.0


def test_scheduler_errors():
    o = our_groups()
    with pytest.raises(ValueError, match="StepLR: step_size must be an integer >= 1"):
        optim.StepLR(o, step_size=0)
    with pytest.raises(ValueError, match="ReduceLROnPlateau: factor must be in"):
        optim.ReduceLROnPlateau(o, factor=1.5)
    with pytest.raises(ValueError, match="LinearWarmupCosine: need integers 0 < warmup_steps < total_steps"):
        optim.LinearWarmupCosine(o, warmup_steps=10, total_steps=5)
    with pytest.raises(ValueError, match="StepLR: COCOB has no learning rate"):
        optim.StepLR(optim.COCOB([nt.nn.Parameter(np.zeros(2))]), step_size=2)
    with pytest.raises(ValueError, match="OneCycleLR: cycle_momentum=True but Adagrad"):
        optim.OneCycleLR(our_groups(optim.Adagrad), max_lr=1.0, total_steps=10)


# --- Keras-style callables ---------------------------------------------------------------------------

def torch_values(torch, make, steps=STEPS):
    t = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.2)
    return trace(make(t), t, steps)[:, 0]


def test_keras_callables_match_torch_schedules(torch):
    epochs = np.arange(STEPS + 1)
    assert all(inspect.isfunction(f) for f in (optim.step_decay(0.2), optim.cosine_decay(0.2, 10)))
    np.testing.assert_allclose([optim.step_decay(0.2, drop=0.5, epochs_drop=7)(e) for e in epochs],
                               torch_values(torch, lambda o: torch.optim.lr_scheduler.StepLR(o, 7, 0.5)), rtol=1e-12)
    rate, steps = 0.5, 10
    np.testing.assert_allclose(
        [optim.exponential_decay(0.2, rate, steps)(e) for e in epochs],
        torch_values(torch, lambda o: torch.optim.lr_scheduler.ExponentialLR(o, rate ** (1 / steps))), rtol=1e-9)
    np.testing.assert_allclose([optim.exponential_decay(0.2, rate, steps, staircase=True)(e) for e in epochs],
                               torch_values(torch, lambda o: torch.optim.lr_scheduler.StepLR(o, steps, rate)),
                               rtol=1e-12)
    alpha, decay = 0.1, 30
    cos = [optim.cosine_decay(0.2, decay, alpha)(e) for e in epochs]
    expected = torch_values(torch, lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, decay, eta_min=alpha * 0.2))
    np.testing.assert_allclose(cos[:decay + 1], expected[:decay + 1], rtol=1e-9)
    assert cos[decay + 1:] == pytest.approx([alpha * 0.2] * (STEPS - decay))


def test_warmup_cosine_callable_equals_the_scheduler_object():
    fn = optim.warmup_cosine(0.1, warmup_steps=5, total_steps=30, min_lr=0.001)
    o = optim.SGD([nt.nn.Parameter(np.zeros(1))], lr=0.1)
    values = trace(optim.LinearWarmupCosine(o, 5, 30, min_lr=0.001), o)[:, 0]
    np.testing.assert_allclose([fn(e) for e in range(STEPS + 1)], values, rtol=1e-12)
    assert fn(2) == pytest.approx(0.1 * 3 / 5)
    assert fn(5 + 25 / 2) == pytest.approx(0.001 + (0.1 - 0.001) * (1 + math.cos(math.pi / 2)) / 2)
    with pytest.raises(ValueError, match="step_decay: epochs_drop must be > 0"):
        optim.step_decay(0.1, epochs_drop=0)
