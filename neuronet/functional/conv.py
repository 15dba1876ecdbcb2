"""Convolutions (1-D, 2-D, transposed) as fused Functions: im2col → one matrix product → bias → activation.

The forward copies the (padded) input into columns with one slice per kernel offset (see
``im2col.py``), multiplies by the weight in one batched matrix product (per image and group;
small products that stay in cache beat one huge GEMM here), and adds the bias and an optional
relu/tanh/sigmoid in place.  The backward reuses the saved columns for dW = Σ dY·colsᵀ and
gets dX from Wᵀ·dY folded back by ``col2im``.
Semantics, argument names and weight layouts are PyTorch's: NCHW input, conv weight
(out, in/groups, kh, kw), transposed-conv weight (in, out/groups, kh, kw).
"""
from __future__ import annotations

from ..autograd import Function
from ..backend import array_module
from .activation import _sigmoid, get_activation
from .im2col import PADDING_MODES, as_tuple, col2im, im2col, out_size, pad_nchw, same_padding, unpad_nchw
from .linear import _FUSED

__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"]


def _activate(y, activation, xp):
    """Apply a fused activation to ``y`` in place."""
    if activation == "relu":
        xp.maximum(y, 0, out=y)
    elif activation == "tanh":
        xp.tanh(y, out=y)
    elif activation == "sigmoid":
        y[...] = _sigmoid(y, xp)


def _activation_grad(gy, y, activation, xp, out=None):
    """dL/dz from dL/dy for y = act(z), written with the output y (into ``out`` when given)."""
    if activation == "relu":
        return xp.multiply(gy, y > 0, out=out)  # d/dz max(z, 0) = 1 if z > 0 else 0
    if activation == "tanh":
        return xp.multiply(gy, 1 - y * y, out=out)  # d/dz tanh z = 1 - tanh² z
    if activation == "sigmoid":
        return xp.multiply(gy, y * (1 - y), out=out)  # d/dz σ(z) = σ(z)(1 - σ(z))
    if out is None:
        return gy
    out[...] = gy
    return out


