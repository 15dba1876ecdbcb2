"""Pooling (max, average, adaptive, global) over NCHW images and (N, C, L) sequences, PyTorch semantics.

Each pooling is one Function that loops over the kernel offsets only: every offset is a
strided view of the whole batch (a reshape into (N, C, OH, kh, OW, kw) when the windows tile
the input exactly, the common ``stride == kernel`` case).  Max pooling sends the gradient to
the FIRST maximum of each window (row-major order), like PyTorch; padding counts as −∞ for
max and as 0 for average (``count_include_pad`` chooses the divisor); ``ceil_mode`` follows
PyTorch's rule that the last window must start inside the input or the left padding.
Max pooling runs the batch in chunks spread over the cores BLAS may use (``kernels/parallel.py``).
"""
from __future__ import annotations

from ..autograd import Function
from ..backend import array_module, np
from .im2col import as_tuple, out_size, pad_nchw
from ..kernels.parallel import SPLIT_BYTES, chunk_bounds, map_chunks
from ..tensor import Tensor
from .reduce import mean

__all__ = [
    "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
    "global_avg_pool1d", "global_avg_pool2d", "global_max_pool1d", "global_max_pool2d",
]


class _Windows:
    """The geometry of a pooling: kernel offsets as strided views of a (padded) NCHW array."""

    def __init__(self, kernel, stride, dilation, pads, out_hw):
        self.kernel, self.stride, self.dilation, self.pads, self.out_hw = kernel, stride, dilation, pads, out_hw
        # windows tile the input exactly: view it as (N, C, OH, kh, OW, kw), no padding or copies
        self.tiled = tuple(kernel) == tuple(stride) and dilation == (1, 1) and not any(pads)

    def offsets(self, a):
        """(k, view) for each kernel offset in row-major order; ``a`` is the padded input (or its gradient)."""
        (kh, kw), (sh, sw), (dh, dw), (oh, ow) = self.kernel, self.stride, self.dilation, self.out_hw
        if self.tiled:
            a6 = a[:, :, :oh * kh, :ow * kw].reshape(a.shape[:2] + (oh, kh, ow, kw))
            return [(i * kw + j, a6[:, :, :, i, :, j]) for i in range(kh) for j in range(kw)]
        return [(i * kw + j, a[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh, j * dw:j * dw + sw * (ow - 1) + 1:sw])
                for i in range(kh) for j in range(kw)]

    def grad_buffer(self, shape, xp, dtype):
        """A zero gradient for the padded input of ``shape`` (N, C, H, W)."""
        top, bottom, left, right = self.pads
        return xp.zeros((shape[0], shape[1], shape[2] + top + bottom, shape[3] + left + right), dtype=dtype)

    def crop(self, g, shape):
        top, _, left, _ = self.pads
        return g[:, :, top:top + shape[2], left:left + shape[3]]


