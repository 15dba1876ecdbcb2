"""RBM: equations against direct transcriptions, the CD gradient against exact data − model
statistics on a tiny RBM (Z by enumeration), AIS against exact log Z, and learning on real digits."""
import numpy as np
import pytest

from neuronet.data import load_digits
from neuronet.models.energy import (RBM, ais_log_partition, all_binary_states, average_log_likelihood,
                                    base_rate_bias, exact_log_likelihood, exact_log_partition,
                                    exact_model_statistics)
from tests.helpers import need


def tiny_rbm(n_visible=6, n_hidden=4, visible="bernoulli", scale=1.0, seed=0, **options):
    rbm = RBM(n_hidden, visible=visible, n_visible=n_visible, dtype=np.float64, seed=seed, **options)
    rng = np.random.default_rng(seed)
    rbm.weight[...] = scale * rng.standard_normal(rbm.weight.shape)
    rbm.visible_bias[...] = 0.5 * rng.standard_normal(n_visible)
    rbm.hidden_bias[...] = 0.5 * rng.standard_normal(n_hidden)
    return rbm


def binary_digits():
    x, y = load_digits()
    return (x > 0.5).astype(np.float64), y


@pytest.mark.parametrize("visible", ["bernoulli", "gaussian"])
def test_free_energy_is_minus_log_sum_over_hidden_states(visible):
    rbm = tiny_rbm(visible=visible, sigma=np.linspace(0.5, 1.5, 6))
    rng = np.random.default_rng(1)
    v = (rng.random((5, 6)) < 0.5).astype(float) if visible == "bernoulli" else rng.standard_normal((5, 6))
    h = all_binary_states(4)
    energies = np.stack([rbm.energy(np.repeat(row[None], len(h), 0), h) for row in v])  # (5, 16)
    np.testing.assert_allclose(rbm.free_energy(v), -np.logaddexp.reduce(-energies, axis=1), rtol=1e-12)
    # p(h_j = 1 | v) from the same enumeration
    p_h = np.exp(-energies - np.logaddexp.reduce(-energies, axis=1, keepdims=True))
    np.testing.assert_allclose(rbm.hidden_probs(v), p_h @ h, rtol=1e-10)


def test_conditional_of_the_visibles_matches_the_energy():
    rbm = tiny_rbm()
    h = all_binary_states(4)[[3, 9]]
    v = all_binary_states(6)
    for row in h:
        log_p = -rbm.energy(v, np.repeat(row[None], len(v), 0))
        p = np.exp(log_p - np.logaddexp.reduce(log_p))
        np.testing.assert_allclose(rbm.visible_mean(row[None])[0], p @ v, rtol=1e-10)


def test_exact_likelihood_gradient_is_data_minus_model_statistics():
    """∂ mean log p(v) / ∂θ by central differences = ⟨·⟩_data − ⟨·⟩_model (model term exact)."""
    rbm = tiny_rbm(scale=0.7)
    data = (np.random.default_rng(2).random((20, 6)) < 0.4).astype(float)
    ph = rbm.hidden_probs(data)
    model_w, model_v, model_h = exact_model_statistics(rbm)
    analytic = {"weight": ph.T @ data / 20 - model_w, "visible_bias": data.mean(0) - model_v,
                "hidden_bias": ph.mean(0) - model_h}
    for name, param in rbm.parameters().items():
        numeric = np.zeros_like(param)
        for idx in np.ndindex(param.shape):
            keep = param[idx]
            param[idx] = keep + 1e-6
            up = exact_log_likelihood(rbm, data).mean()
            param[idx] = keep - 1e-6
            down = exact_log_likelihood(rbm, data).mean()
            param[idx] = keep
            numeric[idx] = (up - down) / 2e-6
        np.testing.assert_allclose(analytic[name], numeric, atol=1e-7, err_msg=name)


@pytest.mark.parametrize("persistent", [False, True])
def test_cd_gradient_estimates_data_minus_model_statistics(persistent):
    """With long chains (k = 100) over many samples, CD-k and PCD-k give data − exact model statistics."""
    rbm = tiny_rbm(scale=0.5, k=100, persistent=persistent)
    data = np.repeat((np.random.default_rng(3).random((8, 6)) < 0.5).astype(float), 500, axis=0)  # 4,000 rows
    grads = rbm.gradient(data)
    ph = rbm.hidden_probs(data)
    model_w, model_v, model_h = exact_model_statistics(rbm)
    np.testing.assert_allclose(grads["weight"], ph.T @ data / len(data) - model_w, atol=0.03)
    np.testing.assert_allclose(grads["visible_bias"], data.mean(0) - model_v, atol=0.03)
    np.testing.assert_allclose(grads["hidden_bias"], ph.mean(0) - model_h, atol=0.03)


