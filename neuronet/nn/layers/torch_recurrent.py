"""``LSTM``/``GRU``/``RNN`` built PyTorch-style: ``LSTM(input_size, hidden_size, num_layers=1, ...)``.

``nt.nn.LSTM(64)`` is the Keras layer (units, lazy input size, ``return_sequences``).
``nt.nn.LSTM(10, 64)`` or ``nt.nn.LSTM(input_size=10, hidden_size=64)`` — two sizes, or any of
PyTorch's keywords ``input_size``/``hidden_size``/``batch_first`` — makes a :class:`TorchLSTM`
instead (a subclass of ``LSTM``), which behaves as ``torch.nn.LSTM``:

- parameters are created at construction, named and laid out as PyTorch's (``weight_ih_l0``,
  ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``, ``..._reverse``), drawn uniform on ±1/√hidden_size;
- ``out, (h_n, c_n) = lstm(x, (h_0, c_0))`` (GRU/RNN: ``out, h_n = gru(x, h_0)``), states
  (num_layers·D, N, H) and the output of every step, (N, T, D·H) with ``batch_first=True``, else
  (T, N, D·H) (PyTorch's default time-major layout); an unbatched (T, F) input gives (T, D·H) and
  states (num_layers·D, H);
- ``dropout`` applies to the outputs of every layer but the last, while training.

The recurrence of each (layer, direction) is the same fused whole-sequence Function as the Keras
layers run.  ``proj_size`` and packed sequences are not supported.

The cells work the same way: ``nt.nn.LSTMCell(16)`` is the Keras-style cell (units, lazy input
size), ``nt.nn.LSTMCell(8, 16)`` makes :class:`TorchLSTMCell` (``torch.nn.LSTMCell(input_size,
hidden_size, bias)``, parameters created now, unbatched inputs too); likewise RNNCell and GRUCell.
"""
from __future__ import annotations

from ...checks import positive_int
from ...functional.dropout import dropout as _dropout
from ...functional.indexing import getitem
from ...functional.shape import concat, stack, swapaxes, unsqueeze
from ...tensor import Tensor
from .recurrent import GRU, LSTM, SimpleRNN, _rate
from .recurrent_cells import GRUCell, LSTMCell, RNNCell

__all__ = ["RNN", "TorchLSTM", "TorchGRU", "TorchRNNCell", "TorchLSTMCell", "TorchGRUCell"]

_TORCH_KEYWORDS = ("input_size", "hidden_size", "batch_first", "proj_size")


def torch_style(args, kwargs) -> bool:
    """Whether ``LSTM(*args, **kwargs)``/``GRU(...)`` is PyTorch's constructor: two integer sizes first
    (Keras's second argument is a boolean), or one of PyTorch's own keyword names."""
    if any(k in kwargs for k in _TORCH_KEYWORDS):
        return True
    return len(args) >= 2 and isinstance(args[1], int) and not isinstance(args[1], bool)


