"""Self-organising map: online and batch rules against their transcriptions, against minisom step by step,
the map measures against brute force, and a map of the digits."""
import numpy as np
import pytest

from neuronet.data.datasets import load_digits
from neuronet.models.classic import SOM


def small(seed=0, n=30, f=3):
    return np.random.default_rng(seed).normal(size=(n, f))


def grid_d2(rows, cols):
    pos = [(r, c) for r in range(rows) for c in range(cols)]
    return np.array([[(a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 for b in pos] for a in pos], float)


def test_online_rule_matches_the_transcription():
    x = small()
    w0 = np.random.default_rng(1).normal(size=(3, 4, 3))
    som = SOM(3, 4, sigma=1.5, lr=0.4, init=w0).fit(x, epochs=2, mode="online", shuffle=False)
    w, d2, total = w0.reshape(12, 3).copy(), grid_d2(3, 4), 2 * len(x)
    for t in range(total):
        xi = x[t % len(x)]
        c = np.argmin([np.sum((xi - wj) ** 2) for wj in w])
        sigma, eta = 1.5 / (1 + 2 * t / total), 0.4 / (1 + 2 * t / total)     # asymptotic decay
        for j in range(12):      # wⱼ += η h_cj (x − wⱼ), h = exp(−d²/2σ²)
            w[j] = w[j] + eta * np.exp(-d2[c, j] / (2 * sigma ** 2)) * (xi - w[j])
    np.testing.assert_allclose(som.weights.reshape(12, 3), w, atol=1e-12)


@pytest.mark.parametrize("neighborhood", ["gaussian", "bubble"])
def test_batch_rule_matches_the_transcription(neighborhood):
    x = small(2)
    w0 = np.random.default_rng(3).normal(size=(2, 3, 3))
    som = SOM(2, 3, sigma=1.2, neighborhood=neighborhood, init=w0).fit(x, epochs=1, mode="batch")
    w, d2 = w0.reshape(6, 3), grid_d2(2, 3)
    h = np.exp(-d2 / (2 * 1.2 ** 2)) if neighborhood == "gaussian" else (d2 <= 1.2 ** 2) * 1.0
    num, den = np.zeros((6, 3)), np.zeros(6)
    for xi in x:                 # wⱼ = Σᵢ h_{c(i) j} xᵢ / Σᵢ h_{c(i) j}
        c = np.argmin(np.sum((xi - w) ** 2, axis=1))
        num += h[c][:, None] * xi
        den += h[c]
    np.testing.assert_allclose(som.weights.reshape(6, 3), num / den[:, None], atol=1e-12)


def test_online_training_equals_minisom_step_by_step():
    minisom = pytest.importorskip("minisom", reason="needs minisom (the reference SOM): pip install minisom")
    x = small(4, n=40, f=4)
    ref = minisom.MiniSom(5, 6, 4, sigma=2.0, learning_rate=0.5, neighborhood_function="gaussian", random_seed=0)
    w0 = ref.get_weights().copy()
    ref.train(x, 3 * len(x))                         # sequential order, asymptotic decay over all steps
    ours = SOM(5, 6, sigma=2.0, lr=0.5, init=w0).fit(x, epochs=3, mode="online", shuffle=False)
    np.testing.assert_allclose(ours.weights, ref.get_weights(), atol=1e-10)
    assert ours.quantization_error(x) == pytest.approx(ref.quantization_error(x), rel=1e-9)
    assert ours.topographic_error(x) == pytest.approx(ref.topographic_error(x), abs=1e-12)


def test_measures_against_brute_force():
    x = small(5, n=25)
    som = SOM(3, 3, sigma=1.0, seed=0).fit(x, epochs=3)
    w = som.weights.reshape(9, 3)
    d = np.array([[np.linalg.norm(xi - wj) for wj in w] for xi in x])
    assert som.quantization_error(x) == pytest.approx(d.min(axis=1).mean(), rel=1e-9)
    order = np.argsort(d, axis=1)
    rc = np.stack(np.divmod(np.arange(9), 3), axis=1)
    far = [np.abs(rc[a] - rc[b]).max() > 1 for a, b in order[:, :2]]   # 8-neighbourhood, as minisom
    assert som.topographic_error(x) == pytest.approx(np.mean(far))
    assert som.hit_map(x).sum() == len(x) and som.hit_map(x).shape == (3, 3)
    centre_neighbours = [j for j in range(9) if j != 4]
    assert som.u_matrix()[1, 1] == pytest.approx(np.mean([np.linalg.norm(w[4] - w[j]) for j in centre_neighbours]))
    assert som.component_planes().shape == (3, 3, 3)


def test_hexagonal_grid_has_six_neighbours_at_distance_one():
    som = SOM(5, 5, topology="hexagonal")
    inner = [r * 5 + c for r in range(1, 4) for c in range(1, 4)]
    assert all(som.adjacent[u].sum() == 6 for u in inner)
    assert np.allclose(som.grid_d2[som.adjacent], 1.0)


def test_digits_map_orders_the_classes():
    x, y = load_digits()
    x = x.astype(np.float64)
    som = SOM(10, 10, topology="hexagonal", sigma=5.0, decay="exponential", seed=0).fit(x, epochs=15)
    labels = som.label_map(x, y)
    purity = np.mean(labels.reshape(-1)[som.winner(x)] == y)
    assert purity > 0.85 and som.topographic_error(x) < 0.15
    assert som.history["quantization_error"][-1] < som.history["quantization_error"][0]


def test_errors():
    with pytest.raises(ValueError, match="SOM: topology"):
        SOM(2, 2, topology="torus")
    with pytest.raises(ValueError, match="SOM: init array must have shape \\(2, 2, 3\\)"):
        SOM(2, 2, init=np.zeros((2, 2, 4))).fit(small())
    with pytest.raises(ValueError, match="SOM.winner: call fit first"):
        SOM(2, 2).winner(small())
    with pytest.raises(ValueError, match="SOM.winner: expected 3 features"):
        SOM(2, 2, seed=0).fit(small(), epochs=1).winner(np.ones((2, 5)))
