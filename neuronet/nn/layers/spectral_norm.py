"""Spectral normalisation (Miyato et al. 2018): divide a layer's weight by its largest singular value
σ(W), estimated by power iteration, so the layer is 1-Lipschitz — the GAN discriminator stays
smooth and training stable.  ``SpectralNorm(layer)`` wraps any layer with a ``weight``
(Dense, Conv2D, Conv2DTranspose, ...), as ``torch.nn.utils.parametrizations.spectral_norm`` does.
"""
from __future__ import annotations

from ... import backend
from ...backend import np
from ...checks import positive_int
from .base import _Layer

__all__ = ["SpectralNorm"]


def _normalize(v, eps):
    return v / max(float(np.sqrt((v * v).sum())), eps)


class SpectralNorm(_Layer):
    """``layer`` with its weight replaced by W / σ(W) on every call.

    σ(W) = uᵀ W v for the singular vectors u, v that ``n_power_iterations`` steps of power iteration
    on W (viewed as (dim 0, rest), or (dim 1, rest) for a transposed convolution, as PyTorch) refine on
    each training call; u and v are saved buffers and constants for the gradient, which flows through
    σ's dependence on W (PyTorch's rule).  In evaluation mode u and v stay as they are.

    Example:
        >>> layer = nt.nn.SpectralNorm(nt.nn.Dense(4, in_features=4), n_power_iterations=20)
        >>> y = layer(nt.randn(2, 4))
        >>> round(float(np.linalg.norm(layer.layer.weight.numpy() / layer.sigma(), 2)), 2)  # largest singular value 1
        1.0
    """

    def __init__(self, layer, n_power_iterations: int = 1, eps: float = 1e-12):
        super().__init__()
        if not hasattr(layer, "weight"):
            raise TypeError(f"SpectralNorm: the wrapped layer must have a weight, got {type(layer).__name__}")
        self.layer = layer
        self.n_power_iterations = positive_int("SpectralNorm", "n_power_iterations", n_power_iterations)
        self.eps = float(eps)
        self.register_buffer("u", None)
        self.register_buffer("v", None)
        self.built = False

    def _dim(self) -> int:
        return 1 if getattr(self.layer, "transposed", False) else 0

    def _matrix(self, w):
        """W as the matrix whose norm is normalised: rows are output channels."""
        d = self._dim()
        if d:
            w = w.swapaxes(0, 1)
        return w.reshape(w.shape[0], -1)

    def build(self, input_shape) -> None:
        """Build the wrapped layer, then start v from a random unit vector refined by 15 power steps (as PyTorch)."""
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True
        w = self._matrix(self.layer.weight.data)
        xp = backend.array_module(w)
        v = backend.get_rng(xp).standard_normal(w.shape[1]).astype(w.dtype)
        self.u, self.v = xp.zeros(w.shape[0], w.dtype), _normalize(v, self.eps)
        self._power(w, 15)
        self.built = True

    def _power(self, w, steps):
        v = self.v
        for _ in range(steps):  # u = normalise(Wv), v = normalise(Wᵀu): PyTorch's order
            u = _normalize(w @ v, self.eps)
            v = _normalize(w.T @ u, self.eps)
        self.u, self.v = u, v

    def sigma(self):
        """σ(W) = uᵀ W v as a tensor in the graph of the layer's weight."""
        from ...tensor import Tensor
        w = self._matrix(self.layer.weight)
        return ((w @ Tensor(self.v)) * Tensor(self.u)).sum()

    def forward(self, *args, **kwargs):
        if self.training:
            self._power(self._matrix(self.layer.weight.data), self.n_power_iterations)
        weight = self.layer.weight
        normalized = weight * (1.0 / self.sigma())
        object.__setattr__(self.layer, "weight", normalized)  # the layer computes with W/σ this call
        try:
            return self.layer(*args, **kwargs)
        finally:
            object.__setattr__(self.layer, "weight", weight)

    def extra_repr(self) -> str:
        return f"n_power_iterations={self.n_power_iterations}"

