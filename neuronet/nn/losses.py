"""Loss modules: PyTorch names with PyTorch semantics, Keras names with Keras semantics.

Every loss is called ``loss(prediction, target)`` (PyTorch's order, also for the Keras-named
ones) and has a settable ``reduction`` ('mean', 'sum' or 'none').  ``get_loss("mse")``
turns a name into a loss object, so ``model.compile(loss="cross_entropy")`` works.
"""
from __future__ import annotations

from .. import backend
from ..functional import loss as L
from ..tensor import Tensor
from .module import Module

__all__ = [
    "MSELoss", "L1Loss", "MAELoss", "RMSELoss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss", "HingeLoss",
    "CrossEntropyLoss", "NLLLoss", "KLDivLoss", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
    "BinaryCrossentropy", "get_loss", "LOSSES",
]


def _plain(value):
    """Arrays and tensors as nested lists, so a loss's weights can be described as JSON."""
    if isinstance(value, Tensor):
        value = value.data
    return backend.to_numpy(value).tolist() if hasattr(value, "shape") else value


def _as_array(value):
    if value is None:
        return None
    if isinstance(value, Tensor):
        return value.data
    return value if hasattr(value, "shape") else backend.np.asarray(value, dtype=backend.get_default_dtype())


class _Loss(Module):
    def __init__(self, reduction: str = "mean"):
        super().__init__()
        allowed = ("mean", "batchmean", "sum", "none") if isinstance(self, KLDivLoss) else ("mean", "sum", "none")
        if reduction not in allowed:
            raise ValueError(f"{type(self).__name__}: reduction must be one of {', '.join(map(repr, allowed))}, "
                             f"got {reduction!r}")
        self.reduction = reduction

    def _weights(self, **weights) -> None:
        """Keep class/positive weights as buffers: saved with the model, moved by ``to(device)``."""
        for name, value in weights.items():
            self.register_buffer(name, _as_array(value))

    def get_config(self) -> dict:
        saved = self._init_args
        args, kwargs = saved
        object.__setattr__(self, "_init_args", ([_plain(a) for a in args], {k: _plain(v) for k, v in kwargs.items()}))
        try:
            return super().get_config()
        finally:
            object.__setattr__(self, "_init_args", saved)


class MSELoss(_Loss):
    """Mean squared error.

    Example:
        >>> nt.nn.MSELoss()(nt.tensor([1.0, 2.0]), nt.tensor([1.0, 4.0])).item()
        2.0
    """

    def forward(self, input, target):
        return L.mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """Mean absolute error.

    Example:
        >>> nt.nn.L1Loss(reduction="sum")(nt.tensor([1.0, 2.0]), nt.tensor([0.0, 4.0])).item()
        3.0
    """

    def forward(self, input, target):
        return L.l1_loss(input, target, self.reduction)


MAELoss = L1Loss


class RMSELoss(_Loss):
    """Root mean squared error (the reduction applies before the square root).

    Example:
        >>> nt.nn.RMSELoss()(nt.tensor([0.0, 0.0]), nt.tensor([3.0, 3.0])).item()
        3.0
    """

    def forward(self, input, target):
        return L.rmse(input, target, self.reduction)


class HuberLoss(_Loss):
    """Huber loss: quadratic within ``delta`` of the target, linear beyond.

    Example:
        >>> nt.nn.HuberLoss(delta=1.0)(nt.tensor([0.0]), nt.tensor([3.0])).item()  # linear beyond delta: 3 - 0.5
        2.5
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction)
        self.delta = float(delta)

    def forward(self, input, target):
        return L.huber_loss(input, target, self.reduction, self.delta)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities (clipped to [1e-7, 1−1e-7]).

    Example:
        >>> nt.nn.BCELoss()(nt.tensor([0.5]), nt.tensor([1.0])).item()  # log 2
        0.693147...
    """

    def __init__(self, weight=None, reduction: str = "mean"):
        super().__init__(reduction)
        self._weights(weight=weight)

    def forward(self, input, target):
        return L.binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy on logits, numerically stable; ``pos_weight`` scales positives.

    Example:
        >>> nt.nn.BCEWithLogitsLoss()(nt.tensor([0.0]), nt.tensor([1.0])).item()
        0.693147...
    """

    def __init__(self, weight=None, reduction: str = "mean", pos_weight=None):
        super().__init__(reduction)
        self._weights(weight=weight, pos_weight=pos_weight)

    def forward(self, input, target):
        return L.binary_cross_entropy_with_logits(input, target, self.weight, self.reduction, self.pos_weight)


class HingeLoss(_Loss):
    """max(0, 1 − y·s) for labels y ∈ {−1, 1}.

    Example:
        >>> nt.nn.HingeLoss()(nt.tensor([0.5, 2.0]), nt.tensor([1.0, -1.0])).item()  # (0.5 + 3) / 2
        1.75
    """

    def forward(self, input, target):
        return L.hinge_loss(input, target, self.reduction)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy on logits (class axis 1) with integer or probability targets.

    Example:
        >>> loss = nt.nn.CrossEntropyLoss()
        >>> loss(nt.zeros(4, 10), np.array([1, 2, 3, 4])).item()  # uniform logits: log 10
        2.302585...
    """

    def __init__(self, weight=None, ignore_index: int = -100, reduction: str = "mean",
                 label_smoothing: float = 0.0):
        super().__init__(reduction)
        self._weights(weight=weight)
        self.ignore_index, self.label_smoothing = int(ignore_index), float(label_smoothing)

    def forward(self, input, target):
        return L.cross_entropy(input, target, self.weight, self.ignore_index, self.reduction, self.label_smoothing)