class _TorchRecurrent:
    """The PyTorch calling convention, mixed into subclasses of the Keras recurrent layers."""

    torch_style = True  # Bidirectional refuses these: use bidirectional=True

    def _torch_init(self, base, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                    **extra):
        name = type(self).__name__
        input_size = positive_int(name, "input_size", input_size)
        base.__init__(self, positive_int(name, "hidden_size", hidden_size), num_layers=num_layers, use_bias=bias,
                      bidirectional=bidirectional, **extra)
        self.input_size, self.hidden_size = input_size, self.units
        self.batch_first = bool(batch_first)
        self.dropout = _rate(name, "dropout", dropout)  # between layers (PyTorch), not Keras's input dropout
        self.build((None, None, input_size))  # eager: the parameters exist now

    def _name(self) -> str:
        return f"{type(self).__name__}(input_size={self.input_size}, hidden_size={self.hidden_size})"

    def _layout(self) -> str:
        return "(N, T, input_size)" if self.batch_first else "(T, N, input_size)"

    def _torch_states(self, hx, n, unbatched):
        """One list of initial states (or Nones) per (layer, direction), from PyTorch's hx."""
        k, kinds = self.num_layers * self.directions, len(self.STATES)
        if hx is None:
            return [[None] * kinds for _ in range(k)]
        given = list(hx) if kinds > 1 and isinstance(hx, (tuple, list)) else [hx]
        if len(given) != kinds:
            want = "a tuple (h_0, c_0)" if kinds > 1 else "one tensor h_0"
            raise ValueError(f"{self._name()}: the initial state must be {want}, got {len(given)} tensor(s)")
        want = (k, self.units) if unbatched else (k, n, self.units)
        per = [[None] * kinds for _ in range(k)]
        for j, s in enumerate(given):
            s = s if isinstance(s, Tensor) else Tensor(s)
            if tuple(s.shape) != want:
                raise ValueError(f"{self._name()}: initial state {self.STATES[j]}_0 must have shape {want} "
                                 f"(num_layers * num_directions, {'' if unbatched else 'batch, '}hidden_size), "
                                 f"got {tuple(s.shape)}")
            if unbatched:
                s = unsqueeze(s, 1)
            for i in range(k):
                per[i][j] = getitem(s, i)
        return per

    def forward(self, input, hx=None):
        """Run every layer and direction over the whole sequence; see the module docstring."""
        x = input if isinstance(input, Tensor) else Tensor(input)
        shape = tuple(x.shape)
        if len(shape) not in (2, 3) or shape[-1] != self.input_size:
            raise ValueError(f"{self._name()}: expected input of shape {self._layout()} (batch_first="
                             f"{self.batch_first}) or unbatched (T, input_size) with input_size={self.input_size}, "
                             f"received shape {shape}")
        unbatched = len(shape) == 2
        if unbatched:
            x = unsqueeze(x, 0)
        elif not self.batch_first:
            x = swapaxes(x, 0, 1)  # the fused Functions run batch-first
        if x.shape[1] == 0:
            raise ValueError(f"{self._name()}: received an empty sequence (input of shape {shape}); it needs at "
                             "least one time step")
        states = self._torch_states(hx, x.shape[0], unbatched)
        finals, inp = [], x
        for layer in range(self.num_layers):
            if layer and self.dropout and self.training:
                inp = _dropout(inp, self.dropout, training=True)
            outs = []
            for d in range(self.directions):
                sfx = f"_l{layer}" + ("_reverse" if d else "")
                seq, fin = self._run(inp, states[layer * self.directions + d], self._params(sfx), None, d == 1)
                outs.append(seq)
                finals.append(fin)
            inp = outs[0] if len(outs) == 1 else concat(outs, axis=2)
        out = inp
        per_kind = [stack([fin[j] for fin in finals], axis=0) for j in range(len(self.STATES))]
        if unbatched:
            out = getitem(out, 0)
            per_kind = [getitem(s, (slice(None), 0)) for s in per_kind]
        elif not self.batch_first:
            out = swapaxes(out, 0, 1)
        return out, (tuple(per_kind) if len(per_kind) > 1 else per_kind[0])

    def extra_repr(self) -> str:
        return (f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, bias={self.use_bias}, "
                f"batch_first={self.batch_first}, dropout={self.dropout}, bidirectional={self.bidirectional}")


class TorchLSTM(_TorchRecurrent, LSTM):
    """``torch.nn.LSTM(input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
    dropout=0.0, bidirectional=False)``; what ``nt.nn.LSTM(input_size, hidden_size, ...)`` makes.

    Example:
        >>> lstm = nt.nn.TorchLSTM(3, 16, batch_first=True, bidirectional=True)
        >>> out, (h, c) = lstm(nt.randn(4, 10, 3))
        >>> out.shape, h.shape, c.shape
        ((4, 10, 32), (2, 4, 16), (2, 4, 16))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0):
        if proj_size:
            raise ValueError(f"LSTM: proj_size={proj_size!r} is not supported (use 0)")
        self._torch_init(LSTM, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional)


class TorchGRU(_TorchRecurrent, GRU):
    """``torch.nn.GRU(input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
    dropout=0.0, bidirectional=False)``; ``out, h_n = gru(x, h_0)``.  What ``nt.nn.GRU(input_size,
    hidden_size, ...)`` makes.

    Example:
        >>> gru = nt.nn.TorchGRU(3, 16)  # time first, as PyTorch's default
        >>> out, h = gru(nt.randn(10, 4, 3))
        >>> out.shape, h.shape
        ((10, 4, 16), (1, 4, 16))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False):
        self._torch_init(GRU, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional)


