"""One-file model checkpoints: architecture (JSON), weights, optimizer state, training position.

The file is safetensors (``nt.save``): tensors ``model/<name>`` and ``optimizer/<path>``, and
string metadata holding JSON for the architecture, the compile settings, the optimizer's
non-array state, the epoch reached and the random generator's state, so that ``fit`` resumed
from a loaded model continues exactly where it stopped.  Loading never executes code.
"""
from __future__ import annotations

import json

from .. import backend
from ..backend import np
from ..nn.module import Module

__all__ = ["save_model", "load_model"]

FORMAT = "neuronet.model/1"


def save_model(model, path, include_optimizer: bool = True) -> None:
    """Write ``model`` to ``path`` (atomically): see the module docstring for the contents."""
    from ..io import save
    spec = getattr(model, "_input_spec", None)
    if spec is None and any(not m.built for m in model.modules()):
        raise ValueError(f"save: {type(model).__name__} is not built yet; train it, call it once, "
                         "or call model.build(input_shape) first")
    tensors = {f"model/{k}": backend.to_numpy(v) for k, v in model.state_dict().items()}
    meta = {
        "format": FORMAT,
        "architecture": json.dumps(model.get_config()),
        "input_spec": json.dumps(spec),
        "epochs_done": json.dumps(getattr(model, "epochs_done", 0)),
    }
    own = getattr(model, "random_generator", None)  # the model's own generator, else the shared one
    meta["rng_state"] = json.dumps((own if own is not None else backend.get_rng()).bit_generator.state)
    if own is not None:
        meta["own_generator"] = "true"
    if getattr(model, "compiled", False):
        meta["compile"] = json.dumps(model._compile_config)
        opt = getattr(model, "optimizer", None)
        if include_optimizer and opt is not None:
            arrays, opt_meta = opt.flat_state()
            meta["optimizer"] = json.dumps(opt_meta)
            tensors.update({f"optimizer/{k}": v for k, v in arrays.items()})
    history = getattr(model, "history", None)
    if history is not None and getattr(history, "history", None):
        meta["history"] = json.dumps({"epoch": history.epoch, "history": history.history})
    save(tensors, path, metadata=meta)


def load_model(path, custom_objects: dict | None = None, compile: bool = True):
    """Rebuild a model saved by ``model.save(path)``: architecture, weights, compile settings,
    optimizer state, history and random-generator state.

    Args:
        custom_objects: ``{"ClassName": cls}`` for layers or models defined outside neuronet.
        compile: re-compile with the saved settings and restore the optimizer state.
    """
    from ..io import load, load_metadata
    meta = load_metadata(path)
    if meta.get("format") != FORMAT:
        raise ValueError(f"load_model: {path} is not a neuronet model file (format {meta.get('format')!r}); "
                         "for a state dict use nt.load(path)")
    tensors = load(path)
    model = Module.from_config(json.loads(meta["architecture"]), custom_objects)
    spec = json.loads(meta["input_spec"])
    if spec is not None:  # build the lazy layers with one dummy forward of the saved input shape
        model._check_inputs_fit_model(tuple(np.zeros((2, *shape), dtype=np.dtype(dt)) for shape, dt in spec),
                                      "load_model")
    state = {k[len("model/"):]: v for k, v in tensors.items() if k.startswith("model/")}
    model.load_state_dict(state)
    object.__setattr__(model, "epochs_done", json.loads(meta.get("epochs_done", "0")))
    if "rng_state" in meta:
        state = json.loads(meta["rng_state"])
        if meta.get("own_generator") == "true" and hasattr(model, "random_generator"):
            object.__setattr__(model, "random_generator", backend.generator_from_state(state))
        else:
            backend.get_rng().bit_generator.state = backend.generator_from_state(state).bit_generator.state
    if "history" in meta:
        from .history import History
        h = History()
        saved = json.loads(meta["history"])
        h.epoch, h.history = saved["epoch"], saved["history"]
        object.__setattr__(model, "history", h)
    if compile and "compile" in meta and hasattr(model, "compile"):
        cfg = json.loads(meta["compile"])
        if cfg["optimizer"] is None or cfg["loss"] is None:
            return model  # compiled with objects: the user compiles again
        model.compile(optimizer=cfg["optimizer"], loss=cfg["loss"], metrics=cfg["metrics"],
                      learning_rate=cfg["learning_rate"], clipnorm=cfg["clipnorm"], clipvalue=cfg["clipvalue"])
        if "optimizer" in meta:
            model._make_optimizer()
            arrays = {k[len("optimizer/"):]: v for k, v in tensors.items() if k.startswith("optimizer/")}
            model.optimizer.load_flat_state(arrays, json.loads(meta["optimizer"]))
    return model

