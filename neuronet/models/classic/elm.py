"""Extreme learning machine (Huang, Zhu & Siew 2006): a random, fixed hidden layer and a read-out solved
in closed form.

    H = g(X W_hᵀ + b_h)       (W_h, b_h drawn once at random, never trained)
    β = argmin |H βᵀ + b − T|² + α|β|²        (ridge least squares, one linear solve)

Training is one GEMM and one solve; the whole cost is in the width of H.
"""
from __future__ import annotations

from ...backend import np
from ...checks import positive_int
from ._common import as_matrix, as_targets, positive_float, ridge_solve, rng_for

__all__ = ["ExtremeLearningMachine", "ELMClassifier"]

_ACTIVATIONS = {
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "relu": lambda z: np.maximum(z, 0.0),
    "sin": np.sin,
}


class ExtremeLearningMachine:
    """An ELM for regression.

    Args:
        hidden: width of the random hidden layer.
        activation: ``"tanh"``, ``"sigmoid"``, ``"relu"`` or ``"sin"``.
        weight_scale: hidden weights ~ N(0, weight_scale² / features) (inputs should be standardised).
        ridge: α of the read-out.
        seed: seed of the hidden layer.

    Example:
        >>> x = np.linspace(-1, 1, 200)[:, None]
        >>> elm = nt.models.classic.ExtremeLearningMachine(hidden=50, seed=0).fit(x, x ** 2)
        >>> float(np.abs(elm.predict(x) - x ** 2).max()) < 0.01
        True
    """

    def __init__(self, hidden: int = 500, activation: str = "tanh", weight_scale: float = 1.0,
                 ridge: float = 1e-3, seed=None):
        name = type(self).__name__
        self.hidden_units = positive_int(name, "hidden", hidden)
        if activation not in _ACTIVATIONS:
            raise ValueError(f"{name}: activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}")
        self.activation = activation
        self.weight_scale = positive_float(name, "weight_scale", weight_scale)
        if not ridge >= 0:
            raise ValueError(f"{name}: ridge must be >= 0, got {ridge!r}")
        self.ridge, self.seed = float(ridge), seed

    def hidden(self, x):
        """The random features H (N, hidden)."""
        return _ACTIVATIONS[self.activation](x @ self.hidden_weight.T + self.hidden_bias)

    def _fit_targets(self, x, t):
        rng = rng_for(self.seed)
        f = x.shape[1]
        self.hidden_weight = rng.normal(0, self.weight_scale / np.sqrt(f), (self.hidden_units, f))
        self.hidden_bias = rng.normal(0, self.weight_scale, self.hidden_units)
        self.weight, self.bias = ridge_solve(self.hidden(x), t, self.ridge)
        self.n_features_ = f
        return self

    def fit(self, x, y):
        x = as_matrix(f"{type(self).__name__}.fit", x)
        self._single = np.asarray(y).ndim == 1
        return self._fit_targets(x, as_targets(f"{type(self).__name__}.fit", y, len(x)))

    def _output(self, x):
        if not hasattr(self, "weight"):
            raise ValueError(f"{type(self).__name__}.predict: call fit first")
        return self.hidden(as_matrix(f"{type(self).__name__}.predict", x, self.n_features_)) @ self.weight.T + self.bias

    def predict(self, x):
        out = self._output(x)
        return out[:, 0] if self._single else out


class ELMClassifier(ExtremeLearningMachine):
    """An ELM that classifies: one-hot targets, the class of the largest output.

    Example:
        >>> x, y = nt.data.moons(200, noise=0.05, seed=0)
        >>> clf = nt.models.classic.ELMClassifier(hidden=100, seed=0).fit(x, y.ravel().astype(int))
        >>> float((clf.predict(x) == y.ravel()).mean()) > 0.95
        True
    """

    def fit(self, x, y):
        x = as_matrix("ELMClassifier.fit", x)
        y = np.asarray(y).reshape(-1)
        if y.size != len(x):
            raise ValueError(f"ELMClassifier.fit: {len(x)} samples but {y.size} labels")
        self.classes_, idx = np.unique(y, return_inverse=True)
        return self._fit_targets(x, np.eye(self.classes_.size)[idx])

    def decision_function(self, x):
        return self._output(x)

    def predict(self, x):
        scores = self._output(x)
        return self.classes_[scores.argmax(axis=1)]

    def score(self, x, y) -> float:
        return float(np.mean(self.predict(x) == np.asarray(y).reshape(-1)))
