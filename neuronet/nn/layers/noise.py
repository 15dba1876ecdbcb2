"""Noise layers that corrupt their input in training only (the denoising auto-encoder's input):
``Corruption(kind, level)`` for the three kinds of ``F.corrupt``, and Keras's ``GaussianNoise``."""
from __future__ import annotations

from ...functional.noise import CORRUPTIONS, corrupt
from .base import _Layer

__all__ = ["Corruption", "GaussianNoise"]


class Corruption(_Layer):
    """Gaussian (``level`` = σ), masking or salt-and-pepper (``level`` = fraction of inputs hit) noise
    on the input while training; the identity in evaluation mode.

    Example:
        >>> noisy = nt.nn.Corruption("masking", level=0.5)
        >>> y = noisy(nt.ones(1000))
        >>> bool(0.4 < y.numpy().mean() < 0.6), noisy.eval()(nt.ones(3)).tolist()  # clean in eval mode
        (True, [1.0, 1.0, 1.0])
    """

    def __init__(self, kind: str = "gaussian", level: float = 0.3, low: float = 0.0, high: float = 1.0):
        super().__init__()
        if kind not in CORRUPTIONS:
            raise ValueError(f"Corruption: kind must be one of {', '.join(map(repr, CORRUPTIONS))}, got {kind!r}")
        corrupt(0.0, kind, level, training=False)  # checks level now, not on the first batch
        self.kind, self.level, self.low, self.high = kind, float(level), float(low), float(high)

    def forward(self, x):
        return corrupt(x, self.kind, self.level, self.training, self.low, self.high)

    def extra_repr(self) -> str:
        return f"kind={self.kind!r}, level={self.level}"


class GaussianNoise(Corruption):
    """Keras's ``GaussianNoise(stddev)``: x + stddev·N(0, 1) while training, x otherwise.

    Example:
        >>> noise = nt.nn.GaussianNoise(0.1)
        >>> y = noise(nt.zeros(10000))
        >>> round(float(y.numpy().std()), 1), noise.eval()(nt.zeros(2)).tolist()
        (0.1, [0.0, 0.0])
    """

    def __init__(self, stddev: float):
        super().__init__("gaussian", stddev)