class Conv2d(Function):
    """y = act(W ⋆ x + b) for x (N, C, H, W); with ``one_d`` the inputs are (N, C, L) and (O, C/g, k)."""

    def __init__(self, stride, pads, dilation, groups, padding_mode, out_hw, activation=None, one_d=False):
        self.stride, self.pads, self.dilation, self.groups = stride, pads, dilation, groups
        self.padding_mode, self.out_hw, self.activation, self.one_d = padding_mode, out_hw, activation, one_d
        self.w_shape = None

    def forward(self, x, w, b=None):
        xp = array_module(x)
        if self.one_d:
            x, w = x[:, :, None, :], w[:, :, None, :]
        n, o, g = x.shape[0], w.shape[0], self.groups
        oh, ow = self.out_hw
        xpad = pad_nchw(x, self.pads, self.padding_mode)
        cols, row = im2col(xpad, w.shape[2:], self.stride, self.dilation, self.out_hw)
        cols = cols.reshape(n, g, -1, oh * row)
        w3 = w.reshape(g, o // g, -1)
        z = xp.matmul(w3, cols).reshape(n, o, oh, row)  # per image and group: W (O/g, K) @ cols (K, OH·row)
        bias = None if b is None else b[:, None, None]
        if row == ow:
            y = z if bias is None else xp.add(z, bias, out=z)
        else:  # crop the junk columns of the stride-1 layout
            y = xp.empty((n, o, oh, ow), dtype=z.dtype)
            if bias is None:
                y[...] = z[..., :ow]
            else:
                xp.add(z[..., :ow], bias, out=y)
        _activate(y, self.activation, xp)
        if self.recording:
            self.x_shape, self.xpad_shape, self.w_shape, self.row = x.shape, xpad.shape, w.shape, row
            self.cols = cols if self.needs_grad[1] else None  # dW = Σ_n dZ·colsᵀ
            self.w3 = w3 if self.needs_grad[0] else None  # dcols = Wᵀ·dZ
            self.y = y if self.activation else None
        return y[:, :, 0, :] if self.one_d else y

    def backward(self, gy):
        xp = array_module(gy)
        if self.one_d:
            gy = gy[:, :, None, :]
        n, o, oh, ow = gy.shape
        g, row = self.groups, self.row
        # z = W·cols + b:  dW = Σ_n dZ·colsᵀ,  dcols = Wᵀ·dZ,  db = Σ dZ;  dX = col2im(dcols)
        if row == ow:
            gz = xp.ascontiguousarray(_activation_grad(gy, self.y, self.activation, xp))
        else:  # zeros in the junk columns keep them out of dW, dX and db
            gz = xp.zeros((n, o, oh, row), dtype=gy.dtype)
            _activation_grad(gy, self.y, self.activation, xp, out=gz[..., :ow])
        gz4 = gz.reshape(n, g, o // g, oh * row)
        gx = gw = gb = None
        if self.needs_grad[1]:
            gw = xp.matmul(self.cols, gz4.transpose(0, 1, 3, 2)).sum(axis=0).transpose(0, 2, 1)  # faster as dWᵀ
            gw = gw.reshape(self.w_shape[:2] + self.w_shape[3:] if self.one_d else self.w_shape)
        if self.needs_grad[0]:
            dcols = xp.matmul(self.w3.transpose(0, 2, 1), gz4).reshape((n, self.x_shape[1]) + self.w_shape[2:] + (-1,))
            gxpad = col2im(dcols, self.xpad_shape, self.stride, self.dilation, self.out_hw)
            gx = unpad_nchw(gxpad, self.pads, self.x_shape, self.padding_mode)
            if self.one_d:
                gx = gx[:, :, 0, :]
        if len(self.needs_grad) > 2 and self.needs_grad[2]:
            gb = (gz.reshape(n, o, -1) @ xp.ones(oh * row, dtype=gz.dtype)).sum(axis=0)  # BLAS beats sum(axis=(0, 2, 3))
        return (gx, gw) if len(self.needs_grad) == 2 else (gx, gw, gb)


def _conv(fn, x, weight, bias, stride, padding, dilation, groups, padding_mode, activation, nd):
    """Check the arguments of conv1d/conv2d, resolve the padding, and run the fused Function."""
    xs, ws = tuple(x.shape), tuple(weight.shape)
    names = "(N, C, L)" if nd == 1 else "(N, C, H, W)"
    if len(xs) != nd + 2:
        raise ValueError(f"{fn}: expected a {nd + 2}-D input of shape {names}, received shape {xs}")
    if len(ws) != nd + 2:
        raise ValueError(f"{fn}: expected a {nd + 2}-D weight (out_channels, in_channels/groups, "
                         f"{'k' if nd == 1 else 'kh, kw'}), received shape {ws}")
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
        raise ValueError(f"{fn}: groups must be a positive integer, got {groups!r}")
    if ws[0] % groups:
        raise ValueError(f"{fn}: out_channels {ws[0]} (weight {ws}) must be divisible by groups={groups}")
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
    inputs = (x, weight) if bias is None else (x, weight, bias)
    y = Conv2d.apply(*inputs, **params)
    return y if fused else get_activation(activation)(y)


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

    Example::

        y = F.conv2d(x, w, b, padding="same")        # x (8, 3, 32, 32), w (6, 3, 5, 5) → y (8, 6, 32, 32)
    """
    return _conv("conv2d", x, weight, bias, stride, padding, dilation, groups, padding_mode, activation, 2)


def conv1d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, padding_mode="zeros", *,
           activation=None):
    """1-D convolution over (N, C, L) sequences — PyTorch's ``F.conv1d``; arguments as :func:`conv2d`
    with one spatial axis (weight (out_channels, C/groups, k))."""
    return _conv("conv1d", x, weight, bias, stride, padding, dilation, groups, padding_mode, activation, 1)


class ConvTranspose2d(Function):
    """y = Wᵀ ⋆ x + b: scatter every input pixel times its kernel into the output (the adjoint of conv2d)."""

    def __init__(self, stride, padding, dilation, groups, full_hw, out_hw, one_d=False):
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups
        self.full_hw, self.out_hw, self.one_d = full_hw, out_hw, one_d

    def forward(self, x, w, b=None):
        xp = array_module(x)
        if self.one_d:
            x, w = x[:, :, None, :], w[:, :, None, :]
        n, c, h, wd = x.shape
        g = self.groups
        o = w.shape[1] * g
        w3 = w.reshape(g, c // g, -1)  # (G, C/g, O/g·kh·kw)
        cols = xp.matmul(w3.transpose(0, 2, 1), x.reshape(n, g, c // g, h * wd))  # per image: Wᵀ (K, C/g) @ x
        full = col2im(cols.reshape((n, o) + w.shape[2:] + (h * wd,)), (n, o) + self.full_hw,
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
        gfull = pad_nchw(gy, (ph, fh - ph - gy.shape[2], pw, fw - pw - gy.shape[3]))
        cols, row = im2col(gfull, self.w_shape[2:], self.stride, self.dilation, (h, wd))
        cols = cols.reshape(n, g, -1, h * row)
        gx = gw = gb = None
        if self.needs_grad[0]:
            gx = xp.matmul(self.w3, cols).reshape(n, c, h, row)[..., :wd]
            gx = gx[:, :, 0, :] if self.one_d else gx
        if self.needs_grad[1]:
            x = self.x
            if row != wd:  # zeros under the junk columns of the stride-1 layout
                x = xp.zeros((n, c, h, row), dtype=x.dtype)
                x[..., :wd] = self.x
            gw = xp.matmul(x.reshape(n, g, c // g, h * row), cols.transpose(0, 1, 3, 2)).sum(axis=0)
            gw = gw.reshape(self.w_shape[:2] + self.w_shape[3:] if self.one_d else self.w_shape)
        if len(self.needs_grad) > 2 and self.needs_grad[2]:
            gb = gy.sum(axis=(0, 2, 3))
        return (gx, gw) if len(self.needs_grad) == 2 else (gx, gw, gb)


def _conv_transpose(fn, x, weight, bias, stride, padding, output_padding, groups, dilation, nd):
    """Check the arguments of conv_transpose1d/2d and run the Function."""
    xs, ws = tuple(x.shape), tuple(weight.shape)
    names = "(N, C, L)" if nd == 1 else "(N, C, H, W)"
    if len(xs) != nd + 2:
        raise ValueError(f"{fn}: expected a {nd + 2}-D input of shape {names}, received shape {xs}")
    if len(ws) != nd + 2:
        raise ValueError(f"{fn}: expected a {nd + 2}-D weight (in_channels, out_channels/groups, "
                         f"{'k' if nd == 1 else 'kh, kw'}), received shape {ws}")
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
        raise ValueError(f"{fn}: groups must be a positive integer, got {groups!r}")
    if ws[0] % groups:
        raise ValueError(f"{fn}: in_channels {ws[0]} (weight {ws}) must be divisible by groups={groups}")
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
    """
    return _conv_transpose("conv_transpose2d", x, weight, bias, stride, padding, output_padding, groups,
                           dilation, 2)


def conv_transpose1d(x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 1-D convolution over (N, C_in, L) — PyTorch's ``F.conv_transpose1d``; see
    :func:`conv_transpose2d` (weight (C_in, C_out/groups, k))."""
    return _conv_transpose("conv_transpose1d", x, weight, bias, stride, padding, output_padding, groups,
                           dilation, 1)
