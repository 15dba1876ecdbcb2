"""Convolution layers: Keras's constructors with lazy input channels, PyTorch's parameters and layouts.

``Conv2D(6, 5)`` learns its input channels from the first batch (lazy build) and owns
``weight (filters, in_channels/groups, kh, kw)`` and ``bias (filters,)`` exactly as
``torch.nn.Conv2d``; ``Conv2DTranspose`` owns ``weight (in_channels, filters/groups, kh, kw)`` as
``torch.nn.ConvTranspose2d``.  With ``kernel_initializer=None`` (the default) weight and bias
are drawn as PyTorch does (kaiming-uniform with a=√5, i.e. uniform on ±1/√fan_in), so a model
trains like its PyTorch twin; any name or callable from ``nt.nn.init`` can be given instead.
"""
from __future__ import annotations

import math

from ... import backend
from ...checks import positive_int
from ...functional.activation import activation_name, get_activation
from ...functional.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from ...functional.conv_pool import conv2d_max_pool2d, conv_infer_array
from ...functional.im2col import PADDING_MODES, as_tuple
from .. import init
from .activity_regularization import get_activity_regularizer
from .base import _Layer
from .pool import MaxPool2D
from ..parameter import Parameter

__all__ = ["Conv1D", "Conv2D", "Conv2DTranspose", "Conv1DTranspose", "DepthwiseConv2D"]


