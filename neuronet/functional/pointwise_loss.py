"""Element-wise losses (MSE, L1/MAE, Huber, RMSE, binary cross-entropy, hinge) and KL divergence,
each one fused Function with a hand-written backward."""
from __future__ import annotations

from ..autograd import Function
from ..backend import array_module
from .activation import _sigmoid, _softplus
from .loss_common import (KERAS_EPSILON, _array, _check_float_target, _check_reduction, _check_same_shape,
                          _check_weight, _expand, _reduce)

__all__ = ["mse_loss", "l1_loss", "mae", "rmse", "huber_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "hinge_loss", "kl_div"]


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
    """Mean squared error (x − y)².

    Example:
        >>> F.mse_loss(nt.tensor([1.0, 2.0]), nt.tensor([0.0, 4.0])).item()  # (1 + 4) / 2
        2.5
    """
    return _pointwise(MSE, "mse_loss", input, target, reduction)


def l1_loss(input, target, reduction: str = "mean"):
    """Mean absolute error |x − y| (gradient sign(x − y), 0 at x = y).

    Example:
        >>> F.l1_loss(nt.tensor([1.0, 2.0]), nt.tensor([0.0, 4.0])).item()
        1.5
    """
    return _pointwise(L1, "l1_loss", input, target, reduction)


mae = l1_loss


def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0):
    """½(x−y)² where |x−y| ≤ δ, δ(|x−y| − ½δ) beyond: quadratic near 0, linear for outliers.

    Example:
        >>> F.huber_loss(nt.tensor([0.5, 3.0]), nt.tensor([0.0, 0.0]), reduction="none").numpy()  # 0.5*0.25, 3 - 0.5
        array([0.125, 2.5  ], dtype=float32)
    """
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
    root: 'sum' gives sqrt(Σ(x−y)²), 'none' gives |x − y|.  The gradient is 0 where the error is 0.

    Example:
        >>> F.rmse(nt.tensor([3.0, 0.0]), nt.tensor([0.0, 4.0])).item()  # sqrt((9 + 16) / 2)
        3.535533905029297
    """
    _check_reduction("rmse", reduction)
    _check_same_shape("rmse", input, target)
    _check_float_target("rmse", target)
    return RMSE.apply(input, target, reduction=reduction)


def binary_cross_entropy(input, target, weight=None, reduction: str = "mean", eps: float = KERAS_EPSILON):
    """−[y log p + (1−y) log(1−p)] on probabilities p.  p is clipped to [eps, 1−eps] (PyTorch
    instead clamps each log at −100); the gradient is (p−y)/(p(1−p)) at the clipped p, so a
    saturated wrong prediction still gets a (large, finite) gradient.  Prefer
    :func:`binary_cross_entropy_with_logits` on logits, which needs no clipping.

    Example:
        >>> F.binary_cross_entropy(nt.tensor([0.9, 0.2]), nt.tensor([1.0, 0.0])).item()  # -(log .9 + log .8) / 2
        0.164252...
    """
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
    (1−y)x + (1 + (pos_weight−1)y)·log(1 + e^{−x}), finite at any logit (PyTorch's formula).

    Example:
        >>> F.binary_cross_entropy_with_logits(nt.tensor([0.0, 100.0]), nt.tensor([1.0, 1.0]), reduction="none").numpy()
        array([0.6931, 0.    ], dtype=float32)
    """
    return _bce_logits("binary_cross_entropy_with_logits", input, target, weight, reduction, pos_weight)


def _bce_logits(fn, input, target, weight, reduction, pos_weight):
    shape = tuple(input.shape)
    w = _check_weight(fn, "weight", weight, shape)
    pw = _check_weight(fn, "pos_weight", pos_weight, shape)
    return _pointwise(BCEWithLogits, fn, input, target, reduction, weight=w, pos_weight=pw)


def hinge_loss(input, target, reduction: str = "mean"):
    """max(0, 1 − y·s) for scores s and labels y ∈ {−1, 1} (the SVM loss).

    Example:
        >>> F.hinge_loss(nt.tensor([2.0, 0.5, -1.0]), nt.tensor([1.0, 1.0, 1.0]), reduction="none").numpy()
        array([0. , 0.5, 2. ], dtype=float32)
    """
    y = _array(target)
    xp = array_module(y)
    if y.size and not bool(xp.all((y == 1) | (y == -1))):
        bad = y[(y != 1) & (y != -1)].reshape(-1)[0]
        raise ValueError(f"hinge_loss: target labels must be -1 or 1, got {float(bad)}; "
                         "for 0/1 labels pass 2*y - 1")
    return _pointwise(Hinge, "hinge_loss", input, target, reduction)


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
    'mean' divides by the number of elements, as PyTorch does.

    Example:
        >>> q, p = nt.tensor([[0.5, 0.5]]), nt.tensor([[0.9, 0.1]])
        >>> F.kl_div(q.log(), p, reduction="sum").item()  # KL(p || q) in nats
        0.368064...
    """
    _check_reduction("kl_div", reduction, ("mean", "batchmean", "sum", "none"))
    _check_same_shape("kl_div", input, target)
    _check_float_target("kl_div", target)
    return KLDiv.apply(input, target, reduction=reduction, log_target=bool(log_target))
