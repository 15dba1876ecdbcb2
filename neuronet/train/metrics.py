"""Evaluation metrics: the functions of whole arrays (``metric_functions``) and streaming
``Metric`` objects for batches (``update(y_true, y_pred)`` per batch, ``result()``, ``reset()``),
which give exactly the function's value on the concatenated batches.
"""
from __future__ import annotations

import re

import numpy as np

from .metric_functions import *  # noqa: F401,F403
from .metric_functions import (_AVERAGES, _accuracy_hits, _binary_hits, _check_same, _class_pair, _counts, _np,
                               _r2_from, _regression_pair, _scores_from_counts, _top_k_hits)
from .metric_functions import __all__ as _functions

__all__ = [*_functions,
    "Metric", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
    "TopKAccuracy", "Precision", "Recall", "F1Score", "MeanAbsoluteError", "MeanSquaredError",
    "RootMeanSquaredError", "R2Score", "FunctionMetric", "get_metric",
]


class Metric:
    """A metric accumulated over batches: ``update(y_true, y_pred)``, ``result()``, ``reset()``.

    Calling the object updates it and returns the running result (Keras style).

    Example:
        >>> class MaxError(nt.metrics.Metric):
        ...     name = "max_error"
        ...     def reset(self):
        ...         self.worst = 0.0
        ...     def update(self, y_true, y_pred):
        ...         self.worst = max(self.worst, float(np.abs(np.asarray(y_true) - np.asarray(y_pred)).max()))
        ...     def result(self):
        ...         return self.worst
        >>> m = MaxError()
        >>> m.update([1.0, 2.0], [1.5, 2.0]); m.update([0.0], [2.0])
        >>> m.result()
        2.0
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
    """Accuracy that reads the task from the shapes, like Keras's ``"accuracy"`` (see ``accuracy``).

    Example:
        >>> acc = nt.metrics.Accuracy()
        >>> acc.update(np.array([0, 1]), np.array([[0.9, 0.1], [0.2, 0.8]]))  # class scores: argmax
        >>> acc.update(np.array([1]), np.array([[0.6, 0.4]]))
        >>> round(acc.result(), 4)
        0.6667
    """

    name = "accuracy"

    def __init__(self, threshold: float = 0.5, name=None):
        self.threshold = threshold
        super().__init__(name)

    def _values(self, y_true, y_pred):
        return _accuracy_hits(y_true, y_pred, self.threshold)


class BinaryAccuracy(Accuracy):
    """Share of outputs on the right side of ``threshold``; elementwise, so also multi-label.

    Example:
        >>> acc = nt.metrics.BinaryAccuracy()
        >>> acc.update(np.array([[1], [0]]), np.array([[0.7], [0.6]]))
        >>> acc.result()
        0.5
    """

    name = "binary_accuracy"

    def _values(self, y_true, y_pred):
        return _binary_hits(y_true, y_pred, self.threshold)


class CategoricalAccuracy(_MeanMetric):
    """Accuracy against one-hot targets.

    Example:
        >>> acc = nt.metrics.CategoricalAccuracy()
        >>> acc.update(np.array([[0, 1], [1, 0]]), np.array([[0.3, 0.7], [0.1, 0.9]]))
        >>> acc.result()
        0.5
    """

    name = "categorical_accuracy"

    def _values(self, y_true, y_pred):
        t, p = _np(y_true), _np(y_pred)
        _check_same(self.name, t, p, t, p)
        return t.argmax(-1) == p.argmax(-1)


class SparseCategoricalAccuracy(_MeanMetric):
    """Accuracy of class scores against integer labels.

    Example:
        >>> acc = nt.metrics.SparseCategoricalAccuracy()
        >>> acc.update(np.array([2, 0]), np.array([[0.1, 0.2, 0.7], [0.5, 0.4, 0.1]]))
        >>> acc.result()
        1.0
    """

    name = "sparse_categorical_accuracy"

    def _values(self, y_true, y_pred):
        t, p = _class_pair(self.name, y_true, y_pred)
        return t == p


class TopKAccuracy(_MeanMetric):
    """Share of samples whose true class is among the ``k`` highest scores.

    Example:
        >>> top2 = nt.metrics.TopKAccuracy(k=2)
        >>> top2.update(np.array([1, 0]), np.array([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7]]))
        >>> top2.result()
        0.5
    """

    def __init__(self, k: int = 5, name=None):
        self.k = int(k)
        self.name = f"top_{self.k}_accuracy"
        super().__init__(name)

    def _values(self, y_true, y_pred):
        return _top_k_hits(y_true, y_pred, self.k)


class MeanAbsoluteError(_MeanMetric):
    """Mean absolute error over every output of every batch seen (``"mae"``).

    Example:
        >>> m = nt.metrics.MeanAbsoluteError()
        >>> m.update(np.array([1.0, 2.0]), np.array([2.0, 2.0])); m.update(np.array([0.0]), np.array([2.0]))
        >>> m.result()  # (1 + 0 + 2) / 3
        1.0
    """

    name = "mae"

    def _values(self, y_true, y_pred):
        t, p = _regression_pair(self.name, y_true, y_pred)
        return np.abs(t - p)


class MeanSquaredError(_MeanMetric):
    """Mean squared error over every output of every batch seen (``"mse"``).

    Example:
        >>> m = nt.metrics.MeanSquaredError()
        >>> m.update(np.array([1.0, 2.0]), np.array([2.0, 2.0])); m.update(np.array([0.0]), np.array([2.0]))
        >>> round(m.result(), 4)  # (1 + 0 + 4) / 3
        1.6667
    """

    name = "mse"

    def _values(self, y_true, y_pred):
        t, p = _regression_pair(self.name, y_true, y_pred)
        return np.square(t - p)


class RootMeanSquaredError(MeanSquaredError):
    """Square root of the mean squared error over every batch seen (``"rmse"``).

    Example:
        >>> m = nt.metrics.RootMeanSquaredError()
        >>> m.update(np.array([0.0, 0.0]), np.array([3.0, 3.0]))
        >>> m.result()
        3.0
    """

    name = "rmse"

    def result(self) -> float:
        return float(np.sqrt(super().result()))


class FunctionMetric(_MeanMetric):
    """Wrap ``fn(y_true, y_pred) -> float`` (a batch mean) as a metric averaged over samples.

    Example:
        >>> worst = nt.metrics.FunctionMetric(lambda t, p: float(np.abs(t - p).max()), name="max_abs")
        >>> worst.update(np.array([1.0]), np.array([3.0])); worst.update(np.array([1.0]), np.array([1.0]))
        >>> worst.result(), worst.name  # averaged over the batches
        (1.0, 'max_abs')
    """

    def __init__(self, fn, name=None):
        self.fn = fn
        super().__init__(name or getattr(fn, "__name__", "metric"))

    def update(self, y_true, y_pred) -> None:
        n = len(_np(y_true))
        self.total += float(self.fn(y_true, y_pred)) * n
        self.count += n


class R2Score(Metric):
    """R² over batches, merging per-output means and sums of squares exactly (Chan et al.).

    Example:
        >>> m = nt.metrics.R2Score()
        >>> m.update(np.array([1.0, 2.0]), np.array([1.0, 2.0])); m.update(np.array([3.0]), np.array([3.0]))
        >>> m.result()
        1.0
    """

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
    """Streaming ``precision`` (same arguments).

    Example:
        >>> p = nt.metrics.Precision()
        >>> p.update(np.array([1, 0]), np.array([1, 1])); p.update(np.array([1]), np.array([1]))
        >>> round(p.result(), 4)  # 2 of 3 positive predictions right, over both batches
        0.6667
    """

    name, which = "precision", "precision"


class Recall(_ConfusionMetric):
    """Streaming ``recall`` (same arguments).

    Example:
        >>> r = nt.metrics.Recall()
        >>> r.update(np.array([1, 1]), np.array([1, 0])); r.update(np.array([1, 0]), np.array([1, 0]))
        >>> round(r.result(), 4)
        0.6667
    """

    name, which = "recall", "recall"


class F1Score(_ConfusionMetric):
    """Streaming ``f1_score`` (same arguments).

    Example:
        >>> f1 = nt.metrics.F1Score()
        >>> f1.update(np.array([1, 1, 0]), np.array([1, 0, 1]))
        >>> f1.result()
        0.5
    """

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

    Example:
        >>> m = nt.metrics.get_metric("top5")
        >>> type(m).__name__, m.k
        ('TopKAccuracy', 5)
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
