"""Recurrent layers SimpleRNN (Elman), LSTM and GRU: Keras's options, PyTorch's parameters.

Each layer runs every (layer, direction) of its stack as one fused whole-sequence Function from
:mod:`neuronet.functional.recurrent` (BPTT written by hand).  Parameters are named and laid out
as in ``torch.nn.RNN/LSTM/GRU``: ``weight_ih_l{k}`` (G·H, in), ``weight_hh_l{k}`` (G·H, H),
``bias_ih_l{k}``, ``bias_hh_l{k}`` and the ``_reverse`` suffix for the backward direction of a
``bidirectional=True`` layer, so ``load_state_dict(torch_module.state_dict())`` works.

Calling convention (Keras): ``layer(x, initial_state=None, mask=None, lengths=None)`` with x
(N, T, F) returns the last output (N, D·H) — the state at each sequence's own last step — or
the whole sequence (N, T, D·H) with ``return_sequences=True``; with ``return_state=True`` a list
``[output, h]`` (LSTM: ``[output, h, c]``).  A state is (N, H) for one layer and one direction,
otherwise PyTorch's (num_layers·D, N, H).  ``mask`` (N, T) of right-padded sequences, or
``lengths`` (N,), hide padded steps exactly like PyTorch's packed sequences.

``LSTM(input_size, hidden_size, ...)`` and ``GRU(input_size, hidden_size, ...)`` with PyTorch's
arguments make the PyTorch-style layers of torch_recurrent.py instead (``out, (h, c) = lstm(x)``).
"""
from __future__ import annotations

import math

from ... import backend
from ...backend import np
from ...checks import positive_int
from ...functional.math import mul
from ...functional.recurrent import GRUSequence, LSTMSequence, gru, lstm
from ...functional.recurrent_simple import ElmanSequence, rnn
from ...functional.indexing import getitem
from ...functional.shape import concat, stack
from ...kernels.alignment import aligned
from ...tensor import Tensor
from .. import init
from .base import _Layer
from ..parameter import Parameter

__all__ = ["SimpleRNN", "LSTM", "GRU"]


def lengths_from_mask(layer: str, mask, n: int, t: int):
    """(N,) lengths from a (N, T) mask of right-padded sequences (True at real steps)."""
    m = backend.to_numpy(mask.data if isinstance(mask, Tensor) else mask).astype(bool)
    if m.shape != (n, t):
        raise ValueError(f"{layer}: mask must have shape ({n}, {t}) like the input's (batch, time), got {m.shape}")
    lengths = m.sum(axis=1)
    if (m != (np.arange(t)[None, :] < lengths[:, None])).any():
        raise ValueError(f"{layer}: mask must mark right-padded sequences (True steps first, then False); "
                         "left padding or holes are not supported")
    return lengths


def reverse_padded(x, lengths):
    """Reverse each sequence of x (N, T, ...) within its own length (padded steps stay at the end)."""
    n, t = x.shape[0], x.shape[1]
    steps = np.arange(t)[None, :]
    full = np.full((n, 1), t) if lengths is None else np.asarray(lengths)[:, None]
    index = np.where(steps < full, full - 1 - steps, steps)
    return getitem(x, (np.arange(n)[:, None], index))


def _torch_class(cls, keras_cls, torch_name, args, kwargs):
    """The class ``keras_cls(*args, **kwargs)`` makes: the PyTorch-style subclass (torch_recurrent.py)
    when the arguments are ``torch.nn.LSTM``/``GRU``'s (``LSTM(10, 64)``, ``hidden_size=``...), else ``cls``."""
    if cls is not keras_cls:
        return cls
    from . import torch_recurrent
    return getattr(torch_recurrent, torch_name) if torch_recurrent.torch_style(args, kwargs) else cls


