"""One converter per Function: the ONNX nodes that compute what the Function's forward computes.

``convert(g, fn, ins)`` gets the graph builder, the traced Function (its attributes are the
hyper-parameters its forward used) and the graph names of its inputs (None for an absent
optional input) and returns the name(s) of its output(s).  Weight layouts follow PyTorch's, and
so do ONNX's, except the recurrent gate orders, which are permuted here.
"""
from __future__ import annotations

import numpy as np

from .graph import ExportError

__all__ = ["CONVERTERS"]

CONVERTERS: dict = {}


def converts(*names):
    def deco(f):
        for n in names:
            CONVERTERS[n] = f
        return f
    return deco


def _activation(g, y, name):
    if name in (None, "linear", "identity"):
        return y
    ops = {"relu": "Relu", "tanh": "Tanh", "sigmoid": "Sigmoid"}
    if name not in ops:
        raise ExportError(f"onnx.export: layer {g.layer}: fused activation {name!r} has no converter")
    return g.node(ops[name], [y])


# --- dense, convolution, pooling, normalisation -------------------------------------------------
@converts("Affine")
def _affine(g, fn, ins):
    x, w, b, r = (ins + [None, None])[:4]
    y = g.node("MatMul", [x, g.node("Transpose", [w], perm=[1, 0])])
    if b is not None:
        y = g.node("Add", [y, b])
    if r is not None:
        y = g.node("Add", [y, r])
    return _activation(g, y, fn.activation)


def _onnx_pads(pads, one_d):
    top, bottom, left, right = pads
    return [left, right] if one_d else [top, left, bottom, right]


@converts("Conv2d")
def _conv(g, fn, ins):
    x, w, b = (ins + [None])[:3]
    one_d = fn.one_d
    pads = _onnx_pads(fn.pads, one_d)
    if fn.padding_mode != "zeros" and any(pads):
        mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[fn.padding_mode]
        nd = len(pads) // 2
        full = [0, 0] + pads[:nd] + [0, 0] + pads[nd:]
        x = g.node("Pad", [x, g.ints(full, "pads")], mode=mode)
        pads = [0] * len(pads)
    stride, dilation = (fn.stride[1:], fn.dilation[1:]) if one_d else (fn.stride, fn.dilation)
    y = g.node("Conv", [x, w] + ([b] if b is not None else []), pads=list(pads), strides=list(stride),
               dilations=list(dilation), group=int(fn.groups))
    return _activation(g, y, fn.activation)


def _window_attrs(win, one_d):
    pads = list(win.pads)
    if one_d:
        return dict(kernel_shape=[win.kernel[1]], strides=[win.stride[1]], pads=[pads[2], pads[3]]), [win.dilation[1]]
    return (dict(kernel_shape=list(win.kernel), strides=list(win.stride), pads=[pads[0], pads[2], pads[1], pads[3]]),
            list(win.dilation))


@converts("MaxPool2d")
def _max_pool(g, fn, ins):
    attrs, dilations = _window_attrs(fn.windows, fn.one_d)
    return g.node("MaxPool", [ins[0]], dilations=dilations, **attrs)


@converts("AvgPool2d")
def _avg_pool(g, fn, ins):
    attrs, _ = _window_attrs(fn.windows, fn.one_d)
    pads = attrs.pop("pads")
    x = ins[0]
    if any(pads):  # zero-pad explicitly, sum each window, then divide by the count PyTorch's rule gives
        nd = len(pads) // 2
        x = g.node("Pad", [x, g.ints([0, 0] + pads[:nd] + [0, 0] + pads[nd:], "pads")])
    y = g.node("AveragePool", [x], **attrs)
    k = float(np.prod(attrs["kernel_shape"]))
    divisor = np.asarray(fn.divisor, dtype=np.float64)
    if fn.one_d and divisor.ndim == 2:
        divisor = divisor[0]
    if divisor.ndim == 0 and float(divisor) == k:
        return y
    return g.node("Mul", [y, g.const(k / divisor, "avg_scale")])


