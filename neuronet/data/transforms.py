"""Data augmentation applied to whole mini-batches on the fly: flips, crops, rotation, zoom,
translation, noise, and per-channel normalisation.

Each transform is a callable ``t(x_batch) -> new_batch`` on a floating-point NCHW batch (or an
(N, H, W) batch of single-channel images), vectorised over the batch: every sample draws its own
random parameters, and one array operation applies them all.  The input is never modified.
Randomness comes from neuronet's seeded generator (``nt.manual_seed``) unless a transform is
given its own ``seed=`` or ``rng=``.  Rotation, zoom and translation share one bilinear
affine-resampling routine (``transforms_geometric.affine_resample``).

Example:
    >>> from neuronet.data.transforms import Compose, RandomCrop, RandomHorizontalFlip
    >>> augment = Compose([RandomCrop(28, padding=2), RandomHorizontalFlip()])
    >>> loader = DataLoader((x, y), batch_size=64, shuffle=True, transform=augment)   # doctest: +SKIP
    >>> model.fit(x, y, epochs=10, transform=augment)                                 # doctest: +SKIP
"""
from __future__ import annotations

import math
import numbers

from .. import backend
from ..backend import array_module, np
from .transforms_geometric import affine_resample, rotation_thetas, translation_thetas, zoom_thetas

__all__ = [
    "BatchTransform", "Compose", "RandomHorizontalFlip", "RandomVerticalFlip", "RandomCrop",
    "RandomRotation", "RandomZoom", "RandomTranslation", "GaussianNoise", "Normalize",
]


def _number(name, arg, value, low=None, high=None):
    """``value`` as a finite float, checked against [low, high]; the error names the transform and argument
    (an infinite noise std or rotation range would turn every pixel into inf or nan)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: {arg} must be a number, got {value!r}")
    value = float(value)
    if math.isinf(value):
        raise ValueError(f"{name}: {arg} must be a finite number, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high) or value != value:
        raise ValueError(f"{name}: {arg} must be in [{low if low is not None else '-inf'}, "
                         f"{high if high is not None else 'inf'}], got {value!r}")
    return value


def _range(name, arg, value, symmetric_low=None):
    """A (low, high) pair of floats; a single number ``d`` means (-d, d) when ``symmetric_low`` allows it."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and symmetric_low:
        d = _number(name, arg, value, 0.0)
        return -d, d
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        expected = "a number or a pair (low, high)" if symmetric_low else "a pair (low, high)"
        raise ValueError(f"{name}: {arg} must be {expected}, got {value!r}")
    lo, hi = (_number(name, arg, v) for v in value)
    if lo > hi:
        raise ValueError(f"{name}: {arg} must have low <= high, got {value!r}")
    return lo, hi


class BatchTransform:
    """Base class: input checks, the random generator, and ``repr``.

    Subclasses implement ``apply(x, rng)`` on a float (N, C, H, W) array and list the
    constructor arguments shown by ``repr`` in ``_repr_args``.

    Args:
        seed: the transform's own generator seed (reproducible regardless of other draws).
        rng: the transform's own ``numpy.random.Generator``.  With neither, draws come from
            neuronet's seeded generator (``nt.manual_seed``).

    Example:
        >>> class Invert(nt.data.transforms.BatchTransform):
        ...     def apply(self, x, rng):  # x: (N, C, H, W), already checked
        ...         return 1.0 - x
        >>> Invert()(np.zeros((2, 1, 2, 2), np.float32))[0, 0].tolist()
        [[1.0, 1.0], [1.0, 1.0]]
    """

    _repr_args: tuple = ()
    accepts_any_shape = False  # True: any (N, ...) batch; False: (N, C, H, W) or (N, H, W)

    def __init__(self, seed=None, rng=None):
        name = type(self).__name__
        if seed is not None and rng is not None:
            raise ValueError(f"{name}: give seed or rng, not both")
        if rng is not None and not isinstance(rng, np.random.Generator):
            raise TypeError(f"{name}: rng must be a numpy.random.Generator, got {type(rng).__name__}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
            raise TypeError(f"{name}: seed must be an int, got {seed!r}")
        self.rng = np.random.default_rng(seed) if seed is not None else rng

    def generator(self):
        """This transform's generator, or neuronet's shared seeded one."""
        return self.rng if self.rng is not None else backend.get_rng()

    def __call__(self, x):
        name = type(self).__name__
        if not isinstance(x, array_module(x).ndarray):
            raise TypeError(f"{name}: expected a NumPy (or CuPy) array batch, got {type(x).__name__}")
        if np.dtype(x.dtype).kind != "f":
            raise TypeError(f"{name}: expected a floating-point batch, got dtype {x.dtype}; "
                            "convert images with x.astype('float32') / 255")
        if self.accepts_any_shape:
            if x.ndim < 1:
                raise ValueError(f"{name}: expected a batch (N, ...), received shape {tuple(x.shape)}")
            return self.apply(x, self.generator())
        if x.ndim == 3:
            return self.apply(x[:, None], self.generator())[:, 0]
        if x.ndim != 4:
            raise ValueError(f"{name}: expected a batch of images (N, C, H, W) or (N, H, W), "
                             f"received shape {tuple(x.shape)}")
        return self.apply(x, self.generator())

    def apply(self, x, rng):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.apply")

    def __repr__(self):
        args = ", ".join(f"{a}={getattr(self, a)!r}" for a in self._repr_args)
        return f"{type(self).__name__}({args})"


def _on(xp, values):
    """Random values drawn on the CPU (NumPy generator), moved to the batch's array module."""
    return values if xp is np else xp.asarray(values)


class Compose:
    """Apply transforms one after the other: ``Compose([RandomCrop(28, padding=2), RandomHorizontalFlip()])``.

    Args:
        transforms: a list of callables, each ``t(x_batch) -> x_batch``.

    Example:
        >>> T = nt.data.transforms
        >>> augment = T.Compose([T.RandomCrop(28, padding=2, seed=0), T.RandomHorizontalFlip(seed=0)])
        >>> augment(np.zeros((8, 1, 28, 28), np.float32)).shape
        (8, 1, 28, 28)
    """

    def __init__(self, transforms):
        if not isinstance(transforms, (list, tuple)):
            raise TypeError(f"Compose: transforms must be a list of callables, got {type(transforms).__name__}")
        for i, t in enumerate(transforms):
            if not callable(t):
                raise TypeError(f"Compose: transforms[{i}] is not callable, got {type(t).__name__}")
        self.transforms = list(transforms)

    def __call__(self, x):
        if not self.transforms:
            return x.copy()
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self):
        inner = "".join(f"\n    {t!r}," for t in self.transforms)
        return f"Compose([{inner}\n])" if inner else "Compose([])"


