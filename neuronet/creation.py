"""Tensor creation with PyTorch's names and signatures: ``nt.zeros(2, 3)``, ``nt.randn(4, 5)``, ``nt.arange(10)``, ...

Sizes are given as separate ints or one tuple (``nt.zeros(2, 3)`` = ``nt.zeros((2, 3))``).
Floating-point results get the default dtype (float32 unless ``nt.set_default_dtype`` changed
it) unless ``dtype`` says otherwise; integer results (``arange`` of ints, ``full`` of an int,
``randint``) are int64, as in PyTorch.  Random tensors draw from neuronet's one seeded generator
(``nt.manual_seed``).  Every function takes ``requires_grad`` (floating point only) and
``device`` (``'cpu'`` or ``'cuda'``).

Example::

    nt.manual_seed(0)
    w = nt.randn(784, 10, requires_grad=True)
    mask = nt.ones_like(w)
    steps = nt.linspace(0, 1, 5)          # [0, 0.25, 0.5, 0.75, 1], float32
"""
from __future__ import annotations

import numbers

from . import backend
from .backend import np
from .tensor import Tensor, refuse_non_real

__all__ = ["zeros", "ones", "full", "empty", "zeros_like", "ones_like", "full_like", "rand", "randn", "randint",
           "rand_like", "randn_like", "arange", "linspace", "eye", "from_numpy", "is_tensor",
           "float16", "float32", "float64", "int32", "int64", "uint8"]

float16, float32, float64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)
int32, int64, uint8 = np.dtype(np.int32), np.dtype(np.int64), np.dtype(np.uint8)


def _size(fn: str, size) -> tuple:
    """``(2, 3)`` from ``(2, 3)`` or ``((2, 3),)``; a TypeError/ValueError naming ``fn`` otherwise."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for d in size:
        if isinstance(d, bool) or not isinstance(d, (numbers.Integral, np.integer)):
            raise TypeError(f"{fn}: sizes must be integers, got {size!r}")
        if d < 0:
            raise ValueError(f"{fn}: sizes must be non-negative, got {size!r}")
    return tuple(int(d) for d in size)


def _dtype(fn: str, dtype, default):
    if dtype is None:
        return np.dtype(default)
    try:
        dtype = np.dtype(dtype)
    except TypeError as e:
        raise TypeError(f"{fn}: dtype {dtype!r} is not a dtype ({e})") from None
    refuse_non_real(fn, dtype)
    return dtype


def _make(fn: str, array, requires_grad: bool, device) -> Tensor:
    if device is not None:
        array = backend.to_device(array, str(device))
    if requires_grad and array.dtype.kind != "f":
        raise TypeError(f"{fn}: only floating-point tensors can require gradients, got dtype {array.dtype}")
    return Tensor(array, requires_grad=requires_grad, dtype=array.dtype)


def zeros(*size, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """A tensor of zeros of the given size.

    Example:
        >>> nt.zeros(2, 3).shape
        (2, 3)
        >>> nt.zeros((2,), dtype=np.int64).tolist()
        [0, 0]
    """
    return _make("zeros", np.zeros(_size("zeros", size), _dtype("zeros", dtype, backend.get_default_dtype())),
                 requires_grad, device)


def ones(*size, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """A tensor of ones of the given size.

    Example:
        >>> nt.ones(2, 2).sum().item()
        4.0
    """
    return _make("ones", np.ones(_size("ones", size), _dtype("ones", dtype, backend.get_default_dtype())),
                 requires_grad, device)


def empty(*size, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """A tensor of the given size whose values are to be written (zeros here: nothing uninitialised leaks).

    Example:
        >>> nt.empty(2, 3).shape
        (2, 3)
    """
    return _make("empty", np.zeros(_size("empty", size), _dtype("empty", dtype, backend.get_default_dtype())),
                 requires_grad, device)


def _fill_dtype(value):
    """PyTorch's dtype for ``full``: bool for a bool, int64 for an int, the default float dtype otherwise."""
    if isinstance(value, (bool, np.bool_)):
        return np.bool_
    if isinstance(value, (numbers.Integral, np.integer)):
        return np.int64
    if isinstance(value, numbers.Real):
        return backend.get_default_dtype()
    raise TypeError(f"full: fill_value must be a real number, got {type(value).__name__} {value!r}")


