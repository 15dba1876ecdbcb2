"""Layers that only rearrange elements: Flatten, Reshape and Permute (no parameters).

``Reshape`` and ``Permute`` take Keras's arguments: shapes and axes *without* the batch axis,
and Permute's axes are numbered from 1 (``Permute((2, 1))`` swaps the two axes after the batch),
so a Keras model description carries over unchanged.
"""
from __future__ import annotations

import math

from ...functional.shape import flatten, reshape, transpose
from .base import _Layer

__all__ = ["Flatten", "Reshape", "Permute"]


class Flatten(_Layer):
    """Merge axes ``start_dim..end_dim`` into one (PyTorch's ``nn.Flatten``); by default every axis
    after the batch, e.g. images (N, C, H, W) → (N, C·H·W) before a Dense layer.

    Example:
        >>> nt.nn.Flatten()(nt.zeros(8, 3, 4, 4)).shape
        (8, 48)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def forward(self, x):
        try:
            return flatten(x, self.start_dim, self.end_dim)
        except ValueError as e:
            raise ValueError(f"Flatten(start_dim={self.start_dim}, end_dim={self.end_dim}): input of shape "
                             f"{tuple(x.shape)}: {e}") from None

    def infer_array(self, data):
        """``forward`` of the array ``data`` without a graph (``Sequential``'s inference route, as
        ``Dense.infer_array``): the reshaped array.  None when the layer call could differ (hooks, an
        activity regularizer, a subclass's own forward, axes it would refuse), so that the caller
        makes the call instead."""
        if (self._hooks is not None or self.activity_regularizer is not None
                or type(self).forward is not Flatten.forward or getattr(data, "ndim", 0) < 1
                or data.dtype.kind not in "fiub"):
            return None
        nd = data.ndim
        s = self.start_dim + nd if self.start_dim < 0 else self.start_dim
        e = self.end_dim + nd if self.end_dim < 0 else self.end_dim
        if not 0 <= s <= e < nd:
            return None
        shape = data.shape
        return data.reshape(shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:])

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Reshape(_Layer):
    """Give each sample a new shape (Keras's ``Reshape``): ``target_shape`` excludes the batch axis
    and may contain one -1, e.g. ``Reshape((1, 28, 28))`` turns (N, 784) into (N, 1, 28, 28).

    Example:
        >>> nt.nn.Reshape((4, 12))(nt.zeros(8, 48)).shape
        (8, 4, 12)
    """

    def __init__(self, target_shape):
        super().__init__()
        shape = (target_shape,) if isinstance(target_shape, int) else tuple(int(n) for n in target_shape)
        if sum(n == -1 for n in shape) > 1 or any(n < -1 or n == 0 for n in shape):
            raise ValueError(f"Reshape: target_shape must be positive sizes with at most one -1, got {target_shape!r}")
        self.target_shape = shape

    def forward(self, x):
        shape = tuple(x.shape)
        per_sample = math.prod(shape[1:])
        known = math.prod(n for n in self.target_shape if n != -1)
        fits = per_sample % known == 0 if -1 in self.target_shape else per_sample == known
        if not shape or not fits:
            raise ValueError(f"Reshape(target_shape={self.target_shape}): cannot reshape input of shape {shape} "
                             f"({per_sample} values per sample) to (batch, {', '.join(map(str, self.target_shape))})")
        target = tuple(per_sample // known if n == -1 else n for n in self.target_shape)  # -1 fits no empty batch
        return reshape(x, (shape[0],) + target)

    def extra_repr(self) -> str:
        return f"target_shape={self.target_shape}"


class Permute(_Layer):
    """Reorder the axes of each sample (Keras's ``Permute``): ``dims`` numbers the axes after the
    batch from 1, e.g. ``Permute((2, 1))`` turns (N, T, F) into (N, F, T).

    Example:
        >>> nt.nn.Permute((2, 1))(nt.zeros(8, 5, 3)).shape  # dims number the sample's axes from 1
        (8, 3, 5)
    """

    def __init__(self, dims):
        super().__init__()
        dims = tuple(int(d) for d in dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(f"Permute: dims must be a permutation of 1..{len(dims)} (the batch axis 0 is not "
                             f"included, as in Keras), got {dims}")
        self.dims = dims

    def forward(self, x):
        if x.ndim != len(self.dims) + 1:
            raise ValueError(f"Permute(dims={self.dims}): expected input with {len(self.dims) + 1} dimensions "
                             f"(batch + {len(self.dims)}), received shape {tuple(x.shape)}")
        return transpose(x, (0,) + self.dims)

    def extra_repr(self) -> str:
        return f"dims={self.dims}"
