"""Losses over class scores: cross-entropy and NLL on integer labels or probabilities (PyTorch
semantics: class axis 1, ``weight``, ``ignore_index``, ``label_smoothing``), each one fused Function."""
from __future__ import annotations

from ..autograd import Function
from ..backend import array_module, np
from ..kernels.compiled import kernel_arrays, kernel_module
from .loss_common import _array, _check_reduction, _expand, _reduce

__all__ = ["cross_entropy", "nll_loss"]


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


# logits of this many values or more take the compiled kernels (kernels/softmax_ce.py)
_KERNEL_MIN = 512


def _bad_label_message(fn, label, n_classes):
    return (f"{fn}: target label {label} is out of range for {n_classes} classes "
            f"(labels must lie in [0, {n_classes - 1}])")


class SoftmaxCrossEntropy(Function):
    """mean_i (logsumexp(z_i) − z_i[t_i]) over (N, C) logits and N integer labels in [0, C): the
    common case of :class:`ClassIndexNLL` (no weights, ignored labels or smoothing; 'mean'),
    without its masks and weights, and for float32 NumPy logits of ``_KERNEL_MIN`` values or more
    one compiled pass per row (which checks the labels itself)."""

    def forward(self, x, t):
        n = x.shape[0]
        if x.size >= _KERNEL_MIN and kernel_arrays(x) and x.flags.c_contiguous and t.dtype.kind in "iu":
            self.p = np.empty_like(x)
            total, bad = kernel_module("softmax_ce").softmax_ce_forward(x, t, self.p)  # one pass per row
            if bad >= 0:  # a replayed capture does not repeat the public function's check
                raise ValueError(_bad_label_message("cross_entropy", int(t[bad]), x.shape[1]))
            self.t, self.compiled = t, True
            return np.asarray(total / n, dtype=x.dtype)
        xp = array_module(x)
        logp = _log_softmax_last(x, xp)
        self.logp, self.t, self.compiled = logp, t, False
        rows = xp.arange(n)
        return (-logp[rows, t].sum() / n).astype(x.dtype, copy=False)

    def backward(self, g):
        # d/dz mean_i −log softmax(z_i)[t_i] = (softmax(z) − onehot(t)) / N
        n = self.t.shape[0]
        if self.compiled:
            p, writable = self.take_saved("p")
            if not writable:
                p = p.copy()
            kernel_module("softmax_ce").softmax_ce_backward(p, self.t, np.float32(g / n))
            return p, None
        xp = array_module(g)
        grad = xp.exp(self.logp)
        grad[xp.arange(n), self.t] -= 1
        grad *= (g / n).astype(grad.dtype, copy=False)
        return grad, None


def _plain_case(input, t, weight, ignore_index, label_smoothing, reduction) -> bool:
    """Whether :class:`SoftmaxCrossEntropy` computes this cross-entropy: (N, C) logits, N labels
    all in [0, C) (so none is ``ignore_index``), no weight, no smoothing, 'mean'."""
    shape = tuple(input.shape)
    if (not hasattr(t, "dtype") or weight is not None or label_smoothing or reduction != "mean" or len(shape) != 2 or not shape[0]
            or not shape[1] or tuple(t.shape) != shape[:1] or t.dtype.kind not in "iu"):
        return False
    if kernel_arrays(_array(input)) and t.size * shape[1] >= _KERNEL_MIN:
        return kernel_module("softmax_ce").first_bad_label(t, shape[1]) < 0  # one compiled pass
    return 0 <= int(t.min()) and int(t.max()) < shape[1]


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
        raise ValueError(_bad_label_message(fn, label, n_classes))


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
    if n_classes == 0:  # no class to score, even when every label is ignore_index
        raise ValueError(f"{fn}: input of shape {shape} has no classes (size 0 on its class axis {axis})")
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

    Example:
        >>> logits = nt.tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
        >>> F.cross_entropy(logits, np.array([0, 2]), reduction="none").numpy()
        array([0.2395, 1.0986], dtype=float32)
    """
    t = _array(target)
    if _plain_case(input, t, weight, ignore_index, label_smoothing, reduction):
        return SoftmaxCrossEntropy.apply(input, t)
    return _class_loss("cross_entropy", input, target, 1, weight, ignore_index, label_smoothing,
                       reduction, True)


def nll_loss(input, target, weight=None, ignore_index: int = -100, reduction: str = "mean"):
    """−w[t]·input[t]: negative log-likelihood of integer labels given log-probabilities
    (class axis 1); 'mean' is the weighted mean, as in PyTorch.

    Example:
        >>> logp = F.log_softmax(nt.tensor([[2.0, 0.0, 0.0]]))
        >>> F.nll_loss(logp, np.array([0])).item()  # same as cross_entropy on the logits
        0.2395...
    """
    return _class_loss("nll_loss", input, target, 1, weight, ignore_index, 0.0, reduction, False)
