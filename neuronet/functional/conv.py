"""Convolutions (1-D, 2-D, transposed) as fused Functions: im2col → one matrix product → bias → activation.

The forward runs the batch in chunks of images (``kernels/parallel.py``: cache-sized, spread over the
cores BLAS may use): each chunk's (padded) input is copied into columns with one slice per
kernel offset (see ``im2col.py``), multiplied by the weight in one batched matrix product (per
image and group; small products that stay in cache beat one huge GEMM here), and gets the bias
and an optional relu/tanh/sigmoid in place.  The backward rebuilds each chunk's columns from
the saved padded input for dW = Σ dY·colsᵀ (summed over chunks in a fixed order) and gets dX
from Wᵀ·dY folded back by ``col2im``.
Semantics, argument names and weight layouts are PyTorch's: NCHW input, conv weight
(out, in/groups, kh, kw), transposed-conv weight (in, out/groups, kh, kw).
"""
from __future__ import annotations

from ..autograd import Function
from ..backend import array_module
from .activation import _sigmoid, activation_grad, get_activation, relu_into
from ..kernels.compiled import kernel_arrays, kernel_module
from .conv_winograd import (compiled_backward, compiled_forward, pad_for_tiles, unpad_from_tiles, weight_transform,
                            weight_transform_adjoint, winograd_applies, winograd_backward, winograd_forward)
from .conv_strided import (channels_last_applies, split_bytes, strided_conv_backward, strided_conv_forward,
                           strided_transpose_backward, strided_transpose_forward)
from .im2col import (PADDING_MODES, as_tuple, col2im, im2col, im2col_row_width, out_size, pad_nchw, same_padding,
                     unpad_nchw)
from ..kernels.parallel import chunk_bounds, fold_chunks, map_chunks, scratch
from .empty import empty_result
from .linear import _FUSED

__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"]


def _activate(y, activation, xp):
    """Apply a fused activation to ``y`` in place."""
    if activation == "relu":
        relu_into(y, y, xp)
    elif activation == "tanh":
        xp.tanh(y, out=y)
    elif activation == "sigmoid":
        y[...] = _sigmoid(y, xp)


