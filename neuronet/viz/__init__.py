"""Plots written as PNG files with matplotlib (``pip install 'neuronet[plots]'``); the backend stays the
user's choice (Agg only without a display: ``neuronet/_pyplot.py``)."""
from .heatmap import save_heatmap

__all__ = ["save_heatmap"]
