"""get_optimizer: an optimizer from a name ("adam"), a class, or an existing optimizer object."""
from __future__ import annotations

from .adabelief import AdaBelief
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .cocob import COCOB
from .lamb import LAMB
from .lookahead import Lookahead
from .novograd import NovoGrad
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD
from .yogi import Yogi

__all__ = ["get_optimizer", "OPTIMIZER_NAMES"]


def _lookahead(params, k=5, alpha=0.5, **adam_kwargs):
    return Lookahead(Adam(params, **adam_kwargs), k=k, alpha=alpha)


# name -> (class or factory, defaults that differ from the class's)
_NAMED = {
    "sgd": (SGD, {}),
    "momentum": (SGD, {"momentum": 0.9}),
    "nesterov": (SGD, {"momentum": 0.9, "nesterov": True}),
    "adagrad": (Adagrad, {}),
    "rmsprop": (RMSprop, {"alpha": 0.9}),  # Keras's rho / the course's beta = 0.9 (the class keeps torch's 0.99)
    "adam": (Adam, {}),
    "adamw": (AdamW, {}),
    "yogi": (Yogi, {}),
    "adabelief": (AdaBelief, {}),
    "lamb": (LAMB, {}),
    "novograd": (NovoGrad, {}),
    "cocob": (COCOB, {}),
    "lookahead": (_lookahead, {}),
}
OPTIMIZER_NAMES = tuple(_NAMED)


def get_optimizer(name_or_obj, params, **kwargs) -> Optimizer:
    """Resolve ``name_or_obj`` to an optimizer over ``params``.

    Args:
        name_or_obj: a name (below), an :class:`Optimizer` subclass (called with ``params`` and
            ``kwargs``), or an :class:`Optimizer` instance (returned as is; ``kwargs`` must be empty).
            Names: ``"sgd"``, ``"momentum"`` (SGD, momentum 0.9), ``"nesterov"`` (SGD, Nesterov
            momentum 0.9), ``"adagrad"``, ``"rmsprop"`` (alpha 0.9), ``"adam"``, ``"adamw"``,
            ``"yogi"``, ``"adabelief"``, ``"lamb"``, ``"novograd"``, ``"cocob"``, ``"lookahead"``
            (Lookahead over Adam; ``k`` and ``alpha`` go to Lookahead, the rest to Adam).
        params: parameters or parameter groups.
        **kwargs: hyper-parameters (``lr=...``), overriding the name's defaults.

    Example:
        >>> opt = nt.optim.get_optimizer("adam", nt.nn.Linear(2, 1).parameters(), lr=0.01)
        >>> type(opt).__name__, opt.param_groups[0]["lr"]
        ('Adam', 0.01)
    """
    if isinstance(name_or_obj, Optimizer):
        if kwargs:
            raise ValueError(f"get_optimizer: got an optimizer object and keyword arguments {sorted(kwargs)}; "
                             "set them when constructing the optimizer")
        return name_or_obj
    if isinstance(name_or_obj, type) and issubclass(name_or_obj, Optimizer):
        return name_or_obj(params, **kwargs)
    if not isinstance(name_or_obj, str):
        raise TypeError(f"get_optimizer: expected a name or an Optimizer, got {type(name_or_obj).__name__}")
    key = name_or_obj.strip().lower()
    if key not in _NAMED:
        raise ValueError(f"get_optimizer: unknown optimizer {name_or_obj!r}; known names: {', '.join(OPTIMIZER_NAMES)}")
    factory, defaults = _NAMED[key]
    if key == "cocob" and "lr" in kwargs:
        raise ValueError("get_optimizer: 'cocob' is learning-rate free and takes no lr "
                         f"(got lr={kwargs['lr']}); leave learning_rate unset")
    try:
        return factory(params, **{**defaults, **kwargs})
    except TypeError as e:
        raise TypeError(f"get_optimizer({key!r}): {e}") from None
