"""Annealed importance sampling (Neal 2001; Salakhutdinov & Murray 2008) of an RBM's log Z.

The chain anneals from a base model with no hidden weights, p_0(v) ∝ exp(b_Aᵀv), whose
partition function is known, to the RBM through intermediate models
    log p*_β(v) = (1-β) b_Aᵀv + β bᵀv + Σ_j softplus(β (c_j + W_j v)),
with one Gibbs transition per β.  The importance weights give Z_RBM/Z_0; averaged in log space
over independent runs, log Z comes with a ±3 standard-deviation band.
"""
from __future__ import annotations

import numpy as np

from ... import backend
from ...checks import positive_int
from ...kernels.parallel import single_threaded_blas
from ._units import as_matrix, bernoulli, sigmoid, softplus

__all__ = ["ais_log_partition", "base_rate_bias", "average_log_likelihood", "annealing_schedule"]


def annealing_schedule(n_betas: int = 14500) -> np.ndarray:
    """Inverse temperatures 0 → 1, denser near 1 (Salakhutdinov & Murray's proportions:
    500 steps on [0, 0.5), 4,000 on [0.5, 0.9), 10,000 on [0.9, 1]).

    Example:
        >>> betas = nt.models.energy.annealing_schedule(1450)
        >>> len(betas), float(betas[0]), float(betas[-1]), int((betas >= 0.9).sum())
        (1450, 0.0, 1.0, 1000)
    """
    n = positive_int("annealing_schedule", "n_betas", n_betas)
    a, b = max(1, round(n * 500 / 14500)), max(1, round(n * 4000 / 14500))
    c = max(2, n - a - b)
    return np.concatenate([np.linspace(0, 0.5, a, endpoint=False), np.linspace(0.5, 0.9, b, endpoint=False),
                           np.linspace(0.9, 1.0, c)])


def base_rate_bias(x, eps: float = 1e-3) -> np.ndarray:
    """Visible biases of the base model from the data's pixel means: log(p/(1-p)), p clipped to [eps, 1-eps].

    Example:
        >>> nt.models.energy.base_rate_bias(np.array([[1, 0, 1], [1, 0, 0]]))   # means 1, 0, 0.5
        array([ 6.9068, -6.9068,  0.    ])
    """
    p = np.clip(np.asarray(x, np.float64).mean(axis=0), eps, 1 - eps)
    return np.log(p) - np.log1p(-p)


def _log_unnormalised(v, beta, base_bias, w, b, c):
    return (1 - beta) * (v @ base_bias) + beta * (v @ b) + softplus(beta * (v @ w.T + c)).sum(axis=1)


def ais_log_partition(rbm, n_runs: int = 100, n_betas: int = 14500, base_bias=None, seed=None):
    """AIS estimate of log Z for a Bernoulli RBM.

    Args:
        rbm: an RBM with Bernoulli visible units.
        n_runs: independent annealing runs (vectorised: one batch of chains).
        n_betas: number of intermediate distributions (:func:`annealing_schedule`).
        base_bias: visible biases of the base model (default zeros; :func:`base_rate_bias` of the
            training data gives a much better start).
        seed: seed of the sampler (default: drawn from neuronet's generator).

    Returns:
        ``(log_z, (low, high))``: the estimate and log(mean w ± 3 std/√n_runs) (low may be -inf).

    Example:
        >>> from neuronet.models.energy import RBM, ais_log_partition, exact_log_partition
        >>> x = (np.random.default_rng(0).random((100, 12)) < 0.3).astype(np.float64)
        >>> rbm = RBM(6, lr=0.1, dtype=np.float64, seed=0).fit(x, epochs=5)
        >>> log_z, (low, high) = ais_log_partition(rbm, n_runs=50, n_betas=1000, seed=0)
        >>> bool(abs(log_z - exact_log_partition(rbm)) < 0.05)   # the exact value by enumeration
        True
    """
    if rbm.visible != "bernoulli":
        raise ValueError(f"ais_log_partition: needs Bernoulli visible units, this RBM is {rbm.visible}")
    rng = np.random.default_rng(seed if seed is not None else int(backend.get_rng().integers(2**63)))
    w, b, c = (np.asarray(a, np.float64) for a in (rbm.weight, rbm.visible_bias, rbm.hidden_bias))
    base = np.zeros_like(b) if base_bias is None else np.asarray(base_bias, np.float64)
    if base.shape != b.shape:
        raise ValueError(f"ais_log_partition: base_bias must have shape ({b.size},), received {base.shape}")
    betas = annealing_schedule(n_betas)
    runs = positive_int("ais_log_partition", "n_runs", n_runs)
    v = bernoulli(np.broadcast_to(sigmoid(base), (runs, b.size)), rng)
    log_w = np.zeros(runs)
    # thousands of chained (runs × visible × hidden) products: on one BLAS thread (with two, 200 steps of a
    # 784-100 RBM took 17.7 s of CPU instead of 1.4 s on a busy 2-core machine; waking a worker per product)
    with single_threaded_blas():
        for prev, beta in zip(betas[:-1], betas[1:]):
            log_w += _log_unnormalised(v, beta, base, w, b, c) - _log_unnormalised(v, prev, base, w, b, c)
            h = bernoulli(sigmoid(beta * (v @ w.T + c)), rng)  # one Gibbs step that leaves p_beta invariant
            v = bernoulli(sigmoid((1 - beta) * base + beta * (b + h @ w)), rng)
    log_z0 = softplus(base).sum() + rbm.n_hidden * np.log(2.0)
    top = log_w.max()
    ratios = np.exp(log_w - top)
    mean, std = ratios.mean(), ratios.std() / np.sqrt(runs)
    low = np.log(mean - 3 * std) if mean > 3 * std else -np.inf
    return float(log_z0 + top + np.log(mean)), (float(log_z0 + top + low), float(log_z0 + top + np.log(mean + 3 * std)))


def average_log_likelihood(rbm, x, log_z: float) -> float:
    """Mean log p(v) = mean(-F(v)) - log Z over the rows of ``x``, in nats.

    Example:
        >>> from neuronet.models.energy import RBM, average_log_likelihood, exact_log_partition
        >>> rbm = RBM(4, n_visible=6, dtype=np.float64, seed=0)
        >>> rbm.weight[...] = 0                       # no interactions: p(v) is uniform over 2^6 states
        >>> round(float(average_log_likelihood(rbm, np.eye(6), exact_log_partition(rbm)) / np.log(2)), 6)  # bits
        -6.0
    """
    x = as_matrix("average_log_likelihood", x, rbm.n_visible, np.float64)
    return float(-np.asarray(rbm.free_energy(x), np.float64).mean() - log_z)
