"""Loss functions, each one fused Function with a hand-written backward.

All take ``(input, target)`` in PyTorch's order (also the Keras-named ones, unlike Keras's
``(y_true, y_pred)``) and a ``reduction``: ``'mean'`` (default), ``'sum'`` or ``'none'``.
Input and target must have the same shape (no silent broadcasting, unlike PyTorch's warning).
Weights (``weight``, ``pos_weight``) are constants: no gradient flows to them.
"""
from __future__ import annotations

from ..autograd import Function
from ..backend import array_module, np
from ..tensor import Tensor
from .activation import _sigmoid, _softplus

__all__ = [
    "mse_loss", "l1_loss", "mae", "rmse", "huber_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "hinge_loss", "cross_entropy", "nll_loss", "kl_div",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy",
]

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
    if reduction == "per_sample":
        return loss.mean(axis=-1)
    if reduction == "per_sample_sum":
        return xp.asarray(loss.sum()) / loss.shape[-1]
    total = xp.asarray(loss.sum())
    return total if reduction == "sum" else total / max(loss.size, 1)


def _expand(g, reduction, shape, count):
    """The cotangent of each unreduced loss element, given the cotangent ``g`` of the result."""
    if reduction == "none":
        return g
    if reduction == "per_sample":
        return g[..., None] * (1 / shape[-1])
    if reduction == "per_sample_sum":
        return g * (1 / shape[-1])
    return g if reduction == "sum" else g * (1 / max(count, 1))


class _Pointwise(Function):
    """loss = reduce(l(x, y)) for an element-wise l; ``compute`` returns l, dl/dx and dl/dy."""

    def __init__(self, reduction, **params):
        self.reduction = reduction
        self.__dict__.update(params)

    def forward(self, x, y):
        xp = array_module(x)
        loss, self.dx, self.dy = self.compute(x, y, xp)
        self.shape, self.count = loss.shape, loss.size
        return _reduce(loss, self.reduction, xp).astype(x.dtype, copy=False)

    def backward(self, g):
        g = _expand(g, self.reduction, self.shape, self.count)
        gx = g * self.dx if self.needs_grad[0] else None
        gy = g * self.dy if self.needs_grad[1] and self.dy is not None else None
        return gx, gy


class MSE(_Pointwise):
    def compute(self, x, y, xp):
        d = x - y
        return d * d, 2 * d, -2 * d  # d/dx (x-y)^2 = 2(x-y)


class L1(_Pointwise):
    def compute(self, x, y, xp):
        d = x - y
        s = xp.sign(d)
        return xp.abs(d), s, -s  # d/dx |x-y| = sign(x-y) (0 at x = y)


class Huber(_Pointwise):
    def compute(self, x, y, xp):
        d = x - y
        a = xp.abs(d)
        inside = a <= self.delta
        loss = xp.where(inside, 0.5 * d * d, self.delta * (a - 0.5 * self.delta))
        dx = xp.where(inside, d, self.delta * xp.sign(d))  # d/dx = x-y if |x-y| <= δ else δ·sign(x-y)
        return loss, dx, -dx


class BCE(_Pointwise):
    def compute(self, p, y, xp):
        w = 1 if self.weight is None else self.weight
        pc = xp.clip(p, self.eps, 1 - self.eps)
        log_p, log_q = xp.log(pc), xp.log(1 - pc)
        loss = -w * (y * log_p + (1 - y) * log_q)
        # d/dp -(y log p + (1-y) log(1-p)) = (p - y) / (p(1 - p)), taken at the clipped p
        dx = w * (pc - y) / (pc * (1 - pc))
        dy = -w * (log_p - log_q) if self.needs_grad[1] else None
        return loss, dx, dy


class BCEWithLogits(_Pointwise):
    def compute(self, x, y, xp):
        w = 1 if self.weight is None else self.weight
        pw = 1 if self.pos_weight is None else self.pos_weight
        c = 1 + (pw - 1) * y
        sp = _softplus(-x, xp)  # log(1 + e^{-x}), finite at any x
        loss = w * ((1 - y) * x + c * sp)
        dx = w * ((1 - y) - c * _sigmoid(-x, xp))  # = σ(x) - y without pos_weight
        dy = w * ((pw - 1) * sp - x) if self.needs_grad[1] else None
        return loss, dx, dy


class Hinge(_Pointwise):
    def compute(self, s, y, xp):
        margin = 1 - y * s
        active = margin > 0
        # d/ds max(0, 1 - ys) = -y where 1 - ys > 0, else 0
        return xp.maximum(margin, 0), -y * active, (-s * active) if self.needs_grad[1] else None


