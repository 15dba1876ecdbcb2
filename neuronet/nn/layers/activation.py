"""Activation layers: one Module per activation of ``neuronet.functional.activation``.

Each wraps its function so activations can sit in a ``Sequential``; only :class:`PReLU` has a
parameter (its slopes, PyTorch layout ``weight (num_parameters,)``).
"""
from __future__ import annotations

from ... import backend
from ...checks import positive_int
from ...functional import activation as A
from ..module import Module
from .base import _Layer
from ..parameter import Parameter

__all__ = [
    "Identity", "LinearActivation", "Sigmoid", "Tanh", "ArcTan", "Softsign", "Heaviside", "Step",
    "Sign", "ReLU", "LeakyReLU", "PReLU", "ELU", "SELU", "SiLU", "Swish", "GELU", "Softplus",
    "Softmax", "LogSoftmax", "Maxout", "Activation",
]


class Identity(_Layer):
    """f(x) = x.

    Example:
        >>> nt.nn.Identity()(nt.tensor([1.0, -2.0])).numpy()
        array([ 1., -2.], dtype=float32)
    """

    def forward(self, x):
        return A.identity(x)


class LinearActivation(_Layer):
    """f(x) = k·x.

    Example:
        >>> nt.nn.LinearActivation(3.0)(nt.tensor([1.0, -2.0])).numpy()
        array([ 3., -6.], dtype=float32)
    """

    def __init__(self, k: float = 1.0):
        super().__init__()
        self.k = float(k)

    def forward(self, x):
        return A.linear(x, self.k)


class Sigmoid(_Layer):
    """The logistic function 1/(1+e^−x).

    Example:
        >>> nt.nn.Sigmoid()(nt.tensor([0.0])).numpy()
        array([0.5], dtype=float32)
    """

    def forward(self, x):
        return A.sigmoid(x)


class Tanh(_Layer):
    """The hyperbolic tangent.

    Example:
        >>> nt.nn.Tanh()(nt.tensor([0.0, 100.0])).numpy()
        array([0., 1.], dtype=float32)
    """

    def forward(self, x):
        return A.tanh(x)


class ArcTan(_Layer):
    """(2/π)·atan(x).

    Example:
        >>> nt.nn.ArcTan()(nt.tensor([1.0, -1.0])).numpy()
        array([ 0.5, -0.5], dtype=float32)
    """

    def forward(self, x):
        return A.arctan(x)


class Softsign(_Layer):
    """x / (1 + |x|).

    Example:
        >>> nt.nn.Softsign()(nt.tensor([1.0])).numpy()
        array([0.5], dtype=float32)
    """

    def forward(self, x):
        return A.softsign(x)


class Heaviside(_Layer):
    """The step function: 1 for x > 0, 0 for x < 0, ``value_at_zero`` at 0; zero gradient.

    Example:
        >>> nt.nn.Heaviside()(nt.tensor([-0.5, 0.0, 0.5])).numpy()
        array([0., 1., 1.], dtype=float32)
    """

    def __init__(self, value_at_zero: float = 1.0):
        super().__init__()
        self.value_at_zero = float(value_at_zero)

    def forward(self, x):
        return A.heaviside(x, self.value_at_zero)


Step = Heaviside


class Sign(_Layer):
    """−1, 0 or 1 by the sign of x; zero gradient.

    Example:
        >>> nt.nn.Sign()(nt.tensor([-0.5, 0.0, 0.5])).numpy()
        array([-1.,  0.,  1.], dtype=float32)
    """

    def forward(self, x):
        return A.sign(x)


class ReLU(_Layer):
    """max(x, 0).  ``inplace`` is accepted for PyTorch code (the result is always a new array).

    Example:
        >>> nt.nn.ReLU()(nt.tensor([-1.0, 2.0])).numpy()
        array([0., 2.], dtype=float32)
    """

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = bool(inplace)

    def forward(self, x):
        return A.relu(x)


