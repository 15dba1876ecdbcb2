"""Pooling layers (no parameters): Keras names, PyTorch semantics (NCHW, ceil_mode, padding, first-max gradient).

Example::

    model = nt.nn.Sequential(nt.nn.Conv2D(6, 5, activation="relu"), nt.nn.MaxPool2D(2))
"""
from __future__ import annotations

from ...functional import pool as P
from ...functional.im2col import as_tuple
from .base import _Layer

__all__ = ["MaxPool1D", "MaxPool2D", "AvgPool1D", "AvgPool2D", "GlobalAvgPool1D", "GlobalAvgPool2D",
           "GlobalMaxPool1D", "GlobalMaxPool2D", "AdaptiveAvgPool2D"]


class _Pool(_Layer):
    nd = 2

    def __init__(self, pool_size=2, strides=None, padding=0, ceil_mode=False):
        super().__init__()
        name = type(self).__name__
        self.pool_size = as_tuple(name, "pool_size", pool_size, self.nd)
        self.strides = self.pool_size if strides is None else as_tuple(name, "strides", strides, self.nd)
        self.padding = as_tuple(name, "padding", 0 if padding == "valid" else padding, self.nd, minimum=0)
        self.ceil_mode = bool(ceil_mode)

    def _check(self, x):
        if len(x.shape) != self.nd + 2:
            names = "(N, C, L)" if self.nd == 1 else "(N, C, H, W)"
            raise ValueError(f"{type(self).__name__}(pool_size={self.pool_size}): expected a {self.nd + 2}-D input "
                             f"of shape {names}, received shape {tuple(x.shape)}")

    @property
    def tiles(self) -> bool:
        """Whether the windows tile the input (stride = pool_size, no padding, floor mode): the
        pooling a convolution can apply in its own pass (``Conv2D.fuses_max_pool``)."""
        return self.strides == self.pool_size and not any(self.padding) and not self.ceil_mode

    def extra_repr(self) -> str:
        return f"pool_size={self.pool_size}, strides={self.strides}, padding={self.padding}, ceil_mode={self.ceil_mode}"


class MaxPool2D(_Pool):
    """Keep the largest value of each ``pool_size`` window (default 2×2, stride = pool_size).

    Args:
        pool_size: an int or (kh, kw).
        strides: step between windows; None = pool_size.
        padding: an int or pair of −∞ padding on each side (at most half the window; ``'valid'`` = 0).
        ceil_mode: keep a partial last window (output size rounded up).

    Input (N, C, H, W) → output (N, C, OH, OW).

    Example:
        >>> nt.nn.MaxPool2D(2)(nt.ones(1, 6, 28, 28)).shape
        (1, 6, 14, 14)
    """

    def forward(self, x):
        self._check(x)
        return P.max_pool2d(x, self.pool_size, self.strides, self.padding, 1, self.ceil_mode)

    def infer_array(self, data):
        """``forward`` of the array ``data`` without a graph, for ``Sequential``'s inference route
        (``nn/sequential.py``): the pooling Function's forward on the array.  None when the layer
        call could differ (hooks, an activity regularizer, a subclass's own forward, an input it
        would refuse), so that the caller makes the call instead."""
        if (self._hooks is not None or self.activity_regularizer is not None
                or type(self).forward is not MaxPool2D.forward or getattr(data, "ndim", 0) != 4
                or data.dtype.kind != "f"):
            return None
        try:
            windows, _ = P._geometry("max_pool2d", data, self.pool_size, self.strides, self.padding, 1, self.ceil_mode,
                                     2)
        except (TypeError, ValueError):
            return None
        return P.MaxPool2d(windows).forward(data)


class MaxPool1D(_Pool):
    """Keep the largest value of each window of (N, C, L) sequences; see :class:`MaxPool2D`.

    Example:
        >>> nt.nn.MaxPool1D(2)(nt.ones(2, 3, 10)).shape
        (2, 3, 5)
    """

    nd = 1

    def forward(self, x):
        self._check(x)
        return P.max_pool1d(x, self.pool_size, self.strides, self.padding, 1, self.ceil_mode)


