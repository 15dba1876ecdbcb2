"""Layer and batch normalisation, each one fused Function with its backward written out.

Both compute x̂ = (x − μ)/√(σ² + ε) over some axes and return y = γ·x̂ + β.  When μ and σ² are
statistics of the same x, the backward through them is (per normalised group of n elements,
with g = dL/dx̂ = γ·dL/dy):

    dL/dx = (g − mean(g) − x̂·mean(g·x̂)) / √(σ² + ε)

Layer norm normalises each sample over its last dimensions; batch norm normalises each channel
(axis 1) over the batch and every axis after the channels, PyTorch's semantics for inputs
(N, C), (N, C, L) and (N, C, H, W).
"""
from __future__ import annotations

import math

from ..autograd import Function
from ..backend import array_module
from ..tensor import Tensor

__all__ = ["layer_norm", "batch_norm"]


def _data(a):
    return a.data if isinstance(a, Tensor) else a


def _normalized_grad(g, x_hat, rstd, axes):
    # dL/dx = (g − mean(g) − x̂·mean(g·x̂))·rstd, means over the normalised axes
    return (g - g.mean(axis=axes, keepdims=True) - x_hat * (g * x_hat).mean(axis=axes, keepdims=True)) * rstd


class LayerNorm(Function):
    def __init__(self, n_axes, eps):
        self.n_axes, self.eps = n_axes, eps

    def forward(self, x, weight, bias):
        xp = array_module(x)
        axes = tuple(range(x.ndim - self.n_axes, x.ndim))
        mean = x.mean(axis=axes, keepdims=True)
        centred = x - mean
        var = (centred * centred).mean(axis=axes, keepdims=True)
        self.rstd = 1.0 / xp.sqrt(var + self.eps)
        self.x_hat = centred * self.rstd
        self.weight = weight
        y = self.x_hat if weight is None else self.x_hat * weight
        return y if bias is None else y + bias

    def backward(self, gy):
        # y = γ·x̂ + β:  dL/dγ = Σ_batch dy·x̂,  dL/dβ = Σ_batch dy,  dL/dx̂ = γ·dy
        nd = gy.ndim
        axes = tuple(range(nd - self.n_axes, nd))
        lead = tuple(range(nd - self.n_axes))
        gx = gw = gb = None
        if self.needs_grad[0]:
            g = gy if self.weight is None else gy * self.weight
            gx = _normalized_grad(g, self.x_hat, self.rstd, axes)
        if self.needs_grad[1]:
            gw = (gy * self.x_hat).sum(axis=lead)
        if self.needs_grad[2]:
            gb = gy.sum(axis=lead)
        return gx, gw, gb


def layer_norm(x, normalized_shape, weight=None, bias=None, eps: float = 1e-5):
    """Normalise each sample over its last ``len(normalized_shape)`` dimensions, then scale and
    shift (PyTorch's ``F.layer_norm``): statistics do not depend on the batch.

    Args:
        x: input of shape (..., *normalized_shape).
        normalized_shape: int or tuple, the trailing shape to normalise over.
        weight, bias: γ and β of shape ``normalized_shape`` (or None).
        eps: added to the variance for stability.
    """
    normalized_shape = (int(normalized_shape),) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(normalized_shape)
    xs = tuple(x.shape)
    if k == 0 or len(xs) < k or xs[len(xs) - k:] != normalized_shape:
        raise ValueError(f"layer_norm: input of shape {xs} does not end with normalized_shape {normalized_shape}")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p.shape) != normalized_shape:
            raise ValueError(f"layer_norm: {name} must have shape {normalized_shape}, got {tuple(p.shape)}")
    return LayerNorm.apply(x, weight, bias, n_axes=k, eps=float(eps))


def _channel_view(a, ndim):
    """A (C,) array shaped (1, C, 1, ...) to broadcast against an (N, C, ...) input."""
    return a.reshape((1, -1) + (1,) * (ndim - 2))


