"""Softmax cross-entropy on integer labels, one compiled pass per row (optional numba kernel, see
``compiled.py``; importing this module imports numba).

The NumPy reference (``functional/class_loss.py``) takes about a dozen whole-array calls for the
log-softmax, the picked log-probabilities and the mean, and as many for the gradient.  Here each
row is read for its maximum, then once more for the exponentials, which are kept (as softmax
probabilities) for the gradient: softmax(z) − onehot(t), scaled.  Labels are checked in the same
pass, so a bad label is reported and never read out of bounds.
"""
from __future__ import annotations

from ..backend import np
from .compiled import compile_kernel

__all__ = ["first_bad_label", "softmax_ce_forward", "softmax_ce_backward"]


@compile_kernel
def first_bad_label(t, n_classes):
    """The index of the first label outside [0, n_classes), or −1 when every label is in range."""
    for i in range(t.size):
        if t[i] < 0 or t[i] >= n_classes:
            return i
    return -1


@compile_kernel
def softmax_ce_forward(x, t, probs):
    """Σ_rows (logsumexp(x_i) − x_i[t_i]) as a float64, and probs = softmax(x) row by row; returns
    (sum, −1), or (0, i) for the first row i whose label is outside [0, classes) (probs then
    incomplete).  x, probs: C-contiguous float32 (rows, classes); t: integer (rows,)."""
    rows, classes = x.shape
    total = 0.0
    for i in range(rows):
        label = t[i]
        if label < 0 or label >= classes:
            return 0.0, i
        r, p = x[i], probs[i]
        m = r[0]
        for j in range(1, classes):
            m = max(m, r[j])
        s = np.float32(0.0)
        for j in range(classes):
            e = np.exp(r[j] - m)
            p[j] = e
            s += e
        inv = np.float32(1.0) / s
        for j in range(classes):
            p[j] *= inv
        total += np.float64(m) + np.log(np.float64(s)) - np.float64(r[label])
    return total, -1


@compile_kernel
def softmax_ce_backward(probs, t, scale):
    """probs ← scale·(probs − onehot(t)) in place: the gradient of the summed loss times ``scale``
    (float32; the caller's labels were checked by :func:`softmax_ce_forward`)."""
    rows, classes = probs.shape
    for i in range(rows):
        p = probs[i]
        for j in range(classes):
            p[j] *= scale
        p[t[i]] -= scale
