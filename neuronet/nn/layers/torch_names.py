"""PyTorch's layer names and constructors over neuronet's layers: ``Conv2d``, ``MaxPool2d``, ``BatchNorm2d``, ...

Each alias is a subclass of the Keras-style layer that does the work (``Conv2d`` of ``Conv2D``,
...), taking ``torch.nn``'s arguments in ``torch.nn``'s order.  Sizes are given up front, so the
parameters exist as soon as the layer is constructed (an optimizer created right after sees
them), drawn as PyTorch draws them (uniform on ±1/√fan_in for convolutions, ones and zeros for
batch norm); names and layouts are PyTorch's, so ``load_state_dict(torch_layer.state_dict())``
works.  (``Linear`` lives beside ``Dense`` in dense.py; ``LSTM``/``GRU``/``RNN`` built PyTorch-style
in torch_recurrent.py.)

Example::

    net = nt.nn.Sequential(nt.nn.Conv2d(1, 6, 5), nt.nn.ReLU(), nt.nn.MaxPool2d(2),
                           nt.nn.Flatten(), nt.nn.Linear(6 * 12 * 12, 10))
    opt = nt.optim.SGD(net.parameters(), lr=0.1)      # every parameter already exists
"""
from __future__ import annotations

from ...checks import positive_int
from ...functional import pool as P
from ...functional.im2col import as_tuple
from .conv import Conv1D, Conv2D
from .normalization import BatchNorm1D, BatchNorm2D
from .pool import AvgPool1D, AvgPool2D, MaxPool1D, MaxPool2D

__all__ = ["Conv1d", "Conv2d", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "BatchNorm1d", "BatchNorm2d"]


def _conv_init(layer, base, nd, in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
               padding_mode):
    name = type(layer).__name__
    in_channels = positive_int(name, "in_channels", in_channels)
    out_channels = positive_int(name, "out_channels", out_channels)
    if isinstance(groups, int) and not isinstance(groups, bool) and groups >= 1 and in_channels % groups:
        raise ValueError(f"{name}: in_channels={in_channels} must be divisible by groups={groups}")
    base.__init__(layer, out_channels, kernel_size, strides=stride, padding=padding, dilation_rate=dilation,
                  groups=groups, use_bias=bias, padding_mode=padding_mode)
    layer.build((None, in_channels) + (1,) * nd)  # eager: the parameters exist now


class Conv2d(Conv2D):
    """``torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
    groups=1, bias=True, padding_mode='zeros')``: weight (out, in/groups, kh, kw), bias (out,).

    ``padding`` is an int, a pair, ``'valid'`` or ``'same'`` (stride 1), as in PyTorch.

    Example:
        >>> conv = nt.nn.Conv2d(3, 16, 3, stride=2, padding=1)
        >>> conv.weight.shape, conv(nt.ones(1, 3, 32, 32)).shape
        ((16, 3, 3, 3), (1, 16, 16, 16))
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros"):
        _conv_init(self, Conv2D, 2, in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                   padding_mode)

    @property
    def out_channels(self) -> int:
        return self.filters


class Conv1d(Conv1D):
    """``torch.nn.Conv1d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
    groups=1, bias=True, padding_mode='zeros')`` on (N, C, L): weight (out, in/groups, k), bias (out,).

    Example:
        >>> conv = nt.nn.Conv1d(4, 8, 3, padding=1)
        >>> conv.weight.shape, conv(nt.ones(2, 4, 20)).shape
        ((8, 4, 3), (2, 8, 20))
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros"):
        _conv_init(self, Conv1D, 1, in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                   padding_mode)

    @property
    def out_channels(self) -> int:
        return self.filters


def _no_indices(name, return_indices):
    if return_indices:
        raise ValueError(f"{name}: return_indices=True is not supported (neuronet has no max_unpool); "
                         "use return_indices=False")


