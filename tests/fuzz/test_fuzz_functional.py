"""Fuzzing ``neuronet.functional``: every public function on random shapes (zero-size included), dtypes,
edge values and arguments.  Each returns a correct result (matching NumPy, or PyTorch where it is cheap
to compare) or raises a ValueError/TypeError that names it; backward gives every input a gradient of its
own shape and dtype.  Plain example tests below pin each defect the fuzzing found."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st
from hypothesis.extra import numpy as hnp

import neuronet as nt
import neuronet.functional as F

from ._common import (FLOATS, REALS, assert_named, attempt, backward_all, check_grads, failed, finite,
                      float_values, non_real_array, outputs, public_functions, real_arrays, shapes)

# --- the public API, by family ---------------------------------------------------------------------
BOUNDED = ["abs", "arctan", "cos", "sin", "tanh", "sigmoid", "softsign", "relu", "neg", "sign", "heaviside",
           "step", "leaky_relu", "identity", "elu", "selu", "silu", "swish", "gelu", "softplus"]
UNBOUNDED = ["exp", "log", "sqrt"]
AXIS_OPS = ["sum", "mean", "max", "min", "var", "std", "logsumexp", "argmax", "argmin", "any", "all",
            "softmax", "log_softmax"]
BINARY = ["add", "sub", "mul", "div", "maximum", "minimum", "pow", "matmul"]
SHAPE = ["reshape", "permute", "transpose", "swapaxes", "squeeze", "unsqueeze", "flatten", "broadcast_to",
         "expand", "tile", "repeat", "pad", "split", "cat", "concat", "stack", "getitem", "gather", "clamp",
         "clip", "cast", "where"]
LOSSES = ["mse_loss", "l1_loss", "mae", "rmse", "huber_loss", "binary_cross_entropy",
          "binary_cross_entropy_with_logits", "hinge_loss", "kl_div", "binary_crossentropy",
          "categorical_crossentropy"]
CLASS_LOSSES = ["cross_entropy", "nll_loss", "sparse_categorical_crossentropy"]
CONV = ["conv1d", "conv2d", "conv2d_max_pool2d", "conv_transpose1d", "conv_transpose2d"]
POOL = ["avg_pool1d", "avg_pool2d", "max_pool1d", "max_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
        "global_avg_pool1d", "global_avg_pool2d", "global_max_pool1d", "global_max_pool2d", "upsample_bilinear2d"]
RECURRENT = ["lstm", "gru", "rnn", "jordan_rnn"]
ATTENTION = ["scaled_dot_product_attention", "masked_softmax", "dot_scores", "scaled_dot_scores",
             "cosine_scores", "general_scores", "additive_scores"]
OTHER = ["linear", "dense", "dropout", "embedding", "one_hot", "prelu", "maxout", "layer_norm", "batch_norm",
         "get_activation", "activation_name"]

#: names an error may carry for a function that is an alias of, or is built on, another
ALIASES = {"swish": ("silu",), "step": ("heaviside",), "clip": ("clamp",), "clamp": ("clip",),
           "concat": ("cat",), "cat": ("concat",), "mae": ("l1_loss",), "rmse": ("mse_loss",),
           "additive_scores": ("linear",), "general_scores": ("matmul",), "dense": ("linear", "get_activation")}


def names_of(fn):
    return (fn,) + ALIASES.get(fn, ())


def test_every_public_function_is_fuzzed():
    """A new function in neuronet.functional must join one of the families above."""
    covered = set(BOUNDED + UNBOUNDED + AXIS_OPS + BINARY + SHAPE + LOSSES + CLASS_LOSSES + CONV + POOL
                  + RECURRENT + ATTENTION + OTHER)
    assert set(public_functions()) - covered == set()


def _f64(t):
    return np.asarray(t.data if isinstance(t, nt.Tensor) else t, dtype=np.float64)


_REFS = {
    "abs": np.abs, "arctan": lambda x: np.arctan(x) * 2 / np.pi, "cos": np.cos, "sin": np.sin, "tanh": np.tanh,
    "sigmoid": lambda x: 0.5 * (1 + np.tanh(x / 2)), "softsign": lambda x: x / (1 + np.abs(x)),
    "relu": lambda x: np.maximum(x, 0), "neg": np.negative, "sign": np.sign, "identity": lambda x: x,
    "heaviside": lambda x: np.where(x > 0, 1.0, np.where(x == 0, 1.0, 0.0)),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.01 * x), "exp": np.exp, "log": np.log, "sqrt": np.sqrt,
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
    "softplus": lambda x: np.where(x > 20, x, np.logaddexp(0, x)),
}


# --- element-wise ---------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", BOUNDED + UNBOUNDED)
@given(data=st.data())
def test_elementwise(fn, data):
    """Any real dtype and shape: a result of the input's shape, equal to NumPy's on float data; bounded
    functions stay finite on finite input (|x| up to 1e30, subnormals included), and so do their
    gradients; integers and booleans compute or are refused by name."""
    a = data.draw(real_arrays(dtypes=REALS, bound=1e30))
    x = nt.tensor(a, requires_grad=a.dtype in FLOATS, dtype=a.dtype)
    y = attempt(getattr(F, fn), x, names=names_of(fn))
    if failed(y):
        assert a.dtype == np.bool_, f"{fn} refused {a.dtype} data: {y}"
        return
    assert y.shape == a.shape
    if a.dtype in FLOATS:
        if fn in _REFS:
            with np.errstate(all="ignore"):
                ref = _REFS[fn](a.astype(np.float64)).astype(a.dtype)
            keep = np.abs(a) <= 1e4  # float32 sin/cos of huge arguments differ in the last bits
            np.testing.assert_allclose(_f64(y)[keep], ref[keep].astype(np.float64),
                                       rtol=2e-5 if a.dtype == np.float32 else 1e-10, atol=1e-6, equal_nan=True)
        if fn in BOUNDED:
            assert finite(y), f"{fn} of finite input {a!r} gave {y.data!r}"
        assert backward_all(y, names_of(fn)) is None
        check_grads([x])
        if fn in BOUNDED and x.grad is not None:
            assert np.isfinite(x.grad).all(), f"gradient of {fn} at {a!r}: {x.grad!r}"


@pytest.mark.parametrize("fn", BOUNDED + UNBOUNDED + AXIS_OPS)
@pytest.mark.parametrize("kind", ["complex", "object", "string"])
def test_non_real_data_is_refused_by_name(fn, kind):
    with pytest.raises(TypeError) as e:
        getattr(F, fn)(non_real_array(kind))
    assert_named(e.value, *names_of(fn), "nt.tensor")


# --- reductions and softmax along axes --------------------------------------------------------------
def _axis_args(ndim):
    good = st.one_of(st.none(), st.integers(-ndim, ndim - 1) if ndim else st.none(),
                     st.lists(st.integers(0, max(ndim - 1, 0)), min_size=1, max_size=ndim, unique=True).map(tuple)
                     if ndim else st.none())
    bad = st.sampled_from([ndim, -ndim - 1, 1.5, "a", (0, 0), [0.5]])
    return st.one_of(good, good, bad)


_RED_REFS = {
    "sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min, "var": np.var, "std": np.std,
    "any": np.any, "all": np.all, "argmax": np.argmax, "argmin": np.argmin,
}


@pytest.mark.parametrize("fn", AXIS_OPS)
@given(data=st.data())
def test_axis_ops(fn, data):
    """Reductions and softmax over any axis argument: NumPy's values (float64 reference) where valid,
    a named ValueError/TypeError for an axis out of range, of the wrong type or repeated, or an empty
    max/min/argmax/argmin."""
    a = data.draw(real_arrays(dtypes=FLOATS + (np.int64, np.uint8), bound=1e15))
    axis = data.draw(_axis_args(a.ndim))
    if fn in ("softmax", "log_softmax", "argmax", "argmin") and isinstance(axis, tuple):
        axis = axis[0]
    if fn in ("softmax", "log_softmax") and axis is None:
        axis = -1
    x = nt.tensor(a, requires_grad=a.dtype in FLOATS, dtype=a.dtype)
    y = attempt(getattr(F, fn), x, axis, names=(fn,))
    if failed(y):
        return
    if fn in _RED_REFS and (a.ndim or axis is None):  # NumPy has no axis 0 on a 0-d array; PyTorch does
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            ref = _RED_REFS[fn](a.astype(np.float64), axis=axis if not isinstance(axis, list) else tuple(axis))
        # float32 sums cancel: the error is relative to the inputs' size (squared for var), not to the result's
        scale = float(np.abs(a.astype(np.float64)).max(initial=0)) if a.size else 0.0
        eps = 4 * np.finfo(a.dtype).eps * max(a.size, 1) if a.dtype.kind == "f" else 1e-12
        atol = eps * (scale * scale if fn == "var" else scale)
        np.testing.assert_allclose(_f64(y), np.asarray(ref, np.float64), rtol=1e-4, atol=max(atol, 1e-30),
                                   equal_nan=True)
    elif fn in ("softmax", "log_softmax") and a.size:
        p = np.exp(_f64(y)) if fn == "log_softmax" else _f64(y)
        assert np.isfinite(p).all(), f"{fn} of finite {a!r} gave {y.data!r}"
        np.testing.assert_allclose(p.sum(axis=axis), 1.0, rtol=1e-4)
    if fn in ("sum", "mean", "std", "max", "min", "logsumexp") and 0 not in a.shape:  # empty means are nan
        assert finite(y), f"{fn} of {a!r} (|x| <= 1e15) gave {y.data!r}"
    assert backward_all(y, (fn,)) is None
    check_grads([x])


# --- binary ops with broadcasting --------------------------------------------------------------------
@pytest.mark.parametrize("fn", BINARY)
@given(data=st.data())
def test_binary(fn, data):
    """Two operands of random (broadcastable or not) shapes and mixed dtypes: NumPy's values, or a named
    error (shapes that do not broadcast, booleans where the operation is undefined)."""
    if fn == "matmul":
        n, m, k = (data.draw(st.integers(0, 3)) for _ in range(3))
        sa, sb = data.draw(st.sampled_from([((n, k), (k, m)), ((k,), (k, m)), ((n, k), (k,)), ((k,), (k,)),
                                            ((2, n, k), (k, m)), ((n, k), (k + 1, m)), ((), (k,))]))
    else:
        sa, sb = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3)).input_shapes
        if data.draw(st.booleans()):
            sb = data.draw(shapes(max_dims=3, max_side=3))  # often not broadcastable
    a = data.draw(real_arrays(shape=sa, dtypes=REALS[:5] + (np.bool_,), bound=1e15))
    b = data.draw(real_arrays(shape=sb, dtypes=REALS[:5] + (np.bool_,), bound=1e15))
    if fn == "pow" and b.dtype.kind in "iu":
        b = np.abs(b)  # NumPy refuses integers to negative integer powers
    ta = nt.tensor(a, requires_grad=a.dtype in FLOATS, dtype=a.dtype)
    tb = nt.tensor(b, requires_grad=b.dtype in FLOATS, dtype=b.dtype)
    y = attempt(getattr(F, fn), ta, tb, names=(fn,))
    if failed(y):
        return
    if fn != "pow":
        ref = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide, "maximum": np.maximum,
               "minimum": np.minimum, "matmul": np.matmul}[fn]
        with np.errstate(all="ignore"):  # in float64, rounded to the result's dtype (float16 stays float16)
            expected = ref(a.astype(np.float64), b.astype(np.float64)).astype(y.dtype).astype(np.float64)
        assert y.shape == expected.shape
        eps = np.finfo(y.dtype).eps if y.dtype.kind == "f" else 0.0
        np.testing.assert_allclose(_f64(y), expected, rtol=max(1e-4, 8 * eps), atol=1e-3, equal_nan=True)
    assert backward_all(y, (fn,)) is None
    check_grads([ta, tb])


# --- shape, indexing, joining -------------------------------------------------------------------------
_SHAPE_ARGS = {
    "reshape": lambda d, x: (d.draw(st.sampled_from([(-1,), (x.size,), (1, -1), (-1, -1), (2.0,), (x.size + 1,), ()])),),
    "permute": lambda d, x: tuple(d.draw(st.permutations(range(x.ndim)))) if d.draw(st.booleans())
    else tuple(d.draw(st.lists(st.integers(-3, 3), max_size=3))),
    "transpose": lambda d, x: (d.draw(st.one_of(st.none(), st.permutations(range(x.ndim)).map(tuple),
                                                st.lists(st.integers(-3, 3), max_size=3).map(tuple))),),
    "swapaxes": lambda d, x: (d.draw(st.integers(-3, 3)), d.draw(st.integers(-3, 3))),
    "squeeze": lambda d, x: (d.draw(st.one_of(st.none(), st.integers(-3, 3), st.just(1.5), st.just((0, 0)))),),
    "unsqueeze": lambda d, x: (d.draw(st.one_of(st.integers(-4, 4), st.just(0.5), st.none())),),
    "flatten": lambda d, x: (d.draw(st.integers(-3, 3)), d.draw(st.integers(-3, 3))),
    "broadcast_to": lambda d, x: (d.draw(st.sampled_from([x.shape, (2,) + x.shape, (3, 3), (-1,), (0,) + x.shape])),),
    "expand": lambda d, x: (d.draw(st.sampled_from([x.shape, (2,) + x.shape, (-1,) * x.ndim, (5, 5), (1.5,)])),),
    "tile": lambda d, x: (d.draw(st.one_of(st.integers(-1, 3), st.lists(st.integers(0, 2), max_size=3).map(tuple))),),
    "repeat": lambda d, x: (d.draw(st.one_of(st.integers(-1, 3), st.lists(st.integers(0, 2), max_size=4))),
                            d.draw(st.one_of(st.none(), st.integers(-3, 3)))),
    "pad": lambda d, x: (d.draw(st.one_of(st.integers(-1, 2), st.just(((1, 1),) * x.ndim), st.just(((0, 2),)),
                                          st.just(((-1, 0),) * x.ndim))),
                         d.draw(st.sampled_from(["constant", "zeros", "reflect", "edge", "replicate", "wrap",
                                                 "circular", "bogus"]))),
    "split": lambda d, x: (d.draw(st.one_of(st.integers(-1, 4), st.lists(st.integers(0, 3), max_size=3))),
                           d.draw(st.integers(-2, 2))),
    "getitem": lambda d, x: (d.draw(st.sampled_from([0, -1, 5, slice(None), slice(1, None, 2), (0, 0), None,
                                                     Ellipsis, [0, 1], (Ellipsis, 0), np.array([True])])),),
    "gather": lambda d, x: (d.draw(st.integers(-2, 2)),
                            nt.tensor(d.draw(hnp.arrays(np.int64, x.shape, elements=st.integers(-1, 3))))),
    "clamp": lambda d, x: (d.draw(st.one_of(st.none(), st.floats(-2, 2))), d.draw(st.one_of(st.none(), st.floats(-2, 2)))),
    "clip": lambda d, x: (d.draw(st.one_of(st.none(), st.floats(-2, 2))), d.draw(st.one_of(st.none(), st.floats(-2, 2)))),
    "cast": lambda d, x: (d.draw(st.sampled_from([np.float64, np.float32, "float16", np.int32, "bool", "nope",
                                                   np.complex64, None])),),
}


@pytest.mark.parametrize("fn", sorted(_SHAPE_ARGS))
@given(data=st.data())
def test_shape_ops(fn, data):
    """Random arguments, valid and not: a result whose backward gives the input a gradient of its shape,
    or a named error.  getitem's out-of-range indices raise IndexError naming getitem (Python's
    protocol for ``for row in t``), never a bare NumPy one."""
    a = data.draw(real_arrays(dtypes=FLOATS + (np.int64,), shape=shapes(max_dims=3, max_side=3), bound=1e6))
    x = nt.tensor(a, requires_grad=a.dtype in FLOATS, dtype=a.dtype)
    args = _SHAPE_ARGS[fn](data, x)
    if fn in ("permute",):
        call = lambda: F.permute(x, *args)  # noqa: E731
    else:
        call = lambda: getattr(F, fn)(x, *args)  # noqa: E731
    try:
        y = attempt(call, names=names_of(fn) + ("nt.tensor",))
    except IndexError as e:
        assert fn == "getitem" and str(e).startswith("getitem:"), f"{fn}: IndexError {e}"
        return
    if failed(y):
        return
    if fn == "reshape":
        assert np.array_equal(y.numpy(), a.reshape(args[0]))
    if fn == "transpose":
        assert np.array_equal(y.numpy(), np.transpose(a, args[0]))
    assert backward_all(y, names_of(fn)) is None
    check_grads([x])


@pytest.mark.parametrize("fn", ["cat", "concat", "stack", "where"])
@given(data=st.data())
def test_joining(fn, data):
    """Lists of tensors of random shapes along random axes (and where's three broadcast operands)."""
    n = data.draw(st.integers(0, 3))
    arrays = [data.draw(real_arrays(dtypes=FLOATS, shape=shapes(max_dims=3, max_side=2), bound=10.0)) for _ in range(n)]
    tensors = [nt.tensor(a, requires_grad=True, dtype=a.dtype) for a in arrays]
    if fn == "where":
        cond = data.draw(hnp.arrays(np.bool_, data.draw(shapes(max_dims=3, max_side=2))))
        a = tensors[0] if tensors else 1.0
        b = tensors[1] if len(tensors) > 1 else 0.0
        y = attempt(F.where, cond, a, b, names=("where",))
    else:
        y = attempt(getattr(F, fn), tensors, data.draw(st.integers(-3, 3)), names=names_of(fn))
    if not failed(y):
        assert backward_all(y, names_of(fn)) is None
        check_grads(tensors)


# --- losses ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", LOSSES)
@given(data=st.data())
def test_pointwise_losses(fn, data):
    """Predictions and targets of random shapes and dtypes, NaN/inf and edge values, every reduction:
    a finite loss for finite data in the loss's domain, or a named error."""
    shp = data.draw(shapes(min_dims=0, max_dims=3, max_side=3))
    pred = data.draw(real_arrays(shape=shp, dtypes=FLOATS, bound=1e4, non_finite=data.draw(st.booleans())))
    tshape = shp if data.draw(st.integers(0, 4)) else data.draw(shapes(max_dims=3, max_side=3))
    target = data.draw(real_arrays(shape=tshape, dtypes=FLOATS + (np.int64, np.bool_), bound=1e4))
    if fn in ("binary_cross_entropy", "binary_crossentropy", "categorical_crossentropy", "kl_div"):
        if data.draw(st.booleans()):
            with np.errstate(all="ignore"):
                pred = (1 / (1 + np.exp(-pred))).astype(pred.dtype)
            target = np.abs(target).astype(target.dtype) % 2 if target.dtype.kind != "b" else target
    if fn == "hinge_loss" and target.dtype != np.bool_ and data.draw(st.booleans()):
        target = np.sign(target).astype(target.dtype) + (target == 0)
    reduction = data.draw(st.sampled_from(["mean", "sum", "none", "bogus"]))
    x = nt.tensor(pred, requires_grad=True, dtype=pred.dtype)
    y = attempt(getattr(F, fn), x, nt.tensor(target, dtype=target.dtype), reduction=reduction, names=names_of(fn))
    if failed(y):
        return
    if np.isfinite(pred).all() and np.isfinite(target).all() and fn in ("l1_loss", "mae", "huber_loss",
                                                                         "binary_cross_entropy_with_logits",
                                                                         "binary_cross_entropy", "binary_crossentropy"):
        assert finite(y), f"{fn}({pred!r}, {target!r}) = {y.data!r}"
    assert backward_all(y, names_of(fn)) is None
    check_grads([x])


@pytest.mark.parametrize("fn", CLASS_LOSSES)
@given(data=st.data())
def test_class_losses(fn, data):
    """Logits of any shape (zero classes included) and labels of any dtype and range, or probability
    targets: a finite loss for finite logits, or a named error (labels out of range, no classes, ...)."""
    shp = data.draw(shapes(min_dims=0, max_dims=3, max_side=3))
    logits = data.draw(real_arrays(shape=shp, dtypes=FLOATS, bound=1e30))
    axis = 1 if fn != "sparse_categorical_crossentropy" else -1
    label_shape = shp[:axis] + shp[axis + 1:] if len(shp) > 1 else ()
    if data.draw(st.integers(0, 3)) == 0:
        label_shape = data.draw(shapes(max_dims=2, max_side=3))
    low, high = data.draw(st.sampled_from([(0, 3), (-1, 1), (0, 100), (-100, -100)]))
    ldt = np.dtype(data.draw(st.sampled_from([np.int64, np.int64, np.int32, np.uint8, np.float32, np.bool_])))
    if ldt.kind == "b":
        elements = st.booleans()
    else:
        elements = st.integers(max(low, 0) if ldt.kind == "u" else low, max(high, 0) if ldt.kind == "u" else high)
    labels = data.draw(hnp.arrays(ldt, label_shape, elements=elements))
    if fn == "nll_loss" and data.draw(st.booleans()):
        with np.errstate(all="ignore"):
            logits = logits - np.log(np.exp(logits.astype(np.float64)).sum(axis=min(1, logits.ndim - 1), keepdims=True)
                                     if logits.ndim else 1).astype(logits.dtype)
    kwargs = {}
    if fn == "cross_entropy":
        kwargs["label_smoothing"] = data.draw(st.sampled_from([0.0, 0.1, 1.0, 1.5]))
    if fn == "sparse_categorical_crossentropy":
        kwargs["from_logits"] = data.draw(st.booleans())  # without, the input must be probabilities
    x = nt.tensor(logits, requires_grad=True, dtype=logits.dtype)
    y = attempt(getattr(F, fn), x, nt.tensor(labels, dtype=labels.dtype), names=(fn,), **kwargs)
    if failed(y):
        return
    scored = labels.size and not (labels == -100).all()  # a mean over no (or only ignored) labels is nan (PyTorch)
    if np.isfinite(logits).all() and scored and (fn == "cross_entropy" or kwargs.get("from_logits")):
        assert finite(y), f"{fn}({logits!r}, {labels!r}) = {y.data!r}"
    assert backward_all(y, (fn,)) is None
    check_grads([x])


# --- convolution, pooling, upsampling ----------------------------------------------------------------
@pytest.mark.parametrize("fn", CONV)
@given(data=st.data())
def test_convolutions(fn, data):
    """Random geometry (zero-size batch, channels, spatial sizes and kernels included), strides,
    paddings, dilations, groups and padding modes: PyTorch's output size, or a named error."""
    nd = 1 if fn.endswith("1d") else 2
    n, c, o = data.draw(st.integers(0, 2)), data.draw(st.integers(0, 3)), data.draw(st.integers(0, 3))
    spatial = tuple(data.draw(st.integers(0, 6)) for _ in range(nd))
    kernel = tuple(data.draw(st.integers(0, 4)) for _ in range(nd))
    groups = data.draw(st.sampled_from([1, 1, 2, 3, 0]))
    dtype = data.draw(st.sampled_from(FLOATS))
    x = nt.tensor(np.random.default_rng(0).standard_normal((n, c) + spatial).astype(dtype), requires_grad=True)
    transposed = "transpose" in fn
    wshape = (c, o // max(groups, 1)) + kernel if transposed else (o, c // max(groups, 1)) + kernel
    w = nt.tensor(np.random.default_rng(1).standard_normal(wshape).astype(dtype), requires_grad=True)
    b = data.draw(st.sampled_from([None, o, o + 1]))
    b = None if b is None else nt.tensor(np.zeros(b, dtype), requires_grad=True)
    kw = dict(stride=data.draw(st.sampled_from([1, 2, 3, 0, -1])), groups=groups,
              dilation=data.draw(st.sampled_from([1, 2, 0])))
    if transposed:
        kw.update(padding=data.draw(st.sampled_from([0, 1, 3, -1])), output_padding=data.draw(st.sampled_from([0, 1, 2])))
    else:
        kw.update(padding=data.draw(st.sampled_from([0, 1, 2, "same", "valid", "bogus", -1])),
                  padding_mode=data.draw(st.sampled_from(["zeros", "reflect", "replicate", "circular", "bogus"])))
    y = attempt(getattr(F, fn), x, w, b, names=(fn,), **kw)
    if failed(y):
        return
    assert finite(y)
    assert y.shape[:2] == (n, w.shape[1] * groups if transposed else o)
    assert backward_all(y, (fn,)) is None
    check_grads([x, w, b])


@pytest.mark.parametrize("fn", POOL)
@given(data=st.data())
def test_pooling(fn, data):
    """Random input shapes (zero-size spatial sizes included) and window arguments: a finite result for
    finite input, or a named error (an empty window would be -inf or 0/0)."""
    nd = 1 if fn.endswith("1d") else 2
    shp = (data.draw(st.integers(0, 2)), data.draw(st.integers(0, 2))) + tuple(data.draw(st.integers(0, 5)) for _ in range(nd))
    if data.draw(st.integers(0, 5)) == 0:
        shp = data.draw(shapes(max_dims=5, max_side=3))
    a = data.draw(real_arrays(shape=shp, dtypes=FLOATS, bound=1e30))
    x = nt.tensor(a, requires_grad=True, dtype=a.dtype)
    kw = {}
    if fn.startswith(("avg", "max")):
        kw = dict(kernel_size=data.draw(st.sampled_from([1, 2, 3, 0, (2, 1) if nd == 2 else 2])),
                  stride=data.draw(st.sampled_from([None, 1, 2, 0])), padding=data.draw(st.sampled_from([0, 1, -1])),
                  ceil_mode=data.draw(st.booleans()))
        if fn.startswith("avg"):
            kw["count_include_pad"] = data.draw(st.booleans())
        else:
            kw["dilation"] = data.draw(st.sampled_from([1, 2, 0]))
    elif fn.startswith("adaptive"):
        kw = dict(output_size=data.draw(st.sampled_from([1, 2, 3, 0, (2, 3) if nd == 2 else 4])))
    elif fn.startswith("global"):
        kw = dict(keepdims=data.draw(st.booleans()))
    else:
        kw = dict(size=data.draw(st.sampled_from([None, (2, 2), (0, 3), 5])),
                  scale_factor=data.draw(st.sampled_from([None, 2, 0.5, 0, -1])), align_corners=data.draw(st.booleans()))
    y = attempt(getattr(F, fn), x, names=(fn,), **kw)
    if failed(y):
        return
    padding_only = fn.startswith("max") and kw.get("padding") and kw.get("dilation", 1) > 1  # a dilated window
    # may fall wholly into the padding: -inf, as PyTorch gives (max_pool1d(zeros(1, 1, 1), 2, padding=1, dilation=2))
    if np.isfinite(a).all() and np.abs(a).max(initial=0) < 1e30 and not padding_only:
        assert finite(y), f"{fn}({a!r}, {kw}) = {y.data!r}"
    assert backward_all(y, (fn,)) is None
    check_grads([x])


# --- recurrent, attention, normalization, the rest ----------------------------------------------------
@pytest.mark.parametrize("fn", RECURRENT)
@given(data=st.data())
def test_recurrent(fn, data):
    """Random batch/time/feature/hidden sizes (mismatched ones too), input dtypes, lengths and
    directions: finite sequences of the right shapes, or a named error."""
    n, t, f, h = (data.draw(st.integers(0, 3)) for _ in range(4))
    gates = {"lstm": 4, "gru": 3, "rnn": 1, "jordan_rnn": 1}[fn]
    rng = np.random.default_rng(0)

    def T(*shape, grad=True, jitter=True):
        if jitter and data.draw(st.integers(0, 9)) == 0:
            shape = tuple(s + 1 for s in shape)
        return nt.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=grad)

    xdt = data.draw(st.sampled_from([np.float32, np.float32, np.float64, np.int64, np.float16]))
    x = nt.tensor(rng.standard_normal((n, t, f)).astype(xdt) if xdt != np.int64 else rng.integers(0, 3, (n, t, f)),
                  requires_grad=xdt in FLOATS)
    lengths = data.draw(st.sampled_from([None, None, "full", "ones", "zero", "long", "float"]))
    lengths = {None: None, "full": np.full(n, t), "ones": np.ones(n, np.int64), "zero": np.zeros(n, np.int64),
               "long": np.full(n, t + 1), "float": [1.5] * n}[lengths]
    reverse = data.draw(st.booleans())
    if fn == "lstm":
        args = (x, T(n, h), T(n, h), T(gates * h, f), T(gates * h, h), T(gates * h), T(gates * h))
    elif fn == "gru":
        args = (x, T(n, h), T(gates * h, f), T(gates * h, h), T(gates * h), T(gates * h))
    elif fn == "rnn":
        args = (x, T(n, h), T(h, f), T(h, h))
    else:
        o = data.draw(st.integers(1, 2))
        args = (x, T(n, o), T(h, f), T(h, o), T(o, h))
    y = attempt(getattr(F, fn), *args, lengths=lengths, reverse=reverse, names=(fn,))
    if failed(y):
        return
    for out in outputs(y):
        assert out.dtype.kind == "f", f"{fn} of {xdt.__name__} input gave {out.dtype} outputs"
        assert finite(out)
        assert out.shape[0] == n or out.ndim == 0
    assert backward_all(y, (fn,)) is None
    check_grads(args)


@pytest.mark.parametrize("fn", ATTENTION)
@given(data=st.data())
def test_attention(fn, data):
    """Random query/key/value sizes (E = 0 and no keys included), masks of every kind and scales."""
    n, L, S, E, Ev = (data.draw(st.integers(0, 3)) for _ in range(5))
    rng = np.random.default_rng(0)
    q = nt.tensor(rng.standard_normal((n, L, E)).astype(np.float32), requires_grad=True)
    k = nt.tensor(rng.standard_normal((n, S, E + data.draw(st.sampled_from([0, 0, 1])))).astype(np.float32), requires_grad=True)
    v = nt.tensor(rng.standard_normal((n, S, Ev)).astype(np.float32), requires_grad=True)
    mask = data.draw(st.sampled_from([None, "bool", "none_allowed", "float", "-inf", "wrong"]))
    mask = {None: None, "bool": nt.tensor(rng.random((L, S)) < 0.5), "none_allowed": nt.tensor(np.zeros((L, S), bool)),
            "float": nt.tensor(rng.standard_normal((L, S)).astype(np.float32)),
            "-inf": nt.tensor(np.full((L, S), -np.inf, np.float32)), "wrong": nt.tensor(np.ones((L + 1, S), bool))}[mask]
    if fn == "scaled_dot_product_attention":
        y = attempt(F.scaled_dot_product_attention, q, k, v, attn_mask=mask, is_causal=data.draw(st.booleans()),
                    scale=data.draw(st.sampled_from([None, 0.5, 0.0])), names=(fn,))
    elif fn == "masked_softmax":
        y = attempt(F.masked_softmax, nt.tensor(rng.standard_normal((n, L, S)).astype(np.float32), requires_grad=True),
                    mask, names=(fn,))
    elif fn == "general_scores":
        y = attempt(F.general_scores, q, k, nt.tensor(np.eye(E, dtype=np.float32), requires_grad=True), names=names_of(fn))
    elif fn == "additive_scores":
        w = lambda *s: nt.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)  # noqa: E731
        y = attempt(F.additive_scores, q, k, v, w(E, E), w(E, E), w(E), names=names_of(fn))
    else:
        y = attempt(getattr(F, fn), q, k, names=(fn,))
    if failed(y):
        return
    for out in outputs(y):
        if fn != "masked_softmax" or mask is None or mask.dtype == np.bool_:
            assert finite(out) or mask is not None, f"{fn} gave {out.data!r}"
    assert backward_all(y, names_of(fn)) is None
    check_grads([q, k, v])


