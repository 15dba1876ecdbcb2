"""KL terms, reparameterisation, sparsity KL, contractive penalty and corruption: gradient checks,
Monte-Carlo and torch.distributions oracles, closed forms against autograd Jacobians."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.functional import contractive_penalty, corrupt, gaussian_kl, reparameterize, sparsity_kl
from tests.helpers import check_grad


def _gauss(n=5, d=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.standard_normal((n, d)) * 0.5


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_gaussian_kl_gradcheck(reduction):
    mu, lv = _gauss()
    check_grad(lambda m, v: gaussian_kl(m, v, reduction), mu, lv)


def test_gaussian_kl_matches_monte_carlo():
    mu, lv = np.array([[0.7, -1.2]]), np.array([[-0.4, 0.9]])
    kl = float(gaussian_kl(nt.tensor(mu), nt.tensor(lv)).item())
    rng = np.random.default_rng(0)
    z = mu + np.exp(0.5 * lv) * rng.standard_normal((400_000, 2))
    log_q = -0.5 * (((z - mu) ** 2) / np.exp(lv) + lv + np.log(2 * np.pi)).sum(1)
    log_p = -0.5 * (z ** 2 + np.log(2 * np.pi)).sum(1)
    mc = float((log_q - log_p).mean())
    assert abs(mc - kl) < 0.01, (mc, kl)  # standard error ~0.002 at 400k samples


def test_gaussian_kl_matches_torch_distributions(torch):
    mu, lv = _gauss(8, 4, seed=1)
    q = torch.distributions.Normal(torch.tensor(mu), torch.tensor(np.exp(0.5 * lv)))
    p = torch.distributions.Normal(torch.zeros(8, 4, dtype=torch.float64), torch.ones(8, 4, dtype=torch.float64))
    ref = torch.distributions.kl_divergence(q, p).sum(-1).numpy()
    np.testing.assert_allclose(gaussian_kl(nt.tensor(mu), nt.tensor(lv), "none").numpy(), ref, rtol=1e-10)


def test_gaussian_kl_bad_shapes():
    with pytest.raises(ValueError, match="gaussian_kl: mu and logvar"):
        gaussian_kl(nt.tensor(np.zeros((2, 3))), nt.tensor(np.zeros((2, 4))))


def test_reparameterize_gradcheck_with_fixed_eps():
    mu, lv = _gauss()
    eps = np.random.default_rng(3).standard_normal(mu.shape)
    check_grad(lambda m, v, e: reparameterize(m, v, e), mu, lv, eps, requires_grad=[True, True, False])
    z = reparameterize(nt.tensor(mu), nt.tensor(lv), nt.tensor(eps)).numpy()
    np.testing.assert_allclose(z, mu + np.exp(0.5 * lv) * eps)
    with pytest.raises(ValueError, match="reparameterize"):
        reparameterize(nt.tensor(mu), nt.tensor(lv), nt.tensor(eps[:2]))


def test_sparsity_kl_value_and_gradcheck():
    h = np.random.default_rng(0).uniform(0.05, 0.95, (6, 4))
    rho = 0.1
    rh = h.mean(0)
    ref = (rho * np.log(rho / rh) + (1 - rho) * np.log((1 - rho) / (1 - rh))).sum()
    assert np.isclose(float(sparsity_kl(nt.tensor(h), rho).item()), ref)
    check_grad(lambda t: sparsity_kl(t, rho), h)
    with pytest.raises(ValueError, match="rho must lie in"):
        sparsity_kl(nt.tensor(h), 1.5)


def test_contractive_penalty_is_the_jacobian_norm(torch):
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((3, 5)), rng.standard_normal((4, 5)), rng.standard_normal(4)
    h = 1 / (1 + np.exp(-(x @ w.T + b)))
    value = float(contractive_penalty(nt.tensor(h), nt.tensor(w)).item())
    jac = [torch.autograd.functional.jacobian(lambda v: torch.sigmoid(torch.tensor(w) @ v + torch.tensor(b)),
                                              torch.tensor(row)).numpy() for row in x]
    assert np.isclose(value, np.mean([(j ** 2).sum() for j in jac]))
    check_grad(contractive_penalty, h, w)
    with pytest.raises(ValueError, match="contractive_penalty"):
        contractive_penalty(nt.tensor(h), nt.tensor(w[:3]))


@pytest.mark.parametrize("kind", ["gaussian", "masking", "salt_and_pepper"])
def test_corruption_kinds(kind):
    nt.manual_seed(0)
    x = np.full((200, 50), 0.5)
    y = corrupt(nt.tensor(x), kind, 0.3).numpy()
    if kind == "gaussian":
        assert abs(np.std(y - x) - 0.3) < 0.01
    elif kind == "masking":
        assert set(np.unique(y)) == {0.0, 0.5} and abs((y == 0).mean() - 0.3) < 0.02
    else:
        assert set(np.unique(y)) == {0.0, 0.5, 1.0} and abs((y != 0.5).mean() - 0.3) < 0.02
        assert abs((y == 1).mean() - 0.15) < 0.02
    np.testing.assert_array_equal(corrupt(nt.tensor(x), kind, 0.3, training=False).numpy(), x)
    # the same noise on every call (re-seeded), so central differences see one fixed function
    check_grad(lambda t: (nt.manual_seed(5), corrupt(t, kind, 0.3))[1], x[:3, :4] + np.arange(12).reshape(3, 4) * 0.01)


def test_corruption_gradient_is_the_mask():
    nt.manual_seed(0)
    t = nt.tensor(np.full((4, 6), 0.5), requires_grad=True)
    y = corrupt(t, "masking", 0.5)
    y.sum().backward()
    np.testing.assert_array_equal(t.grad, (y.numpy() != 0).astype(float))
    with pytest.raises(ValueError, match="corrupt: kind"):
        corrupt(t, "blur", 0.1)
    with pytest.raises(ValueError, match="corrupt: level"):
        corrupt(t, "masking", 1.5)
