"""Plots written as PNG files with matplotlib's Agg backend (``pip install 'neuronet[plots]'``)."""
from .heatmap import save_heatmap

__all__ = ["save_heatmap"]
from .images import image_grid, save_image_grid, save_image_rows
from .latent import save_latent_scatter, save_latent_traversal, save_loss_curves

__all__ += ["image_grid", "save_image_grid", "save_image_rows", "save_latent_scatter", "save_latent_traversal",
            "save_loss_curves"]
