"""Keras's recurrent layers: SimpleRNN, LSTM, GRU (Keras's initialisers: glorot_uniform kernel,
orthogonal recurrent kernel, zero bias, LSTM forget bias 1) and Bidirectional.

Weights are neuronet's (PyTorch's: ``weight_ih_l0`` (gates·H, in), ``weight_hh_l0``, two biases);
``get_weights`` gives Keras's ``[kernel (in, gates·H), recurrent_kernel (H, gates·H), bias]`` with
one bias (the sum of PyTorch's two; GRU keeps Keras's (2, 3H) input and recurrent biases) and
Keras's gate order (GRU: z, r, h where PyTorch has r, z, n).
"""
from __future__ import annotations

from ...backend import np
from ... import nn
from .base import KerasLayer

__all__ = ["SimpleRNN", "LSTM", "GRU", "Bidirectional"]

def _check_activations(name, activation, recurrent_activation):
    if activation != "tanh" or recurrent_activation not in (None, "sigmoid"):
        raise ValueError(f"{name}: only activation='tanh' (and recurrent_activation='sigmoid') are supported, "
                         f"got {activation!r}/{recurrent_activation!r}")


def _swap_zr(a, axis, h):
    """Exchange the first two gate blocks of size h along ``axis`` (PyTorch r, z ↔ Keras z, r)."""
    idx = np.r_[h:2 * h, 0:h, 2 * h:3 * h]
    return np.take(a, idx, axis=axis)


class _KerasRecurrent(KerasLayer):
    def _init(self, cls, units, extra, kwargs):
        rest = {k: kwargs.pop(k) for k in list(kwargs) if k not in KerasLayer.BASE_ARGS}
        cls.__init__(self, units, kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                     bias_initializer="zeros", **extra, **rest)
        self._keras_base(kwargs)

    def keras_weights(self):
        if self.num_layers != 1 or self.bidirectional:
            return super().keras_weights()
        h, gru = self.units, isinstance(self, nn.GRU)

        def kernel(name):
            to = (lambda a: _swap_zr(a.T, 1, h)) if gru else (lambda a: a.T)
            back = (lambda a: _swap_zr(a, 1, h).T) if gru else (lambda a: a.T)
            return (name, to, back)
        out = [kernel("weight_ih_l0"), kernel("weight_hh_l0")]
        if self.use_bias:
            out.append(("bias", None, None))  # both biases at once: see get/set below
        return out

    def get_weights(self):
        if not self.use_bias or self.num_layers != 1 or self.bidirectional:
            return super().get_weights()
        from ... import backend
        b_ih, b_hh = backend.to_numpy(self.bias_ih_l0.data), backend.to_numpy(self.bias_hh_l0.data)
        weights = KerasLayer.get_weights(_NoBias(self))
        if isinstance(self, nn.GRU):
            h = self.units
            bias = np.stack([_swap_zr(b_ih, 0, h), _swap_zr(b_hh, 0, h)]) if self.reset_after else \
                _swap_zr(b_ih + b_hh, 0, h)
        else:
            bias = b_ih + b_hh
        return weights + [np.array(bias)]

    def set_weights(self, weights):
        if not self.use_bias or self.num_layers != 1 or self.bidirectional:
            return super().set_weights(weights)
        weights = list(weights)
        if len(weights) != 3:
            raise ValueError(f"{self.name}.set_weights: expected 3 arrays (kernel, recurrent_kernel, bias), "
                             f"got {len(weights)}")
        bias = np.asarray(weights[2])
        h, g = self.units, self.GATES
        gru2 = isinstance(self, nn.GRU) and self.reset_after
        want = (2, g * h) if gru2 else (g * h,)
        if bias.shape != want:
            raise ValueError(f"{self.name}.set_weights: bias expects shape {want} in Keras's layout, got {bias.shape}")
        if isinstance(self, nn.GRU):
            b_ih, b_hh = (_swap_zr(bias[0], 0, h), _swap_zr(bias[1], 0, h)) if gru2 else (_swap_zr(bias, 0, h), 0 * bias)
        else:
            b_ih, b_hh = bias, np.zeros_like(bias)
        KerasLayer.set_weights(_NoBias(self), weights[:2])
        self.bias_ih_l0.data = b_ih.astype(self.bias_ih_l0.data.dtype)
        self.bias_hh_l0.data = b_hh.astype(self.bias_hh_l0.data.dtype)


