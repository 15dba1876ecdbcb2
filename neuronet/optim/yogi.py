"""Yogi: Adam whose second moment changes additively, so it cannot blow up the step size."""
from __future__ import annotations

from ..backend import array_module
from ._ops import grad_with_weight_decay
from .adam import check_adam_group
from .optimizer import Optimizer, check_hyper

__all__ = ["Yogi"]


class Yogi(Optimizer):
    """Yogi (Zaheer, Reddi, Sachan, Kale & Kumar, NeurIPS 2018, Algorithm 2), with Adam's bias correction.

    Adam's ``v ← v + (1 − β2)(g² − v)`` can shrink ``v`` quickly and make steps jump; Yogi moves
    ``v`` by a fixed amount in the direction of ``g²``::

        g ← g + weight_decay·θ
        m ← β1·m + (1 − β1)·g
        v ← v − (1 − β2)·sign(v − g²)·g²        (v starts at initial_accumulator)
        θ ← θ − lr · (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + eps)

    The bias correction and ``initial_accumulator`` follow the TensorFlow-Addons and
    torch-optimizer implementations; the paper's defaults ``lr=0.01``, ``eps=1e-3`` are kept.

    Args:
        params: parameters or parameter groups.
        lr: learning rate (default 0.01).
        betas: (β1, β2), each in [0, 1).
        eps: added to the denominator (default 1e-3, the paper's).
        initial_accumulator: starting value of ``v`` (≥ 0).
        weight_decay: L2 penalty coefficient added to the gradient.

    Example:
        >>> w = nt.nn.Parameter(np.array([3.0], np.float32))
        >>> opt = nt.optim.Yogi([w], lr=0.1)
        >>> for _ in range(300):
        ...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> abs(w.item()) < 0.1
        True
    """

    def __init__(self, params, lr: float = 1e-2, betas=(0.9, 0.999), eps: float = 1e-3,
                 initial_accumulator: float = 1e-6, weight_decay: float = 0.0):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      initial_accumulator=initial_accumulator, weight_decay=weight_decay))

    def _check_group(self, group):
        check_adam_group("Yogi", group)
        check_hyper("Yogi", "initial_accumulator", group["initial_accumulator"], low=0)

    def _update(self, p, grad, state, group):
        xp = array_module(p.data)
        beta1, beta2 = group["betas"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = xp.zeros_like(p.data)
            state["exp_avg_sq"] = xp.full_like(p.data, group["initial_accumulator"])
        state["step"] += 1
        t = state["step"]
        g = grad_with_weight_decay(grad, p.data, group["weight_decay"])
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= beta1
        m += (1.0 - beta1) * g
        g2 = xp.multiply(g, g, out=xp.empty_like(p.data))
        tmp = xp.subtract(v, g2, out=xp.empty_like(p.data))
        xp.sign(tmp, out=tmp)
        tmp *= g2
        tmp *= 1.0 - beta2
        v -= tmp
        xp.divide(v, 1.0 - beta2 ** t, out=tmp)
        xp.sqrt(tmp, out=tmp)
        tmp += group["eps"]
        xp.divide(m, tmp, out=tmp)
        tmp *= group["lr"] / (1.0 - beta1 ** t)
        p.data -= tmp
