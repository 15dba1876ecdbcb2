"""One-step recurrent cells RNNCell, LSTMCell and GRUCell for hand-written loops over time.

A cell takes one step x_t (N, F) and the previous state and returns the next state, with
PyTorch's names, layouts and defaults (``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``,
uniform(±1/√units) initialisation), so ``torch.nn.LSTMCell`` weights load as they are.  Each
step is the fused whole-sequence Function run over a sequence of length one.
``LSTMCell(input_size, hidden_size)`` with PyTorch's arguments makes the PyTorch-style cell
(torch_recurrent.py).
"""
from __future__ import annotations

import math

from ... import backend
from ...checks import positive_int
from ...functional.recurrent import gru, lstm
from ...functional.recurrent_simple import rnn
from ...functional.shape import unsqueeze
from ...tensor import Tensor
from .. import init
from .base import _Layer
from ..parameter import Parameter

__all__ = ["RNNCell", "LSTMCell", "GRUCell"]


class _Cell(_Layer):
    float_inputs = 1  # integer data is cast to the float dtype (layers/base.py)
    GATES = 1

    def __new__(cls, *args, **kwargs):
        """``RNNCell(input_size, hidden_size)``, ``LSTMCell(...)``, ``GRUCell(...)`` with PyTorch's arguments
        (two integer sizes, or ``input_size=``/``hidden_size=``) make the PyTorch-style cells of
        torch_recurrent.py, whose parameters exist at once; ``LSTMCell(units)`` stays this cell."""
        if cls in (RNNCell, LSTMCell, GRUCell) and (
                "input_size" in kwargs or "hidden_size" in kwargs
                or (len(args) >= 2 and isinstance(args[1], int) and not isinstance(args[1], bool))):
            from . import torch_recurrent
            cls = getattr(torch_recurrent, "Torch" + cls.__name__)
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, units: int, use_bias: bool = True, in_features: int | None = None):
        super().__init__()
        units = positive_int(type(self).__name__, "units", units)
        self.units, self.use_bias, self.in_features = units, bool(use_bias), None
        self.built = False
        if in_features is not None:
            self.build((None, in_features))

    def _name(self) -> str:
        return f"{type(self).__name__}(units={self.units})"

    def build(self, input_shape) -> None:
        """Create weight_ih (G·H, F), weight_hh (G·H, H) and the biases from the input's last axis."""
        if not input_shape or len(input_shape) != 2:
            raise ValueError(f"{self._name()}: expected input of shape (batch, features), received shape {input_shape}")
        self.in_features = int(input_shape[-1])
        dtype, g, h = backend.get_default_dtype(), self.GATES, self.units
        bound = 1.0 / math.sqrt(h)

        def make(shape):
            return Parameter(init.uniform(shape, -bound, bound, dtype=dtype), dtype=dtype)

        self.weight_ih, self.weight_hh = make((g * h, self.in_features)), make((g * h, h))
        self.bias_ih = make((g * h,)) if self.use_bias else None
        self.bias_hh = make((g * h,)) if self.use_bias else None
        self.built = True

    def _step_input(self, x):
        if not isinstance(x, Tensor):
            x = Tensor(x)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(f"{self._name()}: expected input of shape (batch, {self.in_features}), "
                             f"received shape {tuple(x.shape)}")
        return unsqueeze(x, 1)

    def _params(self):
        return self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh

    def extra_repr(self) -> str:
        return f"units={self.units}, in_features={self.in_features}, use_bias={self.use_bias}"


class RNNCell(_Cell):
    """One Elman step h' = f(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (PyTorch's ``nn.RNNCell``).

    Example:
        >>> cell = nt.nn.RNNCell(8)
        >>> h = cell(nt.randn(4, 3), nt.zeros(4, 8))
        >>> h.shape
        (4, 8)
    """

    def __init__(self, units: int, activation: str = "tanh", use_bias: bool = True, in_features: int | None = None):
        if activation not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: activation must be 'tanh' or 'relu', got {activation!r}")
        self.activation = activation
        super().__init__(units, use_bias, in_features)

    def forward(self, x, h=None):
        """x (N, F), h (N, H) or None → h' (N, H)."""
        return rnn(self._step_input(x), h, *self._params(), nonlinearity=self.activation)[1]


class LSTMCell(_Cell):
    """One LSTM step (PyTorch's ``nn.LSTMCell``): ``h, c = cell(x, (h, c))``; the state may be None.

    Example:
        >>> cell = nt.nn.LSTMCell(8)
        >>> h, c = cell(nt.randn(4, 3), (nt.zeros(4, 8), nt.zeros(4, 8)))
        >>> h.shape, c.shape
        ((4, 8), (4, 8))
    """

    GATES = 4

    def forward(self, x, state=None):
        """x (N, F), state (h, c) or None → (h', c')."""
        h, c = (None, None) if state is None else state
        _, h, c = lstm(self._step_input(x), h, c, *self._params())
        return h, c


class GRUCell(_Cell):
    """One GRU step (PyTorch's ``nn.GRUCell``; ``reset_after=False`` for the textbook form).

    Example:
        >>> cell = nt.nn.GRUCell(8)
        >>> cell(nt.randn(4, 3), nt.zeros(4, 8)).shape
        (4, 8)
    """

    GATES = 3

    def __init__(self, units: int, reset_after: bool = True, use_bias: bool = True, in_features: int | None = None):
        self.reset_after = bool(reset_after)
        super().__init__(units, use_bias, in_features)

    def forward(self, x, h=None):
        """x (N, F), h (N, H) or None → h' (N, H)."""
        return gru(self._step_input(x), h, *self._params(), reset_after=self.reset_after)[1]
