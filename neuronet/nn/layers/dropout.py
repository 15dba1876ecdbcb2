"""Dropout layer: randomly silence inputs while training so units cannot co-adapt."""
from __future__ import annotations

from ...functional.dropout import dropout
from .base import _Layer

__all__ = ["Dropout"]


class Dropout(_Layer):
    """Zero each input with probability ``rate`` in training mode and scale the rest by
    1/(1 − rate) (inverted dropout); the identity in evaluation mode (``model.eval()``).

    Args:
        rate: fraction of inputs to drop, in [0, 1).
        p: PyTorch's name for ``rate`` (``Dropout(p=0.2)``); ``inplace`` is accepted for PyTorch
            code (the result is always a new array).

    Example:
        >>> drop = nt.nn.Dropout(0.5)
        >>> y = drop(nt.ones(1000))
        >>> sorted(set(y.numpy().tolist())), drop.eval()(nt.ones(2)).tolist()  # scaled by 1/(1-rate); identity in eval
        ([0.0, 2.0], [1.0, 1.0])
    """

    def __init__(self, rate: float = 0.5, *, p: float | None = None, inplace: bool = False):
        super().__init__()
        if p is not None:
            if rate != 0.5:
                raise ValueError(f"Dropout: give rate (Keras) or p (PyTorch), not both: rate={rate!r}, p={p!r}")
            rate = p
        self.inplace = bool(inplace)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise ValueError(f"Dropout: rate must be a probability in [0, 1), got {rate!r}")
        self.rate = float(rate)

    def forward(self, x):
        return dropout(x, self.rate, self.training)

    def extra_repr(self) -> str:
        return f"rate={self.rate}"