@converts("AdaptiveAvgPool2d")
def _adaptive_avg_pool(g, fn, ins):
    # y[n, c] = R · x[n, c] · Cᵀ with the averaging matrices R (OH, H) and C (OW, W)
    x = ins[0]
    if fn.one_d:
        return g.node("MatMul", [x, g.const(np.asarray(fn.cols).T, "pool_cols")])
    y = g.node("MatMul", [g.const(fn.rows, "pool_rows"), x])
    return g.node("MatMul", [y, g.const(np.asarray(fn.cols).T, "pool_cols")])


@converts("GlobalMaxPool")
def _global_max_pool(g, fn, ins):
    axes = list(range(2, len(fn.x_shape)))
    return g.node("ReduceMax", [ins[0], g.ints(axes, "axes")], keepdims=0)


@converts("BatchNormEval")
def _batch_norm(g, fn, ins):
    x, w, b, mean, var = ins
    size = g.lookup_shape(mean)
    w = w if w is not None else g.const(np.ones(size, g.dtype), "bn_scale")
    b = b if b is not None else g.const(np.zeros(size, g.dtype), "bn_bias")
    y = g.node("BatchNormalization", [x, w, b, mean, var], epsilon=float(fn.eps))
    return g.node("Relu", [y]) if fn.relu else y


@converts("LayerNorm")
def _layer_norm(g, fn, ins):
    x, w, b = (ins + [None, None])[:3]
    shape = g.lookup_shape(ins[0])[-fn.n_axes:]
    w = w if w is not None else g.const(np.ones(shape, g.dtype), "ln_scale")
    b = b if b is not None else g.const(np.zeros(shape, g.dtype), "ln_bias")
    return g.node("LayerNormalization", [x, w, b], axis=-int(fn.n_axes), epsilon=float(fn.eps))


@converts("Embedding")
def _embedding(g, fn, ins):
    return g.node("Gather", [ins[0], g.indices_of(fn)], axis=0)


# --- element-wise ------------------------------------------------------------------------------
for _name, _op in {"Add": "Add", "Sub": "Sub", "Mul": "Mul", "Div": "Div", "MatMul": "MatMul",
                   "PowTensor": "Pow"}.items():
    converts(_name)(lambda g, fn, ins, _op=_op: g.node(_op, ins[:2]))
for _name, _op in {"Neg": "Neg", "Exp": "Exp", "Log": "Log", "Sqrt": "Sqrt", "Abs": "Abs", "Sin": "Sin",
                   "Cos": "Cos", "Tanh": "Tanh", "Sigmoid": "Sigmoid", "ReLU": "Relu", "Identity": "Identity",
                   "Softsign": "Softsign"}.items():
    converts(_name)(lambda g, fn, ins, _op=_op: g.node(_op, [ins[0]]))


@converts("PowScalar")
def _pow(g, fn, ins):
    return g.node("Pow", [ins[0], g.const(np.asarray(fn.p, g.dtype), "exponent")])


@converts("Linear")
def _linear(g, fn, ins):
    return g.node("Mul", [ins[0], g.const(np.asarray(fn.k, g.dtype), "k")])


@converts("LeakyReLU")
def _leaky_relu(g, fn, ins):
    return g.node("LeakyRelu", [ins[0]], alpha=float(fn.slope))


@converts("ELU")
def _elu(g, fn, ins):
    y = g.node("Elu", [ins[0]], alpha=float(fn.alpha))
    return y if fn.scale == 1.0 else g.node("Mul", [y, g.const(np.asarray(fn.scale, g.dtype), "scale")])


@converts("SiLU")
def _silu(g, fn, ins):
    return g.node("Mul", [ins[0], g.node("Sigmoid", [ins[0]])])


@converts("ArcTan")
def _arctan(g, fn, ins):
    return g.node("Mul", [g.node("Atan", [ins[0]]), g.const(np.asarray(2 / np.pi, g.dtype), "two_over_pi")])


@converts("GELU")
def _gelu(g, fn, ins):
    x = ins[0]
    c = lambda v, h: g.const(np.asarray(v, g.dtype), h)  # noqa: E731
    if fn.approximate == "tanh":  # ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
        inner = g.node("Add", [x, g.node("Mul", [g.node("Pow", [x, c(3.0, "three")]), c(0.044715, "k")])])
        t = g.node("Tanh", [g.node("Mul", [inner, c(np.sqrt(2 / np.pi), "s")])])
    else:  # ½x(1 + erf(x/√2))
        t = g.node("Erf", [g.node("Mul", [x, c(1 / np.sqrt(2), "s")])])
    return g.node("Mul", [g.node("Mul", [x, c(0.5, "half")]), g.node("Add", [t, c(1.0, "one")])])


