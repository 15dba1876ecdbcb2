"""k-means (Lloyd's algorithm with k-means++ seeding): the centres of RBF networks.

Each iteration assigns every sample to its nearest centre (one GEMM for all distances) and moves each
centre to the mean of its samples; it stops when no assignment changes.  ``n_init`` restarts keep the
lowest inertia Σᵢ |xᵢ − c_{a(i)}|².
"""
from __future__ import annotations

from ...backend import np
from ...checks import positive_int
from ._common import as_matrix, rng_for

__all__ = ["kmeans", "pairwise_sq_distances"]


def pairwise_sq_distances(x, c):
    """|xᵢ − cⱼ|² for all pairs, (N, K), as |x|² − 2 x·c + |c|² clipped at 0."""
    d2 = (x * x).sum(axis=1)[:, None] - 2 * x @ c.T + (c * c).sum(axis=1)[None, :]
    return np.maximum(d2, 0)


def _plus_plus(x, k, rng):
    """k-means++: each next centre drawn with probability ∝ squared distance to the nearest chosen one."""
    centres = [x[rng.integers(len(x))]]
    d2 = pairwise_sq_distances(x, centres[0][None])[:, 0]
    for _ in range(1, k):
        total = d2.sum()
        i = rng.choice(len(x), p=d2 / total) if total > 0 else rng.integers(len(x))
        centres.append(x[i])
        d2 = np.minimum(d2, pairwise_sq_distances(x, x[i][None])[:, 0])
    return np.array(centres)


def kmeans(x, k: int, *, max_iter: int = 100, n_init: int = 3, seed=None):
    """Cluster ``x (N, features)`` into ``k`` groups.

    Returns:
        ``(centres (k, features), labels (N,), inertia)``.

    Example:
        >>> x = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
        >>> centers, labels, inertia = nt.models.classic.kmeans(x, 2, seed=0)
        >>> bool(labels[0] == labels[1] != labels[2] == labels[3]), np.round(np.sort(centers[:, 0]), 2).tolist()
        (True, [0.05, 5.05])
    """
    x = as_matrix("kmeans", x)
    k = positive_int("kmeans", "k", k)
    if k > len(x):
        raise ValueError(f"kmeans: k={k} exceeds the {len(x)} samples")
    rng = rng_for(seed)
    best = None
    for _ in range(positive_int("kmeans", "n_init", n_init)):
        c = _plus_plus(x, k, rng)
        labels = None
        for _ in range(max_iter):
            new = pairwise_sq_distances(x, c).argmin(axis=1)
            if labels is not None and np.array_equal(new, labels):
                break
            labels = new
            sums = np.zeros_like(c)
            np.add.at(sums, labels, x)
            counts = np.bincount(labels, minlength=k)
            empty = counts == 0
            c = np.where(empty[:, None], c, sums / np.maximum(counts, 1)[:, None])
        inertia = float(pairwise_sq_distances(x, c)[np.arange(len(x)), labels].sum())
        if best is None or inertia < best[2]:
            best = (c, labels, inertia)
    return best