def _rate(layer, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(f"{layer}: {name} must be a fraction in [0, 1), got {value!r}")
    return float(value)


class _Recurrent(_Layer):
    """Shared machinery of SimpleRNN, LSTM and GRU: build, stacking, directions, Keras options."""

    float_inputs = 1  # integer data is cast to the float dtype (layers/base.py)

    GATES = 1
    STATES = ("h",)

    def __init__(self, units: int, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, num_layers: int = 1, use_bias: bool = True,
                 bidirectional: bool = False, kernel_initializer=None, recurrent_initializer=None,
                 bias_initializer=None):
        super().__init__()
        name = type(self).__name__
        self.units, self.num_layers = positive_int(name, "units", units), positive_int(name, "num_layers", num_layers)
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful = bool(go_backwards), bool(stateful)
        self.dropout = _rate(name, "dropout", dropout)
        self.recurrent_dropout = _rate(name, "recurrent_dropout", recurrent_dropout)
        self.use_bias, self.bidirectional = bool(use_bias), bool(bidirectional)
        self.initializers = [None if i is None else init.get(i)
                             for i in (kernel_initializer, recurrent_initializer, bias_initializer)]
        self.in_features = None
        self.states = None  # the carried states of a stateful layer: list over (layer, direction)
        self.built = False

    def _name(self) -> str:
        return f"{type(self).__name__}(units={self.units})"

    @property
    def directions(self) -> int:
        return 2 if self.bidirectional else 1

    def _suffixes(self):
        for layer in range(self.num_layers):
            for d in range(self.directions):
                yield layer, d, f"_l{layer}" + ("_reverse" if d else "")

    def build(self, input_shape) -> None:
        """Create every layer's and direction's weights; PyTorch's default uniform(±1/√units) unless
        initialisers were given."""
        if not input_shape or len(input_shape) != 3:
            raise ValueError(f"{self._name()}: expected input of shape (batch, time, features), received shape "
                             f"{input_shape}")
        self.in_features = int(input_shape[-1])
        dtype, g, h = backend.get_default_dtype(), self.GATES, self.units
        bound = 1.0 / math.sqrt(h)

        def make(shape, which):
            fn = self.initializers[which]
            data = init.uniform(shape, -bound, bound, dtype=dtype) if fn is None else fn(shape, dtype=dtype)
            parameter = Parameter(data, dtype=dtype)
            if backend.array_module(parameter.data) is np:  # on a cache line: the batch-1 loop streams W_hh
                parameter.data = aligned(parameter.data)
            return parameter

        for layer, _, sfx in self._suffixes():
            fan_in = self.in_features if layer == 0 else h * self.directions
            setattr(self, "weight_ih" + sfx, make((g * h, fan_in), 0))
            setattr(self, "weight_hh" + sfx, make((g * h, h), 1))
            if self.use_bias:
                setattr(self, "bias_ih" + sfx, make((g * h,), 2))
                setattr(self, "bias_hh" + sfx, make((g * h,), 2))
        self.built = True

    def _params(self, sfx):
        get = self.__dict__.get
        return (get("weight_ih" + sfx), get("weight_hh" + sfx), get("bias_ih" + sfx), get("bias_hh" + sfx))

    # --- the recurrence of one direction: overridden per cell type ----------------------------------
    def _run(self, x, states, params, lengths, reverse, sequences=True):  # pragma: no cover - abstract
        raise NotImplementedError

    def _step_loop(self, x, states, params, lengths, reverse, rec_mask):
        """Slower path for recurrent dropout: one fused call per step, the fed-back h times a fixed mask."""
        n, t = x.shape[0], x.shape[1]
        xs = reverse_padded(x, lengths) if reverse else x
        ln = np.full(n, t) if lengths is None else np.asarray(lengths)
        outs = []
        for step in range(t):
            step_len = (ln > step).astype(np.int64)
            masked = [mul(states[0], rec_mask)] + list(states[1:])
            out, new = self._run(getitem(xs, (slice(None), slice(step, step + 1))), masked, params, step_len, False)
            if (step_len == 0).any():  # a finished sequence keeps its state
                keep = step_len[:, None].astype(x.dtype)
                new = [s_new * keep + s_old * (1 - keep) for s_new, s_old in zip(new, states)]
            states = new
            outs.append(out)
        seq = concat(outs, axis=1)
        return (reverse_padded(seq, lengths) if reverse else seq), states

    # --- calling ----------------------------------------------------------------------------------
    def _check_input(self, x):
        shape = tuple(x.shape)
        if len(shape) != 3:
            raise ValueError(f"{self._name()}: expected input of shape (batch, time, features), received shape {shape}")
        if shape[-1] != self.in_features:
            raise ValueError(f"{self._name()}: expected {self.in_features} input features as the layer was built, "
                             f"received input of shape {shape}")
        if shape[1] == 0:
            raise ValueError(f"{self._name()}: received an empty sequence (input of shape {shape}, T = 0); it "
                             "needs at least one time step (PyTorch refuses T = 0 too; an empty batch, N = 0, works)")

    def _initial_states(self, initial_state, n):
        """One list of state tensors (or None) per (layer, direction)."""
        k = self.num_layers * self.directions
        if initial_state is None:
            if self.stateful and self.states is not None:
                if self.states[0][0].shape[0] != n:
                    raise ValueError(f"{self._name()}: stateful layer carries states for batch size "
                                     f"{self.states[0][0].shape[0]}, received batch size {n}; call reset_states()")
                return self.states
            return [[None] * len(self.STATES) for _ in range(k)]
        given = [initial_state] if isinstance(initial_state, Tensor) or hasattr(initial_state, "shape") else list(initial_state)
        if len(given) != len(self.STATES):
            raise ValueError(f"{self._name()}: initial_state must hold {len(self.STATES)} state(s) {self.STATES}, "
                             f"got {len(given)}")
        per = [[None] * len(self.STATES) for _ in range(k)]
        for j, s in enumerate(given):
            s = s if isinstance(s, Tensor) else Tensor(s)
            want = (n, self.units) if k == 1 else (k, n, self.units)
            if tuple(s.shape) != want:
                raise ValueError(f"{self._name()}: initial state {self.STATES[j]} must have shape {want}, "
                                 f"got {tuple(s.shape)}")
            for i in range(k):
                per[i][j] = s if k == 1 else getitem(s, i)
        return per

    def _sequence(self, x, initial_state=None, lengths=None, aligned_reverse=False, sequences=True):
        """Run the stack: (output sequence at original time positions, last output, final states).

        ``sequences=False``: the caller reads only the last output, so the top layer's sequence may
        come back empty (N, 0, ·) where the fused Functions can skip it (LSTM, GRU)."""
        n = x.shape[0]
        states_in = self._initial_states(initial_state, n)
        rng_xp = backend.array_module(x.data)
        finals, inp = [], x
        last_parts = []
        for layer in range(self.num_layers):
            if self.dropout and self.training:  # one mask per sequence, shared over time (Keras)
                keep = rng_xp.asarray(backend.get_rng(rng_xp).random((n, 1, inp.shape[-1])) >= self.dropout)
                inp = mul(inp, Tensor(keep.astype(x.dtype) / (1 - self.dropout)))
            outs, last_parts = [], []
            for d in range(self.directions):
                sfx = f"_l{layer}" + ("_reverse" if d else "")
                reverse = (d == 1) != (self.go_backwards or aligned_reverse)
                st = states_in[layer * self.directions + d]
                params = self._params(sfx)
                if self.recurrent_dropout and self.training:
                    st = [s if s is not None else Tensor(rng_xp.zeros((n, self.units), x.dtype)) for s in st]
                    keep = backend.get_rng(rng_xp).random((n, self.units)) >= self.recurrent_dropout
                    mask = Tensor(rng_xp.asarray(keep).astype(x.dtype) / (1 - self.recurrent_dropout))
                    seq, fin = self._step_loop(inp, st, params, lengths, reverse, mask)
                else:
                    top_only = not sequences and layer == self.num_layers - 1
                    seq, fin = self._run(inp, st, params, lengths, reverse, sequences=not top_only)
                outs.append(seq)
                last_parts.append(fin[0])
                finals.append(fin)
            inp = outs[0] if len(outs) == 1 else concat(outs, axis=2)
        last = last_parts[0] if len(last_parts) == 1 else concat(last_parts, axis=1)
        return inp, last, finals

    def forward(self, x, initial_state=None, mask=None, lengths=None):
        """Run the layer on x (N, T, F); see the module docstring for what it returns."""
        if not isinstance(x, Tensor):
            x = Tensor(x)
        self._check_input(x)
        n, t = x.shape[0], x.shape[1]
        if mask is not None:
            lengths = lengths_from_mask(self._name(), mask, n, t)
        elif lengths is not None:
            lengths = backend.to_numpy(lengths.data if isinstance(lengths, Tensor) else lengths)
        seq, last, finals = self._sequence(x, initial_state, lengths, sequences=self.return_sequences)
        if self.stateful:
            self.states = [[Tensor(s.data) for s in fin] for fin in finals]
        if self.go_backwards and self.return_sequences:  # Keras returns the sequence in reading order
            seq = reverse_padded(seq, lengths)
        out = seq if self.return_sequences else last
        if not self.return_state:
            return out
        states = [f[j] for f in finals for j in range(len(self.STATES))]
        per_state = [[states[i * len(self.STATES) + j] for i in range(len(finals))] for j in range(len(self.STATES))]
        return [out] + [s[0] if len(s) == 1 else stack(s, axis=0) for s in per_state]

    def infer_array(self, data):
        """``forward`` of the array ``data`` without a graph, for ``Sequential``'s inference route
        (``nn/sequential.py``): the fused sequence Function's forward on the arrays (the same values),
        without the layer call, its checks and the Tensor wrapping around it — most of a batch-1
        call's time besides the loop.  One layer, one direction, zero initial states, the output
        only; None when the call could differ (hooks, an activity regularizer, a subclass's own
        forward, stateful, return_state, stacked or bidirectional or reversed layers, dropout in
        training mode, not built yet, another dtype, a shape the call would refuse), so that the
        caller makes the call instead."""
        if (self._hooks is not None or self.activity_regularizer is not None
                or type(self).forward is not _Recurrent.forward or not self.built or self.stateful
                or self.return_state or self.num_layers != 1 or self.bidirectional or self.go_backwards
                or (self.training and (self.dropout or self.recurrent_dropout))):
            return None
        params = [None if p is None else p.data for p in self._params("_l0")]
        if (getattr(data, "ndim", 0) != 3 or data.shape[0] == 0 or data.shape[1] == 0
                or data.shape[2] != self.in_features or any(p is not None and p.dtype != data.dtype for p in params)):
            return None
        h0 = backend.array_module(data).zeros((data.shape[0], self.units), data.dtype)
        seq, last = self._infer_arrays(data, h0, params)
        return seq if self.return_sequences else last

    def _infer_arrays(self, x, h0, params):  # pragma: no cover - abstract
        """(output sequence, last h) of the cell's sequence Function's forward without recording
        (return_sequences=False may make the sequence empty)."""
        raise NotImplementedError

    def reset_states(self) -> None:
        """Forget the states a ``stateful`` layer carries from one call to the next."""
        self.states = None

    def extra_repr(self) -> str:
        return (f"units={self.units}, in_features={self.in_features}, num_layers={self.num_layers}, "
                f"bidirectional={self.bidirectional}, return_sequences={self.return_sequences}, "
                f"return_state={self.return_state}")


class SimpleRNN(_Recurrent):
    """The Elman network h_t = f(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh) (Keras's ``SimpleRNN``,
    PyTorch's ``nn.RNN``).

    Args:
        units: size H of the hidden state.  activation: ``"tanh"`` or ``"relu"``.
        return_sequences, return_state, go_backwards, stateful: Keras's options.
        dropout: input dropout, one mask per sequence shared over time.
        recurrent_dropout: dropout of the fed-back state, one mask per sequence; runs a slower
            per-step loop while training.
        num_layers, bidirectional: PyTorch's stacking and directions.
        use_bias: create bias_ih/bias_hh.
        kernel_initializer, recurrent_initializer, bias_initializer: None for PyTorch's
            uniform(±1/√units), or names/callables from ``nt.nn.init``.

    Example:
        >>> rnn = nt.nn.SimpleRNN(16, return_sequences=True)
        >>> y = rnn(nt.randn(4, 10, 3))  # (N, T, features)
        >>> rnn.weight_ih_l0.shape, rnn.weight_hh_l0.shape, y.shape  # PyTorch's names and layouts
        ((16, 3), (16, 16), (4, 10, 16))
    """

    GATES = 1

    def __init__(self, units: int, activation: str = "tanh", **kwargs):
        if activation not in ("tanh", "relu"):
            raise ValueError(f"SimpleRNN: activation must be 'tanh' or 'relu', got {activation!r}")
        super().__init__(units, **kwargs)
        self.activation = activation

    def _run(self, x, states, params, lengths, reverse, sequences=True):  # the sequence always comes back
        seq, h = rnn(x, states[0], *params, lengths=lengths, reverse=reverse, nonlinearity=self.activation)
        return seq, [h]

    def _infer_arrays(self, x, h0, params):
        return ElmanSequence(nonlinearity=self.activation).forward(x, h0, None, *params)


class LSTM(_Recurrent):
    """Long short-term memory: gates i, f, o and candidate g decide what the cell c keeps and what
    the layer outputs (Keras's ``LSTM``, PyTorch's ``nn.LSTM`` weights; gate order i, f, g, o).

    Takes the arguments of :class:`SimpleRNN` except ``activation``; states are (h, c).

    Args:
        unit_forget_bias: add 1 to the forget gate's bias at initialisation (Keras's option,
            Jozefowicz et al. 2015): the cell starts by keeping its memory (f ≈ 0.73 instead of
            0.5), so gradients reach far further back in time (see examples/vanishing_gradients.py).
            False by default, so that the initial weights are PyTorch's.

    Example:
        >>> lstm = nt.nn.LSTM(32)
        >>> y = lstm(nt.randn(4, 10, 8))  # the last hidden state by default
        >>> lstm.weight_ih_l0.shape, y.shape  # gates (i, f, g, o) stacked
        ((128, 8), (4, 32))
    """

    GATES = 4
    STATES = ("h", "c")

    def __new__(cls, *args, **kwargs):
        return super().__new__(_torch_class(cls, LSTM, "TorchLSTM", args, kwargs), *args, **kwargs)

    def __init__(self, units: int, unit_forget_bias: bool = False, **kwargs):
        super().__init__(units, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)
        if self.unit_forget_bias and not self.use_bias:
            raise ValueError("LSTM: unit_forget_bias=True needs use_bias=True")

    def build(self, input_shape) -> None:
        super().build(input_shape)
        if self.unit_forget_bias:
            h = self.units
            for _, _, sfx in self._suffixes():
                getattr(self, "bias_ih" + sfx).data[h:2 * h] += 1.0   # gate order i, f, g, o

    def _run(self, x, states, params, lengths, reverse, sequences=True):
        seq, h, c = lstm(x, states[0], states[1], *params, lengths=lengths, reverse=reverse, return_sequences=sequences)
        return seq, [h, c]

    def _infer_arrays(self, x, h0, params):
        seq, h, _ = LSTMSequence(sequences=self.return_sequences).forward(x, h0, h0, *params)
        return seq, h


class GRU(_Recurrent):
    """Gated recurrent unit (Keras's ``GRU``, PyTorch's ``nn.GRU`` weights; gate order r, z, n).

    Args:
        reset_after: True (PyTorch and Keras default) applies the reset gate after the recurrent
            product, r⊙(h W_hnᵀ + b_hn); False is the textbook form (r⊙h) W_hnᵀ.
        Other arguments as :class:`SimpleRNN` except ``activation``.

    Example:
        >>> gru = nt.nn.GRU(16, return_sequences=True)
        >>> y = gru(nt.randn(2, 5, 3))
        >>> gru.weight_hh_l0.shape, y.shape  # gates (r, z, n) stacked
        ((48, 16), (2, 5, 16))
    """

    GATES = 3

    def __new__(cls, *args, **kwargs):
        return super().__new__(_torch_class(cls, GRU, "TorchGRU", args, kwargs), *args, **kwargs)

    def __init__(self, units: int, reset_after: bool = True, **kwargs):
        super().__init__(units, **kwargs)
        self.reset_after = bool(reset_after)

    def _run(self, x, states, params, lengths, reverse, sequences=True):
        seq, h = gru(x, states[0], *params, lengths=lengths, reverse=reverse, reset_after=self.reset_after,
                     return_sequences=sequences)
        return seq, [h]

    def _infer_arrays(self, x, h0, params):
        return GRUSequence(reset_after=self.reset_after, sequences=self.return_sequences).forward(x, h0, None, *params)
