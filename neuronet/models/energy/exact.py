"""Exact partition function, likelihood and model statistics of a small Bernoulli RBM, by
enumerating every configuration of its smaller layer (the ground truth for AIS and CD)."""
from __future__ import annotations

import numpy as np

from ._units import sigmoid, softplus

__all__ = ["all_binary_states", "exact_log_partition", "exact_log_likelihood", "exact_model_statistics"]

MAX_ENUMERATED = 24


def all_binary_states(n: int, dtype=np.float64) -> np.ndarray:
    """Every vector of ``n`` bits, (2ⁿ, n), in counting order.

    Example:
        >>> nt.models.energy.all_binary_states(2).tolist()
        [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    """
    if not 0 <= n <= MAX_ENUMERATED:
        raise ValueError(f"all_binary_states: enumerating {n} units is out of reach (at most {MAX_ENUMERATED})")
    codes = np.arange(2 ** n, dtype=np.int64)[:, None]
    return ((codes >> np.arange(n - 1, -1, -1)) & 1).astype(dtype)


def _check(fn: str, rbm) -> None:
    if rbm.visible != "bernoulli":
        raise ValueError(f"{fn}: needs Bernoulli visible units, this RBM is {rbm.visible}")
    if min(rbm.n_visible, rbm.n_hidden) > MAX_ENUMERATED:
        raise ValueError(f"{fn}: both layers have more than {MAX_ENUMERATED} units "
                         f"({rbm.n_visible} visible, {rbm.n_hidden} hidden); use ais_log_partition")


def exact_log_partition(rbm) -> float:
    """log Z = log Σ_h exp(cᵀh + Σ_i softplus(b_i + (Wᵀh)_i)) (or the same sum over v), in blocks
    of states so that 2²⁰ hidden configurations of an MNIST-sized RBM fit in memory.

    Example:
        >>> rbm = nt.models.energy.RBM(3, seed=0)
        >>> rbm.build(4)
        >>> rbm.weight[...] = 0; rbm.visible_bias[...] = 0; rbm.hidden_bias[...] = 0  # E = 0 for all 2^7 states
        >>> round(nt.models.energy.exact_log_partition(rbm), 4), round(float(7 * np.log(2)), 4)
        (4.852, 4.852)
    """
    _check("exact_log_partition", rbm)
    w, b, c = (np.asarray(a, np.float64) for a in (rbm.weight, rbm.visible_bias, rbm.hidden_bias))
    if rbm.n_hidden > rbm.n_visible:  # sum over the visible layer instead: same Z
        w, b, c = w.T, c, b
    n, total = w.shape[0], -np.inf
    chunk = max(1, 2 ** 22 // max(1, w.shape[1]))  # states per block: bounds the (block, other layer) array
    for start in range(0, 2 ** n, chunk):
        codes = np.arange(start, min(2 ** n, start + chunk), dtype=np.int64)[:, None]
        h = ((codes >> np.arange(n - 1, -1, -1)) & 1).astype(np.float64)
        total = np.logaddexp(total, np.logaddexp.reduce(h @ c + softplus(h @ w + b).sum(axis=1)))
    return float(total)


def exact_log_likelihood(rbm, v, log_z: float | None = None) -> np.ndarray:
    """log p(v) = -F(v) - log Z per sample, shape (N,), in nats.

    Example:
        >>> rbm = nt.models.energy.RBM(3, seed=0)
        >>> rbm.build(4)
        >>> rbm.weight[...] = 0; rbm.visible_bias[...] = 0; rbm.hidden_bias[...] = 0  # a uniform p(v)
        >>> nt.models.energy.exact_log_likelihood(rbm, np.ones((2, 4))).round(4).tolist()  # log(1/16)
        [-2.7726, -2.7726]
    """
    log_z = exact_log_partition(rbm) if log_z is None else log_z
    return -np.asarray(rbm.free_energy(v), np.float64) - log_z


def exact_model_statistics(rbm):
    """The model's ⟨h vᵀ⟩, ⟨v⟩ and ⟨h⟩ under p(v, h) = e^{-E}/Z, summed exactly over the visible
    configurations (n_visible ≤ 24): the term that CD-k and PCD estimate by sampling.

    Example:
        >>> rbm = nt.models.energy.RBM(3, seed=0)
        >>> rbm.build(4)
        >>> rbm.weight[...] = 0; rbm.visible_bias[...] = 0; rbm.hidden_bias[...] = 0
        >>> hv, v, h = nt.models.energy.exact_model_statistics(rbm)
        >>> hv.shape, v.tolist(), h.tolist()  # every unit on half the time
        ((3, 4), [0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5])
    """
    _check("exact_model_statistics", rbm)
    if rbm.n_visible > MAX_ENUMERATED:
        raise ValueError(f"exact_model_statistics: {rbm.n_visible} visible units are too many to enumerate")
    w, b, c = (np.asarray(a, np.float64) for a in (rbm.weight, rbm.visible_bias, rbm.hidden_bias))
    v = all_binary_states(rbm.n_visible)
    pre = v @ w.T + c
    log_p = v @ b + softplus(pre).sum(axis=1)
    p = np.exp(log_p - np.logaddexp.reduce(log_p))  # p(v), exact
    ph = sigmoid(pre)  # E[h | v]
    return (ph * p[:, None]).T @ v, p @ v, p @ ph
