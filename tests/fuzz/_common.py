"""What every fuzz test checks, and the data it draws.

The property (issue 14): a public function, layer or training/file path given any input either
returns a correct result, or raises a ``ValueError``/``TypeError`` whose message names the function or
layer — never another exception type from inside NumPy (IndexError, AttributeError,
ZeroDivisionError, numpy.linalg errors, MemoryError, struct.error, ...), and never a half-done change.
"""
from __future__ import annotations

import re
import warnings

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import neuronet as nt
import neuronet.functional as F

#: the dtypes data arrives in
FLOATS = (np.float32, np.float64)
REALS = (np.float32, np.float64, np.float16, np.int64, np.int32, np.uint8, np.int8, np.bool_)
NON_REAL = (np.complex64, np.complex128, object, np.str_)

#: values at the edges: zero, subnormals, huge, and the non-finite ones
EXTREMES = (0.0, -0.0, 1.0, -1.0, 1e-40, -1e-40, 1e-45, 1e30, -1e30, 3e38, -3e38, 1e-7)
NON_FINITE = (np.nan, np.inf, -np.inf)

_LEAD = re.compile(r"^\s*(?:load: |load_model: )?([A-Za-z_][\w.]*)\s*[:(]")


def public_functions() -> list:
    """Every function ``neuronet.functional`` exports (the union of its modules' ``__all__``)."""
    names = set()
    for mod in ("math", "reduce", "shape", "indexing", "activation", "loss", "dropout", "linear",
                "normalization", "embedding", "conv", "conv_pool", "pool", "upsample", "recurrent",
                "attention", "recurrent_simple"):
        m = __import__(f"neuronet.functional.{mod}", fromlist=["__all__"])
        names.update(n for n in m.__all__ if callable(getattr(F, n, None)) and not isinstance(getattr(F, n), dict))
    return sorted(names)


def _words(msg: str) -> set:
    """Identifiers in ``msg``, dotted ones whole and in parts ('SGD.step' names SGD and step)."""
    words = set(re.findall(r"[A-Za-z_][\w.]*", msg))
    return words | {part for w in words for part in w.split(".")}


def assert_named(err: BaseException, *names: str) -> None:
    """``err`` is a ValueError or TypeError whose message names one of ``names`` (a function, a layer,
    a file path), as a whole word — 'sub' is not named by NumPy's 'numpy boolean subtract ...'."""
    assert isinstance(err, (ValueError, TypeError)), f"{type(err).__name__}: {err}"
    msg = str(err)
    if "(an operation of neuronet.functional)" in msg:  # Function.apply names the operation's class
        return
    words = _words(msg)
    squashed = {w.lower().replace("_", "") for w in words}
    for name in names:
        if name and (name in words or name.lower().replace("_", "") in squashed
                     or (not name.isidentifier() and name in msg)):
            return
    raise AssertionError(f"{type(err).__name__} names none of {names}: {msg!r}") from err


def attempt(fn, *args, names=(), **kwargs):
    """``fn(*args, **kwargs)``; a ValueError/TypeError must name one of ``names`` (it is then returned
    as the result); any other exception propagates and fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # inf/nan arithmetic on extreme inputs
        try:
            return fn(*args, **kwargs)
        except (ValueError, TypeError) as e:
            assert_named(e, *names)
            return e


def failed(result) -> bool:
    return isinstance(result, (ValueError, TypeError))


def outputs(result) -> list:
    """The tensors of a result (a tensor, or a tuple/list of tensors and other things, nested as a PyTorch-style
    LSTM's ``out, (h, c)``)."""
    items = list(result) if isinstance(result, (tuple, list)) else [result]
    found = []
    while items:
        t = items.pop(0)
        if isinstance(t, (tuple, list)):
            items[:0] = list(t)
        elif isinstance(t, nt.Tensor):
            found.append(t)
    return found


def backward_all(result, names=()):
    """Back-propagate the sum of every differentiable output once; a ValueError/TypeError from backward
    must be named too.  Returns the error or None."""
    live = [t for t in outputs(result) if t.requires_grad]
    if not live:
        return None
    total = None
    for t in live:
        s = F.sum(t) if t.dtype.kind == "f" else None
        if s is not None:
            total = s if total is None else total + s
    if total is None:
        return None
    return attempt(total.backward, names=names)


def check_grads(inputs) -> None:
    """Every input that required a gradient got one of its own shape and dtype (or None when unused)."""
    for x in inputs:
        if isinstance(x, nt.Tensor) and x.requires_grad and x.grad is not None:
            assert x.grad.shape == x.shape, f"gradient of shape {x.grad.shape} for an input of shape {x.shape}"
            assert x.grad.dtype == x.dtype, f"gradient of dtype {x.grad.dtype} for an input of dtype {x.dtype}"


# --- strategies ------------------------------------------------------------------------------------

def shapes(min_dims=0, max_dims=4, min_side=0, max_side=4):
    """Array shapes, zero-size sides included."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def float_values(dtype, extremes=True, non_finite=False, bound=None):
    """Elements of a float array: ordinary numbers, sometimes the edge values (subnormals, ±1e30, ±3e38)."""
    info = np.finfo(dtype)
    limit = float(info.max) if bound is None else bound
    base = st.floats(-min(limit, 1e4), min(limit, 1e4), allow_nan=False, allow_infinity=False, width=info.bits)
    picks = [base]
    if extremes:
        picks.append(st.sampled_from([np.asarray(v, dtype).item() for v in EXTREMES if abs(v) <= limit]))
    if non_finite:
        picks.append(st.sampled_from(NON_FINITE))
    return st.one_of(*picks)


@st.composite
def real_arrays(draw, shape=None, dtypes=REALS, extremes=True, non_finite=False, bound=None):
    """A NumPy array of a drawn real dtype and shape; floats may hold edge values."""
    dtype = np.dtype(draw(st.sampled_from(dtypes)))
    shp = draw(shapes()) if shape is None else (draw(shape) if isinstance(shape, st.SearchStrategy) else shape)
    if dtype.kind == "f":
        elements = float_values(dtype, extremes, non_finite, bound)
    elif dtype.kind == "b":
        elements = st.booleans()
    else:
        info = np.iinfo(dtype)
        elements = st.integers(max(info.min, -1000), min(info.max, 1000))
    return draw(hnp.arrays(dtype, shp, elements=elements))


def to_input(draw, a, float_grad=True):
    """``a`` as the caller might pass it: a tensor (floats requiring grad), a plain array, or a list."""
    form = draw(st.sampled_from(["tensor", "tensor", "array", "list"]))
    if form == "tensor":
        return nt.tensor(a, requires_grad=float_grad and a.dtype.kind == "f" and a.dtype != np.float16,
                         dtype=a.dtype)
    if form == "array":
        return a
    return a.tolist()


def non_real_array(kind, shape=(2, 3)):
    """Complex, object or string data of ``shape``."""
    base = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    if kind == "complex":
        return base + 1j
    if kind == "object":
        return base.astype(object)
    return base.astype(str)


def finite(a) -> bool:
    a = a.data if isinstance(a, nt.Tensor) else np.asarray(a)
    return a.dtype.kind not in "fc" or bool(np.isfinite(a).all())
