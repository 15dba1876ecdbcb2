"""Run a recipe end to end: load data, build, train, evaluate on the test set, write the results."""
from __future__ import annotations

import inspect
import json
import os
import time

from ..backend import manual_seed, np
from ..train.metrics import confusion_matrix
from .preprocessing import describe_preprocessing, save_preprocessing
from .registry import get_recipe
from .subset import limit_data

__all__ = ["run_recipe", "format_confusion_matrix"]


def format_confusion_matrix(cm, class_names=None) -> str:
    """The confusion matrix as text: rows are true classes, columns predicted classes."""
    k = cm.shape[0]
    names = [str(c) for c in (class_names or range(k))]
    label_w = max(len(n) for n in names)
    cell_w = max(5, len(str(int(cm.max()))) + 1)
    head = " " * (label_w + 2) + "".join(f"{i:>{cell_w}}" for i in range(k)) + "   <- predicted"
    rows = [head]
    for i in range(k):
        rows.append(f"{names[i]:>{label_w}} |" + "".join(f"{int(v):>{cell_w}}" for v in cm[i]) + f"   ({i})")
    return "\n".join(rows)


def _count(x) -> int:
    """Samples in an array (its first axis) or a tuple of inputs (the first's), batches in a loader."""
    if isinstance(x, tuple):
        x = x[0]
    return x.shape[0] if hasattr(x, "shape") else len(x)


def _recipe_callbacks(recipe, epochs, lr, out) -> list:
    """The recipe's own callbacks: ``callbacks(epochs, lr)``, or ``callbacks(epochs, lr, out)`` for
    those that write files during training (a GAN's per-epoch sample grids go to ``--out``)."""
    if recipe.callbacks is None:
        return []
    if "out" in inspect.signature(recipe.callbacks).parameters:
        return recipe.callbacks(epochs, lr, out=out)
    return recipe.callbacks(epochs, lr)


