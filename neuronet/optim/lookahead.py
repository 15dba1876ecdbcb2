"""Lookahead: any optimizer's fast weights, pulled back towards slow weights every k steps."""
from __future__ import annotations

from ..backend import array_module
from .optimizer import Optimizer, check_hyper

__all__ = ["Lookahead"]


class Lookahead(Optimizer):
    """Lookahead (Zhang, Lucas, Hinton & Ba, NeurIPS 2019, Algorithm 1) around any optimizer.

    The inner optimizer takes ``k`` steps on the (fast) parameters θ; then the slow weights φ
    (a copy of the parameters when the first step starts) move part of the way towards them and
    the fast weights restart from there::

        θ ← inner step (k times)
        φ ← φ + α·(θ − φ);   θ ← φ

    ``param_groups`` are the inner optimizer's (schedulers and ``lr`` changes reach it);
    ``state_dict`` holds the inner state plus the slow weights and the step counter.

    Args:
        optimizer: the inner optimizer (any :class:`Optimizer`).
        k: synchronise every ``k`` inner steps (≥ 1).
        alpha: slow-weight step size in [0, 1].

    Example:
        >>> w = nt.nn.Parameter(np.array([3.0], np.float32))
        >>> opt = nt.optim.Lookahead(nt.optim.SGD([w], lr=0.1), k=5, alpha=0.5)
        >>> for _ in range(100):
        ...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> abs(w.item()) < 1e-3
        True
    """

    def __init__(self, optimizer: Optimizer, k: int = 5, alpha: float = 0.5):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"Lookahead: optimizer must be an Optimizer, got {type(optimizer).__name__}")
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"Lookahead: invalid k {k!r}; expected an integer >= 1")
        check_hyper("Lookahead", "alpha", alpha, low=0, high=1)
        self.optimizer = optimizer
        self.k, self.alpha = k, float(alpha)
        self.defaults = optimizer.defaults
        self.param_groups = optimizer.param_groups
        self.state: dict = {}  # parameter -> {"slow": array}
        self.steps = 0

    def take_built_parameters(self) -> None:
        """The inner optimizer takes on the parameters of layers built since (see ``Optimizer``)."""
        self.optimizer.take_built_parameters()

    def add_param_group(self, param_group: dict) -> None:
        """Add a group to the inner optimizer (its slow weights start at its current values)."""
        self.optimizer.add_param_group(param_group)
        for p in self.param_groups[-1]["params"]:
            if self.steps:
                self.state[p] = {"slow": array_module(p.data).array(p.data, copy=True)}

    def step(self, closure=None):
        """One inner step; every ``k``-th also moves the slow weights and resets the fast ones."""
        self.optimizer.take_built_parameters()
        for group in self.param_groups:  # slow weights start at the fast ones (also of layers built late)
            for p in group["params"]:
                if p not in self.state:
                    self.state[p] = {"slow": array_module(p.data).array(p.data, copy=True)}
        loss = self.optimizer.step(closure)
        self.steps += 1
        if self.steps % self.k == 0:
            for group in self.param_groups:
                for p in group["params"]:
                    slow = self.state[p]["slow"]
                    tmp = p.data - slow
                    tmp *= self.alpha
                    slow += tmp
                    p.data[...] = slow
        return loss

    def state_dict(self) -> dict:
        """The inner optimizer's state dict plus ``"lookahead": {"k", "alpha", "steps", "slow"}``."""
        sd = self.optimizer.state_dict()
        slow = {i: s["slow"] for i, s in self._indexed(self.state).items()}
        sd["lookahead"] = {"k": self.k, "alpha": self.alpha, "steps": self.steps, "slow": slow}
        return sd

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore the inner optimizer, the slow weights and the step counter."""
        extra = state_dict.get("lookahead")
        if extra is None:
            raise ValueError("Lookahead.load_state_dict: the state has no 'lookahead' entry "
                             "(it was saved by a plain optimizer)")
        inner = {k: v for k, v in state_dict.items() if k != "lookahead"}
        self.optimizer.load_state_dict(inner)
        self.k, self.alpha, self.steps = int(extra["k"]), float(extra["alpha"]), int(extra["steps"])
        slow = {i: {"slow": a} for i, a in extra["slow"].items()}
        self.state = self._load_indexed(slow, state_dict["param_groups"])

    def __repr__(self) -> str:
        return f"Lookahead(k={self.k}, alpha={self.alpha}, optimizer={self.optimizer!r})"