def _pointwise(cls, fn, input, target, reduction, **params):
    _check_reduction(fn, reduction, ("mean", "sum", "none", "per_sample", "per_sample_sum") if fn == "binary_crossentropy" else
                     ("mean", "sum", "none"))
    _check_same_shape(fn, input, target)
    _check_float_target(fn, target)
    return cls.apply(input, target, reduction=reduction, **params)


def mse_loss(input, target, reduction: str = "mean"):
    """Mean squared error (x − y)²."""
    return _pointwise(MSE, "mse_loss", input, target, reduction)


def l1_loss(input, target, reduction: str = "mean"):
    """Mean absolute error |x − y| (gradient sign(x − y), 0 at x = y)."""
    return _pointwise(L1, "l1_loss", input, target, reduction)


mae = l1_loss


def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0):
    """½(x−y)² where |x−y| ≤ δ, δ(|x−y| − ½δ) beyond: quadratic near 0, linear for outliers."""
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    return _pointwise(Huber, "huber_loss", input, target, reduction, delta=float(delta))


class RMSE(Function):
    def __init__(self, reduction):
        self.reduction = reduction

    def forward(self, x, y):
        xp = array_module(x)
        self.d = x - y
        self.r = xp.sqrt(_reduce(self.d * self.d, self.reduction, xp)).astype(x.dtype, copy=False)
        return self.r

    def backward(self, g):
        # d/dx sqrt(S) = (dS/dx) / (2 sqrt S) with S the reduced squared error; 0 where S = 0
        xp = array_module(g)
        r = self.r
        safe = xp.where(r > 0, r, 1)
        coef = _expand(xp.where(r > 0, g / safe, 0), self.reduction, self.d.shape, self.d.size)
        gx = coef * self.d
        return (gx if self.needs_grad[0] else None), (-gx if self.needs_grad[1] else None)


def rmse(input, target, reduction: str = "mean"):
    """Root mean squared error sqrt(mean((x − y)²)).  The reduction applies before the square
    root: 'sum' gives sqrt(Σ(x−y)²), 'none' gives |x − y|.  The gradient is 0 where the error is 0."""
    _check_reduction("rmse", reduction)
    _check_same_shape("rmse", input, target)
    _check_float_target("rmse", target)
    return RMSE.apply(input, target, reduction=reduction)


def binary_cross_entropy(input, target, weight=None, reduction: str = "mean", eps: float = KERAS_EPSILON):
    """−[y log p + (1−y) log(1−p)] on probabilities p.  p is clipped to [eps, 1−eps] (PyTorch
    instead clamps each log at −100); the gradient is (p−y)/(p(1−p)) at the clipped p, so a
    saturated wrong prediction still gets a (large, finite) gradient.  Prefer
    :func:`binary_cross_entropy_with_logits` on logits, which needs no clipping."""
    return _bce("binary_cross_entropy", input, target, weight, reduction, eps)


def _bce(fn, input, target, weight, reduction, eps):
    p = _array(input)
    xp = array_module(p)
    if p.size and bool(xp.any((p < 0) | (p > 1))):
        raise ValueError(f"{fn}: input must be probabilities in [0, 1], got values from "
                         f"{float(p.min())} to {float(p.max())}; use from_logits / the with_logits loss for logits")
    w = _check_weight(fn, "weight", weight, p.shape)
    return _pointwise(BCE, fn, input, target, reduction, weight=w, eps=float(eps))


def binary_cross_entropy_with_logits(input, target, weight=None, reduction: str = "mean", pos_weight=None):
    """Sigmoid and binary cross-entropy in one stable step:
    (1−y)x + (1 + (pos_weight−1)y)·log(1 + e^{−x}), finite at any logit (PyTorch's formula)."""
    return _bce_logits("binary_cross_entropy_with_logits", input, target, weight, reduction, pos_weight)


def _bce_logits(fn, input, target, weight, reduction, pos_weight):
    shape = tuple(input.shape)
    w = _check_weight(fn, "weight", weight, shape)
    pw = _check_weight(fn, "pos_weight", pos_weight, shape)
    return _pointwise(BCEWithLogits, fn, input, target, reduction, weight=w, pos_weight=pw)


