"""Element-wise arithmetic, elementary functions and matrix products, each with its derivative.

Binary ops broadcast like NumPy and undo the broadcasting in backward (``unbroadcast``).  Python
scalars never change a tensor's dtype (float32 stays float32); a float tensor combined with an
integer or boolean tensor keeps the float dtype (as in PyTorch, unlike NumPy's float64).
"""
from __future__ import annotations

import math
from contextlib import nullcontext

from ..autograd import Function, unbroadcast
from ..backend import array_module, get_default_dtype, np
from ..kernels.parallel import blas_for_product
from ..tensor import Tensor, refuse_non_real

__all__ = [
    "add", "sub", "mul", "div", "neg", "pow", "exp", "log", "sqrt", "abs", "sin", "cos", "tanh",
    "clip", "clamp", "maximum", "minimum", "where", "matmul", "cast",
]


def _shape(a):
    return getattr(a, "shape", ())


def _scalar(v):
    """NumPy scalars become Python scalars so that they do not promote float32 to float64."""
    return v.item() if isinstance(v, np.generic) else v


def _match(a, b):
    """A float array combined with an int/bool array keeps the float dtype (PyTorch's rule)."""
    da, db = getattr(a, "dtype", None), getattr(b, "dtype", None)
    if da is None or db is None or da == db:
        return a, b
    if da.kind == "f" and db.kind in "iub":
        return a, b.astype(da)
    if db.kind == "f" and da.kind in "iub":
        return a.astype(db), b
    return a, b


def _is_bool(a) -> bool:
    return isinstance(a, (bool, np.bool_)) or getattr(a, "dtype", None) == np.bool_


def refuse_bool(fn, *operands):
    """A TypeError naming ``fn`` when every operand is boolean (negation, subtraction, relu, softmax, ...:
    NumPy's own error, from inside forward, would not say which function failed)."""
    if all(_is_bool(a) for a in operands):
        raise TypeError(f"{fn}: not defined for boolean input (dtype bool); cast it to a number "
                        "dtype first, e.g. x.astype('float32')")


def to_float(x):
    """Integer or boolean data in a floating dtype (the default one, or float64 for wide integers) before a
    float-valued function: NumPy would compute uint8/int8 in float16, and -x of unsigned data wraps
    around (sigmoid of uint8 200 came out 0)."""
    if x.dtype.kind in "biu":
        return x.astype(np.result_type(x.dtype, get_default_dtype()))
    return x


def _no_broadcast(fn, *operands):
    """The error for operands whose shapes do not broadcast (instead of NumPy's, from inside forward)."""
    shapes = ", ".join(str(tuple(_shape(o))) for o in operands)
    return ValueError(f"{fn}: shapes {shapes} do not broadcast: aligned from the last dimension, each pair of "
                      "sizes must be equal or one of them 1")


# --- arithmetic ---------------------------------------------------------------------------------

class Add(Function):
    def forward(self, a, b):
        a, b = _match(a, b)
        self.a_shape, self.b_shape = _shape(a), _shape(b)
        try:
            return a + b
        except ValueError:
            raise _no_broadcast("add", a, b) from None

    def backward(self, gy):
        # d(a+b)/da = 1, d(a+b)/db = 1; broadcasting is undone by summing
        ga = unbroadcast(gy, self.a_shape) if self.needs_grad[0] else None
        gb = unbroadcast(gy, self.b_shape) if self.needs_grad[1] else None
        return ga, gb


def add(a, b):
    """a + b with broadcasting.

    Example:
        >>> F.add(nt.tensor([1.0, 2.0]), nt.tensor([[10.0], [20.0]])).numpy()  # broadcasting
        array([[11., 12.],
               [21., 22.]], dtype=float32)
    """
    return Add.apply(_scalar(a), _scalar(b))


class Sub(Function):
    def forward(self, a, b):
        refuse_bool("sub", a, b)
        a, b = _match(a, b)
        self.a_shape, self.b_shape = _shape(a), _shape(b)
        try:
            return a - b
        except ValueError:
            raise _no_broadcast("sub", a, b) from None

    def backward(self, gy):
        # d(a-b)/da = 1, d(a-b)/db = -1
        ga = unbroadcast(gy, self.a_shape) if self.needs_grad[0] else None
        gb = -unbroadcast(gy, self.b_shape) if self.needs_grad[1] else None
        return ga, gb


def sub(a, b):
    """a - b with broadcasting.

    Example:
        >>> F.sub(nt.tensor([5.0, 7.0]), 1.0).numpy()
        array([4., 6.], dtype=float32)
    """
    return Sub.apply(_scalar(a), _scalar(b))


