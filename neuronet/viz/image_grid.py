"""Panels of small images in one PNG, one axis each: RBM filters (weights as images, on a red-blue
scale per filter), Gibbs chains (a row per chain, labelled), flat pixel rows of any image shape.
(``images.save_image_grid`` tiles images into one picture instead: samples and reconstructions.)"""
from __future__ import annotations

import numpy as np

from ._figure import pyplot

__all__ = ["save_image_panels", "save_rbm_filters"]


def save_image_panels(images, path: str, image_shape=None, columns: int | None = None, *, title: str = "",
                    row_labels=None, symmetric: bool = False, cell: float = 0.6) -> str:
    """Draw ``images`` as a grid of grey pictures.

    Args:
        images: (n, pixels) with ``image_shape``, (n, h, w), or (rows, columns, pixels) for a
            grid laid out as given (a Gibbs chain per row, one column per step).
        path: the PNG to write.
        image_shape: (h, w) of a flat image; default a square.
        columns: images per row for a flat list (default: up to 10).
        title: figure title; row_labels: one label per row (e.g. the Gibbs step).
        symmetric: a red–blue map centred on 0 with one scale per image (for weights), instead of
            grey on [0, 1] (for pixels and probabilities).
        cell: inches per image.

    Returns:
        ``path``.

    Example:
        >>> nt.viz.save_image_panels(np.random.rand(6, 64), "panels.png", image_shape=(8, 8), columns=3)
        'panels.png'
    """
    a = np.asarray(images, dtype=np.float64)
    if a.ndim == 3 and image_shape is not None and a.shape[-1] == int(np.prod(image_shape)):
        rows, cols = a.shape[:2]
        a = a.reshape(rows * cols, -1)
    else:
        rows = cols = None
    if a.ndim == 2:
        side = int(round(np.sqrt(a.shape[1])))
        shape = tuple(image_shape) if image_shape is not None else (side, side)
        if int(np.prod(shape)) != a.shape[1]:
            raise ValueError(f"save_image_panels: images of {a.shape[1]} pixels do not fit image_shape {shape}")
        a = a.reshape((-1,) + shape)
    if a.ndim != 3 or a.shape[0] == 0:
        raise ValueError(f"save_image_panels: expected images (n, pixels), (n, h, w) or (rows, columns, pixels), "
                         f"received shape {np.shape(images)}")
    n = a.shape[0]
    if rows is None:
        cols = min(n, columns or 10)
        rows = -(-n // cols)
    plt = pyplot("save_image_panels")
    fig, axes = plt.subplots(rows, cols, figsize=(cell * cols + 0.6, cell * rows + (0.4 if title else 0.1)),
                             squeeze=False)
    try:
        for k, ax in enumerate(axes.flat):
            ax.set_xticks([])
            ax.set_yticks([])
            if k >= n:
                ax.axis("off")
                continue
            if symmetric:
                lim = np.abs(a[k]).max() or 1.0
                ax.imshow(a[k], cmap="RdBu_r", vmin=-lim, vmax=lim)
            else:
                ax.imshow(a[k], cmap="gray", vmin=0, vmax=1)
        if row_labels is not None:
            for r, label in enumerate(row_labels):
                axes[r, 0].set_ylabel(str(label), fontsize=8)
        if title:
            fig.suptitle(title)
        fig.savefig(path, dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path


def save_rbm_filters(weight, path: str, image_shape=None, count: int = 64, title: str = "RBM filters") -> str:
    """The first ``count`` rows of an RBM's ``weight`` (n_hidden, n_visible), each drawn as an image.

    Example:
        >>> nt.viz.save_rbm_filters(np.random.randn(16, 64), "filters.png", image_shape=(8, 8))
        'filters.png'
    """
    w = np.asarray(weight)
    if w.ndim != 2:
        raise ValueError(f"save_rbm_filters: weight must be (n_hidden, n_visible), received shape {w.shape}")
    return save_image_panels(w[:count], path, image_shape, columns=min(count, 16), title=title, symmetric=True)