class MaxPool2d(MaxPool2D):
    """``torch.nn.MaxPool2d(kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
    ceil_mode=False)`` on NCHW images (``return_indices`` must stay False).

    Example:
        >>> nt.nn.MaxPool2d(3, stride=2, padding=1)(nt.ones(1, 3, 32, 32)).shape
        (1, 3, 16, 16)
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices: bool = False,
                 ceil_mode: bool = False):
        _no_indices("MaxPool2d", return_indices)
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.dilation = as_tuple("MaxPool2d", "dilation", dilation, self.nd)
        self.kernel_size, self.stride = self.pool_size, self.strides  # PyTorch's attribute names

    @property
    def tiles(self) -> bool:
        return self.dilation == (1,) * self.nd and super().tiles

    def forward(self, x):
        self._check(x)
        return P.max_pool2d(x, self.pool_size, self.strides, self.padding, self.dilation, self.ceil_mode)


class MaxPool1d(MaxPool1D):
    """``torch.nn.MaxPool1d(kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
    ceil_mode=False)`` on (N, C, L).

    Example:
        >>> nt.nn.MaxPool1d(2)(nt.ones(2, 3, 10)).shape
        (2, 3, 5)
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices: bool = False,
                 ceil_mode: bool = False):
        _no_indices("MaxPool1d", return_indices)
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.dilation = as_tuple("MaxPool1d", "dilation", dilation, self.nd)
        self.kernel_size, self.stride = self.pool_size, self.strides

    def forward(self, x):
        self._check(x)
        return P.max_pool1d(x, self.pool_size, self.strides, self.padding, self.dilation, self.ceil_mode)


def _no_divisor(name, divisor_override):
    if divisor_override is not None:
        raise ValueError(f"{name}: divisor_override is not supported; use count_include_pad to choose the divisor")


class AvgPool2d(AvgPool2D):
    """``torch.nn.AvgPool2d(kernel_size, stride=None, padding=0, ceil_mode=False,
    count_include_pad=True, divisor_override=None)`` (``divisor_override`` must stay None).

    Example:
        >>> nt.nn.AvgPool2d(2)(nt.ones(1, 3, 8, 8)).shape
        (1, 3, 4, 4)
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override=None):
        _no_divisor("AvgPool2d", divisor_override)
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad)
        self.kernel_size, self.stride = self.pool_size, self.strides


class AvgPool1d(AvgPool1D):
    """``torch.nn.AvgPool1d(kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True)``.

    Example:
        >>> nt.nn.AvgPool1d(2)(nt.ones(2, 3, 10)).shape
        (2, 3, 5)
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False, count_include_pad: bool = True):
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad)
        self.kernel_size, self.stride = self.pool_size, self.strides


class BatchNorm1d(BatchNorm1D):
    """``torch.nn.BatchNorm1d(num_features, eps=1e-5, momentum=0.1, affine=True,
    track_running_stats=True)`` (PyTorch's argument order: eps before momentum) on (N, C) or (N, C, L).

    Example:
        >>> bn = nt.nn.BatchNorm1d(3)
        >>> bn(nt.randn(16, 3)).shape, bn.weight.shape, bn.running_var.shape
        ((16, 3), (3,), (3,))
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True):
        super().__init__(positive_int("BatchNorm1d", "num_features", num_features), momentum=momentum, eps=eps,
                         affine=affine, track_running_stats=track_running_stats)


class BatchNorm2d(BatchNorm2D):
    """``torch.nn.BatchNorm2d(num_features, eps=1e-5, momentum=0.1, affine=True,
    track_running_stats=True)`` on (N, C, H, W).

    Example:
        >>> bn = nt.nn.BatchNorm2d(8)
        >>> bn(nt.randn(4, 8, 5, 5)).shape, bn.num_batches_tracked.item()
        ((4, 8, 5, 5), 1)
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True):
        super().__init__(positive_int("BatchNorm2d", "num_features", num_features), momentum=momentum, eps=eps,
                         affine=affine, track_running_stats=track_running_stats)
