"""AdaGrad: a per-coordinate learning rate that shrinks with the sum of squared past gradients."""
from __future__ import annotations

from ..backend import array_module
from ._ops import grad_with_weight_decay
from .optimizer import Optimizer, check_hyper

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """AdaGrad (Duchi, Hazan & Singer 2011): coordinates with large past gradients take smaller steps.

    PyTorch's formulation, with ``t`` the step count (from 1) and ``G`` the accumulator::

        g ← g + weight_decay·θ
        η_t = lr / (1 + (t − 1)·lr_decay)
        G ← G + g²                       (G starts at initial_accumulator_value)
        θ ← θ − η_t · g / (√G + eps)

    Args:
        params: parameters or parameter groups.
        lr: learning rate (default 0.01).
        lr_decay: decay of the learning rate with the step count.
        weight_decay: L2 penalty coefficient added to the gradient.
        initial_accumulator_value: starting value of ``G``.
        eps: added to the denominator for numerical stability.

    Example:
        >>> w = nt.nn.Parameter(np.array([3.0], np.float32))
        >>> opt = nt.optim.Adagrad([w], lr=0.5)
        >>> opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w.numpy()  # the first step has size lr whatever the gradient's scale
        array([2.5], dtype=float32)
    """

    def __init__(self, params, lr: float = 0.01, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10):
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps))

    def _check_group(self, group):
        for name in ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            check_hyper("Adagrad", name, group[name], low=0)

    def _update(self, p, grad, state, group):
        xp = array_module(p.data)
        if not state:
            state["step"] = 0
            state["sum"] = xp.full_like(p.data, group["initial_accumulator_value"])
        state["step"] += 1
        g = grad_with_weight_decay(grad, p.data, group["weight_decay"])
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        acc = state["sum"]
        tmp = xp.multiply(g, g, out=xp.empty_like(p.data))
        acc += tmp
        xp.sqrt(acc, out=tmp)
        tmp += group["eps"]
        xp.divide(g, tmp, out=tmp)
        tmp *= clr
        p.data -= tmp
