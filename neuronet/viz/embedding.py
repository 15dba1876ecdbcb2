"""2-D projections of embeddings or hidden features coloured by class: PCA built in, t-SNE
(scikit-learn) and UMAP (umap-learn) when the user has them."""
from __future__ import annotations

import numpy as np

from ._figure import finish, new_figure

__all__ = ["project_2d", "plot_embedding", "save_embedding"]


def project_2d(x, method: str = "pca", seed: int = 0) -> np.ndarray:
    """(N, D) → (N, 2).  ``"pca"``: the first two principal components (SVD of the centred data, signs fixed
    so that each component's largest loading is positive); ``"tsne"``, ``"umap"``: the optional packages.

    Example:
        >>> x = np.random.default_rng(0).normal(size=(100, 5)) * [10, 1, 1, 1, 1]
        >>> p = nt.viz.project_2d(x)
        >>> p.shape, bool(p[:, 0].std() > p[:, 1].std())  # the first component has the most variance
        ((100, 2), True)
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(f"project_2d: expected points (N >= 2, D), got shape {x.shape}")
    if method == "pca":
        centred = x - x.mean(0)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        vt = vt[:2] * np.sign(vt[:2][np.arange(min(2, len(vt))), np.abs(vt[:2]).argmax(1)])[:, None]
        out = centred @ vt.T
        return out if out.shape[1] == 2 else np.c_[out, np.zeros(len(out))]
    if method == "tsne":
        try:
            from sklearn.manifold import TSNE
        except ImportError as error:
            raise ImportError("project_2d(method='tsne') needs scikit-learn: pip install scikit-learn") from error
        return TSNE(2, random_state=seed, perplexity=min(30.0, (len(x) - 1) / 3), init="pca").fit_transform(x)
    if method == "umap":
        try:
            import umap
        except ImportError as error:
            raise ImportError("project_2d(method='umap') needs umap-learn: pip install umap-learn") from error
        return umap.UMAP(n_components=2, random_state=seed).fit_transform(x)
    raise ValueError(f"project_2d: method must be 'pca', 'tsne' or 'umap', got {method!r}")


def plot_embedding(x, labels, path=None, method: str = "pca", class_names=None, title: str = "", seed: int = 0):
    """Scatter of the 2-D projection of ``x`` (N, D), one colour per class, with a legend of class names.

    Example:
        >>> x, y = nt.data.load_iris()
        >>> fig = nt.viz.plot_embedding(x, y, "iris.png", class_names=["setosa", "versicolor", "virginica"])
        >>> import os; os.path.exists("iris.png")
        True
    """
    labels = np.asarray(labels).reshape(-1)
    if len(labels) != len(x):
        raise ValueError(f"plot_embedding: {len(x)} points but {len(labels)} labels")
    xy = project_2d(x, method, seed)
    fig, axes = new_figure("plot_embedding", (5.6, 4.8))
    ax = axes[0, 0]
    from matplotlib import colormaps
    cmap = colormaps["tab10" if len(np.unique(labels)) <= 10 else "tab20"]
    for i, c in enumerate(np.unique(labels)):
        sel = labels == c
        name = class_names[int(c)] if class_names is not None else str(c)
        ax.scatter(xy[sel, 0], xy[sel, 1], s=8, color=cmap(i % cmap.N), label=name, alpha=0.8)
    ax.legend(fontsize=7, markerscale=2, loc="best")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title or f"{method.upper()} projection of {x.shape[1]}-D points", fontsize=10)
    return finish(fig, path)


def save_embedding(points, labels, path: str, *, edges=None, class_names=None, title: str = "",
                   highlight=None, annotate: bool = False) -> str:
    """Scatter ``points`` (N, 2; more columns are reduced by PCA) coloured by integer ``labels``, with
    a graph's edges under them (the node embeddings of the graph recipes).

    Args:
        edges: optional (2, E) node pairs drawn as thin grey lines (a graph's edges).
        class_names: legend names, one per label value.
        highlight: node indices drawn larger with a black edge (the labelled nodes).
        annotate: write each point's index next to it.

    Returns:
        ``path``.

    Example:
        >>> points = np.random.randn(34, 2)
        >>> nt.viz.save_embedding(points, np.arange(34) % 2, "karate.png", edges=np.array([[0, 1], [1, 2]]))
        'karate.png'
    """
    points = np.asarray(points, dtype=np.float64)
    xy = points if points.ndim == 2 and points.shape[1] == 2 else project_2d(points)
    labels = np.asarray(labels).reshape(-1)
    if len(labels) != len(xy):
        raise ValueError(f"save_embedding: {len(xy)} points but {len(labels)} labels")
    fig, axes = new_figure("save_embedding", (5.5, 4.5))
    ax = axes[0, 0]
    if edges is not None:
        from matplotlib.collections import LineCollection
        e = np.asarray(edges)
        ax.add_collection(LineCollection(np.stack([xy[e[0]], xy[e[1]]], axis=1), colors="0.8", linewidths=0.5,
                                         zorder=0))
    for c in np.unique(labels):
        sel = labels == c
        ax.scatter(xy[sel, 0], xy[sel, 1], s=22, label=class_names[int(c)] if class_names is not None else str(c),
                   zorder=2)
    if highlight is not None:
        h = np.asarray(highlight)
        ax.scatter(xy[h, 0], xy[h, 1], s=120, facecolors="none", edgecolors="black", linewidths=1.5, zorder=3,
                   label="labelled")
    if annotate:
        for i, (a, b) in enumerate(xy):
            ax.annotate(str(i), (a, b), fontsize=6, xytext=(2, 2), textcoords="offset points")
    ax.legend(fontsize=8)
    ax.set_title(title)
    finish(fig, path, dpi=110)
    return path