class Mul(Function):
    def forward(self, a, b):
        self.a, self.b = _match(a, b)
        try:
            return self.a * self.b
        except ValueError:
            raise _no_broadcast("mul", a, b) from None

    def backward(self, gy):
        # d(ab)/da = b, d(ab)/db = a
        ga = unbroadcast(gy * self.b, _shape(self.a)) if self.needs_grad[0] else None
        gb = unbroadcast(gy * self.a, _shape(self.b)) if self.needs_grad[1] else None
        return ga, gb


def mul(a, b):
    """a * b with broadcasting.

    Example:
        >>> a = nt.tensor([2.0, 3.0], requires_grad=True)
        >>> F.mul(a, a).sum().backward()
        >>> a.grad
        array([4., 6.], dtype=float32)
    """
    return Mul.apply(_scalar(a), _scalar(b))


class Div(Function):
    def forward(self, a, b):
        a, b = _match(a, b)
        self.a_shape, self.b = _shape(a), b
        try:
            self.y = a / b
        except ValueError:
            raise _no_broadcast("div", a, b) from None
        return self.y

    def backward(self, gy):
        # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2 = -(1/b)(a/b)
        g_over_b = gy / self.b
        ga = unbroadcast(g_over_b, self.a_shape) if self.needs_grad[0] else None
        gb = unbroadcast(-g_over_b * self.y, _shape(self.b)) if self.needs_grad[1] else None
        return ga, gb


def div(a, b):
    """a / b (true division) with broadcasting.

    Example:
        >>> F.div(nt.tensor([1.0, 3.0]), nt.tensor([2.0, 4.0])).numpy()
        array([0.5 , 0.75], dtype=float32)
    """
    return Div.apply(_scalar(a), _scalar(b))


class Neg(Function):
    def forward(self, x):
        refuse_bool("neg", x)
        return -x

    def backward(self, gy):
        return -gy  # d/dx (-x) = -1


def neg(x):
    """-x.

    Example:
        >>> F.neg(nt.tensor([1.0, -2.0])).numpy()
        array([-1.,  2.], dtype=float32)
    """
    return Neg.apply(x)


class PowScalar(Function):
    def __init__(self, p):
        self.p = p

    def forward(self, x):
        self.x = x
        return x ** self.p

    def backward(self, gy):
        # d/dx x^p = p x^(p-1); 0 for p = 0 even at x = 0, where 0·0^(-1) would be nan (PyTorch's rule)
        p = self.p
        if p == 0:
            return gy * 0
        if p == 2:
            return gy * (self.x * 2)
        return gy * (p * self.x ** (p - 1))


class PowTensor(Function):
    def forward(self, a, b):
        xp = array_module(a, b)
        if not isinstance(a, xp.ndarray):  # a Python base with a tensor exponent: 2 ** t
            a = xp.asarray(a, dtype=b.dtype)
        a, b = _match(a, b)
        self.a, self.b = a, b
        try:
            self.y = a ** b
        except ValueError:
            raise _no_broadcast("pow", a, b) from None
        return self.y

    def backward(self, gy):
        # d/da a^b = b a^(b-1), taken as 0 where b = 0; d/db a^b = a^b ln a, taken as 0 where a = 0
        # and b >= 0 (PyTorch's rules: no nan from 0·0^(-1) or 0·ln 0)
        xp = array_module(gy)
        a, b = self.a, self.b
        ga = gb = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.needs_grad[0]:
                ga = unbroadcast(xp.where(b == 0, 0, gy * (b * a ** (b - 1))), _shape(a))
            if self.needs_grad[1]:
                gb = unbroadcast(xp.where((a == 0) & (b >= 0), 0, gy * (self.y * xp.log(a))), _shape(b))
        return ga, gb


def pow(x, p):
    """x ** p for a scalar exponent (the fast path) or a tensor exponent (broadcasting).

    Example:
        >>> x = nt.tensor([2.0, 3.0], requires_grad=True)
        >>> F.pow(x, 3).sum().backward()
        >>> x.grad  # 3 x^2
        array([12., 27.], dtype=float32)
    """
    p = _scalar(p)
    if isinstance(p, Tensor) or hasattr(p, "shape"):
        return PowTensor.apply(_scalar(x), p)
    if not isinstance(x, Tensor):
        x = Tensor(x)
    return PowScalar.apply(x, p=p)


