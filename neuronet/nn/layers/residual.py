"""Residual connections: the basic ResNet block (He et al., 2016), y = ReLU(F(x) + shortcut(x))."""
from __future__ import annotations

from ...functional.activation import relu
from .base import _Layer
from .conv import Conv2D
from .normalization import BatchNorm2D

__all__ = ["ResidualBlock"]


class ResidualBlock(_Layer):
    """Two 3×3 convolutions with batch norm, added to a shortcut, then ReLU.

    F(x) = BN(conv3×3(ReLU(BN(conv3×3_stride(x))))); the shortcut is the identity when the
    shape is kept, else a 1×1 convolution with the same stride plus batch norm (the "projection"
    shortcut).  The gradient reaches early layers through the identity path undiminished,
    which is what lets deep networks train.

    Args:
        filters: output channels.
        strides: stride of the first convolution (2 halves the height and width).
        projection: force (True) or forbid (False) the 1×1 projection; None decides from the
            input: projection exactly when the shape changes.

    Example:
        >>> block = nt.nn.ResidualBlock(16, strides=2)
        >>> block(nt.randn(2, 8, 16, 16)).shape  # a projection shortcut matches the shapes
        (2, 16, 8, 8)
    """

    float_inputs = 1  # integer data is cast to the float dtype (layers/base.py)

    def __init__(self, filters: int, strides: int = 1, projection=None):
        super().__init__()
        if not isinstance(filters, int) or filters < 1:
            raise ValueError(f"ResidualBlock: filters must be a positive int, got {filters!r}")
        self.filters, self.strides, self.projection = filters, strides, projection
        self.conv1 = Conv2D(filters, 3, strides=strides, padding=1, use_bias=False)
        self.bn1 = BatchNorm2D()
        self.conv2 = Conv2D(filters, 3, padding=1, use_bias=False)
        self.bn2 = BatchNorm2D()
        self.add_module("shortcut_conv", None)
        self.add_module("shortcut_bn", None)
        self.built = False

    def build(self, input_shape) -> None:
        if input_shape is None or len(input_shape) != 4:
            raise ValueError(f"ResidualBlock: expected a 4-D input (N, C, H, W), received shape {input_shape}")
        needed = self.strides != 1 or input_shape[1] != self.filters
        use = needed if self.projection is None else bool(self.projection)
        if needed and not use:
            raise ValueError(f"ResidualBlock: the shape changes (channels {input_shape[1]} → {self.filters}, "
                             f"stride {self.strides}) so the shortcut needs projection=True")
        if use:
            self.shortcut_conv = Conv2D(self.filters, 1, strides=self.strides, use_bias=False)
            self.shortcut_bn = BatchNorm2D()

    def forward(self, x):
        h = relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        shortcut = x if self.shortcut_conv is None else self.shortcut_bn(self.shortcut_conv(x))
        return relu(h + shortcut)