@given(data=st.data())
def test_normalization(data):
    """layer_norm and batch_norm over random shapes (zero features and batches included), constant
    inputs and edge values: finite for finite input, running statistics left as they were on failure."""
    a = data.draw(real_arrays(dtypes=FLOATS, shape=shapes(min_dims=1, max_dims=4, max_side=3), bound=1e15))
    x = nt.tensor(a, requires_grad=True, dtype=a.dtype)
    if data.draw(st.booleans()):
        k = data.draw(st.integers(0, a.ndim))
        norm_shape = a.shape[a.ndim - k:] if data.draw(st.integers(0, 4)) else (5,)
        y = attempt(F.layer_norm, x, norm_shape, names=("layer_norm",))
    else:
        c = a.shape[1] if a.ndim > 1 else 1
        rm, rv = np.zeros(c, a.dtype), np.ones(c, a.dtype)
        before = rm.copy(), rv.copy()
        y = attempt(F.batch_norm, x, rm, rv, training=data.draw(st.booleans()),
                    momentum=data.draw(st.sampled_from([0.1, 1.0, None])), names=("batch_norm",))
        if failed(y):
            assert np.array_equal(rm, before[0]) and np.array_equal(rv, before[1])
    if failed(y):
        return
    assert finite(y), f"normalising {a!r} gave {y.data!r}"
    assert backward_all(y, ("layer_norm", "batch_norm")) is None
    check_grads([x])