# --- elementary functions -----------------------------------------------------------------------

class Exp(Function):
    def forward(self, x):
        x = to_float(x)
        self.y = array_module(x).exp(x)
        return self.y

    def backward(self, gy):
        return gy * self.y  # d/dx e^x = e^x


def exp(x):
    """e^x element-wise.

    Example:
        >>> F.exp(nt.tensor([0.0, 1.0])).numpy()
        array([1.    , 2.7183], dtype=float32)
    """
    return Exp.apply(x)


class Log(Function):
    def forward(self, x):
        x = to_float(x)
        self.x = x
        return array_module(x).log(x)

    def backward(self, gy):
        return gy / self.x  # d/dx ln x = 1/x


def log(x):
    """Natural logarithm element-wise.

    Example:
        >>> F.log(nt.tensor([1.0, np.e])).numpy()
        array([0., 1.], dtype=float32)
    """
    return Log.apply(x)


class Sqrt(Function):
    def forward(self, x):
        x = to_float(x)
        self.y = array_module(x).sqrt(x)
        return self.y

    def backward(self, gy):
        with np.errstate(divide="ignore"):  # +inf at x = 0, as PyTorch
            return gy / (self.y * 2)  # d/dx sqrt x = 1/(2 sqrt x)


def sqrt(x):
    """Square root element-wise.

    Example:
        >>> F.sqrt(nt.tensor([4.0, 9.0])).numpy()
        array([2., 3.], dtype=float32)
    """
    return Sqrt.apply(x)


class Abs(Function):
    def forward(self, x):
        xp = array_module(x)
        self.x = x
        return xp.abs(x)

    def backward(self, gy):
        return gy * array_module(gy).sign(self.x)  # d/dx |x| = sign(x), subgradient 0 at 0


def abs(x):
    """|x| element-wise; the gradient at 0 is the subgradient 0 (as in PyTorch).

    Example:
        >>> x = nt.tensor([-2.0, 0.0, 3.0], requires_grad=True)
        >>> F.abs(x).sum().backward()
        >>> x.grad  # sign(x), 0 at 0
        array([-1.,  0.,  1.], dtype=float32)
    """
    return Abs.apply(x)


class Sin(Function):
    def forward(self, x):
        x = to_float(x)
        self.x = x
        return array_module(x).sin(x)

    def backward(self, gy):
        return gy * array_module(gy).cos(self.x)  # d/dx sin x = cos x


def sin(x):
    """Sine element-wise.

    Example:
        >>> F.sin(nt.tensor([0.0, np.pi / 2])).numpy()
        array([0., 1.], dtype=float32)
    """
    return Sin.apply(x)


class Cos(Function):
    def forward(self, x):
        x = to_float(x)
        self.x = x
        return array_module(x).cos(x)

    def backward(self, gy):
        return -gy * array_module(gy).sin(self.x)  # d/dx cos x = -sin x


def cos(x):
    """Cosine element-wise.

    Example:
        >>> F.cos(nt.tensor([0.0, np.pi])).numpy()
        array([ 1., -1.], dtype=float32)
    """
    return Cos.apply(x)


class Tanh(Function):
    def forward(self, x):
        x = to_float(x)
        self.y = array_module(x).tanh(x)
        return self.y

    def backward(self, gy):
        return gy * (1 - self.y * self.y)  # d/dx tanh x = 1 - tanh^2 x


def tanh(x):
    """The hyperbolic tangent, range (-1, 1).

    Example:
        >>> x = nt.tensor([0.0, 1.0], requires_grad=True)
        >>> y = F.tanh(x)
        >>> y.sum().backward()
        >>> y.numpy(), x.grad  # 1 - tanh^2
        (array([0.    , 0.7616], dtype=float32), array([1.  , 0.42], dtype=float32))
    """
    return Tanh.apply(x)


# --- piecewise ----------------------------------------------------------------------------------

class Clip(Function):
    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def forward(self, x):
        self.x = x
        try:
            return array_module(x).clip(x, self.lo, self.hi)
        except ValueError:
            raise _no_broadcast("clip (input, min, max)", x, 0 if self.lo is None else self.lo,
                                0 if self.hi is None else self.hi) from None

    def backward(self, gy):
        # d/dx clip(x, lo, hi) = 1 for lo <= x <= hi (bounds included, as PyTorch), else 0
        x, xp = self.x, array_module(gy)
        inside = x >= self.lo if self.lo is not None else None
        if self.hi is not None:
            inside = x <= self.hi if inside is None else inside & (x <= self.hi)
        return xp.where(inside, gy, 0)


