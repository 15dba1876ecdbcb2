"""Plots written as PNG files with matplotlib's Agg backend (``pip install 'neuronet[plots]'``)."""
from .heatmap import save_heatmap

__all__ = ["save_heatmap"]
from .decision_boundary import save_decision_boundaries
from .som import save_som_maps, draw_som_grid
from .series import save_prediction_vs_truth

__all__ += ["save_decision_boundaries", "save_som_maps", "draw_som_grid", "save_prediction_vs_truth"]
