"""FLOPs of one step, counted from the layer shapes: the products only (2·M·N·K each).

Element-wise work (activations, normalisation, pooling, the optimizer update) is not counted:
it is small beside the products and is what the peak fraction charges a framework for.  A
training step is the forward plus, per product, a weight-gradient product and an input-gradient
product of the same size, i.e. 3× the forward, less the input gradient of a layer that reads the
data itself (neither framework computes a gradient for the input images or features).
All counts are per sample.
"""
from __future__ import annotations


def dense(inputs: int, outputs: int, positions: int = 1) -> int:
    """x Wᵀ for ``positions`` rows per sample (time steps, tokens)."""
    return 2 * inputs * outputs * positions


def conv2d(in_channels: int, out_channels: int, kernel: int, out_height: int, out_width: int | None = None) -> int:
    """A k×k convolution: one (C_in·k·k)-long dot product per output element."""
    out_width = out_height if out_width is None else out_width
    return 2 * in_channels * kernel * kernel * out_channels * out_height * out_width


def conv_out(size: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    return (size + 2 * padding - kernel) // stride + 1


def lstm(inputs: int, hidden: int, steps: int, gates: int = 4) -> int:
    """Input and recurrent products of an LSTM (4 gates) or GRU (3 gates) over ``steps``."""
    return dense(inputs, gates * hidden, steps) + dense(hidden, gates * hidden, steps)


def attention(d_model: int, steps: int) -> int:
    """Q/K/V and output projections plus the two T×T products (scores and weighted values)."""
    return dense(d_model, 3 * d_model, steps) + dense(d_model, d_model, steps) + 2 * (2 * steps * steps * d_model)


def encoder_layer(d_model: int, ffn: int, steps: int) -> int:
    return attention(d_model, steps) + dense(d_model, ffn, steps) + dense(ffn, d_model, steps)


def train(forward: int, first_layer: int = 0) -> int:
    """A training step from the forward count: 3× forward less the first layer's input gradient
    (pass that layer's forward FLOPs when it reads the raw input)."""
    return 3 * forward - first_layer