class MaxPool2d(Function):
    def __init__(self, windows, one_d=False):
        self.windows, self.one_d = windows, one_d

    def forward(self, x):
        xp = array_module(x)
        if self.one_d:
            x = x[:, :, None, :]
        win = self.windows
        src = x if win.tiled else pad_nchw(x, win.pads, value=-np.inf)
        count = win.kernel[0] * win.kernel[1]
        y = xp.empty(x.shape[:2] + tuple(win.out_hw), dtype=x.dtype)
        arg = xp.empty(y.shape, dtype=np.uint8 if count < 256 else np.int32) if self.recording else None

        def chunk(s, e):
            views, ys = win.offsets(src[s:e]), y[s:e]
            ys[...] = views[0][1]
            if arg is not None:
                args = arg[s:e]
                args[...] = 0
                greater, step = xp.empty(ys.shape, dtype=bool), xp.empty(ys.shape, dtype=arg.dtype)
            for k, v in views[1:]:
                if arg is not None:  # strictly greater: ties keep the first maximum
                    xp.greater(v, ys, out=greater)
                    xp.multiply(greater, arg.dtype.type(k), out=step)
                    xp.maximum(args, step, out=args)  # k only grows, so "max" = "set to k where greater"
                xp.maximum(ys, v, out=ys)

        map_chunks(chunk, chunk_bounds(x.shape[0], _per_image_bytes(x), xp, split_bytes=SPLIT_BYTES), x)
        self.arg, self.x_shape = arg, x.shape
        return y[:, :, 0, :] if self.one_d else y

    def backward(self, gy):
        # d max(window)/d x_k = 1 for the first maximal x_k of the window, 0 for the others
        xp = array_module(gy)
        if self.one_d:
            gy = gy[:, :, None, :]
        win, arg, shape = self.windows, self.arg, self.x_shape
        covered = shape[2:] == (win.out_hw[0] * win.kernel[0], win.out_hw[1] * win.kernel[1])
        if win.tiled:  # every input pixel lies in at most one window: zeros only for an uncovered border
            gpad = (xp.empty if covered else xp.zeros)(shape, dtype=gy.dtype)
        else:
            gpad = win.grad_buffer(shape, xp, gy.dtype)

        def chunk(s, e):
            gys, args = gy[s:e], arg[s:e]
            for k, v in win.offsets(gpad[s:e]):
                if win.tiled:  # the windows do not overlap: write each offset once
                    xp.multiply(gys, args == k, out=v)
                else:
                    v += gys * (args == k)

        map_chunks(chunk, chunk_bounds(shape[0], _per_image_bytes(gpad), xp, split_bytes=SPLIT_BYTES), gy)
        gx = gpad if win.tiled else win.crop(gpad, shape)
        return gx[:, :, 0, :] if self.one_d else gx


def _per_image_bytes(a) -> int:
    """Bytes of one image (all channels) of the NCHW array ``a``."""
    return a.dtype.itemsize * a.size // max(1, a.shape[0])


class AvgPool2d(Function):
    def __init__(self, windows, divisor, one_d=False):
        self.windows, self.divisor, self.one_d = windows, divisor, one_d

    def forward(self, x):
        if self.one_d:
            x = x[:, :, None, :]
        win = self.windows
        views = win.offsets(x if win.tiled else pad_nchw(x, win.pads))
        y = views[0][1].copy()
        for _, v in views[1:]:
            y += v
        y *= 1.0 / self.divisor if isinstance(self.divisor, int) else (1.0 / self.divisor).astype(y.dtype)
        self.x_shape = x.shape
        return y[:, :, 0, :] if self.one_d else y

    def backward(self, gy):
        # d mean(window)/d x_k = 1/divisor for every x_k of the window
        xp = array_module(gy)
        if self.one_d:
            gy = gy[:, :, None, :]
        win = self.windows
        g = gy * (1.0 / self.divisor if isinstance(self.divisor, int) else (1.0 / self.divisor).astype(gy.dtype))
        if win.tiled:
            gx = xp.zeros(self.x_shape, dtype=gy.dtype)
            for _, v in win.offsets(gx):
                v[...] = g
            return gx[:, :, 0, :] if self.one_d else gx
        gpad = win.grad_buffer(self.x_shape, xp, gy.dtype)
        for _, v in win.offsets(gpad):
            v += g
        gx = win.crop(gpad, self.x_shape)
        return gx[:, :, 0, :] if self.one_d else gx


def _refuse_empty_positions(fn, xs):
    """A window over no positions: max would be -inf, a mean 0/0 (PyTorch refuses these inputs too)."""
    if 0 in xs[2:]:
        raise ValueError(f"{fn}: input of shape {xs} has a size-0 spatial dimension: there are no positions "
                         "to pool over")


