"""Attributions: which inputs a model's output depends on.

Gradient methods (saliency, gradient × input, SmoothGrad, integrated gradients with its
completeness check), occlusion, and a KernelSHAP estimator of Shapley values for any model function.

Example:
    >>> import numpy as np, neuronet as nt
    >>> model = nt.nn.Sequential([nt.nn.Dense(1, in_features=3)])
    >>> x = np.ones((2, 3), np.float32)
    >>> attr, delta = nt.interpret.integrated_gradients(model, x, return_delta=True)
    >>> bool(np.abs(delta).max() < 1e-4)
    True
"""
from .gradients import saliency, gradient_x_input, smoothgrad, integrated_gradients, ig_weights
from .occlusion import occlusion
from .kernel_shap import kernel_shap, exact_shapley

__all__ = ["saliency", "gradient_x_input", "smoothgrad", "integrated_gradients", "ig_weights", "occlusion",
           "kernel_shap", "exact_shapley"]
