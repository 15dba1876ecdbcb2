"""A stride-1 convolution, its ReLU and a max pooling over whole windows as one Function.

``Sequential`` turns ``Conv2D → ReLU → MaxPool2D`` (the block of LeNet and of most small CNNs)
into :func:`conv2d_max_pool2d`.  With the compiled kernels (``kernels/conv.py``) each image's
convolution output is pooled while it is still in cache: the full-size activation is never
written, read back or kept for the backward — only the index of each window's maximum (a quarter
of its size for 2×2 pooling).  A 3×3 convolution with 2×2 windows that Winograd's F(2×2, 3×3)
takes (``conv_winograd.py``) pools each tile's 2×2 block of outputs as the output transform makes
it: its tiles are the windows.  The gradient of each window goes to its first maximum (row-major,
as ``max_pool2d``) and through the ReLU when the value there is > 0: a flag kept with the index,
since after a NaN the window's maximum is NaN while its gradient still goes to that first maximum.
Without the kernels (NumPy, CuPy, float64, strides, groups, other activations) it is
``max_pool2d(conv2d(...))``; values and gradients are the same either way.
"""
from __future__ import annotations

from ..autograd import is_grad_enabled
from ..backend import array_module, np
from ..tensor import Tensor
from ..kernels.compiled import kernel_arrays, kernel_module
from .conv import Conv2d, conv2d, conv_params
from .conv_winograd import compiled_backward, compiled_forward, winograd_applies
from .im2col import as_tuple, pad_nchw, unpad_nchw
from ..kernels.parallel import fold_chunks, map_chunks
from .pool import MaxPool2d, _geometry, max_pool2d

__all__ = ["conv2d_max_pool2d"]  # conv_infer_array works on arrays, for the layers: not in F