def _geometry(fn, x, kernel_size, stride, padding, dilation, ceil_mode, nd):
    """Check a pooling's arguments; return its _Windows (on 2-D geometry) and the output size."""
    xs = tuple(x.shape)
    if len(xs) != nd + 2:
        names = "(N, C, L)" if nd == 1 else "(N, C, H, W)"
        raise ValueError(f"{fn}: expected a {nd + 2}-D input of shape {names}, received shape {xs}")
    _refuse_empty_positions(fn, xs)
    kernel = as_tuple(fn, "kernel_size", kernel_size, nd)
    stride = kernel if stride is None or stride == () else as_tuple(fn, "stride", stride, nd)
    padding = as_tuple(fn, "padding", padding, nd, minimum=0)
    dilation = as_tuple(fn, "dilation", dilation, nd)
    if any(2 * p > k for p, k in zip(padding, kernel)):
        raise ValueError(f"{fn}: padding {padding} must be at most half of kernel_size {kernel} (PyTorch's rule)")
    outs = tuple(out_size(n, k, s, 2 * p, d, ceil_mode, p)
                 for n, k, s, p, d in zip(xs[2:], kernel, stride, padding, dilation))
    if any(o < 1 for o in outs):
        raise ValueError(f"{fn}: input of shape {xs} with kernel_size {kernel}, stride {stride}, padding "
                         f"{padding}, dilation {dilation} gives an empty output of size {outs}")
    pads = []
    for n, k, s, p, d, o in zip(xs[2:], kernel, stride, padding, dilation, outs):
        needed = (o - 1) * s + d * (k - 1) + 1  # padded length the last window reaches
        pads += [p, max(0, needed - n - p)]
    if nd == 1:
        kernel, stride, dilation, pads, outs = (1,) + kernel, (1,) + stride, (1,) + dilation, [0, 0] + pads, (1,) + outs
        padding = (0,) + padding
    win = _Windows(kernel, stride, dilation, tuple(pads), outs)
    return win, padding


def _max_pool(fn, x, kernel_size, stride, padding, dilation, ceil_mode, nd):
    win, _ = _geometry(fn, x, kernel_size, stride, padding, dilation, ceil_mode, nd)
    return MaxPool2d.apply(x, windows=win, one_d=nd == 1)


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """The largest value of each (kh, kw) window of NCHW images — PyTorch's ``F.max_pool2d``.

    Args:
        kernel_size: window size, an int or (kh, kw).
        stride: step between windows (default: the window size, non-overlapping).
        padding: implicit −∞ border on each side, at most half the window.
        dilation: spacing between window elements.
        ceil_mode: round the output size up, so a partial last window is kept.

    The gradient goes to the first maximum of each window (row-major), as in PyTorch.

    Example:
        >>> x = nt.arange(16.0).reshape(1, 1, 4, 4)
        >>> F.max_pool2d(x, 2).numpy()
        array([[[[ 5.,  7.],
                 [13., 15.]]]], dtype=float32)
    """
    return _max_pool("max_pool2d", x, kernel_size, stride, padding, dilation, ceil_mode, 2)


def max_pool1d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """The largest value of each window of (N, C, L) sequences — PyTorch's ``F.max_pool1d``; see :func:`max_pool2d`.

    Example:
        >>> F.max_pool1d(nt.tensor([[[1.0, 3.0, 2.0, 5.0]]]), 2).numpy()
        array([[[3., 5.]]], dtype=float32)
    """
    return _max_pool("max_pool1d", x, kernel_size, stride, padding, dilation, ceil_mode, 1)


def _avg_divisor(size, kernel, stride, pad, out, count_include_pad):
    """How many elements each output position along one axis averages (PyTorch's rule)."""
    starts = np.arange(out) * stride - pad
    ends = np.minimum(starts + kernel, size + pad)
    if count_include_pad:
        return ends - starts
    return np.minimum(ends, size) - np.maximum(starts, 0)


def _avg_pool(fn, x, kernel_size, stride, padding, ceil_mode, count_include_pad, nd):
    win, padding = _geometry(fn, x, kernel_size, stride, padding, 1, ceil_mode, nd)
    spatial = (1,) * (2 - nd) + tuple(x.shape[2:])
    counts = [_avg_divisor(n, k, s, p, o, count_include_pad)
              for n, k, s, p, o in zip(spatial, win.kernel, win.stride, padding, win.out_hw)]
    divisor = counts[0][:, None] * counts[1][None, :]
    if (divisor == divisor.flat[0]).all():
        divisor = int(divisor.flat[0])
    else:
        divisor = array_module(x.data if isinstance(x, Tensor) else x).asarray(divisor)
    return AvgPool2d.apply(x, windows=win, divisor=divisor, one_d=nd == 1)