class _RandomFlip(BatchTransform):
    _repr_args = ("p",)
    axis = -1

    def __init__(self, p: float = 0.5, seed=None, rng=None):
        super().__init__(seed, rng)
        self.p = _number(type(self).__name__, "p", p, 0.0, 1.0)

    def apply(self, x, rng):
        xp = array_module(x)
        flip = _on(xp, rng.random(x.shape[0]) < self.p)
        return xp.where(flip[:, None, None, None], xp.flip(x, axis=self.axis), x)


class RandomHorizontalFlip(_RandomFlip):
    """Mirror each image left-right with probability ``p`` (each sample decides on its own).

    Example:
        >>> x = np.arange(4.0, dtype=np.float32).reshape(1, 1, 1, 4)
        >>> nt.data.transforms.RandomHorizontalFlip(p=1.0)(x).ravel().tolist()
        [3.0, 2.0, 1.0, 0.0]
    """

    axis = -1


class RandomVerticalFlip(_RandomFlip):
    """Mirror each image top-bottom with probability ``p`` (each sample decides on its own).

    Example:
        >>> x = np.arange(3.0, dtype=np.float32).reshape(1, 1, 3, 1)
        >>> nt.data.transforms.RandomVerticalFlip(p=1.0)(x).ravel().tolist()
        [2.0, 1.0, 0.0]
    """

    axis = -2


_PAD_MODES = {"constant": "constant", "reflect": "reflect", "edge": "edge", "symmetric": "symmetric"}


