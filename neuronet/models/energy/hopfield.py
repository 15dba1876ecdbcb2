"""The Hopfield network (1982): bipolar units, symmetric weights, patterns stored as energy minima.

Storage: Hebbian W = (1/N) Σ_μ ξ^μ ξ^μᵀ, or the pseudo-inverse (projection) rule
W = Ξᵀ (Ξ Ξᵀ)⁻¹ Ξ, both with a zero diagonal.  Recall: s_i ← sign(Σ_j W_ij s_j - θ_i), one unit at a
time (asynchronous: E = -½ sᵀWs + θᵀs never increases) or all at once (synchronous: may end in
a 2-cycle).  A unit whose field is exactly zero keeps its state.  The Hebbian rule's capacity is
about 0.138·N random patterns (Amit, Gutfreund & Sompolinsky 1985); see :func:`capacity_curve`.
"""
from __future__ import annotations

import numpy as np

from ... import backend
from ...checks import positive_int
from ._units import as_matrix

__all__ = ["Hopfield", "to_bipolar", "flip_bits", "capacity_curve"]

_RULES = ("hebbian", "pseudo_inverse")


def to_bipolar(x, threshold: float = 0.5) -> np.ndarray:
    """Images or bits → ±1 (float64): +1 where ``x > threshold``.

    Example:
        >>> nt.models.energy.to_bipolar(np.array([[0.2, 0.9, 0.5]])).tolist()
        [[-1.0, 1.0, -1.0]]
    """
    return np.where(np.asarray(x) > threshold, 1.0, -1.0)


def flip_bits(states, fraction: float, rng=None) -> np.ndarray:
    """A copy of the ±1 ``states`` with exactly round(fraction·N) randomly chosen units of each row flipped.

    Example:
        >>> states = np.ones((2, 10))
        >>> flipped = nt.models.energy.flip_bits(states, 0.3, rng=np.random.default_rng(0))
        >>> (flipped == -1).sum(axis=1).tolist()  # exactly 3 units of each row
        [3, 3]
    """
    s = np.array(states, dtype=np.float64, ndmin=2)
    if not 0 <= fraction <= 1:
        raise ValueError(f"flip_bits: fraction must be in [0, 1], got {fraction!r}")
    rng = backend.generator() if rng is None else rng
    n_flip = int(round(fraction * s.shape[1]))
    idx = np.argsort(rng.random(s.shape), axis=1)[:, :n_flip]  # distinct units per row
    np.put_along_axis(s, idx, -np.take_along_axis(s, idx, axis=1), axis=1)
    return s


