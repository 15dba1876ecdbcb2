"""Weight initialisers: each returns a new array of a given shape, drawn from the seeded generator.

Every initialiser has the signature ``init.name(shape, ..., dtype=None, xp=numpy)`` and returns a
fresh array of ``shape`` in ``dtype`` (the default dtype, float32, unless given) on the array
module ``xp`` (NumPy or CuPy).  Fans follow PyTorch: for a dense weight ``(out, in)`` fan_in is
``in``; for a convolution weight ``(out, in, k1, k2, ...)`` fan_in is ``in·k1·k2·…`` and fan_out
``out·k1·k2·…``.  ``init.get("he_normal")`` turns a name into the function, so layers accept
strings (``kernel_initializer="he_normal"``).

Example::

    w = nt.nn.Parameter(init.he_normal((64, 784)))          # std = sqrt(2 / 784)
    b = nt.nn.Parameter(init.zeros((64,)))
"""
from __future__ import annotations

import math

from .. import backend
from ..backend import np
from ..functional.special import normal_ppf

__all__ = [
    "compute_fans", "calculate_gain", "zeros", "ones", "constant", "normal", "uniform",
    "xavier_uniform", "glorot_uniform", "xavier_normal", "glorot_normal",
    "kaiming_uniform", "he_uniform", "kaiming_normal", "he_normal",
    "lecun_normal", "lecun_uniform", "orthogonal", "get", "INITIALIZERS",
]


def _dtype(dtype):
    return backend.get_default_dtype() if dtype is None else np.dtype(dtype)


def _shape(shape) -> tuple:
    dims = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0 for n in dims):
        raise ValueError(f"init: a shape is non-negative integers, got {shape!r}")
    return tuple(int(n) for n in dims)


def compute_fans(shape) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of ``shape``, as ``torch.nn.init._calculate_fan_in_and_fan_out``.

    Args:
        shape: ``(out, in)`` for a dense weight, ``(out, in, *kernel)`` for a convolution.

    Example:
        >>> nt.nn.init.compute_fans((64, 3, 5, 5))  # conv weight: fan_in = 3*5*5, fan_out = 64*5*5
        (75, 1600)
    """
    shape = _shape(shape)
    if len(shape) < 2:
        raise ValueError(f"init: fan_in and fan_out need a weight with at least 2 dimensions (out, in, ...), "
                         f"got shape {shape}")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _fans(shape) -> tuple[int, int]:
    """compute_fans for the initialisers: a weight with no elements (a size-0 dimension) has fans of 0 and
    nothing to draw, so any scale will do (PyTorch skips it with a warning): at least 1, no 1/0."""
    fan_in, fan_out = compute_fans(shape)
    return max(fan_in, 1), max(fan_out, 1)


def calculate_gain(nonlinearity: str = "linear", param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (PyTorch's ``calculate_gain``).

    linear/conv/sigmoid → 1, tanh → 5/3, relu → √2, leaky_relu(slope) → √(2/(1+slope²)), selu → 3/4.

    Example:
        >>> round(nt.nn.init.calculate_gain("relu"), 4), round(nt.nn.init.calculate_gain("tanh"), 4)
        (1.4142, 1.6667)
    """
    name = str(nonlinearity).lower()
    if name in ("linear", "identity", "sigmoid", "conv1d", "conv2d", "conv3d",
                "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"):
        return 1.0
    if name == "tanh":
        return 5.0 / 3
    if name == "relu":
        return math.sqrt(2.0)
    if name == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope ** 2))
    if name == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; expected one of linear, "
                     "sigmoid, tanh, relu, leaky_relu, selu, conv1d/2d/3d")


def _standard_normal(shape, dtype, xp):
    draw_dtype = dtype if dtype in (np.float32, np.float64) else np.float32
    return backend.get_rng(xp).standard_normal(shape, dtype=draw_dtype)


def _uniform01(shape, dtype, xp):
    draw_dtype = dtype if dtype in (np.float32, np.float64) else np.float32
    return backend.get_rng(xp).random(shape, dtype=draw_dtype)


def _scaled_normal(shape, mean, std, dtype, xp):
    dtype = _dtype(dtype)
    z = _standard_normal(_shape(shape), dtype, xp)
    z *= std            # in place: a large table (an embedding) is held once, not three times
    z += mean
    return z.astype(dtype, copy=False)


