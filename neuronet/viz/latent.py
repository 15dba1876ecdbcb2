"""Latent spaces as pictures: codes scattered and coloured by class, the decoded manifold of a
2-D latent space (a traversal grid), and curves of a GAN's two losses."""
from __future__ import annotations

import numpy as np

from .images import _pyplot, image_grid

__all__ = ["save_latent_scatter", "save_latent_traversal", "save_loss_curves"]


def save_latent_scatter(codes, labels, path: str, class_names=None, title: str = "", max_points: int = 5000) -> str:
    """Scatter the first two coordinates of ``codes`` (N, ≥2), one colour per label (the first
    ``max_points`` points); returns path.

    Example:
        >>> nt.viz.save_latent_scatter(np.random.randn(100, 2), np.arange(100) % 3, "latent.png")
        'latent.png'
    """
    z = np.asarray(codes, np.float64)
    y = np.asarray(labels)
    if z.ndim != 2 or z.shape[1] < 2 or len(y) != len(z):
        raise ValueError(f"save_latent_scatter: expected codes (N, >=2) and N labels, got {z.shape} and {y.shape}")
    z, y = z[:max_points], y[:max_points]
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 5.2))
    try:
        classes = np.unique(y)
        cmap = plt.get_cmap("tab10" if len(classes) <= 10 else "tab20")
        for i, k in enumerate(classes):
            m = y == k
            name = class_names[int(k)] if class_names is not None else str(k)
            ax.scatter(z[m, 0], z[m, 1], s=3, color=cmap(i % cmap.N), label=name, alpha=0.7)
        ax.set_xlabel("z₁")
        ax.set_ylabel("z₂")
        ax.legend(markerscale=4, fontsize=7, loc="best", frameon=False)
        if title:
            ax.set_title(title, fontsize=10)
        fig.savefig(path, dpi=100, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path


def save_latent_traversal(decode, path: str, n: int = 15, span: float = 2.5, title: str = "") -> str:
    """Decode an n×n grid of 2-D codes over [−span, span]² (``decode``: (n², 2) codes → images) and
    tile the images in place — the manifold a 2-D VAE has learned; returns path.

    Example:
        >>> decode = lambda z: np.tile(z[:, :1, None, None], (1, 1, 8, 8))  # (n*n, 2) codes -> images
        >>> nt.viz.save_latent_traversal(decode, "traversal.png", n=5)
        'traversal.png'
    """
    t = np.linspace(-span, span, n)
    zz = np.array([[a, b] for b in t[::-1] for a in t], np.float32)  # rows: z₂ from top to bottom
    images = decode(zz)
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 6))
    try:
        ax.imshow(image_grid(images, ncols=n, pad=0), cmap="gray", vmin=0, vmax=1,
                  extent=(-span, span, -span, span))
        ax.set_xlabel("z₁")
        ax.set_ylabel("z₂")
        if title:
            ax.set_title(title, fontsize=10)
        fig.savefig(path, dpi=100, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path


def save_loss_curves(curves: dict, path: str, xlabel: str = "epoch", title: str = "") -> str:
    """Several named curves on one axis (``{"discriminator": [...], "generator": [...]}``); returns path.

    Example:
        >>> nt.viz.save_loss_curves({"discriminator": [0.7, 0.6, 0.65], "generator": [1.2, 0.9, 0.8]}, "gan_losses.png")
        'gan_losses.png'
    """
    if not curves:
        raise ValueError("save_loss_curves: no curves given")
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.6, 3.6))
    try:
        for name, values in curves.items():
            ax.plot(np.arange(1, len(values) + 1), values, marker="o", ms=3, label=name)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("loss")
        ax.grid(alpha=0.3)
        ax.legend()
        if title:
            ax.set_title(title, fontsize=10)
        fig.savefig(path, dpi=100, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path
