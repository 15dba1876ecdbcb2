"""Evaluation metrics in pure NumPy: functions for whole arrays, streaming ``Metric`` objects for batches.

Classification metrics take labels, one-hot targets, probabilities or scores and decide from the
shapes: predictions with a last axis of size > 1 are class scores (argmax), a single column or a
1-D array holds labels or, when it is not whole numbers, probabilities cut at ``threshold``.
Precision, recall and F1 follow scikit-learn (rows of the confusion matrix are true classes; a
0/0 ratio counts as ``zero_division``; averages run over the classes that occur unless
``num_classes`` is given).  Streaming metrics (``update(y_true, y_pred)`` per batch, ``result()``,
``reset()``) give exactly the function's value on the concatenated batches.
"""
from __future__ import annotations

import re

import numpy as np

from ..backend import to_numpy
from ..tensor import Tensor

__all__ = [
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy", "top_k_accuracy",
    "confusion_matrix", "precision", "recall", "f1_score", "f1", "mae", "mse", "rmse", "r2", "r2_score",
    "Metric", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
    "TopKAccuracy", "Precision", "Recall", "F1Score", "MeanAbsoluteError", "MeanSquaredError",
    "RootMeanSquaredError", "R2Score", "FunctionMetric", "get_metric",
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
    """Share of outputs on the right side of ``threshold`` (targets 0/1, or -1/+1); works elementwise."""
    return float(_binary_hits(y_true, y_pred, threshold).mean())


def categorical_accuracy(y_true, y_pred) -> float:
    """Share of rows whose largest score is at the one-hot target's 1."""
    t, p = _np(y_true), _np(y_pred)
    _check_same("categorical_accuracy", t, p, t, p)
    return float((t.argmax(-1) == p.argmax(-1)).mean())


def sparse_categorical_accuracy(y_true, y_pred) -> float:
    """Share of rows whose largest score is at the integer label ``y_true``."""
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
        >>> accuracy([0, 2, 1], [[.9, .1, 0], [.2, .3, .5], [.6, .4, 0]])
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
    """Share of rows whose true class is among the ``k`` highest scores (ties count in its favour)."""
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
    """int64 (C, C) counts: row = true class, column = predicted class (scikit-learn's layout)."""
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
    """
    return _prf("precision", y_true, y_pred, average, pos_label, num_classes, zero_division, threshold)


def recall(y_true, y_pred, average="auto", pos_label: int = 1, num_classes=None, zero_division=0.0,
           threshold: float = 0.5):
    """Of the samples of a class, the share predicted as it: tp / (tp + fn). Arguments as ``precision``."""
    return _prf("recall", y_true, y_pred, average, pos_label, num_classes, zero_division, threshold)


def f1_score(y_true, y_pred, average="auto", pos_label: int = 1, num_classes=None, zero_division=0.0,
             threshold: float = 0.5):
    """Harmonic mean of precision and recall: 2tp / (2tp + fp + fn). Arguments as ``precision``."""
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
    """Mean absolute error over all outputs."""
    t, p = _regression_pair("mae", y_true, y_pred)
    return float(np.abs(t - p).mean())


def mse(y_true, y_pred) -> float:
    """Mean squared error over all outputs."""
    t, p = _regression_pair("mse", y_true, y_pred)
    return float(np.square(t - p).mean())


def rmse(y_true, y_pred) -> float:
    """Square root of the mean squared error over all outputs (Keras's RootMeanSquaredError)."""
    return float(np.sqrt(mse(y_true, y_pred)))


def _r2_from(ss_res, ss_tot) -> float:
    # constant targets: 1 when predicted exactly, else 0 (scikit-learn's force_finite)
    safe = np.where(ss_tot > 0, ss_tot, 1.0)
    per_output = np.where(ss_tot > 0, 1 - ss_res / safe, np.where(ss_res == 0, 1.0, 0.0))
    return float(per_output.mean())


def r2(y_true, y_pred) -> float:
    """Coefficient of determination 1 - SS_res / SS_tot, averaged over outputs (scikit-learn's r2_score)."""
    t, p = _regression_pair("r2", y_true, y_pred)
    return _r2_from(np.square(t - p).sum(0), np.square(t - t.mean(0)).sum(0))


r2_score = r2


# --- streaming metrics -----------------------------------------------------------------------------
class Metric:
    """A metric accumulated over batches: ``update(y_true, y_pred)``, ``result()``, ``reset()``.

    Calling the object updates it and returns the running result (Keras style).
    """

    name = "metric"

    def __init__(self, name: str | None = None):
        if name is not None:
            self.name = name
        self.reset()

    def reset(self) -> None:
        raise NotImplementedError

    def update(self, y_true, y_pred) -> None:
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def __call__(self, y_true, y_pred):
        self.update(y_true, y_pred)
        return self.result()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class _MeanMetric(Metric):
    """The mean of per-sample values over every batch seen."""

    def reset(self) -> None:
        self.total, self.count = 0.0, 0

    def _values(self, y_true, y_pred):
        raise NotImplementedError

    def update(self, y_true, y_pred) -> None:
        values = np.asarray(self._values(y_true, y_pred), dtype=np.float64)
        self.total += float(values.sum())
        self.count += values.size

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0


class Accuracy(_MeanMetric):
    """Accuracy that reads the task from the shapes, like Keras's ``"accuracy"`` (see ``accuracy``)."""

    name = "accuracy"

    def __init__(self, threshold: float = 0.5, name=None):
        self.threshold = threshold
        super().__init__(name)

    def _values(self, y_true, y_pred):
        return _accuracy_hits(y_true, y_pred, self.threshold)


class BinaryAccuracy(Accuracy):
    """Share of outputs on the right side of ``threshold``; elementwise, so also multi-label."""

    name = "binary_accuracy"

    def _values(self, y_true, y_pred):
        return _binary_hits(y_true, y_pred, self.threshold)


class CategoricalAccuracy(_MeanMetric):
    """Accuracy against one-hot targets."""

    name = "categorical_accuracy"

    def _values(self, y_true, y_pred):
        t, p = _np(y_true), _np(y_pred)
        _check_same(self.name, t, p, t, p)
        return t.argmax(-1) == p.argmax(-1)


class SparseCategoricalAccuracy(_MeanMetric):
    """Accuracy of class scores against integer labels."""

    name = "sparse_categorical_accuracy"

    def _values(self, y_true, y_pred):
        t, p = _class_pair(self.name, y_true, y_pred)
        return t == p


class TopKAccuracy(_MeanMetric):
    """Share of samples whose true class is among the ``k`` highest scores."""

    def __init__(self, k: int = 5, name=None):
        self.k = int(k)
        self.name = f"top_{self.k}_accuracy"
        super().__init__(name)

    def _values(self, y_true, y_pred):
        return _top_k_hits(y_true, y_pred, self.k)


class MeanAbsoluteError(_MeanMetric):
    name = "mae"

    def _values(self, y_true, y_pred):
        t, p = _regression_pair(self.name, y_true, y_pred)
        return np.abs(t - p)


class MeanSquaredError(_MeanMetric):
    name = "mse"

    def _values(self, y_true, y_pred):
        t, p = _regression_pair(self.name, y_true, y_pred)
        return np.square(t - p)


class RootMeanSquaredError(MeanSquaredError):
    name = "rmse"

    def result(self) -> float:
        return float(np.sqrt(super().result()))


class FunctionMetric(_MeanMetric):
    """Wrap ``fn(y_true, y_pred) -> float`` (a batch mean) as a metric averaged over samples."""

    def __init__(self, fn, name=None):
        self.fn = fn
        super().__init__(name or getattr(fn, "__name__", "metric"))

    def update(self, y_true, y_pred) -> None:
        n = len(_np(y_true))
        self.total += float(self.fn(y_true, y_pred)) * n
        self.count += n


class R2Score(Metric):
    """R² over batches, merging per-output means and sums of squares exactly (Chan et al.)."""

    name = "r2"

    def reset(self) -> None:
        self.n, self.mean, self.m2, self.ss_res = 0, 0.0, 0.0, 0.0

    def update(self, y_true, y_pred) -> None:
        t, p = _regression_pair(self.name, y_true, y_pred)
        nb, mb = len(t), t.mean(0)
        delta, n = mb - self.mean, self.n + nb
        self.m2 = self.m2 + np.square(t - mb).sum(0) + np.square(delta) * self.n * nb / n
        self.mean = self.mean + delta * nb / n
        self.ss_res = self.ss_res + np.square(t - p).sum(0)
        self.n = n

    def result(self) -> float:
        return _r2_from(np.asarray(self.ss_res), np.asarray(self.m2)) if self.n else 0.0


def _pad_to(matrix, size: int):
    extra = size - len(matrix)
    return np.pad(matrix, ((0, extra), (0, extra)))


class _ConfusionMetric(Metric):
    """Precision, recall or F1 from a confusion matrix grown over batches."""

    which = "precision"

    def __init__(self, average="auto", pos_label: int = 1, num_classes=None, zero_division=0.0,
                 threshold: float = 0.5, name=None):
        if average not in _AVERAGES:
            raise ValueError(f"{type(self).__name__}: average must be one of {_AVERAGES}, got {average!r}")
        self.average, self.pos_label, self.num_classes = average, pos_label, num_classes
        self.zero_division, self.threshold = zero_division, threshold
        super().__init__(name)

    def reset(self) -> None:
        self.counts = np.zeros((max(2, self.num_classes or 2),) * 2, dtype=np.int64)

    def update(self, y_true, y_pred) -> None:
        t, p = _class_pair(self.name, y_true, y_pred, self.threshold)
        cm = _counts(self.name, t, p, self.num_classes)
        size = max(len(cm), len(self.counts))                          # a new label grows the matrix
        self.counts = _pad_to(self.counts, size) + _pad_to(cm, size)

    def result(self):
        return _scores_from_counts(self.name, self.counts, self.which, self.average, self.pos_label,
                                   self.num_classes is not None, self.zero_division)


class Precision(_ConfusionMetric):
    """Streaming ``precision`` (same arguments)."""

    name, which = "precision", "precision"


class Recall(_ConfusionMetric):
    """Streaming ``recall`` (same arguments)."""

    name, which = "recall", "recall"


class F1Score(_ConfusionMetric):
    """Streaming ``f1_score`` (same arguments)."""

    name, which = "f1", "f1"


_BY_NAME = {
    "accuracy": Accuracy, "acc": Accuracy, "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy, "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "top_k_accuracy": TopKAccuracy, "top_k_categorical_accuracy": TopKAccuracy,
    "precision": Precision, "recall": Recall, "f1": F1Score, "f1_score": F1Score,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "rmse": RootMeanSquaredError, "root_mean_squared_error": RootMeanSquaredError,
    "r2": R2Score, "r2_score": R2Score,
}


def get_metric(metric) -> Metric:
    """A fresh ``Metric`` from a name ("accuracy", "acc", "top5", "f1", "mae", ...), a class, an
    instance (returned as is) or a function ``fn(y_true, y_pred) -> float``.

    The metric is named by the string given, so ``metrics=["acc"]`` logs ``"acc"`` and ``"val_acc"``.
    """
    if isinstance(metric, Metric):
        return metric
    if isinstance(metric, type) and issubclass(metric, Metric):
        return metric()
    if isinstance(metric, str):
        key = metric.lower()
        top = re.fullmatch(r"top_?(\d+)(_accuracy)?", key)
        if top:
            return TopKAccuracy(int(top.group(1)), name=metric)
        if key in _BY_NAME:
            return _BY_NAME[key](name=metric)
        raise ValueError(f"get_metric: unknown metric {metric!r}; expected one of {sorted(_BY_NAME)} or 'topK'")
    if callable(metric):
        return FunctionMetric(metric)
    raise TypeError(f"get_metric: expected a name, a Metric or a function, got {type(metric).__name__}")
