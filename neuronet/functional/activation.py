"""Activation functions, each a fused Function with its derivative from the course beside it.

Every activation works element-wise on arrays of any shape (softmax, log-softmax and maxout
along one axis; PReLU per channel on axis 1), keeps float32 as float32, and runs on NumPy or
CuPy alike.  ``get_activation("relu")`` turns a name into the function, so layers accept strings.
"""
from __future__ import annotations

import math

from ..autograd import Function
from ..backend import array_module, np
from ..kernels.compiled import kernel_arrays
from ..kernels.parallel import map_flat
from .math import Tanh, refuse_bool, tanh, to_float  # noqa: F401  (tanh lives with the other elementary functions)

__all__ = [
    "identity", "linear", "sigmoid", "tanh", "arctan", "softsign", "heaviside", "step", "sign",
    "relu", "leaky_relu", "prelu", "elu", "selu", "silu", "swish", "gelu", "softplus",
    "softmax", "log_softmax", "maxout", "get_activation", "activation_name", "ACTIVATIONS",
]

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _sigmoid(x, xp):
    """1/(1+e^-x) without overflow: only e^-|x| is ever computed."""
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _softplus(z, xp):
    """log(1+e^z) = max(z,0) + log1p(e^-|z|), finite for any z."""
    return xp.maximum(z, 0) + xp.log1p(xp.exp(-xp.abs(z)))


# erf(x) ≈ x·P(x²)/Q(x²) on [-4, 4] (the rational fit Eigen and XLA use for float32; |error| < 1e-7)
_ERF_P = (-1.60960333262415e-02, -2.95459980854025e-03, -7.34990630326855e-04, -5.69250639462346e-05,
          -2.10102402082508e-06, 2.77068142495902e-08, -2.72614225801306e-10)
_ERF_Q = (-1.42647390514189e-02, -7.37332916720468e-03, -1.68282697438203e-03, -2.13374055278905e-04,
          -1.45660718464996e-05)


def _erf(x, xp):
    """The error function (NumPy has none).  Below float64: a 12-op rational fit, accurate to
    float32 rounding.  float64 (gradient checks): to ~1e-15 with a positive-term series for
    |x| <= 3 and the continued fraction of erfc beyond."""
    if x.dtype != np.float64:
        c = xp.clip(x, -4.0, 4.0)
        c2 = c * c
        num = _ERF_P[-1]
        for coef in reversed(_ERF_P[:-1]):
            num = num * c2 + coef
        den = _ERF_Q[-1]
        for coef in reversed(_ERF_Q[:-1]):
            den = den * c2 + coef
        return c * num / den
    a = xp.abs(x)
    small = xp.minimum(a, 3.0)
    z2 = 2.0 * small * small
    term = small
    total = small
    for n in range(1, 60):  # erf(x) = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (1·3···(2n+1))
        term = term * z2 / (2 * n + 1)
        total = total + term
    series = total * xp.exp(-small * small) * (2 / math.sqrt(math.pi))
    big = xp.maximum(a, 3.0)
    frac = big
    for k in range(40, 0, -1):  # erfc(x) = e^{-x^2}/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
        frac = big + (k / 2) / frac
    tail = 1.0 - xp.exp(-big * big) / (math.sqrt(math.pi) * frac)
    return xp.sign(x) * xp.where(a <= 3.0, series, tail)


class _Elementwise(Function):
    """An element-wise activation whose backward is ``gy * derivative`` (computed in forward)."""

    def forward(self, x):
        y, self.dydx = self.compute(to_float(x), array_module(x))
        return y

    def backward(self, gy):
        return gy * self.dydx


class Identity(Function):
    def forward(self, x):
        return x.copy()

    def backward(self, gy):
        return gy  # d/dx x = 1


def identity(x):
    """f(x) = x: the output layer of a regression network.

    Example:
        >>> F.identity(nt.tensor([-1.0, 2.0])).numpy()
        array([-1.,  2.], dtype=float32)
    """
    return Identity.apply(x)


class Linear(Function):
    def __init__(self, k):
        self.k = k

    def forward(self, x):
        return x * self.k

    def backward(self, gy):
        return gy * self.k  # d/dx kx = k


def linear(x, k: float = 1.0):
    """f(x) = k·x, the linear activation of the course (k=1 is the identity)."""
    return Linear.apply(x, k=float(k))