class _Conv(_Layer):
    """Shared machinery: argument checks, lazy build, forward through the fused conv Function."""

    float_inputs = 1  # integer data is cast to the float dtype (layers/base.py)

    nd = 2
    transposed = False

    def __init__(self, filters, kernel_size, strides=1, padding="valid", dilation_rate=1, groups=1,
                 activation=None, use_bias=True, kernel_initializer=None, bias_initializer=None,
                 padding_mode="zeros", output_padding=0, kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None):
        super().__init__()
        name = type(self).__name__
        filters = positive_int(name, "filters", filters)
        if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1 or filters % groups:
            raise ValueError(f"{name}: groups must be a positive integer dividing filters={filters}, got {groups!r}")
        self.filters, self.groups = filters, groups
        self.kernel_size = as_tuple(name, "kernel_size", kernel_size, self.nd)
        self.strides = as_tuple(name, "strides", strides, self.nd)
        self.dilation_rate = as_tuple(name, "dilation_rate", dilation_rate, self.nd)
        if isinstance(padding, str):
            padding = padding.lower()
            if padding not in ("valid", "same") or (self.transposed and padding == "same"):
                allowed = "an int or tuple" if self.transposed else "'valid', 'same', an int or tuple"
                raise ValueError(f"{name}: padding must be {allowed}, got {padding!r}")
            if padding == "same" and self.strides != (1,) * self.nd:
                raise ValueError(f"{name}: padding='same' needs strides 1 (as PyTorch), got strides={self.strides}")
            self.padding = padding
        else:
            self.padding = as_tuple(name, "padding", padding, self.nd, minimum=0)
        if padding_mode not in PADDING_MODES or (self.transposed and padding_mode != "zeros"):
            raise ValueError(f"{name}: padding_mode must be one of "
                             f"{('zeros',) if self.transposed else PADDING_MODES}, got {padding_mode!r}")
        self.padding_mode = padding_mode
        self.output_padding = as_tuple(name, "output_padding", output_padding, self.nd, minimum=0)
        get_activation(activation)  # an unknown name fails here, not on the first batch
        self.activation = activation
        self.kernel_regularizer = kernel_regularizer  # penalties the training code adds to the loss
        self.bias_regularizer = bias_regularizer
        self.activity_regularizer = get_activity_regularizer(activity_regularizer)  # on the output
        self.use_bias = bool(use_bias)
        self.kernel_initializer = None if kernel_initializer is None else init.get(kernel_initializer)
        self.bias_initializer = None if bias_initializer is None else init.get(bias_initializer)
        self.in_channels = None
        self.register_parameter("weight", None)
        if self.use_bias:
            self.register_parameter("bias", None)
        else:
            self.bias = None
        self.built = False

    def _expected(self) -> str:
        return "(N, C, L)" if self.nd == 1 else "(N, C, H, W)"

    def _name(self) -> str:
        return f"{type(self).__name__}(filters={self.filters}, kernel_size={self.kernel_size})"

    def build(self, input_shape) -> None:
        """Create ``weight`` and ``bias`` from the input's channel dimension (axis 1)."""
        if input_shape is None or len(input_shape) != self.nd + 2:
            raise ValueError(f"{self._name()}: expected a {self.nd + 2}-D input of shape {self._expected()}, "
                             f"received shape {input_shape}")
        in_channels = int(input_shape[1])
        if in_channels < 1:  # no weights to draw (fan_in 0); PyTorch's Conv refuses 0 channels too
            raise ValueError(f"{self._name()}: input of shape {tuple(input_shape)} has 0 channels (axis 1)")
        if in_channels % self.groups:
            raise ValueError(f"{self._name()}: input channels {in_channels} (input shape {tuple(input_shape)}) "
                             f"must be divisible by groups={self.groups}")
        self.in_channels = in_channels
        if self.transposed:
            shape = (in_channels, self.filters // self.groups) + self.kernel_size
            fan_in = shape[1] * math.prod(self.kernel_size)  # PyTorch's fan_in for (in, out/g, k...) weights
        else:
            shape = (self.filters, in_channels // self.groups) + self.kernel_size
            fan_in = shape[1] * math.prod(self.kernel_size)
        dtype = backend.get_default_dtype()
        bound = 1.0 / math.sqrt(fan_in)
        if self.kernel_initializer is None:
            weight = init.uniform(shape, -bound, bound, dtype=dtype)
        else:
            weight = self.kernel_initializer(shape, dtype=dtype)
        self.weight = Parameter(weight, dtype=dtype)
        if self.use_bias:
            init_b = self.bias_initializer
            bias = init.uniform((self.filters,), -bound, bound, dtype=dtype) if init_b is None else \
                init_b((self.filters,), dtype=dtype)
            self.bias = Parameter(bias, dtype=dtype)
        self.built = True

    def _check(self, x):
        shape = tuple(x.shape)
        if len(shape) != self.nd + 2 or shape[1] != self.in_channels:
            raise ValueError(f"{self._name()}: expected input of shape {self._expected()} with C={self.in_channels} "
                             f"as the layer was built for {self.in_channels} channels, received shape {shape}")

    @property
    def fuses_relu(self) -> bool:
        """Whether ``forward(x, then_relu=True)`` can apply a following ReLU in the same pass."""
        return not self.transposed and self.activation is None

    def fuses_max_pool(self, layer) -> bool:
        """Whether ``forward(x, then_pool=layer)`` can apply the pooling ``layer`` in the same pass: a
        2-D, non-transposed convolution followed by a ``MaxPool2D`` (or ``MaxPool2d``) whose windows tile its output
        and that has no hooks (a fused pooling is not called, so its hooks would not run)."""
        return (not self.transposed and self.nd == 2 and isinstance(layer, MaxPool2D) and layer.tiles
                and not layer._hooks)

    def forward(self, x, *, then_relu: bool = False, then_pool=None):
        """The convolution (then ``max(·, 0)`` with ``then_relu`` when :attr:`fuses_relu`, then the
        max pooling layer ``then_pool`` when :meth:`fuses_max_pool` — ``Sequential``'s fusing)."""
        self._check(x)
        if then_relu and not self.fuses_relu:
            raise ValueError(f"{type(self).__name__}: then_relu needs a convolution without its own activation")
        if then_pool is not None:
            if not self.fuses_max_pool(then_pool):
                raise ValueError(f"{type(self).__name__}: then_pool needs a 2-D convolution and a MaxPool2D whose "
                                 f"windows tile the output, got {then_pool!r}")
            return conv2d_max_pool2d(x, self.weight, self.bias, self.strides, self.padding, self.dilation_rate,
                                     self.groups, self.padding_mode, activation="relu" if then_relu else self.activation,
                                     pool_size=then_pool.pool_size)
        if self.transposed:
            fn = conv_transpose1d if self.nd == 1 else conv_transpose2d
            y = fn(x, self.weight, self.bias, self.strides, self.padding, self.output_padding, self.groups,
                   self.dilation_rate)
            return y if self.activation is None else get_activation(self.activation)(y)
        fn = conv1d if self.nd == 1 else conv2d
        return fn(x, self.weight, self.bias, self.strides, self.padding, self.dilation_rate, self.groups,
                  self.padding_mode, activation="relu" if then_relu else self.activation)

    def infer_array(self, data, *, then_relu: bool = False, then_pool=None):
        """``forward`` of the array ``data`` without a graph, for ``Sequential``'s inference route
        (``nn/sequential.py``), as ``Dense.infer_array``: the fused Function's forward on the arrays
        (``conv_infer_array``).  None when the layer call could differ — hooks, an activity
        regularizer, a subclass's own forward, a 1-D or transposed convolution, an input of another
        dtype (cast) or shape (error), an activation applied after the Function — so that the
        caller makes the call instead."""
        weight, bias = self.weight, self.bias
        if (self._hooks is not None or self.activity_regularizer is not None or weight is None or self.transposed
                or self.nd != 2 or type(self).forward is not _Conv.forward or (then_relu and not self.fuses_relu)
                or (then_pool is not None and not self.fuses_max_pool(then_pool))):
            return None
        w = weight.data
        if data.dtype != w.dtype or data.ndim != 4 or data.shape[1] != self.in_channels:
            return None
        return conv_infer_array(data, w, None if bias is None else bias.data, self.strides, self.padding,
                                self.dilation_rate, self.groups, self.padding_mode,
                                activation="relu" if then_relu else self.activation,
                                pool_size=None if then_pool is None else then_pool.pool_size)

    def extra_repr(self) -> str:
        act = activation_name(self.activation)
        return (f"filters={self.filters}, kernel_size={self.kernel_size}, strides={self.strides}, "
                f"padding={self.padding!r}, in_channels={self.in_channels}, activation={act!r}")


class Conv2D(_Conv):
    """A 2-D convolution layer over NCHW images: each of ``filters`` kernels slides over the input and
    gives one output channel, plus a bias, then the activation.

    Args:
        filters: output channels.
        kernel_size: an int or (kh, kw).
        strides, dilation_rate: an int or a pair.
        padding: ``'valid'`` (none, default), ``'same'`` (keep the size; strides 1) or an int/pair.
        groups: independent channel groups (in and out channels must divide by it).
        activation: name or callable; relu/tanh/sigmoid are fused into the convolution.
        use_bias: add a per-channel bias.
        kernel_initializer, bias_initializer: names or callables from ``nt.nn.init``; None (default)
            is PyTorch's default, uniform on ±1/√fan_in.
        padding_mode: 'zeros', 'reflect', 'replicate' or 'circular'.
        kernel_regularizer, bias_regularizer: e.g. "l2" or ``nt.optim.L2(1e-4)``; ``fit`` adds the
            penalty to the loss.

    Input (N, C, H, W) → output (N, filters, OH, OW).

    Example:
        >>> conv = nt.nn.Conv2D(6, 5)  # LeNet-5's first layer
        >>> y = conv(nt.ones(1, 1, 32, 32))
        >>> conv.weight.shape, y.shape
        ((6, 1, 5, 5), (1, 6, 28, 28))
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", dilation_rate=1, groups=1,
                 activation=None, use_bias=True, kernel_initializer=None, bias_initializer=None,
                 padding_mode="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None):
        super().__init__(filters, kernel_size, strides, padding, dilation_rate, groups, activation, use_bias,
                         kernel_initializer, bias_initializer, padding_mode,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer)


class Conv1D(_Conv):
    """A 1-D convolution layer over (N, C, L) sequences; arguments as :class:`Conv2D` with one spatial axis.

    Example:
        >>> conv = nt.nn.Conv1D(8, 3, padding="same")
        >>> y = conv(nt.ones(2, 4, 20))
        >>> conv.weight.shape, y.shape  # weight (out, in, k)
        ((8, 4, 3), (2, 8, 20))
    """

    nd = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", dilation_rate=1, groups=1,
                 activation=None, use_bias=True, kernel_initializer=None, bias_initializer=None,
                 padding_mode="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None):
        super().__init__(filters, kernel_size, strides, padding, dilation_rate, groups, activation, use_bias,
                         kernel_initializer, bias_initializer, padding_mode,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer)


class Conv2DTranspose(_Conv):
    """A transposed 2-D convolution ("deconvolution") that upsamples by ``strides``: the layout and
    output size of ``torch.nn.ConvTranspose2d``, weight (in_channels, filters/groups, kh, kw).

    Args:
        padding: an int or pair cropped from each side of the full output (``'valid'`` = 0).
        output_padding: extra rows/columns at the bottom/right (< strides or dilation).
        Others as :class:`Conv2D` (activation applied after; no padding modes).

    Example:
        >>> up = nt.nn.Conv2DTranspose(3, 2, strides=2)
        >>> y = up(nt.ones(1, 8, 7, 7))
        >>> up.weight.shape, y.shape  # weight (in, out, kh, kw), as PyTorch
        ((8, 3, 2, 2), (1, 3, 14, 14))
    """

    transposed = True

    def __init__(self, filters, kernel_size, strides=1, padding=0, output_padding=0, dilation_rate=1, groups=1,
                 activation=None, use_bias=True, kernel_initializer=None, bias_initializer=None,
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None):
        super().__init__(filters, kernel_size, strides, 0 if padding == "valid" else padding, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         output_padding=output_padding, kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer)


class Conv1DTranspose(Conv2DTranspose):
    """A transposed 1-D convolution over (N, C, L) — ``torch.nn.ConvTranspose1d``; see :class:`Conv2DTranspose`.

    Example:
        >>> nt.nn.Conv1DTranspose(2, 4, strides=2, padding=1)(nt.ones(1, 3, 10)).shape
        (1, 2, 20)
    """

    nd = 1


class DepthwiseConv2D(_Conv):
    """A depthwise 2-D convolution: each input channel is convolved with its own ``depth_multiplier``
    kernels (groups = in_channels), as in MobileNet; weight (C·depth_multiplier, 1, kh, kw).

    Example:
        >>> dw = nt.nn.DepthwiseConv2D(3, padding="same")
        >>> y = dw(nt.ones(1, 4, 8, 8))
        >>> dw.weight.shape, y.shape  # one 3x3 kernel per channel
        ((4, 1, 3, 3), (1, 4, 8, 8))
    """

    def __init__(self, kernel_size, depth_multiplier=1, strides=1, padding="valid", dilation_rate=1,
                 activation=None, use_bias=True, kernel_initializer=None, bias_initializer=None,
                 padding_mode="zeros", kernel_regularizer=None, bias_regularizer=None):
        self.depth_multiplier = depth_multiplier = positive_int("DepthwiseConv2D", "depth_multiplier", depth_multiplier)
        super().__init__(depth_multiplier, kernel_size, strides, padding, dilation_rate, 1, activation, use_bias,
                         kernel_initializer, bias_initializer, padding_mode,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer)

    def build(self, input_shape) -> None:
        """Set groups = filters / depth_multiplier = the input channels, then build as a grouped conv."""
        if input_shape is None or len(input_shape) != 4:
            raise ValueError(f"{self._name()}: expected a 4-D input of shape (N, C, H, W), received shape {input_shape}")
        if int(input_shape[1]) < 1:
            raise ValueError(f"{self._name()}: input of shape {tuple(input_shape)} has 0 channels (axis 1)")
        self.groups = int(input_shape[1])
        self.filters = self.groups * self.depth_multiplier
        super().build(input_shape)

    def _name(self) -> str:
        return f"DepthwiseConv2D(kernel_size={self.kernel_size}, depth_multiplier={self.depth_multiplier})"
