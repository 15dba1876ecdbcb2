"""nt.jit and compile(jit=True) training through the MLP's compiled paths (bias+ReLU, ReLU gradient +
bias sum, softmax cross-entropy, SGD update) equal eager mode to the bit."""
from __future__ import annotations

import numpy as np
import pytest

import neuronet as nt
from neuronet.nn import layers as L
from tests.train.test_jit import _assert_same_as_eager, _data

KERNELS = {"activation": ("bias_relu", "relu_grad_bias_sum"), "sgd": ("sgd_step",),
           "softmax_ce": ("softmax_ce_forward", "softmax_ce_backward")}


@pytest.fixture
def kernel_calls(kernels_on, monkeypatch):
    """The names of the fused kernels called during the test."""
    import importlib
    calls = set()
    for module, names in KERNELS.items():
        mod = importlib.import_module(f"neuronet.kernels.{module}")
        for name in names:
            monkeypatch.setattr(mod, name, lambda *a, k=getattr(mod, name), n=name: calls.add(n) or k(*a))
    return calls


def _mlp(momentum):
    def make():
        m = nt.Sequential([L.Dense(128, activation="relu", in_features=256), L.Dense(128, activation="relu"),
                           L.Dense(10)])
        return m, nt.optim.SGD(m.parameters(), lr=0.05, momentum=momentum, nesterov=bool(momentum))
    return make


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_jit_through_the_fused_mlp_paths_is_bit_identical(momentum, kernel_calls):
    _assert_same_as_eager(_mlp(momentum), [_data(64, (256,), 10, s) for s in range(3)])
    assert kernel_calls == {n for names in KERNELS.values() for n in names}


def test_fit_with_jit_equals_fit_without(kernel_calls):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((256, 256)).astype(np.float32), rng.integers(0, 10, 256)
    results = []
    for jit in (False, True):
        nt.manual_seed(3)
        model, _ = _mlp(0.0)()
        model.compile(optimizer=nt.optim.SGD(model.parameters(), lr=0.05), loss="cross_entropy", jit=jit)
        history = model.fit(x, y, epochs=2, batch_size=64, shuffle=False, verbose=0)
        results.append((history.history["loss"], [p.data.tobytes() for p in model.parameters()]))
    assert results[0] == results[1]
    assert kernel_calls == {n for names in KERNELS.values() for n in names}