class Hopfield:
    """A binary (±1) Hopfield network.

    Args:
        rule: ``"hebbian"`` or ``"pseudo_inverse"`` storage.
        threshold: θ, scalar or one per unit (default 0).

    Example:
        >>> E = nt.models.energy
        >>> patterns = E.to_bipolar(np.random.default_rng(0).random((3, 100)))  # 3 random patterns of 100 units
        >>> net = E.Hopfield().store(patterns)
        >>> noisy = E.flip_bits(patterns, 0.1, rng=np.random.default_rng(1))  # 10 units of each flipped
        >>> E.Hopfield.overlap(net.recall(noisy), patterns).round(2).tolist()  # 1.0: recalled exactly
        [1.0, 1.0, 1.0]
    """

    def __init__(self, rule: str = "hebbian", threshold=0.0):
        if rule not in _RULES:
            raise ValueError(f"Hopfield: rule must be one of {_RULES}, got {rule!r}")
        self.rule = rule
        self.threshold = threshold
        self.weight = None
        self.patterns = None

    @property
    def n_units(self):
        return None if self.weight is None else self.weight.shape[0]

    def store(self, patterns) -> "Hopfield":
        """Set the weights from ``patterns`` (P, N) of ±1 values (replacing what was stored)."""
        xi = as_matrix("Hopfield.store", patterns, None, np.float64)
        if not np.isin(xi, (-1, 1)).all():
            raise ValueError("Hopfield.store: patterns must be bipolar (values -1 and +1); use to_bipolar(x)")
        p, n = xi.shape
        if self.rule == "hebbian":
            w = xi.T @ xi / n
        else:  # projection onto the patterns' span: every stored pattern is a fixed point while P < N
            w = xi.T @ np.linalg.pinv(xi @ xi.T) @ xi
        np.fill_diagonal(w, 0.0)
        self.weight, self.patterns = w, xi
        return self

    def _states(self, owner: str, states):
        if self.weight is None:
            raise ValueError(f"Hopfield.{owner}: store patterns first")
        s = as_matrix(f"Hopfield.{owner}", states, self.n_units, np.float64)
        if not np.isin(s, (-1, 1)).all():
            raise ValueError(f"Hopfield.{owner}: states must be bipolar (values -1 and +1)")
        return s

    def energy(self, states) -> np.ndarray:
        """E(s) = -½ sᵀWs + θᵀs per row, shape (N,)."""
        s = self._states("energy", states)
        return -0.5 * np.einsum("bi,ij,bj->b", s, self.weight, s) + s @ np.broadcast_to(self.threshold, s.shape[1])

    def _field(self, s):
        return s @ self.weight - self.threshold

    def step(self, states, mode: str = "async", rng=None) -> np.ndarray:
        """One sweep: every unit updated once, in a random order (``async``) or together (``sync``)."""
        s = self._states("step", states).copy()
        return self._sweep(s, mode, rng if rng is not None else backend.generator())

    def _sweep(self, s, mode, rng):
        theta = np.broadcast_to(np.asarray(self.threshold, np.float64), (self.n_units,))
        if mode == "sync":
            h = self._field(s)
            return np.where(h > 0, 1.0, np.where(h < 0, -1.0, s))
        if mode != "async":
            raise ValueError(f"Hopfield: mode must be 'async' or 'sync', got {mode!r}")
        for i in rng.permutation(self.n_units):  # units in turn, every row of the batch at once
            h = s @ self.weight[:, i] - theta[i]
            s[:, i] = np.where(h > 0, 1.0, np.where(h < 0, -1.0, s[:, i]))
        return s

    def recall(self, states, mode: str = "async", max_sweeps: int = 100, rng=None, return_history: bool = False):
        """Update until no unit changes (or ``max_sweeps``); returns the final states (B, N).

        With ``return_history``, also a dict with ``states`` (sweeps+1, B, N: the start and each
        sweep) and ``energy`` (sweeps+1, B)."""
        s = self._states("recall", states).copy()
        rng = rng if rng is not None else backend.generator()
        history = [s.copy()]
        for _ in range(positive_int("Hopfield.recall", "max_sweeps", max_sweeps)):
            new = self._sweep(s.copy(), mode, rng)
            history.append(new)
            done = np.array_equal(new, s)
            s = new
            if done:
                break
        if not return_history:
            return s
        states = np.stack(history)
        energy = np.stack([self.energy(x) for x in states])
        return s, {"states": states, "energy": energy}

    @staticmethod
    def overlap(a, b) -> np.ndarray:
        """m = (1/N) Σ_i a_i b_i per row: 1 for a perfect recall, 0 for an unrelated state."""
        a, b = np.atleast_2d(a), np.atleast_2d(b)
        return (a * b).mean(axis=1)


def capacity_curve(n_units: int, loads, trials: int = 3, mode: str = "async", max_sweeps: int = 30,
                   rule: str = "hebbian", seed: int = 0) -> dict:
    """Recall quality against the number of stored random patterns.

    For each load α = P/N in ``loads``, store P = round(α·N) random ±1 patterns, start the
    network at each stored pattern, let it settle, and record the mean final overlap with that
    pattern and the fraction of patterns recalled without a single wrong bit; averaged over
    ``trials`` sets of patterns.  For the Hebbian rule the overlap collapses near α ≈ 0.138.

    Returns:
        ``{"loads", "patterns", "overlap", "perfect"}`` (arrays over the loads) and ``n_units``.

    Example:
        >>> curve = nt.models.energy.capacity_curve(100, loads=[0.05, 0.3], trials=1)
        >>> [round(float(o), 1) for o in curve["overlap"]]  # fine below ~0.14 N patterns, lost well above
        [1.0, 0.6]
    """
    n = positive_int("capacity_curve", "n_units", n_units)
    rng = np.random.default_rng(seed)
    loads = np.asarray(loads, np.float64)
    overlap, perfect, counts = [], [], []
    for alpha in loads:
        p = max(1, int(round(alpha * n)))
        m, q = [], []
        for _ in range(trials):
            xi = np.where(rng.random((p, n)) < 0.5, -1.0, 1.0)
            net = Hopfield(rule).store(xi)
            out = net.recall(xi, mode=mode, max_sweeps=max_sweeps, rng=rng)
            m.append(Hopfield.overlap(out, xi).mean())
            q.append((out == xi).all(axis=1).mean())
        overlap.append(np.mean(m))
        perfect.append(np.mean(q))
        counts.append(p)
    return {"n_units": n, "loads": loads, "patterns": np.array(counts), "overlap": np.array(overlap),
            "perfect": np.array(perfect)}
