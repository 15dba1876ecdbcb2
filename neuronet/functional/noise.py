"""Input corruption for denoising auto-encoders (Vincent et al. 2008): additive Gaussian noise,
masking noise (a fraction of inputs set to 0) and salt-and-pepper noise (a fraction set to the
minimum or the maximum), drawn from the seeded generator.  Every kind is y = x·k + a with a
random k and a, so one Function serves all three: dy/dx = k."""
from __future__ import annotations

from ..autograd import Function
from ..backend import array_module, get_rng

__all__ = ["corrupt", "CORRUPTIONS"]

CORRUPTIONS = ("gaussian", "masking", "salt_and_pepper")


def _noise(x, kind, level, low, high, xp):
    """The multiplier k (or None for 1) and the addend a (or None) of y = x·k + a."""
    rng = get_rng(xp)
    if kind == "gaussian":
        return None, (level * rng.standard_normal(x.shape)).astype(x.dtype, copy=False)
    hit = rng.random(x.shape) < level
    keep = (~hit).astype(x.dtype)
    if kind == "masking":
        return keep, None
    salt = rng.random(x.shape) < 0.5  # half of the hit inputs go to the maximum, half to the minimum
    return keep, (hit * xp.where(salt, high, low)).astype(x.dtype)


class Corrupt(Function):
    def __init__(self, kind, level, low, high):
        self.kind, self.level, self.low, self.high = kind, level, low, high

    def forward(self, x):
        xp = array_module(x)
        self.k, a = _noise(x, self.kind, self.level, self.low, self.high, xp)
        y = x if self.k is None else x * self.k
        return y + a if a is not None else y

    def backward(self, gy):
        return gy if self.k is None else gy * self.k  # d/dx (x·k + a) = k


def corrupt(x, kind: str = "gaussian", level: float = 0.3, training: bool = True, low: float = 0.0,
            high: float = 1.0):
    """x with noise of ``kind`` (``'gaussian'``: + level·N(0, 1); ``'masking'``: each input set to 0 with
    probability level; ``'salt_and_pepper'``: each input set to ``low`` or ``high`` (even odds) with
    probability level); x unchanged when ``training`` is False.

    Example:
        >>> x = nt.ones(1000)
        >>> y = F.corrupt(x, kind="masking", level=0.3)
        >>> bool(0.6 < y.numpy().mean() < 0.8), F.corrupt(x, training=False) is x
        (True, True)
    """
    if kind not in CORRUPTIONS:
        raise ValueError(f"corrupt: kind must be one of {', '.join(map(repr, CORRUPTIONS))}, got {kind!r}")
    level = float(level)
    if not (level >= 0.0 and (kind == "gaussian" or level <= 1.0)):
        raise ValueError(f"corrupt: level must be >= 0 ({'a standard deviation' if kind == 'gaussian' else 'and <= 1, a probability'}"
                         f" for {kind!r}), got {level}")
    if not training or level == 0.0:
        return x
    return Corrupt.apply(x, kind=kind, level=level, low=float(low), high=float(high))
