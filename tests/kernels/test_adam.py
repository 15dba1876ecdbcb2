"""The optional compiled Adam update against the NumPy reference update, option by option."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.kernels import compiled
from neuronet.optim import adam
from tests.helpers import assert_close, need

need("numba")


def trajectory(make, use_kernels, steps=6):
    """Parameters after ``steps`` updates with fixed pseudo-random gradients."""
    rng = np.random.default_rng(0)
    params = [nt.nn.Parameter(rng.standard_normal(s).astype(np.float32)) for s in ((7, 5), (5,), (3, 4, 2))]
    optimizer = make(params)
    compiled.set_numba_kernels(use_kernels)
    try:
        for _ in range(steps):
            for p in params:
                p.grad = rng.standard_normal(p.data.shape).astype(np.float32)
            optimizer.step()
    finally:
        compiled.set_numba_kernels(True)
    return [p.data.copy() for p in params] + [s for st in optimizer.state.values() for k, s in st.items() if k != "step"]


@pytest.mark.parametrize("make", [
    lambda p: nt.optim.Adam(p, lr=1e-2),
    lambda p: nt.optim.Adam(p, lr=1e-2, betas=(0.3, 0.9), weight_decay=0.1),  # lerp's other form, coupled L2
    lambda p: nt.optim.Adam(p, lr=1e-2, amsgrad=True),
    lambda p: nt.optim.AdamW(p, lr=1e-2, weight_decay=0.05),
], ids=["adam", "small-beta1-l2", "amsgrad", "adamw"])
def test_compiled_update_matches_numpy_update(make, monkeypatch):
    from neuronet.kernels import adam as adam_kernel
    calls = []
    monkeypatch.setattr(adam_kernel, "adam_step", lambda *a, step=adam_kernel.adam_step: calls.append(1) or step(*a))
    reference = trajectory(make, False)
    assert not calls
    fast = trajectory(make, True)
    assert len(calls) == 18  # 6 steps × 3 parameters took the kernel
    assert len(fast) == len(reference)
    for a, b in zip(fast, reference):
        assert a.dtype == np.float32
        assert_close(a, b, rtol=1e-6)


def test_kernel_applies_only_to_contiguous_float32_numpy_arrays(kernels_on):
    a = np.zeros((4, 3), np.float32)
    assert adam.compiled_update_applies(a, a)
    assert not adam.compiled_update_applies(a, a.astype(np.float64))
    assert not adam.compiled_update_applies(a, a.T)