class RNN(_TorchRecurrent, SimpleRNN):
    """``torch.nn.RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
    batch_first=False, dropout=0.0, bidirectional=False)``: the Elman network, ``out, h_n = rnn(x, h_0)``.
    (Keras's spelling is :class:`SimpleRNN`.)

    Example:
        >>> rnn = nt.nn.RNN(3, 16, num_layers=2, batch_first=True)
        >>> out, h = rnn(nt.randn(4, 10, 3))
        >>> out.shape, h.shape  # h: (layers, N, hidden)
        ((4, 10, 16), (2, 4, 16))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self._torch_init(SimpleRNN, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         activation=nonlinearity)
        self.nonlinearity = nonlinearity


# --- one-step cells built PyTorch-style: RNNCell/LSTMCell/GRUCell(input_size, hidden_size, ...) -------------

class _TorchCell:
    """PyTorch's cell constructors over the cells of recurrent_cells.py: eager parameters, and unbatched
    (input_size,) inputs with (hidden_size,) states as well as batches."""

    torch_style = True

    def _torch_cell_init(self, base, input_size, hidden_size, bias, **extra):
        name = type(self).__name__
        base.__init__(self, positive_int(name, "hidden_size", hidden_size), use_bias=bias,
                      in_features=positive_int(name, "input_size", input_size), **extra)
        self.input_size, self.hidden_size = self.in_features, self.units

    def _name(self) -> str:
        return f"{type(self).__name__}(input_size={self.input_size}, hidden_size={self.hidden_size})"

    def forward(self, input, hx=None):
        x = input if isinstance(input, Tensor) else Tensor(input)
        if x.ndim != 1:
            return super().forward(x, hx)
        lift = (lambda s: None if s is None else unsqueeze(s if isinstance(s, Tensor) else Tensor(s), 0))
        state = tuple(lift(s) for s in hx) if isinstance(hx, (tuple, list)) else lift(hx)
        out = super().forward(unsqueeze(x, 0), state)
        return tuple(getitem(s, 0) for s in out) if isinstance(out, tuple) else getitem(out, 0)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, bias={self.use_bias}"


class TorchRNNCell(_TorchCell, RNNCell):
    """``torch.nn.RNNCell(input_size, hidden_size, bias=True, nonlinearity='tanh')``: ``h' = cell(x, h)``;
    what ``nt.nn.RNNCell(input_size, hidden_size)`` makes.

    Example:
        >>> nt.nn.TorchRNNCell(3, 8)(nt.randn(4, 3)).shape  # h starts at zeros
        (4, 8)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh"):
        self._torch_cell_init(RNNCell, input_size, hidden_size, bias, activation=nonlinearity)
        self.nonlinearity = nonlinearity


class TorchLSTMCell(_TorchCell, LSTMCell):
    """``torch.nn.LSTMCell(input_size, hidden_size, bias=True)``: ``h', c' = cell(x, (h, c))``;
    what ``nt.nn.LSTMCell(input_size, hidden_size)`` makes.

    Example:
        >>> h, c = nt.nn.TorchLSTMCell(3, 8)(nt.randn(4, 3))
        >>> h.shape, c.shape
        ((4, 8), (4, 8))
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True):
        self._torch_cell_init(LSTMCell, input_size, hidden_size, bias)


class TorchGRUCell(_TorchCell, GRUCell):
    """``torch.nn.GRUCell(input_size, hidden_size, bias=True)``: ``h' = cell(x, h)``;
    what ``nt.nn.GRUCell(input_size, hidden_size)`` makes.

    Example:
        >>> nt.nn.TorchGRUCell(3, 8)(nt.randn(4, 3), nt.zeros(4, 8)).shape
        (4, 8)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True):
        self._torch_cell_init(GRUCell, input_size, hidden_size, bias)