@given(data=st.data())
def test_embedding_and_one_hot(data):
    """Indices of any dtype and range into tables of any size (zero rows or columns included)."""
    v, d = data.draw(st.integers(0, 4)), data.draw(st.integers(0, 3))
    idx = data.draw(real_arrays(dtypes=(np.int64, np.int32, np.uint8, np.float32, np.bool_),
                                shape=shapes(max_dims=2, max_side=3), bound=10.0))
    if idx.dtype.kind in "iu":
        idx = (idx % 7 - 1).astype(idx.dtype)
    w = nt.tensor(np.random.default_rng(0).standard_normal((v, d)).astype(np.float32), requires_grad=True)
    y = attempt(F.embedding, nt.tensor(idx, dtype=idx.dtype), w,
                padding_idx=data.draw(st.sampled_from([None, 0, -1, v, v + 2])), names=("embedding",))
    if not failed(y):
        assert y.shape == idx.shape + (d,)
        assert backward_all(y, ("embedding",)) is None
        check_grads([w])
    z = attempt(F.one_hot, nt.tensor(idx, dtype=idx.dtype), num_classes=data.draw(st.sampled_from([-1, 0, v, v + 1, 2.5])),
                names=("one_hot",))
    if not failed(z):
        assert z.shape[:-1] == idx.shape


