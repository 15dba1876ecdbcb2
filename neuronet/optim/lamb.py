"""LAMB: Adam directions rescaled per layer by a trust ratio, for very large batches."""
from __future__ import annotations

from ..backend import array_module
from .adam import check_adam_group
from .optimizer import Optimizer

__all__ = ["LAMB"]


class LAMB(Optimizer):
    """LAMB (You et al., ICLR 2020, "Large Batch Optimization for Deep Learning", Algorithm 2).

    Each parameter tensor is one layer; its Adam direction (plus weight decay) is scaled so that
    the step is ``lr`` times the layer's weight norm::

        m ← β1·m + (1 − β1)·g;   v ← β2·v + (1 − β2)·g²
        r = (m / (1 − β1^t)) / (√(v / (1 − β2^t)) + eps)
        u = r + weight_decay·θ
        trust = ‖θ‖ / ‖u‖   (1 when either norm is 0)
        θ ← θ − lr · trust · u

    Args:
        params: parameters or parameter groups.
        lr: learning rate (default 1e-3).
        betas: (β1, β2), each in [0, 1).
        eps: added to the denominator (default 1e-6).
        weight_decay: decoupled weight decay added to the direction ``u``.

    Example:
        >>> w = nt.nn.Parameter(np.array([3.0, 4.0], np.float32))
        >>> opt = nt.optim.LAMB([w], lr=0.1)
        >>> opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> round(float(np.linalg.norm(w.numpy() - [3.0, 4.0])), 3)  # the step's length is lr times the weight norm
        0.5
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-6,
                 weight_decay: float = 0.0):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay))

    def _check_group(self, group):
        check_adam_group("LAMB", group)

    def _update(self, p, grad, state, group):
        xp = array_module(p.data)
        beta1, beta2 = group["betas"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = xp.zeros_like(p.data)
            state["exp_avg_sq"] = xp.zeros_like(p.data)
        state["step"] += 1
        t = state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= beta1
        m += (1.0 - beta1) * grad
        u = xp.multiply(grad, grad, out=xp.empty_like(p.data))
        u *= 1.0 - beta2
        v *= beta2
        v += u
        xp.divide(v, 1.0 - beta2 ** t, out=u)
        xp.sqrt(u, out=u)
        u += group["eps"]
        xp.divide(m, u, out=u)
        u /= 1.0 - beta1 ** t
        if group["weight_decay"]:
            u += group["weight_decay"] * p.data
        w_norm = xp.sqrt(xp.vdot(p.data, p.data))
        u_norm = xp.sqrt(xp.vdot(u, u))
        trust = xp.where((w_norm > 0) & (u_norm > 0), w_norm / xp.where(u_norm > 0, u_norm, 1), 1)
        u *= -group["lr"] * trust.astype(p.data.dtype)
        p.data += u
