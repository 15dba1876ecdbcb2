"""Small in-place array helpers the optimizers share (each writes into an existing array)."""
from __future__ import annotations

from ..backend import array_module


def lerp_(a, b, weight: float, tmp):
    """``a ← a + weight·(b − a)`` in place, computed like ``torch.lerp`` (``tmp`` is scratch space)."""
    xp = array_module(a)
    if weight < 0.5:
        xp.subtract(b, a, out=tmp)
        tmp *= weight
        a += tmp
    else:
        xp.subtract(b, a, out=tmp)
        tmp *= weight - 1.0
        xp.add(b, tmp, out=a)
    return a


def grad_with_weight_decay(grad, data, weight_decay: float):
    """``grad + weight_decay·data`` (the L2 / coupled weight decay), a new array; ``grad`` unchanged."""
    if not weight_decay:
        return grad
    out = data * weight_decay
    out += grad
    return out
