"""Gradient attributions: saliency, gradient × input, SmoothGrad, integrated gradients.

Each takes a model (any callable from a Tensor batch to a Tensor), a batch ``x`` (N, ...) and the
output to explain (``target``: a class index, or one per sample; None for a single output) and
returns an array of ``x``'s shape: how much each input feature matters for that output.
"""
from __future__ import annotations

import numpy as np

from ..backend import get_rng
from ._model import as_batch, model_outputs, target_gradients

__all__ = ["saliency", "gradient_x_input", "smoothgrad", "integrated_gradients", "ig_weights"]


def saliency(model, x, target=None, abs: bool = True) -> np.ndarray:
    """|∂f_target/∂x| (Simonyan et al. 2013): the first-order sensitivity of the output to each input.

    ``abs=False`` keeps the sign.  Same as Captum's ``Saliency`` (which takes the absolute value by default).

    Example:
        >>> model = nt.nn.Linear(3, 2)
        >>> _ = nt.nn.utils.vector_to_parameters(nt.tensor([1.0, -2.0, 0.0, 0.0, 0.0, 5.0, 0.0, 0.0]), model.parameters())
        >>> nt.interpret.saliency(model, np.ones((1, 3), np.float32), target=0)  # |d output_0 / dx| = |row 0 of W|
        array([[1., 2., 0.]], dtype=float32)
    """
    grad, _ = target_gradients("saliency", model, as_batch("saliency", x), target)
    return np.abs(grad) if abs else grad


def gradient_x_input(model, x, target=None) -> np.ndarray:
    """x ⊙ ∂f_target/∂x: the gradient weighted by the input (for a linear model, each term of the sum).

    Example:
        >>> model = nt.nn.Linear(2, 1, bias=False)
        >>> _ = nt.nn.init.constant_(model.weight, 3.0)
        >>> nt.interpret.gradient_x_input(model, np.array([[1.0, -2.0]], np.float32))  # each term w_i x_i of a linear model
        array([[ 3., -6.]], dtype=float32)
    """
    x = as_batch("gradient_x_input", x)
    grad, _ = target_gradients("gradient_x_input", model, x, target)
    return x * grad


def smoothgrad(model, x, target=None, samples: int = 50, noise: float = 0.15, squared: bool = False,
               seed=None) -> np.ndarray:
    """SmoothGrad (Smilkov et al. 2017): the gradient averaged over ``samples`` noisy copies of each input.

    Args:
        noise: standard deviation of the Gaussian noise as a fraction of each sample's value range
            (max − min), the paper's 10–20 %.
        squared: average the squared gradients (SmoothGrad-squared) instead.
        seed: seed of the noise (default: neuronet's generator, so ``nt.manual_seed`` fixes it).

    Example:
        >>> model = nt.Sequential([nt.nn.Dense(4, activation="tanh", in_features=3), nt.nn.Dense(2)])
        >>> nt.interpret.smoothgrad(model, np.random.rand(5, 3).astype(np.float32), target=1, samples=8, seed=0).shape
        (5, 3)
    """
    x = as_batch("smoothgrad", x)
    if not (isinstance(samples, int) and samples >= 1):
        raise ValueError(f"smoothgrad: samples must be a positive integer, got {samples!r}")
    if noise < 0:
        raise ValueError(f"smoothgrad: noise must be >= 0, got {noise!r}")
    rng = np.random.default_rng(seed) if seed is not None else get_rng()
    n = x.shape[0]
    flat = x.reshape(n, -1)
    sigma = noise * (flat.max(axis=1) - flat.min(axis=1))                     # one σ per sample
    sigma = sigma.reshape((1, n) + (1,) * (x.ndim - 1))
    noisy = x[None] + rng.standard_normal((samples,) + x.shape).astype(x.dtype) * sigma
    target = None if target is None else np.tile(np.broadcast_to(np.asarray(target).reshape(-1), (n,)), samples)
    grad, _ = target_gradients("smoothgrad", model, noisy.reshape((samples * n,) + x.shape[1:]).astype(x.dtype), target)
    grad = grad.reshape((samples,) + x.shape)
    return (grad ** 2 if squared else grad).mean(axis=0)


