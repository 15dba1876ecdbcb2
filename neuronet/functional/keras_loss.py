"""Keras-named losses with Keras semantics (class axis last, probabilities clipped to
[eps, 1 − eps], ``from_logits``, ``label_smoothing``), in PyTorch's ``(input, target)`` order."""
from __future__ import annotations

from ..autograd import Function
from ..backend import array_module, np
from .class_loss import _check_labels, _class_axis, _class_loss, _from_last, _to_last
from .loss_common import KERAS_EPSILON, _array, _check_float_target, _check_reduction, _check_same_shape, _expand, _reduce
from .pointwise_loss import _bce, _bce_logits

__all__ = ["categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy"]


class KerasProbabilityCE(Function):
    """Keras's categorical cross-entropy on probabilities: q = p / Σp, clipped to [eps, 1−eps],
    loss = −Σ t log q.  The gradient is taken at the clipped q (clipping passes it through).
    With ``sparse`` the target is class indices, made one-hot here, inside the Function (so that
    ``nt.jit`` and ``jit_compile=True`` see the labels as the step's input, not a new array)."""

    def __init__(self, axis, eps, reduction, sparse=False):
        self.axis, self.eps, self.reduction, self.sparse = axis, eps, reduction, sparse

    def forward(self, p, t):
        xp = array_module(p)
        p = _to_last(p, self.axis, xp)
        self.total = p.sum(axis=-1, keepdims=True)
        self.q = xp.clip(p / self.total, self.eps, 1 - self.eps)
        if self.sparse:
            self.t = (t[..., None] == xp.arange(p.shape[-1])).astype(p.dtype)
        else:
            self.t = _to_last(t, self.axis, xp)
        loss = -(self.t * xp.log(self.q)).sum(axis=-1)
        self.shape, self.count = loss.shape, loss.size
        return _reduce(loss, self.reduction, xp).astype(p.dtype, copy=False)

    def backward(self, g):
        # with q = p/Σp and u = −t/q: dL/dp_i = (u_i − Σ_j u_j q_j) / Σp;  dL/dt = −log q
        xp = array_module(g)
        g = _expand(g, self.reduction, self.shape, self.count)
        g = g[..., None] if self.reduction == "none" else g
        gp = gt = None
        if self.needs_grad[0]:
            u = -self.t / self.q
            gp = _from_last(g * (u - (u * self.q).sum(axis=-1, keepdims=True)) / self.total, self.axis, xp)
        if self.needs_grad[1] and not self.sparse:
            gt = _from_last(-g * xp.log(self.q), self.axis, xp)
        return gp, gt


def categorical_crossentropy(input, target, from_logits: bool = False, label_smoothing: float = 0.0,
                             axis: int = -1, reduction: str = "mean"):
    """Keras's categorical cross-entropy: one-hot/probability ``target`` of the input's shape,
    class ``axis`` −1; ``input`` is probabilities (normalised and clipped to [1e-7, 1−1e-7]
    as Keras does) or, with ``from_logits``, logits.  'none' gives one loss per sample.

    Example:
        >>> F.categorical_crossentropy(nt.tensor([[0.8, 0.2]]), nt.tensor([[1.0, 0.0]])).item()  # -log 0.8
        0.2231...
    """
    fn = "categorical_crossentropy"
    _check_reduction(fn, reduction)
    _check_same_shape(fn, input, target)
    _check_float_target(fn, target)
    if from_logits:
        return _class_loss(fn, input, target, axis, None, -100, label_smoothing, reduction, True)
    axis = _class_axis(fn, tuple(input.shape), axis)
    if label_smoothing:
        from .math import add, mul  # smoothing the target is a differentiable affine map
        target = add(mul(target, 1.0 - label_smoothing), label_smoothing / input.shape[axis])
    return KerasProbabilityCE.apply(input, target, axis=axis, eps=KERAS_EPSILON, reduction=reduction)


def sparse_categorical_crossentropy(input, target, from_logits: bool = False, axis: int = -1,
                                    reduction: str = "mean"):
    """Keras's sparse categorical cross-entropy: integer labels, class ``axis`` −1; ``input`` is
    probabilities (clipped to [1e-7, 1−1e-7] as Keras does) or, with ``from_logits``, logits.

    Example:
        >>> F.sparse_categorical_crossentropy(nt.tensor([[0.8, 0.2]]), np.array([1])).item()  # -log 0.2
        1.6094...
    """
    fn = "sparse_categorical_crossentropy"
    shape = tuple(input.shape)
    ax = _class_axis(fn, shape, axis)
    if not hasattr(target, "shape"):  # a list of labels, as Keras takes
        target = np.asarray(target)
    t = _array(target)
    expected = shape[:ax] + shape[ax + 1:]
    if tuple(t.shape) != expected:
        raise ValueError(f"{fn}: target must hold class indices of shape {expected}, got shape {tuple(t.shape)}")
    if from_logits:
        return _class_loss(fn, input, target, ax, None, -100, 0.0, reduction, True)
    _check_reduction(fn, reduction)
    _check_labels(fn, t, shape[ax])
    return KerasProbabilityCE.apply(input, target, axis=ax, eps=KERAS_EPSILON,
                                    reduction=reduction, sparse=True)


def binary_crossentropy(input, target, from_logits: bool = False, label_smoothing: float = 0.0,
                        reduction: str = "mean"):
    """Keras's binary cross-entropy: element losses averaged over the last axis give one loss
    per sample ('none'); ``input`` is probabilities clipped to [1e-7, 1−1e-7] or, with
    ``from_logits``, logits (computed stably).  ``label_smoothing`` ε: y ← y(1−ε) + ε/2.

    Example:
        >>> F.binary_crossentropy(nt.tensor([[0.9, 0.2]]), nt.tensor([[1.0, 0.0]])).item()
        0.1642...
    """
    fn = "binary_crossentropy"
    _check_reduction(fn, reduction)
    if label_smoothing:
        _check_same_shape(fn, input, target)
        _check_float_target(fn, target)
        from .math import add, mul
        target = add(mul(target, 1.0 - label_smoothing), 0.5 * label_smoothing)
    inner = {"none": "per_sample", "sum": "per_sample_sum"}.get(reduction, reduction) if len(input.shape) > 1 else reduction
    if from_logits:
        return _bce_logits(fn, input, target, None, inner, None)
    return _bce(fn, input, target, None, inner, KERAS_EPSILON)
