"""Evaluation metrics as functions of whole arrays, in pure NumPy.

Classification metrics take labels, one-hot targets, probabilities or scores and decide from the
shapes: predictions with a last axis of size > 1 are class scores (argmax), a single column or a
1-D array holds labels or, when it is not whole numbers, probabilities cut at ``threshold``.
Precision, recall and F1 follow scikit-learn (rows of the confusion matrix are true classes; a
0/0 ratio counts as ``zero_division``; averages run over the classes that occur unless
``num_classes`` is given).
"""
from __future__ import annotations

import numpy as np

from ..backend import to_numpy
from ..tensor import Tensor

__all__ = [
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy", "top_k_accuracy",
    "confusion_matrix", "precision", "recall", "f1_score", "f1", "mae", "mse", "rmse", "r2", "r2_score",
]


def _np(a):
    return to_numpy(a.data if isinstance(a, Tensor) else a)


def _integral(a) -> bool:
    return a.dtype.kind in "biu" or bool(np.all(a == np.round(a)))


def _column(a):
    """(N, 1) -> (N,): a single output column is the same as a 1-D array."""
    return a[..., 0] if a.ndim >= 2 and a.shape[-1] == 1 else a


def _check_same(where, t, p, t_in, p_in):
    if t.shape != p.shape:
        raise ValueError(f"{where}: y_true of shape {t_in.shape} does not match y_pred of shape {p_in.shape}")
    if t.size == 0:
        raise ValueError(f"{where}: empty inputs")


def _class_pair(where, y_true, y_pred, threshold=0.5):
    """True and predicted class labels as equal-length 1-D int64 arrays."""
    t_in, p_in = _np(y_true), _np(y_pred)
    if p_in.ndim >= 2 and p_in.shape[-1] > 1:                       # class scores
        p = p_in.argmax(-1)
        t = t_in.argmax(-1) if t_in.shape == p_in.shape else _column(t_in)
    else:                                                            # labels or probabilities
        p = _column(p_in)
        p = p.astype(np.int64) if _integral(p) else (p > threshold).astype(np.int64)
        t = _column(t_in)
    _check_same(where, t, p, t_in, p_in)
    if not _integral(t):
        raise ValueError(f"{where}: y_true must hold class labels (whole numbers) or one-hot rows")
    return t.astype(np.int64).ravel(), p.astype(np.int64).ravel()


# --- accuracies ------------------------------------------------------------------------------------
def _binary_hits(y_true, y_pred, threshold=0.5):
    t_in, p_in = _np(y_true), _np(y_pred)
    t, p = _column(t_in), _column(p_in)
    _check_same("binary_accuracy", t, p, t_in, p_in)
    cut = 0.0 if t.min() < 0 else 0.5                                # targets {-1, +1} or {0, 1}
    return ((p > threshold) == (t > cut)).ravel()


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> float:
    """Share of outputs on the right side of ``threshold`` (targets 0/1, or -1/+1); works elementwise.

    Example:
        >>> nt.metrics.binary_accuracy(np.array([1, 0, 1, 1]), np.array([0.9, 0.2, 0.4, 0.7]))
        0.75
    """
    return float(_binary_hits(y_true, y_pred, threshold).mean())


def categorical_accuracy(y_true, y_pred) -> float:
    """Share of rows whose largest score is at the one-hot target's 1.

    Example:
        >>> nt.metrics.categorical_accuracy(np.array([[0, 1], [1, 0]]), np.array([[0.3, 0.7], [0.4, 0.6]]))
        0.5
    """
    t, p = _np(y_true), _np(y_pred)
    _check_same("categorical_accuracy", t, p, t, p)
    return float((t.argmax(-1) == p.argmax(-1)).mean())


def sparse_categorical_accuracy(y_true, y_pred) -> float:
    """Share of rows whose largest score is at the integer label ``y_true``.

    Example:
        >>> nt.metrics.sparse_categorical_accuracy(np.array([1, 0]), np.array([[0.3, 0.7], [0.9, 0.1]]))
        1.0
    """
    t, p = _class_pair("sparse_categorical_accuracy", y_true, y_pred)
    return float((t == p).mean())


def _accuracy_hits(y_true, y_pred, threshold):
    p = _np(y_pred)
    if (p.ndim >= 2 and p.shape[-1] > 1) or _integral(p):
        t, p = _class_pair("accuracy", y_true, p, threshold)
        return t == p
    return _binary_hits(y_true, p, threshold)


