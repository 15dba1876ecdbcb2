"""``keras.optimizers.Adam(learning_rate=...)`` and friends: Keras's names, arguments and defaults,
creating neuronet's optimizer over the model's parameters when ``fit`` starts (Keras optimizers
take no parameters at construction).  The update formulas are neuronet's (PyTorch's): Adam's ε is
added to the bias-corrected √v, where Keras adds it before the correction — the same for all but
the first steps of parameters with tiny gradients."""
from __future__ import annotations

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "get"]


class Optimizer:
    """A Keras optimizer: its settings, and ``factory(params)`` giving the neuronet optimizer.

    Example:
        >>> opt = nt.keras.optimizers.Adam(learning_rate=0.01)
        >>> torch_style = opt.factory(nt.nn.Linear(2, 1).parameters())  # what compile builds when fit starts
        >>> type(torch_style).__name__, torch_style.param_groups[0]["lr"]
        ('Adam', 0.01)
    """

    name = ""

    def __init__(self, learning_rate, clipnorm=None, clipvalue=None, **settings):
        if not isinstance(learning_rate, (int, float)) or isinstance(learning_rate, bool) or learning_rate <= 0:
            raise ValueError(f"keras.optimizers.{type(self).__name__}: learning_rate must be a positive number, "
                             f"got {learning_rate!r}")
        self.learning_rate, self.clipnorm, self.clipvalue = float(learning_rate), clipnorm, clipvalue
        self.settings = settings

    def neuronet_kwargs(self) -> dict:  # pragma: no cover - each optimizer defines it
        raise NotImplementedError

    def factory(self, params):
        """The neuronet optimizer over ``params`` (compile calls this when fit starts)."""
        from ..optim.registry import _NAMED
        cls = _NAMED[self.name][0]
        return cls(params, lr=self.learning_rate, **self.neuronet_kwargs())

    def compile_config(self) -> dict:
        """What a saved model records, so ``load_model`` re-creates this optimizer by name and rate."""
        return {"optimizer": self.name, "learning_rate": self.learning_rate,
                "clipnorm": self.clipnorm, "clipvalue": self.clipvalue}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in {"learning_rate": self.learning_rate, **self.settings}.items())
        return f"keras.optimizers.{type(self).__name__}({args})"


KerasOptimizer = Optimizer


class SGD(Optimizer):
    """``SGD(learning_rate=0.01, momentum=0.0, nesterov=False)``.

    Example:
        >>> opt = nt.keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
        >>> sgd = opt.factory(nt.nn.Linear(2, 1).parameters())
        >>> sgd.param_groups[0]["momentum"], sgd.param_groups[0]["nesterov"]
        (0.9, True)
    """

    name = "sgd"

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None, **kwargs):
        super().__init__(learning_rate, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay, **kwargs)

    def neuronet_kwargs(self):
        s = self.settings
        return {"momentum": s["momentum"], "nesterov": s["nesterov"], "weight_decay": s["weight_decay"] or 0.0}


class Adam(Optimizer):
    """``Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False)``.

    Example:
        >>> adam = nt.keras.optimizers.Adam().factory(nt.nn.Linear(2, 1).parameters())
        >>> adam.param_groups[0]["eps"]  # Keras's epsilon 1e-7, not PyTorch's 1e-8
        1e-07
    """

    name = "adam"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 weight_decay=None, **kwargs):
        super().__init__(learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, amsgrad=amsgrad,
                         weight_decay=weight_decay, **kwargs)

    def neuronet_kwargs(self):
        s = self.settings
        return {"betas": (s["beta_1"], s["beta_2"]), "eps": s["epsilon"], "amsgrad": s["amsgrad"],
                "weight_decay": s["weight_decay"] or 0.0}


class AdamW(Adam):
    """``AdamW(learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7)``.

    Example:
        >>> adamw = nt.keras.optimizers.AdamW().factory(nt.nn.Linear(2, 1).parameters())
        >>> adamw.param_groups[0]["weight_decay"]
        0.004
    """

    name = "adamw"

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay, **kwargs)


class RMSprop(Optimizer):
    """``RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False)``.

    Example:
        >>> rms = nt.keras.optimizers.RMSprop().factory(nt.nn.Linear(2, 1).parameters())
        >>> rms.param_groups[0]["alpha"]  # Keras's rho
        0.9
    """

    name = "rmsprop"

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, **kwargs):
        super().__init__(learning_rate, rho=rho, momentum=momentum, epsilon=epsilon, centered=centered, **kwargs)

    def neuronet_kwargs(self):
        s = self.settings
        return {"alpha": s["rho"], "momentum": s["momentum"], "eps": s["epsilon"], "centered": s["centered"]}


class Adagrad(Optimizer):
    """``Adagrad(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7)``.

    Example:
        >>> ada = nt.keras.optimizers.Adagrad().factory(nt.nn.Linear(2, 1).parameters())
        >>> ada.param_groups[0]["initial_accumulator_value"]
        0.1
    """

    name = "adagrad"

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, initial_accumulator_value=initial_accumulator_value, epsilon=epsilon,
                         **kwargs)

    def neuronet_kwargs(self):
        s = self.settings
        return {"initial_accumulator_value": s["initial_accumulator_value"], "eps": s["epsilon"]}


def get(identifier):
    """An optimizer object from a name ("adam", "sgd", "rmsprop", ...) with Keras's defaults.

    Example:
        >>> opt = nt.keras.optimizers.get("rmsprop")
        >>> type(opt).__name__, opt.learning_rate  # Keras's default rate
        ('RMSprop', 0.001)
    """
    if isinstance(identifier, Optimizer):
        return identifier
    table = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop, "adagrad": Adagrad}
    if not isinstance(identifier, str) or identifier.lower() not in table:
        raise ValueError(f"keras.optimizers.get: unknown optimizer {identifier!r}; known: {sorted(table)}")
    return table[identifier.lower()]()
