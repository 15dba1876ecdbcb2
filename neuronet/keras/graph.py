"""The functional API's symbols: ``keras.Input`` and the KerasTensors that layers return for them.

``x = layers.Dense(8)(inputs)`` on a KerasTensor records a :class:`Node` (the layer, what it was
called on) instead of computing; ``keras.Model(inputs, outputs)`` replays the recorded nodes in
order on real tensors.  Each symbolic call runs the layer once on a batch of two zero samples (in
eval mode, without a graph) to build its lazy parameters and to learn the output's shape, as
Keras builds a layer when it is first called on a symbol.
"""
from __future__ import annotations

import itertools

from .. import backend
from ..autograd import no_grad
from ..backend import np
from ..tensor import Tensor

__all__ = ["KerasTensor", "Input", "Node", "is_symbolic"]

_UNKNOWN = 3  # stands for a None (variable) size in the probe batch


class KerasTensor:
    """A symbolic tensor: the shape (batch axis None) and dtype of what will flow here."""

    def __init__(self, shape, dtype, node=None, index=0, name=None):
        self.shape, self.dtype = tuple(shape), np.dtype(dtype)
        self.node, self.index, self.name = node, index, name

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        origin = f"from {self.node.layer.name}" if self.node is not None else f"Input {self.name!r}"
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype.name}, {origin}>"

    def zeros(self):
        """A batch of two zero samples of this shape (None sizes as 3), for a probe call."""
        shape = (2,) + tuple(_UNKNOWN if d is None else d for d in self.shape[1:])
        return Tensor(np.zeros(shape, dtype=self.dtype), dtype=self.dtype)


class Node:
    """One call of ``layer`` on symbols: ``args``/``kwargs`` hold KerasTensors (also inside lists)."""

    def __init__(self, layer, args, kwargs, outputs):
        self.layer, self.args, self.kwargs, self.outputs = layer, args, kwargs, outputs

    def inputs(self):
        return [t for t in _flatten((self.args, self.kwargs)) if isinstance(t, KerasTensor)]


_input_count = itertools.count(1)


def Input(shape=None, batch_size=None, dtype=None, name=None, batch_shape=None):
    """A symbolic model input of per-sample ``shape`` (Keras's ``keras.Input``); images are
    channels-last, ``(height, width, channels)``.  ``dtype``: the default float dtype unless given
    ("int64" for token ids).

    Example:
        >>> from neuronet import keras
        >>> inputs = keras.Input(shape=(4,))
        >>> outputs = keras.layers.Dense(2)(keras.layers.Dense(8, activation="relu")(inputs))
        >>> keras.Model(inputs, outputs)(np.ones((3, 4), np.float32)).shape
        (3, 2)
    """
    if batch_shape is not None:
        shape = tuple(batch_shape)[1:]
    if shape is None:
        raise ValueError("keras.Input: shape is required, e.g. keras.Input(shape=(784,))")
    if isinstance(shape, int):
        shape = (shape,)
    shape = tuple(shape)
    for d in shape:
        if d is not None and (isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1):
            raise ValueError(f"keras.Input: shape must hold positive integers or None, got {shape!r}")
    dtype = backend.get_default_dtype() if dtype is None else np.dtype(dtype)
    return KerasTensor((None, *shape), dtype, name=name or f"input_{next(_input_count)}")


def _flatten(value):
    stack, out = [value], []
    while stack:
        v = stack.pop()
        if isinstance(v, (list, tuple)):
            stack.extend(reversed(v))
        elif isinstance(v, dict):
            stack.extend(reversed(list(v.values())))
        else:
            out.append(v)
    return out


def is_symbolic(args, kwargs) -> bool:
    """Whether a call's arguments hold a KerasTensor (then the call is recorded, not computed)."""
    return any(isinstance(v, KerasTensor) for v in _flatten((args, kwargs)))


def replace(value, lookup):
    """``value`` with every KerasTensor swapped for ``lookup(tensor)`` (lists and dicts kept)."""
    if isinstance(value, KerasTensor):
        return lookup(value)
    if isinstance(value, (list, tuple)):
        return type(value)(replace(v, lookup) for v in value)
    if isinstance(value, dict):
        return {k: replace(v, lookup) for k, v in value.items()}
    return value


def call_symbolic(layer, args, kwargs):
    """Record ``layer(*args, **kwargs)`` on KerasTensors: build the layer with a probe batch and
    return KerasTensors of its outputs' shapes."""
    probe_args = replace(args, KerasTensor.zeros)
    probe_kwargs = replace(kwargs, KerasTensor.zeros)
    was = layer.training
    layer.eval()
    try:
        with no_grad():
            out = layer(*probe_args, **probe_kwargs)
    except (ValueError, TypeError) as e:
        shapes = ", ".join(str(t.shape) for t in _flatten((args, kwargs)) if isinstance(t, KerasTensor))
        raise type(e)(f"{getattr(layer, 'name', type(layer).__name__)}: cannot be called on inputs of shape "
                      f"{shapes}: {e}") from e
    finally:
        layer.train(was)
        from ..train.callbacks import reset_states
        reset_states(layer)
    many = isinstance(out, (list, tuple))
    node = Node(layer, args, kwargs, [])
    for i, o in enumerate(out if many else [out]):
        node.outputs.append(KerasTensor((None, *o.shape[1:]), o.data.dtype, node, i))
    return list(node.outputs) if many else node.outputs[0]
