"""Gradient clipping by norm and by value against torch.nn.utils."""
import math

import numpy as np
import pytest

import neuronet as nt
import neuronet.optim as optim
from tests.helpers import assert_close

SHAPES = [(4, 3), (7,), (2, 2, 2)]


def pair(scale, seed=0, torch=None):
    """Our parameters and (with ``torch``) torch's, holding the same random gradients."""
    rng = np.random.default_rng(seed)
    grads = [(scale * rng.standard_normal(s)).astype(np.float32) for s in SHAPES]
    ours = [nt.nn.Parameter(np.zeros(s, np.float32)) for s in SHAPES]
    theirs = [torch.zeros(s, requires_grad=True) for s in SHAPES] if torch is not None else None
    for i, (p, g) in enumerate(zip(ours, grads)):
        p.grad = g.copy()
        if theirs is not None:
            theirs[i].grad = torch.from_numpy(g.copy())
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("scale", [0.01, 5.0])
def test_clip_grad_norm_matches_torch(norm_type, scale, torch):
    ours, theirs = pair(scale, torch=torch)
    total = optim.clip_grad_norm_(ours, max_norm=1.5, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm=1.5, norm_type=norm_type, foreach=False)
    assert isinstance(total, float)
    assert total == pytest.approx(float(expected), rel=1e-5)
    for p, q in zip(ours, theirs):
        assert p.grad.dtype == np.float32
        assert_close(p.grad, q.grad.numpy(), 1e-5)
    clipped = total > 1.5
    assert clipped == (scale == 5.0)


def test_clip_grad_norm_reaches_max_norm_in_place_and_skips_missing_grads():
    ours, _ = pair(5.0)
    ours.append(nt.nn.Parameter(np.ones(3, np.float32)))  # no gradient: skipped
    held = ours[0].grad
    optim.clip_grad_norm_(iter(ours), max_norm=2.0)
    assert ours[0].grad is held  # in place
    norm = math.sqrt(sum(float((p.grad ** 2).sum()) for p in ours if p.grad is not None))
    assert norm == pytest.approx(2.0, rel=1e-5)
    assert optim.clip_grad_norm_([nt.nn.Parameter(np.ones(2))], 1.0) == 0.0
    with pytest.raises(ValueError, match="clip_grad_norm_: max_norm must be >= 0"):
        optim.clip_grad_norm_(ours, -1.0)
    bad = nt.nn.Parameter(np.ones(2, np.float32))
    bad.grad = np.array([np.inf, 1.0], np.float32)
    with pytest.raises(RuntimeError, match="total norm"):
        optim.clip_grad_norm_(bad, 1.0, error_if_nonfinite=True)


def test_clip_grad_value_matches_torch(torch):
    ours, theirs = pair(2.0, seed=4, torch=torch)
    optim.clip_grad_value_(ours, 0.7)
    torch.nn.utils.clip_grad_value_(theirs, 0.7, foreach=False)
    for p, q in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad, q.grad.numpy())
    assert max(float(np.abs(p.grad).max()) for p in ours) == pytest.approx(0.7)
    single = nt.nn.Parameter(np.zeros(2, np.float32))
    single.grad = np.array([-3.0, 0.2], np.float32)
    optim.clip_grad_value_(single, 1.0)
    np.testing.assert_array_equal(single.grad, np.array([-1.0, 0.2], np.float32))
    with pytest.raises(ValueError, match="clip_grad_value_: clip_value must be >= 0"):
        optim.clip_grad_value_(ours, -0.1)
