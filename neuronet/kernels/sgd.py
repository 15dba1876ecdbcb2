"""One compiled pass of the SGD update (optional numba kernel, see ``compiled.py``; importing this
module imports numba).

The NumPy update in ``optim/sgd.py`` is the reference: for plain SGD a scaled copy of the
gradient and a subtraction (two passes and a temporary array per parameter), with momentum a
few more.  This kernel reads θ, g (and the momentum buffer) once and writes θ (and the buffer)
once, with the same float32 operations in the same order and no fused multiply-add, so its
results equal NumPy's bit for bit.
"""
from __future__ import annotations

from ..backend import np
from .compiled import compile_kernel

__all__ = ["sgd_step"]


@compile_kernel(contract=False)
def sgd_step(p, g, buf, lr, momentum, dampening_weight, weight_decay, nesterov, first):
    """θ ← θ − lr·d with g' = g + weight_decay·θ and, when ``momentum`` ≠ 0, b ← g' on the
    ``first`` step, else b ← momentum·b + dampening_weight·g' (``dampening_weight`` = 1 − dampening),
    d = g' + momentum·b (``nesterov``) or b; d = g' without momentum.  Every scalar is float32, as
    the NumPy path's Python floats become against float32 arrays; ``buf`` is ignored without momentum."""
    pf, gf, bf = p.reshape(-1), g.reshape(-1), buf.reshape(-1)
    zero, one = np.float32(0.0), np.float32(1.0)
    use_momentum = momentum != zero
    decay = weight_decay != zero
    damp = dampening_weight != one
    for k in range(pf.size):
        d = gf[k]
        if decay:
            d = weight_decay * pf[k] + d
        if use_momentum:
            if first:
                b = d
            else:
                b = bf[k] * momentum
                b = b + (dampening_weight * d if damp else d)
            bf[k] = b
            d = d + momentum * b if nesterov else b
        pf[k] = pf[k] - lr * d
