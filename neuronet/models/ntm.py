"""The Neural Turing Machine (Graves, Wayne & Danihelka 2014): a controller with a differentiable memory.

At every time step the controller (an LSTM cell, or a feed-forward layer) reads the input and the
previous read vectors; each head turns the controller state into addressing parameters — key k,
key strength β = softplus, gate g = sigmoid, shift weights s = softmax over offsets −1..1, sharpening
γ = 1 + softplus, and for write heads erase e = sigmoid and add a = tanh — and the addressing of
``functional/memory.py`` gives its weighting over the memory rows.  Read heads read the memory of
the previous step, then write heads erase and add; the output is a dense layer on the controller
state and the new read vectors.

The memory size is not a parameter: ``memory_rows`` may be raised after training (the copy task is
trained on sequences up to 20 with 32 rows and tested on 80 with 128).
"""
from __future__ import annotations

from ..backend import np
from ..checks import positive_int
from ..functional.activation import sigmoid, softmax, softplus
from ..functional.math import tanh
from ..functional.memory import circular_shift, content_addressing, interpolate, memory_read, memory_write, sharpen
from ..functional.shape import concat, stack
from ..nn import Dense, Parameter
from ..tensor import Tensor
from ..train import Model

__all__ = ["NTM", "NTMHead"]

_MEMORY_INIT = 1e-6  # a small constant memory: every row equally similar to any key at the start



def _controller_lstm_step(controller, units, inp, h, c):
    """h', c' of an LSTM cell (gate order i, f, g, o; forget bias +1) whose one Linear ``controller``
    acts on [input, h]: the NTM's and the DNC's controller."""
    z = controller(concat([inp, h], axis=1))
    u = units
    i, f, g, o = sigmoid(z[:, :u]), sigmoid(z[:, u:2 * u] + 1.0), tanh(z[:, 2 * u:3 * u]), sigmoid(z[:, 3 * u:])
    c = f * c + i * g
    return o * tanh(c), c

class NTMHead(Model):
    """One read or write head: a dense layer from the controller state to its addressing parameters.

    Example:
        >>> head = nt.models.NTMHead(memory_width=8)
        >>> head.fc.units  # key (8), strength, gate, 3 shift weights, sharpening
        14
    """

    def __init__(self, memory_width: int, shift_range: int = 1, write: bool = False):
        super().__init__()
        self.width, self.shifts, self.write = memory_width, 2 * shift_range + 1, bool(write)
        self.sizes = [memory_width, 1, 1, self.shifts, 1] + ([memory_width, memory_width] if write else [])
        self.fc = Dense(sum(self.sizes))

    def forward(self, h, memory, w_prev):
        """The new weighting (B, N) and, for a write head, (erase, add)."""
        p = self.fc(h)
        parts, start = [], 0
        for size in self.sizes:
            parts.append(p[:, start:start + size])
            start += size
        key, beta, gate, shift, gamma = parts[:5]
        w = content_addressing(memory, tanh(key), softplus(beta))
        w = interpolate(w, w_prev, sigmoid(gate))
        w = circular_shift(w, softmax(shift, axis=1))
        w = sharpen(w, 1.0 + softplus(gamma))
        if self.write:
            return w, (sigmoid(parts[5]), tanh(parts[6]))
        return w, None


