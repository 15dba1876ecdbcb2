"""One compiled pass of the Adam update (optional numba kernel, see ``compiled.py``; importing
this module imports numba).

The NumPy update in ``optim/adam.py`` is the reference: seven whole-array passes per parameter
(lerp, square, two scalings, sqrt, divide, subtract) with a scratch array.  This kernel reads
θ, g, m and v once and writes θ, m and v once, with the same formulas in the same order of
operations; it runs for C-contiguous float32 NumPy arrays when the kernels are on.  Measured on
the LSTM benchmark's 420k parameters: 0.55 ms for the NumPy update against ≈0.15 ms.
"""
from __future__ import annotations

from ..backend import np
from .compiled import compile_kernel

__all__ = ["adam_step"]


@compile_kernel
def adam_step(p, g, m, v, vmax, amsgrad, w1, beta2, w2, weight_decay, step_size, bias2_sqrt, eps):
    """θ ← θ − step_size·m/(√v/bias2_sqrt + eps) with m ← lerp(m, g', w1), v ← β2·v + w2·g'²,
    g' = g + weight_decay·θ (coupled L2; 0 for AdamW, whose decay the caller applies first),
    v replaced by max(vmax, v) (kept in vmax) with amsgrad.  Every scalar is float32, so the
    arithmetic stays float32 as in the NumPy path."""
    pf, gf, mf, vf, xf = p.reshape(-1), g.reshape(-1), m.reshape(-1), v.reshape(-1), vmax.reshape(-1)
    one = np.float32(1.0)
    small_weight = w1 < np.float32(0.5)
    for k in range(pf.size):
        grad = gf[k] + weight_decay * pf[k]
        diff = grad - mf[k]
        mk = mf[k] + w1 * diff if small_weight else grad + (w1 - one) * diff  # torch.lerp's two forms
        vk = vf[k] * beta2 + grad * grad * w2
        mf[k] = mk
        vf[k] = vk
        if amsgrad:
            vk = max(xf[k], vk)
            xf[k] = vk
        pf[k] -= step_size * (mk / (np.sqrt(vk) / bias2_sqrt + eps))
