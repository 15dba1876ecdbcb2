"""Gradient clipping, in place on ``p.grad``: by global norm and by value (PyTorch semantics, ``torch.nn.utils``)."""
from __future__ import annotations

import math

from ...autograd import _mode, effect
from ...backend import array_module
from ...tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def _listed(parameters):
    """The parameters as a list a replay can go through again (an iterator is used up once)."""
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> float:
    """Scale all gradients together so that their joint norm is at most ``max_norm``.

    The total norm is the ``norm_type``-norm of the vector of every gradient element
    (``inf``: the largest absolute value).  Gradients are multiplied by
    ``min(1, max_norm / (total + 1e-6))``, exactly as ``torch.nn.utils.clip_grad_norm_``.

    Args:
        parameters: a tensor or an iterable of tensors (those without a gradient are skipped).
        max_norm: the largest allowed norm (≥ 0).
        norm_type: p of the p-norm (> 0), or ``float("inf")``.
        error_if_nonfinite: raise RuntimeError when the total norm is nan or inf.

    Returns:
        The total norm of the gradients before clipping, as a float.

    Example:
        >>> w = nt.nn.Parameter(np.zeros(2, np.float32))
        >>> w.grad = np.array([3.0, 4.0], np.float32)
        >>> nt.optim.clip_grad_norm_([w], max_norm=1.0), w.grad  # returns the norm before clipping
        (5.0, array([0.6, 0.8], dtype=float32))
    """
    if _mode.capture is not None:  # inside a step capture (nt.jit): each replay clips again
        return effect(clip_grad_norm_, _listed(parameters), max_norm, norm_type, error_if_nonfinite)
    max_norm, norm_type = float(max_norm), float(norm_type)
    if not max_norm >= 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be >= 0, got {max_norm}")
    if not norm_type > 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be > 0 or inf, got {norm_type}")
    grads = _grads(parameters)
    if not grads:
        return 0.0
    xp = array_module(grads[0])
    if math.isinf(norm_type):
        total = max(float(xp.abs(g).max()) if g.size else 0.0 for g in grads)
    elif norm_type == 2.0:
        total = math.sqrt(sum(float(xp.vdot(g, g)) for g in grads))
    else:
        total = sum(float((xp.abs(g) ** norm_type).sum()) for g in grads) ** (1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is {total}; "
                           "set error_if_nonfinite=False to clip anyway")
    coef = max_norm / (total + 1e-6)
    if not coef >= 1.0:  # a nan norm makes the gradients nan, as in PyTorch
        for g in grads:
            g *= coef
    return total


def clip_grad_value_(parameters, clip_value: float) -> None:
    """Clip every gradient element to ``[-clip_value, clip_value]``, in place.

    Args:
        parameters: a tensor or an iterable of tensors (those without a gradient are skipped).
        clip_value: the largest allowed absolute value (≥ 0).

    Example:
        >>> w = nt.nn.Parameter(np.zeros(3, np.float32))
        >>> w.grad = np.array([-5.0, 0.5, 2.0], np.float32)
        >>> nt.optim.clip_grad_value_([w], 1.0)
        >>> w.grad
        array([-1. ,  0.5,  1. ], dtype=float32)
    """
    if _mode.capture is not None:
        return effect(clip_grad_value_, _listed(parameters), clip_value)
    clip_value = float(clip_value)
    if not clip_value >= 0:
        raise ValueError(f"clip_grad_value_: clip_value must be >= 0, got {clip_value}")
    for g in _grads(parameters):
        array_module(g).clip(g, -clip_value, clip_value, out=g)