class NTM(Model):
    """A Neural Turing Machine over sequences: input (B, T, in) → output logits (B, T, out).

    Args:
        output_size: outputs per step (logits; the copy task uses a sigmoid/BCE on them).
        memory_rows, memory_width: N × W memory.
        controller: ``"lstm"`` (forget-gate bias +1) or ``"feedforward"`` (a tanh dense layer).
        controller_units: controller size.
        read_heads, write_heads: head counts.
        shift_range: shifts −r..r of the location addressing (1: one row either way).

    Example:
        >>> ntm = nt.models.NTM(8, memory_rows=16, memory_width=8, controller_units=16)
        >>> ntm(nt.zeros(2, 5, 9)).shape  # (B, T, in) -> (B, T, out) logits
        (2, 5, 8)
    """

    def __init__(self, output_size: int, memory_rows: int = 128, memory_width: int = 20, controller: str = "lstm",
                 controller_units: int = 100, read_heads: int = 1, write_heads: int = 1, shift_range: int = 1):
        super().__init__()
        self.output_size = positive_int("NTM", "output_size", output_size)
        self.memory_rows = positive_int("NTM", "memory_rows", memory_rows)
        self.memory_width = positive_int("NTM", "memory_width", memory_width)
        if controller not in ("lstm", "feedforward"):
            raise ValueError(f"NTM: controller must be 'lstm' or 'feedforward', got {controller!r}")
        self.controller_kind = controller
        self.units = positive_int("NTM", "controller_units", controller_units)
        # the LSTM step as one dense layer over [input, h] and the gate arithmetic (i, f, g, o): for one
        # step at a time this is 3× faster than the whole-sequence LSTM Function run for length 1
        self.controller = Dense(4 * self.units if controller == "lstm" else self.units,
                                activation=None if controller == "lstm" else "tanh")
        self.read_heads = [NTMHead(memory_width, shift_range) for _ in range(positive_int("NTM", "read_heads", read_heads))]
        self.write_heads = [NTMHead(memory_width, shift_range, write=True)
                            for _ in range(positive_int("NTM", "write_heads", write_heads))]
        for i, head in enumerate(self.read_heads):
            setattr(self, f"read{i}", head)
        for i, head in enumerate(self.write_heads):
            setattr(self, f"write{i}", head)
        self.read_init = Parameter(np.zeros((len(self.read_heads), memory_width), dtype=np.float32))
        self.out = Dense(self.output_size)

    def _initial(self, batch, dtype):
        n = self.memory_rows
        memory = Tensor(np.full((batch, n, self.memory_width), _MEMORY_INIT, dtype=dtype))
        start = np.zeros((batch, n), dtype=dtype)
        start[:, 0] = 1.0  # every head starts at row 0
        return memory, [Tensor(start) for _ in self.read_heads], [Tensor(start) for _ in self.write_heads]

    def _lstm_step(self, inp, state):
        """h', c' of an LSTM (gate order i, f, g, o) whose weights act on [input, h]."""
        u = self.units
        if state is None:
            zeros = Tensor(np.zeros((inp.shape[0], u), dtype=self.read_init.dtype))
            state = (zeros, zeros)
        return _controller_lstm_step(self.controller, u, inp, *state)

    def forward(self, x, return_weights: bool = False):
        shape = tuple(x.shape)
        if len(shape) != 3:
            raise ValueError(f"NTM: expected input of shape (batch, time, features), received {shape}")
        x = x if isinstance(x, Tensor) else Tensor(x)
        b, steps = shape[0], shape[1]
        memory, w_read, w_write = self._initial(b, self.read_init.dtype)
        reads = [self.read_init[i:i + 1] * np.ones((b, 1), dtype=self.read_init.dtype)
                 for i in range(len(self.read_heads))]
        state = None
        outputs, trace = [], {"read": [], "write": []}
        for t in range(steps):
            inp = concat([x[:, t]] + reads, axis=1)
            if self.controller_kind == "lstm":
                state = self._lstm_step(inp, state)
                h = state[0]
            else:
                h = self.controller(inp)
            new_reads = []
            for i, head in enumerate(self.read_heads):
                w_read[i], _ = head(h, memory, w_read[i])
                new_reads.append(memory_read(memory, w_read[i]))
            for i, head in enumerate(self.write_heads):
                w_write[i], (erase, add) = head(h, memory, w_write[i])
                memory = memory_write(memory, w_write[i], erase, add)
            reads = new_reads
            outputs.append(self.out(concat([h] + reads, axis=1)))
            if return_weights:
                trace["read"].append(w_read[0].data)
                trace["write"].append(w_write[0].data if w_write else None)
        y = stack(outputs, axis=1)
        if return_weights:
            return y, {k: np.stack(v, axis=1) for k, v in trace.items() if v and v[0] is not None}
        return y