@pytest.mark.parametrize("fn", ["linear", "dense", "dropout", "prelu", "maxout"])
@given(data=st.data())
def test_layers_as_functions(fn, data):
    """The functions behind Dense, Dropout, PReLU and Maxout, on random shapes and arguments."""
    a = data.draw(real_arrays(dtypes=FLOATS, shape=shapes(min_dims=0, max_dims=3, max_side=3), bound=1e15))
    x = nt.tensor(a, requires_grad=True, dtype=a.dtype)
    rng = np.random.default_rng(0)
    params = []
    if fn in ("linear", "dense"):
        fin = a.shape[-1] if a.ndim and data.draw(st.integers(0, 4)) else 2
        w = nt.tensor(rng.standard_normal((data.draw(st.integers(0, 3)), fin)).astype(a.dtype), requires_grad=True)
        b = data.draw(st.sampled_from([None, w.shape[0], w.shape[0] + 1]))
        b = None if b is None else nt.tensor(np.zeros(b, a.dtype), requires_grad=True)
        params = [w, b]
        kw = {"activation": data.draw(st.sampled_from([None, "relu", "tanh", "sigmoid", "softmax", "bogus"]))} \
            if fn == "dense" else {}
        y = attempt(getattr(F, fn), x, w, b, names=names_of(fn), **kw)
    elif fn == "dropout":
        y = attempt(F.dropout, x, p=data.draw(st.sampled_from([0.0, 0.5, 0.99, 1.0, -0.1, 1.5, float("nan")])),
                    training=data.draw(st.booleans()), names=("dropout",))
    elif fn == "prelu":
        c = data.draw(st.sampled_from([1, a.shape[1] if a.ndim > 1 else 1, 0, 5]))
        w = nt.tensor(np.full(c, 0.25, a.dtype), requires_grad=True)
        params = [w]
        y = attempt(F.prelu, x, w, names=("prelu",))
    else:
        y = attempt(F.maxout, x, pieces=data.draw(st.sampled_from([1, 2, 3, 0, 1.5])),
                    axis=data.draw(st.integers(-3, 3)), names=("maxout",))
    if failed(y):
        return
    if np.abs(a).max(initial=0) <= 1e15 and fn != "dense":
        assert finite(y)
    assert backward_all(y, names_of(fn)) is None
    check_grads([x] + params)


