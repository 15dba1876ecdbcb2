"""The optional compiled SGD update against the NumPy reference update (bit for bit) and torch.optim.SGD."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.kernels import compiled
from neuronet.optim import sgd
from tests.helpers import assert_close, need

need("numba")

SHAPES = ((300, 200), (64, 128), (7, 5))  # two parameters over the kernel's size limit, one under it
OPTIONS = [dict(), dict(momentum=0.9), dict(momentum=0.9, nesterov=True, weight_decay=1e-3),
           dict(momentum=0.8, dampening=0.3, weight_decay=0.1), dict(weight_decay=0.05)]
IDS = ["plain", "momentum", "nesterov-l2", "dampening-l2", "l2"]


def trajectory(options, use_kernels, steps=5):
    """Parameters and momentum buffers after ``steps`` updates with fixed pseudo-random gradients."""
    rng = np.random.default_rng(0)
    params = [nt.nn.Parameter(rng.standard_normal(s).astype(np.float32)) for s in SHAPES]
    optimizer = nt.optim.SGD(params, lr=0.05, **options)
    previous = compiled.numba_kernels_enabled()
    compiled.set_numba_kernels(use_kernels)
    try:
        for _ in range(steps):
            for p in params:
                p.grad = rng.standard_normal(p.data.shape).astype(np.float32)
            optimizer.step()
    finally:
        compiled.set_numba_kernels(previous)
    return [p.data.copy() for p in params] + [s["momentum_buffer"] for s in optimizer.state.values() if s]


@pytest.mark.parametrize("options", OPTIONS, ids=IDS)
def test_compiled_update_equals_numpy_update_bit_for_bit(options, monkeypatch):
    from neuronet.kernels import sgd as sgd_kernel
    calls = []
    monkeypatch.setattr(sgd_kernel, "sgd_step", lambda *a, step=sgd_kernel.sgd_step: calls.append(1) or step(*a))
    reference = trajectory(options, False)
    assert not calls
    fast = trajectory(options, True)
    assert len(calls) == 10  # 5 steps × the 2 large parameters
    assert len(fast) == len(reference) == (6 if options.get("momentum") else 3)
    for a, b in zip(fast, reference):
        assert a.dtype == np.float32
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("options", OPTIONS, ids=IDS)
def test_compiled_update_follows_torch_sgd(options, torch, kernels_on):
    rng = np.random.default_rng(1)
    start = rng.standard_normal((300, 200)).astype(np.float32)
    p = nt.nn.Parameter(start.copy())
    q = torch.nn.Parameter(torch.tensor(start))
    ours, theirs = nt.optim.SGD([p], lr=0.05, **options), torch.optim.SGD([q], lr=0.05, **options)
    for _ in range(5):
        g = rng.standard_normal(start.shape).astype(np.float32)
        p.grad, q.grad = g, torch.tensor(g)
        ours.step()
        theirs.step()
    assert_close(p.data, q.detach().numpy(), rtol=1e-6)


def test_kernel_applies_only_to_large_contiguous_float32_numpy_arrays(kernels_on):
    big = np.zeros((256, 128), np.float32)
    assert sgd._compiled_update_applies(big, big)
    small = np.zeros((64, 100), np.float32)
    assert not sgd._compiled_update_applies(small, small)  # under 8,192 values
    assert not sgd._compiled_update_applies(big, big.astype(np.float64))
    assert not sgd._compiled_update_applies(big.T, big.T)
    assert not sgd._compiled_update_applies(big, big.reshape(128, 256))


def test_float64_parameters_keep_the_numpy_update(kernels_on, monkeypatch):
    from neuronet.kernels import sgd as sgd_kernel
    monkeypatch.setattr(sgd_kernel, "sgd_step", lambda *a: pytest.fail("kernel ran on float64"))
    p = nt.nn.Parameter(np.ones((256, 256)), dtype=np.float64)
    opt = nt.optim.SGD([p], lr=0.5, momentum=0.5)
    p.grad = np.ones((256, 256))
    opt.step()
    assert p.data.dtype == np.float64 and np.all(p.data == 0.5)