class Sigmoid(Function):
    def forward(self, x):
        refuse_bool("sigmoid", x)
        x = to_float(x)
        self.y = _sigmoid(x, array_module(x))
        return self.y

    def backward(self, gy):
        return gy * self.y * (1 - self.y)  # d/dx σ(x) = σ(x)(1 - σ(x))


def sigmoid(x):
    """The logistic function 1/(1+e^-x), stable for large |x| (no overflow warnings).

    Example:
        >>> F.sigmoid(nt.tensor([-1000.0, 0.0, 1000.0])).numpy()  # no overflow
        array([0. , 0.5, 1. ], dtype=float32)
    """
    return Sigmoid.apply(x)


class ArcTan(_Elementwise):
    def compute(self, x, xp):
        # d/dx (2/π) atan x = 2 / (π (1 + x^2))
        return xp.arctan(x) * (2 / math.pi), (2 / math.pi) / (1 + x * x)


def arctan(x):
    """(2/π)·atan(x), a sigmoid-shaped activation with range (-1, 1).

    Example:
        >>> F.arctan(nt.tensor([0.0, 1.0])).numpy()  # (2/pi) atan(x)
        array([0. , 0.5], dtype=float32)
    """
    return ArcTan.apply(x)


class Softsign(_Elementwise):
    def compute(self, x, xp):
        d = 1 + xp.abs(x)
        return x / d, 1 / (d * d)  # d/dx softsign = 1/(1+|x|)^2


def softsign(x):
    """x / (1 + |x|): like tanh, with polynomial instead of exponential tails.

    Example:
        >>> F.softsign(nt.tensor([-1.0, 3.0])).numpy()
        array([-0.5 ,  0.75], dtype=float32)
    """
    return Softsign.apply(x)


class _ZeroGrad(Function):
    """A piecewise-constant function: its derivative is 0 wherever it exists."""

    def forward(self, x):
        self.shape, self.dtype = x.shape, x.dtype
        return self.compute(x, array_module(x))

    def backward(self, gy):
        return array_module(gy).zeros(self.shape, self.dtype)  # d/dx const = 0


class Heaviside(_ZeroGrad):
    def __init__(self, value_at_zero):
        self.value_at_zero = value_at_zero

    def compute(self, x, xp):
        y = (x > 0).astype(x.dtype)
        return xp.where(x == 0, xp.asarray(self.value_at_zero, dtype=x.dtype), y)


def heaviside(x, value_at_zero: float = 1.0):
    """The Heaviside step: 1 for x > 0, 0 for x < 0, ``value_at_zero`` at 0 (1 by default,
    the perceptron's convention).  Its gradient is 0 everywhere (undefined at 0): a network
    of steps cannot learn by back-propagation, which is why the course moves to sigmoids.

    Example:
        >>> F.heaviside(nt.tensor([-1.0, 0.0, 2.0])).numpy(), F.heaviside(nt.tensor([0.0]), 0.5).numpy()
        (array([0., 1., 1.], dtype=float32), array([0.5], dtype=float32))
    """
    return Heaviside.apply(x, value_at_zero=float(value_at_zero))


step = heaviside


class Sign(_ZeroGrad):
    def compute(self, x, xp):
        refuse_bool("sign", x)
        return xp.sign(x)


def sign(x):
    """-1, 0 or 1 by the sign of x (ADALINE's output).  Gradient 0 everywhere (undefined at 0).

    Example:
        >>> F.sign(nt.tensor([-3.0, 0.0, 2.0])).numpy()
        array([-1.,  0.,  1.], dtype=float32)
    """
    return Sign.apply(x)


class ReLU(Function):
    """max(x, 0), split over the cores for large arrays (``kernels.parallel.map_flat``)."""

    def forward(self, x):
        refuse_bool("relu", x)
        xp = array_module(x)
        self.y = map_flat(lambda o, a: relu_into(o, a, xp), xp.empty(x.shape, dtype=x.dtype), x)
        return self.y

    def backward(self, gy):
        # d/dx max(x, 0) = 1 if x > 0 else 0 (subgradient 0 at 0)
        xp = array_module(gy)
        out = xp.empty(gy.shape, dtype=gy.dtype)
        if (gy.size >= _RELU_KERNEL_MIN and kernel_arrays(gy, self.y) and gy.flags.c_contiguous
                and self.y.flags.c_contiguous):
            from ..kernels.activation import relu_grad  # one pass instead of mask + multiply
            return map_flat(relu_grad, out, gy, self.y)
        return map_flat(lambda o, g, y: xp.multiply(g, y > 0, out=o), out, gy, self.y)


