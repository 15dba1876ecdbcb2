"""Image grids written to PNG: samples, reconstructions (input / output rows), denoising
before/after, interpolations — what the auto-encoder and GAN chapters show."""
from __future__ import annotations

import numpy as np

from ._figure import pyplot

__all__ = ["image_grid", "save_image_grid", "save_image_rows"]


def _pyplot():
    """pyplot with the user's backend kept (Agg only without a display: ``neuronet/_pyplot.py``)."""
    return pyplot("neuronet.viz image plots")


def _as_images(images, where):
    a = np.asarray(images, dtype=np.float64)
    if a.ndim == 4 and a.shape[1] in (1, 3):
        a = a.transpose(0, 2, 3, 1)
        a = a[..., 0] if a.shape[-1] == 1 else a
    if a.ndim not in (3, 4):
        raise ValueError(f"{where}: expected images (N, C, H, W), (N, H, W) or (N, H, W, 3), got shape {np.shape(images)}")
    return a


def image_grid(images, ncols: int = 8, pad: int = 1, value_range=(0.0, 1.0)):
    """Tile images (N, C, H, W) into one (rows·H, ncols·W[, 3]) array in [0, 1], ``pad`` pixels apart;
    ``value_range`` maps e.g. tanh outputs (−1, 1) to [0, 1].

    Example:
        >>> grid = nt.viz.image_grid(np.ones((10, 1, 8, 8)), ncols=5, pad=1)
        >>> grid.shape  # 2 rows of 5, one padding pixel between tiles
        (17, 44)
    """
    a = _as_images(images, "image_grid")
    lo, hi = value_range
    a = np.clip((a - lo) / (hi - lo), 0, 1)
    n, h, w = a.shape[:3]
    rows = -(-n // ncols)
    grid = np.ones((rows * (h + pad) - pad, ncols * (w + pad) - pad) + a.shape[3:])
    for i in range(n):  # loop over tiles (not pixels): at most a few hundred
        r, c = divmod(i, ncols)
        grid[r * (h + pad):r * (h + pad) + h, c * (w + pad):c * (w + pad) + w] = a[i]
    return grid


def save_image_grid(images, path: str, ncols: int = 8, title: str = "", value_range=(0.0, 1.0),
                    pixels: int = 3) -> str:
    """Write ``images`` tiled ``ncols`` wide to a PNG, each image pixel ``pixels`` screen pixels wide
    (whole numbers keep every tile the same size); returns path.

    Example:
        >>> nt.viz.save_image_grid(np.random.rand(16, 1, 8, 8), "grid.png", ncols=4)
        'grid.png'
    """
    plt = _pyplot()
    grid = image_grid(images, ncols, value_range=value_range)
    fig, ax = plt.subplots(figsize=(grid.shape[1] * pixels / 100, grid.shape[0] * pixels / 100 + (0.3 if title else 0)))
    try:
        ax.imshow(grid, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.axis("off")
        if title:
            ax.set_title(title, fontsize=9)
        fig.subplots_adjust(0, 0, 1, 1 if not title else 1 - 0.3 / fig.get_figheight())
        fig.savefig(path, dpi=100)
    finally:
        plt.close(fig)
    return path


def save_image_rows(rows, labels, path: str, title: str = "", value_range=(0.0, 1.0), scale: float = 0.6) -> str:
    """One labelled row per image set (same count each): e.g. ``[inputs, reconstructions]`` with
    labels ``["input", "output"]``, or ``[clean, noisy, denoised]``.

    Example:
        >>> x = np.random.rand(5, 1, 8, 8)
        >>> nt.viz.save_image_rows([x, 1 - x], ["input", "inverted"], "rows.png")
        'rows.png'
    """
    if len(rows) != len(labels) or not rows:
        raise ValueError(f"save_image_rows: {len(rows)} rows and {len(labels)} labels must match and be non-empty")
    sets = [_as_images(r, "save_image_rows") for r in rows]
    n = sets[0].shape[0]
    if any(s.shape[0] != n for s in sets):
        raise ValueError(f"save_image_rows: every row needs the same number of images, got {[s.shape[0] for s in sets]}")
    plt = _pyplot()
    lo, hi = value_range
    fig, axes = plt.subplots(len(sets), n, figsize=(scale * n + 0.8, scale * len(sets) + (0.3 if title else 0)),
                             squeeze=False)
    try:
        for r, (images, label) in enumerate(zip(sets, labels)):
            for c in range(n):
                ax = axes[r][c]
                ax.imshow(np.clip((images[c] - lo) / (hi - lo), 0, 1), cmap="gray", vmin=0, vmax=1)
                ax.set_xticks([])
                ax.set_yticks([])
                if c == 0:
                    ax.set_ylabel(label, fontsize=8, rotation=0, ha="right", va="center")
        if title:
            fig.suptitle(title, fontsize=9)
        fig.savefig(path, dpi=100, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path