def _scaled_uniform(shape, low, high, dtype, xp):
    dtype = _dtype(dtype)
    u = _uniform01(_shape(shape), dtype, xp)
    u *= high - low     # in place, as _scaled_normal
    u += low
    return u.astype(dtype, copy=False)


# --- constants ----------------------------------------------------------------------------------

def zeros(shape, dtype=None, xp=np):
    """All zeros (biases).

    Example:
        >>> nt.nn.init.zeros((2, 3)).tolist(), nt.nn.init.zeros((2,)).dtype
        ([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], dtype('float32'))
    """
    return xp.zeros(_shape(shape), dtype=_dtype(dtype))


def ones(shape, dtype=None, xp=np):
    """All ones (normalisation scales).

    Example:
        >>> nt.nn.init.ones((3,)).tolist()
        [1.0, 1.0, 1.0]
    """
    return xp.ones(_shape(shape), dtype=_dtype(dtype))


def constant(shape, value: float = 0.0, dtype=None, xp=np):
    """Every element equal to ``value``.

    Example:
        >>> nt.nn.init.constant((2,), 0.1).tolist()
        [0.10000000149011612, 0.10000000149011612]
    """
    return xp.full(_shape(shape), value, dtype=_dtype(dtype))


# --- plain random -------------------------------------------------------------------------------

def normal(shape, mean: float = 0.0, std: float = 0.01, dtype=None, xp=np):
    """Gaussian N(mean, std²); the default N(0, 0.01²) is the classic small random start.

    Example:
        >>> w = nt.nn.init.normal((200, 200))
        >>> round(float(w.std()), 3)  # the classic N(0, 0.01^2)
        0.01
    """
    if std < 0:
        raise ValueError(f"init.normal: std must be >= 0, got {std}")
    return _scaled_normal(shape, mean, std, dtype, xp)


def uniform(shape, a: float = -0.05, b: float = 0.05, dtype=None, xp=np):
    """Uniform on [a, b) (default ±0.05, as Keras's RandomUniform).

    Example:
        >>> w = nt.nn.init.uniform((1000,), -0.05, 0.05)
        >>> bool(w.min() >= -0.05 and w.max() < 0.05)
        True
    """
    if b < a:
        raise ValueError(f"init.uniform: the upper bound b={b} is below the lower bound a={a}")
    return _scaled_uniform(shape, a, b, dtype, xp)


# --- variance scaling ---------------------------------------------------------------------------

