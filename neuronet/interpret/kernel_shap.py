"""A KernelSHAP estimator (Lundberg & Lee 2017): Shapley values of any model function by weighted regression.

A feature (or a group of features, e.g. a 4×4 patch of pixels) is "present" when it keeps the
explained sample's value and "absent" when it takes the values of background samples; the model's
output averaged over the background is the value of each coalition.  The Shapley values are the
weights of the linear model over coalitions fitted with the Shapley kernel
π(z) = (M − 1) / (C(M, |z|)·|z|·(M − |z|)), constrained to add up to f(x) − E[f(background)].
With 2^M − 2 ≤ ``samples`` every coalition is enumerated and the values are exact.
"""
from __future__ import annotations

import math

import numpy as np

from ..backend import get_rng

__all__ = ["kernel_shap", "exact_shapley"]


def _coalitions(m: int, samples: int, rng):
    """Rows z ∈ {0,1}^m (neither empty nor full) and their regression weights."""
    if 2 ** m - 2 <= samples:                                        # all of them: exact
        codes = np.arange(1, 2 ** m - 1)
        z = ((codes[:, None] >> np.arange(m)) & 1).astype(np.float64)
        size = z.sum(axis=1).astype(int)
        sizes = np.arange(m + 1)
        comb = np.array([math.comb(m, int(s)) for s in sizes], dtype=np.float64)
        with np.errstate(divide="ignore"):
            kernel = (m - 1) / (comb * sizes * (m - sizes))
        return z, kernel[size]
    # Sample coalition sizes from the kernel's mass per size, then a random subset of that size;
    # each draw comes with its complement (paired sampling halves the variance).  Weights are equal.
    sizes = np.arange(1, m)
    mass = (m - 1) / (sizes * (m - sizes))
    half = max(1, samples // 2)
    s = rng.choice(sizes, size=half, p=mass / mass.sum())
    order = np.argsort(rng.random((half, m)), axis=1)
    z = (np.argsort(order, axis=1) < s[:, None]).astype(np.float64)
    z = np.concatenate([z, 1 - z])
    return z, np.ones(len(z))


def _values(where, f, x, background, z, groups, batch_size):
    """v(z) for every sample and coalition: f on hybrids averaged over the background, (N, S, K)."""
    n, d = x.shape
    b = background.shape[0]
    keep = z[:, groups].astype(bool)                                 # (S, D): feature present?
    out = []
    rows = max(1, batch_size // max(1, len(z) * b))
    for first in range(0, n, rows):                                  # several samples per call of f
        xs = x[first:first + rows]
        hybrid = np.where(keep[None, :, None, :], xs[:, None, None, :], background[None, None, :, :])
        rows_in = hybrid.reshape(-1, d)
        y = np.asarray(f(rows_in))
        if y.shape[:1] != rows_in.shape[:1] or y.ndim > 2:
            raise ValueError(f"{where}: f must map (rows, {d}) to (rows,) or (rows, outputs), got {y.shape} "
                             f"for {rows_in.shape[0]} rows")
        out.append(y.reshape(len(xs), len(z), b, -1).mean(axis=2))
    return np.concatenate(out)


def kernel_shap(f, x, background, samples: int = 2048, groups=None, seed=None, batch_size: int = 200_000):
    """Shapley values of ``f`` at each row of ``x`` relative to a background set.

    Args:
        f: a function from a NumPy array (rows, D) to outputs (rows,) or (rows, K), e.g.
            ``lambda a: model.predict(a)`` or softmax probabilities.
        x: the samples to explain, (N, D) (images: flatten them first).
        background: samples (B, D) that stand for "feature absent" (a few dozen rows, or their k-means centres).
        samples: coalitions evaluated per sample (all 2^M − 2 when that is fewer: exact values).
        groups: one group id 0..M−1 per feature, to explain M groups (superpixels) instead of D features.
        seed: seed of the coalition sampling (default: neuronet's generator).
        batch_size: rows per call of ``f``.

    Returns:
        ``(values, expected_value)``: values (N, M) or (N, M, K) — one Shapley value per group and
        output, adding up to f(x) − expected_value — and expected_value, E[f(background)] ((,) or (K,)).

    Example:
        >>> f = lambda x: x @ np.array([1.0, 2.0, -1.0])  # a linear model: Shapley value w_i (x_i - E[x_i])
        >>> background = np.zeros((10, 3))
        >>> values, expected = nt.interpret.kernel_shap(f, np.array([[1.0, 1.0, 1.0]]), background, seed=0)
        >>> np.round(values, 4).tolist(), float(expected)
        ([[1.0, 2.0, -1.0]], 0.0)
    """
    where = "kernel_shap"
    x = np.asarray(x, dtype=np.float64) if np.asarray(x).dtype.kind != "f" else np.asarray(x)
    background = np.asarray(background, dtype=x.dtype)
    if x.ndim != 2 or background.ndim != 2 or background.shape[1] != x.shape[1]:
        raise ValueError(f"{where}: expected x (N, D) and background (B, D) with the same D, got {x.shape} "
                         f"and {background.shape}")
    d = x.shape[1]
    groups = np.arange(d) if groups is None else np.asarray(groups).reshape(-1)
    if groups.shape != (d,) or groups.dtype.kind not in "iu" or set(np.unique(groups)) != set(range(groups.max() + 1)):
        raise ValueError(f"{where}: groups must give every one of the {d} features a group id, using all of 0..M-1")
    m = int(groups.max()) + 1
    if m < 2:
        raise ValueError(f"{where}: need at least 2 features or groups to share the output, got {m}")
    rng = np.random.default_rng(seed) if seed is not None else get_rng()
    z, w = _coalitions(m, samples, rng)
    base = np.asarray(f(background))
    single = base.ndim == 1
    expected = base.reshape(background.shape[0], -1).mean(axis=0)                      # (K,)
    fx = np.asarray(f(x)).reshape(x.shape[0], -1)                                       # (N, K)
    v = _values(where, f, x, background, z, groups, batch_size) - expected               # (N, S, K)
    total = fx - expected                                                                # (N, K)
    # Σφ = total: eliminate φ_M = total − Σ_{j<M} φ_j, then weighted least squares for the rest.
    a = z[:, :-1] - z[:, -1:]                                                            # (S, M−1)
    rhs = v - z[None, :, -1:, None][..., 0] * total[:, None, :]                          # (N, S, K)
    aw = a * w[:, None]
    gram = aw.T @ a                                                                      # (M−1, M−1)
    phi_rest = np.linalg.lstsq(gram, np.einsum("sm,nsk->mnk", aw, rhs).reshape(m - 1, -1), rcond=None)[0]
    phi_rest = phi_rest.reshape(m - 1, x.shape[0], -1).transpose(1, 0, 2)                # (N, M−1, K)
    phi = np.concatenate([phi_rest, (total - phi_rest.sum(axis=1))[:, None]], axis=1)    # (N, M, K)
    if single:
        return phi[..., 0], float(expected[0])
    return phi, expected


def exact_shapley(f, x, background):
    """Shapley values by their definition (every ordering, via subsets): 2^D evaluations, for checks on small D.

    Example:
        >>> f = lambda x: x[:, 0] * x[:, 1]  # an interaction, split equally
        >>> nt.interpret.exact_shapley(f, np.array([[1.0, 1.0]]), np.zeros((1, 2))).tolist()
        [[0.5, 0.5]]
    """
    x = np.asarray(x, dtype=np.float64)
    background = np.asarray(background, dtype=np.float64)
    n, d = x.shape
    codes = np.arange(2 ** d)
    z = ((codes[:, None] >> np.arange(d)) & 1).astype(bool)                              # (2^D, D)
    hybrid = np.where(z[None, :, None, :], x[:, None, None, :], background[None, None])
    v = np.asarray(f(hybrid.reshape(-1, d))).reshape(n, len(z), background.shape[0], -1).mean(axis=2)
    size = z.sum(axis=1)
    phi = np.zeros((n, d, v.shape[-1]))
    for j in range(d):                                            # features: a loop over D, not samples
        without = ~z[:, j]
        s = size[without]
        weight = np.array([math.factorial(int(k)) * math.factorial(d - int(k) - 1) / math.factorial(d) for k in s])
        with_j = codes[without] | (1 << j)
        phi[:, j] = np.einsum("s,nsk->nk", weight, v[:, with_j] - v[:, codes[without]])
    return phi[..., 0] if phi.shape[-1] == 1 else phi