def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """The mean of each (kh, kw) window of NCHW images — PyTorch's ``F.avg_pool2d``.

    Args:
        kernel_size, stride, padding, ceil_mode: as :func:`max_pool2d` (padding is zeros here).
        count_include_pad: divide by the whole window including padded zeros (True, PyTorch's
            default) or by the number of real input elements in it.

    Example:
        >>> F.avg_pool2d(nt.arange(16.0).reshape(1, 1, 4, 4), 2).numpy()
        array([[[[ 2.5,  4.5],
                 [10.5, 12.5]]]], dtype=float32)
    """
    return _avg_pool("avg_pool2d", x, kernel_size, stride, padding, ceil_mode, count_include_pad, 2)


def avg_pool1d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """The mean of each window of (N, C, L) sequences — PyTorch's ``F.avg_pool1d``; see :func:`avg_pool2d`.

    Example:
        >>> F.avg_pool1d(nt.tensor([[[1.0, 3.0, 2.0, 6.0]]]), 2).numpy()
        array([[[2., 4.]]], dtype=float32)
    """
    return _avg_pool("avg_pool1d", x, kernel_size, stride, padding, ceil_mode, count_include_pad, 1)


class AdaptiveAvgPool2d(Function):
    def __init__(self, rows, cols, one_d=False):
        self.rows, self.cols, self.one_d = rows, cols, one_d  # averaging matrices (OH, H), (OW, W)

    def forward(self, x):
        if self.one_d:
            x = x[:, :, None, :]
        y = self.rows @ (x @ self.cols.T)  # y = A_h · x · A_wᵀ for every image and channel
        return y[:, :, 0, :] if self.one_d else y

    def backward(self, gy):
        # y = A_h x A_wᵀ is linear in x: dx = A_hᵀ dy A_w
        if self.one_d:
            gy = gy[:, :, None, :]
        gx = self.rows.T @ (gy @ self.cols)
        return gx[:, :, 0, :] if self.one_d else gx


def _bins(size, out, xp, dtype):
    """(out, size) matrix averaging PyTorch's adaptive bins [⌊i·size/out⌋, ⌈(i+1)·size/out⌉)."""
    i = np.arange(out)
    starts, ends = (i * size) // out, -((-(i + 1) * size) // out)
    j = np.arange(size)
    inside = (j[None, :] >= starts[:, None]) & (j[None, :] < ends[:, None])
    return xp.asarray(inside / (ends - starts)[:, None], dtype=dtype)


def _adaptive_avg(fn, x, output_size, nd):
    xs = tuple(x.shape)
    if len(xs) != nd + 2:
        names = "(N, C, L)" if nd == 1 else "(N, C, H, W)"
        raise ValueError(f"{fn}: expected a {nd + 2}-D input of shape {names}, received shape {xs}")
    _refuse_empty_positions(fn, xs)
    if nd == 2 and isinstance(output_size, (tuple, list)):
        output_size = tuple(xs[2 + i] if o is None else o for i, o in enumerate(output_size))
    outs = as_tuple(fn, "output_size", output_size, nd)
    spatial = (1,) * (2 - nd) + xs[2:]
    outs = (1,) * (2 - nd) + outs
    xp = array_module(x.data if isinstance(x, Tensor) else x)
    rows, cols = (_bins(n, o, xp, x.dtype) for n, o in zip(spatial, outs))
    return AdaptiveAvgPool2d.apply(x, rows=rows, cols=cols, one_d=nd == 1)


