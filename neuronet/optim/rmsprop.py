"""RMSProp: divide the gradient by a running root-mean-square of recent gradients."""
from __future__ import annotations

from ..backend import array_module
from ._ops import grad_with_weight_decay, lerp_
from .optimizer import Optimizer, check_hyper

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSProp (Hinton, lecture 6e): an AdaGrad whose accumulator forgets, so steps do not vanish.

    PyTorch's formulation (``v`` the mean square, ``ḡ`` the mean gradient, ``b`` the momentum buffer)::

        g ← g + weight_decay·θ
        v ← α·v + (1 − α)·g²
        ḡ ← ḡ + (1 − α)·(g − ḡ)                     (centered only)
        d = √(v − ḡ²) + eps  (centered)   or   d = √v + eps
        b ← momentum·b + g/d;  θ ← θ − lr·b         (momentum > 0)
        θ ← θ − lr·g/d                               (otherwise)

    The class keeps PyTorch's defaults (``alpha=0.99``) for parity; the name ``"rmsprop"`` in
    :func:`~neuronet.optim.get_optimizer` uses ``alpha=0.9`` (Keras's ``rho`` and the course's β).

    Args:
        params: parameters or parameter groups.
        lr: learning rate (default 0.01).
        alpha: decay rate of the running mean square, in [0, 1).
        eps: added to the denominator.
        weight_decay: L2 penalty coefficient added to the gradient.
        momentum: momentum factor in [0, 1).
        centered: normalise by the estimated variance instead of the raw second moment.

    Example:
        >>> w = nt.nn.Parameter(np.array([3.0], np.float32))
        >>> opt = nt.optim.RMSprop([w], lr=0.01)
        >>> for _ in range(500):
        ...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> abs(w.item()) < 0.05
        True
    """

    def __init__(self, params, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=bool(centered)))

    def _check_group(self, group):
        check_hyper("RMSprop", "lr", group["lr"], low=0)
        check_hyper("RMSprop", "alpha", group["alpha"], low=0, high=1, high_open=True)
        check_hyper("RMSprop", "eps", group["eps"], low=0)
        check_hyper("RMSprop", "weight_decay", group["weight_decay"], low=0)
        check_hyper("RMSprop", "momentum", group["momentum"], low=0, high=1, high_open=True)

    def _update(self, p, grad, state, group):
        xp = array_module(p.data)
        alpha = group["alpha"]
        if not state:
            state["step"] = 0
            state["square_avg"] = xp.zeros_like(p.data)
            if group["momentum"] > 0:
                state["momentum_buffer"] = xp.zeros_like(p.data)
            if group["centered"]:
                state["grad_avg"] = xp.zeros_like(p.data)
        state["step"] += 1
        g = grad_with_weight_decay(grad, p.data, group["weight_decay"])
        v = state["square_avg"]
        tmp = xp.multiply(g, g, out=xp.empty_like(p.data))
        tmp *= 1.0 - alpha
        v *= alpha
        v += tmp
        if group["centered"]:
            mean = lerp_(state["grad_avg"], g, 1.0 - alpha, tmp)
            xp.multiply(mean, mean, out=tmp)
            xp.subtract(v, tmp, out=tmp)
            xp.sqrt(tmp, out=tmp)
        else:
            xp.sqrt(v, out=tmp)
        tmp += group["eps"]
        xp.divide(g, tmp, out=tmp)
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf *= group["momentum"]
            buf += tmp
            xp.multiply(buf, group["lr"], out=tmp)
        else:
            tmp *= group["lr"]
        p.data -= tmp
