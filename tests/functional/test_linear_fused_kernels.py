"""Dense + ReLU with the compiled one-pass bias+ReLU forward and ReLU-gradient+bias-sum backward,
against the NumPy path (the reference) and PyTorch."""
import numpy as np
import pytest

import neuronet as nt
from neuronet import functional as F

from neuronet.kernels import compiled
from tests.helpers import assert_close, need

SHAPES = [(64, 784, 256), (64, 256, 128), (256, 128, 64), (3, 5, 4)]  # (batch, in, out)


def _dense_step(x, w, b, use_kernels):
    """Output and the gradients of x, W and b of sum(dense(x, W, b, relu) * upstream)."""
    previous = compiled.numba_kernels_enabled()
    compiled.set_numba_kernels(use_kernels)
    try:
        xt, wt, bt = (nt.tensor(a, requires_grad=True) for a in (x, w, b))
        y = F.dense(xt, wt, bt, activation="relu")
        out = y.data.copy()
        upstream = np.cos(np.arange(out.size, dtype=np.float32)).reshape(out.shape)
        loss = (y * nt.tensor(upstream)).sum()
        del y  # as in a network: nothing but the Function holds the output, so backward may write over it
        loss.backward()
    finally:
        compiled.set_numba_kernels(previous)
    return out, xt.grad, wt.grad, bt.grad


def _case(shape, seed=0):
    n, i, o = shape
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, i)).astype(np.float32), (rng.standard_normal((o, i)) / np.sqrt(i)).astype(np.float32),
            rng.standard_normal(o).astype(np.float32))


@pytest.mark.parametrize("shape", SHAPES)
def test_fused_kernels_match_the_numpy_path(shape, monkeypatch):
    need("numba")
    from neuronet.kernels import activation as kernels
    calls = []
    for name in ("bias_relu", "relu_grad_bias_sum"):
        monkeypatch.setattr(kernels, name, lambda *a, k=getattr(kernels, name), n=name: calls.append(n) or k(*a))
    x, w, b = _case(shape)
    reference = _dense_step(x, w, b, False)
    assert not calls
    fast = _dense_step(x, w, b, True)
    assert calls == ["bias_relu", "relu_grad_bias_sum"]
    for what, a, r in zip(("output", "dx", "dW", "db"), fast, reference):
        assert a.dtype == np.float32
        assert_close(a, r, rtol=1e-5, what=what)
    np.testing.assert_array_equal(fast[0], reference[0])  # the forward is exact: same additions, same max


@pytest.mark.parametrize("shape", SHAPES[:2])
def test_fused_kernels_match_torch(shape, torch, kernels_on):
    x, w, b = _case(shape, seed=3)
    out, gx, gw, gb = _dense_step(x, w, b, True)
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    y = torch.relu(torch.nn.functional.linear(xt, wt, bt))
    upstream = np.cos(np.arange(out.size, dtype=np.float32)).reshape(out.shape)
    (y * torch.tensor(upstream)).sum().backward()
    assert_close(out, y.detach().numpy(), rtol=1e-5)
    for ours, theirs in ((gx, xt), (gw, wt), (gb, bt)):
        assert_close(ours, theirs.grad.numpy(), rtol=1e-5)


def test_kernels_on_their_own(kernels_on):
    from neuronet.kernels.activation import bias_relu, relu_grad_bias_sum
    rng = np.random.default_rng(4)
    z, b = rng.standard_normal((9, 7)).astype(np.float32), rng.standard_normal(7).astype(np.float32)
    y = z.copy()
    bias_relu(y, b)
    np.testing.assert_array_equal(y, np.maximum(z + b, 0))
    gy = rng.standard_normal((9, 7)).astype(np.float32)
    expected_dz, gb = gy * (y > 0), np.empty(7, np.float32)
    relu_grad_bias_sum(y, gy, gb)
    np.testing.assert_array_equal(y, expected_dz)
    assert_close(gb, expected_dz.sum(axis=0), rtol=1e-6)


def test_output_still_held_keeps_the_numpy_backward(kernels_on, monkeypatch):
    """When the ReLU output is still referenced (a tensor the user keeps), backward must not write over it."""
    from neuronet.kernels import activation as kernels
    monkeypatch.setattr(kernels, "relu_grad_bias_sum", lambda *a: pytest.fail("wrote over a held output"))
    x, w, b = _case((64, 256, 128))
    xt, wt, bt = (nt.tensor(a, requires_grad=True) for a in (x, w, b))
    y = F.dense(xt, wt, bt, activation="relu")
    kept = y.data
    before = kept.copy()
    y.sum().backward()
    np.testing.assert_array_equal(kept, before)
    assert_close(bt.grad, (before > 0).sum(axis=0), rtol=1e-6)


def test_gradcheck_float64_dense_relu():
    rng = np.random.default_rng(5)
    x, w, b = (nt.tensor(rng.standard_normal(s), requires_grad=True) for s in ((4, 3), (5, 3), (5,)))
    assert nt.gradcheck(lambda x, w, b: F.dense(x, w, b, activation="relu"), x, w, b)