def accuracy(y_true, y_pred, threshold: float = 0.5) -> float:
    """Share of correct predictions, from labels, one-hot targets, probabilities or scores (like Keras 'accuracy').

    Example:
        >>> nt.metrics.accuracy([0, 2, 1], [[.9, .1, 0], [.2, .3, .5], [.6, .4, 0]])
        0.6666666666666666
    """
    return float(_accuracy_hits(y_true, y_pred, threshold).mean())


def _top_k_hits(y_true, y_score, k):
    s, t_in = _np(y_score), _np(y_true)
    if s.ndim != 2:
        raise ValueError(f"top_k_accuracy: y_score must be (N, classes), got shape {s.shape}")
    t = t_in.argmax(-1) if t_in.shape == s.shape else _column(t_in).astype(np.int64)
    if t.shape != (s.shape[0],):
        raise ValueError(f"top_k_accuracy: y_true of shape {t_in.shape} does not fit y_score of shape {s.shape}")
    true_score = s[np.arange(len(t)), t]
    return (s > true_score[:, None]).sum(1) < k                      # fewer than k classes score higher


def top_k_accuracy(y_true, y_score, k: int = 5) -> float:
    """Share of rows whose true class is among the ``k`` highest scores (ties count in its favour).

    Example:
        >>> scores = np.array([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7]])
        >>> nt.metrics.top_k_accuracy(np.array([1, 0]), scores, k=2)  # class 1 is 2nd in row 0; class 0 last in row 1
        0.5
    """
    return float(_top_k_hits(y_true, y_score, k).mean())


# --- confusion matrix, precision, recall, F1 --------------------------------------------------------
def _counts(where, t, p, num_classes):
    if min(t.min(), p.min()) < 0:
        raise ValueError(f"{where}: class labels must be >= 0, got {min(t.min(), p.min())}")
    top = int(max(t.max(), p.max())) + 1
    if num_classes is not None and top > num_classes:
        raise ValueError(f"{where}: label {top - 1} is out of range for num_classes={num_classes}")
    c = num_classes or top
    return np.bincount(t * c + p, minlength=c * c).reshape(c, c)


def confusion_matrix(y_true, y_pred, num_classes: int | None = None) -> np.ndarray:
    """int64 (C, C) counts: row = true class, column = predicted class (scikit-learn's layout).

    Example:
        >>> nt.metrics.confusion_matrix(np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]))
        array([[1, 0, 0],
               [0, 1, 1],
               [0, 0, 1]])
    """
    t, p = _class_pair("confusion_matrix", y_true, y_pred)
    return _counts("confusion_matrix", t, p, num_classes)


_AVERAGES = ("auto", "binary", "micro", "macro", "weighted", None)


def _scores_from_counts(where, cm, which, average, pos_label, all_classes, zero_division):
    """Precision, recall or F1 (``which``) from a confusion matrix."""
    if average not in _AVERAGES:
        raise ValueError(f"{where}: average must be one of {_AVERAGES}, got {average!r}")
    tp = np.diag(cm).astype(np.float64)
    fp, fn = cm.sum(0) - tp, cm.sum(1) - tp
    present = np.ones(len(cm), bool) if all_classes else (cm.sum(0) + cm.sum(1)) > 0
    if average == "auto":
        average = "binary" if len(cm) <= 2 else "macro"
    if average == "binary":
        if len(cm) > 2:
            raise ValueError(f"{where}: average='binary' needs labels 0/1, got {len(cm)} classes; "
                             f"use average='macro', 'micro' or 'weighted'")
        if not 0 <= pos_label < len(cm):
            raise ValueError(f"{where}: pos_label={pos_label} is not a class of binary labels 0/1")
        keep = np.arange(len(cm)) == pos_label
    else:
        keep = present
    tp, fp, fn, support = tp[keep], fp[keep], fn[keep], (tp + fn)[keep]
    if average == "micro":
        tp, fp, fn = tp.sum(keepdims=True), fp.sum(keepdims=True), fn.sum(keepdims=True)
    num, den = {"precision": (tp, tp + fp), "recall": (tp, tp + fn), "f1": (2 * tp, 2 * tp + fp + fn)}[which]
    score = np.where(den > 0, num / np.where(den > 0, den, 1), zero_division)
    if average is None:
        return score
    if average == "weighted":
        return float((score * support).sum() / support.sum()) if support.sum() > 0 else float(zero_division)
    return float(score.mean())


def _prf(which, y_true, y_pred, average, pos_label, num_classes, zero_division, threshold):
    t, p = _class_pair(which, y_true, y_pred, threshold)
    cm = _counts(which, t, p, num_classes)
    if len(cm) == 1:
        cm = np.pad(cm, ((0, 1), (0, 1)))
    return _scores_from_counts(which, cm, which, average, pos_label, num_classes is not None, zero_division)


