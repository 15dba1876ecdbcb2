"""Keras's convolution, pooling and batch-normalisation layers, **channels-last** as in Keras.

Images are (N, H, W, C) and sequences (N, L, C) at these layers' boundaries (``data_format=
"channels_last"``, Keras's default); inside, each layer moves the channels to axis 1, runs
neuronet's NCHW layer, and moves them back: two transposes per layer, the price of Keras's layout
(``data_format="channels_first"`` skips them).  Parameters keep neuronet's layout (conv
``weight`` (out, in, kh, kw)); ``get_weights`` gives Keras's kernel (kh, kw, in, out).
"""
from __future__ import annotations

import math

from ... import nn
from ...functional.shape import pad, permute
from .base import KerasLayer

__all__ = ["Conv1D", "Conv2D", "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D",
           "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
           "BatchNormalization"]


def _first(x):
    """(N, *spatial, C) → (N, C, *spatial)."""
    return permute(x, (0, x.ndim - 1, *range(1, x.ndim - 1)))


def _last(x):
    """(N, C, *spatial) → (N, *spatial, C)."""
    return permute(x, (0, *range(2, x.ndim), 1))


def _first_shape(shape):
    return None if shape is None else (shape[0], shape[-1], *shape[1:-1])


def _data_format(name, data_format):
    fmt = "channels_last" if data_format is None else data_format
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(f"{name}: data_format must be 'channels_last' or 'channels_first', got {data_format!r}")
    return fmt


class _ChannelsLast(KerasLayer):
    """Moves the channels to axis 1 around the neuronet layer's build and forward."""

    data_format = "channels_last"
    fuses_relu = False  # Sequential's conv/pool fusing runs on NCHW layers only

    def fuses_max_pool(self, layer) -> bool:
        return False

    def build(self, input_shape) -> None:
        last = self.data_format == "channels_last" and input_shape is not None and len(input_shape) >= 3
        super().build(_first_shape(input_shape) if last else input_shape)

    def _inner(self, x):
        return super().forward(x)

    def forward(self, x):
        if self.data_format == "channels_first" or x.ndim < 3:
            return self._inner(x)
        return _last(self._inner(_first(x)))


def _same_pad(size, k, s, d):
    """TensorFlow's 'same' padding (before, after) for one axis: output ceil(size / s)."""
    eff = (k - 1) * d + 1
    total = max((math.ceil(size / s) - 1) * s + eff - size, 0)
    return total // 2, total - total // 2


class _Conv(_ChannelsLast):
    def _setup(self, cls, nd, filters, kernel_size, strides, padding, data_format, dilation_rate, groups, activation,
               use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer, kwargs):
        name = cls.__name__
        self.data_format = _data_format(name, data_format)
        pad_mode = padding.lower() if isinstance(padding, str) else padding
        strided = strides not in (1, (1,) * nd, [1] * nd)
        self.keras_same = pad_mode == "same" and strided  # stride > 1: TensorFlow's uneven padding, done here
        cls.__init__(self, filters, kernel_size, strides, "valid" if self.keras_same else pad_mode, dilation_rate,
                     groups, activation, use_bias, kernel_initializer, bias_initializer,
                     kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer)
        self._keras_base(kwargs)

    def _inner(self, x):
        if self.keras_same:
            widths = [(0, 0), (0, 0)] + [_same_pad(n, k, s, d) for n, k, s, d in
                                         zip(x.shape[2:], self.kernel_size, self.strides, self.dilation_rate)]
            x = pad(x, widths)
        return super()._inner(x)

    def _expected(self) -> str:
        if self.data_format == "channels_first":
            return super()._expected()
        return "(N, L, C)" if len(self.kernel_size) == 1 else "(N, H, W, C) (channels last)"

    def keras_weights(self):
        nd = len(self.kernel_size)
        to_k = (2, 1, 0) if nd == 1 else (2, 3, 1, 0)    # (out, in, k...) → (k..., in, out)
        from_k = (2, 1, 0) if nd == 1 else (3, 2, 0, 1)
        return ([("weight", lambda a: a.transpose(to_k), lambda a: a.transpose(from_k))]
                + ([("bias", None, None)] if self.use_bias else []))


class Conv2D(_Conv, nn.Conv2D):
    """``keras.layers.Conv2D(filters, kernel_size, strides=(1, 1), padding="valid", activation=None, ...)``
    on (N, H, W, C) images; ``padding="same"`` with strides > 1 pads as TensorFlow does (the extra
    row/column at the bottom/right).

    Example:
        >>> conv = nt.keras.layers.Conv2D(16, 3, activation="relu")
        >>> conv(nt.ones(2, 28, 28, 1)).shape  # channels last, as Keras
        (2, 26, 26, 16)
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1),
                 groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, **kwargs):
        self._setup(nn.Conv2D, 2, filters, kernel_size, strides, padding, data_format, dilation_rate, groups,
                    activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                    bias_regularizer, kwargs)


class Conv1D(_Conv, nn.Conv1D):
    """``keras.layers.Conv1D(filters, kernel_size, ...)`` on (N, steps, channels) sequences.

    Example:
        >>> nt.keras.layers.Conv1D(8, 3, padding="same")(nt.ones(2, 20, 4)).shape  # (N, steps, channels)
        (2, 20, 8)
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, **kwargs):
        self._setup(nn.Conv1D, 1, filters, kernel_size, strides, padding, data_format, dilation_rate, groups,
                    activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                    bias_regularizer, kwargs)


def _pool_padding(name, padding):
    if isinstance(padding, str) and padding.lower() == "valid":
        return 0
    raise ValueError(f"{name}: padding={padding!r} is not supported (only 'valid', Keras's default); pad with "
                     f"layers.ZeroPadding2D-style padding before, or use a convolution with padding='same'")