class NLLLoss(_Loss):
    """Negative log-likelihood of integer labels given log-probabilities (class axis 1).

    Example:
        >>> nt.nn.NLLLoss()(nt.tensor([[-0.1, -2.5]]), np.array([1])).item()
        2.5
    """

    def __init__(self, weight=None, ignore_index: int = -100, reduction: str = "mean"):
        super().__init__(reduction)
        self._weights(weight=weight)
        self.ignore_index = int(ignore_index)

    def forward(self, input, target):
        return L.nll_loss(input, target, self.weight, self.ignore_index, self.reduction)


class KLDivLoss(_Loss):
    """KL divergence with ``input`` = log q; use reduction='batchmean' for the true KL per sample.

    Example:
        >>> p = nt.tensor([[0.5, 0.5]])
        >>> nt.nn.KLDivLoss(reduction="batchmean")(p.log(), p).item()  # KL(p || p) = 0
        0.0
    """

    def __init__(self, reduction: str = "mean", log_target: bool = False):
        super().__init__(reduction)
        self.log_target = bool(log_target)

    def forward(self, input, target):
        return L.kl_div(input, target, self.reduction, self.log_target)


class CategoricalCrossentropy(_Loss):
    """Keras's categorical cross-entropy: one-hot/probability targets, class axis −1; predictions
    are probabilities (clipped to [1e-7, 1−1e-7] as Keras does) unless ``from_logits``.
    'mean' averages the per-sample losses (Keras's sum_over_batch_size).

    Example:
        >>> nt.nn.CategoricalCrossentropy()(nt.tensor([[0.5, 0.5]]), nt.tensor([[1.0, 0.0]])).item()  # (prediction, target)
        0.693147...
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, reduction: str = "mean"):
        super().__init__(reduction)
        self.from_logits, self.label_smoothing = bool(from_logits), float(label_smoothing)

    def forward(self, input, target):
        return L.categorical_crossentropy(input, target, self.from_logits, self.label_smoothing,
                                          reduction=self.reduction)


class SparseCategoricalCrossentropy(_Loss):
    """Keras's sparse categorical cross-entropy: integer labels, class axis −1; predictions are
    probabilities unless ``from_logits``.

    Example:
        >>> nt.nn.SparseCategoricalCrossentropy(from_logits=True)(nt.zeros(1, 4), np.array([0])).item()  # log 4
        1.386294...
    """

    def __init__(self, from_logits: bool = False, reduction: str = "mean"):
        super().__init__(reduction)
        self.from_logits = bool(from_logits)

    def forward(self, input, target):
        return L.sparse_categorical_crossentropy(input, target, self.from_logits, reduction=self.reduction)


class BinaryCrossentropy(_Loss):
    """Keras's binary cross-entropy: probabilities (clipped to [1e-7, 1−1e-7]) or, with
    ``from_logits``, logits; 'none' gives one loss per sample (the mean over the last axis).

    Example:
        >>> nt.nn.BinaryCrossentropy()(nt.tensor([[0.5]]), nt.tensor([[1.0]])).item()
        0.693147...
    """

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, reduction: str = "mean"):
        super().__init__(reduction)
        self.from_logits, self.label_smoothing = bool(from_logits), float(label_smoothing)

    def forward(self, input, target):
        return L.binary_crossentropy(input, target, self.from_logits, self.label_smoothing, self.reduction)


LOSSES = {
    "mse": MSELoss, "mean_squared_error": MSELoss, "mse_loss": MSELoss,
    "mae": L1Loss, "l1": L1Loss, "mean_absolute_error": L1Loss, "l1_loss": L1Loss,
    "rmse": RMSELoss, "root_mean_squared_error": RMSELoss,
    "huber": HuberLoss, "huber_loss": HuberLoss,
    "bce": BCELoss, "binary_cross_entropy": BCELoss, "binary_crossentropy": BinaryCrossentropy,
    "bce_with_logits": BCEWithLogitsLoss, "binary_cross_entropy_with_logits": BCEWithLogitsLoss,
    "hinge": HingeLoss,
    "cross_entropy": CrossEntropyLoss, "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "nll": NLLLoss, "nll_loss": NLLLoss,
    "kl_div": KLDivLoss, "kld": KLDivLoss, "kl_divergence": KLDivLoss,
}


def get_loss(name_or_obj):
    """A loss object for a name (``"mse"``, ``"cross_entropy"``, ...); a loss module or any
    callable ``(prediction, target) -> scalar tensor`` is returned as it is.

    Raises:
        ValueError: for an unknown name; the message lists the known ones.

    Example:
        >>> loss = nt.nn.get_loss("mse")
        >>> type(loss).__name__, loss(nt.tensor([1.0]), nt.tensor([3.0])).item()
        ('MSELoss', 4.0)
    """
    if isinstance(name_or_obj, str):
        key = name_or_obj.lower().replace("-", "_")
        if key not in LOSSES:
            raise ValueError(f"get_loss: unknown loss {name_or_obj!r}; known names: {', '.join(sorted(LOSSES))}")
        return LOSSES[key]()
    if isinstance(name_or_obj, type) and issubclass(name_or_obj, Module):
        return name_or_obj()
    if callable(name_or_obj):
        return name_or_obj
    raise TypeError(f"get_loss: expected a loss name, a loss module or a callable, got {type(name_or_obj).__name__}")
