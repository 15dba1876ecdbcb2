"""``nt.Sequential``: a stack of layers with the Keras training API."""
from __future__ import annotations

from ..nn.module import register_module
from ..nn.sequential import Sequential as _LayerStack
from .model import Model

__all__ = ["Sequential"]


@register_module
class Sequential(_LayerStack, Model):
    """Layers applied in order, trainable with ``compile``/``fit``/``evaluate``/``predict``.

    Example::

        model = nt.Sequential([
            nt.nn.Dense(64, activation="relu"),
            nt.nn.Dense(32, activation="relu"),
            nt.nn.Dense(10),
        ])
        model.compile(optimizer="sgd", loss="cross_entropy", metrics=["accuracy"])
    """

    def build(self, input_shape) -> None:
        Model.build(self, input_shape)
