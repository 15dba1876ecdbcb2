"""The fully connected layer as one fused Function: y = act(x Wᵀ + b), PyTorch weight layout (out, in).

``linear`` can also add a residual r in the same Function (y = x Wᵀ + b + r), so a residual
block's sum is one array instead of the product plus the sum (the Transformer layers use it).
"""
from __future__ import annotations

import math

from ..autograd import Function
from ..backend import array_module
from ..kernels.compiled import kernel_arrays, kernel_module
from ..kernels.parallel import blas_for_product
from ..kernels.transposed_product import linear_product
from .activation import _sigmoid, activation_grad, get_activation, identity, relu, relu_into, sigmoid, tanh

__all__ = ["linear", "dense"]

# activations fused into the GEMM's Function: their derivative is a function of the output y
_FUSED = {None: None, "identity": None, "linear": None, "relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid",
          identity: None, relu: "relu", tanh: "tanh", sigmoid: "sigmoid"}


def _bias_relu_kernel(y, other) -> bool:
    """Whether the compiled one-pass bias+ReLU (kernels/activation.py) applies to the 2-d output y
    and the bias (forward) or the output's gradient (backward) ``other``: contiguous float32 NumPy
    arrays of any size (measured on 2 cores: 0.3 against 1.7 µs for NumPy's two passes over 128
    values, 0.9 against 6.5 µs over 64×128, so there is no crossover to wait for)."""
    return kernel_arrays(y, other) and y.flags.c_contiguous and other.flags.c_contiguous


class Affine(Function):
    def __init__(self, activation=None):
        self.activation = activation

    def forward(self, x, w, b=None, r=None):
        shape = x.shape
        x2 = x.reshape(math.prod(shape[:-1]), shape[-1]) if x.ndim != 2 else x  # no -1: any size may be 0
        with blas_for_product(x2.shape[0], shape[-1], w.shape[0]):  # small products: one BLAS thread
            y = linear_product(x2, w)  # x2 @ w.T, one GEMM over all leading dimensions (as (W x2ᵀ)ᵀ where faster)
        activation = self.activation
        if activation == "relu" and b is not None and r is None and _bias_relu_kernel(y, b):
            kernel_module("activation").bias_relu(y, b)  # y = max(y + b, 0) in one pass
            activation_done = True
        else:
            if b is not None:
                y += b
            if r is not None:
                y += r.reshape(y.shape)
            activation_done = activation is None
        if not activation_done:
            xp = array_module(x)
            if activation == "relu":
                relu_into(y, y, xp)
            elif activation == "tanh":
                xp.tanh(y, out=y)
            elif activation == "sigmoid":
                y = _sigmoid(y, xp)
        if self.recording:  # what backward needs (nothing under no_grad)
            self.x_shape, self.x2, self.w = shape, x2, w
            self.y = y if activation else None
        return y if x.ndim == 2 else y.reshape(shape[:-1] + (w.shape[0],))

    def backward(self, gy):
        # y = act(z), z = x Wᵀ + b (+ r):  dz = dy·act'(z);  dX = dz W,  dW = dzᵀ X,  db = Σ_rows dz
        g = gy.reshape(math.prod(gy.shape[:-1]), gy.shape[-1]) if gy.ndim != 2 else gy
        gb = None
        if self.activation:  # dz goes into the output's memory when nothing else holds it
            y, writable = self.take_saved("y")
            if (writable and self.activation == "relu" and len(self.needs_grad) == 3 and self.needs_grad[2]
                    and _bias_relu_kernel(y, g) and g.flags.c_contiguous):
                gb = array_module(y).empty(y.shape[1], y.dtype)
                kernel_module("activation").relu_grad_bias_sum(y, g, gb)  # dz and db in one pass
                g = y
            else:
                g = activation_grad(g, y, self.activation, array_module(g), out=y if writable else None)
        with blas_for_product(*self.x2.shape, self.w.shape[0]):  # small products: one BLAS thread
            gx = (g @ self.w).reshape(self.x_shape) if self.needs_grad[0] else None
            gw = g.T @ self.x2 if self.needs_grad[1] else None
        if len(self.needs_grad) < 3:
            return gx, gw
        if gb is None and self.needs_grad[2]:
            gb = g.sum(axis=0)
        if len(self.needs_grad) < 4:
            return gx, gw, gb
        return gx, gw, gb, gy if self.needs_grad[3] else None  # d/dr (z + r) = 1


def _check(fn, x, weight, bias, residual=None):
    xs, ws = x.shape, weight.shape
    if (len(ws) == 2 and xs and xs[-1] == ws[1] and residual is None
            and (bias is None or bias.shape == ws[:1])):  # the common case, at a glance
        return
    xs, ws = tuple(xs), tuple(ws)
    if len(ws) != 2:
        raise ValueError(f"{fn}: weight must have shape (out_features, in_features), got {ws}")
    if len(xs) == 0 or xs[-1] != ws[1]:
        raise ValueError(f"{fn}: input of shape {xs} has {xs[-1] if xs else 'no'} features in its last "
                         f"dimension, but weight of shape {ws} expects {ws[1]} (weight is (out, in))")
    if bias is not None and tuple(bias.shape) != (ws[0],):
        raise ValueError(f"{fn}: bias must have shape ({ws[0]},) to match weight {ws}, got {tuple(bias.shape)}")
    if residual is not None and tuple(residual.shape) != xs[:-1] + ws[:1]:
        raise ValueError(f"{fn}: residual must have the output's shape {xs[:-1] + ws[:1]}, got {tuple(residual.shape)}")


def linear(x, weight, bias=None, residual=None):
    """y = x Wᵀ + b for x of shape (..., in), weight (out, in), bias (out,) — PyTorch's F.linear.

    ``residual`` (the output's shape (..., out)), when given, is added in the same Function:
    ``linear(h, W, b, residual=x)`` equals ``x + linear(h, W, b)`` without keeping the product
    as a separate array for backward.

    Example:
        >>> x, w, b = nt.ones(4, 3), nt.ones(2, 3), nt.tensor([0.0, 1.0])
        >>> y = F.linear(x, w, b)  # x W^T + b, weight (out, in)
        >>> y.shape, y.numpy()[0]
        ((4, 2), array([3., 4.], dtype=float32))
    """
    _check("linear", x, weight, bias, residual)
    if residual is not None:
        return Affine.apply(x, weight, bias, residual)
    inputs = (x, weight) if bias is None else (x, weight, bias)
    return Affine.apply(*inputs)


def dense(x, weight, bias=None, activation=None):
    """act(x Wᵀ + b): a whole dense layer.  relu, tanh, sigmoid and the identity are fused into
    the same Function (one pass, one saved array); other activations (names or callables)
    are applied after :func:`linear`.

    Example:
        >>> x, w, b = nt.tensor([[1.0, -2.0]]), nt.tensor([[1.0, 1.0], [0.0, 1.0]]), nt.zeros(2)
        >>> F.dense(x, w, b, activation="relu").numpy()  # relu(x W^T + b)
        array([[0., 0.]], dtype=float32)
    """
    _check("dense", x, weight, bias)
    key = activation.lower() if isinstance(activation, str) else activation
    inputs = (x, weight) if bias is None else (x, weight, bias)
    try:
        fused = key in _FUSED
    except TypeError:  # an unhashable callable
        fused = False
    if fused:
        return Affine.apply(*inputs, activation=_FUSED[key])
    return get_activation(activation)(Affine.apply(*inputs))