class Conv2d(Function):
    """y = act(W ⋆ x + b) for x (N, C, H, W); with ``one_d`` the inputs are (N, C, L) and (O, C/g, k).

    The batch runs in chunks of images (see ``kernels/parallel.py``) whose columns stay in cache; the
    backward pads the saved input again and rebuilds each chunk's columns from it, instead of
    keeping the whole batch's columns (kh·kw times the input), or a padded copy of the input that
    the layer before usually keeps unpadded, alive between forward and backward.
    """

    def __init__(self, stride, pads, dilation, groups, padding_mode, out_hw, activation=None, one_d=False):
        self.stride, self.pads, self.dilation, self.groups = stride, pads, dilation, groups
        self.padding_mode, self.out_hw, self.activation, self.one_d = padding_mode, out_hw, activation, one_d
        self.w_shape = None

    def _chunks(self, xpad_shape, kernel, itemsize, xp, out_channels):
        """Chunks of the batch sized so that one chunk's columns fit in cache (two from
        ``SPLIT_BYTES`` on while each half is large against its part of dW)."""
        n, c, _, wp = xpad_shape
        self.row = im2col_row_width(wp, self.stride, self.out_hw)
        k = c * kernel[0] * kernel[1]
        per_image = k * self.out_hw[0] * self.row * itemsize
        return chunk_bounds(n, per_image, xp, split_bytes=split_bytes(out_channels * k // self.groups))

    def _compiled_sgemm(self, *arrays):
        """NumPy's sgemm for the compiled per-image kernels when they apply (numba on, float32 NumPy
        arrays, one group), else None: the NumPy chunks run."""
        if self.groups != 1 or not kernel_arrays(*(a for a in arrays if a is not None)):
            return None
        return kernel_module("numba_sgemm").compiled_sgemm()  # a dict lookup, not an import per call

    def forward(self, x, w, b=None):
        xp = array_module(x)
        if self.one_d:
            x, w = x[:, :, None, :], w[:, :, None, :]
        n, c, o, g = x.shape[0], x.shape[1], w.shape[0], self.groups
        (oh, ow), kernel = self.out_hw, w.shape[2:]
        sgemm = self._compiled_sgemm(x, w)
        self.winograd = winograd_applies(kernel, self.stride, self.dilation, g, c, o, self.out_hw,
                                         (x, w) if b is None else (x, w, b))
        if self.winograd:  # 3×3, stride 1: Winograd's F(2×2, 3×3), 2.25× fewer multiply-adds (conv_winograd.py)
            return self._forward_winograd(sgemm, x, w, b, xp)
        self.channels_last = channels_last_applies(sgemm, self.stride, c, self.padding_mode, oh * ow, self.recording)
        if self.channels_last:  # strided or few positions, many channels: channels-last columns, padding in the kernel
            y = strided_conv_forward(sgemm, x, w, b, self.activation == "relu", self.pads, self.stride, self.dilation,
                                     self.out_hw, xp)
            if self.activation != "relu":
                _activate(y, self.activation, xp)
            if self.recording:
                self.sgemm, self.x_shape, self.w_shape = sgemm, x.shape, w.shape
                self.xpad = x if self.needs_grad[1] else None  # unpadded here
                self.w3 = w if self.needs_grad[0] else None
                self.y = y if self.activation else None
            return y[:, :, 0, :] if self.one_d else y
        xpad = xp.ascontiguousarray(pad_nchw(x, self.pads, self.padding_mode))
        bounds = self._chunks(xpad.shape, kernel, x.dtype.itemsize, xp, w.shape[0])
        row = self.row
        w3 = w.reshape(g, o // g, -1)
        bias = None if b is None else b[:, None, None]
        y = xp.empty((n, o, oh, ow), dtype=x.dtype)

        if sgemm is not None:  # the same per image in compiled code, columns in L2 (kernels/conv.py)
            from ..kernels.conv import band_rows, conv_forward_images, image_group
            group = image_group(self.stride, oh, ow)
            xflat, w2 = xpad.reshape(n, c, -1), xp.ascontiguousarray(w.reshape(o, -1))
            band = band_rows(w2.shape[1], o, xpad.shape[3], oh, x.dtype.itemsize)
            bias_or_zeros = xp.zeros(o, x.dtype) if b is None else xp.ascontiguousarray(b)
            relu = self.activation == "relu"

            def chunk(s, e):
                conv_forward_images(sgemm, xflat, w2, bias_or_zeros, relu, y.reshape(n, o, -1), oh, ow, kernel[0],
                                    kernel[1], *self.stride, *self.dilation, xpad.shape[3], group, band, s, e)
                if not relu:
                    _activate(y[s:e], self.activation, xp)
        else:
            def chunk(s, e):
                cols = scratch("cols", (e - s, g, c * kernel[0] * kernel[1] // g, oh * row), x.dtype, xp)
                im2col(xpad[s:e], kernel, self.stride, self.dilation, self.out_hw, out=cols)
                ys = y[s:e]
                if row == ow:  # per image and group: W (O/g, K) @ cols (K, OH·OW), straight into y
                    xp.matmul(w3, cols, out=ys.reshape(e - s, g, o // g, oh * ow))
                    if bias is not None:
                        ys += bias
                else:  # crop the junk columns of the stride-1 layout
                    z = xp.matmul(w3, cols).reshape(e - s, o, oh, row)[..., :ow]
                    if bias is None:
                        ys[...] = z
                    else:
                        xp.add(z, bias, out=ys)
                _activate(ys, self.activation, xp)

        map_chunks(chunk, bounds, x)
        if self.recording:
            self.x_shape, self.w_shape = x.shape, w.shape
            # dW = Σ_n dZ·im2col(xpad)ᵀ: x itself is kept (the layer before often keeps it too) and
            # padded again in backward, not a padded copy alive from forward to backward
            self.x = x if self.needs_grad[1] else None
            self.xpad_shape = xpad.shape
            self.w3 = w3 if self.needs_grad[0] else None  # dcols = Wᵀ·dZ
            self.y = y if self.activation else None
        return y[:, :, 0, :] if self.one_d else y

    def _forward_winograd(self, sgemm, x, w, b, xp):
        """y by Winograd's F(2×2, 3×3): the compiled kernels for float32 NumPy arrays, else NumPy's."""
        if sgemm is not None:
            y = compiled_forward(sgemm, x, w, b, self.activation, self.pads, self.padding_mode, self.out_hw, xp)
            if self.activation != "relu":
                _activate(y, self.activation, xp)
        else:
            y = winograd_forward(pad_for_tiles(x, self.pads, self.padding_mode, self.out_hw), weight_transform(w),
                                 self.out_hw)
            if b is not None:
                y += b[:, None, None]
            _activate(y, self.activation, xp)
        if self.recording:
            self.sgemm, self.x_shape, self.w_shape = sgemm, x.shape, w.shape
            self.x = x if self.needs_grad[1] else None  # tiled again in backward (dU = Σ dM·Vᵀ)
            self.w3 = w if self.needs_grad[0] else None  # dV = Uᵀ·dM
            self.y = y if self.activation else None
        return y

    def _backward_winograd(self, gy, xp):
        want_x, want_w = self.needs_grad[0], self.needs_grad[1]
        want_b = len(self.needs_grad) > 2 and self.needs_grad[2]
        if self.sgemm is not None and kernel_arrays(gy):
            from ..kernels.conv import ACTIVATION_CODES  # imports numba: only on this branch
            gx, gw, gb = compiled_backward(self.sgemm, self.x, self.x_shape, self.w3, self.y, gy,
                                           ACTIVATION_CODES[self.activation], want_x, want_w, want_b, self.pads,
                                           self.padding_mode, xp)
        else:
            gz = activation_grad(gy, self.y, self.activation, xp)
            xpad = pad_for_tiles(self.x, self.pads, self.padding_mode, self.out_hw) if want_w else None
            u = weight_transform(self.w3) if want_x else None
            gxpad, du = winograd_backward(xpad, u, gz, want_x, want_w)
            gx = unpad_from_tiles(gxpad, self.pads, self.padding_mode, self.x_shape) if want_x else None
            gw = weight_transform_adjoint(du) if want_w else None
            gb = gz.sum(axis=(0, 2, 3)) if want_b else None
        return (gx, gw) if len(self.needs_grad) == 2 else (gx, gw, gb)

    def backward(self, gy):
        xp = array_module(gy)
        if self.one_d:
            gy = gy[:, :, None, :]
        n, o, oh, ow = gy.shape
        if self.winograd:
            return self._backward_winograd(gy, xp)
        if self.channels_last:
            return self._backward_channels_last(gy, xp)
        g, kernel, c = self.groups, self.w_shape[2:], self.x_shape[1]
        k = c * kernel[0] * kernel[1]
        bounds = self._chunks(self.xpad_shape, kernel, gy.dtype.itemsize, xp, self.w_shape[0])
        row = self.row
        want_x, want_w = self.needs_grad[0], self.needs_grad[1]
        want_b = len(self.needs_grad) > 2 and self.needs_grad[2]
        gxpad = xp.empty(self.xpad_shape, dtype=gy.dtype) if want_x else None
        xpad = xp.ascontiguousarray(pad_nchw(self.x, self.pads, self.padding_mode)) if want_w else None

        sgemm = self._compiled_sgemm(gy, self.w3 if want_x else None, xpad, self.y)
        if sgemm is not None:  # the same per image in compiled code, columns in L2 (kernels/conv.py)
            from ..kernels.conv import ACTIVATION_CODES, conv_backward_images, image_group
            group = image_group(self.stride, oh, ow)
            gy = xp.ascontiguousarray(gy)
            unused = xp.empty((1, 1, 1), gy.dtype)  # stands for an array the kernel is told not to read
            y_or_gy = gy if self.y is None else self.y  # read only with an activation
            xflat = unused if xpad is None else xpad.reshape(n, c, -1)  # read only for dW
            w2 = unused[0] if self.w3 is None else xp.ascontiguousarray(self.w3.reshape(o, k))  # read only for dX
            gxflat = unused if gxpad is None else gxpad.reshape(n, c, -1)

            def chunk(s, e):
                gwt, gb = xp.zeros((k, o), gy.dtype), xp.zeros(o, gy.dtype)
                conv_backward_images(sgemm, xflat, w2, y_or_gy.reshape(n, o, -1), gy.reshape(n, o, -1),
                                     ACTIVATION_CODES[self.activation], gxflat, gwt, gb, want_x, want_w, want_b,
                                     oh, ow, kernel[0], kernel[1], *self.stride, *self.dilation, self.xpad_shape[3], group,
                                     s, e)
                return gwt[None] if want_w else None, gb if want_b else None  # dWᵀ, as the NumPy chunks give it
        else:
            ones = xp.ones(oh * row, dtype=gy.dtype) if want_b else None

            def chunk(s, e):
                # z = W·cols + b:  dW = Σ_n dZ·colsᵀ,  dcols = Wᵀ·dZ,  db = Σ dZ;  dX = col2im(dcols)
                m = e - s
                y = None if self.y is None else self.y[s:e]
                gz = scratch("gz", (m, o, oh, row), gy.dtype, xp)
                if row != ow:  # zeros in the junk columns keep them out of dW, dX and db
                    gz[..., ow:] = 0
                activation_grad(gy[s:e], y, self.activation, xp, out=gz[..., :ow])
                gz4 = gz.reshape(m, g, o // g, oh * row)
                gw = gb = None
                if want_w:
                    cols = scratch("cols", (m, g, k // g, oh * row), gy.dtype, xp)
                    im2col(xpad[s:e], kernel, self.stride, self.dilation, self.out_hw, out=cols)
                    gw = xp.matmul(cols, gz4.transpose(0, 1, 3, 2)).sum(axis=0)  # dWᵀ
                if want_x:
                    dcols = scratch("dcols", (m, g, k // g, oh * row), gy.dtype, xp)
                    xp.matmul(self.w3.transpose(0, 2, 1), gz4, out=dcols)
                    col2im(dcols.reshape((m, c) + kernel + (-1,)), self.xpad_shape, self.stride, self.dilation,
                           self.out_hw, out=gxpad[s:e])
                if want_b:
                    gb = (gz.reshape(m, o, -1) @ ones).sum(axis=0)  # BLAS beats sum(axis=(0, 2, 3))
                return gw, gb

        gw, gb = fold_chunks(chunk, bounds, gy)  # dWᵀ and db, summed in chunk order
        xpad = xflat = None  # dropped before the unpadded dx is made
        gx = None
        if want_w:
            gw = gw.transpose(0, 2, 1)
            gw = gw.reshape(self.w_shape[:2] + self.w_shape[3:] if self.one_d else self.w_shape)
        if want_x:
            gx = unpad_nchw(gxpad, self.pads, self.x_shape, self.padding_mode)
            if self.one_d:
                gx = gx[:, :, 0, :]
        return (gx, gw) if len(self.needs_grad) == 2 else (gx, gw, gb)


    def _backward_channels_last(self, gy, xp):
        from ..kernels.conv import ACTIVATION_CODES
        want_b = len(self.needs_grad) > 2 and self.needs_grad[2]
        gx, gw, gb = strided_conv_backward(self.sgemm, self.xpad, self.w3, self.y, gy, ACTIVATION_CODES[self.activation],
                                           self.needs_grad[0], self.needs_grad[1], want_b, self.pads, self.stride,
                                           self.dilation, self.x_shape, self.w_shape, xp)
        if self.one_d:
            gx = None if gx is None else gx[:, :, 0, :]
            gw = None if gw is None else gw.reshape(self.w_shape[:2] + self.w_shape[3:])
        return (gx, gw) if len(self.needs_grad) == 2 else (gx, gw, gb)


def _check_shapes(fn, xs, ws, groups, nd, layout, grouped):
    """Rank of input and weight, and ``groups`` dividing the weight's first axis (``grouped`` names it)."""
    names = "(N, C, L)" if nd == 1 else "(N, C, H, W)"
    if len(xs) != nd + 2:
        raise ValueError(f"{fn}: expected a {nd + 2}-D input of shape {names}, received shape {xs}")
    if len(ws) != nd + 2:
        raise ValueError(f"{fn}: expected a {nd + 2}-D weight ({layout}, "
                         f"{'k' if nd == 1 else 'kh, kw'}), received shape {ws}")
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
        raise ValueError(f"{fn}: groups must be a positive integer, got {groups!r}")
    if 0 in xs[1:]:  # PyTorch's rule too: only the batch may be empty
        raise ValueError(f"{fn}: input of shape {xs} has a size-0 channel or spatial dimension; only the batch "
                         "dimension may be 0")
    if 0 in ws:
        raise ValueError(f"{fn}: weight of shape {ws} has a size-0 dimension; channels and kernel sizes must be "
                         "at least 1")
    if ws[0] % groups:
        raise ValueError(f"{fn}: {grouped} {ws[0]} (weight {ws}) must be divisible by groups={groups}")


def _conv(fn, x, weight, bias, stride, padding, dilation, groups, padding_mode, activation, nd):
    """Check the arguments of conv1d/conv2d, resolve the padding, and run the fused Function."""
    params, fused = conv_params(fn, x, weight, bias, stride, padding, dilation, groups, padding_mode, activation, nd)
    inputs = (x, weight) if bias is None else (x, weight, bias)
    if x.shape[0] == 0:  # an empty batch: an empty output, zero gradients for weight and bias (PyTorch)
        return empty_result((0, weight.shape[0]) + tuple(params["out_hw"][-nd:]), *inputs)
    y = Conv2d.apply(*inputs, **params)
    return y if fused else get_activation(activation)(y)


def conv_params(fn, x, weight, bias, stride, padding, dilation, groups, padding_mode, activation, nd):
    """Check the arguments of conv1d/conv2d and resolve them into :class:`Conv2d`'s parameters;
    also whether ``activation`` is one the Function fuses (relu, tanh, sigmoid or none)."""
    xs, ws = tuple(x.shape), tuple(weight.shape)
    _check_shapes(fn, xs, ws, groups, nd, "out_channels, in_channels/groups", "out_channels")
    if xs[1] != ws[1] * groups:
        raise ValueError(f"{fn}: expected input with {ws[1] * groups} channels (weight {ws}, groups={groups}), "
                         f"received {xs[1]} channels in input of shape {xs}")
    if bias is not None and tuple(bias.shape) != (ws[0],):
        raise ValueError(f"{fn}: bias must have shape ({ws[0]},) for weight {ws}, received {tuple(bias.shape)}")
    if x.dtype != weight.dtype or (bias is not None and bias.dtype != x.dtype):
        raise TypeError(f"{fn}: input, weight and bias must share a dtype, got {x.dtype}, {weight.dtype}"
                        f"{'' if bias is None else ', ' + str(bias.dtype)}")
    if padding_mode not in PADDING_MODES:
        raise ValueError(f"{fn}: padding_mode must be one of {PADDING_MODES}, got {padding_mode!r}")
    stride = as_tuple(fn, "stride", stride, nd)
    dilation = as_tuple(fn, "dilation", dilation, nd)
    kernel = ws[2:]
    if padding == "valid":
        pads = (0,) * (2 * nd)
    elif padding == "same":
        if any(s != 1 for s in stride):
            raise ValueError(f"{fn}: padding='same' needs stride 1 (as in PyTorch), got stride={stride}")
        pads = same_padding(kernel, dilation)
    elif isinstance(padding, str):
        raise ValueError(f"{fn}: padding must be 'valid', 'same', an int or a tuple of {nd} ints, got {padding!r}")
    else:
        pads = tuple(p for p in as_tuple(fn, "padding", padding, nd, minimum=0) for _ in (0, 1))
    spatial = xs[2:]
    if padding_mode == "reflect" and any(p >= n for p, n in zip(pads, [d for d in spatial for _ in (0, 1)])):
        raise ValueError(f"{fn}: reflect padding {pads} must be smaller than the input size {spatial}")
    if padding_mode == "circular" and any(p > n for p, n in zip(pads, [d for d in spatial for _ in (0, 1)])):
        raise ValueError(f"{fn}: circular padding {pads} cannot exceed the input size {spatial}")
    outs = tuple(out_size(n, k, s, pads[2 * i] + pads[2 * i + 1], d)
                 for i, (n, k, s, d) in enumerate(zip(spatial, kernel, stride, dilation)))
    if any(o < 1 for o in outs):
        raise ValueError(f"{fn}: input of shape {xs} with weight {ws}, stride {stride}, padding {pads}, "
                         f"dilation {dilation} gives an empty output of size {outs}")
    key = activation.lower() if isinstance(activation, str) else activation
    try:
        fused = key in _FUSED
    except TypeError:  # an unhashable callable
        fused = False
    if nd == 1:
        stride, dilation, pads, outs = (1,) + stride, (1,) + dilation, (0, 0) + pads, (1,) + outs
    params = dict(stride=stride, pads=pads, dilation=dilation, groups=groups, padding_mode=padding_mode,
                  out_hw=outs, activation=_FUSED[key] if fused else None, one_d=nd == 1)
    return params, fused


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros", *,
           activation=None):
    """2-D convolution (cross-correlation, as in every framework) of NCHW images — PyTorch's ``F.conv2d``.

    Args:
        x: input (N, C, H, W).
        weight: (out_channels, C/groups, kh, kw).
        bias: (out_channels,) or None.
        stride, dilation: an int or a pair (vertical, horizontal).
        padding: an int or pair (each side), ``'valid'`` (none) or ``'same'`` (output size = input
            size; needs stride 1; an odd total puts the extra pixel after, like PyTorch).
        groups: split the channels into this many independent convolutions (groups = C is depthwise).
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'`` (``nn.Conv2d``'s option).
        activation: relu, tanh or sigmoid are fused into the same Function (one pass, no extra
            saved array); any other name or callable is applied afterwards.

    Returns:
        (N, out_channels, OH, OW) with OH = ⌊(H + 2P − d(kh−1) − 1)/S⌋ + 1.

    Example:
        >>> x, w = nt.ones(1, 1, 5, 5), nt.ones(2, 1, 3, 3)
        >>> y = F.conv2d(x, w, stride=2)
        >>> y.shape, y[0, 0, 0, 0].item()  # each output sums a 3x3 window
        ((1, 2, 2, 2), 9.0)
    """
    return _conv("conv2d", x, weight, bias, stride, padding, dilation, groups, padding_mode, activation, 2)


def conv1d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros", *,
           activation=None):
    """1-D convolution over (N, C, L) sequences — PyTorch's ``F.conv1d``; arguments as :func:`conv2d`
    with one spatial axis (weight (out_channels, C/groups, k)).

    Example:
        >>> F.conv1d(nt.ones(2, 3, 10), nt.ones(4, 3, 3), padding=1).shape  # (N, C_out, L)
        (2, 4, 10)
    """
    return _conv("conv1d", x, weight, bias, stride, padding, dilation, groups, padding_mode, activation, 1)


class ConvTranspose2d(Function):
    """y = Wᵀ ⋆ x + b: scatter every input pixel times its kernel into the output (the adjoint of conv2d)."""

    def __init__(self, stride, padding, dilation, groups, full_hw, out_hw, one_d=False):
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups
        self.full_hw, self.out_hw, self.one_d = full_hw, out_hw, one_d

    def _compiled_sgemm(self, *arrays):
        """NumPy's sgemm for the compiled per-image kernels (float32 NumPy arrays, one group), else None."""
        if self.groups != 1 or not kernel_arrays(*(a for a in arrays if a is not None)):
            return None
        return kernel_module("numba_sgemm").compiled_sgemm()  # a dict lookup, not an import per call

    def _kernel_args(self, w_shape):
        """The convolution this one is the adjoint of, as ``kernels/conv.py`` takes it: (OH, OW) =
        this input's size, kernel, stride, dilation, the full output's width Wp and images per product."""
        from ..kernels.conv import image_group
        return (*self.x_hw, *w_shape[2:], *self.stride, *self.dilation, self.full_hw[1],
                image_group(self.stride, *self.x_hw))

    def _chunk_bounds(self, n, k, xp, in_channels):
        # one image's columns, float32; two chunks from SPLIT_BYTES on while each half is large against dW (C_in·k)
        return chunk_bounds(n, k * self.x_hw[0] * self.x_hw[1] * 4, xp, split_bytes=split_bytes(in_channels * k))

    def forward(self, x, w, b=None):
        xp = array_module(x)
        if self.one_d:
            x, w = x[:, :, None, :], w[:, :, None, :]
        n, c, h, wd = x.shape
        g = self.groups
        o = w.shape[1] * g
        self.x_hw = (h, wd)
        sgemm = self._compiled_sgemm(x, w)
        self.channels_last = channels_last_applies(sgemm, self.stride, w.shape[1])
        if sgemm is not None:  # per image in compiled code: col2im(Wᵀ·x[b]) is conv2d's input gradient
            if self.channels_last:  # strided, many output channels: channels-last columns, crop and bias in the kernel
                y = strided_transpose_forward(sgemm, x, w, b, self.padding, self.full_hw, self.out_hw, self.stride,
                                              self.dilation, xp)
            else:
                y = self._forward_images(sgemm, xp.ascontiguousarray(x), xp.ascontiguousarray(w), b, xp)
            if self.recording:
                self.x = x if self.needs_grad[1] else None
                self.w3 = w.reshape(1, c, -1) if self.needs_grad[0] else None
                self.x_shape, self.w_shape = x.shape, w.shape
            return y[:, :, 0, :] if self.one_d else y
        w3 = w.reshape(g, c // g, -1)  # (G, C/g, O/g·kh·kw)
        # one GEMM per group over the whole batch: cols (G, K, N·HW) = Wᵀ (K, C/g) @ x (C/g, N·HW); a
        # matmul broadcast over images runs one small product per image, several times slower
        xg = x.reshape(n, g, c // g, h * wd).transpose(1, 2, 0, 3).reshape(g, c // g, n * h * wd)
        cols = xp.matmul(w3.transpose(0, 2, 1), xg).reshape(g, -1, n, h * wd).transpose(2, 0, 1, 3)
        full = col2im(xp.ascontiguousarray(cols).reshape((n, o) + w.shape[2:] + (h * wd,)), (n, o) + self.full_hw,
                      self.stride, self.dilation, (h, wd))
        (ph, pw), (oh, ow) = self.padding, self.out_hw
        y = full[:, :, ph:ph + oh, pw:pw + ow]
        y = y + b[:, None, None] if b is not None else xp.ascontiguousarray(y)
        if self.recording:
            self.x = x if self.needs_grad[1] else None  # dW = Σ_n x·colsᵀ
            self.w3 = w3 if self.needs_grad[0] else None  # dX = W·cols
            self.x_shape, self.w_shape = x.shape, w.shape
        return y[:, :, 0, :] if self.one_d else y

    def backward(self, gy):
        # y = col2im(Wᵀx): its adjoint is im2col, so with cols = im2col(dY): dX = W·cols, dW = Σ_n x·colsᵀ, db = Σ dY
        xp = array_module(gy)
        if self.one_d:
            gy = gy[:, :, None, :]
        n, c, h, wd = self.x_shape
        g = self.groups
        (ph, pw), (fh, fw) = self.padding, self.full_hw
        sgemm = self._compiled_sgemm(gy, self.x, self.w3)
        if sgemm is not None:
            if self.channels_last:
                gx, gw = strided_transpose_backward(sgemm, self.x, None if self.w3 is None else self.w3.reshape(self.w_shape),
                                                    gy, self.needs_grad[0], self.needs_grad[1], self.padding,
                                                    self.full_hw, self.stride, self.dilation, self.x_shape, self.w_shape, xp)
            else:
                gfull = pad_nchw(gy, (ph, fh - ph - gy.shape[2], pw, fw - pw - gy.shape[3]))
                gx, gw = self._backward_images(sgemm, xp.ascontiguousarray(gfull), xp)
            gx = gx[:, :, 0, :] if self.one_d and gx is not None else gx
            if gw is not None and self.one_d:
                gw = gw.reshape(self.w_shape[:2] + self.w_shape[3:])
            gb = gy.sum(axis=(0, 2, 3)) if len(self.needs_grad) > 2 and self.needs_grad[2] else None
            return (gx, gw) if len(self.needs_grad) == 2 else (gx, gw, gb)
        gfull = pad_nchw(gy, (ph, fh - ph - gy.shape[2], pw, fw - pw - gy.shape[3]))
        cols, row = im2col(gfull, self.w_shape[2:], self.stride, self.dilation, (h, wd))
        # the batch folded into the GEMMs' inner dimension: colsg (G, K, N·H·row)
        colsg = cols.reshape(n, g, -1, h * row).transpose(1, 2, 0, 3).reshape(g, -1, n * h * row)
        gx = gw = gb = None
        if self.needs_grad[0]:
            gx = xp.matmul(self.w3, colsg).reshape(g, c // g, n, h, row).transpose(2, 0, 1, 3, 4)
            gx = xp.ascontiguousarray(gx.reshape(n, c, h, row)[..., :wd])
            gx = gx[:, :, 0, :] if self.one_d else gx
        if self.needs_grad[1]:
            x = self.x
            if row != wd:  # zeros under the junk columns of the stride-1 layout
                x = xp.zeros((n, c, h, row), dtype=x.dtype)
                x[..., :wd] = self.x
            xg = x.reshape(n, g, c // g, h * row).transpose(1, 2, 0, 3).reshape(g, c // g, n * h * row)
            gw = xp.matmul(xg, colsg.transpose(0, 2, 1))
            gw = gw.reshape(self.w_shape[:2] + self.w_shape[3:] if self.one_d else self.w_shape)
        if len(self.needs_grad) > 2 and self.needs_grad[2]:
            gb = gy.sum(axis=(0, 2, 3))
        return (gx, gw) if len(self.needs_grad) == 2 else (gx, gw, gb)


    def _forward_images(self, sgemm, x, w, b, xp):
        """The full output col2im(Wᵀ·x[b]) of every image by ``conv_backward_images`` (dX only), cropped, plus b."""
        from ..kernels.conv import conv_backward_images
        n, c = x.shape[:2]
        o, k = w.shape[1], w.shape[1] * w.shape[2] * w.shape[3]
        full = xp.empty((n, o) + self.full_hw, dtype=x.dtype)
        w2, gy = w.reshape(c, k), x.reshape(n, c, -1)
        unused, gwt, gb = xp.empty((1, 1, 1), x.dtype), xp.empty((k, c), x.dtype), xp.empty(c, x.dtype)

        def chunk(s, e):
            conv_backward_images(sgemm, unused, w2, gy, gy, 0, full.reshape(n, o, -1), gwt, gb, True, False, False,
                                 *self._kernel_args(w.shape), s, e)
        map_chunks(chunk, self._chunk_bounds(n, k, xp, c), x)
        (ph, pw), (oh, ow) = self.padding, self.out_hw
        y = full[:, :, ph:ph + oh, pw:pw + ow]
        return y + b[:, None, None] if b is not None else xp.ascontiguousarray(y)

    def _backward_images(self, sgemm, gfull, xp):
        """dX[b] = W·im2col(dY_full[b]) (conv2d's forward) and dW = Σ_b x[b]·im2col(dY_full[b])ᵀ (conv2d's
        weight gradient), per image in compiled code; dW summed over chunks in chunk order."""
        from ..kernels.conv import band_rows, conv_backward_images, conv_forward_images
        n, c, h, wd = self.x_shape
        o, k = gfull.shape[1], self.w_shape[1] * self.w_shape[2] * self.w_shape[3]
        gflat = gfull.reshape(n, o, -1)
        args = self._kernel_args(self.w_shape)
        bounds = self._chunk_bounds(n, k, xp, c)
        gx = gw = None
        if self.needs_grad[0]:
            gx = xp.empty((n, c, h, wd), dtype=gfull.dtype)
            w2, zeros = xp.ascontiguousarray(self.w3.reshape(c, k)), xp.zeros(c, gfull.dtype)
            band = band_rows(k, c, self.full_hw[1], h, gfull.dtype.itemsize)
            map_chunks(lambda s, e: conv_forward_images(sgemm, gflat, w2, zeros, False, gx.reshape(n, c, -1), *args,
                                                        band, s, e), bounds, gfull)
        if self.needs_grad[1]:
            xflat = xp.ascontiguousarray(self.x).reshape(n, c, -1)
            unused = xp.empty((1, 1), gfull.dtype)

            def chunk(s, e):
                gwt, gb = xp.zeros((k, c), gfull.dtype), xp.zeros(c, gfull.dtype)
                conv_backward_images(sgemm, gflat, unused, xflat, xflat, 0, gflat, gwt, gb, False, True, False,
                                     *args, s, e)
                return (gwt,)
            gw = xp.ascontiguousarray(fold_chunks(chunk, bounds, gfull)[0].T).reshape(self.w_shape)
        return gx, gw


def _conv_transpose(fn, x, weight, bias, stride, padding, output_padding, groups, dilation, nd):
    """Check the arguments of conv_transpose1d/2d and run the Function."""
    xs, ws = tuple(x.shape), tuple(weight.shape)
    _check_shapes(fn, xs, ws, groups, nd, "in_channels, out_channels/groups", "in_channels")
    if xs[1] != ws[0]:
        raise ValueError(f"{fn}: expected input with {ws[0]} channels (weight {ws} is (in, out/groups, ...)), "
                         f"received {xs[1]} channels in input of shape {xs}")
    if bias is not None and tuple(bias.shape) != (ws[1] * groups,):
        raise ValueError(f"{fn}: bias must have shape ({ws[1] * groups},) for weight {ws} and groups={groups}, "
                         f"received {tuple(bias.shape)}")
    if x.dtype != weight.dtype or (bias is not None and bias.dtype != x.dtype):
        raise TypeError(f"{fn}: input, weight and bias must share a dtype, got {x.dtype}, {weight.dtype}"
                        f"{'' if bias is None else ', ' + str(bias.dtype)}")
    stride = as_tuple(fn, "stride", stride, nd)
    dilation = as_tuple(fn, "dilation", dilation, nd)
    padding = as_tuple(fn, "padding", padding, nd, minimum=0)
    output_padding = as_tuple(fn, "output_padding", output_padding, nd, minimum=0)
    if any(op >= max(s, d) for op, s, d in zip(output_padding, stride, dilation)):
        raise ValueError(f"{fn}: output_padding {output_padding} must be smaller than stride {stride} "
                         f"or dilation {dilation}")
    full = tuple((n - 1) * s + d * (k - 1) + 1 + op
                 for n, s, d, k, op in zip(xs[2:], stride, dilation, ws[2:], output_padding))
    outs = tuple(f - 2 * p for f, p in zip(full, padding))
    if any(o < 1 for o in outs):
        raise ValueError(f"{fn}: input of shape {xs} with weight {ws}, stride {stride}, padding {padding}, "
                         f"dilation {dilation} gives an empty output of size {outs}")
    if nd == 1:
        stride, dilation, padding, full, outs = (1,) + stride, (1,) + dilation, (0,) + padding, (1,) + full, (1,) + outs
    inputs = (x, weight) if bias is None else (x, weight, bias)
    if xs[0] == 0:  # an empty batch: an empty output, zero gradients for weight and bias (PyTorch)
        return empty_result((0, ws[1] * groups) + outs[-nd:], *inputs)
    return ConvTranspose2d.apply(*inputs, stride=stride, padding=padding, dilation=dilation, groups=groups,
                                 full_hw=full, out_hw=outs, one_d=nd == 1)


def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 2-D convolution ("deconvolution", the gradient of conv2d with respect to its input) —
    PyTorch's ``F.conv_transpose2d``, which upsamples by ``stride``.

    Args:
        x: input (N, C_in, H, W).
        weight: (C_in, C_out/groups, kh, kw) — PyTorch's layout for transposed convolutions.
        bias: (C_out,) or None.
        padding: rows/columns cropped from each side of the full output.
        output_padding: extra rows/columns added on the bottom/right (< stride or dilation),
            to pick one of the input sizes a strided conv2d maps to the same output size.

    Returns:
        (N, C_out, OH, OW) with OH = (H − 1)·S − 2P + d(kh − 1) + output_padding + 1.

    Example:
        >>> F.conv_transpose2d(nt.ones(1, 4, 7, 7), nt.ones(4, 1, 2, 2), stride=2).shape  # doubles H and W
        (1, 1, 14, 14)
    """
    return _conv_transpose("conv_transpose2d", x, weight, bias, stride, padding, output_padding, groups,
                           dilation, 2)


def conv_transpose1d(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 1-D convolution over (N, C_in, L) — PyTorch's ``F.conv_transpose1d``; see
    :func:`conv_transpose2d` (weight (C_in, C_out/groups, k)).

    Example:
        >>> F.conv_transpose1d(nt.ones(1, 4, 5), nt.ones(4, 2, 3), stride=2).shape  # weight (C_in, C_out, k)
        (1, 2, 11)
    """
    return _conv_transpose("conv_transpose1d", x, weight, bias, stride, padding, output_padding, groups,
                           dilation, 1)
