"""Plots written as PNG files with matplotlib's Agg backend (``pip install 'neuronet[plots]'``)."""
from .heatmap import save_heatmap

__all__ = ["save_heatmap"]
