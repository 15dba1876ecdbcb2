"""A quick run of a recipe on the first samples of its data (``neuronet train NAME --limit N``)."""
from __future__ import annotations

import math

__all__ = ["limit_data"]


def _take(x, n):
    """The first ``n`` samples of an array or of each array of a tuple of inputs."""
    if isinstance(x, tuple):
        return tuple(a[:n] for a in x)
    return x[:n]


def _count(x):
    return len(x[0]) if isinstance(x, tuple) else len(x)


class _FirstBatches:
    """The first ``batches`` batches of a re-iterable loader (validation streams)."""

    def __init__(self, loader, batches: int):
        self.loader, self.batches = loader, batches

    def __iter__(self):
        for i, batch in enumerate(self.loader):
            if i >= self.batches:
                return
            yield batch


def limit_data(recipe, data: dict, limit: int):
    """``(data, fit_options)`` cut to at most ``limit`` training, validation and test samples.

    Stateful recipes (``shuffle=False``: lanes of one stream) keep whole batches of lanes, so each
    lane still continues from batch to batch; a loader of random windows draws ``limit`` windows.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"run_recipe: limit must be a positive integer, received {limit!r}")
    data, options = dict(data), dict(recipe.fit_options)
    stateful = options.get("shuffle") is False

    def rounded(n, batch):
        return max(batch, n // batch * batch) if stateful else n

    x = data["x_train"]
    if hasattr(x, "windows") and hasattr(x, "ids"):            # RandomWindowLoader
        data["x_train"] = type(x)(x.ids, x.context, x.batch_size, min(limit, x.windows))
    elif x is not None:
        n = min(rounded(limit, recipe.batch_size), _count(x))
        data["x_train"], data["y_train"] = _take(x, n), _take(data["y_train"], n)
    if data.get("x_test") is not None:
        n = min(rounded(limit, recipe.eval_batch_size), _count(data["x_test"]))
        data["x_test"], data["y_test"] = _take(data["x_test"], n), _take(data["y_test"], n)
    val = options.get("validation_data")
    if isinstance(val, tuple) and len(val) == 2:
        options["validation_data"] = (_take(val[0], limit), _take(val[1], limit))
    elif val is not None:
        options["validation_data"] = _FirstBatches(val, max(1, math.ceil(limit / recipe.batch_size)))
    return data, options
