"""What every loss shares: argument checks naming the loss, reductions and their backward."""
from __future__ import annotations

from ..backend import np
from ..tensor import Tensor

KERAS_EPSILON = 1e-7


def _array(a):
    return a.data if isinstance(a, Tensor) else a


def _check_reduction(fn, reduction, allowed=("mean", "sum", "none")):
    if reduction not in allowed:
        raise ValueError(f"{fn}: reduction must be one of {', '.join(map(repr, allowed))}, got {reduction!r}")


def _check_same_shape(fn, input, target):
    if tuple(input.shape) != tuple(target.shape):
        raise ValueError(f"{fn}: input shape {tuple(input.shape)} and target shape {tuple(target.shape)} must match")


def _check_float_target(fn, target):
    if _array(target).dtype.kind not in "fc":
        raise TypeError(f"{fn}: target must be floating point, got dtype {_array(target).dtype}")


def _check_weight(fn, name, weight, shape):
    if weight is None:
        return None
    w = _array(weight)
    try:
        np.broadcast_shapes(tuple(w.shape), tuple(shape))
    except ValueError:
        raise ValueError(f"{fn}: {name} of shape {tuple(w.shape)} does not broadcast to the input shape "
                         f"{tuple(shape)}") from None
    return w


def _reduce(loss, reduction, xp):
    """Reduce per-element losses.  Keras's binary losses average the last axis first:
    'per_sample' gives those means, 'per_sample_sum' their sum."""
    if reduction == "none":
        return loss
    if reduction == "per_sample":  # an empty last axis: 0 per sample, as 'mean' over no elements gives 0
        return loss.sum(axis=-1) / max(loss.shape[-1], 1)
    if reduction == "per_sample_sum":
        return xp.asarray(loss.sum()) / max(loss.shape[-1], 1)
    total = xp.asarray(loss.sum())
    return total if reduction == "sum" else total / max(loss.size, 1)


def _expand(g, reduction, shape, count):
    """The cotangent of each unreduced loss element, given the cotangent ``g`` of the result."""
    if reduction == "none":
        return g
    if reduction == "per_sample":
        return g[..., None] * (1 / max(shape[-1], 1))
    if reduction == "per_sample_sum":
        return g * (1 / max(shape[-1], 1))
    return g if reduction == "sum" else g * (1 / max(count, 1))
