"""Recipes: named, reproducible course experiments that ``neuronet train NAME`` runs."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

__all__ = ["Recipe", "register", "get_recipe", "recipe_names", "KINDS"]

_RECIPES: dict[str, "Recipe"] = {}


@dataclass
class Recipe:
    """One experiment: where the data comes from, the model, and how it is trained.

    ``data()`` returns ``{"x_train", "y_train", "x_test", "y_test", "class_names"}``
    (``class_names`` may be None for regression); ``callbacks(epochs, lr)`` (or ``(epochs, lr, out)``: the run's output folder), when given, returns
    the callbacks ``fit`` runs with (learning-rate schedules, ...); ``fit_options`` are extra
    keyword arguments for ``fit`` (``shuffle=False`` for stateful training, ...); ``report(model,
    data, out)``, when given, runs after the test evaluation and returns extra results for the
    report (exact-match scores, generated text, written plots), printed by the runner.

    Example:
        >>> from neuronet.recipes import Recipe, run_recipe
        >>> def halves():                      # is a point left or right of x = 0?
        ...     x = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32)
        ...     y = (x[:, 0] > 0).astype(np.int64)
        ...     return {"x_train": x, "y_train": y, "x_test": x, "y_test": y, "class_names": ["left", "right"]}
        >>> recipe = Recipe(name="halves", description="one dense layer", data=halves,
        ...                 model=lambda: nt.Sequential([nt.nn.Dense(2)]), lr=0.1, epochs=20, batch_size=16)
        >>> recipe.kind, recipe.loss, recipe.optimizer        # what register() and run_recipe() read
        ('features', 'cross_entropy', 'adam')
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
    callbacks: Callable[..., list] | None = None  # (epochs, lr[, out]) -> callbacks for fit
    fit_options: dict = field(default_factory=dict)
    eval_batch_size: int = 1000  # batch size of the test evaluation (a stateful model needs its lane count)
    report: Callable[[object, dict, str], dict] | None = None  # (model, data, out dir) -> extra results
    # its own training loop or learning rule (NTM tasks, the classic networks): (out=, epochs=, lr=, seed=,
    # print_fn=) -> the report it wrote; data/model/loss are then unused
    run: Callable[..., dict] | None = None
    kind: str = "features"     # what `neuronet predict` reads and prints: one of KINDS
    dataset: str = ""          # the dataset `neuronet evaluate` scores it on (see `neuronet evaluate --help`)
    train_time: str = ""       # training time at the recipe's settings on the 2-core machine (README)
    reported: str = ""         # the figure the README reports for the recipe


KINDS = {
    "features": "rows of numbers (.npy, or .csv with or without a header) -> class names and probabilities",
    "images": "images (.npy N×C×H×W or N×H×W, or .csv of flattened pixels) -> class names and probabilities",
    "text": "texts (--text, a .txt with one text per line, or a .csv with a 'text' column) -> class names "
            "and probabilities",
    "series": "a series of raw values (.csv/.txt/.npy, or --text) -> the forecast of the next values",
    "characters": "a prompt (--text or a .txt) -> the text the language model writes after it",
    "numerals": "Arabic numbers 1-3999 (--text '1994 2024', or a .csv/.txt/.npy) -> Roman numerals",
    "generative": "images (.npy N×C×H×W or N×H×W, or .csv of flattened pixels) -> each one's reconstruction "
                  "error; --output keeps the reconstructions (auto-encoders, VAEs)",
    "experiment": "nothing: the run's report.json and pictures hold its results (networks with their own "
                  "learning rules, GANs judged by their samples, graph and memory tasks)",
}


def register(recipe: Recipe) -> Recipe:
    """Add ``recipe`` to the registry under its name (``neuronet train NAME`` then runs it); its kind
    must be one of ``KINDS`` (what ``neuronet predict`` reads).

    Example:
        >>> from neuronet.recipes import Recipe, register
        >>> register(Recipe(name="x", description="", data=dict, model=dict, kind="sounds"))
        Traceback (most recent call last):
        ...
        ValueError: register: recipe 'x' has kind 'sounds'; expected one of [...]
    """
    if recipe.kind not in KINDS:
        raise ValueError(f"register: recipe {recipe.name!r} has kind {recipe.kind!r}; expected one of {sorted(KINDS)}")
    _RECIPES[recipe.name] = recipe
    return recipe


def get_recipe(name: str) -> Recipe:
    """The registered recipe called ``name`` (ValueError listing the known names otherwise).

    Example:
        >>> recipe = nt.recipes.get_recipe("xor")
        >>> recipe.kind, recipe.epochs
        ('features', 300)
    """
    if name not in _RECIPES:
        raise ValueError(f"unknown recipe {name!r}; known recipes: {', '.join(sorted(_RECIPES))}")
    return _RECIPES[name]


def recipe_names() -> list[str]:
    """The names of all registered recipes, sorted.

    Example:
        >>> names = nt.recipes.recipe_names()
        >>> "fashion-mlp" in names and "xor" in names
        True
    """
    return sorted(_RECIPES)
