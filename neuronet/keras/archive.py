"""Keras 3 model files into neuronet: ``load_keras_model("model.keras")``.

A ``.keras`` file is a zip of ``config.json`` (the architecture) and ``model.weights.h5`` (the
weights, read with h5py, an optional dependency).  Each Keras layer becomes the neuronet layer
that computes the same thing, its weights converted to PyTorch's layouts: Dense kernel (in, out)
→ weight (out, in); convolution kernels HWIO → OIHW; recurrent kernels transposed, GRU gates
(z, r, h) → (r, z, n), Keras's single LSTM bias → ``bias_ih`` (``bias_hh`` zero).  Keras models
read images channels-last; the imported model takes the same (N, H, W, C) input, turns it to
(N, C, H, W) once at the start and back before a ``Flatten``, so the same input gives the same
output.  A layer neuronet cannot express is a ValueError naming it.  Nothing is unpickled.
"""
from __future__ import annotations

import io
import json
import math
import os
import re
import zipfile

import numpy as np

from .. import nn
from ..train.sequential import Sequential

__all__ = ["load_keras_model"]

_ACTIVATIONS = {"linear": None, "relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid", "softmax": "softmax",
                "elu": "elu", "selu": "selu", "gelu": "gelu", "swish": "silu", "silu": "silu",
                "softplus": "softplus", "softsign": "softsign", "leaky_relu": "leaky_relu"}


def _weight_keys(layers) -> dict:
    """Keras's names for the layers' weight groups: the class name in snake case, numbered from the
    second of a class on ("dense", "dense_1", …) — not the layer's own name (Keras's saving_lib)."""
    used, keys = {}, {}
    for layer in layers:
        cls = layer["class_name"]
        snake = re.sub("([a-z])([A-Z])", r"\1_\2", re.sub("(.)([A-Z][a-z]+)", r"\1_\2", re.sub(r"\W+", "", cls))).lower()
        if snake in used:
            used[snake] += 1
            snake = f"{snake}_{used[snake]}"
        else:
            used[snake] = 0
        keys[layer["config"].get("name")] = snake
    return keys


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError("load_keras_model needs h5py to read Keras weights: pip install h5py") from None
    return h5py


