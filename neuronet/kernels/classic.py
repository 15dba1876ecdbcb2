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

__all__ = ["perceptron_online_epoch", "som_online_steps", "hebbian_online_epoch"]


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


@compile_kernel
def hebbian_online_epoch(x, w, lr, order, sanger):
    """One epoch of Sanger's rule (``sanger``) or Oja's subspace rule over x[order]:
    y = W x;  wⱼ += η yⱼ (x − Σ_{k ≤ j} y_k w_k)   (Sanger; the sum runs over all k for the subspace rule).
    All rows are updated from the same W, as the matrix form ΔW = η (y xᵀ − LT[y yᵀ] W)."""
    m, f = w.shape
    y = np.empty(m)
    back = np.empty((m, f))
    for idx in range(order.size):
        i = order[idx]
        for j in range(m):
            s = 0.0
            for c in range(f):
                s += w[j, c] * x[i, c]
            y[j] = s
        for j in range(m):
            last = j + 1 if sanger else m
            for c in range(f):
                acc = 0.0
                for k in range(last):
                    acc += y[k] * w[k, c]
                back[j, c] = acc
        for j in range(m):
            for c in range(f):
                w[j, c] += lr * (y[j] * x[i, c] - y[j] * back[j, c])
