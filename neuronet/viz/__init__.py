"""Plots written as PNG files with matplotlib's Agg backend (``pip install 'neuronet[plots]'``)."""
from .heatmap import save_heatmap

__all__ = ["save_heatmap"]
from .embedding import save_embedding, project_2d

__all__ += ["save_embedding", "project_2d"]