class _Builder:
    """Walks the Keras layers in order, keeping track of the data layout between them."""

    def __init__(self, path, weights, keys):
        self.path, self.weights, self.keys = path, weights, keys
        self.layers = []
        self.shape = None          # the current per-sample shape, Keras's layout
        self.channels_first = False  # whether the neuronet model currently holds images as (C, H, W)

    def fail(self, layer, why):
        raise ValueError(f"load_keras_model: {self.path}: layer {layer['config'].get('name')!r} "
                         f"({layer['class_name']}): {why}")

    def vars(self, name, *sub):
        group = self.weights["layers"]
        for key in (self.keys.get(name, name),) + sub:
            if key not in group:
                raise ValueError(f"load_keras_model: {self.path}: no weights for layer {name!r} ({'/'.join(sub)})")
            group = group[key]
        group = group["vars"]
        return [np.asarray(group[str(i)]) for i in range(len(group))]

    def to_channels_first(self):
        if not self.channels_first and len(self.shape) in (2, 3):  # (L, C) or (H, W, C)
            self.layers.append(nn.Permute((len(self.shape),) + tuple(range(1, len(self.shape)))))
            self.channels_first = True

    def to_channels_last(self):
        if self.channels_first:
            n = len(self.shape)
            self.layers.append(nn.Permute(tuple(range(2, n + 1)) + (1,)))
            self.channels_first = False

    def activation(self, layer, name):
        if name in (None, "linear"):
            return
        if name == "softmax":
            self.layers.append(nn.Softmax())
            return
        if name not in _ACTIVATIONS:
            self.fail(layer, f"activation {name!r} has no neuronet counterpart")
        self.layers.append(nn.Activation(_ACTIVATIONS[name]))

    # --- one method per Keras layer ----------------------------------------------------------
    def InputLayer(self, layer, c):
        self.shape = tuple(c["batch_shape"][1:])

    def Dense(self, layer, c):
        if self.shape is None:
            self.fail(layer, "the model has no Input: give Keras an Input((...)) or build it before saving")
        self.to_channels_last()
        dense = nn.Dense(c["units"], use_bias=c["use_bias"])
        weights = self.vars(c["name"])
        dense.build((None,) + self.shape)
        dense.weight.data[...] = weights[0].T
        if c["use_bias"]:
            dense.bias.data[...] = weights[1]
        self.layers.append(dense)
        self.activation(layer, c.get("activation"))
        self.shape = self.shape[:-1] + (c["units"],)

    def _conv_pads(self, layer, c, spatial):
        kernel, strides, dilation = c["kernel_size"], c["strides"], c.get("dilation_rate", (1,) * len(spatial))
        if c["padding"] == "valid":
            return [(0, 0)] * len(spatial)
        if c["padding"] != "same":
            self.fail(layer, f"padding {c['padding']!r}")
        pads = []
        for n, k, s, d in zip(spatial, kernel, strides, dilation):  # TensorFlow's 'same': more at the end
            total = max((math.ceil(n / s) - 1) * s + (k - 1) * d + 1 - n, 0)
            pads.append((total // 2, total - total // 2))
        return pads

    def _conv(self, layer, c, nd):
        if c.get("data_format", "channels_last") != "channels_last":
            self.fail(layer, "only channels_last models are read")
        spatial = self.shape[:nd]
        pads = self._conv_pads(layer, c, spatial)
        self.to_channels_first()
        if any(p != (0, 0) for p in pads):
            if nd == 1:
                if pads[0][0] != pads[0][1]:
                    self.fail(layer, "asymmetric 'same' padding of a 1-D convolution")
                padding = pads[0][0]
            else:
                self.layers.append(nn.ZeroPadding2D(tuple(pads)))
                padding = 0
        else:
            padding = 0
        conv_cls = nn.Conv1D if nd == 1 else nn.Conv2D
        conv = conv_cls(c["filters"], tuple(c["kernel_size"]), strides=tuple(c["strides"]), padding=padding,
                        dilation_rate=tuple(c.get("dilation_rate", (1,) * nd)), groups=c.get("groups", 1),
                        use_bias=c["use_bias"])
        weights = self.vars(c["name"])
        channels = self.shape[-1]
        padded = tuple(n + a + b for n, (a, b) in zip(spatial, pads)) if nd == 2 else spatial
        conv.build((None, channels) + tuple(padded))
        order = (2, 1, 0) if nd == 1 else (3, 2, 0, 1)  # (k…, in, out) → (out, in, k…)
        conv.weight.data[...] = weights[0].transpose(order)
        if c["use_bias"]:
            conv.bias.data[...] = weights[1]
        self.layers.append(conv)
        self.activation(layer, c.get("activation"))
        out = [(n + a + b - (k - 1) * d - 1) // s + 1 for n, (a, b), k, s, d in
               zip(spatial, pads, c["kernel_size"], c["strides"], c.get("dilation_rate", (1,) * nd))]
        self.shape = tuple(out) + (c["filters"],)

    def Conv2D(self, layer, c):
        self._conv(layer, c, 2)

    def Conv1D(self, layer, c):
        self._conv(layer, c, 1)

    def _pool(self, layer, c, nd, kind):
        if c.get("data_format", "channels_last") != "channels_last":
            self.fail(layer, "only channels_last models are read")
        size = tuple(c["pool_size"])
        strides = tuple(c["strides"] or size)
        pads = self._conv_pads(layer, {**c, "kernel_size": size, "strides": strides}, self.shape[:nd])
        if any(p != (0, 0) for p in pads):
            self.fail(layer, "padding='same' that pads (neuronet pools pad both sides alike)")
        self.to_channels_first()
        cls = {("max", 2): nn.MaxPool2D, ("avg", 2): nn.AvgPool2D, ("max", 1): nn.MaxPool1D,
               ("avg", 1): nn.AvgPool1D}[(kind, nd)]
        self.layers.append(cls(size if nd == 2 else size[0], strides=strides if nd == 2 else strides[0]))
        out = [(n - k) // s + 1 for n, k, s in zip(self.shape[:nd], size, strides)]
        self.shape = tuple(out) + (self.shape[-1],)

    def MaxPooling2D(self, layer, c):
        self._pool(layer, c, 2, "max")

    def AveragePooling2D(self, layer, c):
        self._pool(layer, c, 2, "avg")

    def MaxPooling1D(self, layer, c):
        self._pool(layer, c, 1, "max")

    def AveragePooling1D(self, layer, c):
        self._pool(layer, c, 1, "avg")

    def _global(self, layer, c, kind):
        if c.get("keepdims"):
            self.fail(layer, "keepdims=True")
        self.to_channels_first()
        nd = len(self.shape) - 1
        cls = {("avg", 2): nn.GlobalAvgPool2D, ("max", 2): nn.GlobalMaxPool2D, ("avg", 1): nn.GlobalAvgPool1D,
               ("max", 1): nn.GlobalMaxPool1D}[(kind, nd)]
        self.layers.append(cls())
        self.channels_first = False
        self.shape = (self.shape[-1],)

    def GlobalAveragePooling2D(self, layer, c):
        self._global(layer, c, "avg")

    def GlobalMaxPooling2D(self, layer, c):
        self._global(layer, c, "max")

    def GlobalAveragePooling1D(self, layer, c):
        self._global(layer, c, "avg")

    def GlobalMaxPooling1D(self, layer, c):
        self._global(layer, c, "max")

    def Flatten(self, layer, c):
        self.to_channels_last()
        self.layers.append(nn.Flatten())
        self.shape = (int(np.prod(self.shape)),)

    def BatchNormalization(self, layer, c):
        axis = c.get("axis", -1)
        axis = axis[0] if isinstance(axis, list) else axis
        if axis not in (-1, len(self.shape)):
            self.fail(layer, f"normalising axis {axis} (only the channel axis, -1)")
        if len(self.shape) == 2 and not self.channels_first:
            self.fail(layer, "batch normalisation of sequences (N, T, F)")
        if len(self.shape) in (2, 3):
            self.to_channels_first()
        bn = (nn.BatchNorm2D if len(self.shape) == 3 else nn.BatchNorm1D)(
            self.shape[-1], momentum=1.0 - c["momentum"], eps=c["epsilon"])
        weights = iter(self.vars(c["name"]))
        bn.weight.data[...] = next(weights) if c.get("scale", True) else 1.0
        bn.bias.data[...] = next(weights) if c.get("center", True) else 0.0
        bn.running_mean[...] = next(weights)
        bn.running_var[...] = next(weights)
        self.layers.append(bn)

    def LayerNormalization(self, layer, c):
        axis = c.get("axis", -1)
        if axis not in (-1, [-1], len(self.shape), [len(self.shape)]):
            self.fail(layer, f"normalising axis {axis} (only the last axis)")
        self.to_channels_last()
        ln = nn.LayerNorm(self.shape[-1], eps=c["epsilon"])
        weights = iter(self.vars(c["name"]))
        ln.weight.data[...] = next(weights) if c.get("scale", True) else 1.0
        ln.bias.data[...] = next(weights) if c.get("center", True) else 0.0
        self.layers.append(ln)

    def Dropout(self, layer, c):
        self.layers.append(nn.Dropout(c["rate"]))

    def Activation(self, layer, c):
        self.activation(layer, c["activation"])

    def ReLU(self, layer, c):
        if c.get("max_value") is not None or c.get("threshold", 0) or c.get("negative_slope", 0):
            self.fail(layer, "ReLU with max_value, threshold or negative_slope")
        self.layers.append(nn.ReLU())

    def Softmax(self, layer, c):
        self.layers.append(nn.Softmax())

    def Embedding(self, layer, c):
        if c.get("mask_zero"):
            self.fail(layer, "mask_zero=True (masked sequences are not imported yet)")
        emb = nn.Embedding(c["input_dim"], c["output_dim"])
        emb.weight.data[...] = self.vars(c["name"])[0]
        self.layers.append(emb)
        self.shape = self.shape + (c["output_dim"],)

    def _recurrent(self, layer, c, weights):
        kind = layer["class_name"]
        if c.get("activation", "tanh") != "tanh" and kind != "SimpleRNN":
            self.fail(layer, f"activation {c['activation']!r} (neuronet's {kind} uses tanh)")
        if kind != "SimpleRNN" and c.get("recurrent_activation", "sigmoid") != "sigmoid":
            self.fail(layer, f"recurrent_activation {c['recurrent_activation']!r}")
        if c.get("stateful") or c.get("unroll") or c.get("return_state"):
            self.fail(layer, "stateful, unroll or return_state")
        units = c["units"]
        common = dict(return_sequences=c.get("return_sequences", False), go_backwards=c.get("go_backwards", False),
                      use_bias=c.get("use_bias", True))
        if kind == "LSTM":
            rnn = nn.LSTM(units, **common)
        elif kind == "GRU":
            rnn = nn.GRU(units, reset_after=c.get("reset_after", True), **common)
        elif kind == "SimpleRNN":
            rnn = nn.SimpleRNN(units, activation=c.get("activation", "tanh"), **common)
        else:
            self.fail(layer, "unsupported recurrent layer")
        rnn.build((None,) + self.shape)
        kernel, recurrent = weights[0], weights[1]
        bias = weights[2] if common["use_bias"] else None
        if kind == "GRU":  # Keras (z, r, h) → PyTorch (r, z, n)
            order = [1, 0, 2]
            reorder = lambda a: np.concatenate([np.split(a, 3, axis=-1)[i] for i in order], axis=-1)  # noqa: E731
            kernel, recurrent = reorder(kernel), reorder(recurrent)
            bias = None if bias is None else reorder(bias)
        rnn.weight_ih_l0.data[...] = kernel.T
        rnn.weight_hh_l0.data[...] = recurrent.T
        if bias is not None:
            if bias.ndim == 2:  # GRU reset_after: (input bias, recurrent bias)
                rnn.bias_ih_l0.data[...], rnn.bias_hh_l0.data[...] = bias[0], bias[1]
            else:
                rnn.bias_ih_l0.data[...] = bias
                rnn.bias_hh_l0.data[...] = 0.0
        return rnn

    def LSTM(self, layer, c):
        self._add_recurrent(layer, c)

    GRU = SimpleRNN = LSTM

    def _add_recurrent(self, layer, c):
        self.to_channels_last()
        rnn = self._recurrent(layer, c, self.vars(c["name"], "cell"))
        self.layers.append(rnn)
        self.shape = (self.shape[0], c["units"]) if c.get("return_sequences") else (c["units"],)

    def Bidirectional(self, layer, c):
        if c.get("merge_mode", "concat") not in ("concat", "sum", "mul", "ave"):
            self.fail(layer, f"merge_mode {c.get('merge_mode')!r}")
        inner = c["layer"]
        self.to_channels_last()
        name = c["name"]
        forward = self._recurrent(inner, inner["config"], self.vars(name, "forward_layer", "cell"))
        back_cfg = dict(c.get("backward_layer", inner)["config"])
        backward = self._recurrent(inner, back_cfg, self.vars(name, "backward_layer", "cell"))
        bi = nn.Bidirectional(type(forward)(inner["config"]["units"]), merge_mode=c.get("merge_mode", "concat"))
        bi.forward_layer, bi.backward_layer = forward, backward
        backward.go_backwards = True
        bi.built = True
        self.layers.append(bi)
        units = inner["config"]["units"] * (2 if c.get("merge_mode", "concat") == "concat" else 1)
        self.shape = (self.shape[0], units) if inner["config"].get("return_sequences") else (units,)

    def Reshape(self, layer, c):
        self.to_channels_last()
        self.layers.append(nn.Reshape(tuple(c["target_shape"])))
        self.shape = tuple(c["target_shape"])


def _read(path):
    path = os.fspath(path)
    if not path.endswith(".keras"):
        raise ValueError(f"load_keras_model: {path!r} is not a Keras 3 archive (.keras); for .weights.h5 files "
                         "use load_keras_weights")
    try:
        with zipfile.ZipFile(path) as z:
            config = json.loads(z.read("config.json"))
            weights = z.read("model.weights.h5")
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as e:
        raise ValueError(f"load_keras_model: {path} is not a readable Keras archive: {e}") from None
    return config, weights


def load_keras_model(path):
    """A neuronet ``Sequential`` that computes what the Keras 3 model saved in ``path`` computes.

    Example::

        model = nt.keras.load_keras_model("course_model.keras")   # trained in Keras
        model.predict(x_test)                                      # the same predictions, NHWC input too
    """
    config, weights = _read(path)
    if config.get("class_name") != "Sequential":
        raise ValueError(f"load_keras_model: {path}: a {config.get('class_name')} model; only Sequential models "
                         "are read yet")
    h5py = _h5py()
    with h5py.File(io.BytesIO(weights), "r") as f:
        layers = config["config"]["layers"]
        builder = _Builder(os.fspath(path), f, _weight_keys([l for l in layers if l["class_name"] != "InputLayer"]))
        for layer in layers:
            method = getattr(builder, layer["class_name"], None)
            if method is None or layer["class_name"].startswith("_"):
                raise ValueError(f"load_keras_model: {path}: layer {layer['config'].get('name')!r} "
                                 f"({layer['class_name']}) has no neuronet counterpart yet")
            if builder.shape is None and layer["class_name"] != "InputLayer":
                build = layer.get("build_config", {}).get("input_shape")
                if build is None:
                    builder.fail(layer, "the model has no input shape (build it or give it an Input before saving)")
                builder.shape = tuple(build[1:])
            method(layer, layer["config"])
        model = Sequential(builder.layers)
    model.eval()
    return model
