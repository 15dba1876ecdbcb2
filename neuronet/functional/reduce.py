"""Reductions over axes (sum, mean, max, var, logsumexp, ...), each with its derivative.

Every reduction takes ``axis`` (None for all axes, an int, or a tuple) and ``keepdims``, and
also PyTorch's spellings ``dim=`` and ``keepdim=``.  ``max``/``min`` share the gradient equally
among tied maxima (like ``torch.amax``).  ``var``/``std`` default to ``ddof=0`` (NumPy, the
population variance); pass ``ddof=1`` or ``correction=1`` for PyTorch's default.
"""
from __future__ import annotations

import builtins
import warnings

from ..autograd import Function
from ..backend import array_module, np
from ..tensor import Tensor, refuse_non_real
from .math import to_float

__all__ = ["sum", "mean", "max", "min", "var", "std", "logsumexp", "argmax", "argmin", "any", "all"]


def _axes(fn, axis, dim, ndim):
    """Normalise ``axis``/``dim`` to None or a sorted tuple of non-negative axes."""
    if dim is not None:
        if axis is not None and axis != dim:
            raise ValueError(f"{fn}: got both axis={axis} and dim={dim}; give one")
        axis = dim
    if axis is None:
        return None
    if isinstance(axis, (int, np.integer)):
        axes = (axis,)
    else:
        try:
            axes = tuple(axis)
        except TypeError:
            axes = None
        if axes is None or not builtins.all(isinstance(a, (int, np.integer)) for a in axes):
            raise TypeError(f"{fn}: axis must be None, an int or a tuple of ints, got {axis!r}")
    out = []
    for a in axes:
        if not -builtins.max(ndim, 1) <= a < builtins.max(ndim, 1):
            raise ValueError(f"{fn}: axis {a} is out of range for an input with {ndim} dimensions")
        out.append(int(a) % builtins.max(ndim, 1))
    if len(set(out)) != len(out):
        raise ValueError(f"{fn}: repeated axis in {axis}")
    return tuple(sorted(out)) if ndim else None


def _keep(keepdims, keepdim):
    return bool(keepdims if keepdim is None else keepdim)


def _kept_shape(shape, axes):
    """The shape a reduction over ``axes`` has with keepdims=True."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _reduced_shape(shape, axes):
    """The shape a reduction over ``axes`` has with keepdims=False."""
    return () if axes is None else tuple(n for i, n in enumerate(shape) if i not in axes)


def _count(shape, axes):
    n = 1
    for i in (range(len(shape)) if axes is None else axes):
        n *= shape[i]
    return n


def _expand(g, shape, xp):
    """A fresh, writable array of ``shape`` filled by broadcasting ``g``."""
    out = xp.empty(shape, dtype=g.dtype)
    out[...] = g
    return out


class _Reduction(Function):
    def __init__(self, axes, keepdims):
        self.axes, self.keepdims = axes, keepdims

    def _grad_kept(self, gy):
        """gy reshaped so that it broadcasts against the input."""
        return gy.reshape(_kept_shape(self.shape, self.axes))


class Sum(_Reduction):
    def forward(self, x):
        self.shape = x.shape
        return array_module(x).asarray(x.sum(axis=self.axes, keepdims=self.keepdims))

    def backward(self, gy):
        # d/dx_i sum(x) = 1: copy gy to every summed position
        return _expand(self._grad_kept(gy), self.shape, array_module(gy))


def sum(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Sum over ``axis`` (all axes when None).

    Example:
        >>> x = nt.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> F.sum(x).item(), F.sum(x, axis=0).numpy(), F.sum(x, dim=1, keepdim=True).shape
        (10.0, array([4., 6.], dtype=float32), (2, 1))
    """
    return Sum.apply(x, axes=_axes("sum", axis, dim, x.ndim), keepdims=_keep(keepdims, keepdim))


class Mean(_Reduction):
    def forward(self, x):
        self.shape = x.shape
        return array_module(x).asarray(x.mean(axis=self.axes, keepdims=self.keepdims))

    def backward(self, gy):
        # d/dx_i mean(x) = 1/n
        n = _count(self.shape, self.axes)
        return _expand(self._grad_kept(gy) / n, self.shape, array_module(gy))


