"""Evaluation pictures of a classifier: confusion matrix (counts and normalised), the per-class
precision/recall/F1 table, ROC and precision–recall curves for binary tasks."""
from __future__ import annotations

import numpy as np

from ._figure import finish, new_figure

__all__ = ["plot_confusion_matrix", "classification_table", "plot_classification_report", "plot_roc_pr"]


def _labels(where, y_true, y_pred):
    from ..train.metric_functions import _class_pair
    return _class_pair(where, y_true, y_pred)


def _confusion(t, p, k):
    cm = np.zeros((k, k), dtype=np.int64)
    np.add.at(cm, (t, p), 1)
    return cm


def plot_confusion_matrix(y_true, y_pred, path=None, class_names=None, title: str = ""):
    """Two panels: the counts and the rows normalised to 1 (recall of each true class on the diagonal).

    ``y_pred`` may be labels, probabilities or class scores (argmax), as in ``nt.metrics``.

    Example:
        >>> fig = nt.viz.plot_confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2], "confusion.png", class_names=["a", "b", "c"])
        >>> len([ax for ax in fig.axes if ax.images])  # counts and row-normalised
        2
    """
    t, p = _labels("plot_confusion_matrix", y_true, y_pred)
    k = max(int(t.max()), int(p.max())) + 1 if class_names is None else len(class_names)
    names = [str(c) for c in (class_names if class_names is not None else range(k))]
    cm = _confusion(t, p, k)
    norm = cm / np.maximum(cm.sum(1, keepdims=True), 1)
    size = 2.2 + 0.45 * k
    fig, axes = new_figure("plot_confusion_matrix", (2 * size + 1, size), 1, 2)
    for ax, values, label, fmt in ((axes[0, 0], cm, "counts", "d"), (axes[0, 1], norm, "normalised by true class", ".2f")):
        im = ax.imshow(values, cmap="Blues", vmin=0)
        ax.set_xticks(range(k), names, rotation=45 if max(map(len, names)) > 3 else 0, ha="right", fontsize=8)
        ax.set_yticks(range(k), names, fontsize=8)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(label, fontsize=10)
        if k <= 15:
            cut = values.max() / 2
            for i in range(k):
                for j in range(k):
                    ax.text(j, i, format(values[i, j], fmt), ha="center", va="center", fontsize=7,
                            color="white" if values[i, j] > cut else "black")
        fig.colorbar(im, ax=ax, fraction=0.046)
    fig.suptitle(title or f"confusion matrix ({len(t)} samples, accuracy {np.mean(t == p):.3f})", fontsize=11)
    fig.tight_layout()
    return finish(fig, path)


def classification_table(y_true, y_pred, num_classes=None):
    """Per-class precision, recall, F1 and support as a (K, 4) array (0/0 counts as 0), plus macro averages.

    Example:
        >>> table, averages = nt.viz.classification_table(np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]))
        >>> table.round(3).tolist()  # per class: precision, recall, F1, support
        [[1.0, 1.0, 1.0, 1.0], [1.0, 0.5, 0.667, 2.0], [0.5, 1.0, 0.667, 1.0]]
        >>> averages.round(3).tolist()  # macro precision, recall, F1
        [0.833, 0.833, 0.778]
    """
    t, p = _labels("classification_table", y_true, y_pred)
    k = num_classes or max(int(t.max()), int(p.max())) + 1
    cm = _confusion(t, p, k).astype(np.float64)
    tp = np.diag(cm)
    precision = np.divide(tp, cm.sum(0), out=np.zeros(k), where=cm.sum(0) > 0)
    recall = np.divide(tp, cm.sum(1), out=np.zeros(k), where=cm.sum(1) > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros(k), where=precision + recall > 0)
    table = np.stack([precision, recall, f1, cm.sum(1)], axis=1)
    present = cm.sum(1) > 0
    return table, table[present, :3].mean(0)


def plot_classification_report(y_true, y_pred, path=None, class_names=None, title: str = ""):
    """The per-class precision/recall/F1/support table drawn as a coloured table with macro averages.

    Example:
        >>> fig = nt.viz.plot_classification_report([0, 1, 1, 2], [0, 1, 2, 2], "report.png")
        >>> import os; os.path.exists("report.png")
        True
    """
    table, macro = classification_table(y_true, y_pred, None if class_names is None else len(class_names))
    k = table.shape[0]
    names = [str(c) for c in (class_names if class_names is not None else range(k))]
    fig, axes = new_figure("plot_classification_report", (5.2, 0.9 + 0.32 * (k + 1)))
    ax = axes[0, 0]
    values = np.vstack([table[:, :3], macro])
    ax.imshow(values, cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
    for i in range(k + 1):
        for j in range(3):
            ax.text(j, i, f"{values[i, j]:.3f}", ha="center", va="center", fontsize=8)
        ax.text(3, i, f"{int(table[i, 3])}" if i < k else f"{int(table[:, 3].sum())}", ha="center", va="center",
                fontsize=8)
    ax.set_xlim(-0.5, 3.5)
    ax.set_xticks(range(4), ["precision", "recall", "F1", "support"], fontsize=8)
    ax.xaxis.tick_top()
    ax.set_yticks(range(k + 1), names + ["macro avg"], fontsize=8)
    ax.axhline(k - 0.5, color="k", lw=1)
    ax.set_title(title or "per-class precision, recall and F1", fontsize=10, pad=22)
    return finish(fig, path)


def plot_roc_pr(y_true, scores, path=None, title: str = ""):
    """ROC curve (with AUC and the chance diagonal) beside the precision–recall curve (with average
    precision and the positive rate as the chance level), for binary labels and scores of class 1.

    Example:
        >>> fig = nt.viz.plot_roc_pr(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]), "roc.png")
        >>> len(fig.axes)  # ROC beside precision-recall
        2
    """
    from ..train.ranking_metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve
    scores = np.asarray(scores)
    if scores.ndim == 2 and scores.shape[1] == 2:
        scores = scores[:, 1]
    fpr, tpr, _ = roc_curve(y_true, scores)
    precision, recall, _ = precision_recall_curve(y_true, scores)
    y = np.asarray(y_true).reshape(-1)
    base = float(np.mean(y == y.max()))
    fig, axes = new_figure("plot_roc_pr", (9.0, 4.0), 1, 2)
    ax = axes[0, 0]
    ax.plot(fpr, tpr, lw=2, label=f"AUC = {roc_auc_score(y_true, scores):.3f}")
    ax.plot([0, 1], [0, 1], "k--", lw=0.8, label="chance")
    ax.set_xlabel("false-positive rate")
    ax.set_ylabel("true-positive rate (recall)")
    ax.set_title("ROC curve", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    ax = axes[0, 1]
    ax.step(recall, precision, where="post", lw=2, label=f"AP = {average_precision_score(y_true, scores):.3f}")
    ax.axhline(base, color="k", ls="--", lw=0.8, label=f"chance ({base:.2f})")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_ylim(0, 1.02)
    ax.set_title("precision–recall curve", fontsize=10)
    ax.legend(loc="lower left", fontsize=8)
    for a in axes.flat:
        a.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return finish(fig, path)