def test_activation_lookup():
    assert F.get_activation("ReLU") is F.relu
    for bad in ("bogus", 3, object()):
        with pytest.raises((ValueError, TypeError)) as e:
            F.get_activation(bad)
        assert_named(e.value, "get_activation")
    assert F.activation_name(F.tanh) == "tanh"


# --- PyTorch as the oracle, where cheap -----------------------------------------------------------------
_TORCH = {
    "sigmoid": lambda t, x: t.sigmoid(x), "tanh": lambda t, x: t.tanh(x), "softplus": lambda t, x: t.nn.functional.softplus(x),
    "gelu": lambda t, x: t.nn.functional.gelu(x), "silu": lambda t, x: t.nn.functional.silu(x),
    "elu": lambda t, x: t.nn.functional.elu(x), "selu": lambda t, x: t.nn.functional.selu(x),
    "log_softmax": lambda t, x: t.log_softmax(x, -1), "softmax": lambda t, x: t.softmax(x, -1),
    "logsumexp": lambda t, x: t.logsumexp(x, -1), "std": lambda t, x: x.std(-1, unbiased=False),
}


@pytest.mark.parametrize("fn", sorted(_TORCH))
@given(a=real_arrays(dtypes=(np.float32,), shape=shapes(min_dims=1, max_dims=2, min_side=1, max_side=4), bound=1e30))
def test_matches_torch_at_the_edges(torch, fn, a):
    """Values (and gradients) as PyTorch computes them, ±1e30 and subnormals included."""
    x = nt.tensor(a, requires_grad=True)
    kw = {"axis": -1} if fn in ("logsumexp", "std") else {}
    y = getattr(F, fn)(x, **kw)
    tx = torch.tensor(a, requires_grad=True)
    ty = _TORCH[fn](torch, tx)
    got, want = y.numpy().astype(np.float64), ty.detach().numpy().astype(np.float64)
    if fn == "std":  # PyTorch's float32 std of [1e30, 1e30, 1e30] is 7.6e22: the exact float64 value is the oracle
        exact = np.std(a.astype(np.float64), axis=-1).astype(np.float32).astype(np.float64)
        want = np.where(np.abs(got - exact) <= 1e-5 * np.maximum(1.0, np.abs(exact)), got, want)
    scale = np.maximum(1.0, np.abs(want))
    assert np.all(np.isfinite(got) == np.isfinite(want)), f"{fn}({a!r}): {got} vs torch {want}"
    ok = np.isfinite(want)
    assert np.all(np.abs(got - want)[ok] <= 1e-4 * scale[ok]), f"{fn}({a!r}): {got} vs torch {want}"


