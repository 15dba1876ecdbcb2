"""Word vectors in 2-D: the projection of ``project_2d`` (PCA, or t-SNE/UMAP when installed), each
point labelled with its word and coloured by a group (the word2vec recipes' picture)."""
from __future__ import annotations

import numpy as np

from ._figure import finish, new_figure
from .embedding import project_2d

__all__ = ["plot_word_embedding"]


def plot_word_embedding(vectors, words, path=None, groups=None, group_names=None, method: str = "pca",
                        title: str = "", seed: int = 0):
    """Scatter of word vectors (N, D) projected to 2-D, each point annotated with its word.

    Args:
        vectors: (N, D) word vectors, row i for ``words[i]``.
        words: the N words.
        groups: optional N integer group ids (colours), with ``group_names`` for the legend.
        method: ``"pca"`` (built in), ``"tsne"`` or ``"umap"`` (optional packages).

    Returns:
        The matplotlib Figure (also written to ``path`` as PNG when given).

    Example:
        >>> words = ["king", "queen", "man", "woman", "apple", "pear"]
        >>> fig = nt.viz.plot_word_embedding(np.random.randn(6, 10), words, "words.png",
        ...                                  groups=[0, 0, 0, 0, 1, 1], group_names=["people", "fruit"])
        >>> fig.axes[0].get_title(), [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        ('PCA projection of 10-D word vectors', ['people', 'fruit'])
    """
    vectors = np.asarray(vectors, dtype=np.float64)
    words = list(words)
    if vectors.ndim != 2 or len(words) != len(vectors):
        raise ValueError(f"plot_word_embedding: expected vectors (N, D) and N words; got vectors of shape "
                         f"{vectors.shape} and {len(words)} words")
    groups = np.zeros(len(words), dtype=int) if groups is None else np.asarray(groups).reshape(-1)
    if len(groups) != len(words):
        raise ValueError(f"plot_word_embedding: {len(words)} words but {len(groups)} group ids")
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)  # cosine geometry
    xy = project_2d(unit, method, seed)
    fig, axes = new_figure("plot_word_embedding", (7.0, 5.6))
    ax = axes[0, 0]
    from matplotlib import colormaps
    cmap = colormaps["tab10"]
    for i, g in enumerate(np.unique(groups)):
        sel = groups == g
        label = group_names[int(g)] if group_names is not None else None
        ax.scatter(xy[sel, 0], xy[sel, 1], s=14, color=cmap(i % cmap.N), label=label)
        for (x, y), w in zip(xy[sel], np.array(words, dtype=object)[sel]):
            ax.annotate(w, (x, y), fontsize=7, xytext=(2, 2), textcoords="offset points", color=cmap(i % cmap.N))
    if group_names is not None:
        ax.legend(fontsize=7, loc="best")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title or f"{method.upper()} projection of {vectors.shape[1]}-D word vectors", fontsize=10)
    return finish(fig, path)
