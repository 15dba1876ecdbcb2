"""The optional numba batch-norm and ReLU-gradient kernels against the NumPy reference path."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.kernels import compiled
from tests.helpers import assert_close, need

need("numba")


def run(shape, affine, input_grad, use_kernels, seed=0):
    rng = np.random.default_rng(seed)
    c = shape[1]
    x = nt.tensor((rng.standard_normal(shape) * 3 + 5).astype(np.float32), requires_grad=input_grad)
    w = nt.tensor(rng.standard_normal(c).astype(np.float32), requires_grad=True) if affine else None
    b = nt.tensor(rng.standard_normal(c).astype(np.float32), requires_grad=True) if affine else None
    running = [np.zeros(c, np.float32), np.ones(c, np.float32)]
    compiled.set_numba_kernels(use_kernels)
    try:
        y = nt.F.batch_norm(x, running[0], running[1], w, b, training=True)
        g = rng.standard_normal(y.shape).astype(np.float32)
        (y * nt.tensor(g)).sum().backward() if (input_grad or affine) else None
    finally:
        compiled.set_numba_kernels(True)
    grads = [t.grad for t in (x, w, b) if t is not None and t.requires_grad]
    return [y.numpy()] + running + grads


@pytest.mark.parametrize("shape", [(6, 5, 4, 3), (9, 7), (4, 3, 10)])  # (9, 7) takes NumPy in both runs
@pytest.mark.parametrize("affine, input_grad", [(True, True), (False, True), (True, False)])
def test_kernels_match_the_numpy_path(shape, affine, input_grad):
    fast, reference = run(shape, affine, input_grad, True), run(shape, affine, input_grad, False)
    assert len(fast) == len(reference)
    for a, b in zip(fast, reference):
        assert_close(a, b, rtol=2e-6)


def test_the_kernel_path_runs(monkeypatch):
    from neuronet.kernels import normalization as norm_kernels
    calls = []
    real = norm_kernels.batch_norm_forward
    monkeypatch.setattr(norm_kernels, "batch_norm_forward", lambda *a: calls.append(1) or real(*a))
    run((4, 3, 5, 5), True, True, True)
    assert calls


def test_relu_gradient_kernel_matches_numpy(monkeypatch):
    from neuronet.functional import activation
    from neuronet.kernels import activation as activation_kernels
    monkeypatch.setattr(activation, "_RELU_KERNEL_MIN", 0)  # the kernel also for this small array
    calls = []
    real = activation_kernels.relu_grad
    monkeypatch.setattr(activation_kernels, "relu_grad", lambda *a: calls.append(1) or real(*a))
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 4, 33)).astype(np.float32)
    x[0, 0, :3] = 0.0  # the subgradient at 0 is 0
    g = rng.standard_normal(x.shape).astype(np.float32)
    grads = []
    for use in (True, False):
        compiled.set_numba_kernels(use)
        try:
            t = nt.tensor(x, requires_grad=True)
            nt.F.relu(t).backward(g)
            grads.append(t.grad)
        finally:
            compiled.set_numba_kernels(True)
    assert calls  # the kernel ran in the first pass
    np.testing.assert_array_equal(grads[0], grads[1])
    np.testing.assert_array_equal(grads[0], g * (x > 0))


@pytest.mark.parametrize("layer", ["relu", "dense"])
def test_relu_forward_kernel_matches_numpy_and_keeps_nan(layer, monkeypatch):
    from neuronet.functional import activation
    from neuronet.kernels import activation as activation_kernels
    monkeypatch.setattr(activation, "_RELU_KERNEL_MIN", 0)  # the kernel also for this small array
    calls = []
    name = "relu_forward" if layer == "relu" else "relu_in_place"  # the dense layer applies it over its output
    real = getattr(activation_kernels, name)
    monkeypatch.setattr(activation_kernels, name, lambda *a: calls.append(1) or real(*a))
    x = np.random.default_rng(2).standard_normal((6, 33)).astype(np.float32)
    if layer == "relu":  # (through an identity dense layer, inf and NaN would spread over the row)
        x[0, :4] = [np.nan, -np.inf, np.inf, -0.0]
    results = []
    for use in (True, False):
        compiled.set_numba_kernels(use)
        try:
            if layer == "relu":
                results.append(nt.F.relu(nt.tensor(x)).numpy())
            else:
                eye = nt.tensor(np.eye(33, dtype=np.float32))
                results.append(nt.F.dense(nt.tensor(x), eye, activation="relu").numpy())
        finally:
            compiled.set_numba_kernels(True)
    assert calls  # the kernel ran in the first pass
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_array_equal(results[0], np.maximum(x, 0))


def test_in_place_relu_kernels_match_numpy():
    from neuronet.kernels.activation import relu_grad_over_output, relu_in_place
    rng = np.random.default_rng(3)
    x = rng.standard_normal((7, 19)).astype(np.float32)
    x[0, :4] = [np.nan, -np.inf, np.inf, 0.0]
    y = x.copy()
    relu_in_place(y)
    np.testing.assert_array_equal(y, np.maximum(x, 0))
    g = rng.standard_normal(x.shape).astype(np.float32)
    expected = np.where(y > 0, g, 0).astype(np.float32)
    relu_grad_over_output(y, g)
    np.testing.assert_array_equal(y, expected)


def test_small_arrays_keep_numpy_for_relu(monkeypatch):
    """Below _RELU_KERNEL_MIN elements the kernels save less than loading them costs."""
    from neuronet.functional import activation
    from neuronet.kernels import activation as activation_kernels
    calls = []
    for name in ("relu_forward", "relu_in_place", "relu_grad", "relu_grad_over_output"):
        real = getattr(activation_kernels, name)
        monkeypatch.setattr(activation_kernels, name, lambda *a, _real=real: calls.append(1) or _real(*a))
    small = nt.tensor(np.random.default_rng(0).standard_normal((8, 16)).astype(np.float32), requires_grad=True)
    nt.F.relu(small).sum().backward()
    nt.F.dense(small, nt.tensor(np.eye(16, dtype=np.float32), requires_grad=True), activation="relu").sum().backward()
    assert not calls
    n = activation._RELU_KERNEL_MIN
    big = nt.tensor(np.random.default_rng(0).standard_normal((n // 16, 16)).astype(np.float32), requires_grad=True)
    nt.F.dense(big, nt.tensor(np.eye(16, dtype=np.float32), requires_grad=True), activation="relu").sum().backward()
    assert len(calls) == 2  # forward in place, gradient over the output


def run_leaky(x, g, slope, use_kernels):
    compiled.set_numba_kernels(use_kernels)
    try:
        xt = nt.tensor(x, requires_grad=True)
        y = nt.F.leaky_relu(xt, slope)
        (y * nt.tensor(g)).sum().backward()
    finally:
        compiled.set_numba_kernels(True)
    return y.numpy(), xt.grad


@pytest.mark.parametrize("slope", [0.2, 0.0, -0.5])  # a negative slope keeps the input (NumPy in both runs)
def test_leaky_relu_kernels_match_numpy_and_torch(monkeypatch, slope):
    torch = need("torch")
    from neuronet.kernels import activation as activation_kernels
    calls = []
    for name in ("leaky_relu_forward", "leaky_relu_grad"):
        real = getattr(activation_kernels, name)
        monkeypatch.setattr(activation_kernels, name, lambda *a, _real=real: calls.append(1) or _real(*a))
    rng = np.random.default_rng(3)
    x = rng.standard_normal((8, 16, 17, 17)).astype(np.float32)  # above the kernels' size threshold
    x.reshape(-1)[:50] = 0.0
    x.reshape(-1)[50] = np.nan
    g = rng.standard_normal(x.shape).astype(np.float32)
    fast, reference = run_leaky(x, g, slope, True), run_leaky(x, g, slope, False)
    assert bool(calls) == (slope >= 0)
    xt = torch.tensor(x, requires_grad=True)
    y = torch.nn.functional.leaky_relu(xt, slope)
    (y * torch.tensor(g)).sum().backward()
    for a, b, e in zip(fast, reference, (y.detach().numpy(), xt.grad.numpy())):
        np.testing.assert_array_equal(a, b)
        ok = ~np.isnan(e)
        assert_close(a[ok], e[ok], rtol=1e-6)
