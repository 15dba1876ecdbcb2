"""Inverted dropout: zero each element with probability p while training, scale the rest by 1/(1−p)."""
from __future__ import annotations

from ..autograd import Function
from ..backend import array_module, get_rng, np

__all__ = ["dropout"]


class Dropout(Function):
    def __init__(self, p):
        self.p = p

    def forward(self, x):
        xp = array_module(x)
        uniform_dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.float32
        self.keep = get_rng(xp).random(x.shape, dtype=uniform_dtype) >= self.p
        self.scale = 1.0 / (1.0 - self.p)
        return x * self.keep * self.scale

    def backward(self, gy):
        return gy * self.keep * self.scale  # d/dx mask·x/(1−p) = mask/(1−p)


class DropAll(Function):
    def forward(self, x):
        self.shape, self.dtype = x.shape, x.dtype
        return array_module(x).zeros_like(x)

    def backward(self, gy):
        return array_module(gy).zeros(self.shape, self.dtype)  # d/dx 0 = 0


def dropout(x, p: float = 0.5, training: bool = True):
    """Inverted dropout: while ``training``, each element is zeroed with probability ``p`` and
    the survivors are multiplied by 1/(1−p), so the expectation is unchanged and evaluation
    needs no rescaling; with ``training=False`` (or p = 0) ``x`` is returned as it is.
    The mask comes from the seeded generator (``nt.manual_seed``) and is kept for backward.

    Example:
        >>> y = F.dropout(nt.ones(1000), p=0.5)
        >>> sorted(set(y.numpy().tolist())), F.dropout(nt.ones(3), 0.5, training=False).tolist()  # kept ones scaled by 2
        ([0.0, 2.0], [1.0, 1.0, 1.0])
    """
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating, np.integer)) or not 0 <= p <= 1:
        raise ValueError(f"dropout: p must be a probability in [0, 1], got {p!r}")
    if not training or p == 0:
        return x
    if p == 1:
        return DropAll.apply(x)  # the 1/(1−p) scale would be infinite: every element is dropped
    return Dropout.apply(x, p=float(p))

