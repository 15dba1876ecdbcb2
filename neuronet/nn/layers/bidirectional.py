"""Wrappers around recurrent layers: Bidirectional (Keras) and TimeDistributed.

``Bidirectional(layer)`` runs a copy of ``layer`` right to left (within each sequence's own
length when a mask or lengths are given) and merges the two directions; the backward output
sequence is aligned with the input's time positions, as in Keras.  ``TimeDistributed(layer)``
applies any layer to every time step by folding time into the batch.
"""
from __future__ import annotations

from ...functional.math import add, mul
from ...functional.shape import concat, reshape
from ...tensor import Tensor
from ..module import Module
from .base import _Layer
from .recurrent import _Recurrent, lengths_from_mask

__all__ = ["Bidirectional", "TimeDistributed"]

_MERGE_MODES = ("concat", "sum", "mul", "ave")


class Bidirectional(_Layer):
    """Read the sequence in both directions and merge the two results.

    Args:
        layer: a SimpleRNN, LSTM or GRU (its ``return_sequences``/``return_state`` decide the output).
        merge_mode: ``"concat"`` (features side by side), ``"sum"``, ``"mul"`` or ``"ave"``.

    Returns ``merged`` or, with ``return_state``, ``[merged, *forward_states, *backward_states]``.
    Parameters live in ``forward_layer`` and ``backward_layer``.

    Example:
        >>> bi = nt.nn.Bidirectional(nt.nn.LSTM(16, return_sequences=True))
        >>> bi(nt.randn(2, 7, 3)).shape  # forward and backward outputs concatenated
        (2, 7, 32)
    """

    def __init__(self, layer, merge_mode: str = "concat"):
        super().__init__()
        if not isinstance(layer, _Recurrent):
            raise TypeError(f"Bidirectional: layer must be a SimpleRNN, LSTM or GRU, got {type(layer).__name__}")
        if getattr(layer, "torch_style", False):
            raise TypeError(f"Bidirectional: {type(layer).__name__} is built PyTorch-style; pass bidirectional=True "
                            "to it instead (or wrap a Keras-style layer such as LSTM(units))")
        if layer.bidirectional:
            raise ValueError("Bidirectional: the wrapped layer is already bidirectional=True")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Bidirectional: merge_mode must be one of {_MERGE_MODES}, got {merge_mode!r}")
        self.merge_mode = merge_mode
        self.forward_layer = layer
        self.backward_layer = Module.from_config(layer.get_config())

    def _merge(self, a, b):
        if self.merge_mode == "concat":
            return concat([a, b], axis=-1)
        if self.merge_mode == "sum":
            return add(a, b)
        if self.merge_mode == "mul":
            return mul(a, b)
        return mul(add(a, b), 0.5)

    def forward(self, x, mask=None, lengths=None):
        """Run both directions on x (N, T, F); ``mask``/``lengths`` hide right-padded steps."""
        if not isinstance(x, Tensor):
            x = Tensor(x)
        fwd, bwd = self.forward_layer, self.backward_layer
        for layer in (fwd, bwd):
            if not layer.built:
                layer.build(tuple(x.shape))
            layer._check_input(x)
        if mask is not None:
            lengths = lengths_from_mask("Bidirectional", mask, x.shape[0], x.shape[1])
        seq_f, last_f, fin_f = fwd._sequence(x, None, lengths)
        seq_b, last_b, fin_b = bwd._sequence(x, None, lengths, aligned_reverse=True)
        out = self._merge(seq_f, seq_b) if fwd.return_sequences else self._merge(last_f, last_b)
        if not fwd.return_state:
            return out
        return [out] + list(fin_f[-1]) + list(fin_b[-1])

    def extra_repr(self) -> str:
        return f"merge_mode={self.merge_mode!r}"


class TimeDistributed(_Layer):
    """Apply ``layer`` to every time step of x (N, T, ...) independently (Keras's ``TimeDistributed``).

    Example:
        >>> nt.nn.TimeDistributed(nt.nn.Dense(5))(nt.ones(2, 7, 3)).shape
        (2, 7, 5)
    """

    def __init__(self, layer):
        super().__init__()
        if not isinstance(layer, Module):
            raise TypeError(f"TimeDistributed: layer must be a Module, got {type(layer).__name__}")
        self.layer = layer

    def forward(self, x):
        if not isinstance(x, Tensor):
            x = Tensor(x)
        if x.ndim < 3:
            raise ValueError(f"TimeDistributed({type(self.layer).__name__}): expected input of shape "
                             f"(batch, time, ...), received shape {tuple(x.shape)}")
        n, t = x.shape[0], x.shape[1]
        y = self.layer(reshape(x, (n * t,) + tuple(x.shape[2:])))
        return reshape(y, (n, t) + tuple(y.shape[1:]))