# elements from which the ReLU kernels are used: on smaller arrays they save a microsecond or two
# per call, less than the one-time cost of importing numba and loading them (about 0.4 s) in a run
# of small layers (the 784-64-32-10 MLP's 3.5 s of training became 3.9 s)
_RELU_KERNEL_MIN = 1 << 15


def relu_into(out, x, xp):
    """out = max(x, 0) (``out`` may be ``x``): the compiled kernel for contiguous float32 NumPy
    arrays of ``_RELU_KERNEL_MIN`` elements or more (2–4× faster than ``np.maximum``, see
    ``kernels/activation.py``), else ``np.maximum``."""
    if x.size >= _RELU_KERNEL_MIN and kernel_arrays(x, out) and x.flags.c_contiguous and out.flags.c_contiguous:
        from ..kernels.activation import relu_forward, relu_in_place
        relu_in_place(x) if out is x else relu_forward(out, x)
    else:
        xp.maximum(x, 0, out=out)
    return out


def activation_grad(gy, y, activation, xp, out=None):
    """dL/dz from dL/dy for a fused y = act(z) (relu, tanh, sigmoid or None), written with the
    output y, into ``out`` when given (``out`` may be ``y`` itself: every element is read before
    its own slot is written)."""
    if activation == "relu":
        if (out is not None and y.size >= _RELU_KERNEL_MIN and kernel_arrays(gy, y, out)
                and all(a.flags.c_contiguous for a in (gy, y, out))):
            from ..kernels.activation import relu_grad, relu_grad_over_output  # one pass, no mask array
            relu_grad_over_output(y, gy) if out is y else relu_grad(out, gy, y)
            return out
        return xp.multiply(gy, y > 0, out=out)  # d/dz max(z, 0) = 1 if z > 0 else 0
    if activation == "tanh":
        return xp.multiply(gy, 1 - y * y, out=out)  # d/dz tanh z = 1 - tanh² z
    if activation == "sigmoid":
        return xp.multiply(gy, y * (1 - y), out=out)  # d/dz σ(z) = σ(z)(1 - σ(z))
    if out is None:
        return gy
    out[...] = gy
    return out


def relu(x):
    """max(x, 0).  At x = 0 the subgradient 0 is used, as in PyTorch.

    Example:
        >>> x = nt.tensor([-1.0, 0.0, 2.0], requires_grad=True)
        >>> F.relu(x).sum().backward()
        >>> x.grad  # subgradient 0 at 0
        array([0., 0., 1.], dtype=float32)
    """
    return ReLU.apply(x)


class LeakyReLU(Function):
    """x for x > 0, slope·x otherwise.  For slope ≥ 0 the output has the input's sign, so the
    backward reads the output (which the next layer keeps anyway) instead of a stored mask; a
    negative slope keeps the input.  Compiled one-pass kernels for large float32 arrays
    (``kernels/activation.py``), NumPy otherwise (the reference)."""

    def __init__(self, slope):
        self.slope = slope

    def forward(self, x):
        xp = array_module(x)
        if self._compiled(x):
            from ..kernels.activation import leaky_relu_forward
            y = map_flat(lambda o, a: leaky_relu_forward(o, a, self.slope), xp.empty(x.shape, dtype=x.dtype), x)
        else:
            y = xp.where(x > 0, x, x * self.slope)
        self.saved = y if self.slope >= 0 else x  # sign(y) = sign(x) when slope ≥ 0
        return y

    def _compiled(self, *arrays):
        return (self.slope >= 0 and arrays[0].size >= _RELU_KERNEL_MIN and kernel_arrays(*arrays)
                and all(a.flags.c_contiguous for a in arrays))

    def backward(self, gy):
        # d/dx = 1 if x > 0 else negative_slope
        xp = array_module(gy)
        if not gy.flags.c_contiguous and self._compiled(self.saved):  # e.g. a conv's input gradient, cropped
            gy = xp.ascontiguousarray(gy)
        if self._compiled(gy, self.saved):
            from ..kernels.activation import leaky_relu_grad
            return map_flat(lambda o, g, y: leaky_relu_grad(o, g, y, self.slope), xp.empty(gy.shape, gy.dtype), gy,
                            self.saved)
        return xp.where(self.saved > 0, gy, gy * self.slope)


