"""Keras 3 model files into neuronet: ``load_keras_model("model.keras")``.

A ``.keras`` file is a zip of ``config.json`` (the architecture) and ``model.weights.h5`` (the
weights; read with h5py, an optional dependency).  The architecture is rebuilt from
``neuronet.keras`` layers — the same class names and arguments, channels-last like Keras — as a
``keras.Sequential`` or, for the functional API, a ``keras.Model`` wired as the file's graph
(several inputs and outputs, shared layers); each layer's weights go in through
``set_weights``, which takes Keras's layouts and turns them into PyTorch's.  A layer neuronet
cannot express, or an argument it does not take, is a ValueError naming the layer.  Nothing is
unpickled.
"""
from __future__ import annotations

import inspect
import io
import json
import os
import re
import zipfile

import numpy as np

__all__ = ["load_keras_model"]

# constructor arguments Keras writes that describe training-time details neuronet sets its own way
_IGNORED = {"dtype", "kernel_initializer", "bias_initializer", "recurrent_initializer", "embeddings_initializer",
            "beta_initializer", "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer",
            "kernel_regularizer", "bias_regularizer", "activity_regularizer", "recurrent_regularizer",
            "embeddings_regularizer", "beta_regularizer", "gamma_regularizer", "kernel_constraint",
            "bias_constraint", "recurrent_constraint", "embeddings_constraint", "beta_constraint",
            "gamma_constraint", "quantization_config", "lora_rank", "lora_alpha", "seed", "synchronized",
            "renorm", "renorm_clipping", "renorm_momentum", "build_config", "compile_config", "sparse", "ragged",
            "zero_output_for_mask"}  # (what masked steps output: no mask reaches an imported model)
# arguments whose default is harmless to drop, with the values that mean "the default"
_DEFAULTS = {"data_format": ("channels_last", None), "unroll": (False,), "stateful": (False,),
             "time_major": (False,), "go_backwards": (False,), "return_state": (False,), "noise_shape": (None,),
             "autocast": (True,), "rms_scaling": (False,)}


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError("load_keras_model needs h5py to read Keras weights: pip install 'neuronet[keras]'") from None
    return h5py


def _snake(name: str) -> str:
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _weight_keys(layers) -> dict:
    """Keras's names for the layers' weight groups: the class name in snake case, numbered from the
    second layer of a class on ("dense", "dense_1", …) — not the layers' own names (saving_lib)."""
    used, keys = {}, {}
    for layer in layers:
        key = _snake(layer["class_name"])
        if key in used:
            used[key] += 1
            key = f"{key}_{used[key]}"
        else:
            used[key] = 0
        keys[layer["config"]["name"]] = key
    return keys


def _arrays(group) -> list:
    """A layer's weights in Keras's order: its own variables, then its cell's, then a
    Bidirectional's forward and backward layers'."""
    out = [np.asarray(group["vars"][str(i)]) for i in range(len(group["vars"]))] if "vars" in group else []
    for sub in ("cell", "forward_layer", "backward_layer"):
        if sub in group:
            out += _arrays(group[sub])
    return out


class _Reader:
    def __init__(self, path):
        self.path = path
        from . import layers
        self.layers = layers

    def fail(self, cfg, why):
        raise ValueError(f"load_keras_model: {self.path}: layer {cfg['config'].get('name')!r} "
                         f"({cfg['class_name']}): {why}")

    def layer(self, cfg):
        """The neuronet.keras layer a config describes."""
        cls = getattr(self.layers, cfg["class_name"], None)
        if cls is None or not isinstance(cls, type):
            self.fail(cfg, "has no neuronet counterpart yet")
        params = inspect.signature(cls.__init__).parameters
        takes_any = any(p.kind == p.VAR_KEYWORD for p in params.values())
        kwargs = {}
        for key, value in cfg["config"].items():
            if key in _IGNORED or (key in _DEFAULTS and value in _DEFAULTS[key]):
                continue
            if key in ("layer", "backward_layer"):
                value = self.layer(value)
            elif isinstance(value, dict):
                self.fail(cfg, f"argument {key}={value.get('class_name', value)!r} is an object neuronet does not read")
            if key not in params and not takes_any:  # (with **kwargs the constructor itself refuses)
                self.fail(cfg, f"argument {key}={value!r} is not taken by neuronet's {cfg['class_name']}")
            if key == "axis" and isinstance(value, list) and len(value) == 1:
                value = value[0]  # Keras writes LayerNormalization's axis as a list
            kwargs[key] = tuple(value) if isinstance(value, list) else value
        if cfg["class_name"] == "Bidirectional" and "backward_layer" in kwargs:
            kwargs.pop("backward_layer")  # built by Bidirectional itself as the forward layer's mirror
        try:
            return cls(**kwargs)
        except (TypeError, ValueError) as e:
            self.fail(cfg, str(e))


