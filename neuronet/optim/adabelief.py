"""AdaBelief: Adam that scales steps by how far the gradient strays from its running mean."""
from __future__ import annotations

from ..backend import array_module
from .adam import check_adam_group
from .optimizer import Optimizer

__all__ = ["AdaBelief"]


class AdaBelief(Optimizer):
    """AdaBelief (Zhuang et al., NeurIPS 2020, Algorithm 2): large steps where the gradient is predictable.

    The second moment tracks the "belief" ``(g − m)²`` instead of ``g²``::

        θ ← θ·(1 − lr·weight_decay)                  (decoupled weight decay, as in AdamW)
        m ← β1·m + (1 − β1)·g
        s ← β2·s + (1 − β2)·(g − m)² + eps
        θ ← θ − lr · (m / (1 − β1^t)) / (√(s / (1 − β2^t)) + eps)

    Args:
        params: parameters or parameter groups.
        lr: learning rate (default 1e-3).
        betas: (β1, β2), each in [0, 1).
        eps: added inside ``s`` and to the denominator (default 1e-16, the authors' package).
        weight_decay: decoupled weight decay rate.

    Example:
        >>> w = nt.nn.Parameter(np.array([3.0], np.float32))
        >>> opt = nt.optim.AdaBelief([w], lr=0.1)
        >>> for _ in range(300):
        ...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> abs(w.item()) < 0.1
        True
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-16,
                 weight_decay: float = 0.0):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay))

    def _check_group(self, group):
        check_adam_group("AdaBelief", group)

    def _update(self, p, grad, state, group):
        xp = array_module(p.data)
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = xp.zeros_like(p.data)
            state["exp_avg_var"] = xp.zeros_like(p.data)
        state["step"] += 1
        t = state["step"]
        if group["weight_decay"]:
            p.data *= 1.0 - lr * group["weight_decay"]
        m, s = state["exp_avg"], state["exp_avg_var"]
        m *= beta1
        m += (1.0 - beta1) * grad
        tmp = xp.subtract(grad, m, out=xp.empty_like(p.data))
        tmp *= tmp
        tmp *= 1.0 - beta2
        s *= beta2
        s += tmp
        s += eps
        xp.divide(s, 1.0 - beta2 ** t, out=tmp)
        xp.sqrt(tmp, out=tmp)
        tmp += eps
        xp.divide(m, tmp, out=tmp)
        tmp *= lr / (1.0 - beta1 ** t)
        p.data -= tmp