class RandomCrop(BatchTransform):
    """Pad each image, then cut out a random ``size`` window of it (torchvision's ``RandomCrop``).

    Args:
        size: output (height, width), or an int for a square.
        padding: added around every image first: an int (all sides), (left/right, top/bottom)
            or (left, top, right, bottom), as torchvision.
        padding_mode: 'constant' (``fill``), 'reflect' (mirror without repeating the edge),
            'edge' (repeat the edge pixel) or 'symmetric' (mirror repeating the edge).
        fill: the value of constant padding.

    Each sample draws its window's top-left corner uniformly among all positions inside the padded image.

    Example:
        >>> crop = nt.data.transforms.RandomCrop(24, seed=0)
        >>> crop(np.ones((4, 3, 32, 32), np.float32)).shape
        (4, 3, 24, 24)
    """

    _repr_args = ("size", "padding", "padding_mode")

    def __init__(self, size, padding=0, padding_mode: str = "constant", fill: float = 0.0, seed=None, rng=None):
        super().__init__(seed, rng)
        if isinstance(size, numbers.Integral) and not isinstance(size, bool):
            size = (int(size), int(size))
        if not isinstance(size, (tuple, list)) or len(size) != 2 or any(
                isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 1 for s in size):
            raise ValueError(f"RandomCrop: size must be a positive int or (height, width), got {size!r}")
        self.size = tuple(int(s) for s in size)
        if isinstance(padding, numbers.Integral) and not isinstance(padding, bool):
            pads = (padding,) * 4
        elif isinstance(padding, (tuple, list)) and len(padding) == 2:
            pads = (padding[0], padding[1], padding[0], padding[1])
        elif isinstance(padding, (tuple, list)) and len(padding) == 4:
            pads = tuple(padding)
        else:
            pads = None
        if pads is None or any(isinstance(p, bool) or not isinstance(p, numbers.Integral) or p < 0 for p in pads):
            raise ValueError(f"RandomCrop: padding must be a non-negative int, (left/right, top/bottom) or "
                             f"(left, top, right, bottom), got {padding!r}")
        self.padding = padding
        self._pads = tuple(int(p) for p in pads)  # left, top, right, bottom
        if padding_mode not in _PAD_MODES:
            raise ValueError(f"RandomCrop: padding_mode must be one of {sorted(_PAD_MODES)}, got {padding_mode!r}")
        self.padding_mode = padding_mode
        self.fill = _number("RandomCrop", "fill", fill)

    def apply(self, x, rng):
        xp = array_module(x)
        n, c, h, w = x.shape
        left, top, right, bottom = self._pads
        ch, cw = self.size
        hp, wp = h + top + bottom, w + left + right
        if ch > hp or cw > wp:
            raise ValueError(f"RandomCrop: crop size {self.size} is larger than the padded image ({hp}, {wp}) "
                             f"of a batch of shape {tuple(x.shape)}")
        if self.padding_mode == "reflect" and (max(top, bottom) >= h or max(left, right) >= w):
            raise ValueError(f"RandomCrop: reflect padding {self._pads} needs images larger than the padding, "
                             f"received shape {tuple(x.shape)}")
        widths = ((0, 0), (0, 0), (top, bottom), (left, right))
        if self.padding_mode == "constant":
            padded = xp.pad(x, widths, mode="constant", constant_values=x.dtype.type(self.fill))
        else:
            padded = xp.pad(x, widths, mode=_PAD_MODES[self.padding_mode])
        tops = _on(xp, rng.integers(0, hp - ch + 1, size=n))
        lefts = _on(xp, rng.integers(0, wp - cw + 1, size=n))
        rows = tops[:, None] + xp.arange(ch)                                   # (N, ch)
        cols = lefts[:, None] + xp.arange(cw)                                  # (N, cw)
        windows = padded[xp.arange(n)[:, None, None], :, rows[:, :, None], cols[:, None, :]]  # (N, ch, cw, C)
        return xp.ascontiguousarray(xp.moveaxis(windows, -1, 1))


class _RandomAffine(BatchTransform):
    """Shared by rotation, zoom and translation: draw per-sample matrices, resample bilinearly."""

    def __init__(self, fill, seed, rng):
        super().__init__(seed, rng)
        self.fill = _number(type(self).__name__, "fill", fill)

    def apply(self, x, rng):
        xp = array_module(x)
        theta = self.thetas(rng, x.shape[0], x.shape[2], x.shape[3])
        return affine_resample(x, _on(xp, theta), self.fill)


class RandomRotation(_RandomAffine):
    """Rotate each image about its centre by an angle drawn uniformly from ``degrees``.

    Args:
        degrees: a number ``d`` for (-d, d), or a pair (low, high), in degrees.  Positive angles
            turn counter-clockwise as displayed (row 0 on top), like torchvision: +90° on a
            square image equals ``np.rot90(image, 1, axes=(-2, -1))``.
        fill: the value of pixels rotated in from outside the image.

    Example:
        >>> x = np.ones((2, 1, 28, 28), np.float32)
        >>> y = nt.data.transforms.RandomRotation(30, seed=0)(x)
        >>> y.shape, float(y[:, :, 14, 14].min())  # the centre stays inside the image
        ((2, 1, 28, 28), 1.0)
    """

    _repr_args = ("degrees", "fill")

    def __init__(self, degrees, fill: float = 0.0, seed=None, rng=None):
        super().__init__(fill, seed, rng)
        self.degrees = _range("RandomRotation", "degrees", degrees, symmetric_low=True)

    def thetas(self, rng, n, h, w):
        return rotation_thetas(rng.uniform(*self.degrees, size=n))


