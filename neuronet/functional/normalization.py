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
import numbers

from ..autograd import Function
from ..backend import array_module, np
from ..tensor import Tensor
from .activation import relu_into
from .empty import empty_result
from ..kernels.compiled import kernel_arrays, kernel_module
from ..kernels.parallel import chunk_bounds, map_chunks, scratch

__all__ = ["layer_norm", "batch_norm"]


def _data(a):
    return a.data if isinstance(a, Tensor) else a


class LayerNorm(Function):
    """Keeps the input (autograd holds it anyway), the mean and 1/σ, and rebuilds x̂ in backward
    instead of keeping a second input-sized array alive between the passes (as PyTorch does)."""

    def __init__(self, n_axes, eps):
        self.n_axes, self.eps = n_axes, eps

    def forward(self, x, weight, bias):
        self.fast = _layer_norm_fast(x, weight, bias)
        if self.fast:
            return self._forward_compiled(x, weight, bias)
        xp = array_module(x)
        axes = tuple(range(x.ndim - self.n_axes, x.ndim))
        count = math.prod(x.shape[x.ndim - self.n_axes:])
        # means as sum / count, in place: what ndarray.mean computes, bit for bit, without its Python
        # wrapper (two of them per call, a tenth of a batch-1 layer norm)
        # (float16 means accumulate in float32: those keep ndarray.mean)
        exact = x.dtype.itemsize >= 4
        mean = x.sum(axis=axes, keepdims=True) if exact else x.mean(axis=axes, keepdims=True)
        if exact:
            mean /= count
        y = x - mean  # centred; becomes x̂, then the output, in place
        if exact:
            var = (y * y).sum(axis=axes, keepdims=True)
            var /= count
        else:
            var = (y * y).mean(axis=axes, keepdims=True)
        var += self.eps
        rstd = 1.0 / xp.sqrt(var, out=var)
        y *= rstd
        if weight is not None:
            y *= weight
        if bias is not None:
            y += bias
        if self.recording:
            self.x, self.mean, self.rstd, self.weight = x, mean, rstd, weight
        return y

    def _forward_compiled(self, x, weight, bias):
        """The same y by ``kernels/layer_norm.py``, one row per pass of the last axes, rows chunked over threads."""
        kernel = kernel_module("layer_norm")  # imports numba on first use
        width = math.prod(x.shape[x.ndim - self.n_axes:])
        x2 = np.ascontiguousarray(x).reshape(-1, width)
        rows = x2.shape[0]
        y, mean, rstd = np.empty_like(x2), np.empty(rows, np.float32), np.empty(rows, np.float32)
        w, b = _flat_or_empty(weight), _flat_or_empty(bias)
        bounds = chunk_bounds(rows, width * 4, np, target_bytes=_LN_CHUNK_BYTES)
        map_chunks(lambda s, e: kernel.layer_norm_forward(x2, y, mean, rstd, w, b, weight is not None,
                                                          bias is not None, self.eps, s, e), bounds, x2)
        if self.recording:
            self.x, self.mean, self.rstd, self.weight, self.bounds = x2, mean, rstd, weight, bounds
        return y.reshape(x.shape)

    def _backward_compiled(self, gy):
        kernel = kernel_module("layer_norm")  # imports numba on first use
        x2, bounds, weight = self.x, self.bounds, self.weight
        gy2 = np.ascontiguousarray(gy).reshape(x2.shape)
        want_x = bool(self.needs_grad[0])
        gx = np.empty_like(gy2) if want_x else gy2
        gw, gb = np.zeros((len(bounds), x2.shape[1])), np.zeros((len(bounds), x2.shape[1]))
        index = {start: i for i, (start, _) in enumerate(bounds)}
        w = _flat_or_empty(weight)
        map_chunks(lambda s, e: kernel.layer_norm_backward(gy2, x2, self.mean, self.rstd, w, weight is not None,
                                                           want_x, gx, gw, gb, index[s], s, e), bounds, gy2)
        shape = gy.shape[gy.ndim - self.n_axes:]
        return ((gx.reshape(gy.shape) if want_x else None),
                gw.sum(axis=0).astype(np.float32).reshape(shape) if self.needs_grad[1] else None,
                gb.sum(axis=0).astype(np.float32).reshape(shape) if self.needs_grad[2] else None)

    def backward(self, gy):
        # y = γ·x̂ + β:  dL/dγ = Σ_batch dy·x̂,  dL/dβ = Σ_batch dy,  dL/dx̂ = γ·dy
        if self.fast:
            return self._backward_compiled(gy)
        xp = array_module(gy)
        nd = gy.ndim
        axes = tuple(range(nd - self.n_axes, nd))
        lead = tuple(range(nd - self.n_axes))
        x, writable = self.take_saved("x")
        x_hat = xp.subtract(x, self.mean, out=x if writable else None)  # rebuilt over x when nothing else holds it
        x_hat *= self.rstd
        # (rows, normalised size) views: the sums of products are einsum contractions, no temporary array
        width = math.prod(gy.shape[nd - self.n_axes:])
        rows = math.prod(gy.shape[:nd - self.n_axes])  # not -1: width or rows may be 0
        gy2, x_hat2 = gy.reshape(rows, width), x_hat.reshape(rows, width)
        gx = gw = gb = None
        if self.needs_grad[1]:
            gw = xp.einsum("md,md->d", gy2, x_hat2).reshape(gy.shape[nd - self.n_axes:])
        if self.needs_grad[2]:
            gb = gy.sum(axis=lead)
        if self.needs_grad[0]:
            # dL/dx = (g − mean(g) − x̂·mean(g·x̂))·rstd with g = γ·dy (module docstring), in place
            g = gy.copy() if self.weight is None else gy * self.weight
            mean_gx = (xp.einsum("md,md->m", g.reshape(rows, width), x_hat2) / max(width, 1)).reshape(self.rstd.shape)
            x_hat *= mean_gx
            g -= g.mean(axis=axes, keepdims=True)
            g -= x_hat
            g *= self.rstd
            gx = g
        return gx, gw, gb