def xavier_uniform(shape, gain: float = 1.0, dtype=None, xp=np):
    """Glorot/Xavier uniform: U(−b, b) with b = gain·√(6/(fan_in+fan_out)), keeping the variance of
    activations and gradients equal across layers.

    Example:
        >>> w = nt.nn.init.xavier_uniform((300, 100))  # b = sqrt(6 / 400)
        >>> bool(np.abs(w).max() <= np.sqrt(6 / 400)), round(float(w.var()) * 200, 1)  # variance 2 / (fan_in + fan_out)
        (True, 1.0)
    """
    fan_in, fan_out = _fans(shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return _scaled_uniform(shape, -bound, bound, dtype, xp)


def xavier_normal(shape, gain: float = 1.0, dtype=None, xp=np):
    """Glorot/Xavier normal: N(0, σ²) with σ = gain·√(2/(fan_in+fan_out)).

    Example:
        >>> w = nt.nn.init.xavier_normal((300, 100))
        >>> round(float(w.std()) ** 2 * 400 / 2, 1)  # variance 2 / (fan_in + fan_out)
        1.0
    """
    fan_in, fan_out = _fans(shape)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return _scaled_normal(shape, 0.0, std, dtype, xp)


def _kaiming_std(fn, shape, a, mode, nonlinearity):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{fn}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(shape)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform(shape, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    dtype=None, xp=np):
    """He/Kaiming uniform (PyTorch's defaults): U(−b, b), b = gain·√(3/fan); gain √2 for ReLU (a = 0).

    Example:
        >>> w = nt.nn.init.kaiming_uniform((256, 512), nonlinearity="relu")
        >>> round(float(w.var()) * 512 / 2, 1)  # variance 2 / fan_in for ReLU
        1.0
    """
    bound = math.sqrt(3.0) * _kaiming_std("kaiming_uniform", shape, a, mode, nonlinearity)
    return _scaled_uniform(shape, -bound, bound, dtype, xp)


def kaiming_normal(shape, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                   dtype=None, xp=np):
    """He/Kaiming normal: N(0, σ²), σ = gain/√fan; σ = √(2/fan_in) for ReLU layers.

    Example:
        >>> w = nt.nn.init.kaiming_normal((256, 512), nonlinearity="relu")
        >>> round(float(w.std()) ** 2 * 512 / 2, 1)
        1.0
    """
    std = _kaiming_std("kaiming_normal", shape, a, mode, nonlinearity)
    return _scaled_normal(shape, 0.0, std, dtype, xp)


def lecun_normal(shape, dtype=None, xp=np):
    """LeCun normal: N(0, 1/fan_in), the start that SELU networks need.

    Example:
        >>> w = nt.nn.init.lecun_normal((256, 400))
        >>> round(float(w.var()) * 400, 1)  # variance 1 / fan_in
        1.0
    """
    fan_in, _ = _fans(shape)
    return _scaled_normal(shape, 0.0, math.sqrt(1.0 / fan_in), dtype, xp)


def lecun_uniform(shape, dtype=None, xp=np):
    """LeCun uniform: U(−b, b), b = √(3/fan_in) (variance 1/fan_in).

    Example:
        >>> w = nt.nn.init.lecun_uniform((256, 400))
        >>> round(float(w.var()) * 400, 1)
        1.0
    """
    fan_in, _ = _fans(shape)
    bound = math.sqrt(3.0 / fan_in)
    return _scaled_uniform(shape, -bound, bound, dtype, xp)


def orthogonal(shape, gain: float = 1.0, dtype=None, xp=np):
    """A (semi-)orthogonal matrix times ``gain`` (Saxe et al.), as PyTorch's ``orthogonal_``.

    The weight is viewed as ``(shape[0], prod(shape[1:]))``; its rows are orthonormal when
    there are fewer rows than columns, its columns otherwise.

    Example:
        >>> q = nt.nn.init.orthogonal((4, 4))
        >>> bool(np.allclose(q @ q.T, np.eye(4), atol=1e-5))
        True
    """
    shape = _shape(shape)
    if len(shape) < 2:
        raise ValueError(f"init.orthogonal: needs a weight with at least 2 dimensions, got shape {shape}")
    dtype = _dtype(dtype)
    rows, cols = shape[0], math.prod(shape[1:])
    flat = _standard_normal((rows, cols), np.dtype(np.float64), xp)
    if rows < cols:
        flat = flat.T
    q, r = xp.linalg.qr(flat)
    q = q * xp.sign(xp.diagonal(r))  # makes the decomposition unique (uniform over orthogonal matrices)
    if rows < cols:
        q = q.T
    return (gain * q).reshape(shape).astype(dtype)


glorot_uniform = xavier_uniform
glorot_normal = xavier_normal
he_uniform = kaiming_uniform
he_normal = kaiming_normal


INITIALIZERS = {
    "zeros": zeros, "zero": zeros, "ones": ones, "one": ones, "constant": constant,
    "normal": normal, "random_normal": normal, "uniform": uniform, "random_uniform": uniform,
    "xavier_uniform": xavier_uniform, "glorot_uniform": xavier_uniform,
    "xavier_normal": xavier_normal, "glorot_normal": xavier_normal,
    "kaiming_uniform": kaiming_uniform, "he_uniform": kaiming_uniform,
    "kaiming_normal": kaiming_normal, "he_normal": kaiming_normal,
    "lecun_normal": lecun_normal, "lecun_uniform": lecun_uniform, "orthogonal": orthogonal,
}


def get(name_or_callable):
    """The initialiser for a name (``"he_normal"``, case-insensitive) or a callable (returned as is).

    A callable must accept ``(shape, dtype=..., xp=...)`` and return an array of ``shape``.

    Raises:
        ValueError: an unknown name (the message lists the known ones).
        TypeError: neither a string nor a callable.

    Example:
        >>> init = nt.nn.init.get("he_normal")
        >>> init((64, 32)).shape, nt.nn.init.get("zeros") is nt.nn.init.zeros
        ((64, 32), True)
    """
    if isinstance(name_or_callable, str):
        key = name_or_callable.lower().replace("-", "_")
        if key not in INITIALIZERS:
            raise ValueError(f"init.get: unknown initializer {name_or_callable!r}; known names: "
                             f"{', '.join(sorted(INITIALIZERS))}")
        return INITIALIZERS[key]
    if callable(name_or_callable):
        return name_or_callable
    raise TypeError(f"init.get: expected an initializer name or a callable, got {type(name_or_callable).__name__}")


# --- PyTorch's in-place initialisers: fill an existing tensor ----------------------------------------
# ``nt.nn.init.xavier_uniform_(layer.weight)`` as ``torch.nn.init``: same names, arguments and defaults
# (note uniform_/normal_ default to U(0, 1) and N(0, 1) as PyTorch's do), the values drawn in the
# tensor's own dtype on its own device from the seeded generator, written into ``tensor.data`` without
# recording a graph; each returns the tensor.

def _fill_(fn: str, tensor, make):
    from ..tensor import Tensor
    if not isinstance(tensor, Tensor):
        raise TypeError(f"init.{fn}: expected a Tensor (e.g. layer.weight), got {type(tensor).__name__}")
    data = tensor.data
    if data.dtype.kind != "f":
        raise TypeError(f"init.{fn}: the tensor must be floating point, got dtype {data.dtype}")
    data[...] = make(data.shape, data.dtype, backend.array_module(data))
    return tensor


def uniform_(tensor, a: float = 0.0, b: float = 1.0):
    """Fill with U(a, b) (PyTorch's defaults a=0, b=1).

    Example:
        >>> w = nt.nn.Parameter(np.zeros((100,), np.float32))
        >>> _ = nt.nn.init.uniform_(w, -1.0, 1.0)
        >>> bool(w.numpy().min() >= -1 and w.numpy().max() < 1)
        True
    """
    return _fill_("uniform_", tensor, lambda s, d, xp: uniform(s, a, b, dtype=d, xp=xp))


def normal_(tensor, mean: float = 0.0, std: float = 1.0):
    """Fill with N(mean, std²) (PyTorch's defaults 0 and 1).

    Example:
        >>> w = nt.nn.Parameter(np.zeros((100, 100), np.float32))
        >>> _ = nt.nn.init.normal_(w, std=2.0)
        >>> round(float(w.numpy().std()), 1)
        2.0
    """
    return _fill_("normal_", tensor, lambda s, d, xp: normal(s, mean, std, dtype=d, xp=xp))


def trunc_normal_(tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0):
    """Fill with N(mean, std²) truncated to [a, b] (the inverse normal CDF of uniform draws on the kept range, as PyTorch).

    Example:
        >>> w = nt.nn.Parameter(np.zeros(10000, np.float32))
        >>> _ = nt.nn.init.trunc_normal_(w, std=1.0, a=-2.0, b=2.0)
        >>> bool(w.numpy().min() >= -2 and w.numpy().max() <= 2)
        True
    """
    if not a < b:
        raise ValueError(f"init.trunc_normal_: need a < b, got a={a}, b={b}")

    def draw(shape, dtype, xp):
        from math import erf, sqrt
        lo, hi = (1 + erf((a - mean) / (std * sqrt(2)))) / 2, (1 + erf((b - mean) / (std * sqrt(2)))) / 2
        u = _uniform01(shape, np.dtype(np.float64), xp) * (hi - lo) + lo
        z = normal_ppf(xp.clip(u, 1e-16, 1 - 1e-16), xp)
        return xp.clip(mean + std * z, a, b).astype(dtype)
    return _fill_("trunc_normal_", tensor, draw)


def constant_(tensor, val: float):
    """Fill with ``val``.

    Example:
        >>> w = nt.nn.Parameter(np.zeros(3, np.float32))
        >>> nt.nn.init.constant_(w, 0.5).tolist()
        [0.5, 0.5, 0.5]
    """
    return _fill_("constant_", tensor, lambda s, d, xp: constant(s, val, dtype=d, xp=xp))


def zeros_(tensor):
    """Fill with zeros.

    Example:
        >>> w = nt.nn.Parameter(np.ones(3, np.float32))
        >>> nt.nn.init.zeros_(w).tolist()
        [0.0, 0.0, 0.0]
    """
    return _fill_("zeros_", tensor, lambda s, d, xp: zeros(s, dtype=d, xp=xp))


def ones_(tensor):
    """Fill with ones.

    Example:
        >>> w = nt.nn.Parameter(np.zeros(2, np.float32))
        >>> nt.nn.init.ones_(w).tolist()
        [1.0, 1.0]
    """
    return _fill_("ones_", tensor, lambda s, d, xp: ones(s, dtype=d, xp=xp))


def eye_(tensor):
    """Fill a 2-D tensor with the identity matrix (ones on the diagonal).

    Example:
        >>> w = nt.nn.Parameter(np.zeros((2, 3), np.float32))
        >>> nt.nn.init.eye_(w).tolist()
        [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """
    if tensor.ndim != 2:
        raise ValueError(f"init.eye_: needs a 2-D tensor, got shape {tuple(tensor.shape)}")
    return _fill_("eye_", tensor, lambda s, d, xp: xp.eye(s[0], s[1], dtype=d))


def xavier_uniform_(tensor, gain: float = 1.0):
    """Fill with Glorot/Xavier uniform U(−b, b), b = gain·√(6/(fan_in+fan_out)).

    Example:
        >>> layer = nt.nn.Linear(100, 300)
        >>> _ = nt.nn.init.xavier_uniform_(layer.weight)
        >>> bool(np.abs(layer.weight.numpy()).max() <= np.sqrt(6 / 400))
        True
    """
    return _fill_("xavier_uniform_", tensor, lambda s, d, xp: xavier_uniform(s, gain, dtype=d, xp=xp))


def xavier_normal_(tensor, gain: float = 1.0):
    """Fill with Glorot/Xavier normal N(0, σ²), σ = gain·√(2/(fan_in+fan_out)).

    Example:
        >>> layer = nt.nn.Linear(100, 300)
        >>> _ = nt.nn.init.xavier_normal_(layer.weight)
        >>> round(float(layer.weight.numpy().var()) * 200, 1)
        1.0
    """
    return _fill_("xavier_normal_", tensor, lambda s, d, xp: xavier_normal(s, gain, dtype=d, xp=xp))


def kaiming_uniform_(tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"):
    """Fill with He/Kaiming uniform (PyTorch's defaults).

    Example:
        >>> layer = nt.nn.Linear(512, 256)
        >>> _ = nt.nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu")
        >>> round(float(layer.weight.numpy().var()) * 512 / 2, 1)
        1.0
    """
    return _fill_("kaiming_uniform_", tensor,
                  lambda s, d, xp: kaiming_uniform(s, a, mode, nonlinearity, dtype=d, xp=xp))


def kaiming_normal_(tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"):
    """Fill with He/Kaiming normal (PyTorch's defaults).

    Example:
        >>> layer = nt.nn.Linear(512, 256)
        >>> _ = nt.nn.init.kaiming_normal_(layer.weight, mode="fan_in", nonlinearity="relu")
        >>> round(float(layer.weight.numpy().var()) * 512 / 2, 1)
        1.0
    """
    return _fill_("kaiming_normal_", tensor,
                  lambda s, d, xp: kaiming_normal(s, a, mode, nonlinearity, dtype=d, xp=xp))


def orthogonal_(tensor, gain: float = 1.0):
    """Fill with a (semi-)orthogonal matrix times ``gain``.

    Example:
        >>> layer = nt.nn.Linear(4, 4)
        >>> w = nt.nn.init.orthogonal_(layer.weight).numpy()
        >>> bool(np.allclose(w.T @ w, np.eye(4), atol=1e-5))
        True
    """
    return _fill_("orthogonal_", tensor, lambda s, d, xp: orthogonal(s, gain, dtype=d, xp=xp))


__all__ += ["uniform_", "normal_", "trunc_normal_", "constant_", "zeros_", "ones_", "eye_", "xavier_uniform_",
            "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_"]
