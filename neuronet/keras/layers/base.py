"""What every ``neuronet.keras`` layer adds to the neuronet layer it extends.

- Keras's common arguments: ``name`` (unique, snake_case like ``dense_1`` when not given),
  ``trainable``, ``input_shape``/``input_dim`` (a first layer of a Sequential builds the model);
- calls on KerasTensors are recorded for the functional API (``graph.py``);
- ``get_weights``/``set_weights`` in **Keras's layout** (Dense kernel (in, out), Conv2D kernel
  (kh, kw, in, out), one LSTM bias, ...), so numbers copied from a Keras notebook load; the
  parameters themselves stay neuronet's (PyTorch layout: ``weight`` (out, in), ...), which
  ``state_dict()`` and a PyTorch-style loop see.
"""
from __future__ import annotations

import collections
import re

from ...backend import np
from ..graph import call_symbolic, is_symbolic

__all__ = ["KerasLayer", "unique_name"]

_counts: collections.Counter = collections.Counter()


def unique_name(prefix: str) -> str:
    """``dense``, then ``dense_1``, ``dense_2``, ... as Keras names layers."""
    n = _counts[prefix]
    _counts[prefix] += 1
    return prefix if n == 0 else f"{prefix}_{n}"


def snake(name: str) -> str:
    """Keras's layer-name prefix: ``Conv2D`` → ``conv2d``, ``MaxPooling2D`` → ``max_pooling2d``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


class KerasLayer:
    """Mixin placed before a neuronet layer class: ``class Dense(KerasLayer, nn.Dense)``.

    Example:
        >>> from neuronet.keras import layers
        >>> dense = layers.Dense(4)  # a neuronet Dense with Keras's constructor and names
        >>> isinstance(dense, layers.KerasLayer), isinstance(dense, nt.nn.Dense)
        (True, True)
    """

    #: keyword arguments every Keras layer takes
    BASE_ARGS = ("name", "trainable", "input_shape", "input_dim", "dtype", "batch_input_shape", "batch_size")

    def _keras_base(self, kwargs) -> None:
        """Take Keras's common arguments out of ``kwargs``; anything else left is an error."""
        unknown = sorted(set(kwargs) - set(self.BASE_ARGS))
        if unknown:
            raise TypeError(f"{type(self).__name__}: unexpected argument(s) {unknown}")
        name = kwargs.get("name")
        if name is not None and (not isinstance(name, str) or not name):
            raise ValueError(f"{type(self).__name__}: name must be a non-empty string, got {name!r}")
        object.__setattr__(self, "name", name or unique_name(snake(type(self).__name__)))
        self.trainable = bool(kwargs.get("trainable", True))
        shape = kwargs.get("input_shape")
        if shape is None and kwargs.get("batch_input_shape") is not None:
            shape = tuple(kwargs["batch_input_shape"])[1:]
        if shape is None and kwargs.get("input_dim") is not None:
            shape = (kwargs["input_dim"],)
        self.keras_input_shape = None if shape is None else ((shape,) if isinstance(shape, int) else tuple(shape))

    def __call__(self, *args, **kwargs):
        if is_symbolic(args, kwargs):
            return call_symbolic(self, args, kwargs)
        return super().__call__(*args, **kwargs)

    def get_config(self) -> dict:
        cfg = super().get_config()
        cfg["config"]["name"] = self.name  # a rebuilt model keeps its layer names
        return cfg

    # --- weights in Keras's layout ---------------------------------------------------------------
    def keras_weights(self):
        """(parameter or buffer name, to_keras, from_keras) for each Keras weight, in Keras's order.
        The default: every parameter and buffer as it is."""
        names = [n for n, _ in self.named_parameters()] + [n for n, _ in self.named_buffers()
                                                            if not n.endswith("num_batches_tracked")]
        return [(n, None, None) for n in names]

    def _tensor(self, name):
        obj = self
        for part in name.split("."):
            obj = getattr(obj, part)
        return obj

    def get_weights(self) -> list:
        """This layer's weights as NumPy arrays in Keras's layout and order (copies)."""
        from ... import backend
        out = []
        for name, to_keras, _ in self.keras_weights():
            t = self._tensor(name)
            a = backend.to_numpy(t.data if hasattr(t, "data") and not isinstance(t, np.ndarray) else t)
            out.append(np.array(a if to_keras is None else to_keras(a)))
        return out

    def set_weights(self, weights) -> None:
        """Load arrays in Keras's layout and order (as ``get_weights`` returns them)."""
        spec = self.keras_weights()
        weights = list(weights)
        if len(weights) != len(spec):
            raise ValueError(f"{self.name}.set_weights: expected {len(spec)} arrays "
                             f"({', '.join(n for n, _, _ in spec)}), got {len(weights)}")
        from ...nn.module import _loadable
        updates = []
        for (name, _, from_keras), w in zip(spec, weights):
            t = self._tensor(name)
            target = t.data if hasattr(t, "data") and not isinstance(t, np.ndarray) else t
            w = np.asarray(w)
            value = w if from_keras is None else from_keras(w)
            if tuple(value.shape) != tuple(target.shape):
                keras_shape = tuple(w.shape)
                expected = target.shape if from_keras is None else \
                    self.get_weights()[[n for n, _, _ in spec].index(name)].shape
                raise ValueError(f"{self.name}.set_weights: {name} expects shape {tuple(expected)} in Keras's "
                                 f"layout, got {keras_shape}")
            updates.append((t, _loadable(f"{self.name}.set_weights", name, "weight", value, target)))
        for t, value in updates:
            if hasattr(t, "data") and not isinstance(t, np.ndarray):
                t.data = value
            else:
                t[...] = value

    @property
    def weights(self) -> list:
        """The parameters (neuronet tensors, PyTorch layout)."""
        return list(self.parameters())
