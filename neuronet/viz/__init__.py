"""Plots written as PNG files with matplotlib (``pip install 'neuronet[plots]'``); the backend stays the
user's choice (Agg only without a display: ``neuronet/_pyplot.py``)."""
from .heatmap import save_heatmap

__all__ = ["save_heatmap"]
from .decision_boundary import save_decision_boundaries
from .som import save_som_maps, draw_som_grid
from .series import save_prediction_vs_truth

__all__ += ["save_decision_boundaries", "save_som_maps", "draw_som_grid", "save_prediction_vs_truth"]