def test_ais_agrees_with_the_exact_log_partition_function():
    rbm = tiny_rbm(n_visible=12, n_hidden=8, scale=1.0)
    exact = exact_log_partition(rbm)
    data = (np.random.default_rng(4).random((50, 12)) < 0.3).astype(float)
    estimate, (low, high) = ais_log_partition(rbm, n_runs=200, n_betas=2000, base_bias=base_rate_bias(data), seed=0)
    assert abs(estimate - exact) < 0.05, (estimate, exact)
    assert low - 0.02 <= exact <= high + 0.02
    # enumerating the larger layer gives the same Z
    assert exact_log_partition(tiny_rbm(n_visible=5, n_hidden=9)) == pytest.approx(
        np.logaddexp.reduce(-tiny_rbm(n_visible=5, n_hidden=9).free_energy(all_binary_states(5))), abs=1e-10)
    assert average_log_likelihood(rbm, data, exact) == pytest.approx(exact_log_likelihood(rbm, data).mean())


def test_pseudo_log_likelihood_is_the_sum_of_exact_conditionals():
    rbm = tiny_rbm()
    v = (np.random.default_rng(5).random((7, 6)) < 0.5).astype(float)
    log_p = exact_log_likelihood(rbm, v)
    expected = np.zeros(7)
    for i in range(6):
        flipped = v.copy()
        flipped[:, i] = 1 - flipped[:, i]
        expected += log_p - np.logaddexp(log_p, exact_log_likelihood(rbm, flipped))
    np.testing.assert_allclose(rbm.pseudo_log_likelihood(v), expected, rtol=1e-10)
    stochastic = np.mean([rbm.pseudo_log_likelihood(v, exact=False) for _ in range(3000)], axis=0)
    np.testing.assert_allclose(stochastic, expected, rtol=0.1)  # scikit-learn's one-bit estimate is unbiased


def test_momentum_and_weight_decay_follow_their_equations():
    rbm = tiny_rbm(lr=0.1, momentum=0.9, weight_decay=0.01, k=1)
    data = (np.random.default_rng(6).random((10, 6)) < 0.5).astype(float)
    w0 = rbm.weight.copy()
    rbm.rng = np.random.default_rng(7)
    g1 = rbm.gradient(data)
    ph0 = rbm.hidden_probs(data)
    # gradient: data − CD statistics − decay·W, recomputed from the same random draws
    rbm.rng = np.random.default_rng(7)
    vk = rbm.gibbs(data, 1)
    expected = ph0.T @ data / 10 - rbm.hidden_probs(vk).T @ vk / 10 - 0.01 * w0
    np.testing.assert_allclose(g1["weight"], expected, rtol=1e-12)
    rbm.apply_gradient(g1)
    np.testing.assert_allclose(rbm.weight, w0 + 0.1 * g1["weight"])
    w1 = rbm.weight.copy()
    g2 = {k: np.ones_like(p) for k, p in rbm.parameters().items()}
    rbm.apply_gradient(g2)
    np.testing.assert_allclose(rbm.weight, w1 + 0.9 * 0.1 * g1["weight"] + 0.1)


def test_final_lr_decays_linearly_over_the_updates_of_a_fit():
    rbm = tiny_rbm(lr=0.1, batch_size=5)
    data = (np.random.default_rng(8).random((23, 6)) < 0.5).astype(float)  # 4 updates per epoch (3 rows left)
    seen = []
    apply = rbm.apply_gradient
    rbm.apply_gradient = lambda grads: (seen.append(rbm.lr), apply(grads))
    rbm.fit(data, epochs=3, final_lr=0.0)
    np.testing.assert_allclose(seen, 0.1 * (1 - np.arange(12) / 11), atol=1e-15)
    assert rbm.lr == 0.1  # the configured rate is kept for a later fit
    seen.clear()
    rbm.fit(data, epochs=1)
    assert seen == [0.1] * 4
    with pytest.raises(ValueError, match="final_lr must be a finite number >= 0"):
        rbm.fit(data, final_lr=-1)