def full(size, fill_value, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (its dtype follows the value unless given).

    Example:
        >>> nt.full((2,), 7).tolist(), nt.full((2,), 0.5).dtype
        ([7, 7], dtype('float32'))
    """
    size = _size("full", (size,) if isinstance(size, (numbers.Integral, np.integer)) else (size,))
    dtype = _dtype("full", dtype, _fill_dtype(fill_value))
    return _make("full", np.full(size, fill_value, dtype=dtype), requires_grad, device)


def _like(fn, input):
    data = input.data if isinstance(input, Tensor) else input
    if not hasattr(data, "shape") or not hasattr(data, "dtype"):
        data = np.asarray(data)
    return data


def zeros_like(input, dtype=None, requires_grad: bool = False) -> Tensor:
    """Zeros of ``input``'s shape, dtype (unless given) and device.

    Example:
        >>> nt.zeros_like(nt.ones(2, 3)).shape
        (2, 3)
    """
    data = _like("zeros_like", input)
    xp = backend.array_module(data)
    return _make("zeros_like", xp.zeros(data.shape, _dtype("zeros_like", dtype, data.dtype)), requires_grad, None)


def ones_like(input, dtype=None, requires_grad: bool = False) -> Tensor:
    """Ones of ``input``'s shape, dtype (unless given) and device.

    Example:
        >>> nt.ones_like(nt.zeros(3, dtype=np.int64)).tolist()
        [1, 1, 1]
    """
    data = _like("ones_like", input)
    xp = backend.array_module(data)
    return _make("ones_like", xp.ones(data.shape, _dtype("ones_like", dtype, data.dtype)), requires_grad, None)


def full_like(input, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    """``fill_value`` in ``input``'s shape, dtype (unless given) and device.

    Example:
        >>> nt.full_like(nt.zeros(2), 3.0).tolist()
        [3.0, 3.0]
    """
    data = _like("full_like", input)
    xp = backend.array_module(data)
    return _make("full_like", xp.full(data.shape, fill_value, dtype=_dtype("full_like", dtype, data.dtype)),
                 requires_grad, None)


def _draw(fn, size, dtype, draw):
    """``draw(rng, size, float_dtype)`` from the seeded generator, in ``dtype`` (floating point only)."""
    dtype = _dtype(fn, dtype, backend.get_default_dtype())
    if dtype.kind != "f":
        raise TypeError(f"{fn}: dtype must be floating point, got {dtype}")
    draw_dtype = dtype if dtype in (float32, float64) else float32
    return draw(backend.get_rng(), size, draw_dtype).astype(dtype, copy=False)


def rand(*size, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """Uniform random numbers on [0, 1) from the seeded generator.

    Example:
        >>> r = nt.rand(1000)
        >>> r.shape, bool(0 <= r.min().item() and r.max().item() < 1)
        ((1000,), True)
    """
    size = _size("rand", size)
    return _make("rand", _draw("rand", size, dtype, lambda g, s, d: g.random(s, dtype=d)), requires_grad, device)


def randn(*size, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """Standard normal random numbers N(0, 1) from the seeded generator.

    Example:
        >>> r = nt.randn(10000)
        >>> abs(r.mean().item()) < 0.05, round(r.std().item(), 1)
        (True, 1.0)
    """
    size = _size("randn", size)
    return _make("randn", _draw("randn", size, dtype, lambda g, s, d: g.standard_normal(s, dtype=d)),
                 requires_grad, device)


def rand_like(input, dtype=None, requires_grad: bool = False) -> Tensor:
    """Uniform [0, 1) numbers of ``input``'s shape (and floating dtype unless given).

    Example:
        >>> nt.rand_like(nt.zeros(2, 3)).shape
        (2, 3)
    """
    data = _like("rand_like", input)
    return rand(*data.shape, dtype=dtype or (data.dtype if data.dtype.kind == "f" else None),
                requires_grad=requires_grad)


def randn_like(input, dtype=None, requires_grad: bool = False) -> Tensor:
    """N(0, 1) numbers of ``input``'s shape (and floating dtype unless given).

    Example:
        >>> nt.randn_like(nt.zeros(4, dtype=np.float64)).dtype
        dtype('float64')
    """
    data = _like("randn_like", input)
    return randn(*data.shape, dtype=dtype or (data.dtype if data.dtype.kind == "f" else None),
                 requires_grad=requires_grad)


def randint(low, high=None, size=None, dtype=None, device=None) -> Tensor:
    """Random integers in [low, high) (``randint(high, size)`` for [0, high)), int64 unless given.

    Example:
        >>> r = nt.randint(0, 10, (100,))
        >>> r.dtype, bool(r.min().item() >= 0 and r.max().item() < 10)
        (dtype('int64'), True)
    """
    if size is None:  # randint(high, size)
        if high is None:
            raise TypeError("randint: expected randint(low, high, size) or randint(high, size)")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    size = _size("randint", (size,) if isinstance(size, (numbers.Integral, np.integer)) else (size,))
    if not high > low:
        raise ValueError(f"randint: high must be greater than low, got low={low}, high={high}")
    values = backend.get_rng().integers(low, high, size=size)
    return _make("randint", values.astype(_dtype("randint", dtype, np.int64)), False, device)


def _is_int(v) -> bool:
    return isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, bool)


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """``[start, start + step, ...)`` up to ``end`` (exclusive); ``arange(n)`` is 0..n−1.

    int64 when every argument is an integer, else the default float dtype (PyTorch's rule).

    Example:
        >>> nt.arange(4).tolist(), nt.arange(1, 2, 0.25).tolist()
        ([0, 1, 2, 3], [1.0, 1.25, 1.5, 1.75])
    """
    if end is None:
        start, end = 0, start
    for name, v in (("start", start), ("end", end), ("step", step)):
        if isinstance(v, bool) or not isinstance(v, (numbers.Real, np.number)):
            raise TypeError(f"arange: {name} must be a real number, got {v!r}")
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise ValueError(f"arange: the range from {start} to {end} cannot be walked with step {step}")
    default = np.int64 if all(_is_int(v) for v in (start, end, step)) else backend.get_default_dtype()
    dtype = _dtype("arange", dtype, default)
    if dtype.kind == "f":  # computed in float64, as PyTorch does, then cast
        n = int(np.ceil((end - start) / step))
        values = (start + step * np.arange(n, dtype=np.float64)).astype(dtype)
    else:
        values = np.arange(start, end, step).astype(dtype)
    return _make("arange", values, requires_grad, device)


def linspace(start, end, steps: int, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive (default float dtype).

    Example:
        >>> nt.linspace(0, 1, 5).tolist()
        [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    if not _is_int(steps) or steps < 0:
        raise ValueError(f"linspace: steps must be a non-negative int, got {steps!r}")
    values = np.linspace(float(start), float(end), int(steps))
    return _make("linspace", values.astype(_dtype("linspace", dtype, backend.get_default_dtype())),
                 requires_grad, device)


def eye(n: int, m: int | None = None, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """The n×m identity matrix (m = n by default).

    Example:
        >>> nt.eye(2).tolist(), nt.eye(2, 3).shape
        ([[1.0, 0.0], [0.0, 1.0]], (2, 3))
    """
    n, m = _size("eye", (n, n if m is None else m))
    return _make("eye", np.eye(n, m, dtype=_dtype("eye", dtype, backend.get_default_dtype())), requires_grad, device)


def from_numpy(array) -> Tensor:
    """A tensor sharing ``array``'s memory and keeping its dtype (float64 stays float64, as in PyTorch).

    Example:
        >>> a = np.zeros(3)
        >>> t = nt.from_numpy(a)
        >>> a[0] = 5.0
        >>> t.tolist(), t.dtype  # shares memory, keeps float64
        ([5.0, 0.0, 0.0], dtype('float64'))
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    refuse_non_real("from_numpy", array.dtype)
    return Tensor(array, dtype=array.dtype)


def is_tensor(obj) -> bool:
    """Whether ``obj`` is a neuronet Tensor.

    Example:
        >>> nt.is_tensor(nt.zeros(1)), nt.is_tensor(np.zeros(1))
        (True, False)
    """
    return isinstance(obj, Tensor)
