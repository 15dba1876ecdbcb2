"""Pictures of attributions: an image beside its attribution map, and the SHAP picture (each image
with one red/blue map per class: red pushes the class's output up, blue down)."""
from __future__ import annotations

import numpy as np

from ._figure import finish, new_figure

__all__ = ["plot_attributions", "plot_shap_images"]


def _grey(img):
    img = np.asarray(img, dtype=np.float64)
    return img[0] if img.ndim == 3 and img.shape[0] == 1 else (img.mean(0) if img.ndim == 3 else img)


def plot_attributions(images, attributions, path=None, titles=None, title: str = ""):
    """A row per method: ``attributions`` is ``{method: (N, ...)}`` of the images' shape; the first
    row shows the images.  Maps use a symmetric red (+) / blue (−) scale per map.

    Example:
        >>> images = np.random.rand(2, 1, 8, 8)
        >>> fig = nt.viz.plot_attributions(images, {"saliency": np.random.rand(2, 1, 8, 8)}, "attributions.png")
        >>> import os; os.path.exists("attributions.png")
        True
    """
    images = np.asarray(images)
    if not isinstance(attributions, dict):
        attributions = {"attribution": attributions}
    n = len(images)
    for name, a in attributions.items():
        if np.asarray(a).shape[0] != n:
            raise ValueError(f"plot_attributions: {name!r} has {np.asarray(a).shape[0]} maps for {n} images")
    rows = 1 + len(attributions)
    fig, axes = new_figure("plot_attributions", (1.7 * n + 1, 1.8 * rows), rows, n)
    for j in range(n):
        axes[0, j].imshow(_grey(images[j]), cmap="gray")
        if titles is not None:
            axes[0, j].set_title(str(titles[j]), fontsize=8)
        for r, (name, a) in enumerate(attributions.items(), start=1):
            m = _grey(np.asarray(a)[j])
            lim = np.abs(m).max() or 1.0
            axes[r, j].imshow(_grey(images[j]), cmap="gray", alpha=0.25)
            axes[r, j].imshow(m, cmap="bwr", vmin=-lim, vmax=lim, alpha=0.85)
            if j == 0:
                axes[r, j].set_ylabel(name, fontsize=8)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0, 0].set_ylabel("input", fontsize=8)
    fig.suptitle(title or "attributions (red raises the output, blue lowers it)", fontsize=10)
    fig.tight_layout()
    return finish(fig, path)


def plot_shap_images(images, values, path=None, class_names=None, image_titles=None, title: str = ""):
    """The SHAP picture: each image (row) followed by its Shapley-value map for every class (columns),
    red = evidence for the class, blue = against, one colour scale for the whole figure.

    ``values``: (N, K, H, W) or (N, H, W, K) per-pixel values (expand superpixel values to pixels first).

    Example:
        >>> images = np.random.rand(2, 1, 8, 8)
        >>> values = np.random.randn(2, 3, 8, 8)  # (images, classes, H, W)
        >>> fig = nt.viz.plot_shap_images(images, values, "shap.png", class_names=["a", "b", "c"])
        >>> import os; os.path.exists("shap.png")
        True
    """
    images = np.asarray(images)
    v = np.asarray(values, dtype=np.float64)
    n = len(images)
    hw = _grey(images[0]).shape
    if v.ndim == 4 and v.shape[-2:] == hw:
        pass
    elif v.ndim == 4 and v.shape[1:3] == hw:
        v = v.transpose(0, 3, 1, 2)
    else:
        raise ValueError(f"plot_shap_images: expected values (N, K, H, W) or (N, H, W, K) with H, W = {hw}, "
                         f"got {v.shape}")
    k = v.shape[1]
    lim = np.percentile(np.abs(v), 99.9) or 1.0
    fig, axes = new_figure("plot_shap_images", (1.35 * (k + 1) + 0.6, 1.45 * n + 0.9), n, k + 1)
    for i in range(n):
        axes[i, 0].imshow(_grey(images[i]), cmap="gray")
        if image_titles is not None:
            axes[i, 0].set_title(str(image_titles[i]), fontsize=7)
        for c in range(k):
            ax = axes[i, c + 1]
            ax.imshow(_grey(images[i]), cmap="gray", alpha=0.2)
            im = ax.imshow(v[i, c], cmap="bwr", vmin=-lim, vmax=lim, alpha=0.9)
            if i == 0:
                ax.set_title(str(class_names[c]) if class_names is not None else f"class {c}", fontsize=7)
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(im, ax=list(axes.flat), orientation="horizontal", fraction=0.03, pad=0.04, label="SHAP value")
    fig.suptitle(title or "SHAP values per class (red: for the class, blue: against)", fontsize=10)
    return finish(fig, path)