def test_free_energy_and_features_agree_with_scikit_learn():
    sk = need("sklearn.neural_network")
    x, _ = binary_digits()
    theirs = sk.BernoulliRBM(n_components=16, n_iter=2, random_state=0).fit(x)
    ours = RBM(16, n_visible=64, dtype=np.float64)
    ours.weight[...] = theirs.components_
    ours.visible_bias[...] = theirs.intercept_visible_
    ours.hidden_bias[...] = theirs.intercept_hidden_
    np.testing.assert_allclose(ours.free_energy(x[:50]), theirs._free_energy(x[:50]), rtol=1e-10)
    np.testing.assert_allclose(ours.transform(x[:50]), theirs.transform(x[:50]), rtol=1e-10)


def test_rbm_learns_binarised_digits():
    """CD-1 and PCD on 8x8 digits: exact test log-likelihood beats the independent-pixel model
    (the AIS base model, fitted to the training data) by more than 3 nats per image (measured:
    CD-1 3.9, PCD 3.5)."""
    x, _ = binary_digits()
    train, test = x[:1400], x[1400:]
    base = base_rate_bias(train)
    base_ll = float((test @ base - np.logaddexp(0, base).sum()).mean())
    for persistent in (False, True):
        rbm = RBM(16, lr=0.02, momentum=0.5, batch_size=20, persistent=persistent, dtype=np.float64, seed=0)
        rbm.fit(train, epochs=30)
        assert rbm.history["reconstruction_error"][-1] < rbm.history["reconstruction_error"][0]
        ll = exact_log_likelihood(rbm, test).mean()
        assert ll > base_ll + 3, (persistent, ll, base_ll)


def test_gaussian_rbm_positive_statistics_are_minus_free_energy_gradients_and_it_learns():
    rbm = tiny_rbm(visible="gaussian", sigma=0.8)
    v = np.random.default_rng(8).standard_normal((9, 6))
    pos_w, pos_b, pos_c = rbm._statistics(v, rbm.hidden_probs(v))
    for name, analytic in (("weight", pos_w), ("visible_bias", pos_b), ("hidden_bias", pos_c)):
        param = rbm.parameters()[name]
        idx = (0,) * param.ndim
        keep = param[idx]
        param[idx] = keep + 1e-6
        up = -rbm.free_energy(v).mean()
        param[idx] = keep - 1e-6
        down = -rbm.free_energy(v).mean()
        param[idx] = keep
        assert analytic[idx] == pytest.approx((up - down) / 2e-6, abs=1e-6), name
    # two clusters in 4-D: after training, data points have lower free energy than points between them
    rng = np.random.default_rng(9)
    centres = np.array([[2, 2, -2, -2], [-2, -2, 2, 2]], float)
    data = centres[rng.integers(0, 2, 600)] + 0.3 * rng.standard_normal((600, 4))
    model = RBM(8, visible="gaussian", lr=0.01, momentum=0.5, batch_size=20, dtype=np.float64, seed=0)
    model.fit(data, epochs=30)
    assert model.free_energy(centres).max() < model.free_energy(np.zeros((1, 4)))[0] - 2
    assert model.history["reconstruction_error"][-1] < 0.5 * model.history["reconstruction_error"][0]


def test_bad_input_is_refused_with_a_clear_message():
    rbm = RBM(4, n_visible=6)
    with pytest.raises(ValueError, match=r"RBM.hidden_probs: expected 6 features"):
        rbm.hidden_probs(np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"binary input"):
        rbm.pseudo_log_likelihood(np.full((2, 6), 0.5))
    with pytest.raises(ValueError, match=r"visible must be one of"):
        RBM(4, visible="poisson")
    with pytest.raises(ValueError, match=r"Bernoulli visible units need data in \[0, 1\]"):
        RBM(4).fit(np.full((3, 6), 2.0))
    with pytest.raises(ValueError, match=r"n_hidden must be a positive integer"):
        RBM(0)
    with pytest.raises(ValueError, match=r"needs Bernoulli visible units"):
        ais_log_partition(RBM(3, visible="gaussian", n_visible=4))


@pytest.mark.slow
def test_ais_agrees_with_exact_log_z_on_an_mnist_sized_rbm():
    """784-20 RBM trained on binarised MNIST-5k: AIS (100 runs, 14,500 temperatures) within 0.2 nats
    of the exact log Z over 2²⁰ hidden states (measured: 234.661 vs 234.704)."""
    import neuronet as nt
    x, _ = nt.data.load_mnist_5k(flatten=True)
    x = (x > 0.5).astype(np.float32)
    rbm = RBM(20, lr=0.05, momentum=0.5, weight_decay=2e-4, batch_size=20, seed=0).fit(x, epochs=10)
    estimate, (low, high) = ais_log_partition(rbm, base_bias=base_rate_bias(x), seed=0)
    assert abs(estimate - exact_log_partition(rbm)) < 0.2