_LN_CHUNK_BYTES = 1 << 19  # rows per chunk: about 512 KiB of input, a share of L2 per thread


def _layer_norm_fast(x, weight, bias) -> bool:
    """Whether the compiled kernels take this call: float32 NumPy arrays with kernels on, no empty axis."""
    return x.size > 0 and kernel_arrays(x, *[p for p in (weight, bias) if p is not None])  # a list: no generator


def _flat_or_empty(p):
    """γ or β as a contiguous (d,) float32 array, or an empty one (the kernel's "none")."""
    return np.empty(0, np.float32) if p is None else np.ascontiguousarray(p).reshape(-1)


def layer_norm(x, normalized_shape, weight=None, bias=None, eps: float = 1e-5):
    """Normalise each sample over its last ``len(normalized_shape)`` dimensions, then scale and
    shift (PyTorch's ``F.layer_norm``): statistics do not depend on the batch.

    Args:
        x: input of shape (..., *normalized_shape).
        normalized_shape: int or tuple, the trailing shape to normalise over.
        weight, bias: γ and β of shape ``normalized_shape`` (or None).
        eps: added to the variance for stability.

    Example:
        >>> y = F.layer_norm(nt.tensor([[1.0, 2.0, 3.0]]), (3,))
        >>> y.numpy(), round(y.mean().item(), 6)
        (array([[-1.2247,  0.    ,  1.2247]], dtype=float32), 0.0)
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


_BN_CHUNK_BYTES = 1 << 19  # channels per chunk: about 512 KiB of input, so that the passes over it stay in cache


def _channel_chunks(x3, xp):
    """Channel ranges of the (N, C, L) view: every channel's statistics come from one chunk, so
    results do not depend on the thread count."""
    n, c, l = x3.shape
    return chunk_bounds(c, n * l * x3.dtype.itemsize, xp, target_bytes=_BN_CHUNK_BYTES)


def _as_ncl(a):
    """(N, C, ...) as an (N, C, L) view (L = 1 for (N, C))."""
    return a.reshape(a.shape[0], a.shape[1], math.prod(a.shape[2:]))  # no -1: N may be 0


class BatchNormTrain(Function):
    """Normalise with the batch's own statistics (training mode), updating the running ones.

    Runs over chunks of channels (``kernels/parallel.py``) sized so that the passes over a chunk stay in
    cache; per-channel sums are ``einsum`` contractions (no temporary array).  Like PyTorch it
    keeps the input, the mean and 1/σ for the backward, not x̂ (one array less alive).
    """

    def __init__(self, eps, running_mean=None, running_var=None, momentum=0.1, relu=False):
        self.eps, self.relu = eps, relu
        self.running = (running_mean, running_var, momentum)

    def forward(self, x, weight, bias):
        xp = array_module(x)
        x3 = _as_ncl(x)
        count = x3.shape[0] * x3.shape[2]  # values per channel
        c = x3.shape[1]
        y = xp.empty(x3.shape, dtype=x.dtype)
        mean, var, rstd = (xp.empty(c, dtype=x.dtype) for _ in range(3))
        # the kernels loop over each channel's rows: worth it for images and sequences, not (N, C)
        compiled = x3.shape[2] >= 8 and kernel_arrays(x3, *(a for a in (weight, bias) if a is not None))

        def chunk(s, e):
            if compiled:  # one compiled pass per step of the same formulas (kernels/normalization.py)
                from ..kernels.normalization import batch_norm_forward
                batch_norm_forward(x3, y, mean, var, rstd, rstd if weight is None else weight,
                                   rstd if bias is None else bias, weight is not None, bias is not None,
                                   self.relu, self.eps, s, e)
                return
            xs, ys = x3[:, s:e], y[:, s:e]
            mean[s:e] = xp.einsum("ncl->c", xs) / count
            xp.subtract(xs, mean[s:e, None], out=ys)  # centred, two-pass: no cancellation
            var[s:e] = xp.einsum("ncl,ncl->c", ys, ys) / count
            rstd[s:e] = 1.0 / xp.sqrt(var[s:e] + self.eps)
            ys *= (rstd[s:e] if weight is None else weight[s:e] * rstd[s:e])[:, None]
            if bias is not None:
                ys += bias[s:e, None]
            if self.relu:
                xp.maximum(ys, 0, out=ys)

        map_chunks(chunk, _channel_chunks(x3, xp), x)
        _update_running(*self.running, mean, var, count)
        del self.running
        if self.recording:
            self.x, self.mean, self.rstd, self.weight = x, mean, rstd, weight
            self.y = y if self.relu else None  # the fused ReLU's gradient mask is y > 0
        return y.reshape(x.shape)

    def backward(self, gy):
        # y = γ·x̂ + β per channel:  dL/dγ = Σ dy·x̂,  dL/dβ = Σ dy over batch and positions;
        # dL/dx = γ·rstd·(dy − mean(dy) − x̂·mean(dy·x̂)) (module docstring with g = γ·dy), whose
        # two means are dL/dβ/n and dL/dγ/n: the parameter gradients are computed once and reused.
        xp = array_module(gy)
        g3, x3, weight = _as_ncl(gy), _as_ncl(self.x), self.weight
        count = g3.shape[0] * g3.shape[2]
        c = g3.shape[1]
        want_x = self.needs_grad[0]
        gw, gb = xp.empty(c, dtype=gy.dtype), xp.empty(c, dtype=gy.dtype)
        gx = xp.empty(g3.shape, dtype=gy.dtype) if want_x else None
        compiled = g3.shape[2] >= 8 and kernel_arrays(g3, x3)
        y3 = g3 if self.y is None else self.y  # read only with the fused ReLU

        def chunk(s, e):
            if compiled:  # one compiled pass per step of the same formulas (kernels/normalization.py)
                from ..kernels.normalization import batch_norm_backward
                batch_norm_backward(g3, x3, self.mean, self.rstd, self.rstd if weight is None else weight,
                                    weight is not None, self.relu, y3, want_x, g3[:, :0] if gx is None else gx,
                                    gw, gb, s, e)
                return
            gs = g3[:, s:e]
            if self.relu:  # d/dz max(z, 0) = [z > 0], read off the output
                gs = gs * (y3[:, s:e] > 0)
            rstd = self.rstd[s:e, None]
            hs = gx[:, s:e] if want_x else scratch("bn", gs.shape, gy.dtype, xp)
            xp.subtract(x3[:, s:e], self.mean[s:e, None], out=hs)
            hs *= rstd  # x̂, rebuilt where dL/dx goes
            gb[s:e] = xp.einsum("ncl->c", gs)
            gw[s:e] = xp.einsum("ncl,ncl->c", gs, hs)
            if want_x:
                hs *= gw[s:e, None] / count
                hs += gb[s:e, None] / count
                xp.subtract(gs, hs, out=hs)
                hs *= rstd if weight is None else weight[s:e, None] * rstd

        map_chunks(chunk, _channel_chunks(g3, xp), gy)
        return (None if gx is None else gx.reshape(gy.shape),
                gw if self.needs_grad[1] else None, gb if self.needs_grad[2] else None)


class BatchNormEval(Function):
    """Normalise with fixed running statistics (evaluation mode): y = x·a + b per channel, with
    a = γ·rstd and b = β − μ·a (two passes, nothing saved but the input)."""

    def __init__(self, eps, relu=False):
        self.eps, self.relu = eps, relu

    def forward(self, x, weight, bias, mean, var):
        xp = array_module(x)
        rstd = (1.0 / xp.sqrt(var + self.eps)).astype(x.dtype, copy=False)
        mean = mean.astype(x.dtype, copy=False)
        scale = rstd if weight is None else weight * rstd
        shift = -mean * scale if bias is None else bias - mean * scale
        x3 = _as_ncl(x)
        y = xp.multiply(x3, scale[:, None])
        y += shift[:, None]
        if self.relu:
            relu_into(y, y, xp)
        if self.recording:
            self.x, self.mean, self.rstd, self.scale = (x if self.needs_grad[1] else None), mean, rstd, scale
            self.y = y if self.relu else None  # the fused ReLU's gradient mask is y > 0
        return y.reshape(x.shape)

    def backward(self, gy):
        # x̂ = (x − μ_run)·rstd with constant statistics:  dL/dx = γ·rstd·dy
        xp = array_module(gy)
        g3 = _as_ncl(gy)
        if self.relu:  # d/dz max(z, 0) = [z > 0], read off the output
            g3 = g3 * (self.y > 0)
        gx = gw = gb = None
        if self.needs_grad[0]:
            gx = xp.multiply(g3, self.scale[:, None]).reshape(gy.shape)
        if self.needs_grad[1]:
            x_hat = (_as_ncl(self.x) - self.mean[:, None]) * self.rstd[:, None]
            gw = xp.einsum("ncl,ncl->c", g3, x_hat)
        if self.needs_grad[2]:
            gb = xp.einsum("ncl->c", g3)
        return gx, gw, gb, None, None


def batch_norm(x, running_mean, running_var, weight=None, bias=None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5, *, activation=None):
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
        activation: ``"relu"`` applies max(·, 0) to the result in the same passes (the common
            BatchNorm → ReLU pair, which ``Sequential`` fuses this way), or None.

    Example:
        >>> x = nt.tensor(np.random.rand(16, 3, 4, 4).astype(np.float32) * 5 + 2)
        >>> mean, var = np.zeros(3, np.float32), np.ones(3, np.float32)
        >>> y = F.batch_norm(x, mean, var, training=True)
        >>> bool(np.abs(y.numpy().mean(axis=(0, 2, 3))).max() < 1e-5)  # each channel normalised over the batch
        True
        >>> mean.round(1)  # running mean moved 0.1 of the way to the batch mean (about 4.5)
        array([0.4, 0.4, 0.5], dtype=float32)
    """
    xs = tuple(x.shape)
    if len(xs) < 2:
        raise ValueError(f"batch_norm: expected input (N, C), (N, C, L) or (N, C, H, W), got shape {xs}")
    if activation not in (None, "relu"):
        raise ValueError(f"batch_norm: activation must be None or 'relu', got {activation!r}")
    relu = activation == "relu"
    c = xs[1]
    for name, a in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if a is not None and tuple(a.shape) != (c,):
            raise ValueError(f"batch_norm: {name} must have shape ({c},) for an input with {c} channels "
                             f"(shape {xs}), got {tuple(a.shape)}")
    if training:
        n = xs[0] * math.prod(xs[2:])  # values per channel
        if n == 1:  # PyTorch's rule: one value has no variance; none at all is an empty batch
            raise ValueError(f"batch_norm: training needs more than 1 value per channel to compute a variance, "
                             f"got input of shape {xs}")
        if n == 0:  # nothing to normalise: an empty output, zero gradients, running statistics unchanged (PyTorch)
            return empty_result(xs, *(a for a in (x, weight, bias) if a is not None))
        return BatchNormTrain.apply(x, weight, bias, eps=float(eps), running_mean=_data(running_mean),
                                    running_var=_data(running_var), momentum=_momentum(momentum), relu=relu)
    if running_mean is None or running_var is None:
        raise ValueError("batch_norm: evaluation (training=False) needs running_mean and running_var")
    return BatchNormEval.apply(x, weight, bias, _data(running_mean), _data(running_var), eps=float(eps), relu=relu)


def _momentum(momentum) -> float:
    if isinstance(momentum, bool) or not isinstance(momentum, numbers.Real):
        raise TypeError(f"batch_norm: momentum must be a number (the layers take None for a cumulative "
                        f"average; this function does not), got {momentum!r}")
    return float(momentum)


def _update_running(running_mean, running_var, momentum, mean, var, n):
    """running ← (1 − momentum)·running + momentum·batch, in place; the variance unbiased (n/(n−1))."""
    m = momentum
    if running_mean is not None:
        running_mean *= 1 - m
        running_mean += (m * mean.reshape(-1)).astype(running_mean.dtype, copy=False)
    if running_var is not None:
        running_var *= 1 - m
        running_var += (m * n / (n - 1) * var.reshape(-1)).astype(running_var.dtype, copy=False)
