"""Recipes: named, reproducible course experiments that ``neuronet train NAME`` runs."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

__all__ = ["Recipe", "register", "get_recipe", "recipe_names"]

_RECIPES: dict[str, "Recipe"] = {}


@dataclass
class Recipe:
    """One experiment: where the data comes from, the model, and how it is trained.

    ``data()`` returns ``{"x_train", "y_train", "x_test", "y_test", "class_names"}``
    (``class_names`` may be None for regression); ``callbacks(epochs, lr)``, when given, returns
    the callbacks ``fit`` runs with (learning-rate schedules, ...); ``fit_options`` are extra
    keyword arguments for ``fit`` (``shuffle=False`` for stateful training, ...); ``report(model,
    data, out)``, when given, runs after the test evaluation and returns extra results for the
    report (exact-match scores, generated text, written plots), printed by the runner.
    """

    name: str
    description: str
    data: Callable[[], dict]
    model: Callable[[], object]
    loss: str = "cross_entropy"
    optimizer: str = "adam"
    lr: float = 1e-3
    epochs: int = 10
    batch_size: int = 32
    metrics: list = field(default_factory=lambda: ["accuracy"])
    validation_split: float = 0.1
    target: str = ""
    callbacks: Callable[[int, float], list] | None = None  # (epochs, lr) -> callbacks for fit
    fit_options: dict = field(default_factory=dict)
    eval_batch_size: int = 1000  # batch size of the test evaluation (a stateful model needs its lane count)
    report: Callable[[object, dict, str], dict] | None = None  # (model, data, out dir) -> extra results
    run: Callable[..., dict] | None = None  # own training loop: (out=, epochs=, lr=, seed=, print_fn=) -> report


def register(recipe: Recipe) -> Recipe:
    _RECIPES[recipe.name] = recipe
    return recipe


def get_recipe(name: str) -> Recipe:
    if name not in _RECIPES:
        raise ValueError(f"unknown recipe {name!r}; known recipes: {', '.join(sorted(_RECIPES))}")
    return _RECIPES[name]


def recipe_names() -> list[str]:
    return sorted(_RECIPES)