# --- the defects the fuzzing found, one example each ---------------------------------------------------
@pytest.mark.parametrize("fn", ["neg", "relu", "sigmoid", "sign", "silu", "softmax", "log_softmax"])
def test_boolean_input_is_refused_by_name(fn):
    """Was: NumPy's TypeError ('The numpy boolean negative, the `-` operator, is not supported')
    or UFuncTypeError (relu: cannot cast ufunc 'maximum' output), naming no function."""
    with pytest.raises(TypeError, match=f"^{fn}: not defined for boolean input"):
        getattr(F, fn)(nt.tensor([True, False]))


def test_boolean_subtraction_is_refused_by_name():
    with pytest.raises(TypeError, match="^sub: not defined for boolean input"):
        nt.tensor([True]) - nt.tensor([False])
    assert (nt.tensor([True]) - 1.0).tolist() == [0.0]  # a float operand makes it arithmetic


def test_argmax_of_nothing_names_the_function():
    """Was: NumPy's ValueError 'attempt to get argmax of an empty sequence'."""
    for fn in ("argmax", "argmin"):
        with pytest.raises(ValueError, match=f"^{fn}: "):
            getattr(F, fn)(nt.tensor(np.zeros((2, 0))), axis=1)
    assert F.argmax(nt.tensor(np.zeros((0, 3))), axis=1).shape == (0,)


def test_std_does_not_overflow_or_underflow():
    """Was: std([1e30, 0]) = inf and std([1e-40, 0]) = 0 in float32 (the squares overflowed or
    underflowed); PyTorch gives 5e29 and 5e-41."""
    x = nt.tensor(np.array([[1e30, 0.0], [1e-40, 0.0], [3.0, 4.0], [2.0, 2.0]], np.float32), requires_grad=True)
    y = F.std(x, axis=1)
    np.testing.assert_allclose(y.numpy(), [5e29, 5e-41, 0.5, 0.0], rtol=1e-5)
    y.sum().backward()
    np.testing.assert_allclose(x.grad[0], [0.5, -0.5], rtol=1e-5)
    assert np.all(x.grad[3] == 0)
    assert F.std(nt.tensor(np.full(3, 1e30, np.float32))).item() == 0.0  # (PyTorch's float32 std says 7.6e22)


@pytest.mark.parametrize("call", [lambda x: F.sum(x, 1.5), lambda x: F.mean(x, "a"), lambda x: F.softmax(x, (0, 1)),
                                  lambda x: F.squeeze(x, 1.5), lambda x: F.unsqueeze(x, 0.5),
                                  lambda x: F.reshape(x, 2.0, 3.0), lambda x: F.flatten(x, 0.5),
                                  lambda x: F.tile(x, (1.5,)), lambda x: F.cast(x, "nope")])
def test_arguments_of_the_wrong_type_are_named(call):
    """Was: '<=' not supported between 'int' and 'str', 'float' object is not iterable, NumPy's
    'data type not understood' — TypeErrors that named no function."""
    with pytest.raises(TypeError, match=r"^\w+: "):
        call(nt.tensor(np.ones((2, 3), np.float32)))


def test_squeeze_takes_numpy_integers_and_broadcast_to_refuses_negative_sizes():
    assert F.squeeze(nt.tensor(np.ones((1, 3))), np.int64(0)).shape == (3,)
    with pytest.raises(ValueError, match="^broadcast_to: "):
        F.broadcast_to(nt.tensor(np.ones(3)), (-1,))


def test_permute_errors_name_permute():
    with pytest.raises(ValueError, match="^permute: "):
        F.permute(nt.tensor(np.ones((2, 3))), 0, 0)


@pytest.mark.parametrize("sa, sb", [((2, 0), (0, 3)), ((3, 2), (2, 0)), ((2, 3, 0), (0, 4))])
def test_matmul_backward_with_a_zero_size_dimension(sa, sb):
    """Was: ValueError 'cannot reshape array of size 0 into shape (0)' from reshape(-1, 0) in backward."""
    a = nt.tensor(np.ones(sa, np.float32), requires_grad=True)
    b = nt.tensor(np.ones(sb, np.float32), requires_grad=True)
    F.matmul(a, b).sum().backward()
    assert a.grad.shape == sa and b.grad.shape == sb and not a.grad.any() and not b.grad.any()