class _NoBias:
    """The layer seen without its bias entry (the kernels go through KerasLayer's generic code)."""

    def __init__(self, layer):
        self.layer, self.name = layer, layer.name

    def keras_weights(self):
        return [w for w in self.layer.keras_weights() if w[0] != "bias"]

    def _tensor(self, name):
        return getattr(self.layer, name)

    def get_weights(self):
        return KerasLayer.get_weights(self)


class SimpleRNN(_KerasRecurrent, nn.SimpleRNN):
    """``keras.layers.SimpleRNN(units, activation="tanh", return_sequences=False, ...)`` on (N, T, F).

    Example:
        >>> nt.keras.layers.SimpleRNN(8)(nt.ones(2, 5, 3)).shape
        (2, 8)
    """

    def __init__(self, units, activation="tanh", **kwargs):
        kwargs.pop("unroll", None)
        self._init(nn.SimpleRNN, units, {"activation": activation}, kwargs)


class LSTM(_KerasRecurrent, nn.LSTM):
    """``keras.layers.LSTM(units, return_sequences=False, return_state=False, unit_forget_bias=True, ...)``
    on (N, T, F); ``return_state=True`` returns ``[output, h, c]`` as Keras does.

    Example:
        >>> lstm = nt.keras.layers.LSTM(16, return_sequences=True)
        >>> lstm(nt.ones(2, 5, 3)).shape
        (2, 5, 16)
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", unit_forget_bias=True,
                 unroll=False, **kwargs):
        _check_activations("LSTM", activation, recurrent_activation)
        self._init(nn.LSTM, units, {"unit_forget_bias": unit_forget_bias}, kwargs)


class GRU(_KerasRecurrent, nn.GRU):
    """``keras.layers.GRU(units, reset_after=True, return_sequences=False, ...)`` on (N, T, F).

    Example:
        >>> out, state = nt.keras.layers.GRU(16, return_state=True)(nt.ones(2, 5, 3))
        >>> out.shape, state.shape
        ((2, 16), (2, 16))
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", reset_after=True,
                 unroll=False, **kwargs):
        _check_activations("GRU", activation, recurrent_activation)
        self._init(nn.GRU, units, {"reset_after": reset_after}, kwargs)


class Bidirectional(KerasLayer, nn.Bidirectional):
    """``keras.layers.Bidirectional(layers.LSTM(32), merge_mode="concat")``; Keras weights: the
    forward layer's, then the backward layer's.

    Example:
        >>> nt.keras.layers.Bidirectional(nt.keras.layers.LSTM(8))(nt.ones(2, 5, 3)).shape
        (2, 16)
    """

    def __init__(self, layer, merge_mode="concat", **kwargs):
        nn.Bidirectional.__init__(self, layer, merge_mode)
        self._keras_base(kwargs)
        object.__setattr__(self.backward_layer, "name", "backward_" + getattr(layer, "name", "layer"))

    def get_weights(self):
        return [*_weights(self.forward_layer), *_weights(self.backward_layer)]

    def set_weights(self, weights):
        weights = list(weights)
        n = len(_weights(self.forward_layer))
        if len(weights) != 2 * n:
            raise ValueError(f"{self.name}.set_weights: expected {2 * n} arrays (forward then backward), got "
                             f"{len(weights)}")
        self.forward_layer.set_weights(weights[:n])
        self.backward_layer.set_weights(weights[n:])


def _weights(layer):
    if hasattr(layer, "get_weights"):
        return layer.get_weights()
    from ... import backend
    return [np.array(backend.to_numpy(p.data)) for p in layer.parameters()]
