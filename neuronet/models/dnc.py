"""The Differentiable Neural Computer (Graves et al. 2016, Nature): the NTM with memory management.

An LSTM controller reads the input and the previous read vectors; one dense layer turns its state
into the interface vector: R read keys and strengths, a write key and strength, erase and write
vectors, R free gates, an allocation gate, a write gate, and R read modes (backward, content,
forward; a softmax per head).  Strengths are oneplus (1 + softplus), gates and erase are sigmoids,
keys and write vectors are linear, as in the paper's Methods.  Each step (the order of DeepMind's
reference, ``memory.py`` ``MemoryAccess``):

1. usage from the previous write weighting, the free gates and the previous read weightings
   (the write weighting enters with its gradient stopped, as in the reference's ``Freeness``,
   unless ``stop_usage_gradient=False``);
2. write weighting = write gate × (allocation gate × allocation + (1 − allocation gate) × content);
3. erase and write (``F.memory_write``), then the link matrix and the precedence;
4. read weightings from the read modes over the backward, content and forward weightings of the
   new memory, then the read vectors; the output is a dense layer on [controller state, reads].

Where the NTM moves its heads by shifts, the DNC writes wherever usage is lowest and reads back in
the order of writing through the link matrix — so the copy task needs no contiguous block of rows.
The memory size is not a parameter: ``memory_rows`` may be raised after training.
"""
from __future__ import annotations

from ..backend import array_module, get_default_dtype, is_float_dtype
from ..checks import positive_int
from ..functional.activation import sigmoid, softmax, softplus
from ..functional.dnc import allocation_weighting, precedence_update, read_weighting, temporal_link, usage_update
from ..functional.math import matmul
from ..functional.memory import content_addressing, memory_write
from ..functional.shape import concat, reshape, stack
from ..nn import Dense
from .ntm import _controller_lstm_step
from ..tensor import Tensor
from ..train import Model

__all__ = ["DNC"]


