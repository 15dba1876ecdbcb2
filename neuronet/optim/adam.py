"""Adam and AdamW: bias-corrected running means of the gradient and of its square."""
from __future__ import annotations

import math

from ..backend import array_module, np
from ..kernels.compiled import kernel_arrays
from ._ops import grad_with_weight_decay, lerp_
from .optimizer import Optimizer, check_hyper

__all__ = ["Adam", "AdamW"]


def compiled_update_applies(*arrays) -> bool:
    """Whether the compiled update (``kernels/adam.py``) runs: kernels on and every array a
    C-contiguous NumPy float32 array."""
    return kernel_arrays(*arrays) and all(a.flags.c_contiguous for a in arrays)


def check_betas(owner: str, group: dict) -> None:
    """betas must be a pair of numbers in [0, 1)."""
    betas = group["betas"]
    if not isinstance(betas, tuple) or len(betas) != 2:
        raise ValueError(f"{owner}: betas must be a pair (beta1, beta2), got {betas!r}")
    check_hyper(owner, "beta1", betas[0], low=0, high=1, high_open=True)
    check_hyper(owner, "beta2", betas[1], low=0, high=1, high_open=True)


def check_adam_group(owner: str, group: dict) -> None:
    """The hyper-parameters every Adam-family optimizer has: lr, betas, eps, weight_decay."""
    check_hyper(owner, "lr", group["lr"], low=0)
    check_betas(owner, group)
    check_hyper(owner, "eps", group["eps"], low=0)
    check_hyper(owner, "weight_decay", group["weight_decay"], low=0)


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015): momentum on the gradient, RMSProp on its scale, both bias-corrected.

    PyTorch's formulation, ``t`` the step count from 1::

        g ← g + weight_decay·θ                 (Adam: L2 penalty in the gradient)
        θ ← θ·(1 − lr·weight_decay)            (AdamW: decoupled decay, instead of the line above)
        m ← m + (1 − β1)·(g − m)
        v ← β2·v + (1 − β2)·g²
        v̂max ← max(v̂max, v)                   (amsgrad: the denominator below uses v̂max)
        θ ← θ − lr/(1 − β1^t) · m / (√v / √(1 − β2^t) + eps)

    Args:
        params: parameters or parameter groups.
        lr: learning rate (default 1e-3).
        betas: decay rates (β1, β2) of the two running means, each in [0, 1).
        eps: added to the denominator.
        weight_decay: L2 penalty coefficient (Adam) / decoupled decay rate (AdamW).
        amsgrad: use the running maximum of ``v`` (Reddi et al. 2018).

    Example:
        >>> w = nt.nn.Parameter(np.array([3.0], np.float32))
        >>> opt = nt.optim.Adam([w], lr=0.1)
        >>> opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w.numpy()  # Adam's first step is lr * sign(grad)
        array([2.9], dtype=float32)
    """

    decoupled = False

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=bool(amsgrad)))

    def _check_group(self, group):
        check_adam_group(type(self).__name__, group)

    def _update(self, p, grad, state, group):
        xp = array_module(p.data)
        lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = xp.zeros_like(p.data)
            state["exp_avg_sq"] = xp.zeros_like(p.data)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = xp.zeros_like(p.data)
        state["step"] += 1
        t = state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        if compiled_update_applies(p.data, grad, m, v):
            from ..kernels.adam import adam_step  # one compiled pass, same formulas (imports numba)
            if self.decoupled and wd:
                p.data *= 1.0 - lr * wd
            f32 = np.float32
            adam_step(p.data, grad, m, v, state.get("max_exp_avg_sq", v), bool(group["amsgrad"]), f32(1.0 - beta1),
                      f32(beta2), f32(1.0 - beta2), f32(0.0 if self.decoupled else wd), f32(lr / (1.0 - beta1 ** t)),
                      f32(math.sqrt(1.0 - beta2 ** t)), f32(group["eps"]))
            return
        if self.decoupled:
            if wd:
                p.data *= 1.0 - lr * wd
            g = grad
        else:
            g = grad_with_weight_decay(grad, p.data, wd)
        tmp = xp.empty_like(p.data)
        lerp_(m, g, 1.0 - beta1, tmp)
        xp.multiply(g, g, out=tmp)
        tmp *= 1.0 - beta2
        v *= beta2
        v += tmp
        if group["amsgrad"]:
            v = xp.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        step_size = lr / (1.0 - beta1 ** t)
        xp.sqrt(v, out=tmp)
        tmp /= math.sqrt(1.0 - beta2 ** t)
        tmp += group["eps"]
        xp.divide(m, tmp, out=tmp)
        tmp *= step_size
        p.data -= tmp


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019): ``θ ← θ·(1 − lr·wd)`` before the Adam step.

    Same arguments and update as :class:`Adam` except that ``weight_decay`` (default 0.01)
    shrinks the weights directly instead of entering the gradient.

    Example:
        >>> w = nt.nn.Parameter(np.array([1.0], np.float32))
        >>> opt = nt.optim.AdamW([w], lr=0.1, weight_decay=0.5)
        >>> opt.zero_grad(); (0 * w).sum().backward(); opt.step()  # zero gradient: only the decay acts
        >>> w.numpy()  # w * (1 - lr * weight_decay)
        array([0.95], dtype=float32)
    """

    decoupled = True

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