def precision(y_true, y_pred, average="auto", pos_label: int = 1, num_classes=None, zero_division=0.0,
              threshold: float = 0.5):
    """Of the samples predicted as a class, the share that belong to it: tp / (tp + fp).

    Args:
        average: ``"binary"`` (the score of ``pos_label``), ``"micro"`` (pooled counts),
            ``"macro"`` (mean over classes), ``"weighted"`` (mean weighted by true counts), None
            (one score per class), or ``"auto"``: binary for labels 0/1, macro otherwise.
        num_classes: score classes 0..num_classes-1 (also the absent ones) instead of those present.
        zero_division: the value of 0/0.

    Example:
        >>> y_true, y_pred = np.array([1, 1, 0, 0]), np.array([1, 0, 1, 0])
        >>> nt.metrics.precision(y_true, y_pred), nt.metrics.precision([0, 1, 2, 2], [0, 2, 2, 2], average="macro")
        (0.5, 0.5555555555555555)
    """
    return _prf("precision", y_true, y_pred, average, pos_label, num_classes, zero_division, threshold)


def recall(y_true, y_pred, average="auto", pos_label: int = 1, num_classes=None, zero_division=0.0,
           threshold: float = 0.5):
    """Of the samples of a class, the share predicted as it: tp / (tp + fn). Arguments as ``precision``.

    Example:
        >>> nt.metrics.recall(np.array([1, 1, 1, 0]), np.array([1, 1, 0, 0]))
        0.6666666666666666
    """
    return _prf("recall", y_true, y_pred, average, pos_label, num_classes, zero_division, threshold)


def f1_score(y_true, y_pred, average="auto", pos_label: int = 1, num_classes=None, zero_division=0.0,
             threshold: float = 0.5):
    """Harmonic mean of precision and recall: 2tp / (2tp + fp + fn). Arguments as ``precision``.

    Example:
        >>> round(nt.metrics.f1_score(np.array([1, 1, 1, 0]), np.array([1, 1, 0, 1])), 4)  # precision = recall = 2/3
        0.6667
    """
    return _prf("f1", y_true, y_pred, average, pos_label, num_classes, zero_division, threshold)


f1 = f1_score


# --- regression ------------------------------------------------------------------------------------
def _regression_pair(where, y_true, y_pred):
    """float64 (N, outputs) arrays; (N,) and (N, 1) are accepted together, other mismatches are errors."""
    t_in, p_in = _np(y_true), _np(y_pred)
    t, p = _column(t_in), _column(p_in)
    _check_same(where, t, p, t_in, p_in)
    return t.reshape(len(t), -1).astype(np.float64), p.reshape(len(p), -1).astype(np.float64)


def mae(y_true, y_pred) -> float:
    """Mean absolute error over all outputs.

    Example:
        >>> nt.metrics.mae(np.array([1.0, 2.0]), np.array([2.0, 4.0]))
        1.5
    """
    t, p = _regression_pair("mae", y_true, y_pred)
    return float(np.abs(t - p).mean())


def mse(y_true, y_pred) -> float:
    """Mean squared error over all outputs.

    Example:
        >>> nt.metrics.mse(np.array([1.0, 2.0]), np.array([2.0, 4.0]))
        2.5
    """
    t, p = _regression_pair("mse", y_true, y_pred)
    return float(np.square(t - p).mean())


def rmse(y_true, y_pred) -> float:
    """Square root of the mean squared error over all outputs (Keras's RootMeanSquaredError).

    Example:
        >>> nt.metrics.rmse(np.array([0.0, 0.0]), np.array([3.0, 3.0]))
        3.0
    """
    return float(np.sqrt(mse(y_true, y_pred)))


def _r2_from(ss_res, ss_tot) -> float:
    # constant targets: 1 when predicted exactly, else 0 (scikit-learn's force_finite)
    safe = np.where(ss_tot > 0, ss_tot, 1.0)
    per_output = np.where(ss_tot > 0, 1 - ss_res / safe, np.where(ss_res == 0, 1.0, 0.0))
    return float(per_output.mean())


def r2(y_true, y_pred) -> float:
    """Coefficient of determination 1 - SS_res / SS_tot, averaged over outputs (scikit-learn's r2_score).

    Example:
        >>> y = np.array([1.0, 2.0, 3.0])
        >>> nt.metrics.r2(y, y), nt.metrics.r2(y, np.full(3, 2.0))  # perfect, and no better than the mean
        (1.0, 0.0)
    """
    t, p = _regression_pair("r2", y_true, y_pred)
    return _r2_from(np.square(t - p).sum(0), np.square(t - t.mean(0)).sum(0))


r2_score = r2