def leaky_relu(x, negative_slope: float = 0.01):
    """x for x > 0, negative_slope·x otherwise.

    Example:
        >>> F.leaky_relu(nt.tensor([-10.0, 5.0]), negative_slope=0.1).numpy()
        array([-1.,  5.], dtype=float32)
    """
    return LeakyReLU.apply(x, slope=float(negative_slope))


class PReLU(Function):
    def forward(self, x, w):
        xp = array_module(x)
        self.x, self.w_shape = x, w.shape
        self.wb = w.reshape((1, w.size) + (1,) * (x.ndim - 2)) if w.size != 1 else w.reshape(())
        return xp.where(x > 0, x, x * self.wb)

    def backward(self, gy):
        # d/dx = 1 if x > 0 else α;  d/dα = 0 if x > 0 else x (summed over all but the channel axis)
        xp = array_module(gy)
        positive = self.x > 0
        gx = xp.where(positive, gy, gy * self.wb) if self.needs_grad[0] else None
        gw = None
        if self.needs_grad[1]:
            g = xp.where(positive, 0, gy * self.x)
            axes = tuple(i for i in range(g.ndim) if not (i == 1 and self.wb.ndim > 0))
            gw = g.sum(axis=axes).reshape(self.w_shape)
        return gx, gw


def prelu(x, weight):
    """Leaky ReLU with a learned slope α (``weight``): one α, or one per channel on axis 1
    (PyTorch layout: weight shape (num_parameters,)).

    Example:
        >>> F.prelu(nt.tensor([[-2.0, 3.0]]), nt.tensor([0.25])).numpy()
        array([[-0.5,  3. ]], dtype=float32)
    """
    w_shape = tuple(weight.shape)
    x_shape = tuple(x.shape)
    n = int(np.prod(w_shape)) if w_shape else 1
    if len(w_shape) > 1:
        raise ValueError(f"prelu: weight must have shape (num_parameters,), got {w_shape}")
    if n != 1 and (len(x_shape) < 2 or x_shape[1] != n):
        raise ValueError(f"prelu: weight has {n} parameters, so the input needs {n} channels on axis 1; "
                         f"got input shape {x_shape}")
    return PReLU.apply(x, weight)


class ELU(Function):
    def __init__(self, alpha, scale=1.0):
        self.alpha, self.scale = alpha, scale

    def forward(self, x):
        xp = array_module(x)
        x = to_float(x)
        self.positive = x > 0
        self.neg = xp.expm1(xp.minimum(x, 0)) * self.alpha  # α(e^x - 1) where x <= 0
        return xp.where(self.positive, x, self.neg) * self.scale

    def backward(self, gy):
        # d/dx = 1 if x > 0 else α e^x = elu(x) + α  (times the SELU scale)
        xp = array_module(gy)
        return gy * (xp.where(self.positive, 1, self.neg + self.alpha) * self.scale)


def elu(x, alpha: float = 1.0):
    """x for x > 0, α(e^x − 1) otherwise.

    Example:
        >>> F.elu(nt.tensor([-1.0, 2.0])).numpy()  # e^-1 - 1
        array([-0.6321,  2.    ], dtype=float32)
    """
    return ELU.apply(x, alpha=float(alpha))


def selu(x):
    """Self-normalising ELU: λ·elu(x, α) with the constants of Klambauer et al. (2017).

    Example:
        >>> F.selu(nt.tensor([0.0, 1.0])).numpy()  # lambda = 1.0507
        array([0.    , 1.0507], dtype=float32)
    """
    return ELU.apply(x, alpha=SELU_ALPHA, scale=SELU_SCALE)


class SiLU(_Elementwise):
    def forward(self, x):
        refuse_bool("silu", x)
        return super().forward(x)

    def compute(self, x, xp):
        s = _sigmoid(x, xp)
        return x * s, s * (1 + x * (1 - s))  # d/dx xσ(x) = σ(x)(1 + x(1 - σ(x)))


def silu(x):
    """x·σ(x), also called swish.

    Example:
        >>> F.silu(nt.tensor([0.0, 1.0])).numpy()  # x sigmoid(x)
        array([0.    , 0.7311], dtype=float32)
    """
    return SiLU.apply(x)


swish = silu


