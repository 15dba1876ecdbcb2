"""Plots written as PNG files with matplotlib's Agg backend (``pip install 'neuronet[plots]'``)."""
from .heatmap import save_heatmap

__all__ = ["save_heatmap"]

from .image_grid import save_image_grid, save_rbm_filters  # energy-based networks
from .hopfield_recall import save_recall_steps
from .capacity_curve import save_capacity_curve
__all__ += ["save_image_grid", "save_rbm_filters", "save_recall_steps", "save_capacity_curve"]