class BatchNormTrain(Function):
    """Normalise with the batch's own statistics (training mode), updating the running ones."""

    def __init__(self, eps, running_mean=None, running_var=None, momentum=0.1):
        self.eps = eps
        self.running = (running_mean, running_var, momentum)

    def forward(self, x, weight, bias):
        xp = array_module(x)
        self.axes = (0,) + tuple(range(2, x.ndim))
        self.mean = x.mean(axis=self.axes, keepdims=True)
        centred = x - self.mean
        self.var = (centred * centred).mean(axis=self.axes, keepdims=True)
        self.rstd = 1.0 / xp.sqrt(self.var + self.eps)
        self.x_hat = centred * self.rstd
        _update_running(*self.running, self.mean, self.var, x.size // x.shape[1])
        del self.running, self.mean, self.var
        self.weight = None if weight is None else _channel_view(weight, x.ndim)
        y = self.x_hat if weight is None else self.x_hat * self.weight
        return y if bias is None else y + _channel_view(bias, x.ndim)

    def backward(self, gy):
        # y = γ·x̂ + β per channel:  dL/dγ = Σ dy·x̂,  dL/dβ = Σ dy over batch and positions
        gx = gw = gb = None
        if self.needs_grad[0]:
            g = gy if self.weight is None else gy * self.weight
            gx = _normalized_grad(g, self.x_hat, self.rstd, self.axes)
        if self.needs_grad[1]:
            gw = (gy * self.x_hat).sum(axis=self.axes)
        if self.needs_grad[2]:
            gb = gy.sum(axis=self.axes)
        return gx, gw, gb


class BatchNormEval(Function):
    """Normalise with fixed running statistics (evaluation mode): an affine map per channel."""

    def __init__(self, eps):
        self.eps = eps

    def forward(self, x, weight, bias, mean, var):
        xp = array_module(x)
        nd = x.ndim
        self.axes = (0,) + tuple(range(2, nd))
        self.rstd = _channel_view(1.0 / xp.sqrt(var + self.eps), nd).astype(x.dtype, copy=False)
        self.x_hat = (x - _channel_view(mean, nd).astype(x.dtype, copy=False)) * self.rstd
        self.weight = None if weight is None else _channel_view(weight, nd)
        y = self.x_hat if weight is None else self.x_hat * self.weight
        return y if bias is None else y + _channel_view(bias, nd)

    def backward(self, gy):
        # x̂ = (x − μ_run)·rstd with constant statistics:  dL/dx = γ·rstd·dy
        gx = gw = gb = None
        if self.needs_grad[0]:
            gx = gy * self.rstd if self.weight is None else gy * (self.weight * self.rstd)
        if self.needs_grad[1]:
            gw = (gy * self.x_hat).sum(axis=self.axes)
        if self.needs_grad[2]:
            gb = gy.sum(axis=self.axes)
        return gx, gw, gb, None, None


def batch_norm(x, running_mean, running_var, weight=None, bias=None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5):
    """Normalise each channel (axis 1) over the batch and all positions (PyTorch's ``F.batch_norm``).

    In training the batch statistics are used and, when running statistics are given, they are
    updated in place: ``running = (1 − momentum)·running + momentum·batch`` with the unbiased
    batch variance (n/(n−1)), as PyTorch.  In evaluation the running statistics are used.

    Args:
        x: input (N, C), (N, C, L) or (N, C, H, W).
        running_mean, running_var: arrays of shape (C,) (or None to keep no running statistics).
        weight, bias: γ and β of shape (C,) (or None).
        training: use (and update) batch statistics instead of the running ones.
        momentum: weight of the new batch in the running average.
        eps: added to the variance for stability.
    """
    xs = tuple(x.shape)
    if len(xs) < 2:
        raise ValueError(f"batch_norm: expected input (N, C), (N, C, L) or (N, C, H, W), got shape {xs}")
    c = xs[1]
    for name, a in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if a is not None and tuple(a.shape) != (c,):
            raise ValueError(f"batch_norm: {name} must have shape ({c},) for an input with {c} channels "
                             f"(shape {xs}), got {tuple(a.shape)}")
    if training:
        n = math.prod(xs) // c
        if n < 2:
            raise ValueError(f"batch_norm: training needs more than 1 value per channel to compute a variance, "
                             f"got input of shape {xs}")
        return BatchNormTrain.apply(x, weight, bias, eps=float(eps), running_mean=_data(running_mean),
                                    running_var=_data(running_var), momentum=float(momentum))
    if running_mean is None or running_var is None:
        raise ValueError("batch_norm: evaluation (training=False) needs running_mean and running_var")
    return BatchNormEval.apply(x, weight, bias, _data(running_mean), _data(running_var), eps=float(eps))


def _update_running(running_mean, running_var, momentum, mean, var, n):
    """running ← (1 − momentum)·running + momentum·batch, in place; the variance unbiased (n/(n−1))."""
    m = momentum
    if running_mean is not None:
        running_mean *= 1 - m
        running_mean += (m * mean.reshape(-1)).astype(running_mean.dtype, copy=False)
    if running_var is not None:
        running_var *= 1 - m
        running_var += (m * n / (n - 1) * var.reshape(-1)).astype(running_var.dtype, copy=False)
