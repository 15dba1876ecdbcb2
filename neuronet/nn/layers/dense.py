"""The fully connected layer: y = activation(x Wᵀ + b), Keras's constructor and PyTorch's layout.

``Dense(64, activation="relu")`` learns its input size from the first batch it sees (lazy build);
its parameters are ``weight (units, in_features)`` and ``bias (units,)`` exactly as
``torch.nn.Linear``, so weights can be copied between the two.  ``Linear(in, out)`` is the
eager PyTorch-style spelling with PyTorch's default initialisation.
"""
from __future__ import annotations

import math

from ... import backend
from ...checks import positive_int
from ...functional.activation import activation_name, get_activation
from ...functional.linear import _FUSED, Affine, dense
from .. import init
from .activity_regularization import get_activity_regularizer
from .base import _Layer
from ..parameter import Parameter

__all__ = ["Dense", "Linear"]


class Dense(_Layer):
    """A fully connected layer: every output is a weighted sum of all inputs plus a bias, then
    the activation.

    Args:
        units: number of outputs (neurons).
        activation: name (``"relu"``, ``"tanh"``, ...), callable, or None for the identity;
            relu/tanh/sigmoid are fused into the matrix product's Function.
        use_bias: add the bias vector.
        kernel_initializer, bias_initializer: names or callables from ``nt.nn.init``.
        kernel_regularizer, bias_regularizer: penalties the training loop adds to the loss
            (e.g. ``"l2"`` or an object from ``nt.optim``); stored here as given.
        activity_regularizer: a penalty on the output added to the training loss (Keras's; ``"l1"``,
            :class:`~neuronet.nn.SparsityKL`, any callable) — see ``activity_regularization.py``.
        in_features: the input size, to create the parameters now instead of on the first call.

    Input (..., in_features) → output (..., units).

    Example:
        >>> layer = nt.nn.Dense(16, activation="relu")
        >>> y = layer(nt.ones(8, 4))  # the weight is created on the first call
        >>> layer.weight.shape, layer.bias.shape, y.shape
        ((16, 4), (16,), (8, 16))
    """

    float_inputs = 1  # integer data is cast to the float dtype (layers/base.py)

    def __init__(self, units: int, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, in_features: int | None = None,
                 activity_regularizer=None):
        super().__init__()
        self.units = positive_int("Dense", "units", units)
        get_activation(activation)  # an unknown name fails here, not on the first batch
        self.activation = activation
        self.use_bias = bool(use_bias)
        self.kernel_initializer = init.get(kernel_initializer)
        self.bias_initializer = init.get(bias_initializer)
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.activity_regularizer = get_activity_regularizer(activity_regularizer)  # a penalty on the output
        self.in_features = None
        self.register_parameter("weight", None)
        if self.use_bias:
            self.register_parameter("bias", None)
        else:
            self.bias = None
        self.built = False
        if in_features is not None:
            self.build((None, positive_int("Dense", "in_features", in_features)))

    def _name(self) -> str:
        return f"Dense(units={self.units})"

    def build(self, input_shape) -> None:
        """Create ``weight (units, in_features)`` and ``bias (units,)`` from the input's last dimension."""
        if not input_shape:
            raise ValueError(f"{self._name()}: needs an input of shape (..., in_features), got {input_shape}")
        in_features = int(input_shape[-1])
        dtype = backend.get_default_dtype()
        self.in_features = in_features
        self.weight = Parameter(self.kernel_initializer((self.units, in_features), dtype=dtype), dtype=dtype)
        if self.use_bias:
            self.bias = Parameter(self.bias_initializer((self.units,), dtype=dtype), dtype=dtype)
        self.built = True

    @property
    def fuses_relu(self) -> bool:
        """Whether ``forward(x, then_relu=True)`` can apply a following ReLU in the same pass."""
        return self.activation is None

    def forward(self, x, *, then_relu: bool = False):
        """x·Wᵀ + b and the activation (or ``max(·, 0)`` with ``then_relu``, for ``Sequential``'s fusing)."""
        if then_relu and not self.fuses_relu:
            raise ValueError(f"{self._name()}: then_relu needs a layer without its own activation")
        shape = tuple(x.shape)
        if not shape or shape[-1] != self.in_features:
            raise ValueError(f"{self._name()}: expected input of shape (..., {self.in_features}) as the layer was "
                             f"built for {self.in_features} input features, received shape {shape}")
        return dense(x, self.weight, self.bias, "relu" if then_relu else self.activation)

    def infer_array(self, data, *, then_relu: bool = False):
        """``forward`` of the array ``data`` without a graph, for ``Sequential``'s inference route
        (``nn/sequential.py``): the same fused Function's forward on the arrays, without a layer
        call around it.  None when the layer call could differ — hooks, an activity regularizer, a
        subclass's own forward, an input of another dtype (cast) or shape (error), an activation
        the Function does not fuse — so that the caller makes the call instead."""
        weight, bias = self.weight, self.bias
        if (self._hooks is not None or self.activity_regularizer is not None or weight is None
                or type(self).forward is not Dense.forward or (then_relu and not self.fuses_relu)):
            return None
        w = weight.data
        if (data.dtype != w.dtype or not data.ndim or data.shape[-1] != self.in_features or w.ndim != 2
                or w.shape[1] != self.in_features):
            return None
        activation = "relu" if then_relu else self.activation
        key = activation.lower() if isinstance(activation, str) else activation
        try:
            fused = _FUSED[key]
        except (KeyError, TypeError):  # another activation (or an unhashable callable): the layer call applies it
            return None
        b = None if bias is None else bias.data
        if b is not None and b.shape != w.shape[:1]:
            return None
        return Affine(fused).forward(data, w, b)

    def extra_repr(self) -> str:
        act = activation_name(self.activation)
        return (f"units={self.units}, in_features={self.in_features}, activation={act!r}, "
                f"use_bias={self.use_bias}")


class Linear(Dense):
    """PyTorch's ``nn.Linear``: y = x Wᵀ + b with sizes given up front and PyTorch's default
    initialisation (weight and bias uniform on ±1/√in_features).

    Example:
        >>> layer = nt.nn.Linear(4, 2)
        >>> layer.weight.shape, layer(nt.ones(3, 4)).shape
        ((2, 4), (3, 2))
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True):
        in_features = positive_int("Linear", "in_features", in_features)
        bound = 1.0 / math.sqrt(in_features)

        def torch_default(shape, dtype=None, xp=backend.np):
            return init.uniform(shape, -bound, bound, dtype=dtype, xp=xp)

        super().__init__(out_features, use_bias=bias, kernel_initializer=torch_default,
                         bias_initializer=torch_default, in_features=in_features)

    @property
    def out_features(self) -> int:
        return self.units

    def _name(self) -> str:
        return f"Linear(in_features={self.in_features}, out_features={self.units})"

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.units}, bias={self.use_bias}"
