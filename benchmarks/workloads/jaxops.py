"""The layers of the benchmark networks as pure JAX functions, in PyTorch's layouts and semantics.

A JAX model here is ``forward(params, state, x, train) -> (output, new_state)``: ``params`` is the
list of the torch model's parameters in ``torch_model.parameters()`` order (which is neuronet's
order, see ``base.copy_weights``), ``state`` the list of its float buffers (batch norm's running
mean and variance) in ``named_buffers()`` order.  Each layer function takes the next arrays from
a :class:`Reader`, so a network reads like its torch ``__init__``.  Imported only by the JAX
worker process (``benchmarks/jax_session.py``), never at ``import benchmarks`` time.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax

BN_MOMENTUM, EPS = 0.1, 1e-5


class Reader:
    """Hands out ``params`` (and ``state``) in order and collects the updated state."""

    def __init__(self, params, state=()):
        self.params, self.state, self.new_state = list(params), list(state), []
        self._p = self._s = 0

    def param(self):
        self._p += 1
        return self.params[self._p - 1]

    def buffer(self):
        self._s += 1
        return self.state[self._s - 1]

    def done(self):
        if self._p != len(self.params) or self._s != len(self.state):
            raise ValueError(f"JAX model used {self._p}/{len(self.params)} parameters and "
                             f"{self._s}/{len(self.state)} buffers: its layers do not match the torch model's")
        return self.new_state


def linear(r: Reader, x, bias=True):
    """torch.nn.Linear: x Wᵀ + b, W of shape (out, in)."""
    w = r.param()
    y = x @ w.T
    return y + r.param() if bias else y


def conv2d(r: Reader, x, stride=1, padding=0, bias=True):
    """torch.nn.Conv2d on NCHW with OIHW weights (cross-correlation)."""
    w = r.param()
    y = lax.conv_general_dilated(x, w, (stride, stride), [(padding, padding)] * 2,
                                 dimension_numbers=("NCHW", "OIHW", "NCHW"))
    return y + r.param()[None, :, None, None] if bias else y


def max_pool2d(x, size=2):
    return lax.reduce_window(x, -jnp.inf, lax.max, (1, 1, size, size), (1, 1, size, size), "VALID")


def batch_norm2d(r: Reader, x, train: bool):
    """torch.nn.BatchNorm2d: batch statistics in training (running stats updated with the unbiased
    variance, momentum 0.1), running statistics in evaluation."""
    weight, bias = r.param(), r.param()
    running_mean, running_var = r.buffer(), r.buffer()
    if train:
        mean = x.mean(axis=(0, 2, 3))
        var = x.var(axis=(0, 2, 3))
        count = x.size // x.shape[1]
        running_mean = (1 - BN_MOMENTUM) * running_mean + BN_MOMENTUM * mean
        running_var = (1 - BN_MOMENTUM) * running_var + BN_MOMENTUM * var * count / max(count - 1, 1)
    else:
        mean, var = running_mean, running_var
    r.new_state += [running_mean, running_var]
    scale = weight * lax.rsqrt(var + EPS)
    return x * scale[None, :, None, None] + (bias - mean * scale)[None, :, None, None]


def layer_norm(r: Reader, x):
    weight, bias = r.param(), r.param()
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) * lax.rsqrt(var + EPS) * weight + bias


def embedding(r: Reader, ids):
    return jnp.take(r.param(), ids, axis=0)


def lstm(r: Reader, x):
    """torch.nn.LSTM (one layer, batch_first): gates i, f, g, o; returns the last hidden state."""
    w_ih, w_hh, b_ih, b_hh = r.param(), r.param(), r.param(), r.param()
    hidden = w_hh.shape[1]
    projected = jnp.swapaxes(x @ w_ih.T + (b_ih + b_hh), 0, 1)  # (T, B, 4H): the input half at once

    def cell(carry, xw):
        h, c = carry
        i, f, g, o = jnp.split(xw + h @ w_hh.T, 4, axis=-1)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        return (jax.nn.sigmoid(o) * jnp.tanh(c), c), None

    zeros = jnp.zeros((x.shape[0], hidden), x.dtype)
    (h, _), _ = lax.scan(cell, (zeros, zeros), projected)
    return h


def gru(r: Reader, x):
    """torch.nn.GRU (one layer, batch_first): gates r, z, n with r applied to W_hn h + b_hn."""
    w_ih, w_hh, b_ih, b_hh = r.param(), r.param(), r.param(), r.param()
    hidden = w_hh.shape[1]
    projected = jnp.swapaxes(x @ w_ih.T + b_ih, 0, 1)

    def cell(h, xw):
        xr, xz, xn = jnp.split(xw, 3, axis=-1)
        hr, hz, hn = jnp.split(h @ w_hh.T + b_hh, 3, axis=-1)
        reset, update = jax.nn.sigmoid(xr + hr), jax.nn.sigmoid(xz + hz)
        new = jnp.tanh(xn + reset * hn)
        return (1 - update) * new + update * h, None

    h, _ = lax.scan(cell, jnp.zeros((x.shape[0], hidden), x.dtype), projected)
    return h


def encoder_layer(r: Reader, x, heads: int):
    """torch.nn.TransformerEncoderLayer, post-norm, ReLU, dropout 0, batch_first."""
    in_w, in_b, out_w, out_b = r.param(), r.param(), r.param(), r.param()
    batch, steps, d = x.shape
    q, k, v = jnp.split(x @ in_w.T + in_b, 3, axis=-1)
    split = lambda t: t.reshape(batch, steps, heads, d // heads).transpose(0, 2, 1, 3)  # noqa: E731
    q, k, v = split(q), split(k), split(v)
    weights = jax.nn.softmax(q @ jnp.swapaxes(k, -1, -2) / jnp.sqrt(d / heads).astype(x.dtype), axis=-1)
    attended = (weights @ v).transpose(0, 2, 1, 3).reshape(batch, steps, d) @ out_w.T + out_b
    w1, b1, w2, b2 = r.param(), r.param(), r.param(), r.param()
    x = layer_norm(r, x + attended)
    return layer_norm(r, x + jax.nn.relu(x @ w1.T + b1) @ w2.T + b2)