class Conv2dMaxPool(Conv2d):
    """pooled = max_pool(act(W ⋆ x + b)), act None or relu, stride 1, one group: the compiled kernels only."""

    def __init__(self, pool, **conv_params):
        super().__init__(**conv_params)
        self.pool = pool

    def forward(self, x, w, b=None):
        kernels = kernel_module("conv")  # a dict lookup: a function-level import costs ~1 µs per call
        compiled_sgemm = kernel_module("numba_sgemm").compiled_sgemm
        xp = array_module(x)
        n, c, o = x.shape[0], x.shape[1], w.shape[0]
        (oh, ow), kernel, (ph, pw) = self.out_hw, w.shape[2:], self.pool
        # 3×3 with 2×2 windows: Winograd's tiles are the windows (conv_winograd.py), pooled as they are made
        self.winograd = self.pool == (2, 2) and winograd_applies(kernel, self.stride, self.dilation, self.groups, c, o,
                                                                 self.out_hw, (x, w) if b is None else (x, w, b))
        if self.winograd:
            pooled, arg = compiled_forward(compiled_sgemm(), x, w, b, self.activation, self.pads, self.padding_mode,
                                           self.out_hw, xp, pool=True)
            if self.recording:
                self.x_shape, self.w_shape = x.shape, w.shape
                self.x = x if self.needs_grad[1] else None  # tiled again in backward, as Conv2d's Winograd path
                self.w3 = w if self.needs_grad[0] else None
                self.arg = arg  # where each window's gradient goes, and the ReLU's mask there
            return pooled
        xpad = xp.ascontiguousarray(pad_nchw(x, self.pads, self.padding_mode))
        bounds = self._chunks(xpad.shape, kernel, x.dtype.itemsize, xp, o)
        w2 = xp.ascontiguousarray(w.reshape(o, -1))
        bias = xp.zeros(o, x.dtype) if b is None else xp.ascontiguousarray(b)
        pooled = xp.empty((n, o, oh // ph, ow // pw), dtype=x.dtype)
        arg = xp.empty(pooled.shape, dtype=np.uint8 if ph * pw <= 128 else np.int32)  # index + ph·pw·[value > 0]
        sgemm, relu, flat = compiled_sgemm(), self.activation == "relu", (n, o, -1)
        band = kernels.band_rows(w2.shape[1], o, self.row, (oh // ph) * ph, x.dtype.itemsize, ph)

        def chunk(s, e):
            kernels.conv_pool_forward_images(sgemm, xpad.reshape(n, c, -1), w2, bias, relu, pooled.reshape(flat),
                                             arg.reshape(flat), oh, ow, ph, pw, kernel[0], kernel[1],
                                             self.dilation[0], self.dilation[1], self.row, band, s, e)

        map_chunks(chunk, bounds, x)
        if self.recording:
            self.x_shape, self.w_shape, self.xpad_shape = x.shape, w.shape, xpad.shape
            self.xpad = xpad if self.needs_grad[1] else None  # dW = Σ_n dZ·im2col(xpad)ᵀ
            self.w2 = w2 if self.needs_grad[0] else None  # dcols = Wᵀ·dZ
            self.arg = arg  # where each window's gradient goes, and the ReLU's mask there
        return pooled

    def backward(self, gp):
        # pooled = max over the window of act(z): dL/dz = dL/dpooled at the first maximum (× [z > 0]), 0 elsewhere
        from ..kernels.numba_sgemm import compiled_sgemm
        from ..kernels.conv import conv_pool_backward_images
        xp = array_module(gp)
        gp = xp.ascontiguousarray(gp)
        n, o = gp.shape[:2]
        (oh, ow), kernel, (ph, pw), c = self.out_hw, self.w_shape[2:], self.pool, self.x_shape[1]
        k = c * kernel[0] * kernel[1]
        want_x, want_w = self.needs_grad[0], self.needs_grad[1]
        want_b = len(self.needs_grad) > 2 and self.needs_grad[2]
        if self.winograd:
            gx, gw, gb = compiled_backward(compiled_sgemm(), self.x, self.x_shape, self.w3, None, gp,
                                           int(self.activation == "relu"), want_x, want_w, want_b, self.pads,
                                           self.padding_mode, xp, pool_arg=self.arg, out_hw=self.out_hw)
            return (gx, gw) if len(self.needs_grad) == 2 else (gx, gw, gb)
        bounds = self._chunks(self.xpad_shape, kernel, gp.dtype.itemsize, xp, self.w_shape[0])
        gxpad = xp.empty(self.xpad_shape, dtype=gp.dtype) if want_x else None
        unused = xp.empty((1, 1, 1), gp.dtype)  # stands for an array the kernel is told not to read
        xflat = unused if self.xpad is None else self.xpad.reshape(n, c, -1)
        w2 = unused[0] if self.w2 is None else self.w2
        gxflat = unused if gxpad is None else gxpad.reshape(n, c, -1)
        sgemm, relu, flat = compiled_sgemm(), self.activation == "relu", (n, o, -1)

        def chunk(s, e):
            gwt, gb = xp.zeros((k, o), gp.dtype), xp.zeros(o, gp.dtype)
            conv_pool_backward_images(sgemm, xflat, w2, self.arg.reshape(flat),
                                      gp.reshape(flat), relu, gxflat, gwt, gb, want_x, want_w, oh, ow, ph, pw,
                                      kernel[0], kernel[1], self.dilation[0], self.dilation[1], self.row, s, e)
            return gwt, gb  # dWᵀ

        gwt, gb = fold_chunks(chunk, bounds, gp)  # summed in chunk order
        gx = unpad_nchw(gxpad, self.pads, self.x_shape, self.padding_mode) if want_x else None
        gw = xp.ascontiguousarray(gwt.T).reshape(self.w_shape) if want_w else None
        if len(self.needs_grad) == 2:
            return gx, gw
        return gx, gw, gb if want_b else None


def conv2d_max_pool2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros", *,
                      activation=None, pool_size=2):
    """``max_pool2d(conv2d(x, ..., activation=activation), pool_size)``, as one fused Function when it can be.

    Arguments as :func:`conv2d`, plus ``pool_size`` (an int or (ph, pw): windows that tile the
    output at stride = size without padding, as ``MaxPool2D(pool_size)``).  When a gradient is
    recorded, the windows are 2×2 or the batch is small (at most ``_FUSED_INFERENCE_MAX`` images),
    with the compiled kernels, stride 1, one group, activation None or relu and float32 NumPy
    arrays, the convolution output is pooled image by image without being stored (module
    docstring); otherwise the two functions run one after the other.

    Example:
        >>> x, w = nt.randn(2, 1, 8, 8), nt.randn(3, 1, 3, 3)
        >>> y = F.conv2d_max_pool2d(x, w, padding=1, activation="relu", pool_size=2)
        >>> y.shape, bool(np.allclose(y.numpy(), F.max_pool2d(F.relu(F.conv2d(x, w, padding=1)), 2).numpy()))
        ((2, 3, 4, 4), True)
    """
    pool = as_tuple("conv2d_max_pool2d", "pool_size", pool_size, 2)
    params, fused = conv_params("conv2d_max_pool2d", x, weight, bias, stride, padding, dilation, groups,
                                padding_mode, activation, 2)
    oh, ow = params["out_hw"]
    if oh < pool[0] or ow < pool[1]:
        raise ValueError(f"conv2d_max_pool2d: the convolution's output of size {(oh, ow)} (input {tuple(x.shape)}, "
                         f"weight {tuple(weight.shape)}) is smaller than pool_size {pool}")
    arrays = [a.data if isinstance(a, Tensor) else a for a in (x, weight, bias) if a is not None]
    recording = is_grad_enabled() and any(isinstance(a, Tensor) and a.requires_grad for a in (x, weight, bias))
    if fused and _fusion_applies(recording, x.shape[0], pool, params, arrays):
        inputs = (x, weight) if bias is None else (x, weight, bias)
        return Conv2dMaxPool.apply(*inputs, pool=pool, **params)
    y = conv2d(x, weight, bias, stride, padding, dilation, groups, padding_mode, activation=activation)
    return max_pool2d(y, pool)


def conv_infer_array(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros", *,
                     activation=None, pool_size=None):
    """The array that ``conv2d(...)`` (or, with ``pool_size``, :func:`conv2d_max_pool2d`) returns
    without a gradient, computed from the arrays themselves: the same Functions' forwards, without
    Tensors, graph bookkeeping or a layer call (``Conv2D.infer_array``, batch-1 inference).  None
    when that call would not be the fused Function alone — an empty batch, an activation that is
    applied afterwards, arguments it would refuse — so that the caller makes the call (and gets its
    error).

    Example:
        >>> from neuronet.functional.conv_pool import conv_infer_array
        >>> x, w = np.ones((1, 1, 4, 4), np.float32), np.ones((2, 1, 3, 3), np.float32)
        >>> conv_infer_array(x, w, activation="relu", pool_size=2)[0, :, 0, 0]
        array([9., 9.], dtype=float32)
    """
    try:
        params, fused = _resolved_params(x, weight, bias, stride, padding, dilation, groups, padding_mode, activation)
    except (TypeError, ValueError):
        return None
    if not fused or x.shape[0] == 0:
        return None
    if pool_size is None:
        return Conv2d(**params).forward(x, weight, bias)
    try:
        pool = as_tuple("conv2d_max_pool2d", "pool_size", pool_size, 2)
    except (TypeError, ValueError):
        return None
    oh, ow = params["out_hw"]
    if oh < pool[0] or ow < pool[1]:
        return None
    if _fusion_applies(False, x.shape[0], pool, params, [a for a in (x, weight, bias) if a is not None]):
        return Conv2dMaxPool(pool, **params).forward(x, weight, bias)
    y = Conv2d(**params).forward(x, weight, bias)
    return MaxPool2d(_geometry("max_pool2d", y, pool, None, 0, 1, False, 2)[0]).forward(y)


_RESOLVED: dict = {}  # conv_params' results for conv_infer_array, by the arguments' shapes, dtypes and settings
_RESOLVED_MAX = 64  # entries kept before the dict is emptied (a model has a few convolutions)


def _resolved_params(x, weight, bias, stride, padding, dilation, groups, padding_mode, activation):
    """``conv_params("conv2d", ...)`` for these arguments, remembered: its checks and resolution
    depend only on the arrays' shapes and dtypes and on the settings, and cost as much as a batch-1
    convolution's kernel (LeNet's two layers); nothing is kept when it raises or when a setting
    cannot be a dict key (a list)."""
    try:
        key = (x.shape, x.dtype, weight.shape, weight.dtype, None if bias is None else (bias.shape, bias.dtype),
               _setting(stride), _setting(padding), _setting(dilation), _setting(groups), padding_mode,
               _setting(activation))
        found = _RESOLVED.get(key)
    except TypeError:  # an unhashable setting
        return conv_params("conv2d", x, weight, bias, stride, padding, dilation, groups, padding_mode, activation, 2)
    if found is None:
        found = conv_params("conv2d", x, weight, bias, stride, padding, dilation, groups, padding_mode, activation, 2)
        if len(_RESOLVED) >= _RESOLVED_MAX:
            _RESOLVED.clear()
        _RESOLVED[key] = found
    return found


def _setting(value):
    """``value`` as a dict key that tells apart what compares equal but is checked differently:
    True from 1 (conv_params refuses a bool), a NumPy integer from an int."""
    if type(value) is tuple:
        return tuple(_setting(item) for item in value)
    return type(value), value


def _fusion_applies(recording, n, pool, params, arrays) -> bool:
    """Whether :class:`Conv2dMaxPool` runs for a fused activation (``params`` from ``conv_params``):
    the compiled kernels on float32 NumPy ``arrays``, stride 1, one group, activation None or relu,
    and a recorded gradient (the fusion pays in training: no full-size activation kept, no separate
    pooling passes forward and backward), or 2×2 windows (the kernel's SIMD loop), or at most
    ``_FUSED_INFERENCE_MAX`` images (the per-call overhead dominates); other windows' scalar loop is
    slower than NumPy's pooling pass over the stored output."""
    return ((recording or pool == (2, 2) or n <= _FUSED_INFERENCE_MAX) and n > 0
            and params["activation"] in (None, "relu") and params["stride"] == (1, 1) and params["groups"] == 1
            and kernel_arrays(*arrays) and _sgemm_found())


# without a gradient, batches up to this size are fused for any window: there one Function call less
# (and no full-size output) outweighs the kernel's scalar pooling loop (LeNet forward, 1 thread, µs per
# call unfused/fused: batch 1 757/729, batch 4 1315/1220, batch 8 1509/1663, on a loaded 2-CPU machine).
# 2×2 windows are fused at any batch: their SIMD loop (_pool_image_2x2) made the fused forward faster
# (conv + relu + pool, 1 thread, ms unfused/fused: LeNet's first layer at batch 64 1.19/0.89, its
# second 0.79/0.65, cnn-wide's 32→64 at 32×32 39.2/30.9, paired, load average 1.7 on 2 CPUs)
_FUSED_INFERENCE_MAX = 4


def _sgemm_found() -> bool:
    """Whether NumPy's sgemm is callable from the compiled kernels (``kernels/numba_sgemm.py``)."""
    return kernel_module("numba_sgemm").compiled_sgemm() is not None
