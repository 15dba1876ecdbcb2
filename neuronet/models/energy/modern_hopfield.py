"""The modern (continuous) Hopfield network of Ramsauer et al. (2020), "Hopfield Networks is All You Need".

Stored patterns X (M, d) as rows; a state (query) ξ ∈ ℝ^d.  Energy and update:
    E(ξ) = -lse(β, X ξ) + ½ ξᵀξ + β⁻¹ log M + ½ max_μ ‖x_μ‖²,   lse(β, z) = β⁻¹ log Σ_μ e^{β z_μ}
    ξ_new = Xᵀ softmax(β X ξ)
The update never increases E and usually converges in one step; it is exactly scaled
dot-product attention with queries ξ, keys = values = X and scale β:
``F.scaled_dot_product_attention(ξ, X, X, scale=β)`` (:meth:`ModernHopfield.attention_update`).
With learned projections (queries R W_Q, keys Y W_K, values Y W_K W_V) it is the project's
attention layer; β = 1/√d_k gives the Transformer's scaling.
"""
from __future__ import annotations

import numpy as np

from ._units import as_matrix

__all__ = ["ModernHopfield"]


def _softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


class ModernHopfield:
    """A continuous Hopfield network with exponential storage capacity.

    Args:
        beta: inverse temperature; large β retrieves single patterns, small β averages them.

    Example:
        >>> patterns = np.sign(np.random.default_rng(0).standard_normal((20, 64)))  # 20 patterns, 64 units
        >>> net = nt.models.energy.ModernHopfield(beta=8.0).store(patterns)
        >>> noisy = patterns[:2] * np.where(np.arange(64) < 12, -1, 1)  # 12 units flipped
        >>> bool(np.array_equal(np.sign(net.retrieve(noisy)), patterns[:2]))  # one update restores them
        True
    """

    def __init__(self, beta: float = 1.0):
        if not np.isfinite(beta) or beta <= 0:
            raise ValueError(f"ModernHopfield: beta must be a finite number > 0, got {beta!r}")
        self.beta = float(beta)
        self.patterns = None

    def store(self, patterns) -> "ModernHopfield":
        """Keep ``patterns`` (M, d) as the memory (keys and values)."""
        self.patterns = as_matrix("ModernHopfield.store", patterns, None, np.float64)
        return self

    def _query(self, owner, xi):
        if self.patterns is None:
            raise ValueError(f"ModernHopfield.{owner}: store patterns first")
        return as_matrix(f"ModernHopfield.{owner}", xi, self.patterns.shape[1], np.float64)

    def attention_weights(self, xi) -> np.ndarray:
        """softmax(β X ξ) per query, shape (B, M): how much each stored pattern is retrieved."""
        return _softmax(self.beta * self._query("attention_weights", xi) @ self.patterns.T)

    def update(self, xi) -> np.ndarray:
        """One update ξ ← Xᵀ softmax(β X ξ) of every row of ``xi`` (B, d)."""
        return self.attention_weights(xi) @ self.patterns

    def attention_update(self, xi):
        """The same update computed by the project's attention Function:
        ``F.scaled_dot_product_attention(q=ξ, k=X, v=X, scale=β)`` (a Tensor, differentiable)."""
        from ... import functional as F
        from ...tensor import Tensor

        q = xi if isinstance(xi, Tensor) else Tensor(self._query("attention_update", xi))
        x = Tensor(self.patterns.astype(q.dtype))
        return F.scaled_dot_product_attention(q, x, x, scale=self.beta)

    def energy(self, xi) -> np.ndarray:
        """E(ξ) per row, shape (B,)."""
        xi = self._query("energy", xi)
        z = self.beta * xi @ self.patterns.T
        lse = (np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1)) + z.max(axis=1)) / self.beta
        m = self.patterns.shape[0]
        return (-lse + 0.5 * (xi * xi).sum(axis=1) + np.log(m) / self.beta
                + 0.5 * (self.patterns ** 2).sum(axis=1).max())

    def retrieve(self, xi, steps: int = 1) -> np.ndarray:
        """``steps`` updates from ``xi``."""
        out = self._query("retrieve", xi)
        for _ in range(steps):
            out = self.update(out)
        return out
