"""Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight decay."""
from __future__ import annotations

from ..backend import array_module, np
from ..kernels.compiled import kernel_arrays, kernel_module
from ._ops import grad_with_weight_decay
from .optimizer import Optimizer, check_hyper

__all__ = ["SGD"]

# parameters of this many values or more take the one-pass compiled update (kernels/sgd.py); for
# smaller ones the call costs what it saves (measured plain SGD, 2 cores: 1.8 µs both ways at 4,096
# values, 2.1 against 2.5 µs at 8,192, 20 against 39 µs at 200k)
_KERNEL_MIN = 1 << 13


def _compiled_update_applies(*arrays) -> bool:
    """Whether ``kernels/sgd.py`` runs: kernels on, large enough, C-contiguous NumPy float32 arrays."""
    return (arrays[0].size >= _KERNEL_MIN and kernel_arrays(*arrays)
            and all(a.flags.c_contiguous and a.shape == arrays[0].shape for a in arrays))


class SGD(Optimizer):
    """Gradient descent on whatever batch the gradient came from: full batch, mini-batch or one sample.

    The update is exactly PyTorch's formulation (``g`` is the gradient, ``b`` the momentum buffer)::

        g ← g + weight_decay·θ
        b ← g                               on the first step
        b ← momentum·b + (1 − dampening)·g  afterwards
        g ← g + momentum·b  (nesterov)   or   g ← b  (classical momentum)
        θ ← θ − lr·g

    With ``momentum=0`` this is plain gradient descent ``θ ← θ − lr·∇L``.

    Args:
        params: parameters or parameter groups.
        lr: learning rate (default 0.01, Keras's; PyTorch's is 1e-3).
        momentum: momentum factor μ in [0, 1).
        dampening: dampening of the gradient added to the buffer.
        weight_decay: L2 penalty coefficient added to the gradient.
        nesterov: Nesterov momentum (needs momentum > 0 and dampening = 0).

    Example:
        >>> w = nt.nn.Parameter(np.array([1.0, -2.0], np.float32))
        >>> opt = nt.optim.SGD([w], lr=0.1, momentum=0.9)
        >>> opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> w.numpy()  # first step: w - lr * 2w
        array([ 0.8, -1.6], dtype=float32)
    """

    def __init__(self, params, lr: float = 0.01, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=bool(nesterov)))

    def _check_group(self, group):
        check_hyper("SGD", "lr", group["lr"], low=0)
        check_hyper("SGD", "momentum", group["momentum"], low=0, high=1, high_open=True)
        check_hyper("SGD", "dampening", group["dampening"], low=0, high=1)
        check_hyper("SGD", "weight_decay", group["weight_decay"], low=0)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(f"SGD: nesterov=True needs momentum > 0 and dampening = 0, got "
                             f"momentum={group['momentum']}, dampening={group['dampening']}")

    def _update(self, p, grad, state, group):
        lr, mu = group["lr"], group["momentum"]
        buf = state.get("momentum_buffer")
        if _compiled_update_applies(p.data, grad, *([] if buf is None else [buf])):
            first = bool(mu) and buf is None
            if first:
                buf = state["momentum_buffer"] = np.empty_like(p.data)
            f32 = np.float32
            sgd_step = kernel_module("sgd").sgd_step  # one pass, the same float32 arithmetic (imports numba)
            sgd_step(p.data, grad, p.data if buf is None else buf, f32(lr), f32(mu), f32(1.0 - group["dampening"]),
                     f32(group["weight_decay"]), bool(group["nesterov"]), first)
            return
        g = grad_with_weight_decay(grad, p.data, group["weight_decay"])
        if mu:
            if buf is None:
                buf = state["momentum_buffer"] = array_module(p.data).array(g, copy=True)
            else:
                buf *= mu
                buf += (1.0 - group["dampening"]) * g if group["dampening"] else g
            if group["nesterov"]:
                g = g + mu * buf
            else:
                g = buf
        p.data -= lr * g
