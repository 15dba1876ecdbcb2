"""ADALINE (Widrow & Hoff, 1960): a linear unit trained by the LMS (delta) rule, thresholded to classify.

The output is linear, ``o = w·x + b``, and the rule descends the squared error ½(t − o)²:

    online (LMS):  w ← w + η (t − o) x,            b ← b + η (t − o)        after every sample;
    batch:         w ← w + η/N Σᵢ (tᵢ − oᵢ) xᵢ,    b ← b + η/N Σᵢ (tᵢ − oᵢ)  once per epoch (vectorised).

Unlike the perceptron it learns from every sample, not only mistakes, and converges (for small η)
to the least-squares solution.  ``predict`` thresholds at 0 for targets in {−1, +1}.
"""
from __future__ import annotations

from ...backend import np
from ...checks import positive_int
from ._common import as_matrix, as_targets, positive_float, rng_for

__all__ = ["Adaline"]


class Adaline:
    """A linear unit (or several: targets (N, K)) trained by the Widrow–Hoff LMS rule.

    Args:
        lr: learning rate η (online needs η < 2/|x|²; batch needs η < 2/λ_max of the input covariance).
        epochs: passes over the data.
        mode: ``"online"`` (LMS, sample by sample) or ``"batch"`` (mean gradient, once per epoch).
        shuffle: new random sample order every epoch (online).
        seed: seed of the shuffling.

    After ``fit``: ``weight (K, features)``, ``bias (K,)``, ``history = {"mse": [per epoch, after the epoch]}``.

    Example:
        >>> x = np.array([[0.0], [1.0], [2.0], [3.0]])
        >>> model = nt.models.classic.Adaline(lr=0.05, epochs=200).fit(x, 2 * x[:, 0] + 1)
        >>> np.round(model.weight, 2).tolist(), np.round(model.bias, 2).tolist()  # the least-squares line
        ([[2.0]], [1.0])
    """

    def __init__(self, lr: float = 0.01, epochs: int = 50, mode: str = "online", shuffle: bool = False, seed=None):
        self.lr = positive_float("Adaline", "lr", lr)
        self.epochs = positive_int("Adaline", "epochs", epochs)
        if mode not in ("online", "batch"):
            raise ValueError(f"Adaline: mode must be 'online' or 'batch', got {mode!r}")
        self.mode, self.shuffle, self.seed = mode, bool(shuffle), seed

    def fit(self, x, t):
        """Learn ``x (N, features)`` -> targets ``t (N,)`` or ``(N, K)`` (real values; ±1 to classify)."""
        x = as_matrix("Adaline.fit", x)
        t = as_targets("Adaline.fit", t, x.shape[0])
        n, f = x.shape
        w, b = np.zeros((t.shape[1], f)), np.zeros(t.shape[1])
        rng = rng_for(self.seed)
        self.history = {"mse": []}
        with np.errstate(over="ignore", invalid="ignore"):       # divergence is reported below, by name
            self._epochs(x, t, w, b, rng)
        self.weight, self.bias, self.n_features_ = w, b, f
        return self

    def _epochs(self, x, t, w, b, rng):
        n = x.shape[0]
        for _ in range(self.epochs):
            if self.mode == "batch":
                err = t - (x @ w.T + b)                      # (N, K)
                w += self.lr / n * err.T @ x
                b += self.lr / n * err.sum(axis=0)
            else:
                for i in (rng.permutation(n) if self.shuffle else range(n)):
                    xi = x[i]
                    err = t[i] - (w @ xi + b)                # (K,)
                    w += self.lr * err[:, None] * xi
                    b += self.lr * err
            mse = float(np.mean((t - (x @ w.T + b)) ** 2))
            if not np.isfinite(mse):
                raise FloatingPointError(f"Adaline.fit: the LMS rule diverged (mse {mse}); lower lr={self.lr}")
            self.history["mse"].append(mse)

    def net_input(self, x):
        """The linear output w·x + b: (N,) for one output, (N, K) for several."""
        if not hasattr(self, "weight"):
            raise ValueError("Adaline.net_input: call fit first")
        o = as_matrix("Adaline.net_input", x, self.n_features_) @ self.weight.T + self.bias
        return o[:, 0] if o.shape[1] == 1 else o

    def predict(self, x):
        """Class decisions: sign of the output (−1/+1) for one output, argmax for several."""
        o = self.net_input(x)
        return np.where(o >= 0, 1, -1) if o.ndim == 1 else o.argmax(axis=1)