def clip(x, min=None, max=None):
    """Limit x to [min, max] (either bound may be None).

    The gradient is 1 where ``min <= x <= max`` — bounds included, matching ``torch.clamp`` —
    and 0 outside.  Bounds are constants (scalars or arrays), not differentiated.

    Example:
        >>> F.clip(nt.tensor([-2.0, 0.5, 3.0]), min=0.0, max=1.0).numpy()
        array([0. , 0.5, 1. ], dtype=float32)
    """
    if min is None and max is None:
        raise ValueError("clip: give at least one of min and max")
    lo = min.data if isinstance(min, Tensor) else _scalar(min)
    hi = max.data if isinstance(max, Tensor) else _scalar(max)
    return Clip.apply(x, lo=lo, hi=hi)


clamp = clip


class _Extremum(Function):
    """maximum/minimum: the gradient goes to the winning input; ties split it 0.5/0.5 (PyTorch)."""

    def forward(self, a, b):
        a, b = _match(a, b)
        self.a, self.b = a, b
        try:
            return self.pick(array_module(a, b), a, b)
        except ValueError:
            raise _no_broadcast(type(self).__name__.lower(), a, b) from None

    def backward(self, gy):
        xp = array_module(gy)
        a, b = self.a, self.b
        wins_a, tie = self.beats(a, b), a == b
        half = gy * 0.5
        ga = gb = None
        if self.needs_grad[0]:
            ga = unbroadcast(xp.where(wins_a, gy, xp.where(tie, half, 0)), _shape(a))
        if self.needs_grad[1]:
            gb = unbroadcast(xp.where(wins_a | tie, xp.where(tie, half, 0), gy), _shape(b))
        return ga, gb


class Maximum(_Extremum):
    # d/da max(a, b) = 1 where a > b, 1/2 where a = b, else 0
    pick = staticmethod(lambda xp, a, b: xp.maximum(a, b))
    beats = staticmethod(lambda a, b: a > b)


class Minimum(_Extremum):
    # d/da min(a, b) = 1 where a < b, 1/2 where a = b, else 0
    pick = staticmethod(lambda xp, a, b: xp.minimum(a, b))
    beats = staticmethod(lambda a, b: a < b)


def maximum(a, b):
    """Element-wise maximum with broadcasting; at ties each input gets half the gradient (like PyTorch).

    Example:
        >>> F.maximum(nt.tensor([1.0, 5.0]), nt.tensor([3.0, 2.0])).numpy()
        array([3., 5.], dtype=float32)
    """
    return Maximum.apply(_scalar(a), _scalar(b))


def minimum(a, b):
    """Element-wise minimum with broadcasting; at ties each input gets half the gradient (like PyTorch).

    Example:
        >>> F.minimum(nt.tensor([1.0, 5.0]), 2.0).numpy()
        array([1., 2.], dtype=float32)
    """
    return Minimum.apply(_scalar(a), _scalar(b))


class Where(Function):
    def forward(self, cond, a, b):
        a, b = _match(a, b)
        self.cond, self.a_shape, self.b_shape = cond, _shape(a), _shape(b)
        try:
            return array_module(a, b, cond).where(cond, a, b)
        except ValueError:
            raise _no_broadcast("where (cond, a, b)", cond, a, b) from None

    def backward(self, gy):
        # d/da where(c, a, b) = c, d/db = not c
        xp = array_module(gy)
        ga = unbroadcast(xp.where(self.cond, gy, 0), self.a_shape) if self.needs_grad[1] else None
        gb = unbroadcast(xp.where(self.cond, 0, gy), self.b_shape) if self.needs_grad[2] else None
        return None, ga, gb


def where(cond, a, b):
    """Elements of ``a`` where ``cond`` is true, of ``b`` elsewhere (all three broadcast).

    Example:
        >>> x = nt.tensor([-1.0, 2.0])
        >>> F.where(x.numpy() > 0, x, nt.zeros(2)).numpy()
        array([0., 2.], dtype=float32)
    """
    if isinstance(cond, Tensor):
        cond = cond.data
    if getattr(cond, "dtype", None) != np.bool_:
        xp = array_module(cond)
        cond = xp.asarray(cond).astype(bool)
    return Where.apply(cond, _scalar(a), _scalar(b))


# --- matrix product -----------------------------------------------------------------------------