def _read(path):
    path = os.fspath(path)
    if not path.endswith(".keras"):
        raise ValueError(f"load_keras_model: {path!r} is not a Keras 3 archive (.keras)")
    try:
        with zipfile.ZipFile(path) as z:
            return json.loads(z.read("config.json")), z.read("model.weights.h5")
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as e:
        raise ValueError(f"load_keras_model: {path} is not a readable Keras archive: {e}") from None


def _input(cfg):
    from .graph import Input
    c = cfg["config"]
    return Input(batch_shape=tuple(c["batch_shape"]), dtype=c.get("dtype"), name=c["name"])


def _sequential(reader, layers):
    from .model import Sequential
    model = Sequential(name=None)
    built = {}
    for cfg in layers:
        if cfg["class_name"] == "InputLayer":
            model.add(_input(cfg))
            continue
        layer = reader.layer(cfg)
        shape = cfg.get("build_config", {}).get("input_shape")
        if not len(model.layers) and "InputLayer" not in [c["class_name"] for c in layers] and shape:
            model.add(_input({"config": {"batch_shape": shape, "name": "input"}}))
        model.add(layer)
        built[cfg["config"]["name"]] = layer
    return model, built


def _functional(reader, config):
    from .model import Model
    tensors, built = {}, {}
    pending = []
    for cfg in config["layers"]:
        name = cfg["config"]["name"]
        if cfg["class_name"] == "InputLayer":
            tensors[(name, 0, 0)] = _input(cfg)
            continue
        built[name] = reader.layer(cfg)
        pending += [(cfg, i, node) for i, node in enumerate(cfg.get("inbound_nodes", []))]

    def symbols(value):
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            key = tuple(value["config"]["keras_history"])
            if key not in tensors:
                raise KeyError(key)
            return tensors[key]
        if isinstance(value, list):
            return [symbols(v) for v in value]
        if isinstance(value, dict):
            return {k: symbols(v) for k, v in value.items()}
        return value
    while pending:  # call each layer once its inputs exist (a shared layer's later calls may wait)
        waiting = []
        for cfg, index, node in pending:
            try:
                args, kwargs = symbols(node.get("args", [])), symbols(node.get("kwargs", {}))
            except KeyError:
                waiting.append((cfg, index, node))
                continue
            out = built[cfg["config"]["name"]](*args, **kwargs)
            for j, t in enumerate(out if isinstance(out, (list, tuple)) else [out]):
                tensors[(cfg["config"]["name"], index, j)] = t
        if len(waiting) == len(pending):
            raise ValueError(f"load_keras_model: {reader.path}: the graph's layers {[c['config']['name'] for c, _, _ in waiting]} "
                             "take inputs no layer produces")
        pending = waiting

    def ends(spec):
        spec = spec if spec and isinstance(spec[0], list) else [spec]
        return [tensors[tuple(s)] for s in spec]
    inputs, outputs = ends(config["input_layers"]), ends(config["output_layers"])
    model = Model(inputs=inputs if len(inputs) > 1 else inputs[0],
                  outputs=outputs if len(outputs) > 1 else outputs[0], name=config.get("name"))
    return model, built


def load_keras_model(path):
    """The Keras 3 model saved in ``path`` as a ``neuronet.keras`` model with the same weights.

    Example:
        >>> model = nt.keras.load_keras_model("model_from_keras.keras")  # doctest: +SKIP
        >>> model.predict(x_test).shape  # doctest: +SKIP
        (10000, 10)
    """
    config, weights = _read(path)
    kind = config.get("class_name")
    if kind not in ("Sequential", "Functional", "Model"):
        raise ValueError(f"load_keras_model: {path}: a {kind} model; Sequential and functional models are read")
    reader = _Reader(os.fspath(path))
    layers = config["config"]["layers"]
    model, built = (_sequential(reader, layers) if kind == "Sequential" else _functional(reader, config["config"]))
    keys = _weight_keys([c for c in layers if c["class_name"] != "InputLayer"])
    with _h5py().File(io.BytesIO(weights), "r") as f:
        for cfg in layers:
            name = cfg["config"].get("name")
            if name not in built:
                continue
            key = keys[name]
            arrays = _arrays(f["layers"][key]) if key in f.get("layers", {}) else []
            if arrays or built[name].get_weights():
                try:
                    built[name].set_weights(arrays)
                except ValueError as e:
                    reader.fail(cfg, str(e))
    model.eval()
    return model