def _pool(base, doc):
    class Pool(_ChannelsLast, base):
        def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
            name = type(self).__name__
            self.data_format = _data_format(name, data_format)
            base.__init__(self, pool_size, strides, _pool_padding(name, padding))
            self._keras_base(kwargs)
    Pool.__doc__ = doc
    return Pool


class MaxPooling2D(_pool(nn.MaxPool2D, "")):
    """``keras.layers.MaxPooling2D(pool_size=(2, 2), strides=None, padding="valid")`` on (N, H, W, C).

    Example:
        >>> nt.keras.layers.MaxPooling2D()(nt.ones(2, 28, 28, 3)).shape
        (2, 14, 14, 3)
    """


class AveragePooling2D(_pool(nn.AvgPool2D, "")):
    """``keras.layers.AveragePooling2D(pool_size=(2, 2), strides=None, padding="valid")`` on (N, H, W, C).

    Example:
        >>> nt.keras.layers.AveragePooling2D()(nt.ones(2, 8, 8, 3)).shape
        (2, 4, 4, 3)
    """


class MaxPooling1D(_pool(nn.MaxPool1D, "")):
    """``keras.layers.MaxPooling1D(pool_size=2)`` on (N, steps, C).

    Example:
        >>> nt.keras.layers.MaxPooling1D(2)(nt.ones(2, 10, 3)).shape
        (2, 5, 3)
    """


class AveragePooling1D(_pool(nn.AvgPool1D, "")):
    """``keras.layers.AveragePooling1D(pool_size=2)`` on (N, steps, C).

    Example:
        >>> nt.keras.layers.AveragePooling1D(2)(nt.ones(2, 10, 3)).shape
        (2, 5, 3)
    """


def _global(base):
    class Global(_ChannelsLast, base):
        def __init__(self, data_format=None, keepdims=False, **kwargs):
            self.data_format = _data_format(type(self).__name__, data_format)
            base.__init__(self, keepdims)
            self._keras_base(kwargs)

        def forward(self, x):
            if self.data_format == "channels_first":
                return base.forward(self, x)
            out = base.forward(self, _first(x))
            return _last(out) if self.keepdims else out
    return Global


class GlobalAveragePooling2D(_global(nn.GlobalAvgPool2D)):
    """``keras.layers.GlobalAveragePooling2D()``: (N, H, W, C) → (N, C).

    Example:
        >>> nt.keras.layers.GlobalAveragePooling2D()(nt.ones(2, 7, 7, 16)).shape
        (2, 16)
    """


class GlobalMaxPooling2D(_global(nn.GlobalMaxPool2D)):
    """``keras.layers.GlobalMaxPooling2D()``: (N, H, W, C) → (N, C).

    Example:
        >>> nt.keras.layers.GlobalMaxPooling2D()(nt.ones(2, 7, 7, 16)).shape
        (2, 16)
    """


class GlobalAveragePooling1D(_global(nn.GlobalAvgPool1D)):
    """``keras.layers.GlobalAveragePooling1D()``: (N, steps, C) → (N, C).

    Example:
        >>> nt.keras.layers.GlobalAveragePooling1D()(nt.ones(2, 10, 3)).shape
        (2, 3)
    """


class GlobalMaxPooling1D(_global(nn.GlobalMaxPool1D)):
    """``keras.layers.GlobalMaxPooling1D()``: (N, steps, C) → (N, C).

    Example:
        >>> nt.keras.layers.GlobalMaxPooling1D()(nt.ones(2, 10, 3)).shape
        (2, 3)
    """


class BatchNormalization(_ChannelsLast, nn.BatchNorm1D):
    """``keras.layers.BatchNormalization(axis=-1, momentum=0.99, epsilon=1e-3)`` over the last
    axis of (N, C), (N, L, C) or (N, H, W, C) inputs.

    Keras's ``momentum`` m keeps ``moving = m·moving + (1 − m)·batch``: neuronet's (PyTorch's)
    momentum is 1 − m.  The moving variance is updated with the unbiased batch variance (PyTorch);
    Keras uses the biased one — a difference of a factor n/(n − 1) in the moving variance only.
    Keras weights: ``[gamma, beta, moving_mean, moving_variance]``.

    Example:
        >>> bn = nt.keras.layers.BatchNormalization()
        >>> y = bn(nt.randn(16, 4, 4, 3) * 3 + 1)  # per channel (last axis)
        >>> y.shape, bool(np.abs(y.numpy().mean(axis=(0, 1, 2))).max() < 1e-4)
        ((16, 4, 4, 3), True)
    """

    ranks = (2, 3, 4)
    layout = "(N, C), (N, L, C) or (N, H, W, C)"

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True, **kwargs):
        if axis not in (-1, 1) or center != scale:
            raise ValueError("BatchNormalization: only axis=-1 (channels last) or 1 (channels first), with center "
                             f"and scale both on or both off, are supported; got axis={axis!r}")
        self.data_format = "channels_last" if axis == -1 else "channels_first"
        nn.BatchNorm1D.__init__(self, None, momentum=1.0 - momentum, eps=epsilon, affine=bool(scale))
        self._keras_base(kwargs)

    def build(self, input_shape) -> None:
        if input_shape is not None and len(input_shape) == 2:
            return nn.BatchNorm1D.build(self, input_shape)
        return super().build(input_shape)

    def keras_weights(self):
        names = (["weight", "bias"] if self.affine else []) + ["running_mean", "running_var"]
        return [(n, None, None) for n in names]