class DNC(Model):
    """A Differentiable Neural Computer over sequences: input (B, T, in) → output logits (B, T, out).

    Args:
        output_size: outputs per step (logits; the copy task uses a sigmoid/BCE on them).
        memory_rows, memory_width: N × W memory.
        read_heads: R read heads (one write head, as in the paper).
        controller_units: LSTM controller size (forget-gate bias +1).
        stop_usage_gradient: the write weighting enters the usage without its gradient, as in
            DeepMind's reference (``Freeness``); ``False`` gives the exact gradient of the paper's
            equations (the gradient checks use it).

    ``model(x, return_weights=True)`` also returns the write, read (first head) and usage
    weightings over time (B, T, N), the read modes (B, T, R, 3: backward, content, forward) and the
    final link matrix (B, N, N).

    Example:
        >>> dnc = nt.models.DNC(8, memory_rows=16, memory_width=8, controller_units=16)
        >>> y, trace = dnc(nt.zeros(2, 5, 9), return_weights=True)
        >>> y.shape, trace["usage"].shape, trace["link"].shape
        ((2, 5, 8), (2, 5, 16), (2, 16, 16))
    """

    def __init__(self, output_size: int, memory_rows: int = 128, memory_width: int = 20, read_heads: int = 1,
                 controller_units: int = 100, stop_usage_gradient: bool = True):
        super().__init__()
        self.output_size = positive_int("DNC", "output_size", output_size)
        self.memory_rows = positive_int("DNC", "memory_rows", memory_rows)
        self.memory_width = positive_int("DNC", "memory_width", memory_width)
        self.read_heads = positive_int("DNC", "read_heads", read_heads)
        self.units = positive_int("DNC", "controller_units", controller_units)
        self.stop_usage_gradient = bool(stop_usage_gradient)
        w, r = self.memory_width, self.read_heads
        # read keys, read strengths, write key, write strength, erase, write vector, free gates,
        # allocation gate, write gate, read modes
        self.sizes = [r * w, r, w, 1, w, w, r, 1, 1, 3 * r]
        self.controller = Dense(4 * self.units)   # the LSTM step as one dense layer over [input, reads, h]
        self.interface = Dense(sum(self.sizes))
        self.out = Dense(self.output_size)

    def _lstm_step(self, inp, state):
        """h', c' of an LSTM (gate order i, f, g, o) whose weights act on [input, h]."""
        return _controller_lstm_step(self.controller, self.units, inp, *state)

    def _split(self, h):
        p = self.interface(h)
        parts, start = [], 0
        for size in self.sizes:
            parts.append(p[:, start:start + size])
            start += size
        b, w, r = h.shape[0], self.memory_width, self.read_heads
        rkeys, rstr, wkey, wstr, erase, wvec, free, agate, wgate, modes = parts
        return {"read_keys": reshape(rkeys, b, r, w), "read_strengths": 1.0 + softplus(rstr),
                "write_key": wkey, "write_strength": 1.0 + softplus(wstr), "erase": sigmoid(erase),
                "write_vector": wvec, "free_gates": sigmoid(free), "allocation_gate": sigmoid(agate),
                "write_gate": sigmoid(wgate), "read_modes": softmax(reshape(modes, b, r, 3), axis=2)}

    def forward(self, x, return_weights: bool = False):
        shape = tuple(x.shape)
        if len(shape) != 3:
            raise ValueError(f"DNC: expected input of shape (batch, time, features), received {shape}")
        x = x if isinstance(x, Tensor) else Tensor(x)
        b, steps = shape[0], shape[1]
        n, w, r = self.memory_rows, self.memory_width, self.read_heads
        xp = array_module(x.data)
        dt = x.data.dtype if is_float_dtype(x.data.dtype) else get_default_dtype()
        zeros = lambda *s: Tensor(xp.zeros(s, dtype=dt))  # noqa: E731
        memory, usage, link, precedence = zeros(b, n, w), zeros(b, n), zeros(b, n, n), zeros(b, n)
        w_write, w_read, reads = zeros(b, n), zeros(b, r, n), zeros(b, r * w)
        state = (zeros(b, self.units), zeros(b, self.units))
        outputs, trace = [], {k: [] for k in ("write", "read", "usage", "read_modes")}
        for t in range(steps):
            state = self._lstm_step(concat([x[:, t], reads], axis=1), state)
            h = state[0]
            p = self._split(h)
            # 1. usage: the last write (gradient stopped, as in the reference) and the freed reads
            usage = usage_update(usage, w_write.detach() if self.stop_usage_gradient else w_write, p["free_gates"],
                                 w_read)
            # 2. write weighting: allocation or content, gated
            content_w = content_addressing(memory, p["write_key"], p["write_strength"])
            ga = p["allocation_gate"]
            w_write = p["write_gate"] * (ga * allocation_weighting(usage) + (1 - ga) * content_w)
            # 3. erase and write; link and precedence
            memory = memory_write(memory, w_write, p["erase"], p["write_vector"])
            link = temporal_link(link, precedence, w_write)
            precedence = precedence_update(precedence, w_write)
            # 4. read weightings: backward b = Lᵀ w, content, forward f = L w (per head)
            content_r = stack([content_addressing(memory, p["read_keys"][:, k], p["read_strengths"][:, k:k + 1])
                               for k in range(r)], axis=1)               # loop over read heads
            modes = p["read_modes"]
            w_read = read_weighting(link, w_read, content_r, modes)
            reads = reshape(matmul(w_read, memory), b, r * w)
            outputs.append(self.out(concat([h, reads], axis=1)))
            if return_weights:
                trace["write"].append(w_write.data)
                trace["read"].append(w_read.data[:, 0])
                trace["usage"].append(usage.data)
                trace["read_modes"].append(modes.data)
        y = stack(outputs, axis=1)
        if return_weights:
            out = {k: xp.stack(v, axis=1) for k, v in trace.items()}
            out["link"] = link.data
            return y, out
        return y