def adaptive_avg_pool2d(x, output_size):
    """Average NCHW images down to ``output_size`` (an int, a pair, or None to keep a size), whatever
    the input size — PyTorch's ``F.adaptive_avg_pool2d`` and its bins.

    Example:
        >>> F.adaptive_avg_pool2d(nt.ones(2, 3, 7, 9), (1, 1)).shape
        (2, 3, 1, 1)
    """
    return _adaptive_avg("adaptive_avg_pool2d", x, output_size, 2)


def adaptive_avg_pool1d(x, output_size):
    """Average (N, C, L) sequences down to ``output_size`` steps — PyTorch's ``F.adaptive_avg_pool1d``.

    Example:
        >>> F.adaptive_avg_pool1d(nt.ones(2, 3, 10), 4).shape
        (2, 3, 4)
    """
    return _adaptive_avg("adaptive_avg_pool1d", x, output_size, 1)


class GlobalMaxPool(Function):
    def forward(self, x):
        flat = x.reshape(x.shape[0] * x.shape[1], int(np.prod(x.shape[2:])))  # no -1: N or C may be 0
        self.arg = flat.argmax(axis=1)  # the first maximum, as max_pool over the whole image
        self.x_shape = x.shape
        return flat.max(axis=1).reshape(x.shape[:2])

    def backward(self, gy):
        # d max(x)/d x_k = 1 at the first maximum, 0 elsewhere
        xp = array_module(gy)
        rows = self.arg.shape[0]
        gx = xp.zeros((rows, int(np.prod(self.x_shape[2:]))), dtype=gy.dtype)
        gx[xp.arange(rows), self.arg] = gy.reshape(-1)
        return gx.reshape(self.x_shape)


def _global_check(fn, x, nd):
    if len(x.shape) != nd + 2:
        names = "(N, C, L)" if nd == 1 else "(N, C, H, W)"
        raise ValueError(f"{fn}: expected a {nd + 2}-D input of shape {names}, received shape {tuple(x.shape)}")
    _refuse_empty_positions(fn, tuple(x.shape))


def global_avg_pool2d(x, keepdims: bool = False):
    """The mean of each channel over the whole image: (N, C, H, W) → (N, C) (or (N, C, 1, 1) with keepdims).

    Example:
        >>> F.global_avg_pool2d(nt.ones(2, 3, 4, 4)).shape, F.global_avg_pool2d(nt.ones(2, 3, 4, 4), keepdims=True).shape
        ((2, 3), (2, 3, 1, 1))
    """
    _global_check("global_avg_pool2d", x, 2)
    return mean(x, axis=(2, 3), keepdims=keepdims)


def global_avg_pool1d(x, keepdims: bool = False):
    """The mean of each channel over the whole sequence: (N, C, L) → (N, C).

    Example:
        >>> F.global_avg_pool1d(nt.tensor([[[1.0, 2.0, 6.0]]])).numpy()
        array([[3.]], dtype=float32)
    """
    _global_check("global_avg_pool1d", x, 1)
    return mean(x, axis=2, keepdims=keepdims)


def _global_max(fn, x, keepdims, nd):
    _global_check(fn, x, nd)  # refuses inputs with no positions to take a maximum over
    y = GlobalMaxPool.apply(x)
    return y.reshape(tuple(y.shape) + (1,) * nd) if keepdims else y


def global_max_pool2d(x, keepdims: bool = False):
    """The largest value of each channel over the whole image: (N, C, H, W) → (N, C); the gradient goes
    to the first maximum (as ``F.adaptive_max_pool2d(x, 1)``).

    Example:
        >>> F.global_max_pool2d(nt.ones(2, 3, 4, 4)).shape
        (2, 3)
    """
    return _global_max("global_max_pool2d", x, keepdims, 2)


def global_max_pool1d(x, keepdims: bool = False):
    """The largest value of each channel over the whole sequence: (N, C, L) → (N, C).

    Example:
        >>> F.global_max_pool1d(nt.tensor([[[1.0, 7.0, 6.0]]])).numpy()
        array([[7.]], dtype=float32)
    """
    return _global_max("global_max_pool1d", x, keepdims, 1)
