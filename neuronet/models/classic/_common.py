"""Shared plumbing of the classic networks: input checks, the seeded generator, the ridge read-out."""
from __future__ import annotations

import numbers

from ... import backend
from ...backend import np
from ...tensor import Tensor

__all__ = ["compiled_rules", "plain", "as_matrix", "as_targets", "rng_for", "ridge_solve", "positive_float", "unit_interval"]


def plain(x):
    """A Tensor's array, or ``x`` itself (lists, NumPy/CuPy arrays)."""
    return x.data if isinstance(x, Tensor) else x


def as_matrix(owner: str, x, features: int | None = None, dtype=np.float64):
    """``x`` as a 2-D float array (samples, features), or a ValueError naming ``owner`` and the shapes."""
    a = np.asarray(backend.to_numpy(plain(x)), dtype=dtype)
    if a.ndim == 1 and features == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise ValueError(f"{owner}: expected inputs of shape (samples, features), received shape {a.shape}")
    if features is not None and a.shape[1] != features:
        raise ValueError(f"{owner}: expected {features} features per sample (as in fit), received shape {a.shape}")
    if a.shape[0] == 0:
        raise ValueError(f"{owner}: received no samples (shape {a.shape})")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{owner}: inputs contain NaN or infinity")
    return a


def as_targets(owner: str, y, samples: int):
    """Targets as a 2-D float array (samples, outputs); a 1-D array becomes one output column."""
    t = np.asarray(backend.to_numpy(plain(y)), dtype=np.float64)
    if t.ndim == 1:
        t = t[:, None]
    if t.ndim != 2 or t.shape[0] != samples:
        raise ValueError(f"{owner}: expected targets of shape ({samples},) or ({samples}, outputs), "
                         f"received shape {t.shape}")
    return t


def rng_for(seed):
    """A NumPy Generator seeded with ``seed``, or neuronet's shared one (``nt.manual_seed``) when None."""
    return backend.generator(seed)


def positive_float(owner: str, name: str, value) -> float:
    """``value`` as a float when it is a finite number > 0, else a ValueError naming owner and argument."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{owner}: {name} must be a positive number, got {value!r}")
    return float(value)


def unit_interval(owner: str, name: str, value, *, closed_low: bool = False) -> float:
    """``value`` as a float in (0, 1] (or [0, 1] with ``closed_low``), else a ValueError."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)
    if not ok or value > 1 or value < 0 or (value == 0 and not closed_low):
        interval = "[0, 1]" if closed_low else "(0, 1]"
        raise ValueError(f"{owner}: {name} must lie in {interval}, got {value!r}")
    return float(value)


def ridge_solve(h, t, alpha: float, intercept: bool = True):
    """The read-out ``W, b`` minimising ``|h Wᵀ + b − t|² + alpha |W|²`` in closed form.

    The intercept is not penalised (the features are centred first), as in scikit-learn's Ridge.
    Solved from the normal equations ``(HᵀH + αI) Wᵀ = HᵀT`` with a Cholesky-friendly symmetric
    solve; with ``alpha = 0`` the least-squares solution comes from ``lstsq`` (robust when HᵀH is singular).

    Returns:
        ``weight (outputs, features)``, ``bias (outputs,)``.

    Example:
        >>> h = np.array([[0.0], [1.0], [2.0]])
        >>> w, b = nt.models.classic.ridge_solve(h, 3 * h + 1, alpha=0.0)
        >>> np.round(w, 6).tolist(), np.round(b, 6).tolist()
        ([[3.0]], [1.0])
    """
    h = np.asarray(h, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    if intercept:
        h_mean, t_mean = h.mean(axis=0), t.mean(axis=0)
        hc, tc = h - h_mean, t - t_mean
    else:
        h_mean, t_mean = np.zeros(h.shape[1]), np.zeros(t.shape[1])
        hc, tc = h, t
    if alpha > 0:
        gram = hc.T @ hc
        gram[np.diag_indices_from(gram)] += alpha
        w = np.linalg.solve(gram, hc.T @ tc).T
    else:
        w = np.linalg.lstsq(hc, tc, rcond=None)[0].T
    return w, t_mean - w @ h_mean


def compiled_rules() -> bool:
    """Whether the online rules run as numba kernels (``kernels/classic.py``): numba installed and the kernels
    not turned off (``NEURONET_NUMBA=0``).  The NumPy loops are the reference and run otherwise."""
    from ...kernels.compiled import numba_kernels_enabled
    return numba_kernels_enabled()