def hinge_loss(input, target, reduction: str = "mean"):
    """max(0, 1 − y·s) for scores s and labels y ∈ {−1, 1} (the SVM loss)."""
    y = _array(target)
    xp = array_module(y)
    if y.size and not bool(xp.all((y == 1) | (y == -1))):
        bad = y[(y != 1) & (y != -1)].reshape(-1)[0]
        raise ValueError(f"hinge_loss: target labels must be -1 or 1, got {float(bad)}; "
                         "for 0/1 labels pass 2*y - 1")
    return _pointwise(Hinge, "hinge_loss", input, target, reduction)


# --- class-probability losses -------------------------------------------------------------------

def _log_softmax_last(x, xp):
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=-1, keepdims=True))


def _to_last(a, axis, xp):
    return a if axis in (-1, a.ndim - 1) else xp.moveaxis(a, axis, -1)


def _from_last(a, axis, xp):
    return a if axis in (-1, a.ndim - 1) else xp.moveaxis(a, -1, axis)


class ClassIndexNLL(Function):
    """−w[t]·log p[t] over integer labels t, on logits (``from_logits``: log-softmax fused in)
    or on log-probabilities; PyTorch's weight / ignore_index / label_smoothing semantics."""

    def __init__(self, axis, weight, ignore_index, label_smoothing, reduction, from_logits):
        self.axis, self.weight, self.ignore_index = axis, weight, ignore_index
        self.eps, self.reduction, self.from_logits = label_smoothing, reduction, from_logits

    def forward(self, x, t):
        xp = array_module(x)
        z = _to_last(x, self.axis, xp)
        logp = _log_softmax_last(z, xp) if self.from_logits else z
        self.valid = t != self.ignore_index
        self.t = xp.where(self.valid, t, 0)
        picked = xp.take_along_axis(logp, self.t[..., None], axis=-1)[..., 0]
        w = self.valid.astype(x.dtype) if self.weight is None else self.weight[self.t] * self.valid
        self.w = w.astype(x.dtype, copy=False)
        loss = -self.w * picked
        if self.eps:
            smooth = -(logp.sum(axis=-1) if self.weight is None else (logp * self.weight).sum(axis=-1))
            loss = (1 - self.eps) * loss + (self.eps / logp.shape[-1]) * smooth * self.valid
        self.logp = logp
        self.denominator = xp.asarray(self.w.sum())
        if self.reduction == "mean":
            return (xp.asarray(loss.sum()) / self.denominator).astype(x.dtype, copy=False)
        return _reduce(loss, self.reduction, xp).astype(x.dtype, copy=False)

    def backward(self, g):
        # d/dz −log softmax(z)[t] = softmax(z) − onehot(t);  d/dz −logp[t] = −onehot(t) on log-probs
        xp = array_module(g)
        if self.reduction == "mean":
            g = g / self.denominator
        scale = (g * self.w)[..., None] if self.reduction == "none" else g * self.w[..., None]
        n_classes = self.logp.shape[-1]
        onehot = xp.arange(n_classes) == self.t[..., None]
        p = xp.exp(self.logp) if self.from_logits else 0
        grad = (1 - self.eps) * scale * (p - onehot)
        if self.eps:
            g_smooth = g[..., None] if self.reduction == "none" else g
            wv = 1 if self.weight is None else self.weight
            w_sum = n_classes if self.weight is None else self.weight.sum()
            # d/dz −Σ_c w_c log softmax(z)_c = (Σ_c w_c) softmax(z) − w  (−w alone on log-probs)
            grad = grad + (self.eps / n_classes) * g_smooth * self.valid[..., None] * (
                (w_sum * p if self.from_logits else 0) - wv)
        return _from_last(grad.astype(g.dtype, copy=False), self.axis, xp), None


class ProbabilityCE(Function):
    """−Σ_c w_c t'_c log softmax(z)_c with t' = (1−ε)t + ε/C: cross-entropy on probability targets."""

    def __init__(self, axis, weight, label_smoothing, reduction):
        self.axis, self.weight, self.eps, self.reduction = axis, weight, label_smoothing, reduction

    def forward(self, x, t):
        xp = array_module(x)
        self.logp = _log_softmax_last(_to_last(x, self.axis, xp), xp)
        c = self.logp.shape[-1]
        self.wt = _to_last(t, self.axis, xp) * (1 - self.eps) + self.eps / c
        if self.weight is not None:
            self.wt = self.wt * self.weight
        loss = -(self.wt * self.logp).sum(axis=-1)
        self.shape, self.count = loss.shape, loss.size
        return _reduce(loss, self.reduction, xp).astype(x.dtype, copy=False)

    def backward(self, g):
        # d/dz = softmax(z)·Σ_c w_c t'_c − w⊙t';  d/dt = −(1−ε) w⊙log softmax(z)
        xp = array_module(g)
        g = _expand(g, self.reduction, self.shape, self.count)
        g = g[..., None] if self.reduction == "none" else g
        gx = gt = None
        if self.needs_grad[0]:
            gx = _from_last(g * (xp.exp(self.logp) * self.wt.sum(axis=-1, keepdims=True) - self.wt), self.axis, xp)
        if self.needs_grad[1]:
            w = 1 if self.weight is None else self.weight
            gt = _from_last(-(1 - self.eps) * g * w * self.logp, self.axis, xp)
        return gx, gt


