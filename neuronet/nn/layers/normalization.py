"""Normalisation layers: LayerNorm (per sample) and BatchNorm (per channel over the batch).

Parameter and buffer names follow PyTorch (``weight``, ``bias``, ``running_mean``,
``running_var``, ``num_batches_tracked``) so state dicts can be exchanged with ``torch.nn``.
"""
from __future__ import annotations

from ... import backend
from ...autograd import effect
from ...backend import np
from ...checks import positive_int
from ...functional.math import add, mul
from ...functional.normalization import batch_norm, layer_norm
from ...functional.shape import reshape
from .. import init
from .base import _Layer
from ..parameter import Parameter

__all__ = ["LayerNorm", "GroupNorm", "BatchNorm1D", "BatchNorm2D"]


class LayerNorm(_Layer):
    """Normalise each sample over its last dimensions to zero mean and unit variance, then
    scale by ``weight`` and shift by ``bias`` (Ba et al., 2016; ``torch.nn.LayerNorm``).

    Args:
        normalized_shape: the trailing shape to normalise over (int or tuple); None takes the
            last dimension of the first input (lazy).
        eps: added to the variance for stability.
        elementwise_affine: learn ``weight`` (ones) and ``bias`` (zeros) of ``normalized_shape``.

    Example:
        >>> y = nt.nn.LayerNorm()(nt.tensor([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]]))
        >>> y.numpy()  # each row: zero mean, unit variance
        array([[-1.2247,  0.    ,  1.2247],
               [-1.2247,  0.    ,  1.2247]], dtype=float32)
    """

    float_inputs = 1  # integer data is cast to the float dtype (layers/base.py)

    def __init__(self, normalized_shape=None, eps: float = 1e-5, elementwise_affine: bool = True):
        super().__init__()
        self.eps = float(eps)
        self.elementwise_affine = bool(elementwise_affine)
        self.normalized_shape = None
        if self.elementwise_affine:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        else:
            self.weight = self.bias = None
        self.built = False
        if normalized_shape is not None:
            shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
            if not shape or not all(isinstance(n, int) and n > 0 for n in shape):
                raise ValueError(f"LayerNorm: normalized_shape must be positive integers, got {normalized_shape!r}")
            self._create(shape)

    def _create(self, shape) -> None:
        self.normalized_shape = tuple(int(n) for n in shape)
        if self.elementwise_affine:
            dtype = backend.get_default_dtype()
            self.weight = Parameter(init.ones(self.normalized_shape, dtype=dtype), dtype=dtype)
            self.bias = Parameter(init.zeros(self.normalized_shape, dtype=dtype), dtype=dtype)
        self.built = True

    def build(self, input_shape) -> None:
        """Normalise over the last dimension of the first input."""
        if not input_shape:
            raise ValueError(f"LayerNorm: needs an input with at least one dimension, got shape {input_shape}")
        self._create((input_shape[-1],))

    def forward(self, x):
        k, shape = len(self.normalized_shape), tuple(x.shape)
        if shape[len(shape) - k:] != self.normalized_shape or len(shape) < k:
            raise ValueError(f"LayerNorm(normalized_shape={self.normalized_shape}): expected input of shape "
                             f"(..., {', '.join(map(str, self.normalized_shape))}), received shape {shape}")
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"normalized_shape={self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class GroupNorm(_Layer):
    """Normalise each sample over groups of channels (Wu & He, 2018; ``torch.nn.GroupNorm``):
    the C channels are split into ``num_groups`` groups, each normalised over its channels and
    positions, then every channel is scaled and shifted by its own ``weight`` and ``bias``.
    Statistics do not depend on the batch, so it works with batches of one.

    Args:
        num_groups: number of groups; must divide the channels.
        num_channels: channels C (None: taken from the first input, axis 1).
        eps: added to the variance.
        affine: learn per-channel ``weight`` (ones) and ``bias`` (zeros).

    Example:
        >>> gn = nt.nn.GroupNorm(2, 4)
        >>> y = gn(nt.randn(3, 4, 5, 5) * 3 + 1)
        >>> y.shape, bool(abs(y.numpy()[0, :2].mean()) < 1e-5)
        ((3, 4, 5, 5), True)
    """

    float_inputs = 1  # integer data is cast to the float dtype (layers/base.py)

    def __init__(self, num_groups: int, num_channels=None, eps: float = 1e-5, affine: bool = True):
        super().__init__()
        if not isinstance(num_groups, int) or num_groups < 1:
            raise ValueError(f"GroupNorm: num_groups must be a positive int, got {num_groups!r}")
        self.num_groups, self.eps, self.affine = num_groups, float(eps), bool(affine)
        self.num_channels = None
        if self.affine:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        else:
            self.weight = self.bias = None
        self.built = False
        if num_channels is not None:
            self.build((None, num_channels))

    def build(self, input_shape) -> None:
        if not input_shape or len(input_shape) < 2:
            raise ValueError(f"GroupNorm: expected input (N, C, ...), received shape {input_shape}")
        c = int(input_shape[1])
        if c % self.num_groups:
            raise ValueError(f"GroupNorm: {c} channels do not split into {self.num_groups} groups")
        self.num_channels = c
        if self.affine:
            dtype = backend.get_default_dtype()
            self.weight = Parameter(init.ones((c,), dtype=dtype), dtype=dtype)
            self.bias = Parameter(init.zeros((c,), dtype=dtype), dtype=dtype)
        self.built = True

    def forward(self, x):
        shape = tuple(x.shape)
        if len(shape) < 2 or shape[1] != self.num_channels:
            raise ValueError(f"GroupNorm: expected input (N, {self.num_channels}, ...), received shape {shape}")
        n = shape[0]
        per_group = int(np.prod(shape[1:])) // self.num_groups
        # the fused layer norm over each (sample, group) row does the normalisation and its backward
        y = reshape(layer_norm(reshape(x, (n, self.num_groups, per_group)), (per_group,), eps=self.eps), shape)
        if not self.affine:
            return y
        channel = (self.num_channels,) + (1,) * (len(shape) - 2)
        return add(mul(y, reshape(self.weight, channel)), reshape(self.bias, channel))

    def extra_repr(self) -> str:
        return f"num_groups={self.num_groups}, num_channels={self.num_channels}, eps={self.eps}, affine={self.affine}"