class RandomZoom(_RandomAffine):
    """Scale each image about its centre by a factor drawn uniformly from ``scale`` (> 1 enlarges the content).

    Args:
        scale: (low, high) with 0 < low <= high; (1, 1) is the identity.
        fill: the value of pixels that come from outside the image when zooming out.

    Example:
        >>> nt.data.transforms.RandomZoom((0.8, 1.2), seed=0)(np.ones((2, 1, 28, 28), np.float32)).shape
        (2, 1, 28, 28)
    """

    _repr_args = ("scale", "fill")

    def __init__(self, scale=(0.9, 1.1), fill: float = 0.0, seed=None, rng=None):
        super().__init__(fill, seed, rng)
        self.scale = _range("RandomZoom", "scale", scale)
        if self.scale[0] <= 0:
            raise ValueError(f"RandomZoom: scale factors must be positive, got {scale!r}")

    def thetas(self, rng, n, h, w):
        return zoom_thetas(rng.uniform(*self.scale, size=n))


class RandomTranslation(_RandomAffine):
    """Shift each image by up to ``max_dx`` of its width and ``max_dy`` of its height (Keras's
    fractions), each shift drawn uniformly from [-max, max]; sub-pixel shifts interpolate bilinearly.

    Args:
        max_dx: largest horizontal shift as a fraction of the width, in [0, 1].
        max_dy: largest vertical shift as a fraction of the height, in [0, 1].
        fill: the value of pixels shifted in from outside the image.

    Example:
        >>> nt.data.transforms.RandomTranslation(0.1, 0.1, seed=0)(np.ones((2, 1, 28, 28), np.float32)).shape
        (2, 1, 28, 28)
    """

    _repr_args = ("max_dx", "max_dy", "fill")

    def __init__(self, max_dx: float = 0.1, max_dy: float = 0.1, fill: float = 0.0, seed=None, rng=None):
        super().__init__(fill, seed, rng)
        self.max_dx = _number("RandomTranslation", "max_dx", max_dx, 0.0, 1.0)
        self.max_dy = _number("RandomTranslation", "max_dy", max_dy, 0.0, 1.0)

    def thetas(self, rng, n, h, w):
        dx = rng.uniform(-self.max_dx, self.max_dx, size=n) * w
        dy = rng.uniform(-self.max_dy, self.max_dy, size=n) * h
        return translation_thetas(dx, dy)


class GaussianNoise(BatchTransform):
    """Add independent N(0, std²) noise to every element (any batch shape); the result keeps the input's dtype.

    Example:
        >>> y = nt.data.transforms.GaussianNoise(std=0.5, seed=0)(np.zeros((100, 100), np.float32))
        >>> round(float(y.std()), 1)
        0.5
    """

    _repr_args = ("std",)
    accepts_any_shape = True

    def __init__(self, std: float = 0.1, seed=None, rng=None):
        super().__init__(seed, rng)
        self.std = _number("GaussianNoise", "std", std, 0.0)

    def apply(self, x, rng):
        xp = array_module(x)
        noise = _on(xp, rng.standard_normal(x.shape, dtype=np.float32 if x.dtype == np.float32 else np.float64))
        return x + (noise * self.std).astype(x.dtype)


class Normalize(BatchTransform):
    """Per-channel standardisation ``(x[:, c] - mean[c]) / std[c]`` (deterministic, torchvision's ``Normalize``).

    Args:
        mean, std: one number for every channel, or one per channel (length C).

    Example:
        >>> x = np.stack([np.full((2, 2), 1.0), np.full((2, 2), 4.0)])[None].astype(np.float32)
        >>> nt.data.transforms.Normalize(mean=[1.0, 2.0], std=[1.0, 2.0])(x)[0, :, 0, 0].tolist()
        [0.0, 1.0]
    """

    _repr_args = ("mean", "std")

    def __init__(self, mean, std):
        super().__init__()
        self.mean = self._values("mean", mean)
        self.std = self._values("std", std)
        if any(s <= 0 for s in self.std):
            raise ValueError(f"Normalize: std must be positive, got {std!r}")

    @staticmethod
    def _values(arg, value):
        values = (value,) if isinstance(value, numbers.Real) else value
        if not isinstance(values, (tuple, list)) and hasattr(values, "tolist"):
            values = tuple(np.ravel(backend.to_numpy(values)).tolist())
        if not isinstance(values, (tuple, list)) or not values:
            raise TypeError(f"Normalize: {arg} must be a number or a sequence of numbers, got {value!r}")
        return tuple(_number("Normalize", arg, v) for v in values)

    def apply(self, x, rng):
        xp = array_module(x)
        c = x.shape[1]
        for arg in ("mean", "std"):
            k = len(getattr(self, arg))
            if k not in (1, c):
                raise ValueError(f"Normalize: {arg} has {k} values, expected 1 or one per channel ({c}) "
                                 f"for a batch of shape {tuple(x.shape)}")
        mean = xp.asarray(self.mean, dtype=x.dtype).reshape(1, -1, 1, 1)
        std = xp.asarray(self.std, dtype=x.dtype).reshape(1, -1, 1, 1)
        return (x - mean) / std