class GELU(_Elementwise):
    def __init__(self, approximate):
        self.approximate = approximate

    def compute(self, x, xp):
        if self.approximate == "tanh":
            c = math.sqrt(2 / math.pi)
            t = xp.tanh(c * (x + 0.044715 * x * x * x))
            # d/dx ½x(1+t) = ½(1+t) + ½x(1-t²)·c(1 + 3·0.044715x²)
            d = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)
            return 0.5 * x * (1 + t), d
        cdf = 0.5 * (1 + _erf(x * (1 / math.sqrt(2)), xp))
        pdf = xp.exp(-0.5 * x * x) * (1 / math.sqrt(2 * math.pi))
        return x * cdf, cdf + x * pdf  # d/dx xΦ(x) = Φ(x) + xφ(x)


def gelu(x, approximate: str = "none"):
    """x·Φ(x) with Φ the standard normal CDF; ``approximate='tanh'`` uses the tanh formula
    (both exactly as PyTorch computes them).

    Example:
        >>> F.gelu(nt.tensor([1.0])).numpy(), F.gelu(nt.tensor([1.0]), approximate="tanh").numpy()
        (array([0.8413], dtype=float32), array([0.8412], dtype=float32))
    """
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return GELU.apply(x, approximate=approximate)


class Softplus(_Elementwise):
    def __init__(self, beta, threshold):
        self.beta, self.threshold = beta, threshold

    def compute(self, x, xp):
        z = x * self.beta
        linear_part = z > self.threshold
        y = xp.where(linear_part, x, _softplus(z, xp) / self.beta)
        # d/dx (1/β) log(1 + e^{βx}) = σ(βx); 1 where βx > threshold (the function is x there)
        return y, xp.where(linear_part, 1, _sigmoid(z, xp))


def softplus(x, beta: float = 1.0, threshold: float = 20.0):
    """(1/β)·log(1 + e^{βx}), and x itself where βx > threshold (PyTorch's semantics).

    Example:
        >>> F.softplus(nt.tensor([0.0, 30.0])).numpy()  # log 2, and x itself past the threshold
        array([ 0.6931, 30.    ], dtype=float32)
    """
    return Softplus.apply(x, beta=float(beta), threshold=float(threshold))


def _resolve_axis(fn, axis, dim, ndim):
    if dim is not None:
        axis = dim
    if not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{fn}: axis must be an int, got {axis!r}")
    if not -max(ndim, 1) <= axis < max(ndim, 1):
        raise ValueError(f"{fn}: axis {axis} is out of range for an input with {ndim} dimensions")
    return axis


class Softmax(Function):
    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        refuse_bool("softmax", x)
        xp = array_module(x)
        x = to_float(x)
        if x.size == 0:  # nothing to normalise (an empty axis or batch): an empty result, as PyTorch
            self.y = xp.empty_like(x)
            return self.y
        e = xp.exp(x - x.max(axis=self.axis, keepdims=True))
        self.y = e / e.sum(axis=self.axis, keepdims=True)
        return self.y

    def backward(self, gy):
        # ∂y_i/∂x_j = y_i(δ_ij - y_j)  =>  gx = y ⊙ (gy - Σ_j gy_j y_j)
        y = self.y
        return y * (gy - (gy * y).sum(axis=self.axis, keepdims=True))


def softmax(x, axis: int = -1, dim: int | None = None):
    """e^{x_i} / Σ_j e^{x_j} along ``axis`` (``dim=`` as in PyTorch), stable for any magnitude.

    Example:
        >>> p = F.softmax(nt.tensor([[1.0, 2.0, 3.0]]), dim=-1)
        >>> p.numpy(), p.sum().item()
        (array([[0.09  , 0.2447, 0.6652]], dtype=float32), 1.0)
    """
    return Softmax.apply(x, axis=_resolve_axis("softmax", axis, dim, len(x.shape)))


class LogSoftmax(Function):
    def __init__(self, axis):
        self.axis = axis

    def forward(self, x):
        refuse_bool("log_softmax", x)
        xp = array_module(x)
        x = to_float(x)
        if x.size == 0:  # nothing to normalise (an empty axis or batch): an empty result, as PyTorch
            self.y = xp.empty_like(x)
            return self.y
        shifted = x - x.max(axis=self.axis, keepdims=True)
        self.y = shifted - xp.log(xp.exp(shifted).sum(axis=self.axis, keepdims=True))
        return self.y

    def backward(self, gy):
        # ∂y_i/∂x_j = δ_ij - softmax_j  =>  gx = gy - softmax ⊙ Σ_i gy_i
        xp = array_module(gy)
        return gy - xp.exp(self.y) * gy.sum(axis=self.axis, keepdims=True)