class LeakyReLU(_Layer):
    """x for x > 0, negative_slope·x otherwise.

    Example:
        >>> nt.nn.LeakyReLU(0.2)(nt.tensor([-1.0, 2.0])).numpy()
        array([-0.2,  2. ], dtype=float32)
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope = float(negative_slope)
        self.inplace = bool(inplace)  # accepted for PyTorch code; the result is always a new array

    def forward(self, x):
        return A.leaky_relu(x, self.negative_slope)


class PReLU(_Layer):
    """Leaky ReLU whose negative slope is learned: one slope, or one per channel (axis 1).

    Args:
        num_parameters: 1 (shared slope) or the number of channels of the input.
        init: initial value of every slope.

    Example:
        >>> act = nt.nn.PReLU()
        >>> act(nt.tensor([-1.0, 2.0])).numpy(), act.weight.numpy()  # the slope starts at 0.25 and is learned
        (array([-0.25,  2.  ], dtype=float32), array([0.25], dtype=float32))
    """

    float_inputs = 1  # integer data is cast to the float dtype (layers/base.py)

    def __init__(self, num_parameters: int = 1, init: float = 0.25):
        super().__init__()
        if int(num_parameters) < 1:
            raise ValueError(f"PReLU: num_parameters must be at least 1, got {num_parameters}")
        self.num_parameters = int(num_parameters)
        xp = backend.np
        self.weight = Parameter(xp.full((self.num_parameters,), init, dtype=backend.get_default_dtype()))

    def forward(self, x):
        return A.prelu(x, self.weight)


class ELU(_Layer):
    """x for x > 0, α(e^x − 1) otherwise.

    Example:
        >>> nt.nn.ELU()(nt.tensor([-100.0, 1.0])).numpy()
        array([-1.,  1.], dtype=float32)
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha = float(alpha)
        self.inplace = bool(inplace)  # accepted for PyTorch code; the result is always a new array

    def forward(self, x):
        return A.elu(x, self.alpha)


class SELU(_Layer):
    """The self-normalising ELU λ·elu(x, α).

    Example:
        >>> nt.nn.SELU()(nt.tensor([1.0])).numpy()
        array([1.0507], dtype=float32)
    """

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = bool(inplace)  # accepted for PyTorch code; the result is always a new array

    def forward(self, x):
        return A.selu(x)


class SiLU(_Layer):
    """x·σ(x) (swish).

    Example:
        >>> nt.nn.SiLU()(nt.tensor([0.0, 1.0])).numpy()
        array([0.    , 0.7311], dtype=float32)
    """

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = bool(inplace)  # accepted for PyTorch code; the result is always a new array

    def forward(self, x):
        return A.silu(x)


Swish = SiLU


class GELU(_Layer):
    """x·Φ(x); ``approximate='tanh'`` for the tanh formula.

    Example:
        >>> nt.nn.GELU()(nt.tensor([0.0, 1.0])).numpy()
        array([0.    , 0.8413], dtype=float32)
    """

    def __init__(self, approximate: str = "none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x):
        return A.gelu(x, self.approximate)


class Softplus(_Layer):
    """(1/β)·log(1 + e^{βx}), linear where βx > threshold.

    Example:
        >>> nt.nn.Softplus()(nt.tensor([0.0])).numpy()
        array([0.6931], dtype=float32)
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta, self.threshold = float(beta), float(threshold)

    def forward(self, x):
        return A.softplus(x, self.beta, self.threshold)


class Softmax(_Layer):
    """Softmax along ``axis`` (``dim=`` accepted as in PyTorch).

    Example:
        >>> nt.nn.Softmax(dim=1)(nt.tensor([[0.0, 0.0]])).numpy()
        array([[0.5, 0.5]], dtype=float32)
    """

    def __init__(self, axis: int = -1, dim: int | None = None):
        super().__init__()
        self.axis = axis if dim is None else dim

    def forward(self, x):
        return A.softmax(x, self.axis)


class LogSoftmax(_Layer):
    """Log-softmax along ``axis`` (``dim=`` accepted as in PyTorch).

    Example:
        >>> nt.nn.LogSoftmax()(nt.tensor([[0.0, 0.0]])).numpy()
        array([[-0.6931, -0.6931]], dtype=float32)
    """

    def __init__(self, axis: int = -1, dim: int | None = None):
        super().__init__()
        self.axis = axis if dim is None else dim

    def forward(self, x):
        return A.log_softmax(x, self.axis)


class Maxout(_Layer):
    """Max over consecutive groups of ``pieces`` features along ``axis`` (the last by default).

    Example:
        >>> nt.nn.Maxout(3)(nt.zeros(8, 12)).shape  # 12 features in groups of 3
        (8, 4)
    """

    def __init__(self, pieces: int, axis: int = -1):
        super().__init__()
        self.pieces, self.axis = positive_int("Maxout", "pieces", pieces), axis

    def forward(self, x):
        return A.maxout(x, self.pieces, self.axis)


class Activation(_Layer):
    """Any activation by name (``Activation("relu")``) or callable, as Keras's Activation layer.

    Example:
        >>> nt.nn.Activation("relu")(nt.tensor([-1.0, 1.0])).numpy()
        array([0., 1.], dtype=float32)
    """

    def __init__(self, activation):
        super().__init__()
        self.fn = A.get_activation(activation)

    def forward(self, x):
        return self.fn(x)
