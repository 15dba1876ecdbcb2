"""Rosenblatt's perceptron against a line-by-line transcription of the rule, against scikit-learn, and learning."""
import warnings

import numpy as np
import pytest

from neuronet.data.datasets import load_iris
from neuronet.models.classic import Perceptron
from tests.helpers import need


def transcribed_online(x, t, lr, epochs, averaged=False):
    """The 1958 rule written with scalars: for each sample in order, if y(w·x + b) ≤ 0: w += η y x, b += η y."""
    n, f = len(x), len(x[0])
    w, b = [0.0] * f, 0.0
    ws, bs, mistakes = [0.0] * f, 0.0, []
    for _ in range(epochs):
        m = 0
        for i in range(n):
            s = sum(w[j] * x[i][j] for j in range(f)) + b
            if t[i] * s <= 0:
                w = [w[j] + lr * t[i] * x[i][j] for j in range(f)]
                b = b + lr * t[i]
                m += 1
            ws = [ws[j] + w[j] for j in range(f)]
            bs += b
        mistakes.append(m)
    if averaged:
        w, b = [v / (n * epochs) for v in ws], bs / (n * epochs)
    return np.array(w), b, mistakes


def tiny(seed=0, n=12, separable=False):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    t = np.sign(x @ [1.0, -2.0, 0.5] + 0.3) if separable else np.where(rng.random(n) < 0.5, 1.0, -1.0)
    return x, t


@pytest.mark.parametrize("averaged", [False, True])
def test_online_rule_matches_the_transcription(averaged):
    x, t = tiny()
    p = Perceptron(lr=0.7, epochs=4, averaged=averaged, stop_when_separated=False).fit(x, t)
    w, b, mistakes = transcribed_online(x.tolist(), t.tolist(), 0.7, 4, averaged)
    np.testing.assert_allclose(p.weight[0], w, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(p.bias[0], b, rtol=1e-12, atol=1e-12)
    assert p.history["mistakes"] == mistakes


def test_epoch_rule_matches_the_transcription():
    x, t = tiny(1)
    p = Perceptron(lr=0.5, epochs=3, mode="epoch", stop_when_separated=False).fit(x, t)
    w, b = np.zeros(3), 0.0
    for _ in range(3):
        dw, db = np.zeros(3), 0.0
        for xi, ti in zip(x, t):          # every mistake of the weights at the start of the epoch
            if ti * (w @ xi + b) <= 0:
                dw, db = dw + 0.5 * ti * xi, db + 0.5 * ti
        w, b = w + dw, b + db
    np.testing.assert_allclose(p.weight[0], w, atol=1e-12)
    np.testing.assert_allclose(p.bias[0], b, atol=1e-12)


def test_converges_on_separable_data_within_novikoff_bound():
    x, t = tiny(2, n=60, separable=True)
    p = Perceptron(epochs=200).fit(x, t)
    assert p.converged_epoch is not None and p.history["mistakes"][-1] == 0
    assert (p.predict(x) == t).all()
    u = np.array([1.0, -2.0, 0.5, 0.3]) / np.linalg.norm([1.0, -2.0, 0.5, 0.3])   # a separating unit vector
    xa = np.hstack([x, np.ones((len(x), 1))])
    gamma, radius = np.min(t * (xa @ u)), np.max(np.linalg.norm(xa, axis=1))
    assert sum(p.history["mistakes"]) <= (radius / gamma) ** 2


def iris_sets():
    x, y = load_iris()
    x = ((x - x.mean(0)) / x.std(0)).astype(np.float64)
    return {"separable": (x, (y == 0).astype(int)), "non-separable": (x[y > 0][:, :2], y[y > 0]), "three-class": (x, y)}


@pytest.mark.parametrize("name", ["separable", "non-separable", "three-class"])
def test_same_weights_and_mistakes_as_scikit_learn(name):
    sklearn = need("sklearn.linear_model")
    x, y = iris_sets()[name]
    ours = Perceptron(lr=1.0, epochs=12, stop_when_separated=False).fit(x, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # ConvergenceWarning: max_iter reached, as asked
        ref = sklearn.Perceptron(eta0=1.0, max_iter=12, tol=None, shuffle=False).fit(x, y)
    np.testing.assert_allclose(ours.weight, ref.coef_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.bias, ref.intercept_, rtol=0, atol=1e-10)
    assert (ours.predict(x) == ref.predict(x)).all()


def test_multiclass_learns_iris():
    x, y = iris_sets()["three-class"]
    p = Perceptron(epochs=30, shuffle=True, averaged=True, seed=0).fit(x, y)
    assert p.weight.shape == (3, 4) and p.score(x, y) >= 0.9


def test_errors_name_the_class():
    with pytest.raises(ValueError, match="Perceptron: mode"):
        Perceptron(mode="batch")
    with pytest.raises(ValueError, match="Perceptron: lr"):
        Perceptron(lr=0)
    with pytest.raises(ValueError, match="at least two classes"):
        Perceptron().fit(np.ones((3, 2)), [1, 1, 1])
    p = Perceptron().fit(np.eye(2), [0, 1])
    with pytest.raises(ValueError, match="expected 2 features"):
        p.predict(np.ones((1, 3)))
