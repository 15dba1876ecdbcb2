"""The Jordan recurrent layer: the network's previous output ŷ_{t−1}, not its hidden state, is fed back.

h_t = f(x_t W_ihᵀ + b_ih + ŷ_{t−1} W_hyᵀ + b_hh), ŷ_t = g(h_t W_hoᵀ + b_ho), computed by the fused
:func:`neuronet.functional.jordan_rnn`.  Parameters: ``weight_ih (H, F)``, ``weight_hy (H, O)``,
``weight_ho (O, H)``, ``bias_ih``, ``bias_hh (H,)``, ``bias_ho (O,)``.
"""
from __future__ import annotations

import math

from ... import backend
from ...checks import positive_int
from ...functional.recurrent_simple import jordan_rnn
from ...tensor import Tensor
from .. import init
from .base import _Layer
from ..parameter import Parameter
from .recurrent import lengths_from_mask, reverse_padded

__all__ = ["JordanRNN"]


class JordanRNN(_Layer):
    """A Jordan network: hidden units f, an output layer g, and the output fed back as context.

    Args:
        units: hidden size H.  output_units: size O of the output ŷ (the fed-back context).
        activation: f, ``"tanh"`` or ``"relu"``.  output_activation: g, ``"identity"``, ``"tanh"``
            or ``"sigmoid"``.
        return_sequences: return ŷ for every step (N, T, O) instead of the last (N, O).
        return_state: also return the last fed-back output ŷ_T.
        go_backwards: read right to left; the sequence is returned in reading order (Keras).
        use_bias: create the three biases.

    Call ``layer(x, initial_state=None, mask=None, lengths=None)``; ``initial_state`` is ŷ_0 (N, O).

    Example:
        >>> jordan = nt.nn.JordanRNN(16, 1, return_sequences=True)
        >>> jordan(nt.randn(4, 10, 3)).shape  # the output (not the hidden state) is fed back
        (4, 10, 1)
    """

    float_inputs = 1  # integer data is cast to the float dtype (layers/base.py)

    def __init__(self, units: int, output_units: int, activation: str = "tanh", output_activation: str = "identity",
                 return_sequences: bool = False, return_state: bool = False, go_backwards: bool = False,
                 use_bias: bool = True):
        super().__init__()
        self.units = positive_int("JordanRNN", "units", units)
        self.output_units = positive_int("JordanRNN", "output_units", output_units)
        self.activation, self.output_activation = activation, output_activation
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.use_bias = bool(go_backwards), bool(use_bias)
        self.in_features = None
        self.built = False

    def _name(self) -> str:
        return f"JordanRNN(units={self.units}, output_units={self.output_units})"

    def build(self, input_shape) -> None:
        """Create the weights from the input's feature size, uniform(±1/√units) as PyTorch's RNN."""
        if not input_shape or len(input_shape) != 3:
            raise ValueError(f"{self._name()}: expected input of shape (batch, time, features), received shape "
                             f"{input_shape}")
        self.in_features = int(input_shape[-1])
        dtype, h, o = backend.get_default_dtype(), self.units, self.output_units

        def make(shape, fan):
            bound = 1.0 / math.sqrt(fan)
            return Parameter(init.uniform(shape, -bound, bound, dtype=dtype), dtype=dtype)

        self.weight_ih, self.weight_hy, self.weight_ho = make((h, self.in_features), h), make((h, o), h), make((o, h), h)
        self.bias_ih = make((h,), h) if self.use_bias else None
        self.bias_hh = make((h,), h) if self.use_bias else None
        self.bias_ho = make((o,), h) if self.use_bias else None
        self.built = True

    def forward(self, x, initial_state=None, mask=None, lengths=None):
        if not isinstance(x, Tensor):
            x = Tensor(x)
        shape = tuple(x.shape)
        if len(shape) != 3 or shape[-1] != self.in_features:
            raise ValueError(f"{self._name()}: expected input of shape (batch, time, {self.in_features}), "
                             f"received shape {shape}")
        if shape[1] == 0:
            raise ValueError(f"{self._name()}: received an empty sequence (input of shape {shape}, T = 0); it "
                             "needs at least one time step (PyTorch refuses T = 0 too; an empty batch, N = 0, works)")
        if mask is not None:
            lengths = lengths_from_mask(self._name(), mask, shape[0], shape[1])
        elif lengths is not None:
            lengths = backend.to_numpy(lengths.data if isinstance(lengths, Tensor) else lengths)
        y_seq, _, y_last = jordan_rnn(x, initial_state, self.weight_ih, self.weight_hy, self.weight_ho,
                                      self.bias_ih, self.bias_hh, self.bias_ho, lengths=lengths,
                                      reverse=self.go_backwards, nonlinearity=self.activation,
                                      output_activation=self.output_activation)
        if self.return_sequences and self.go_backwards:
            y_seq = reverse_padded(y_seq, lengths)
        out = y_seq if self.return_sequences else y_last
        return [out, y_last] if self.return_state else out