@converts("Softplus")
def _softplus(g, fn, ins):
    beta = g.const(np.asarray(fn.beta, g.dtype), "beta")
    return g.node("Div", [g.node("Softplus", [g.node("Mul", [ins[0], beta])]), beta])


@converts("Softmax")
def _softmax(g, fn, ins):
    return g.node("Softmax", [ins[0]], axis=int(fn.axis))


@converts("LogSoftmax")
def _log_softmax(g, fn, ins):
    return g.node("LogSoftmax", [ins[0]], axis=int(fn.axis))


# --- reductions and shapes ---------------------------------------------------------------------
def _axes(fn, ndim):
    axes = fn.axes
    if axes is None:
        return list(range(ndim))
    return [a % ndim for a in (axes if isinstance(axes, (tuple, list)) else (axes,))]


for _name, _op in {"Sum": "ReduceSum", "Mean": "ReduceMean", "Max": "ReduceMax", "Min": "ReduceMin"}.items():
    converts(_name)(lambda g, fn, ins, _op=_op: g.node(_op, [ins[0], g.ints(_axes(fn, len(fn.shape)), "axes")],
                                                       keepdims=int(bool(fn.keepdims))))


@converts("Reshape")
def _reshape(g, fn, ins):
    target = list(fn.shape)
    if ins[0] not in g.batched:
        pass  # a parameter or constant: its shape is fixed
    elif target and fn.in_shape and target[0] == fn.in_shape[0]:
        target[0] = 0  # the batch axis stays dynamic: ONNX's 0 copies the input's size
    elif target and -1 not in target:
        target[0] = -1
    return g.node("Reshape", [ins[0], g.ints(target)])


@converts("Transpose")
def _transpose(g, fn, ins):
    return g.node("Transpose", [ins[0]], perm=[int(a) for a in fn.axes])


@converts("Concat")
def _concat(g, fn, ins):
    return g.node("Concat", list(ins), axis=int(fn.axis))


@converts("Stack")
def _stack(g, fn, ins):
    axes = g.ints([fn.axis], "axes")
    return g.node("Concat", [g.node("Unsqueeze", [x, axes]) for x in ins], axis=int(fn.axis))


@converts("Split")
def _split(g, fn, ins):
    sizes = np.diff(np.asarray(fn.bounds)).tolist()
    return g.node("Split", [ins[0], g.ints(sizes, "split")], n_outputs=len(sizes), axis=int(fn.axis))


@converts("GetItem")
def _get_item(g, fn, ins):
    index = fn.index if isinstance(fn.index, tuple) else (fn.index,)
    if not fn.basic or any(not isinstance(i, (slice, int, np.integer)) and i is not Ellipsis and i is not None
                           for i in index):
        raise ExportError(f"onnx.export: layer {g.layer}: indexing with arrays ({type(fn.index).__name__}) has no "
                          "converter; only slices, integers, None and ... do")
    shape = list(fn.shape)
    if Ellipsis in index:
        at = index.index(Ellipsis)
        fill = len(shape) - sum(1 for i in index if i is not None and i is not Ellipsis)
        index = index[:at] + (slice(None),) * fill + index[at + 1:]
    starts, ends, axes, steps, squeeze, unsqueeze = [], [], [], [], [], []
    axis = out_axis = 0
    for i in index:
        if i is None:
            unsqueeze.append(out_axis)
            out_axis += 1
            continue
        if isinstance(i, slice):
            if i != slice(None):
                start, stop, step = i.indices(shape[axis])
                if axis == 0 and ins[0] in g.batched:
                    raise ExportError(f"onnx.export: layer {g.layer}: slicing the batch axis has no converter")
                starts.append(start)
                ends.append(stop if step > 0 or stop >= 0 else -(2 ** 62))
                axes.append(axis)
                steps.append(step)
            out_axis += 1
        else:
            k = int(i) % shape[axis]
            starts.append(k)
            ends.append(k + 1)
            axes.append(axis)
            steps.append(1)
            squeeze.append(axis)
        axis += 1
    y = ins[0]
    if axes:
        y = g.node("Slice", [y, g.ints(starts), g.ints(ends), g.ints(axes), g.ints(steps)])
    if squeeze:
        y = g.node("Squeeze", [y, g.ints(squeeze, "axes")])
    if unsqueeze:
        y = g.node("Unsqueeze", [y, g.ints(unsqueeze, "axes")])
    return y


