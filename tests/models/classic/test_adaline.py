"""ADALINE: the LMS rule against its transcription; batch descent reaches the least-squares solution."""
import numpy as np
import pytest

from neuronet.data.datasets import load_iris
from neuronet.models.classic import Adaline


def data(seed=0, n=10):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    return x, x @ [0.5, -1.0, 2.0] + 0.1 + 0.1 * rng.normal(size=n)


def test_online_lms_matches_the_transcription():
    x, t = data()
    a = Adaline(lr=0.05, epochs=3, mode="online").fit(x, t)
    w, b = np.zeros(3), 0.0
    for _ in range(3):
        for xi, ti in zip(x, t):
            err = ti - (w @ xi + b)          # Widrow–Hoff: w += η (t − o) x
            w, b = w + 0.05 * err * xi, b + 0.05 * err
    np.testing.assert_allclose(a.weight[0], w, atol=1e-12)
    np.testing.assert_allclose(a.bias[0], b, atol=1e-12)


def test_batch_rule_matches_the_transcription_and_reaches_least_squares():
    x, t = data(1, 40)
    a = Adaline(lr=0.1, epochs=2, mode="batch").fit(x, t)
    w, b = np.zeros(3), 0.0
    for _ in range(2):
        err = t - (x @ w + b)
        w, b = w + 0.1 * x.T @ err / len(x), b + 0.1 * err.mean()
    np.testing.assert_allclose(a.weight[0], w, atol=1e-12)
    np.testing.assert_allclose(a.bias[0], b, atol=1e-12)
    full = Adaline(lr=0.3, epochs=400, mode="batch").fit(x, t)
    lsq = np.linalg.lstsq(np.hstack([x, np.ones((40, 1))]), t, rcond=None)[0]
    np.testing.assert_allclose(np.r_[full.weight[0], full.bias], lsq, atol=1e-6)
    assert np.all(np.diff(full.history["mse"]) <= 1e-15)      # gradient descent on a quadratic: never up


def test_classifies_versicolor_vs_virginica():
    x, y = load_iris()
    x = ((x - x.mean(0)) / x.std(0))[y > 0]
    t = np.where(y[y > 0] == 2, 1.0, -1.0)
    a = Adaline(lr=0.01, epochs=30, mode="online", shuffle=True, seed=0).fit(x, t)
    assert np.mean(a.predict(x) == t) >= 0.93


def test_divergence_and_bad_input_are_reported():
    x, t = data()
    with pytest.raises(FloatingPointError, match="lower lr"):
        Adaline(lr=50.0, epochs=50, mode="batch").fit(x * 10, t)
    with pytest.raises(ValueError, match="Adaline.fit: expected targets of shape \\(10,\\)"):
        Adaline().fit(x, t[:5])
