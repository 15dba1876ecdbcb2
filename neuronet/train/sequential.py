"""``nt.Sequential`` — which is also ``nt.nn.Sequential``: one stack of layers with the Keras training API.

The layer stack itself (running layers in order, fusing, indexing, ``add``) is
``neuronet/nn/sequential.py``; this subclass adds ``compile``/``fit``/``evaluate``/``predict``
from :class:`~neuronet.train.Model`.  So that a user never meets two ``Sequential`` classes, the
name ``nt.nn.Sequential`` is bound to this class when ``neuronet.train`` is imported, which
``import neuronet`` always does: ``nt.nn.Sequential is nt.Sequential``, PyTorch's varargs
(``nn.Sequential(a, b)``) and Keras's list (``Sequential([a, b])``) both work, and a model
saved from either loads as this class.  The layering holds: ``nn/`` never imports ``train/``;
layers that need a stack inside themselves (the Transformer's layer list) use the plain one.
"""
from __future__ import annotations

from .. import nn as _nn
from ..backend import np
from ..nn.module import register_module
from ..nn.sequential import Sequential as _LayerStack
from .model import Model
from .summary import default_input_dtype

__all__ = ["Sequential"]


@register_module
class Sequential(_LayerStack, Model):
    """Layers applied in order, trainable with ``compile``/``fit``/``evaluate``/``predict`` or a
    hand-written loop.

    Example:
        >>> model = nt.Sequential([nt.nn.Dense(16, activation="tanh"), nt.nn.Dense(1, activation="sigmoid")])
        >>> _ = model.compile(optimizer="adam", loss="binary_cross_entropy", metrics=["accuracy"])
        >>> x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
        >>> _ = model.fit(x, np.array([[0], [1], [1], [0]], np.float32), epochs=3, verbose=0)
        >>> model.predict(x).shape, model.count_params()
        ((4, 1), 65)
    """

    def build(self, input_shape, dtype=None) -> None:
        """Create every lazy layer's parameters from ``input_shape`` (batch size ignored, e.g.
        ``(None, 784)``); ``dtype`` of the dummy input: the default float dtype, or ``"int64"`` when
        the first layer is an Embedding."""
        if not input_shape or any(d is None for d in input_shape[1:]):
            raise ValueError(f"Sequential.build: expected an input shape (batch, ...) with every size after the "
                             f"batch known, got {input_shape!r}")
        dtype = default_input_dtype(self) if dtype is None else dtype
        self._check_inputs_fit_model((np.zeros((2, *input_shape[1:]), dtype=np.dtype(dtype)),), "build")
        self.built = True


_nn.Sequential = Sequential  # one Sequential (see the module docstring)