class _BatchNorm(_Layer):
    """Batch normalisation over axis 1 (channels); subclasses fix which input ranks they take."""

    float_inputs = 1  # integer data is cast to the float dtype (layers/base.py)

    ranks: tuple = ()
    layout: str = ""

    def __init__(self, num_features: int | None = None, momentum: float | None = 0.1, eps: float = 1e-5,
                 affine: bool = True, track_running_stats: bool = True):
        super().__init__()
        name = type(self).__name__
        if momentum is not None and not 0 <= momentum <= 1:
            raise ValueError(f"{name}: momentum must be in [0, 1] (or None for a cumulative average), got {momentum!r}")
        self.momentum = momentum
        self.eps = float(eps)
        self.affine = bool(affine)
        self.track_running_stats = bool(track_running_stats)
        self.num_features = None
        if self.affine:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        else:
            self.weight = self.bias = None
        if self.track_running_stats:
            for buf in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(buf, None)
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None
        self.built = False
        if num_features is not None:
            self._create(positive_int(name, "num_features", num_features))

    def _create(self, c: int) -> None:
        self.num_features = int(c)
        dtype = backend.get_default_dtype()
        if self.affine:
            self.weight = Parameter(init.ones((c,), dtype=dtype), dtype=dtype)
            self.bias = Parameter(init.zeros((c,), dtype=dtype), dtype=dtype)
        if self.track_running_stats:
            self.register_buffer("running_mean", init.zeros((c,), dtype=dtype))
            self.register_buffer("running_var", init.ones((c,), dtype=dtype))
            self.register_buffer("num_batches_tracked", np.zeros((), dtype=np.int64))
        self.built = True

    def _check_input(self, shape) -> None:
        if len(shape) not in self.ranks or (self.num_features is not None and shape[1] != self.num_features):
            c = self.num_features if self.num_features is not None else "C"
            raise ValueError(f"{type(self).__name__}(num_features={self.num_features}): expected input of shape "
                             f"{self.layout.replace('C', str(c))}, received shape {tuple(shape)}")

    def build(self, input_shape) -> None:
        """Take the number of channels from axis 1 of the first input."""
        self._check_input(tuple(input_shape or ()))
        self._create(input_shape[1])

    fuses_relu = True  # forward(x, then_relu=True) applies a following ReLU in the same passes

    def forward(self, x, *, then_relu: bool = False):
        """Normalise (then ``max(·, 0)`` with ``then_relu``, for ``Sequential``'s fusing)."""
        self._check_input(tuple(x.shape))
        factor = 0.0 if self.momentum is None else self.momentum
        training = self.training and self.trainable  # Keras: a frozen batch norm runs in inference mode
        counting = training and self.track_running_stats
        if counting and self.momentum is None:  # cumulative moving average over all batches so far
            factor = 1.0 / float(self.num_batches_tracked + 1)
        use_batch_stats = training or not self.track_running_stats
        y = batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                       training=use_batch_stats, momentum=factor, eps=self.eps,
                       activation="relu" if then_relu else None)
        if counting:  # only once the batch is taken: a refused batch (one value per channel) changes nothing
            effect(self._count_batch)  # (a step capture, nt.jit, replays the count)
        return y

    def _count_batch(self) -> None:
        self.num_batches_tracked += 1

    def extra_repr(self) -> str:
        return (f"num_features={self.num_features}, momentum={self.momentum}, eps={self.eps}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1D(_BatchNorm):
    """Batch normalisation for (N, C) features or (N, C, L) sequences (``torch.nn.BatchNorm1d``).

    In training each channel is normalised with the batch's mean and variance and the running
    statistics are updated (``running = (1 − momentum)·running + momentum·batch``, unbiased
    variance); in evaluation (``model.eval()``) the running statistics are used.

    Args:
        num_features: channels C; None takes them from the first input (lazy).
        momentum: weight of each new batch in the running statistics (None: cumulative average).
        eps: added to the variance for stability.
        affine: learn a per-channel scale ``weight`` and shift ``bias``.
        track_running_stats: keep ``running_mean``/``running_var`` (else batch statistics always).

    Example:
        >>> bn = nt.nn.BatchNorm1D()
        >>> y = bn(nt.randn(64, 3) * 5 + 2)
        >>> y.shape, bool(np.abs(y.numpy().mean(0)).max() < 1e-5), bn.running_mean.shape
        ((64, 3), True, (3,))
    """

    ranks = (2, 3)
    layout = "(N, C) or (N, C, L)"


class BatchNorm2D(_BatchNorm):
    """Batch normalisation for (N, C, H, W) images, one mean and variance per channel
    (``torch.nn.BatchNorm2d``); same arguments as :class:`BatchNorm1D`.

    Example:
        >>> bn = nt.nn.BatchNorm2D()
        >>> y = bn(nt.randn(8, 3, 4, 4) + 5)
        >>> y.shape, bool(np.abs(y.numpy().mean(axis=(0, 2, 3))).max() < 1e-5)
        ((8, 3, 4, 4), True)
    """

    ranks = (4,)
    layout = "(N, C, H, W)"