def mean(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Arithmetic mean over ``axis`` (all axes when None).

    Example:
        >>> F.mean(nt.tensor([[1.0, 2.0], [3.0, 4.0]]), axis=1).numpy()
        array([1.5, 3.5], dtype=float32)
    """
    return Mean.apply(x, axes=_axes("mean", axis, dim, x.ndim), keepdims=_keep(keepdims, keepdim))


class _Extreme(_Reduction):
    def forward(self, x):
        self.shape = x.shape
        if _count(x.shape, self.axes) == 0:  # PyTorch refuses too: an empty set has no largest element
            name = type(self).__name__.lower()
            where = "all axes" if self.axes is None else f"axis {self.axes if len(self.axes) > 1 else self.axes[0]}"
            raise ValueError(f"{name}: cannot reduce over {where} of an input of shape {x.shape}: "
                             "an empty set has no " + ("largest" if name == "max" else "smallest") + " element")
        y = self.pick(x, axis=self.axes, keepdims=True)
        if self.recording:
            self.x, self.y = x, y
        return array_module(x).asarray(y if self.keepdims else y.reshape(_reduced_shape(x.shape, self.axes)))

    def backward(self, gy):
        # d/dx_i max(x) = 1/k for each of the k elements equal to the max, 0 elsewhere
        xp = array_module(gy)
        hit = self.x == self.y
        count = hit.sum(axis=self.axes, keepdims=True)
        return xp.where(hit, self._grad_kept(gy) / count.astype(gy.dtype), 0)


class Max(_Extreme):
    pick = staticmethod(lambda x, **kw: x.max(**kw))


class Min(_Extreme):
    pick = staticmethod(lambda x, **kw: x.min(**kw))


def max(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Largest element over ``axis``; tied maxima share the gradient equally (like ``torch.amax``).

    Returns only the values; use :func:`argmax` for the positions.

    Example:
        >>> x = nt.tensor([1.0, 3.0, 3.0], requires_grad=True)
        >>> F.max(x).backward()
        >>> x.grad  # tied maxima share the gradient
        array([0. , 0.5, 0.5], dtype=float32)
    """
    return Max.apply(x, axes=_axes("max", axis, dim, x.ndim), keepdims=_keep(keepdims, keepdim))


def min(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Smallest element over ``axis``; tied minima share the gradient equally (like ``torch.amin``).

    Example:
        >>> F.min(nt.tensor([[4.0, 1.0], [2.0, 3.0]]), axis=0).numpy()
        array([2., 1.], dtype=float32)
    """
    return Min.apply(x, axes=_axes("min", axis, dim, x.ndim), keepdims=_keep(keepdims, keepdim))


class Var(_Reduction):
    """Variance (``root=False``) or standard deviation (``root=True``), with PyTorch's values at the
    edges: the gradient of std is 0 where std = 0 (a constant input), and with n − ddof <= 0 degrees
    of freedom the result is Σ(x − mean)²/0 (nan or inf, with a warning) and the gradient nan
    where x = mean, inf elsewhere."""

    def __init__(self, axes, keepdims, ddof, root):
        super().__init__(axes, keepdims)
        self.ddof, self.root = ddof, root

    def forward(self, x):
        xp = array_module(x)
        self.shape = x.shape
        n = _count(x.shape, self.axes)
        self.dof = n - self.ddof
        if self.dof <= 0:
            warnings.warn(f"{'std' if self.root else 'var'}: degrees of freedom n - ddof = {n} - {self.ddof} <= 0; "
                          "the result is nan or inf (as PyTorch's)", RuntimeWarning, stacklevel=4)
        out_dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
        x = x.astype(np.float64, copy=False)  # accumulated in float64, as PyTorch does on the CPU: a constant
        # float32 row has std 0 exactly (its float32 mean was off by an ulp), and the sum cannot overflow
        with np.errstate(divide="ignore", invalid="ignore"):  # 0/0 and x/0: nan and inf, as intended
            centred = x - x.sum(axis=self.axes, keepdims=True) / n
            if self.root and centred.size:
                # std = s·sqrt(Σ(c/s)²/dof) with s = max|c|: the squares cannot overflow (std([1e30, 0]) is
                # 5e29, not inf; std of 1e200s in float64) or underflow to 0 (subnormal spreads), as in PyTorch
                s = xp.abs(centred).max(axis=self.axes, keepdims=True)
                s = xp.where(xp.isfinite(s) & (s > 0), s, xp.ones_like(s))
                c = centred / s
                v = (c * c).sum(axis=self.axes, keepdims=self.keepdims) / builtins.max(self.dof, 0)
                y = xp.sqrt(v) * (s if self.keepdims else s.reshape(v.shape))
            else:
                v = (centred * centred).sum(axis=self.axes, keepdims=self.keepdims) / builtins.max(self.dof, 0)
                y = xp.sqrt(v) if self.root else v
        if self.recording:
            self.centred = centred
            self.y = y
        with np.errstate(over="ignore"):  # a float32 variance past 3.4e38 is inf, as in PyTorch
            return xp.asarray(y).astype(out_dtype, copy=False)

    def backward(self, gy):
        # d/dx_i var = 2 (x_i - mean) / (n - ddof);  d std = d var / (2 std), taken as 0 where std = 0
        xp = array_module(gy)
        g = self._grad_kept(gy)
        if self.root:
            std = self._grad_kept(self.y)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # subnormal std: inf, as PyTorch
                g = xp.where(std == 0, 0, g / (2 * std))
        if self.dof <= 0:  # 2/0 times x − mean: nan where x = mean, inf elsewhere (PyTorch's full reduction)
            with np.errstate(invalid="ignore"):  # 0·inf of std's zero cotangent: nan, as PyTorch
                return g * xp.where(self.centred == 0, xp.nan, xp.inf).astype(gy.dtype)
        return self.centred * (g * (2 / self.dof))


def _ddof(fn, ddof, correction):
    if correction is not None:
        if ddof not in (0, correction):
            raise ValueError(f"{fn}: got both ddof={ddof} and correction={correction}; give one")
        ddof = correction
    return int(ddof)


def var(x, axis=None, ddof=0, keepdims=False, *, correction=None, dim=None, keepdim=None):
    """Variance over ``axis``: Σ(x - mean)² / (n - ddof).

    ``ddof=0`` (default, NumPy) is the population variance; ``ddof=1`` (or ``correction=1``,
    PyTorch's default) the unbiased sample variance.

    Example:
        >>> x = nt.tensor([1.0, 2.0, 3.0, 4.0])
        >>> F.var(x).item(), F.var(x, ddof=1).item()  # population, sample
        (1.25, 1.6666666269302368)
    """
    return Var.apply(x, axes=_axes("var", axis, dim, x.ndim), keepdims=_keep(keepdims, keepdim),
                     ddof=_ddof("var", ddof, correction), root=False)


def std(x, axis=None, ddof=0, keepdims=False, *, correction=None, dim=None, keepdim=None):
    """Standard deviation over ``axis``: sqrt(var(x, axis, ddof)); ``ddof`` as in :func:`var`.

    Example:
        >>> F.std(nt.tensor([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0])).item()
        2.0
    """
    return Var.apply(x, axes=_axes("std", axis, dim, x.ndim), keepdims=_keep(keepdims, keepdim),
                     ddof=_ddof("std", ddof, correction), root=True)


class LogSumExp(_Reduction):
    def forward(self, x):
        xp = array_module(x)
        self.shape = x.shape
        if _count(x.shape, self.axes) == 0:  # log of an empty sum: log 0 = -inf (PyTorch's value)
            self.e = self.s = None
            return xp.full(_kept_shape(x.shape, self.axes) if self.keepdims else _reduced_shape(x.shape, self.axes),
                           -xp.inf, dtype=x.dtype)
        x = to_float(x)  # x − max in a float dtype: unsigned integers would wrap around
        m = x.max(axis=self.axes, keepdims=True)
        m = xp.where(xp.isfinite(m), m, 0)  # rows of -inf stay -inf instead of becoming nan
        e = xp.exp(x - m)
        s = e.sum(axis=self.axes, keepdims=True)
        if self.recording:
            self.e, self.s = e, s
        with np.errstate(divide="ignore"):  # a row of all -inf has log Σ = log 0 = -inf, as intended
            y = m + xp.log(s)
        if not self.keepdims:
            y = y.reshape(_reduced_shape(x.shape, self.axes))
        return y

    def backward(self, gy):
        # d/dx_i log Σ e^x = softmax(x)_i
        if self.e is None:  # an empty input: an empty gradient
            return array_module(gy).zeros(self.shape, dtype=gy.dtype)
        return self.e * (self._grad_kept(gy) / self.s)


def logsumexp(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """log Σ e^x over ``axis``, computed as max + log Σ e^(x - max): finite for any magnitude.

    Example:
        >>> F.logsumexp(nt.tensor([1000.0, 1000.0])).item()  # no overflow: 1000 + log 2
        1000.6931762695312
    """
    return LogSumExp.apply(x, axes=_axes("logsumexp", axis, dim, x.ndim), keepdims=_keep(keepdims, keepdim))


# --- non-differentiable -------------------------------------------------------------------------

def _data(x, fn):
    """The array of ``x``; complex, object and string data refused by name, as every Function does."""
    d = x.data if isinstance(x, Tensor) else x
    refuse_non_real(fn, getattr(d, "dtype", None))
    return d


def _single_axis(fn, axis, dim, ndim):
    axes = _axes(fn, axis, dim, ndim)
    if axes is not None and len(axes) != 1:
        raise ValueError(f"{fn}: takes one axis or None, got {axis if dim is None else dim}")
    return None if axes is None else axes[0]


def _refuse_empty(fn, d, ax):
    """argmax/argmin of nothing: PyTorch refuses too (NumPy's error would not name the function)."""
    if (d.size == 0 and ax is None) or (ax is not None and d.shape[ax] == 0):
        where = "the input" if ax is None else f"axis {ax} of the input"
        raise ValueError(f"{fn}: {where} of shape {d.shape} is empty: it has no "
                         f"{'largest' if fn == 'argmax' else 'smallest'} element")


def argmax(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Index of the largest element along ``axis`` (of the flattened input when None), int64.

    Example:
        >>> F.argmax(nt.tensor([[1.0, 9.0, 3.0], [7.0, 0.0, 2.0]]), axis=1).tolist()
        [1, 0]
    """
    d = _data(x, "argmax")
    ax = _single_axis("argmax", axis, dim, d.ndim)
    _refuse_empty("argmax", d, ax)
    return Tensor(array_module(d).argmax(d, axis=ax, keepdims=_keep(keepdims, keepdim)), dtype=np.int64)


def argmin(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Index of the smallest element along ``axis`` (of the flattened input when None), int64.

    Example:
        >>> F.argmin(nt.tensor([[1.0, 9.0, 3.0], [7.0, 0.0, 2.0]]), dim=1).tolist()
        [0, 1]
    """
    d = _data(x, "argmin")
    ax = _single_axis("argmin", axis, dim, d.ndim)
    _refuse_empty("argmin", d, ax)
    return Tensor(array_module(d).argmin(d, axis=ax, keepdims=_keep(keepdims, keepdim)), dtype=np.int64)


def any(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """True where any element along ``axis`` is non-zero (a bool tensor, not differentiable).

    Example:
        >>> F.any(nt.tensor([[0, 0], [0, 1]]), axis=1).tolist()
        [False, True]
    """
    d = _data(x, "any")
    return Tensor(array_module(d).any(d, axis=_axes("any", axis, dim, d.ndim), keepdims=_keep(keepdims, keepdim)))


def all(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """True where every element along ``axis`` is non-zero (a bool tensor, not differentiable).

    Example:
        >>> F.all(nt.tensor([[1, 1], [0, 1]]), axis=1).tolist()
        [True, False]
    """
    d = _data(x, "all")
    return Tensor(array_module(d).all(d, axis=_axes("all", axis, dim, d.ndim), keepdims=_keep(keepdims, keepdim)))