def test_zero_features_through_linear_layer_norm_maxout_prelu_embedding():
    """Was: 'cannot reshape array of size 0' in the backward of each (reshape(-1, 0))."""
    x = nt.tensor(np.ones((2, 3, 0), np.float32), requires_grad=True)
    F.linear(x, nt.tensor(np.ones((4, 0), np.float32), requires_grad=True)).sum().backward()
    assert x.grad.shape == (2, 3, 0)
    z = nt.tensor(np.ones((2, 0), np.float32), requires_grad=True)
    F.layer_norm(z, (0,)).sum().backward()
    F.maxout(nt.tensor(np.ones((0, 4), np.float32), requires_grad=True), 2).sum().backward()
    F.prelu(z, nt.tensor(np.ones(0, np.float32), requires_grad=True)).sum().backward()
    w = nt.tensor(np.ones((3, 0), np.float32), requires_grad=True)
    F.embedding(nt.tensor(np.array([[0, 2]])), w).sum().backward()
    assert w.grad.shape == (3, 0)


def test_attention_with_empty_feature_vectors():
    """Was: ZeroDivisionError (1/√0) in scaled_dot_product_attention and scaled_dot_scores with E = 0;
    PyTorch gives uniform weights (every score an empty dot product, 0)."""
    q, k = nt.tensor(np.ones((2, 3, 0), np.float32)), nt.tensor(np.ones((2, 4, 0), np.float32))
    v = nt.tensor(np.arange(16, dtype=np.float32).reshape(2, 4, 2))
    y = F.scaled_dot_product_attention(q, k, v)
    np.testing.assert_allclose(y.numpy(), np.broadcast_to(v.numpy().mean(axis=1, keepdims=True), (2, 3, 2)))
    assert F.scaled_dot_scores(q, k).shape == (2, 3, 4)


def test_keras_binary_crossentropy_of_an_empty_last_axis():
    """Was: ZeroDivisionError (1 / shape[-1]) with reduction 'sum', nan with a warning for 'mean'."""
    p = nt.tensor(np.ones((2, 0), np.float32), requires_grad=True)
    for reduction in ("sum", "mean", "none"):
        loss = F.binary_crossentropy(p, nt.tensor(np.ones((2, 0), np.float32)), reduction=reduction)
        assert finite(loss)
        loss.sum().backward()


@pytest.mark.parametrize("fn", ["cross_entropy", "nll_loss"])
def test_class_losses_without_classes(fn):
    """Was: NumPy's 'zero-size array to reduction operation maximum' (cross_entropy) and IndexError
    (nll_loss) for an input with 0 classes and ignored labels."""
    with pytest.raises(ValueError, match=f"^{fn}: .* has no classes"):
        getattr(F, fn)(nt.tensor(np.ones((2, 0), np.float32)), nt.tensor(np.array([-100, -100])))


@pytest.mark.parametrize("call", [
    lambda: F.conv2d(nt.tensor(np.ones((1, 2, 5, 5), np.float32)), nt.tensor(np.ones((2, 2, 0, 3), np.float32))),
    lambda: F.conv2d(nt.tensor(np.ones((1, 0, 5, 5), np.float32)), nt.tensor(np.ones((2, 0, 3, 3), np.float32))),
    lambda: F.conv1d(nt.tensor(np.ones((1, 2, 5), np.float32)), nt.tensor(np.ones((0, 2, 3), np.float32))),
    lambda: F.conv_transpose1d(nt.tensor(np.ones((1, 3, 0), np.float32)), nt.tensor(np.ones((3, 1, 2), np.float32)), stride=2),
    lambda: F.conv_transpose2d(nt.tensor(np.ones((1, 2, 0, 3), np.float32)), nt.tensor(np.ones((2, 1, 2, 3), np.float32)),
                               dilation=2),
])
def test_convolutions_with_size_0_dimensions_are_refused_by_name(call):
    """Was: NumPy's 'cannot reshape array of size 0 into shape (1,0,1,0,newaxis)', broadcast errors and
    a ZeroDivisionError (conv_transpose2d); PyTorch refuses these shapes too."""
    with pytest.raises(ValueError, match=r"^conv(_transpose)?[12]d: .*size-0"):
        call()
    F.conv2d(nt.tensor(np.ones((0, 2, 5, 5), np.float32)), nt.tensor(np.ones((3, 2, 3, 3), np.float32)))  # N = 0 is fine


def test_conv2d_max_pool2d_names_itself_when_the_pool_does_not_fit():
    with pytest.raises(ValueError, match="^conv2d_max_pool2d: "):
        F.conv2d_max_pool2d(nt.tensor(np.ones((1, 1, 3, 3), np.float32)), nt.tensor(np.ones((1, 1, 3, 3), np.float32)))