# --- attention ---------------------------------------------------------------------------------
def _masked_softmax(g, scores, allowed):
    """softmax over the allowed positions; a row with none allowed gives zeros (as neuronet does)."""
    if allowed is None:
        return g.node("Softmax", [scores], axis=-1)
    mask = g.const(np.asarray(allowed, bool), "allowed")
    low = g.const(np.asarray(np.finfo(g.dtype).min, g.dtype), "lowest")
    p = g.node("Softmax", [g.node("Where", [mask, scores, low])], axis=-1)
    any_allowed = np.asarray(allowed, bool).any(axis=-1, keepdims=True)
    return p if any_allowed.all() else g.node("Mul", [p, g.const(any_allowed.astype(g.dtype), "row_allowed")])


@converts("ScaledDotProductAttention")
def _attention(g, fn, ins):
    q, k, v = ins[:3]
    additive = ins[3] if len(ins) > 3 else None
    rank = len(g.lookup_shape(ins[0]))
    perm = list(range(rank - 2)) + [rank - 1, rank - 2]
    scores = g.node("MatMul", [q, g.node("Transpose", [k], perm=perm)])
    scores = g.node("Mul", [scores, g.const(np.asarray(fn.scale, g.dtype), "scale")])
    if additive is not None:
        scores = g.node("Add", [scores, additive])
    weights = _masked_softmax(g, scores, fn.allowed)
    out = g.node("MatMul", [weights, v])
    if fn.merge_heads:  # (…, h, L, Ev) → (…, L, h·Ev)
        perm = list(range(rank - 3)) + [rank - 2, rank - 3, rank - 1]
        out = g.node("Transpose", [out], perm=perm)
        out = g.node("Reshape", [out, g.ints([0] * (rank - 3) + [0, -1])])
    return (out, weights) if fn.return_weights else out


@converts("MaskedSoftmax")
def _masked_softmax_fn(g, fn, ins):
    return _masked_softmax(g, ins[0], getattr(fn, "allowed", None))


# --- recurrent: ONNX's own LSTM/GRU/RNN ops ----------------------------------------------------
def _gates(g, name, order):
    """A (G·H, …) weight with its gate blocks permuted and a leading num_directions axis of 1."""
    array = g.value_of(name)
    h = array.shape[0] // len(order)
    blocks = [array[i * h:(i + 1) * h] for i in order]
    return g.const(np.concatenate(blocks)[None], "rnn_weight")


def _recurrent(g, fn, ins, op, order, **attrs):
    if fn.lengths is not None:
        raise ExportError(f"onnx.export: layer {g.layer}: sequences of different lengths (masking) have no "
                          "converter yet; export a model without a mask")
    x, h0, c0, w_ih, w_hh, b_ih, b_hh = ins[:7]
    hidden = g.value_of(w_hh).shape[1]
    gates = len(order)
    zeros = np.zeros(gates * hidden, g.dtype)
    b = np.concatenate([g.value_of(b_ih) if b_ih is not None else zeros,
                        g.value_of(b_hh) if b_hh is not None else zeros])
    b = np.concatenate([b[:gates * hidden].reshape(gates, hidden)[order].reshape(-1),
                        b[gates * hidden:].reshape(gates, hidden)[order].reshape(-1)])[None]
    x_tm = g.node("Transpose", [x], perm=[1, 0, 2])
    zero_axis = g.ints([0], "axes")
    inputs = [x_tm, _gates(g, w_ih, order), _gates(g, w_hh, order), g.const(b, "rnn_bias"), ""]
    for state in (h0, c0):  # zero initial states are ONNX's default: left out, so any batch size runs
        if state is None:
            break
        zero = state in g.values and not g.value_of(state).any()
        inputs.append("" if zero else g.node("Unsqueeze", [state, zero_axis]))
    while inputs[-1] == "":
        inputs.pop()
    outs = g.node(op, inputs, n_outputs=3 if op == "LSTM" else 2, hidden_size=int(hidden),
                  direction="reverse" if fn.reverse else "forward", **attrs)
    y = g.node("Transpose", [g.node("Squeeze", [outs[0], g.ints([1], "axes")])], perm=[1, 0, 2])
    states = [g.node("Squeeze", [s, zero_axis]) for s in outs[1:]]
    return [y] + states


