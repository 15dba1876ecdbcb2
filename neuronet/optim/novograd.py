"""NovoGrad: layer-wise second moments with per-layer normalised gradients and momentum."""
from __future__ import annotations

from ..backend import array_module
from .adam import check_adam_group
from .optimizer import Optimizer

__all__ = ["NovoGrad"]


class NovoGrad(Optimizer):
    """NovoGrad (Ginsburg et al. 2019, "Stochastic Gradient Methods with Layer-wise Adaptive Moments", Alg. 1).

    Each parameter tensor is one layer ``l``; its second moment is one number, the running mean
    of the squared gradient norm, and the momentum acts on the normalised gradient::

        v ← ‖g‖²                                       (first step)
        v ← β2·v + (1 − β2)·‖g‖²                       (afterwards)
        d = g / (√v + eps) + weight_decay·θ
        m ← d   (first step)      m ← β1·m + c·d   (afterwards; c = 1 − β1 if grad_averaging else 1)
        θ ← θ − lr·m

    Args:
        params: parameters or parameter groups.
        lr: learning rate (default 0.01).
        betas: (β1, β2), each in [0, 1); the paper uses (0.95, 0.98).
        eps: added to the denominator.
        weight_decay: decoupled weight decay added to the normalised gradient.
        grad_averaging: scale ``d`` by (1 − β1) in the momentum (NVIDIA's option), off in the paper.

    Example:
        >>> w = nt.nn.Parameter(np.array([3.0], np.float32))
        >>> opt = nt.optim.NovoGrad([w], lr=0.1)
        >>> for _ in range(300):
        ...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> abs(w.item()) < 0.1
        True
    """

    def __init__(self, params, lr: float = 0.01, betas=(0.95, 0.98), eps: float = 1e-8,
                 weight_decay: float = 0.0, grad_averaging: bool = False):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      grad_averaging=bool(grad_averaging)))

    def _check_group(self, group):
        check_adam_group("NovoGrad", group)

    def _update(self, p, grad, state, group):
        xp = array_module(p.data)
        beta1, beta2 = group["betas"]
        norm_sq = xp.asarray(xp.vdot(grad, grad), dtype=p.data.dtype)  # a 0-d array on the data's device
        first = not state
        if first:
            state["step"] = 0
            state["exp_avg_sq"] = norm_sq
        else:
            v = state["exp_avg_sq"]
            v *= beta2
            v += norm_sq * (1.0 - beta2)
        state["step"] += 1
        d = grad / (xp.sqrt(state["exp_avg_sq"]) + group["eps"])
        if group["weight_decay"]:
            d += group["weight_decay"] * p.data
        if first:
            state["exp_avg"] = d
        else:
            m = state["exp_avg"]
            m *= beta1
            if group["grad_averaging"]:
                d *= 1.0 - beta1
            m += d
        p.data -= group["lr"] * state["exp_avg"]
