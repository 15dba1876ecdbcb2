"""A 2-D embedding as a scatter plot, coloured by class, with a graph's edges drawn under it."""
from __future__ import annotations

import numpy as np

__all__ = ["save_embedding", "project_2d"]


def project_2d(points) -> np.ndarray:
    """``points`` (N, D) as (N, 2): unchanged for D = 2, else their first two principal components."""
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] < 2:
        raise ValueError(f"project_2d: points must be (N, D) with D >= 2, got shape {points.shape}")
    if points.shape[1] == 2:
        return points
    centred = points - points.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:2].T


def save_embedding(points, labels, path: str, *, edges=None, class_names=None, title: str = "",
                   highlight=None, annotate: bool = False) -> str:
    """Scatter ``points`` (N, 2; more columns are reduced by PCA) coloured by integer ``labels``.

    Args:
        edges: optional (2, E) node pairs drawn as thin grey lines (a graph's edges).
        class_names: legend names, one per label value.
        highlight: node indices drawn larger with a black edge (the labelled nodes).
        annotate: write each point's index next to it.

    Returns:
        ``path``.
    """
    xy = project_2d(points)
    labels = np.asarray(labels).reshape(-1)
    if len(labels) != len(xy):
        raise ValueError(f"save_embedding: {len(xy)} points but {len(labels)} labels")
    try:
        import matplotlib
    except ImportError as error:
        raise ImportError("save_embedding needs matplotlib: pip install 'neuronet[plots]'") from error
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    try:
        if edges is not None:
            e = np.asarray(edges)
            segs = np.stack([xy[e[0]], xy[e[1]]], axis=1)
            from matplotlib.collections import LineCollection
            ax.add_collection(LineCollection(segs, colors="0.8", linewidths=0.5, zorder=0))
        for c in np.unique(labels):
            sel = labels == c
            name = class_names[int(c)] if class_names is not None else str(c)
            ax.scatter(xy[sel, 0], xy[sel, 1], s=22, label=name, zorder=2)
        if highlight is not None:
            h = np.asarray(highlight)
            ax.scatter(xy[h, 0], xy[h, 1], s=120, facecolors="none", edgecolors="black", linewidths=1.5,
                       zorder=3, label="labelled")
        if annotate:
            for i, (a, b) in enumerate(xy):
                ax.annotate(str(i), (a, b), fontsize=6, xytext=(2, 2), textcoords="offset points")
        ax.legend(fontsize=8)
        ax.set_title(title)
        fig.savefig(path, dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path
