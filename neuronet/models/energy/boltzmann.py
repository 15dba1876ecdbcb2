"""The (general) Boltzmann machine of Ackley, Hinton & Sejnowski (1985), trained by Gibbs sampling.

Binary units s = (v, h) ∈ {0, 1}, symmetric weights with a zero diagonal, biases b:
    E(s) = -½ sᵀWs - bᵀs,   p(s_i = 1 | s_-i) = sigmoid(Σ_j W_ij s_j + b_i).
Learning rule (gradient of the data log-likelihood):
    ΔW_ij = lr (⟨s_i s_j⟩_clamped - ⟨s_i s_j⟩_free),   Δb_i = lr (⟨s_i⟩_clamped - ⟨s_i⟩_free),
the clamped phase with the visibles fixed to data (hiddens Gibbs-sampled; exact when there are
none), the free phase from persistent Gibbs chains.  Units are updated one at a time (loops over
units, every chain at once).  Small machines (≤ 20 units) also get their exact distribution.
"""
from __future__ import annotations

import numpy as np

from ... import backend
from ...checks import positive_int
from ._units import as_matrix, bernoulli, check_binary, sigmoid
from .exact import all_binary_states

__all__ = ["BoltzmannMachine"]


class BoltzmannMachine:
    """A fully connected Boltzmann machine with visible and (optionally) hidden units.

    Args:
        n_visible: visible units; n_hidden: hidden units (0: a fully visible machine).
        lr: learning rate; gibbs_sweeps: sweeps per phase and update; n_chains: free-phase chains.
        init_std: standard deviation of the initial weights (hidden units need ~1 to break symmetry).
        seed: seed of this model's generator (default: drawn from neuronet's).

    Example:
        >>> patterns = np.array([[1, 0, 1], [0, 1, 0]] * 50, np.float64)  # two visible states only
        >>> bm = nt.models.energy.BoltzmannMachine(3, n_hidden=2, lr=0.1, seed=0).fit(patterns, steps=300)
        >>> p = bm.exact_visible_distribution()  # p(v) over the 8 visible states, in counting order
        >>> p.shape, bool(p[5] + p[2] > 0.5)  # most mass on 101 and 010
        ((8,), True)
    """

    def __init__(self, n_visible: int, n_hidden: int = 0, lr: float = 0.05, gibbs_sweeps: int = 2,
                 n_chains: int = 100, init_std: float = 0.1, seed=None):
        self.n_visible = positive_int("BoltzmannMachine", "n_visible", n_visible)
        if isinstance(n_hidden, bool) or not isinstance(n_hidden, (int, np.integer)) or n_hidden < 0:
            raise ValueError(f"BoltzmannMachine: n_hidden must be an integer >= 0, got {n_hidden!r}")
        self.n_hidden = int(n_hidden)
        self.lr = float(lr)
        self.gibbs_sweeps = positive_int("BoltzmannMachine", "gibbs_sweeps", gibbs_sweeps)
        self.n_chains = positive_int("BoltzmannMachine", "n_chains", n_chains)
        self.rng = np.random.default_rng(seed if seed is not None else int(backend.get_rng().integers(2**63)))
        n = self.n_visible + self.n_hidden
        w = float(init_std) * self.rng.standard_normal((n, n))
        self.weight = np.triu(w, 1) + np.triu(w, 1).T  # symmetric, zero diagonal
        self.bias = np.zeros(n)
        self.chains = None

    @property
    def n_units(self) -> int:
        return self.n_visible + self.n_hidden

    def energy(self, states) -> np.ndarray:
        """E(s) = -½ sᵀWs - bᵀs for rows of all units (B, n_units)."""
        s = as_matrix("BoltzmannMachine.energy", states, self.n_units, np.float64)
        return -0.5 * np.einsum("bi,ij,bj->b", s, self.weight, s) - s @ self.bias

    def gibbs_sweep(self, states, units=None) -> np.ndarray:
        """Resample each unit in ``units`` (default all) once, in order, from p(s_i | rest); in place."""
        for i in (range(self.n_units) if units is None else units):
            states[:, i] = bernoulli(sigmoid(states @ self.weight[:, i] + self.bias[i]), self.rng)
        return states

    def sample(self, n: int, sweeps: int = 200) -> np.ndarray:
        """``n`` states (visible and hidden) after ``sweeps`` Gibbs sweeps from random states."""
        s = (self.rng.random((positive_int("BoltzmannMachine.sample", "n", n), self.n_units)) < 0.5).astype(float)
        for _ in range(sweeps):
            self.gibbs_sweep(s)
        return s

    def _clamped(self, v):
        """Visible rows ``v`` joined with Gibbs-sampled hiddens (the clamped phase)."""
        s = np.concatenate([v, (self.rng.random((v.shape[0], self.n_hidden)) < 0.5).astype(float)], axis=1)
        hidden = range(self.n_visible, self.n_units)
        for _ in range(self.gibbs_sweeps if self.n_hidden else 0):
            self.gibbs_sweep(s, hidden)
        return s

    def gradient(self, v) -> dict:
        """⟨s sᵀ⟩ and ⟨s⟩ clamped minus free (the free phase advances the persistent chains)."""
        v = as_matrix("BoltzmannMachine.gradient", v, self.n_visible, np.float64)
        check_binary("BoltzmannMachine.gradient", v)
        pos = self._clamped(v)
        if self.chains is None:
            self.chains = (self.rng.random((self.n_chains, self.n_units)) < 0.5).astype(float)
        for _ in range(self.gibbs_sweeps):
            self.gibbs_sweep(self.chains)
        neg = self.chains
        gw = pos.T @ pos / pos.shape[0] - neg.T @ neg / neg.shape[0]
        np.fill_diagonal(gw, 0.0)
        return {"weight": gw, "bias": pos.mean(axis=0) - neg.mean(axis=0)}

    def apply_gradient(self, grads: dict) -> None:
        self.weight += self.lr * grads["weight"]
        self.bias += self.lr * grads["bias"]

    def fit(self, x, steps: int = 1000, batch_size: int = 100) -> "BoltzmannMachine":
        """``steps`` updates, each on ``batch_size`` rows of ``x`` drawn at random."""
        x = as_matrix("BoltzmannMachine.fit", x, self.n_visible, np.float64)
        check_binary("BoltzmannMachine.fit", x)
        for _ in range(positive_int("BoltzmannMachine.fit", "steps", steps)):
            self.apply_gradient(self.gradient(x[self.rng.integers(0, x.shape[0], size=batch_size)]))
        return self

    def exact_visible_distribution(self) -> np.ndarray:
        """p(v) for every visible state in counting order (``exact.all_binary_states``), summing
        e^{-E} over the hidden states; only for ≤ 20 units."""
        if self.n_units > 20:
            raise ValueError(f"BoltzmannMachine.exact_visible_distribution: {self.n_units} units are too many "
                             f"to enumerate (at most 20)")
        s = all_binary_states(self.n_units)  # visible bits lead, so rows group by visible state
        log_p = -self.energy(s)
        log_p = log_p.reshape(2 ** self.n_visible, 2 ** self.n_hidden)
        log_pv = np.logaddexp.reduce(log_p, axis=1)
        return np.exp(log_pv - np.logaddexp.reduce(log_pv))
