"""Threshold-free metrics of binary scores: ROC and precision–recall curves, their areas (pure NumPy).

Same definitions and values as scikit-learn's ``roc_curve``, ``roc_auc_score``,
``precision_recall_curve`` and ``average_precision_score`` (checked in tests/viz/test_classification_plots.py).
"""
from __future__ import annotations

import numpy as np

__all__ = ["roc_curve", "roc_auc_score", "precision_recall_curve", "average_precision_score"]


def _binary(where, y_true, scores):
    y = np.asarray(y_true).reshape(-1)
    s = np.asarray(scores, dtype=np.float64).reshape(-1)
    if y.shape != s.shape:
        raise ValueError(f"{where}: {y.size} labels but {s.size} scores")
    classes = np.unique(y)
    if not set(classes.tolist()) <= {0, 1, -1, True, False} or len(classes) != 2:
        raise ValueError(f"{where}: needs binary labels with both classes present (0/1 or -1/+1), got {classes.tolist()}")
    return (y == classes.max()).astype(np.float64), s


def _counts(y, s):
    """True and false positives at every distinct score taken as the threshold (descending)."""
    order = np.argsort(-s, kind="mergesort")
    y, s = y[order], s[order]
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]            # the last index of each distinct score
    tps = np.cumsum(y)[last]
    fps = (last + 1) - tps
    return fps, tps, s[last]


def roc_curve(y_true, scores):
    """(false-positive rate, true-positive rate, thresholds), starting at (0, 0) with threshold +inf."""
    y, s = _binary("roc_curve", y_true, scores)
    fps, tps, thr = _counts(y, s)
    fps, tps, thr = np.r_[0, fps], np.r_[0, tps], np.r_[np.inf, thr]
    return fps / fps[-1], tps / tps[-1], thr


def roc_auc_score(y_true, scores) -> float:
    """Area under the ROC curve (trapezoids): the chance a random positive outscores a random negative."""
    fpr, tpr, _ = roc_curve(y_true, scores)
    return float(np.trapezoid(tpr, fpr) if hasattr(np, "trapezoid") else np.trapz(tpr, fpr))


def precision_recall_curve(y_true, scores):
    """(precision, recall, thresholds) for rising thresholds, ending at precision 1, recall 0 (scikit-learn's order)."""
    y, s = _binary("precision_recall_curve", y_true, scores)
    fps, tps, thr = _counts(y, s)
    precision = tps / np.maximum(tps + fps, 1)
    recall = tps / tps[-1]
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], thr[::-1]


def average_precision_score(y_true, scores) -> float:
    """AP = Σ (R_k − R_{k−1})·P_k: precision averaged over the recall steps (no interpolation)."""
    precision, recall, _ = precision_recall_curve(y_true, scores)
    return float(-np.sum(np.diff(recall) * precision[:-1]))
