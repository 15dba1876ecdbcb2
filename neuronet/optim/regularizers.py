"""Weight penalties L1, L2 and L1+L2 (Keras semantics): callables returning a differentiable scalar."""
from __future__ import annotations

from ..autograd import Function
from ..backend import array_module
from ..tensor import Tensor

__all__ = ["Regularizer", "L1", "L2", "L1L2", "get_regularizer"]


class WeightPenalty(Function):
    """``l1·Σ|w| + l2·Σw²`` in one pass over the weights."""

    def __init__(self, l1: float, l2: float):
        self.l1, self.l2 = l1, l2

    def forward(self, w):
        xp = array_module(w)
        self.w = w
        out = xp.zeros((), dtype=w.dtype)
        if self.l1:
            out += self.l1 * xp.abs(w).sum()
        if self.l2:
            out += self.l2 * xp.vdot(w, w)
        return out

    def backward(self, gy):
        # d/dw (l1·Σ|w| + l2·Σw²) = l1·sign(w) + 2·l2·w
        xp = array_module(gy)
        g = xp.zeros_like(self.w)
        if self.l1:
            g += self.l1 * xp.sign(self.w)
        if self.l2:
            g += (2 * self.l2) * self.w
        g *= gy
        return g


class Regularizer:
    """Base class: ``reg(weight)`` is a scalar Tensor to add to the loss; ``get_config()`` describes it.

    Example:
        >>> reg = nt.optim.Regularizer(l1=0.1, l2=0.01)
        >>> round(reg(nt.tensor([1.0, -2.0])).item(), 4)  # 0.1 * 3 + 0.01 * 5
        0.35
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        for name, value in (("l1", l1), ("l2", l2)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise ValueError(f"{type(self).__name__}: {name} must be a number >= 0, got {value!r}")
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, weight):
        if not isinstance(weight, Tensor):
            weight = Tensor(weight)
        if weight.dtype.kind != "f":
            raise TypeError(f"{type(self).__name__}: expected a floating-point weight, got dtype {weight.dtype}")
        return WeightPenalty.apply(weight, l1=self.l1, l2=self.l2)

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}

    @classmethod
    def from_config(cls, config: dict) -> "Regularizer":
        return cls(**config)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v}' for k, v in self.get_config().items())})"


class L1(Regularizer):
    """``l1·Σ|w|``: pushes weights to exactly zero (sparsity). Gradient ``l1·sign(w)``.

    Example:
        >>> w = nt.tensor([1.0, -2.0], requires_grad=True)
        >>> penalty = nt.optim.L1(0.1)(w)
        >>> penalty.backward()
        >>> round(penalty.item(), 4), w.grad  # 0.1 * sum|w|, gradient 0.1 * sign(w)
        (0.3, array([ 0.1, -0.1], dtype=float32))
    """

    def __init__(self, l1: float = 0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2·Σw²`` (no 1/2, as in Keras): weight decay. Gradient ``2·l2·w``.

    Example:
        >>> w = nt.tensor([1.0, -2.0], requires_grad=True)
        >>> penalty = nt.optim.L2(0.1)(w)
        >>> penalty.backward()
        >>> round(penalty.item(), 4), w.grad  # 0.1 * sum w^2, gradient 0.2 w
        (0.5, array([ 0.2, -0.4], dtype=float32))
    """

    def __init__(self, l2: float = 0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


class L1L2(Regularizer):
    """``l1·Σ|w| + l2·Σw²`` (elastic net).

    Example:
        >>> round(nt.optim.L1L2(l1=0.1, l2=0.1)(nt.tensor([1.0, -2.0])).item(), 4)
        0.8
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        super().__init__(l1=l1, l2=l2)


_NAMES = {"l1": lambda: L1(), "l2": lambda: L2(), "l1_l2": lambda: L1L2(0.01, 0.01),
          "l1l2": lambda: L1L2(0.01, 0.01)}
_CLASSES = {"L1": L1, "L2": L2, "L1L2": L1L2}


def get_regularizer(name_or_obj):
    """A regularizer from a name, a config dict, or an object (returned as is).

    Names (Keras's, with its default factor 0.01): ``"l1"``, ``"l2"``, ``"l1_l2"``/``"l1l2"``
    (both 0.01).  A dict ``{"class_name": "L2", "config": {"l2": 1e-4}}`` rebuilds a saved one.
    Any other callable (``weight -> scalar Tensor``) is returned unchanged; None gives None.

    Example:
        >>> reg = nt.optim.get_regularizer("l2")
        >>> type(reg).__name__, reg.l2
        ('L2', 0.01)
    """
    if name_or_obj is None or isinstance(name_or_obj, Regularizer):
        return name_or_obj
    if isinstance(name_or_obj, str):
        key = name_or_obj.strip().lower()
        if key not in _NAMES:
            raise ValueError(f"get_regularizer: unknown regularizer {name_or_obj!r}; known names: "
                             f"{', '.join(_NAMES)}")
        return _NAMES[key]()
    if isinstance(name_or_obj, dict):
        cls = _CLASSES.get(name_or_obj.get("class_name"))
        if cls is None:
            raise ValueError(f"get_regularizer: unknown class_name {name_or_obj.get('class_name')!r}; "
                             f"expected one of {', '.join(_CLASSES)}")
        return cls.from_config(name_or_obj.get("config", {}))
    if callable(name_or_obj):
        return name_or_obj
    raise TypeError(f"get_regularizer: expected a name, a config dict or a callable, got {type(name_or_obj).__name__}")
