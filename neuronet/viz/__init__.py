"""Plots written as PNG files with matplotlib (``pip install 'neuronet[plots]'``); the backend stays the
user's choice (Agg only without a display: ``neuronet/_pyplot.py``)."""
from .heatmap import save_heatmap

__all__ = ["save_heatmap"]
from .decision_boundary import save_decision_boundaries
from .som import save_som_maps, draw_som_grid
from .series import save_prediction_vs_truth

__all__ += ["save_decision_boundaries", "save_som_maps", "draw_som_grid", "save_prediction_vs_truth"]

# The course's pictures (issue 20): each function draws one picture, returns the Figure, writes a PNG to path=.
from .network import plot_network
from .catalogue import plot_activations, plot_losses
from .boundary import plot_decision_boundary, plot_boundary_frames, plot_hidden_features
from .curves import plot_fitting_curves, fitting_regions, plot_lr_schedules, default_schedules
from .optimizer_paths import plot_optimizer_paths, optimizer_trajectories, SURFACES
from .classification import plot_confusion_matrix, classification_table, plot_classification_report, plot_roc_pr
from .conv import (plot_filters, plot_feature_maps, plot_classic_kernels, apply_kernels, CLASSIC_KERNELS,
                   conv_output_size, plot_conv_arithmetic)
from .sequence import (plot_attention_maps, plot_positional_encoding, plot_hidden_states, gradient_norms_through_time,
                       plot_gradient_norms)
from .embedding import project_2d, plot_embedding
from .attribution import plot_attributions, plot_shap_images

__all__ += ["plot_network", "plot_activations", "plot_losses", "plot_decision_boundary", "plot_boundary_frames",
            "plot_hidden_features", "plot_fitting_curves", "fitting_regions", "plot_lr_schedules", "default_schedules",
            "plot_optimizer_paths", "optimizer_trajectories", "SURFACES", "plot_confusion_matrix",
            "classification_table", "plot_classification_report", "plot_roc_pr", "plot_filters", "plot_feature_maps",
            "plot_classic_kernels", "apply_kernels", "CLASSIC_KERNELS", "conv_output_size", "plot_conv_arithmetic",
            "plot_attention_maps", "plot_positional_encoding", "plot_hidden_states", "gradient_norms_through_time",
            "plot_gradient_norms", "project_2d", "plot_embedding", "plot_attributions", "plot_shap_images"]

from .image_grid import save_image_panels, save_rbm_filters  # energy-based networks
from .hopfield_recall import save_recall_steps
from .capacity_curve import save_capacity_curve
__all__ += ["save_image_panels", "save_rbm_filters", "save_recall_steps", "save_capacity_curve"]
from .images import image_grid, save_image_grid, save_image_rows
from .latent import save_latent_scatter, save_latent_traversal, save_loss_curves

__all__ += ["image_grid", "save_image_grid", "save_image_rows", "save_latent_scatter", "save_latent_traversal",
            "save_loss_curves"]
from .embedding import save_embedding

__all__ += ["save_embedding"]
from .word_embedding import plot_word_embedding

__all__ += ["plot_word_embedding"]