@converts("LSTMSequence")
def _lstm(g, fn, ins):
    return _recurrent(g, fn, ins, "LSTM", [0, 3, 1, 2])          # (i, f, g, o) → ONNX (i, o, f, c)


@converts("GRUSequence")
def _gru(g, fn, ins):
    return _recurrent(g, fn, ins[:2] + [None] + ins[3:], "GRU", [1, 0, 2],   # (r, z, n) → ONNX (z, r, h)
                      linear_before_reset=int(bool(fn.reset_after)))


@converts("ElmanSequence")
def _elman(g, fn, ins):
    act = {"tanh": "Tanh", "relu": "Relu"}.get(fn.nonlinearity)
    if act is None:
        raise ExportError(f"onnx.export: layer {g.layer}: SimpleRNN with {fn.nonlinearity!r} has no converter")
    return _recurrent(g, fn, ins[:2] + [None] + ins[3:], "RNN", [0], activations=[act])


# --- decoders: transposed convolution, upsampling ------------------------------------------------
@converts("ConvTranspose2d")
def _conv_transpose(g, fn, ins):
    x, w, b = (ins + [None])[:3]
    one_d = fn.one_d
    kernel = g.lookup_shape(w)[2:]
    in_hw = g.lookup_shape(x)[2:]
    axes = slice(1, None) if one_d else slice(None)
    stride, dilation = list(fn.stride)[axes], list(fn.dilation)[axes]
    full, out, crop = list(fn.full_hw)[axes], list(fn.out_hw)[axes], list(fn.padding)[axes]
    natural = [(n - 1) * s + d * (k - 1) + 1 for n, s, d, k in zip(in_hw, stride, dilation, kernel)]
    # the whole scattered output (ONNX's output_padding adds the rows PyTorch's adds), then the crop
    y = g.node("ConvTranspose", [x, w] + ([b] if b is not None else []), strides=stride, dilations=dilation,
               group=int(fn.groups), output_padding=[f - n for f, n in zip(full, natural)])
    spatial = list(range(2, 2 + len(out)))
    return g.node("Slice", [y, g.ints(crop), g.ints([c + o for c, o in zip(crop, out)]), g.ints(spatial)])


@converts("Repeat")
def _repeat(g, fn, ins):
    if not isinstance(fn.repeats, (int, np.integer)):
        raise ExportError(f"onnx.export: layer {g.layer}: repeat with per-element counts has no converter")
    shape = list(g.lookup_shape(ins[0]))
    axis, r = fn.axis % len(shape), int(fn.repeats)
    batched = ins[0] in g.batched
    # x (…, n, …) → (…, n, 1, …) → expanded (…, n, r, …) → (…, n·r, …): each element r times in place
    y = g.node("Unsqueeze", [ins[0], g.ints([axis + 1], "axes")])
    expand = shape[:axis + 1] + [r] + shape[axis + 1:]
    if batched:
        expand[0] = 1
    y = g.node("Expand", [y, g.ints(expand)])
    target = shape[:axis] + [shape[axis] * r] + shape[axis + 1:]
    if batched:
        target[0] = 0
    return g.node("Reshape", [y, g.ints(target)])


@converts("UpsampleBilinear2d")
def _upsample_bilinear(g, fn, ins):
    h, w = g.lookup_shape(ins[0])[2:]
    oh, ow = fn.size
    scales = g.const(np.asarray([1.0, 1.0, oh / h, ow / w], np.float32), "scales", dtype=np.float32)
    mode = "align_corners" if fn.align_corners else "pytorch_half_pixel"
    return g.node("Resize", [ins[0], "", scales], mode="linear", coordinate_transformation_mode=mode)


@converts("PReLU")
def _prelu(g, fn, ins):
    return g.node("PRelu", [ins[0], g.const(fn.wb, "prelu_slope")])


@converts("Sign")
def _sign(g, fn, ins):
    return g.node("Sign", [ins[0]])
