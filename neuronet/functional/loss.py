"""All loss functions (``nt.F.*_loss``, ``cross_entropy``, Keras-named ones), gathered from
element-wise (``pointwise_loss``), class-score (``class_loss``) and Keras-semantics (``keras_loss``) modules.

Each is one fused Function with a hand-written backward.
All take ``(input, target)`` in PyTorch's order (also the Keras-named ones, unlike Keras's
``(y_true, y_pred)``) and a ``reduction``: ``'mean'`` (default), ``'sum'`` or ``'none'``.
Input and target must have the same shape (no silent broadcasting, unlike PyTorch's warning).
Weights (``weight``, ``pos_weight``) are constants: no gradient flows to them.
"""
from __future__ import annotations

from .pointwise_loss import *  # noqa: F401,F403
from .class_loss import *  # noqa: F401,F403
from .keras_loss import *  # noqa: F401,F403
from .pointwise_loss import __all__ as _pointwise
from .class_loss import __all__ as _class
from .keras_loss import __all__ as _keras

__all__ = [*_pointwise, *_class, *_keras]
