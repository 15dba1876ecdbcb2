"""Deep Boltzmann machine with two hidden layers (Salakhutdinov & Hinton 2009).

Unlike a DBN every connection is undirected:
    E(v, h¹, h²) = -bᵀv - c¹ᵀh¹ - c²ᵀh² - h¹ᵀW¹v - h²ᵀW²h¹,
so the middle layer hears both neighbours: p(h¹=1 | v, h²) = sigmoid(W¹v + W²ᵀh² + c¹),
p(v=1 | h¹) = sigmoid(W¹ᵀh¹ + b), p(h²=1 | h¹) = sigmoid(W²h¹ + c²).  Learning: the data term
⟨·⟩ under p(h | v) is approximated by mean-field (μ¹, μ² iterated to a fixed point), the model
term by persistent Gibbs chains (v and h² are sampled together given h¹).  Small machines get
their exact log Z and log-likelihood by enumerating both hidden layers.
"""
from __future__ import annotations

import numpy as np

from ... import backend
from ...checks import positive_int
from ...kernels.parallel import blas_for_product
from ._units import as_matrix, bernoulli, check_binary, sigmoid, softplus
from .exact import MAX_ENUMERATED, all_binary_states

__all__ = ["DBM"]


class DBM:
    """A two-hidden-layer deep Boltzmann machine over binary visible units.

    Args:
        n_hidden1, n_hidden2: sizes of the two hidden layers.
        lr, momentum, weight_decay: the update (as :class:`RBM`'s).
        batch_size: samples per update; the same number of persistent chains.
        mean_field_steps: fixed-point iterations of the positive phase.
        gibbs_steps: Gibbs steps of the chains per update.
        seed: seed of this model's generator (default: drawn from neuronet's).

    Example:
        >>> x = (np.random.default_rng(0).random((60, 12)) > 0.5).astype(np.float64)
        >>> dbm = nt.models.energy.DBM(6, 4, lr=0.02, seed=0).fit(x, epochs=2)
        >>> log_z = dbm.exact_log_partition()               # 2^(6+4) hidden states enumerated
        >>> bool(dbm.exact_log_likelihood(x, log_z).max() < 0)  # log p(v) of each row, in nats
        True
    """

    def __init__(self, n_hidden1: int, n_hidden2: int, lr: float = 0.01, momentum: float = 0.5,
                 weight_decay: float = 0.0, batch_size: int = 20, mean_field_steps: int = 10, gibbs_steps: int = 1,
                 seed=None):
        self.n_hidden1 = positive_int("DBM", "n_hidden1", n_hidden1)
        self.n_hidden2 = positive_int("DBM", "n_hidden2", n_hidden2)
        self.lr, self.momentum, self.weight_decay = float(lr), float(momentum), float(weight_decay)
        self.batch_size = positive_int("DBM", "batch_size", batch_size)
        self.mean_field_steps = positive_int("DBM", "mean_field_steps", mean_field_steps)
        self.gibbs_steps = positive_int("DBM", "gibbs_steps", gibbs_steps)
        self.rng = np.random.default_rng(seed if seed is not None else int(backend.get_rng().integers(2**63)))
        self.n_visible = None
        self.chains = None
        self._velocity = None

    def build(self, n_visible: int) -> None:
        self.n_visible = int(n_visible)
        self.weight1 = 0.01 * self.rng.standard_normal((self.n_hidden1, self.n_visible))
        self.weight2 = 0.01 * self.rng.standard_normal((self.n_hidden2, self.n_hidden1))
        self.visible_bias = np.zeros(self.n_visible)
        self.hidden1_bias = np.zeros(self.n_hidden1)
        self.hidden2_bias = np.zeros(self.n_hidden2)
        self.chains, self._velocity = None, None

    def parameters(self) -> dict:
        return {"weight1": self.weight1, "weight2": self.weight2, "visible_bias": self.visible_bias,
                "hidden1_bias": self.hidden1_bias, "hidden2_bias": self.hidden2_bias}

    def _input(self, owner, v):
        v = as_matrix(f"DBM.{owner}", v, self.n_visible, np.float64)
        if self.n_visible is None:
            self.build(v.shape[1])
        check_binary(f"DBM.{owner}", v)
        return v

    def energy(self, v, h1, h2) -> np.ndarray:
        """E(v, h¹, h²) for paired rows, shape (N,)."""
        return -(v @ self.visible_bias + h1 @ self.hidden1_bias + h2 @ self.hidden2_bias
                 + ((v @ self.weight1.T) * h1).sum(1) + ((h1 @ self.weight2.T) * h2).sum(1))

    def mean_field(self, v, steps: int | None = None):
        """The fixed point of μ¹ = sigmoid(W¹v + W²ᵀμ² + c¹), μ² = sigmoid(W²μ¹ + c²), from μ² = 0."""
        v = self._input("mean_field", v)
        bottom_up = v @ self.weight1.T + self.hidden1_bias
        mu2 = np.zeros((v.shape[0], self.n_hidden2))
        for _ in range(self.mean_field_steps if steps is None else steps):
            mu1 = sigmoid(bottom_up + mu2 @ self.weight2)
            mu2 = sigmoid(mu1 @ self.weight2.T + self.hidden2_bias)
        return mu1, mu2

    def gibbs_step(self, v, h2):
        """One Gibbs sweep: h¹ | v, h²; then v | h¹ and h² | h¹ together.  Returns (v, h¹, h²)."""
        h1 = bernoulli(sigmoid(v @ self.weight1.T + h2 @ self.weight2 + self.hidden1_bias), self.rng)
        v = bernoulli(sigmoid(h1 @ self.weight1 + self.visible_bias), self.rng)
        h2 = bernoulli(sigmoid(h1 @ self.weight2.T + self.hidden2_bias), self.rng)
        return v, h1, h2

    def sample(self, n: int, steps: int = 1000):
        """``n`` visible samples (the mean of p(v | h¹)) after ``steps`` Gibbs sweeps from random states."""
        n = positive_int("DBM.sample", "n", n)
        v = (self.rng.random((n, self.n_visible)) < 0.5).astype(float)
        h2 = (self.rng.random((n, self.n_hidden2)) < 0.5).astype(float)
        for _ in range(steps):
            v, h1, h2 = self.gibbs_step(v, h2)
        return sigmoid(h1 @ self.weight1 + self.visible_bias)

    def gradient(self, v) -> dict:
        """Mean-field data statistics minus persistent-chain model statistics, minus weight decay."""
        v = self._input("gradient", v)
        mu1, mu2 = self.mean_field(v)
        if self.chains is None or self.chains[0].shape[0] != v.shape[0]:
            self.chains = (v.copy(), (self.rng.random((v.shape[0], self.n_hidden2)) < 0.5).astype(float))
        cv, ch2 = self.chains
        for _ in range(self.gibbs_steps):
            cv, ch1, ch2 = self.gibbs_step(cv, ch2)
        self.chains = (cv, ch2)
        n, m = v.shape[0], cv.shape[0]
        grads = {"weight1": mu1.T @ v / n - ch1.T @ cv / m, "weight2": mu2.T @ mu1 / n - ch2.T @ ch1 / m,
                 "visible_bias": v.mean(0) - cv.mean(0), "hidden1_bias": mu1.mean(0) - ch1.mean(0),
                 "hidden2_bias": mu2.mean(0) - ch2.mean(0)}
        if self.weight_decay:
            grads["weight1"] -= self.weight_decay * self.weight1
            grads["weight2"] -= self.weight_decay * self.weight2
        return grads

    def apply_gradient(self, grads: dict) -> None:
        """velocity ← momentum·velocity + lr·gradient; parameter += velocity."""
        params = self.parameters()
        if self._velocity is None:
            self._velocity = {k: np.zeros_like(p) for k, p in params.items()}
        for k, p in params.items():
            vel = self._velocity[k]
            vel *= self.momentum
            vel += self.lr * grads[k]
            p += vel

    def fit(self, x, epochs: int = 10) -> "DBM":
        """``epochs`` shuffled passes of mini-batches of ``batch_size`` over binary ``x``.  A model
        built here starts with visible biases log(p/(1-p)) of the pixel means (Hinton's guide), so
        that it begins as the independent-pixel model."""
        fresh = self.n_visible is None
        x = self._input("fit", x)
        if fresh:
            p = np.clip(x.mean(axis=0), 1e-3, 1 - 1e-3)
            self.visible_bias[...] = np.log(p) - np.log1p(-p)
        n = x.shape[0]
        with blas_for_product(self.batch_size, self.n_visible, max(self.n_hidden1, self.n_hidden2)):
            for _ in range(positive_int("DBM.fit", "epochs", epochs)):
                order = self.rng.permutation(n)
                for s in range(0, max(1, n - self.batch_size + 1), self.batch_size):
                    self.apply_gradient(self.gradient(x[order[s:s + self.batch_size]]))
        return self

    # ---- exact quantities of small machines -------------------------------------------------
    def _check_small(self, fn):
        if self.n_visible is None:
            raise ValueError(f"DBM.{fn}: the model has no parameters yet (fit or build it first)")
        if self.n_hidden1 + self.n_hidden2 > MAX_ENUMERATED:
            raise ValueError(f"DBM.{fn}: {self.n_hidden1 + self.n_hidden2} hidden units are too many to enumerate "
                             f"(at most {MAX_ENUMERATED})")

    def exact_log_partition(self) -> float:
        """log Z = log Σ_{h¹,h²} exp(c¹ᵀh¹ + c²ᵀh² + h²ᵀW²h¹) Π_i (1 + e^{b_i + (W¹ᵀh¹)_i})."""
        self._check_small("exact_log_partition")
        h = all_binary_states(self.n_hidden1 + self.n_hidden2)
        h1, h2 = h[:, :self.n_hidden1], h[:, self.n_hidden1:]
        terms = (h1 @ self.hidden1_bias + h2 @ self.hidden2_bias + ((h1 @ self.weight2.T) * h2).sum(1)
                 + softplus(h1 @ self.weight1 + self.visible_bias).sum(1))
        return float(np.logaddexp.reduce(terms))

    def exact_log_likelihood(self, v, log_z: float | None = None) -> np.ndarray:
        """log p(v) per row (nats): h¹ summed analytically, h² enumerated."""
        self._check_small("exact_log_likelihood")
        v = self._input("exact_log_likelihood", v)
        log_z = self.exact_log_partition() if log_z is None else log_z
        h2 = all_binary_states(self.n_hidden2)
        pre = (v @ self.weight1.T + self.hidden1_bias)[:, None, :] + (h2 @ self.weight2)[None]  # (N, 2^n2, n1)
        terms = (h2 @ self.hidden2_bias)[None] + softplus(pre).sum(2)
        return v @ self.visible_bias + np.logaddexp.reduce(terms, axis=1) - log_z