def run_recipe(name: str, *, epochs=None, batch_size=None, lr=None, out=None, verbose=1, seed=0,
               print_fn=print, limit=None, callbacks=None) -> dict:
    """Train recipe ``name`` and report test metrics, the confusion matrix and the wall time.

    Writes ``model.safetensors``, ``preprocessing.json`` (what ``neuronet predict``/``evaluate``
    need besides the weights: :mod:`.preprocessing`), ``training_curves.png`` (when matplotlib is
    installed) and ``report.json`` into ``out`` (default ``runs/<name>``).

    Args:
        limit: a quick run on at most ``limit`` training, validation and test samples
            (:func:`.subset.limit_data`); the recipe's report hook is skipped.
        callbacks: more callbacks for ``fit`` (``TensorBoard``, ...), after the recipe's own.

    Returns:
        The report as a dict.

    Example:
        >>> import os
        >>> report = nt.recipes.run_recipe("xor", out="xor", verbose=0, print_fn=lambda *a: None)
        >>> report["test"]["accuracy"], sorted(os.listdir("xor"))[:2]
        (1.0, ['model.safetensors', 'preprocessing.json'])
    """
    recipe = get_recipe(name)
    manual_seed(seed)
    if recipe.run is not None:  # its own training loop or learning rule: it writes its report itself
        if batch_size is not None:
            print_fn(f"note: {name} sets its own batches; --batch-size ignored")
        return recipe.run(out=out, epochs=epochs, lr=lr, seed=seed, print_fn=print_fn)
    t0 = time.perf_counter()
    data = recipe.data()
    preprocessing = describe_preprocessing(recipe, data)    # fitted on the whole training part
    fit_options = recipe.fit_options
    if limit is not None:
        data, fit_options = limit_data(recipe, data, limit)
    t_data = time.perf_counter() - t0
    model = recipe.model()
    model.compile(optimizer=recipe.optimizer, loss=recipe.loss, metrics=recipe.metrics,
                  learning_rate=recipe.lr if lr is None else lr)
    epochs = recipe.epochs if epochs is None else epochs
    batch_size = recipe.batch_size if batch_size is None else batch_size
    print_fn(f"recipe {name}: {recipe.description}")
    print_fn(f"data: {_count(data['x_train'])} training and {_count(data['x_test'])} test samples "
             f"(loaded in {t_data:.1f}s); {epochs} epochs, batch {batch_size}, {recipe.optimizer} lr "
             f"{recipe.lr if lr is None else lr}")
    t1 = time.perf_counter()
    out = out or os.path.join("runs", name)
    callbacks = _recipe_callbacks(recipe, epochs, recipe.lr if lr is None else lr, out) + list(callbacks or [])
    history = model.fit(data["x_train"], data["y_train"], epochs=epochs, batch_size=batch_size,
                        validation_split=recipe.validation_split, verbose=verbose, callbacks=callbacks or None,
                        **fit_options)
    t_train = time.perf_counter() - t1
    test = model.evaluate(data["x_test"], data["y_test"], batch_size=recipe.eval_batch_size)
    report = {"recipe": name, "epochs": epochs, "batch_size": batch_size, "seed": seed,
              "params": model.count_params(), "train_seconds": round(t_train, 2),
              "test": {k: float(v) for k, v in test.items()}}
    class_names = data.get("class_names")
    if class_names is not None:
        pred = model.predict(data["x_test"], batch_size=recipe.eval_batch_size)
        labels = pred.argmax(axis=1) if pred.ndim == 2 and pred.shape[1] > 1 else (pred.reshape(-1) > 0.5).astype(int)
        cm = confusion_matrix(data["y_test"], labels, num_classes=len(class_names))
        report["confusion_matrix"] = np.asarray(cm).tolist()
        report["class_names"] = list(class_names)
    os.makedirs(out, exist_ok=True)
    if limit is not None:
        report["limit"] = limit
    if recipe.report is not None and limit is None:
        report["extra"] = recipe.report(model, data, out)
    if "std" in data and "rmse" in report["test"]:   # a scaled series: errors in the data's own units too
        report["test_in_data_units"] = {k: float(v) * data["std"] for k, v in report["test"].items()
                                        if k in ("rmse", "mae")}
        if data.get("baselines"):
            report["test_in_data_units"].update({k: float(v) * data["std"] for k, v in data["baselines"].items()})
    model.save(os.path.join(out, "model.safetensors"))
    save_preprocessing(preprocessing, out)
    try:
        history.plot(os.path.join(out, "training_curves.png"), title=f"{name}")
        report["curves"] = os.path.join(out, "training_curves.png")
    except ImportError:
        report["curves"] = None
    if data.get("baselines"):
        report["baselines"] = {k: float(v) for k, v in data["baselines"].items()}
    report["total_seconds"] = round(time.perf_counter() - t0, 2)
    with open(os.path.join(out, "report.json"), "w") as f:
        json.dump(report, f, indent=2)
    print_fn("test: " + ", ".join(f"{k} {v:.4f}" for k, v in report["test"].items()))
    if data.get("baselines"):
        print_fn("baselines: " + ", ".join(f"{k} {v:.4f}" for k, v in data["baselines"].items()))
    if "test_in_data_units" in report:
        print_fn("in the data's units: " + ", ".join(f"{k} {v:.2f}" for k, v in report["test_in_data_units"].items()))
    for key, value in report.get("extra", {}).items():
        print_fn(f"{key}: {value}")
    if "confusion_matrix" in report:
        print_fn("confusion matrix (rows: true class, columns: predicted):")
        print_fn(format_confusion_matrix(np.asarray(report["confusion_matrix"]), report["class_names"]))
    if report["curves"] is None:
        print_fn("training curves skipped: matplotlib is not installed (pip install 'neuronet[plots]')")
    print_fn(f"training took {t_train:.1f}s, the whole run {report['total_seconds']:.1f}s; "
             f"model{', curves' if report['curves'] else ''} and report written to {out}/")
    return report