class AvgPool2D(_Pool):
    """Average each ``pool_size`` window; arguments as :class:`MaxPool2D` (zero padding), plus
    ``count_include_pad`` (divide by the whole window, default, or by its real elements).

    Example:
        >>> nt.nn.AvgPool2D(2)(nt.ones(1, 3, 8, 8)).shape
        (1, 3, 4, 4)
    """

    float_inputs = 1  # integer data is cast to the float dtype (layers/base.py)

    def __init__(self, pool_size=2, strides=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__(pool_size, strides, padding, ceil_mode)
        self.count_include_pad = bool(count_include_pad)

    def forward(self, x):
        self._check(x)
        return P.avg_pool2d(x, self.pool_size, self.strides, self.padding, self.ceil_mode, self.count_include_pad)


class AvgPool1D(AvgPool2D):
    """Average each window of (N, C, L) sequences; see :class:`AvgPool2D`.

    Example:
        >>> nt.nn.AvgPool1D(2)(nt.tensor([[[1.0, 3.0, 5.0, 7.0]]])).numpy()
        array([[[2., 6.]]], dtype=float32)
    """

    nd = 1

    def forward(self, x):
        self._check(x)
        return P.avg_pool1d(x, self.pool_size, self.strides, self.padding, self.ceil_mode, self.count_include_pad)


class _Global(_Layer):
    fn = None

    def __init__(self, keepdims: bool = False):
        super().__init__()
        self.keepdims = bool(keepdims)

    def forward(self, x):
        return type(self).fn(x, self.keepdims)


class GlobalAvgPool2D(_Global):
    """The mean of each channel over the whole image: (N, C, H, W) → (N, C) ((N, C, 1, 1) with keepdims).

    Example:
        >>> nt.nn.GlobalAvgPool2D()(nt.ones(2, 16, 7, 7)).shape
        (2, 16)
    """

    float_inputs = 1  # integer data is cast to the float dtype (layers/base.py)

    fn = staticmethod(P.global_avg_pool2d)


class GlobalMaxPool2D(_Global):
    """The largest value of each channel over the whole image: (N, C, H, W) → (N, C).

    Example:
        >>> nt.nn.GlobalMaxPool2D(keepdims=True)(nt.ones(2, 16, 7, 7)).shape
        (2, 16, 1, 1)
    """

    fn = staticmethod(P.global_max_pool2d)


class GlobalAvgPool1D(_Global):
    """The mean of each channel over the whole sequence: (N, C, L) → (N, C).

    Example:
        >>> nt.nn.GlobalAvgPool1D()(nt.ones(2, 3, 10)).shape
        (2, 3)
    """

    float_inputs = 1  # integer data is cast to the float dtype (layers/base.py)

    fn = staticmethod(P.global_avg_pool1d)


class GlobalMaxPool1D(_Global):
    """The largest value of each channel over the whole sequence: (N, C, L) → (N, C).

    Example:
        >>> nt.nn.GlobalMaxPool1D()(nt.tensor([[[1.0, 4.0, 2.0]]])).numpy()
        array([[4.]], dtype=float32)
    """

    fn = staticmethod(P.global_max_pool1d)


class AdaptiveAvgPool2D(_Layer):
    """Average NCHW images down to a fixed ``output_size`` whatever the input size (PyTorch's
    ``nn.AdaptiveAvgPool2d``; an int, a pair, or None in a pair to keep that size).

    Example:
        >>> nt.nn.AdaptiveAvgPool2D((2, 2))(nt.ones(1, 3, 9, 7)).shape
        (1, 3, 2, 2)
    """

    float_inputs = 1  # integer data is cast to the float dtype (layers/base.py)

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, x):
        return P.adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