def ig_weights(steps: int, method: str = "gausslegendre"):
    """Points α in (0, 1] and weights of the path integral ∫₀¹ g(α) dα ≈ Σ w·g(α).

    ``"gausslegendre"`` (Captum's default), ``"riemann_trapezoid"``, ``"riemann_left"``,
    ``"riemann_right"``, ``"riemann_middle"``.

    Example:
        >>> alphas, weights = nt.interpret.ig_weights(4, method="riemann_trapezoid")
        >>> len(alphas), round(float(weights.sum()), 6)  # a quadrature of the integral over [0, 1]
        (4, 1.0)
    """
    if not (isinstance(steps, int) and steps >= 2):
        raise ValueError(f"integrated_gradients: steps must be an integer >= 2, got {steps!r}")
    if method == "gausslegendre":
        nodes, weights = np.polynomial.legendre.leggauss(steps)
        return 0.5 * (nodes + 1), 0.5 * weights                                 # [-1, 1] → [0, 1]
    if method == "riemann_trapezoid":
        alphas = np.linspace(0, 1, steps)
        w = np.full(steps, 1.0 / (steps - 1))
        w[[0, -1]] /= 2
        return alphas, w
    offsets = {"riemann_left": 0.0, "riemann_right": 1.0, "riemann_middle": 0.5}
    if method not in offsets:
        raise ValueError(f"integrated_gradients: unknown method {method!r}; use 'gausslegendre', "
                         f"'riemann_trapezoid', 'riemann_left', 'riemann_right' or 'riemann_middle'")
    return (np.arange(steps) + offsets[method]) / steps, np.full(steps, 1.0 / steps)


def integrated_gradients(model, x, target=None, baseline=None, steps: int = 50, method: str = "gausslegendre",
                         batch_size: int | None = None, return_delta: bool = False):
    """Integrated gradients (Sundararajan et al. 2017): (x − x′) ⊙ ∫₀¹ ∂f(x′ + α(x − x′))/∂x dα.

    Completeness: the attributions of a sample add up to f(x) − f(x′).  With ``return_delta`` the
    function also returns, per sample, Σ attributions − (f(x) − f(x′)): the error of the quadrature,
    which shrinks as ``steps`` grows (same definition as Captum's convergence delta).

    Args:
        baseline: x′, an array of ``x``'s shape or of one sample's shape, or a number (default 0: a black image).
        steps: points on the straight path from x′ to x.
        method: the quadrature (see :func:`ig_weights`); the default matches Captum's.
        batch_size: samples × steps per forward pass (default: all at once).

    Returns:
        attributions of ``x``'s shape, and the completeness error (N,) when ``return_delta``.

    Example:
        >>> model = nt.Sequential([nt.nn.Dense(8, activation="tanh", in_features=4), nt.nn.Dense(3)])
        >>> x = np.random.rand(2, 4).astype(np.float32)
        >>> attributions, delta = nt.interpret.integrated_gradients(model, x, target=2, return_delta=True)
        >>> attributions.shape, bool(np.abs(delta).max() < 1e-3)  # completeness: they sum to f(x) - f(0)
        ((2, 4), True)
    """
    x = as_batch("integrated_gradients", x)
    base = np.zeros_like(x) if baseline is None else np.broadcast_to(np.asarray(baseline, dtype=x.dtype), x.shape)
    alphas, weights = ig_weights(steps, method)
    n = x.shape[0]
    tgt = None if target is None else np.broadcast_to(np.asarray(target).reshape(-1), (n,))
    path = base[None] + alphas.astype(x.dtype).reshape((-1,) + (1,) * x.ndim) * (x - base)[None]   # (S, N, ...)
    path = path.reshape((steps * n,) + x.shape[1:])
    tgt_all = None if tgt is None else np.tile(tgt, steps)
    chunk = steps * n if batch_size is None else int(batch_size)
    grads = []
    for start in range(0, steps * n, chunk):
        part = None if tgt_all is None else tgt_all[start:start + chunk]
        grads.append(target_gradients("integrated_gradients", model, path[start:start + chunk], part)[0])
    grad = np.concatenate(grads).reshape((steps,) + x.shape)
    avg = np.tensordot(weights.astype(np.float64), grad.astype(np.float64), axes=(0, 0))
    attributions = ((x - base) * avg).astype(x.dtype)
    if not return_delta:
        return attributions
    fx = model_outputs("integrated_gradients", model, x, tgt)
    fb = model_outputs("integrated_gradients", model, np.ascontiguousarray(base), tgt)
    delta = attributions.reshape(n, -1).astype(np.float64).sum(axis=1) - (fx.astype(np.float64) - fb)
    return attributions, delta
