"""Penalties on what a layer outputs (Keras's ``activity_regularizer=``): L1/L2 and the sparse
auto-encoder's KL toward a target activation ρ, plus the ``ActivityRegularization`` layer.

A layer with an activity regularizer keeps the penalty of its last training-mode output in
``layer.activity_loss`` (a tensor in the graph); ``Model.fit`` adds every such penalty to the loss,
as Keras adds ``layer.losses``.  As in Keras 3, a plain regularizer's value (``reg(output)``, e.g.
``nt.optim.L1(1e-3)``) is divided by the batch size; the classes here already give per-batch values.
"""
from __future__ import annotations

from ...functional.generative import sparsity_kl
from ...tensor import Tensor
from .base import _Layer

__all__ = ["ActivityL1L2", "SparsityKL", "ActivityRegularization", "get_activity_regularizer",
           "record_activity"]


class ActivityL1L2:
    """``(l1·Σ|h| + l2·Σh²) / N`` over a batch of N outputs — Keras's activity L1/L2 (divided by the batch).

    Example:
        >>> reg = nt.nn.ActivityL1L2(l1=0.1)
        >>> reg(nt.tensor([[1.0, -2.0], [0.0, 3.0]])).item()  # 0.1 * 6 / 2 samples
        0.3...
    """

    batch_averaged = True

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        for name, v in (("l1", l1), ("l2", l2)):
            if not float(v) >= 0.0:
                raise ValueError(f"ActivityL1L2: {name} must be >= 0, got {v}")
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, h):
        n = max(h.shape[0], 1) if h.ndim else 1
        total = None
        if self.l1:
            total = h.abs().sum() * (self.l1 / n)
        if self.l2:
            term = (h * h).sum() * (self.l2 / n)
            total = term if total is None else total + term
        return total if total is not None else (h * 0.0).sum()

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}

    def __repr__(self):
        return f"ActivityL1L2(l1={self.l1}, l2={self.l2})"


class SparsityKL:
    """``β·Σ_j KL(ρ ‖ ρ̂_j)`` with ρ̂_j unit j's activation averaged over the batch (the course's sparse
    auto-encoder; use it on a sigmoid layer).  Example: ``Dense(64, "sigmoid", activity_regularizer=SparsityKL(0.05, 3))``.

    Example:
        >>> penalty = nt.nn.SparsityKL(rho=0.05)
        >>> abs(penalty(nt.full((8, 4), 0.05)).item()) < 1e-6, penalty(nt.full((8, 4), 0.5)).item() > 0
        (True, True)
    """

    batch_averaged = True

    def __init__(self, rho: float = 0.05, beta: float = 1.0):
        if not 0.0 < float(rho) < 1.0:
            raise ValueError(f"SparsityKL: rho must lie in (0, 1), got {rho}")
        if not float(beta) >= 0.0:
            raise ValueError(f"SparsityKL: beta must be >= 0, got {beta}")
        self.rho, self.beta = float(rho), float(beta)

    def __call__(self, h):
        return sparsity_kl(h, self.rho) * self.beta

    def get_config(self):
        return {"rho": self.rho, "beta": self.beta}

    def __repr__(self):
        return f"SparsityKL(rho={self.rho}, beta={self.beta})"


_NAMES = {"l1": lambda: ActivityL1L2(l1=0.01), "l2": lambda: ActivityL1L2(l2=0.01),
          "l1_l2": lambda: ActivityL1L2(0.01, 0.01), "l1l2": lambda: ActivityL1L2(0.01, 0.01),
          "kl": SparsityKL, "sparsity_kl": SparsityKL}


def get_activity_regularizer(spec):
    """An activity regularizer from a name (``"l1"``, ``"l2"``, ``"l1_l2"`` with Keras's 0.01, ``"kl"``:
    ρ = 0.05, β = 1), an object, or any callable ``output -> scalar tensor``; None gives None.

    Example:
        >>> reg = nt.nn.get_activity_regularizer("l1")
        >>> type(reg).__name__, nt.nn.get_activity_regularizer(None)
        ('ActivityL1L2', None)
    """
    if spec is None or callable(spec):
        return spec
    if isinstance(spec, str) and spec.strip().lower() in _NAMES:
        return _NAMES[spec.strip().lower()]()
    raise ValueError(f"activity_regularizer: expected one of {', '.join(map(repr, _NAMES))}, an object or a "
                     f"callable, got {spec!r}")


def record_activity(layer, out):
    """Store ``layer``'s activity penalty of ``out`` in ``layer.activity_loss`` (None outside training).

    Example:
        >>> layer = nt.nn.Dense(2, activity_regularizer=nt.nn.ActivityL1L2(l1=1.0))
        >>> out = layer(nt.ones(1, 3))
        >>> nt.nn.record_activity(layer, nt.tensor([[1.0, -1.0]]))
        >>> layer.activity_loss.item()
        2.0
    """
    reg = layer.activity_regularizer
    if not layer.training or reg is None:
        object.__setattr__(layer, "activity_loss", None)
        return
    value = reg(out)
    if not getattr(reg, "batch_averaged", False) and out.ndim:
        value = value * (1.0 / max(out.shape[0], 1))
    object.__setattr__(layer, "activity_loss", value)


class ActivityRegularization(_Layer):
    """The identity, adding ``l1·Σ|x| + l2·Σx²`` (÷ batch) to the training loss — Keras's layer of
    the same name; ``regularizer=`` takes any activity regularizer instead (e.g. :class:`SparsityKL`).

    Example:
        >>> layer = nt.nn.ActivityRegularization(l2=0.5)
        >>> y = layer(nt.tensor([[1.0, 2.0]]))
        >>> y.numpy(), layer.activity_loss.item()  # the identity; penalty 0.5 * (1 + 4) / 1
        (array([[1., 2.]], dtype=float32), 2.5)
    """

    float_inputs = 1  # integer data is cast to the float dtype (layers/base.py)

    def __init__(self, l1: float = 0.0, l2: float = 0.0, regularizer=None):
        super().__init__()
        self.l1, self.l2 = float(l1), float(l2)
        self.activity_regularizer = (get_activity_regularizer(regularizer) if regularizer is not None
                                     else ActivityL1L2(l1, l2))

    def forward(self, x):
        return x if isinstance(x, Tensor) else Tensor(x)  # an array in: the penalty needs a tensor

    def extra_repr(self) -> str:
        return f"{self.activity_regularizer!r}"