def _batched_blas(a, b):
    """One BLAS thread for a batched product of small matrices: NumPy calls BLAS once per matrix,
    and waking more threads for each small call costs more than the product (see attention.py)."""
    if min(a.ndim, b.ndim) >= 2 and max(a.ndim, b.ndim) > 2:
        return blas_for_product(a.shape[-2], a.shape[-1], b.shape[-1])
    return nullcontext()


def _folded_product(a, b):
    """``a @ b`` for an (..., k) array and a (k, n) matrix as ONE matrix product over the folded
    leading dims: NumPy's matmul would call BLAS once per leading index (a (64, 48, 64) @ (64, 4000)
    product with a transposed right side took 2.7 s that way, 0.25 s folded)."""
    rows = math.prod(a.shape[:-1])  # not -1: a size may be 0
    with blas_for_product(rows, a.shape[-1], b.shape[-1]):
        return (a.reshape(rows, a.shape[-1]) @ b).reshape(*a.shape[:-1], b.shape[-1])


class MatMul(Function):
    def forward(self, a, b):
        a, b = _match(a, b)
        self.a, self.b = a, b
        try:
            if b.ndim == 2 and a.ndim > 2 and a.shape[-1] == b.shape[0]:
                return _folded_product(a, b)
            with _batched_blas(a, b):
                return a @ b
        except ValueError:
            raise ValueError(f"matmul: shapes {tuple(_shape(a))} and {tuple(_shape(b))} do not fit: the last "
                             "dimension of the first must equal the second-to-last of the second "
                             "(and batch dimensions must broadcast)") from None

    def backward(self, gy):
        with _batched_blas(self.a, self.b):
            return self._backward(gy)

    def _backward(self, gy):
        # y = a @ b: dL/da = gy @ b^T, dL/db = a^T @ gy (then undo batch broadcasting)
        xp = array_module(gy)
        a, b = self.a, self.b
        ga = gb = None
        if a.ndim == 1 and b.ndim == 1:
            if self.needs_grad[0]:
                ga = gy * b
            if self.needs_grad[1]:
                gb = gy * a
            return ga, gb
        if b.ndim == 2 and a.ndim >= 2:  # the dense-layer case: fold batch dims into one GEMM
            if self.needs_grad[0]:
                ga = _folded_product(gy, b.T)
            if self.needs_grad[1]:
                rows = math.prod(a.shape[:-1])  # not -1: a size may be 0
                gb = a.reshape(rows, a.shape[-1]).T @ gy.reshape(rows, gy.shape[-1])
            return ga, gb
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        gy2 = gy
        if a.ndim == 1:
            gy2 = xp.expand_dims(gy2, -2)
        if b.ndim == 1:
            gy2 = xp.expand_dims(gy2, -1)
        if self.needs_grad[0]:
            ga = unbroadcast(gy2 @ xp.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
        if self.needs_grad[1]:
            gb = unbroadcast(xp.swapaxes(a2, -1, -2) @ gy2, b2.shape).reshape(b.shape)
        return ga, gb


def matmul(a, b):
    """Matrix product with NumPy semantics (1-D vectors, batched and broadcast leading dims).

    Example:
        >>> F.matmul(nt.ones(5, 2, 3), nt.ones(3, 4)).shape  # batched
        (5, 2, 4)
    """
    for name, t in (("first", a), ("second", b)):
        if len(_shape(t)) == 0:
            raise ValueError(f"matmul: the {name} operand is a scalar (shape ()); use mul for scalars")
    return MatMul.apply(a, b)


# --- dtype --------------------------------------------------------------------------------------

class Cast(Function):
    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        self.in_dtype = x.dtype
        return x.astype(self.dtype, copy=False)

    def backward(self, gy):
        return gy.astype(self.in_dtype, copy=False)  # d/dx x = 1, back in the input's dtype


def cast(x, dtype):
    """x in another dtype, keeping the graph (the gradient is cast back to x's dtype).

    Example:
        >>> x = nt.tensor([1.5], requires_grad=True)
        >>> y = F.cast(x, np.float64)
        >>> y.sum().backward()
        >>> y.dtype, x.grad.dtype
        (dtype('float64'), dtype('float32'))
    """
    try:
        dtype = np.dtype(dtype)
    except TypeError as e:
        raise TypeError(f"cast: {dtype!r} is not a dtype ({e})") from None
    refuse_non_real("cast", dtype)
    if dtype.kind != "f" and isinstance(x, Tensor) and x.requires_grad:
        raise TypeError(f"cast: a tensor that requires grad can only be cast to a floating dtype, got {dtype}")
    return Cast.apply(x, dtype=dtype)