def log_softmax(x, axis: int = -1, dim: int | None = None):
    """log(softmax(x)) computed as x − max − log Σ e^{x − max}: finite at any magnitude.

    Example:
        >>> F.log_softmax(nt.tensor([[0.0, 1000.0]])).numpy()  # finite at any magnitude
        array([[-1000.,     0.]], dtype=float32)
    """
    return LogSoftmax.apply(x, axis=_resolve_axis("log_softmax", axis, dim, len(x.shape)))


class Maxout(Function):
    def __init__(self, pieces, axis):
        self.pieces, self.axis = pieces, axis

    def forward(self, x):
        xp = array_module(x)
        moved = xp.moveaxis(x, self.axis, -1)
        self.moved_shape = moved.shape
        groups = moved.reshape(moved.shape[:-1] + (moved.shape[-1] // self.pieces, self.pieces))
        self.argmax = groups.argmax(axis=-1)
        y = xp.take_along_axis(groups, self.argmax[..., None], axis=-1)[..., 0]
        return xp.moveaxis(y, -1, self.axis)

    def backward(self, gy):
        # d/dx_k max_j x_j = 1 for the (first) maximal k, 0 for the others
        xp = array_module(gy)
        g = xp.moveaxis(gy, self.axis, -1)
        winner = xp.arange(self.pieces) == self.argmax[..., None]
        gx = (winner * g[..., None]).astype(gy.dtype, copy=False).reshape(self.moved_shape)
        return xp.moveaxis(gx, -1, self.axis)


def maxout(x, pieces: int, axis: int = -1):
    """Max over consecutive groups of ``pieces`` features along ``axis``: output feature j is
    max(x[j·pieces], ..., x[(j+1)·pieces − 1]), so that axis shrinks by a factor ``pieces``.

    Example:
        >>> F.maxout(nt.tensor([[1.0, 5.0, 2.0, 0.0]]), pieces=2).numpy()  # max of (1, 5) and (2, 0)
        array([[5., 2.]], dtype=float32)
    """
    shape = tuple(x.shape)
    axis = _resolve_axis("maxout", axis, None, len(shape))
    if not isinstance(pieces, (int, np.integer)) or pieces < 1:
        raise ValueError(f"maxout: pieces must be a positive integer, got {pieces!r}")
    if len(shape) == 0 or shape[axis] % pieces:
        raise ValueError(f"maxout: the size of axis {axis} of input shape {shape} must be divisible "
                         f"by pieces={pieces}")
    return Maxout.apply(x, pieces=int(pieces), axis=axis)


ACTIVATIONS = {
    "identity": identity, "linear": identity, "sigmoid": sigmoid, "logistic": sigmoid,
    "tanh": tanh, "arctan": arctan, "softsign": softsign, "heaviside": heaviside, "step": heaviside,
    "sign": sign, "relu": relu, "leaky_relu": leaky_relu, "elu": elu, "selu": selu, "silu": silu,
    "swish": silu, "gelu": gelu, "softplus": softplus, "softmax": softmax, "log_softmax": log_softmax,
}


def get_activation(name_or_callable):
    """The activation function for a name (``"relu"``), a callable (returned as is) or None
    (the identity).

    Raises:
        ValueError: for an unknown name; the message lists the known ones.

    Example:
        >>> relu = F.get_activation("relu")
        >>> relu(nt.tensor([-1.0, 2.0])).numpy(), F.get_activation(None)(nt.tensor([-1.0])).numpy()
        (array([0., 2.], dtype=float32), array([-1.], dtype=float32))
    """
    if name_or_callable is None:
        return identity
    if callable(name_or_callable) and not isinstance(name_or_callable, str):
        return name_or_callable
    if isinstance(name_or_callable, str):
        key = name_or_callable.lower().replace("-", "_")
        if key in ACTIVATIONS:
            return ACTIVATIONS[key]
        raise ValueError(f"get_activation: unknown activation {name_or_callable!r}; known names: "
                         f"{', '.join(sorted(ACTIVATIONS))}")
    raise TypeError(f"get_activation: expected a name, a callable or None, got {type(name_or_callable).__name__}")


def activation_name(activation):
    """A printable name for an activation given as None, a string or a callable (for reprs).

    Example:
        >>> F.activation_name("relu"), F.activation_name(None), F.activation_name(F.tanh)
        ('relu', None, 'tanh')
    """
    if activation is None or isinstance(activation, str):
        return activation
    return getattr(activation, "__name__", type(activation).__name__)
