"""Running a model for a picture: NumPy in, NumPy out, no graph, eval mode."""
from __future__ import annotations

import numpy as np

__all__ = ["predict", "dense_layers", "layer_outputs"]


def predict(model, x, batch_size: int = 4096) -> np.ndarray:
    """``model``'s outputs on ``x``: ``model.predict`` when it has one, else a forward pass without a graph."""
    from ..autograd import no_grad
    from ..tensor import tensor
    x = np.asarray(x, dtype=np.float32) if np.asarray(x).dtype.kind != "f" else np.asarray(x)
    if hasattr(model, "predict"):
        return np.asarray(model.predict(x, batch_size=batch_size))
    was = getattr(model, "training", None)
    if hasattr(model, "eval"):
        model.eval()
    try:
        with no_grad():
            return np.asarray(model(tensor(x)).numpy())
    finally:
        if was is not None:
            model.train(was)


def dense_layers(model):
    """The layers with a 2-D ``weight`` (out, in), in order: the MLP's fully connected layers."""
    return [m for m in model.modules() if m is not model and getattr(m, "weight", None) is not None
            and getattr(m.weight, "ndim", 0) == 2]


def layer_outputs(model, x):
    """Each top-level layer's output for the batch ``x`` (a list of (layer, array)), layer by layer."""
    from ..autograd import no_grad
    from ..tensor import tensor
    layers = list(model) if hasattr(model, "__iter__") else list(model.children())
    if not layers:
        raise ValueError(f"{type(model).__name__}: expected a layer stack (Sequential) to follow layer by layer")
    was = getattr(model, "training", None)
    model.eval()
    out = []
    try:
        with no_grad():
            h = tensor(np.asarray(x, dtype=np.float32) if np.asarray(x).dtype.kind != "f" else np.asarray(x))
            for layer in layers:
                h = layer(h)
                out.append((layer, h.numpy()))
    finally:
        if was is not None:
            model.train(was)
    return out
