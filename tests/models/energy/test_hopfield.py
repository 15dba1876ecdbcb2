"""Hopfield networks: storage rules as transcribed, energy monotone under asynchronous updates,
capacity, recall of MNIST thumbnails; the modern Hopfield update is the project's attention."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.models.energy import Hopfield, ModernHopfield, capacity_curve, flip_bits, to_bipolar


def random_patterns(p, n, seed=0):
    return np.where(np.random.default_rng(seed).random((p, n)) < 0.5, -1.0, 1.0)


def test_storage_rules_are_the_textbook_formulas():
    xi = random_patterns(5, 40)
    w = np.zeros((40, 40))
    for pattern in xi:  # W_ij = (1/N) Σ_μ ξ_i ξ_j, i ≠ j
        for i in range(40):
            for j in range(40):
                if i != j:
                    w[i, j] += pattern[i] * pattern[j] / 40
    np.testing.assert_allclose(Hopfield().store(xi).weight, w, atol=1e-12)
    proj = xi.T @ np.linalg.inv(xi @ xi.T) @ xi
    np.fill_diagonal(proj, 0)
    np.testing.assert_allclose(Hopfield("pseudo_inverse").store(xi).weight, proj, atol=1e-10)


def test_energy_never_increases_under_asynchronous_updates():
    xi = random_patterns(30, 100)  # overloaded (0.3 N): plenty of spurious states to fall into
    net = Hopfield().store(xi)
    start = np.where(np.random.default_rng(1).random((20, 100)) < 0.5, -1.0, 1.0)
    _, history = net.recall(start, mode="async", return_history=True)
    assert np.all(np.diff(history["energy"], axis=0) <= 1e-9)
    # and per single-unit flip: E(s') - E(s) = -Δs_i h_i <= 0
    s = start[:3].copy()
    for i in range(100):
        before = net.energy(s)
        h = s @ net.weight[:, i]
        s[:, i] = np.where(h > 0, 1.0, np.where(h < 0, -1.0, s[:, i]))
        assert np.all(net.energy(s) <= before + 1e-12)


def test_synchronous_updates_can_oscillate_where_asynchronous_ones_settle():
    net = Hopfield()
    net.store(np.array([[1.0, 1.0]]))  # W = [[0, .5], [.5, 0]]
    start = np.array([[1.0, -1.0]])
    _, sync = net.recall(start, mode="sync", max_sweeps=6, return_history=True)
    assert np.array_equal(sync["states"][1], [[-1.0, 1.0]]) and np.array_equal(sync["states"][2], start)
    settled = net.recall(start, mode="async", rng=np.random.default_rng(0))
    assert abs(net.energy(settled)[0] - (-0.5)) < 1e-12


def test_pseudo_inverse_stores_correlated_patterns_that_hebbian_learning_confuses():
    rng = np.random.default_rng(2)
    base = random_patterns(1, 100)[0]
    xi = np.where(rng.random((8, 100)) < 0.15, -base, base)  # eight strongly correlated patterns
    heb = Hopfield().store(xi)
    pinv = Hopfield("pseudo_inverse").store(xi)
    assert np.array_equal(pinv.recall(xi), xi)  # every stored pattern is a fixed point
    assert Hopfield.overlap(heb.recall(xi, rng=rng), xi).mean() < 0.9


def test_capacity_collapses_between_low_and_high_load():
    curve = capacity_curve(100, [0.05, 0.3], trials=2, seed=0)
    assert curve["overlap"][0] > 0.97 and curve["perfect"][0] > 0.6
    assert curve["overlap"][1] < 0.8 and curve["perfect"][1] < 0.1


@pytest.mark.slow
def test_capacity_curve_collapses_near_0138_n():
    """N = 100..400: recall is good at 0.08 N everywhere; at 0.2 N (above 0.138) the overlap falls
    further the larger the network (finite-size effects blur the transition for small N), below 0.8 at N = 400."""
    high = []
    for n in (100, 200, 400):
        curve = capacity_curve(n, [0.08, 0.2], trials=3, seed=1)
        assert curve["overlap"][0] > 0.95, (n, curve["overlap"])
        high.append(curve["overlap"][1])
    assert high[0] > high[1] > high[2] and high[2] < 0.8, high


def test_recall_of_mnist_thumbnails_from_twenty_percent_flipped_pixels():
    x, y = nt.data.load_mnist_5k(flatten=True)
    thumbs = x.reshape(-1, 28, 28)[:, ::2, ::2].reshape(-1, 196)  # 14x14 thumbnails
    patterns = to_bipolar(thumbs[[np.flatnonzero(y == d)[0] for d in range(8)]])
    noisy = flip_bits(patterns, 0.2, np.random.default_rng(3))
    assert np.allclose(Hopfield.overlap(noisy, patterns), 1 - 2 * 39 / 196)  # 39 of 196 pixels flipped
    restored = Hopfield("pseudo_inverse").store(patterns).recall(noisy, rng=np.random.default_rng(4))
    assert Hopfield.overlap(restored, patterns).min() > 0.95


def test_modern_hopfield_update_is_scaled_dot_product_attention():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((12, 6))
    xi = rng.standard_normal((4, 6))
    net = ModernHopfield(beta=2.5).store(x)
    ours = net.update(xi)
    # softmax(β ξ Xᵀ) X by hand, and the project's fused attention Function with q = ξ, k = v = X, scale = β
    scores = 2.5 * xi @ x.T
    p = np.exp(scores - scores.max(1, keepdims=True))
    np.testing.assert_allclose(ours, (p / p.sum(1, keepdims=True)) @ x, rtol=1e-12)
    attn = nt.functional.scaled_dot_product_attention(nt.tensor(xi), nt.tensor(x), nt.tensor(x), scale=2.5)
    np.testing.assert_allclose(attn.numpy(), ours, rtol=1e-12)
    np.testing.assert_allclose(net.attention_update(xi).numpy(), ours, rtol=1e-12)
    # β = 1/√d is the Transformer's default scaling
    default = nt.functional.scaled_dot_product_attention(nt.tensor(xi), nt.tensor(x), nt.tensor(x))
    np.testing.assert_allclose(default.numpy(), ModernHopfield(beta=1 / np.sqrt(6)).store(x).update(xi), rtol=1e-12)


def test_modern_hopfield_energy_decreases_and_it_stores_more_patterns_than_units():
    rng = np.random.default_rng(6)
    patterns = np.where(rng.random((60, 32)) < 0.5, -1.0, 1.0)  # 60 patterns in 32 dimensions (1.9 N)
    net = ModernHopfield(beta=0.5).store(patterns)
    xi = patterns + 0.8 * rng.standard_normal(patterns.shape)
    energies = [net.energy(xi)]
    for _ in range(3):
        xi = net.update(xi)
        energies.append(net.energy(xi))
    assert np.all(np.diff(np.stack(energies), axis=0) <= 1e-9)
    assert np.array_equal(np.sign(xi), patterns)
    with pytest.raises(ValueError, match="ModernHopfield.update|ModernHopfield.attention_weights"):
        net.update(np.zeros((2, 5)))


def test_bad_input_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="bipolar"):
        Hopfield().store(np.array([[0.0, 1.0]]))
    with pytest.raises(ValueError, match="store patterns first"):
        Hopfield().recall(np.ones((1, 3)))
    with pytest.raises(ValueError, match=r"expected 3 features"):
        Hopfield().store(np.ones((1, 3))).recall(np.ones((1, 4)))
    with pytest.raises(ValueError, match="rule must be one of"):
        Hopfield("storkey")
    with pytest.raises(ValueError, match="beta must be"):
        ModernHopfield(beta=0)
