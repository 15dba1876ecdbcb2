"""Compiled online rules of the classic networks (optional numba kernels, see ``compiled.py``; importing this
module imports numba).

The online perceptron and the online SOM visit one sample at a time by definition, so NumPy can only run
them as a handful of small calls per sample (about 10 µs each on a loaded core).  These kernels do the
same arithmetic per sample in one compiled loop.  Their references are the NumPy loops in
``models/classic/perceptron.py`` and ``models/classic/som.py``, which run when numba is absent or the
kernels are off (``NEURONET_NUMBA=0``); results agree to rounding (the dot products sum in another order).
"""
from __future__ import annotations

from ..backend import np
from .compiled import compile_kernel

__all__ = ["perceptron_online_epoch", "som_online_steps"]


@compile_kernel
def perceptron_online_epoch(x, t, w, b, lr, order, fit_intercept, averaged, w_sum, b_sum, mistakes):
    """One epoch of Rosenblatt's rule for K one-vs-rest perceptrons, samples in ``order``:
    if tₖ (wₖ·x + bₖ) ≤ 0: wₖ += η tₖ x, bₖ += η tₖ.  Adds every post-sample (w, b) to (w_sum, b_sum)
    when ``averaged``; counts the mistakes per class in ``mistakes``."""
    k_count, f = w.shape
    for idx in range(order.size):
        i = order[idx]
        for k in range(k_count):
            s = 0.0
            for j in range(f):
                s += w[k, j] * x[i, j]
            s += b[k]
            if t[i, k] * s <= 0.0:
                step = lr * t[i, k]
                for j in range(f):
                    w[k, j] += step * x[i, j]
                if fit_intercept:
                    b[k] += step
                mistakes[k] += 1
        if averaged:
            for k in range(k_count):
                for j in range(f):
                    w_sum[k, j] += w[k, j]
                b_sum[k] += b[k]


@compile_kernel
def som_online_steps(x, w, grid_d2, order, sigmas, etas, gaussian):
    """Online SOM steps: for sample x[order[s]], the best-matching unit c = argminⱼ |x − wⱼ|² (first on ties,
    as NumPy's argmin), then wⱼ += ηₛ h(d²_cj, σₛ) (x − wⱼ) with h Gaussian exp(−d²/2σ²) or bubble [d² ≤ σ²]."""
    units, f = w.shape
    for step in range(order.size):
        i = order[step]
        best, best_d = 0, np.inf
        for u in range(units):
            acc = 0.0
            for j in range(f):
                diff = x[i, j] - w[u, j]
                acc += diff * diff
            if acc < best_d:
                best_d, best = acc, u
        s = sigmas[step]
        coef = -0.5 / (s * s)
        for u in range(units):
            if gaussian:
                h = np.exp(grid_d2[best, u] * coef)
            else:
                h = 1.0 if grid_d2[best, u] <= s * s else 0.0
            h *= etas[step]
            if h != 0.0:
                for j in range(f):
                    w[u, j] += h * (x[i, j] - w[u, j])
