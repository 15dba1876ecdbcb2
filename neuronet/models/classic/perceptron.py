"""Rosenblatt's perceptron (1958): online and epoch-wise mistake-driven learning, averaging, one-vs-rest.

With targets y ∈ {−1, +1} and the score s = w·x + b, a sample is a mistake when ``y s ≤ 0``; then

    w ← w + η y x,    b ← b + η y.

Online (the 1958 rule) updates after each mistaken sample, in order; epoch-wise ("batch perceptron")
sums the updates of every mistake made by the weights at the start of the epoch, in one matrix product.
On linearly separable data the online rule stops making mistakes after at most (R/γ)² updates
(Novikoff).  Several classes are learnt one-vs-rest, all K binary perceptrons in the same pass.
"""
from __future__ import annotations

from ...backend import np
from ._common import as_matrix, compiled_rules, positive_float, rng_for
from ...checks import positive_int

__all__ = ["Perceptron"]


class Perceptron:
    """A (multi-class, one-vs-rest) perceptron trained by Rosenblatt's rule.

    Args:
        lr: learning rate η (with zero initial weights the online rule's decisions do not depend on it).
        epochs: passes over the data (at most; see ``stop_when_separated``).
        mode: ``"online"`` (update after every mistake, in order) or ``"epoch"`` (sum the updates of one pass).
        shuffle: visit the samples in a new random order each epoch (online mode).
        averaged: predict with the average of the weights after every sample (Freund & Schapire's voted
            perceptron, averaged form), which generalises better on data that are not separable.
        fit_intercept: learn the bias b.
        stop_when_separated: stop after the first epoch without a mistake.
        seed: seed of the shuffling (default: neuronet's generator, ``nt.manual_seed``).

    After ``fit``: ``classes_``, ``weight (K, features)`` (K = 1 for two classes), ``bias (K,)``,
    ``history = {"mistakes": [per epoch], "mistakes_per_class": [...], "weights": [(weight, bias) per epoch]}``
    and ``converged_epoch`` (the first epoch without a mistake, or None).

    Example:
        >>> x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
        >>> p = nt.models.classic.Perceptron(epochs=20).fit(x, np.array([0, 0, 0, 1]))  # AND is separable
        >>> p.history["mistakes"][-1], p.predict(x).tolist()
        (0, [0, 0, 0, 1])
    """

    def __init__(self, lr: float = 1.0, epochs: int = 20, mode: str = "online", shuffle: bool = False,
                 averaged: bool = False, fit_intercept: bool = True, stop_when_separated: bool = True, seed=None):
        self.lr = positive_float("Perceptron", "lr", lr)
        self.epochs = positive_int("Perceptron", "epochs", epochs)
        if mode not in ("online", "epoch"):
            raise ValueError(f"Perceptron: mode must be 'online' or 'epoch', got {mode!r}")
        if averaged and mode != "online":
            raise ValueError("Perceptron: averaged=True averages the weights after every sample: use mode='online'")
        self.mode, self.shuffle, self.averaged = mode, bool(shuffle), bool(averaged)
        self.fit_intercept, self.stop_when_separated, self.seed = bool(fit_intercept), bool(stop_when_separated), seed

    # --- targets --------------------------------------------------------------------------------
    def _signs(self, y):
        """Labels -> (N, K) targets in {−1, +1}: one column for two classes (classes_[1] is +1), else one per class."""
        y = np.asarray(y).reshape(-1)
        self.classes_ = np.unique(y)
        if self.classes_.size < 2:
            raise ValueError(f"Perceptron: need at least two classes, got {self.classes_.tolist()}")
        if self.classes_.size == 2:
            return np.where(y == self.classes_[1], 1.0, -1.0)[:, None]
        return np.where(y[:, None] == self.classes_[None, :], 1.0, -1.0)

    def fit(self, x, y):
        """Learn from ``x (N, features)`` and labels ``y (N,)`` (any two or more distinct values)."""
        x = as_matrix("Perceptron.fit", x)
        if np.asarray(y).reshape(-1).shape[0] != x.shape[0]:
            raise ValueError(f"Perceptron.fit: {x.shape[0]} samples but {np.asarray(y).size} labels")
        t = self._signs(y)
        n, f = x.shape
        k = t.shape[1]
        w, b = np.zeros((k, f)), np.zeros(k)
        w_sum, b_sum, seen = np.zeros((k, f)), np.zeros(k), 0
        rng = rng_for(self.seed)
        self.history = {"mistakes": [], "mistakes_per_class": [], "weights": []}
        self.converged_epoch = None
        for epoch in range(self.epochs):
            if self.mode == "epoch":
                # batch perceptron: every mistake of the current weights, summed -> one update
                wrong = t * (x @ w.T + b) <= 0                                  # (N, K)
                step = self.lr * (wrong * t)                                    # η y on mistakes, 0 elsewhere
                w += step.T @ x
                if self.fit_intercept:
                    b += step.sum(axis=0)
                mistakes = wrong.sum(axis=0)
            else:
                order = rng.permutation(n) if self.shuffle else np.arange(n)
                mistakes = np.zeros(k, dtype=np.int64)
                if compiled_rules():
                    from ...kernels.classic import perceptron_online_epoch
                    perceptron_online_epoch(x, t, w, b, self.lr, order, self.fit_intercept, self.averaged,
                                            w_sum, b_sum, mistakes)
                    order = ()                      # done: the NumPy loop below is the reference
                for i in order:                     # the online rule visits samples one by one by definition
                    xi, ti = x[i], t[i]
                    wrong = ti * (w @ xi + b) <= 0
                    if wrong.any():
                        step = self.lr * ti[wrong]
                        w[wrong] += step[:, None] * xi
                        if self.fit_intercept:
                            b[wrong] += step
                        mistakes += wrong
                    if self.averaged:
                        w_sum += w
                        b_sum += b
                seen += n
            self.history["mistakes"].append(int(mistakes.sum()))
            self.history["mistakes_per_class"].append(mistakes.astype(int).tolist())
            self.history["weights"].append((w.copy(), b.copy()))
            if mistakes.sum() == 0 and self.converged_epoch is None:
                self.converged_epoch = epoch + 1
                if self.stop_when_separated:
                    break
        if self.averaged:
            w, b = w_sum / seen, b_sum / seen
        self.weight, self.bias = w, b
        self.n_features_ = f
        return self

    def _check_fitted(self, owner):
        if not hasattr(self, "weight"):
            raise ValueError(f"Perceptron.{owner}: call fit first")

    def decision_function(self, x):
        """Scores w·x + b: (N,) for two classes, (N, K) for more."""
        self._check_fitted("decision_function")
        x = as_matrix("Perceptron.decision_function", x, self.n_features_)
        s = x @ self.weight.T + self.bias
        return s[:, 0] if s.shape[1] == 1 else s

    def predict(self, x):
        """Labels: the sign of the score for two classes, the class of the largest score for more."""
        s = self.decision_function(x)
        idx = (s > 0).astype(np.int64) if s.ndim == 1 else s.argmax(axis=1)
        return self.classes_[idx]

    def score(self, x, y) -> float:
        """Accuracy on ``(x, y)``."""
        return float(np.mean(self.predict(x) == np.asarray(y).reshape(-1)))
