"""RBF networks (k-means, width heuristics, closed-form and gradient read-out) and extreme learning machines."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.models.classic import (ELMClassifier, ExtremeLearningMachine, RBFClassifier, RBFLayer, RBFNetwork,
                                     gaussian_activations, kmeans, rbf_widths, ridge_solve)
from neuronet.recipes.datasets import dataset_splits
from tests.helpers import check_grad, need


def blobs(seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [5.0, 5.0], [0.0, 6.0]])
    return np.concatenate([c + 0.5 * rng.normal(size=(30, 2)) for c in centres]), centres


def test_kmeans_finds_the_blobs_and_lloyd_is_a_fixed_point():
    x, centres = blobs()
    c, labels, inertia = kmeans(x, 3, seed=0)
    assert np.abs(np.sort(c, axis=0) - np.sort(centres, axis=0)).max() < 0.3
    for j in range(3):             # each centre is the mean of its samples, each sample at its nearest centre
        np.testing.assert_allclose(c[j], x[labels == j].mean(axis=0), atol=1e-12)
    assert (np.argmin(((x[:, None] - c[None]) ** 2).sum(-1), axis=1) == labels).all()
    sklearn = need("sklearn.cluster")
    ref = sklearn.KMeans(3, n_init=3, random_state=0).fit(x)
    assert inertia <= ref.inertia_ * 1.001


def test_width_heuristics():
    c = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0]])
    np.testing.assert_allclose(rbf_widths(c, "max_distance"), np.full(3, 5.0 / np.sqrt(6)))
    np.testing.assert_allclose(rbf_widths(c, "nearest", p=1), [3.0, 3.0, 4.0])
    np.testing.assert_allclose(rbf_widths(c, "nearest", p=2), [3.5, 4.0, 4.5])
    np.testing.assert_allclose(rbf_widths(c, 0.7), np.full(3, 0.7))


def test_hidden_layer_and_readout_follow_the_equations():
    x, _ = blobs(1)
    t = np.sin(x[:, 0]) + x[:, 1]
    net = RBFNetwork(6, width="max_distance", ridge=1e-3, seed=0).fit(x, t)
    phi = np.exp(-np.array([[np.sum((xi - c) ** 2) for c in net.centers_] for xi in x]) / (2 * net.widths_ ** 2))
    np.testing.assert_allclose(net.hidden(x), phi, atol=1e-12)
    pc, tc = phi - phi.mean(0), t - t.mean()
    w = np.linalg.solve(pc.T @ pc + 1e-3 * np.eye(6), pc.T @ tc)        # ridge, unpenalised intercept
    np.testing.assert_allclose(net.weight[0], w, atol=1e-8)
    np.testing.assert_allclose(net.predict(x), phi @ w + t.mean() - phi.mean(0) @ w, atol=1e-8)


def test_ridge_matches_scikit_learn():
    sklearn = need("sklearn.linear_model")
    rng = np.random.default_rng(2)
    h, t = rng.normal(size=(30, 5)), rng.normal(size=(30, 2))
    w, b = ridge_solve(h, t, 0.3)
    ref = sklearn.Ridge(alpha=0.3).fit(h, t)
    np.testing.assert_allclose(w, ref.coef_, atol=1e-10)
    np.testing.assert_allclose(b, ref.intercept_, atol=1e-10)


def test_gaussian_activations_gradcheck():
    rng = np.random.default_rng(3)
    check_grad(gaussian_activations, rng.normal(size=(4, 3)), rng.normal(size=(5, 3)), 0.3 * rng.normal(size=5))
    layer = RBFLayer(rng.normal(size=(5, 3)), np.ones(5))
    with pytest.raises(ValueError, match="RBFLayer: expected inputs \\(batch, 3\\)"):
        layer(nt.tensor(np.ones((2, 4))))


def test_gradient_training_lowers_the_error_of_the_closed_form():
    x = np.linspace(-3, 3, 120)[:, None]
    t = np.sin(2 * x[:, 0]) * np.exp(-0.2 * x[:, 0] ** 2)
    closed = RBFNetwork(6, centers="sample", ridge=1e-2, seed=0).fit(x, t)
    tuned = RBFNetwork(6, centers="sample", ridge=1e-2, gradient_epochs=100, lr=0.01, batch_size=120, seed=0).fit(x, t)
    assert tuned.history["mse"][0] == pytest.approx(closed.history["mse"][0])
    assert tuned.history["mse"][-1] < 0.5 * closed.history["mse"][0]


@pytest.fixture(scope="module")
def digits():
    return dataset_splits("digits")


def test_rbf_classifies_digits(digits):
    net = RBFClassifier(150, ridge=1e-3, seed=0).fit(digits["x_train"], digits["y_train"])
    assert net.score(digits["x_test"], digits["y_test"]) >= 0.96


def test_elm_follows_the_equations_and_classifies_digits(digits):
    x, y = digits["x_train"].astype(np.float64), digits["y_train"]
    elm = ELMClassifier(600, ridge=1e-2, seed=0).fit(x, y)
    h = np.tanh(x @ elm.hidden_weight.T + elm.hidden_bias)
    w, b = ridge_solve(h, np.eye(10)[y], 1e-2)
    np.testing.assert_allclose(elm.decision_function(x), h @ w.T + b, atol=1e-8)
    assert elm.score(digits["x_test"], digits["y_test"]) >= 0.95
    reg = ExtremeLearningMachine(50, activation="sigmoid", seed=0).fit(x[:, :3], x[:, 3])
    assert reg.predict(x[:5, :3]).shape == (5,)


def test_errors():
    with pytest.raises(ValueError, match="RBFNetwork: n_centers=50 exceeds the 10 training samples"):
        RBFNetwork(50).fit(np.ones((10, 2)), np.ones(10))
    with pytest.raises(ValueError, match="rbf_widths: heuristic"):
        RBFNetwork(2, width="widest").fit(np.random.default_rng(0).normal(size=(10, 2)), np.ones(10))
    with pytest.raises(ValueError, match="ELMClassifier: activation"):
        ELMClassifier(activation="gelu")
    with pytest.raises(ValueError, match="ELMClassifier.predict: call fit first"):
        ELMClassifier().predict(np.ones((1, 2)))
