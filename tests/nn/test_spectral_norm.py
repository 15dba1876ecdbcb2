"""SpectralNorm: parity with torch.nn.utils.parametrizations.spectral_norm (same power-iteration
state), a float64 gradient check with u, v fixed, σ = the largest singular value once converged."""
import numpy as np
import pytest

import neuronet as nt
from tests.helpers import assert_close


def _pair(torch, kind):
    rng = np.random.default_rng(0)
    if kind == "dense":
        return nt.nn.Dense(5), torch.nn.Linear(4, 5), rng.random((3, 4)).astype(np.float32)
    if kind == "conv":
        return nt.nn.Conv2D(4, 3), torch.nn.Conv2d(3, 4, 3), rng.random((2, 3, 6, 6)).astype(np.float32)
    return nt.nn.Conv2DTranspose(4, 3, strides=2), torch.nn.ConvTranspose2d(3, 4, 3, 2), rng.random((2, 3, 5, 5)).astype(np.float32)


@pytest.mark.parametrize("kind", ["dense", "conv", "transpose"])
def test_spectral_norm_matches_torch(torch, kind):
    layer, ref, x = _pair(torch, kind)
    sn = nt.nn.SpectralNorm(layer)
    sn.build(x.shape)
    ref.weight.data[:] = torch.tensor(layer.weight.numpy())
    ref.bias.data[:] = torch.tensor(layer.bias.numpy())
    ref = torch.nn.utils.parametrizations.spectral_norm(ref)
    state = ref.parametrizations.weight[0]
    state._u.data[:] = torch.tensor(sn.u)
    state._v.data[:] = torch.tensor(sn.v)
    for step in range(2):  # two training calls: the power iteration advances the same way
        xt = nt.tensor(x, requires_grad=True)
        layer.zero_grad()
        sn(xt).sum().backward()
        tx = torch.tensor(x, requires_grad=True)
        ref.parametrizations.weight.original.grad = None
        y = ref(tx)
        y.sum().backward()
        assert_close(xt.grad, tx.grad.numpy(), 1e-5, f"input gradient {step}")
        assert_close(layer.weight.grad, ref.parametrizations.weight.original.grad.numpy(), 1e-4, f"weight gradient {step}")
    sn.eval()
    ref.eval()
    assert_close(sn(nt.tensor(x)).numpy(), ref(torch.tensor(x)).detach().numpy(), 1e-5, "output")


def test_spectral_norm_gradcheck_and_sigma():
    layer = nt.nn.Dense(4, in_features=6)
    layer.weight.data = layer.weight.data.astype(np.float64)
    layer.bias.data = layer.bias.data.astype(np.float64)
    sn = nt.nn.SpectralNorm(layer, n_power_iterations=30)
    x = np.random.default_rng(1).standard_normal((3, 6))
    sn(nt.tensor(x))  # build and converge
    sigma = float(sn.sigma().item())
    assert np.isclose(sigma, np.linalg.svd(layer.weight.numpy(), compute_uv=False)[0], rtol=1e-6)
    sn.eval()  # u, v fixed: a deterministic function of x and W
    w = layer.weight

    def fn(xt, wt):
        object.__setattr__(layer, "weight", wt)
        try:
            return sn(xt)
        finally:
            object.__setattr__(layer, "weight", w)
    assert nt.gradcheck(fn, nt.tensor(x, requires_grad=True), nt.tensor(w.numpy(), requires_grad=True))


def test_spectral_norm_needs_a_weight():
    with pytest.raises(TypeError, match="SpectralNorm: the wrapped layer must have a weight"):
        nt.nn.SpectralNorm(nt.nn.ReLU())
