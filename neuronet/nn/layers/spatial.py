"""Spatial rearrangements of NCHW images: padding, cropping, up-sampling, the invertible
space-to-depth "squeeze" of the course, and channel dropout.

Each is composed of differentiable shape ops (pad, slicing, repeat, reshape, transpose) — or,
for bilinear up-sampling, ``upsample_bilinear2d`` — so its backward is their exact adjoint.
"""
from __future__ import annotations

from ...backend import array_module, get_rng
from ...functional.math import mul
from ...functional.shape import pad, repeat, reshape, transpose
from ...functional.upsample import upsample_bilinear2d
from .base import _Layer

__all__ = ["ZeroPadding2D", "Cropping2D", "UpSampling2D", "Squeeze2D", "Unsqueeze2D", "Dropout2D"]


def _pairs(name, arg, value):
    """An int, (h, w) or ((top, bottom), (left, right)) as ((top, bottom), (left, right))."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = ((value, value), (value, value))
    elif len(value) == 2 and all(isinstance(v, int) for v in value):
        value = ((value[0], value[0]), (value[1], value[1]))
    value = tuple(tuple(int(v) for v in pair) for pair in value)
    if len(value) != 2 or any(len(p) != 2 or min(p) < 0 for p in value):
        raise ValueError(f"{name}: {arg} must be an int, (h, w) or ((top, bottom), (left, right)) of "
                         f"non-negative ints, got {value!r}")
    return value


def _check_4d(layer, x):
    if x.ndim != 4:
        raise ValueError(f"{type(layer).__name__}: expected a 4-D input (N, C, H, W), received shape {tuple(x.shape)}")


class ZeroPadding2D(_Layer):
    """Add rows and columns of zeros around each image: ``padding`` int, (h, w) or ((t, b), (l, r)).

    Example:
        >>> nt.nn.ZeroPadding2D(2)(nt.ones(1, 3, 28, 28)).shape
        (1, 3, 32, 32)
    """

    def __init__(self, padding=1):
        super().__init__()
        self.padding = _pairs("ZeroPadding2D", "padding", padding)

    def forward(self, x):
        _check_4d(self, x)
        return pad(x, ((0, 0), (0, 0)) + self.padding)


class Cropping2D(_Layer):
    """Remove rows and columns from the borders: ``cropping`` int, (h, w) or ((t, b), (l, r)).

    Example:
        >>> nt.nn.Cropping2D((1, 2))(nt.ones(1, 3, 10, 10)).shape
        (1, 3, 8, 6)
    """

    def __init__(self, cropping=1):
        super().__init__()
        self.cropping = _pairs("Cropping2D", "cropping", cropping)

    def forward(self, x):
        _check_4d(self, x)
        (t, b), (l, r) = self.cropping
        h, w = x.shape[2], x.shape[3]
        if t + b >= h or l + r >= w:
            raise ValueError(f"Cropping2D: cropping {self.cropping} leaves nothing of an input of shape {tuple(x.shape)}")
        return x[:, :, t:h - b, l:w - r]


class UpSampling2D(_Layer):
    """Up-sample each image by ``size`` (int or (sh, sw)), Keras's ``UpSampling2D``.

    Args:
        size: positive int, or (rows factor, columns factor).
        interpolation: 'nearest' repeats each pixel into a size block
            (``torch.nn.Upsample(scale_factor=size, mode="nearest")``); 'bilinear' interpolates
            with half-pixel centres, i.e. ``align_corners=False`` — what Keras does (its resize
            calls ``tf.image.resize`` / ``F.interpolate(..., align_corners=False)``) and
            ``torch.nn.Upsample(scale_factor=size, mode="bilinear")``.

    Example:
        >>> nt.nn.UpSampling2D(2)(nt.tensor([[[[1.0, 2.0]]]])).numpy()
        array([[[[1., 1., 2., 2.],
                 [1., 1., 2., 2.]]]], dtype=float32)
    """

    def __init__(self, size=2, interpolation: str = "nearest"):
        super().__init__()
        size = (size, size) if isinstance(size, int) else tuple(size)
        if len(size) != 2 or any(not isinstance(s, int) or s < 1 for s in size):
            raise ValueError(f"UpSampling2D: size must be a positive int or pair of ints, got {size!r}")
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"UpSampling2D: interpolation must be 'nearest' or 'bilinear', got {interpolation!r}")
        self.size = size
        self.interpolation = interpolation

    def forward(self, x):
        _check_4d(self, x)
        if self.interpolation == "bilinear":
            return upsample_bilinear2d(x, scale_factor=self.size, align_corners=False)
        return repeat(repeat(x, self.size[0], axis=2), self.size[1], axis=3)


class Squeeze2D(_Layer):
    """Space-to-depth, the course's invertible pooling: (N, C, H, W) → (N, C·f², H/f, W/f) with
    no information lost; the channel order matches ``torch.nn.functional.pixel_unshuffle``.

    Example:
        >>> x = nt.randn(1, 3, 8, 8)
        >>> y = nt.nn.Squeeze2D(2)(x)
        >>> y.shape, bool(np.array_equal(nt.nn.Unsqueeze2D(2)(y).numpy(), x.numpy()))  # invertible
        ((1, 12, 4, 4), True)
    """

    def __init__(self, factor: int = 2):
        super().__init__()
        if not isinstance(factor, int) or factor < 1:
            raise ValueError(f"Squeeze2D: factor must be a positive int, got {factor!r}")
        self.factor = factor

    def forward(self, x):
        _check_4d(self, x)
        n, c, h, w = x.shape
        f = self.factor
        if h % f or w % f:
            raise ValueError(f"Squeeze2D: height and width must be multiples of factor {f}, received shape {tuple(x.shape)}")
        y = reshape(x, (n, c, h // f, f, w // f, f))
        return reshape(transpose(y, (0, 1, 3, 5, 2, 4)), (n, c * f * f, h // f, w // f))


class Unsqueeze2D(_Layer):
    """Depth-to-space, the exact inverse of :class:`Squeeze2D` (``pixel_shuffle``):
    (N, C·f², H, W) → (N, C, H·f, W·f).

    Example:
        >>> nt.nn.Unsqueeze2D(2)(nt.ones(1, 12, 4, 4)).shape
        (1, 3, 8, 8)
    """

    def __init__(self, factor: int = 2):
        super().__init__()
        if not isinstance(factor, int) or factor < 1:
            raise ValueError(f"Unsqueeze2D: factor must be a positive int, got {factor!r}")
        self.factor = factor

    def forward(self, x):
        _check_4d(self, x)
        n, cf, h, w = x.shape
        f = self.factor
        if cf % (f * f):
            raise ValueError(f"Unsqueeze2D: channels must be a multiple of factor² = {f * f}, received shape {tuple(x.shape)}")
        c = cf // (f * f)
        y = reshape(x, (n, c, f, f, h, w))
        return reshape(transpose(y, (0, 1, 4, 2, 5, 3)), (n, c, h * f, w * f))


class Dropout2D(_Layer):
    """Channel dropout: in training each whole feature map is zeroed with probability ``rate`` and
    the others scaled by 1/(1−rate) (``torch.nn.Dropout2d``); identity in eval mode.

    Example:
        >>> y = nt.nn.Dropout2D(0.5)(nt.ones(4, 64, 3, 3)).numpy()
        >>> bool(((y == 0).all(axis=(2, 3)) | (y == 2).all(axis=(2, 3))).all())  # whole maps kept (x2) or zeroed
        True
    """

    def __init__(self, rate: float = 0.5):
        super().__init__()
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"Dropout2D: rate must be in [0, 1), got {rate!r}")
        self.rate = rate

    def forward(self, x):
        _check_4d(self, x)
        if not self.training or self.rate == 0.0:
            return x
        xp = array_module(x.data)
        keep = get_rng(xp).random((x.shape[0], x.shape[1], 1, 1)) >= self.rate
        return mul(x, (keep / (1.0 - self.rate)).astype(x.dtype))