@pytest.mark.parametrize("call", [
    lambda x: F.avg_pool1d(x, 2, padding=1, count_include_pad=False), lambda x: F.max_pool1d(x, 2, padding=1),
    lambda x: F.adaptive_avg_pool1d(x, 2), lambda x: F.global_avg_pool1d(x),
    lambda x: F.upsample_bilinear2d(x[:, :, None, :], size=(2, 2)),
])
def test_pooling_over_no_positions_is_refused_by_name(call):
    """Was: ZeroDivisionError (avg_pool, count_include_pad=False), -inf (max_pool over padding only),
    zeros (adaptive), nan with a warning (global average), zeros (bilinear upsampling)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"^\w+: .*size-0 spatial dimension"):
            call(nt.tensor(np.ones((1, 1, 0), np.float32)))


def test_softmax_and_logsumexp_of_unsigned_integers():
    """Was: x − max wrapped around in uint8 (3 − 5 = 254): softmax gave nan/inf."""
    x = nt.tensor(np.array([3, 1, 2], np.uint8))
    ref = np.exp([3.0, 1.0, 2.0]) / np.exp([3.0, 1.0, 2.0]).sum()
    np.testing.assert_allclose(F.softmax(x).numpy(), ref, rtol=1e-6)
    np.testing.assert_allclose(np.exp(F.log_softmax(x).numpy()), ref, rtol=1e-6)
    np.testing.assert_allclose(F.logsumexp(x).item(), np.log(np.exp([3.0, 1.0, 2.0]).sum()), rtol=1e-6)


@pytest.mark.parametrize("fn", ["lstm", "gru", "rnn"])
def test_recurrent_functions_with_integer_input_compute_in_floating_point(fn):
    """Was: rnn/gru/lstm kept their states in x's dtype: an int64 x gave int64 (truncated) states, and
    lstm's σ(a) = ½·tanh(a/2) + ½ turned ½ into 0; a float16 x handed float16 buffers to the float32
    numba kernels (NotImplementedError)."""
    rng = np.random.default_rng(0)
    h, f = 3, 2
    g = {"lstm": 4, "gru": 3, "rnn": 1}[fn]
    w = [nt.tensor(rng.standard_normal(s).astype(np.float64)) for s in ((g * h, f), (g * h, h))]
    xi = rng.integers(-2, 3, (2, 4, f))
    states = [nt.tensor(np.zeros((2, h)))] * (2 if fn == "lstm" else 1)
    out_int = getattr(F, fn)(nt.tensor(xi), *states, *w)[0]
    out_float = getattr(F, fn)(nt.tensor(xi.astype(np.float64)), *states, *w)[0]
    np.testing.assert_allclose(out_int.numpy(), out_float.numpy(), rtol=1e-12)
    w32 = [nt.tensor(a.numpy().astype(np.float32)) for a in w]
    s32 = [nt.tensor(np.zeros((2, h), np.float32))] * len(states)
    out16 = getattr(F, fn)(nt.tensor(xi.astype(np.float16)), *s32, *w32)[0]
    np.testing.assert_allclose(out16.numpy(), out_float.numpy(), rtol=1e-3, atol=1e-4)


def test_batch_norm_momentum_must_be_a_number():
    with pytest.raises(TypeError, match="^batch_norm: momentum"):
        F.batch_norm(nt.tensor(np.ones((2, 3), np.float32)), np.zeros(3, np.float32), np.ones(3, np.float32),
                     training=True, momentum=None)


def test_masks_must_broadcast_to_the_scores_not_enlarge_them():
    """Was: a (2, S) mask against (N, 1, S) scores broadcast *with* them: masked_softmax returned (N, 2, S)
    weights (then RuntimeError 'MaskedSoftmax.backward returned a gradient of shape (0, 2, 0) for an input
    of shape (0, 1, 0)') and scaled_dot_product_attention failed inside matmul."""
    scores = nt.tensor(np.zeros((3, 1, 4), np.float32), requires_grad=True)
    with pytest.raises(ValueError, match="^masked_softmax: mask of shape"):
        F.masked_softmax(scores, np.ones((2, 4), bool))
    q = nt.tensor(np.ones((3, 1, 2), np.float32))
    with pytest.raises(ValueError, match="^scaled_dot_product_attention: attn_mask of shape"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=np.ones((2, 1), bool))
    assert F.masked_softmax(nt.tensor(np.zeros((3, 2, 4), np.float32)), np.ones((2, 4), bool)).shape == (3, 2, 4)


@pytest.mark.parametrize("fn", ["exp", "log", "tanh", "sigmoid", "silu", "softsign", "arctan", "gelu", "softplus", "elu"])
def test_small_integer_types_are_computed_in_float32(fn):
    """Was: sigmoid and silu of uint8 [10, 200] gave [0, 0] (-|x| wrapped around in uint8), softsign of
    uint8 255 gave inf (1 + 255 = 0), and NumPy computed uint8/int8 in float16 (exp(10) = 22030)."""
    x = np.array([0, 10, 200, 255], np.uint8)
    y = getattr(F, fn)(nt.tensor(x))
    assert y.dtype == np.float32
    with np.errstate(all="ignore"):
        ref = getattr(F, fn)(nt.tensor(x.astype(np.float32))).numpy()
    np.testing.assert_array_equal(y.numpy(), ref)


def test_std_of_a_constant_float32_row_is_zero(torch):
    """Was: 4.9e-4 for a row of 5462.3135 (the float32 mean was an ulp off); PyTorch accumulates in float64."""
    x = np.full((2, 3), 5462.3135, np.float32)
    assert F.std(nt.tensor(x), axis=1).tolist() == [0.0, 0.0] == torch.tensor(x).std(1, unbiased=False).tolist()


def test_repeat_with_an_empty_list_of_counts():
    """Was: NumPy's TypeError 'Cannot cast array data from float64 to int64' (an empty list is float64)."""
    x = nt.tensor(np.ones(0, np.float32), requires_grad=True)
    F.repeat(x, []).sum().backward()
    assert x.grad.shape == (0,)
    assert F.pad(nt.tensor(np.array(2.0, np.float32)), 0).item() == 2.0  # was: NumPy's '`pad_width` must be of integral type'


@pytest.mark.parametrize("fn", ["argmax", "argmin", "any", "all"])
def test_non_differentiable_reductions_refuse_non_real_data(fn):
    """Was: argmax of strings or complex numbers answered (lexicographic / NumPy's complex order)."""
    with pytest.raises(TypeError, match=f"^{fn}: got data of dtype"):
        getattr(F, fn)(np.array(["b", "a"]))


@pytest.mark.parametrize("fn", ["rnn", "lstm"])
def test_empty_batch_of_integers_gives_float_outputs(fn):
    w = [nt.tensor(np.ones(s, np.float32)) for s in (((4 if fn == "lstm" else 1) * 2, 3), ((4 if fn == "lstm" else 1) * 2, 2))]
    h = [nt.tensor(np.zeros((0, 2), np.float32))] * (2 if fn == "lstm" else 1)
    assert all(t.dtype.kind == "f" for t in getattr(F, fn)(nt.tensor(np.ones((0, 2, 3), np.int64)), *h, *w))


# --- nt.tensor -----------------------------------------------------------------------------------------
_VALUES = st.one_of(
    real_arrays(dtypes=REALS, non_finite=True),
    st.recursive(st.one_of(st.integers(-2 ** 70, 2 ** 70), st.floats(), st.booleans()),
                 lambda inner: st.lists(inner, max_size=3), max_leaves=8),  # nested lists, ragged ones too
    st.sampled_from([None, {"a": 1}, b"ab", "text", 1 + 2j, [1, "a"], object()]),
)


@given(value=_VALUES, dtype=st.sampled_from([None, None, np.float32, "float64", np.int64, np.uint8, "bool", np.float16,
                                             np.complex64, "nope", object]),
       requires_grad=st.booleans())
def test_tensor_construction(value, dtype, requires_grad):
    """nt.tensor of anything: a tensor of a real dtype (floats in the default dtype unless asked), or a
    named error — ragged lists, integers beyond int64, NaN or 300 into integer dtypes, unknown dtypes."""
    t = attempt(nt.tensor, value, requires_grad=requires_grad, dtype=dtype, names=("nt.tensor", "Tensor"))
    if failed(t):
        return
    assert t.dtype.kind in "biuf"
    assert not t.requires_grad or t.dtype.kind == "f"
    attempt(t.astype, dtype or "float32", names=("Tensor.astype",))


@pytest.mark.parametrize("value, dtype", [(1, "nope"), ([300], np.uint8), ([[1, 2], [3]], np.float32),
                                          (float("nan"), np.int64), ({"a": 1}, np.float32)])
def test_tensor_with_a_dtype_names_itself(value, dtype):
    """Was: NumPy's own TypeError ('data type not understood'), OverflowError ('Python integer 300 out
    of bounds for uint8'), ValueError ('setting an array element with a sequence', 'cannot convert float
    NaN to integer') when nt.tensor was given a dtype."""
    with pytest.raises((ValueError, TypeError), match="^nt.tensor: "):
        nt.tensor(value, dtype=dtype)


def test_second_backward_from_a_second_output_is_a_runtime_error():
    """Was: IndexError from backward's pending slots (release() forgot the Function's output count)."""
    x = nt.tensor(np.ones(4, np.float32), requires_grad=True)
    a, b = F.split(x, 2)
    a.backward(np.ones(2, np.float32))
    with pytest.raises(RuntimeError, match="a second time"):
        b.backward(np.ones(2, np.float32))
