"""Hebb's rule, Oja's rule and Sanger's rule: transcriptions, and Oja against the eigen-decomposition."""
import numpy as np
import pytest

from neuronet.data.datasets import load_iris
from neuronet.models.classic import Hebb, Oja, hebb_update


def test_supervised_hebb_is_the_outer_product_sum_and_recalls_orthonormal_patterns():
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    x, t = q[:3], rng.normal(size=(3, 2))
    h = Hebb(lr=1.0).fit(x, t)
    np.testing.assert_allclose(h.weight, sum(np.outer(ti, xi) for xi, ti in zip(x, t)), atol=1e-12)
    np.testing.assert_allclose(h.predict(x), t, atol=1e-12)
    np.testing.assert_allclose(hebb_update(np.zeros((2, 6)), x, t, 0.5), 0.5 * h.weight, atol=1e-12)


def test_plain_hebb_grows_without_bound():
    x = np.random.default_rng(1).normal(size=(50, 3))
    h = Hebb(lr=0.05, epochs=5, seed=0).fit(x)
    norms = h.history["norm"]
    assert all(b > a for a, b in zip(norms, norms[1:])) and norms[-1] > 100 * norms[0]


def test_unsupervised_hebb_matches_the_transcription_online_and_batch():
    x = np.random.default_rng(4).normal(size=(5, 3))
    w0 = np.random.default_rng(0).normal(0, 0.1, (1, 3))
    online, batch = w0.copy(), w0.copy()
    for _ in range(2):
        for xi in x:                        # ΔW = η y xᵀ, y = W x, after every sample
            online = online + 0.1 * np.outer(online @ xi, xi)
        batch = batch + 0.1 * sum(np.outer(batch @ xi, xi) for xi in x)
    np.testing.assert_allclose(Hebb(lr=0.1, epochs=2, seed=0).fit(x).weight, online, atol=1e-12)
    np.testing.assert_allclose(Hebb(lr=0.1, epochs=2, mode="batch", seed=0).fit(x).weight, batch, atol=1e-12)


def test_oja_online_matches_the_transcription():
    x = np.random.default_rng(2).normal(size=(8, 3))
    o = Oja(1, lr=0.05, epochs=2, shuffle=False, center=False, seed=0).fit(x)
    w = np.random.default_rng(0).normal(0, 1, (1, 3))[0]
    w /= np.linalg.norm(w)
    for _ in range(2):
        for xi in x:
            y = w @ xi
            w = w + 0.05 * y * (xi - y * w)       # Δw = η y (x − y w)
    np.testing.assert_allclose(o.components_[0], w, atol=1e-12)


def test_sanger_online_matches_the_transcription():
    x = np.random.default_rng(3).normal(size=(6, 4))
    o = Oja(2, lr=0.05, epochs=1, shuffle=False, center=False, seed=0).fit(x)
    w = np.random.default_rng(0).normal(0, 1, (2, 4))
    w /= np.linalg.norm(w, axis=1, keepdims=True)
    for xi in x:
        y = w @ xi
        new = w.copy()
        for j in range(2):            # Δwⱼ = η yⱼ (x − Σ_{k ≤ j} y_k w_k)
            new[j] = w[j] + 0.05 * y[j] * (xi - sum(y[k] * w[k] for k in range(j + 1)))
        w = new
    np.testing.assert_allclose(o.components_, w, atol=1e-12)


def standardised_iris():
    x, _ = load_iris()
    return ((x - x.mean(0)) / x.std(0)).astype(np.float64)


@pytest.mark.parametrize("mode, lr, epochs", [("online", 0.005, 40), ("batch", 0.2, 300)])
def test_oja_and_sanger_find_the_principal_components(mode, lr, epochs):
    x = standardised_iris()
    values, vectors = np.linalg.eigh(np.cov(x.T, bias=True))
    top = vectors[:, ::-1][:, :2]
    one = Oja(1, lr=lr, epochs=epochs, mode=mode, seed=0).fit(x)
    assert abs(one.components_[0] @ top[:, 0]) > 0.999
    assert abs(np.linalg.norm(one.components_[0]) - 1) < 0.01          # Oja normalises: |w| → 1
    two = Oja(2, lr=lr, epochs=epochs, mode=mode, seed=0).fit(x)
    cos = np.abs(np.sum(two.components_ * top.T, axis=1)) / np.linalg.norm(two.components_, axis=1)
    assert (cos > 0.999).all()
    sub = Oja(2, lr=lr, epochs=epochs, mode=mode, rule="subspace", seed=0).fit(x)
    proj = top @ top.T                                                    # the rows span the top-2 subspace
    np.testing.assert_allclose(sub.components_ @ proj, sub.components_, atol=0.02)


def test_oja_errors():
    with pytest.raises(ValueError, match="Oja: n_components=5 exceeds the 4 features"):
        Oja(5).fit(standardised_iris())
    with pytest.raises(FloatingPointError, match="lower lr"):
        Oja(1, lr=50.0, epochs=5, mode="batch").fit(standardised_iris() * 10)