def _class_axis(fn, shape, axis):
    if len(shape) == 0:
        raise ValueError(f"{fn}: input must have a class axis, got a 0-d input")
    return 0 if len(shape) == 1 else axis % len(shape)


def _check_labels(fn, t, n_classes, ignore_index=None):
    """Integer dtype and every label in [0, n_classes) (or equal to ignore_index)."""
    if t.dtype.kind not in "iu":
        raise TypeError(f"{fn}: class-index targets must be integers, got dtype {t.dtype}")
    xp = array_module(t)
    bad = (t < 0) | (t >= n_classes)
    if ignore_index is not None:
        bad &= t != ignore_index
    if t.size and bool(xp.any(bad)):
        label = int(t[bad].reshape(-1)[0])
        raise ValueError(f"{fn}: target label {label} is out of range for {n_classes} classes "
                         f"(labels must lie in [0, {n_classes - 1}])")


def _check_class_weight(fn, weight, n_classes):
    if weight is None:
        return None
    w = _array(weight)
    if tuple(w.shape) != (n_classes,):
        raise ValueError(f"{fn}: weight must have shape ({n_classes},), one per class, got {tuple(w.shape)}")
    return w


def _class_loss(fn, input, target, axis, weight, ignore_index, label_smoothing, reduction, from_logits):
    _check_reduction(fn, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{fn}: label_smoothing must lie in [0, 1], got {label_smoothing}")
    shape, t = tuple(input.shape), _array(target)
    axis = _class_axis(fn, shape, axis)
    n_classes = shape[axis]
    w = _check_class_weight(fn, weight, n_classes)
    if tuple(t.shape) == shape and t.dtype.kind in "fc":
        if not from_logits:
            raise ValueError(f"{fn}: probability targets need logits; use kl_div or cross_entropy instead")
        return ProbabilityCE.apply(input, target, axis=axis, weight=w, label_smoothing=float(label_smoothing),
                                   reduction=reduction)
    expected = shape[:axis] + shape[axis + 1:]
    if tuple(t.shape) != expected:
        raise ValueError(f"{fn}: target must hold class indices of shape {expected} or probabilities of "
                         f"the input's shape {shape}, got shape {tuple(t.shape)}")
    _check_labels(fn, t, n_classes, ignore_index)
    return ClassIndexNLL.apply(input, target, axis=axis, weight=w, ignore_index=int(ignore_index),
                               label_smoothing=float(label_smoothing), reduction=reduction, from_logits=from_logits)


def cross_entropy(input, target, weight=None, ignore_index: int = -100, reduction: str = "mean",
                  label_smoothing: float = 0.0):
    """Log-softmax and negative log-likelihood fused, on logits (class axis 1, as PyTorch).

    ``target`` is integer class indices of shape (N,) or (N, d1, ...), or probabilities of the
    input's shape.  With indices, 'mean' is the weighted mean Σ w[t]·loss / Σ w[t] over the
    entries whose label is not ``ignore_index``; with probabilities, the mean over samples.
    ``label_smoothing`` ε mixes the target with the uniform distribution: (1−ε)·target + ε/C.
    """
    return _class_loss("cross_entropy", input, target, 1, weight, ignore_index, label_smoothing,
                       reduction, True)


def nll_loss(input, target, weight=None, ignore_index: int = -100, reduction: str = "mean"):
    """−w[t]·input[t]: negative log-likelihood of integer labels given log-probabilities
    (class axis 1); 'mean' is the weighted mean, as in PyTorch."""
    return _class_loss("nll_loss", input, target, 1, weight, ignore_index, 0.0, reduction, False)


class KLDiv(Function):
    def __init__(self, reduction, log_target):
        self.reduction, self.log_target = reduction, log_target

    def forward(self, x, t):
        xp = array_module(x)
        self.x, self.t = x, t
        if self.log_target:
            self.pt = xp.exp(t)
            loss = self.pt * (t - x)
        else:
            self.log_t = xp.log(xp.where(t > 0, t, 1))  # 0·log 0 = 0
            loss = t * (self.log_t - x)
        self.shape, self.count = loss.shape, loss.size
        if self.reduction == "batchmean":
            n = x.shape[0] if x.ndim else 1
            return (xp.asarray(loss.sum()) / n).astype(x.dtype, copy=False)
        return _reduce(loss, self.reduction, xp).astype(x.dtype, copy=False)

    def backward(self, g):
        # d/dx t(log t − x) = −t;  d/dt = log t + 1 − x   (log_target: −e^t and e^t(t − x + 1))
        if self.reduction == "batchmean":
            g = g / (self.x.shape[0] if self.x.ndim else 1)
        else:
            g = _expand(g, self.reduction, self.shape, self.count)
        gx = gt = None
        if self.log_target:
            gx = -g * self.pt if self.needs_grad[0] else None
            gt = g * self.pt * (self.t - self.x + 1) if self.needs_grad[1] else None
        else:
            gx = -g * self.t if self.needs_grad[0] else None
            gt = g * (self.log_t + 1 - self.x) if self.needs_grad[1] else None
        return gx, gt


def kl_div(input, target, reduction: str = "mean", log_target: bool = False):
    """KL(target ‖ q) = Σ target·(log target − input) with ``input`` = log q (PyTorch's
    argument order).  'batchmean' divides the sum by the batch size (the true KL per sample);
    'mean' divides by the number of elements, as PyTorch does."""
    _check_reduction("kl_div", reduction, ("mean", "batchmean", "sum", "none"))
    _check_same_shape("kl_div", input, target)
    _check_float_target("kl_div", target)
    return KLDiv.apply(input, target, reduction=reduction, log_target=bool(log_target))


# --- Keras semantics ----------------------------------------------------------------------------

class KerasProbabilityCE(Function):
    """Keras's categorical cross-entropy on probabilities: q = p / Σp, clipped to [eps, 1−eps],
    loss = −Σ t log q.  The gradient is taken at the clipped q (clipping passes it through)."""

    def __init__(self, axis, eps, reduction):
        self.axis, self.eps, self.reduction = axis, eps, reduction

    def forward(self, p, t):
        xp = array_module(p)
        p = _to_last(p, self.axis, xp)
        self.total = p.sum(axis=-1, keepdims=True)
        self.q = xp.clip(p / self.total, self.eps, 1 - self.eps)
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
        if self.needs_grad[1]:
            gt = _from_last(-g * xp.log(self.q), self.axis, xp)
        return gp, gt


def categorical_crossentropy(input, target, from_logits: bool = False, label_smoothing: float = 0.0,
                             axis: int = -1, reduction: str = "mean"):
    """Keras's categorical cross-entropy: one-hot/probability ``target`` of the input's shape,
    class ``axis`` −1; ``input`` is probabilities (normalised and clipped to [1e-7, 1−1e-7]
    as Keras does) or, with ``from_logits``, logits.  'none' gives one loss per sample."""
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
    probabilities (clipped to [1e-7, 1−1e-7] as Keras does) or, with ``from_logits``, logits."""
    fn = "sparse_categorical_crossentropy"
    shape = tuple(input.shape)
    ax = _class_axis(fn, shape, axis)
    t = _array(target)
    expected = shape[:ax] + shape[ax + 1:]
    if tuple(t.shape) != expected:
        raise ValueError(f"{fn}: target must hold class indices of shape {expected}, got shape {tuple(t.shape)}")
    if from_logits:
        return _class_loss(fn, input, target, ax, None, -100, 0.0, reduction, True)
    _check_reduction(fn, reduction)
    _check_labels(fn, t, shape[ax])
    xp = array_module(t)
    onehot = (t[..., None] == xp.arange(shape[ax])).astype(_array(input).dtype)
    return KerasProbabilityCE.apply(input, _from_last(onehot, ax, xp), axis=ax, eps=KERAS_EPSILON,
                                    reduction=reduction)


def binary_crossentropy(input, target, from_logits: bool = False, label_smoothing: float = 0.0,
                        reduction: str = "mean"):
    """Keras's binary cross-entropy: element losses averaged over the last axis give one loss
    per sample ('none'); ``input`` is probabilities clipped to [1e-7, 1−1e-7] or, with
    ``from_logits``, logits (computed stably).  ``label_smoothing`` ε: y ← y(1−ε) + ε/2."""
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
