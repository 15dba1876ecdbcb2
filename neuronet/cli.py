"""The ``neuronet`` command: train recipes, evaluate and use saved models, fetch data, show info.

    neuronet train fashion-mlp [--epochs N] [--batch-size N] [--lr X] [--out DIR] [--seed S]
    neuronet recipes
    neuronet evaluate MODEL DATASET
    neuronet predict MODEL INPUT.npy|INPUT.csv [--output OUT.npy]
    neuronet data list | neuronet data fetch NAME [NAME ...]
    neuronet info
"""
from __future__ import annotations

import argparse
import platform
import sys

import numpy as np

__all__ = ["main"]


def _cmd_train(args) -> int:
    from .recipes import run_recipe
    run_recipe(args.recipe, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, out=args.out,
               verbose=0 if args.quiet else 1, seed=args.seed)
    return 0


def _cmd_recipes(args) -> int:
    from .recipes import get_recipe, recipe_names
    for name in recipe_names():
        r = get_recipe(name)
        print(f"{name:<22} {r.description}" + (f"  [target: {r.target}]" if r.target else ""))
    return 0


def _load_eval_data(name: str, spec):
    from .recipes.datasets import test_split
    x, y = test_split(name)
    if spec:
        shape = tuple(spec[0][0])
        if x.shape[1:] != shape:
            if int(np.prod(x.shape[1:])) != int(np.prod(shape)):
                raise SystemExit(f"neuronet evaluate: the model takes inputs of shape {shape}, dataset {name} has "
                                 f"{x.shape[1:]}")
            x = x.reshape((x.shape[0], *shape))
    return x, y


def _cmd_evaluate(args) -> int:
    from .train import load_model
    from .train.metrics import confusion_matrix
    from .recipes.runner import format_confusion_matrix
    model = load_model(args.model)
    x, y = _load_eval_data(args.dataset, getattr(model, "_input_spec", None))
    logs = model.evaluate(x, y, batch_size=1000)
    print(", ".join(f"{k} {v:.4f}" for k, v in logs.items()))
    pred = model.predict(x, batch_size=1000)
    if pred.ndim == 2 and pred.shape[1] > 1 and y.ndim == 1:
        print(format_confusion_matrix(confusion_matrix(y, pred.argmax(1), num_classes=pred.shape[1])))
    return 0


def _cmd_predict(args) -> int:
    from .train import load_model
    model = load_model(args.model, compile=False)
    if args.input.endswith(".npy"):
        x = np.load(args.input, allow_pickle=False)
    else:
        x = np.loadtxt(args.input, delimiter=",", dtype=np.float32, ndmin=2)
    spec = getattr(model, "_input_spec", None)
    if spec and x.ndim == 2 and tuple(spec[0][0]) != x.shape[1:] and x.shape[1] == int(np.prod(spec[0][0])):
        x = x.reshape((x.shape[0], *spec[0][0]))
    pred = model.predict(x.astype(np.float32) if x.dtype.kind == "f" else x)
    if args.output:
        np.save(args.output, pred)
        print(f"wrote predictions of shape {pred.shape} to {args.output}")
    else:
        for row in pred:
            cls = f"  -> class {int(row.argmax())}" if row.ndim == 1 and row.size > 1 else ""
            print(np.array2string(row, precision=4, separator=", ", max_line_width=200) + cls)
    return 0


def _cmd_data(args) -> int:
    from .data import datasets
    if args.action == "list":
        for info in datasets.list_datasets():
            print(f"{info.name:14} {'cached' if info.cached else '-':7} {info.size:6} {info.description}  [{info.source}]")
        return 0
    if not args.names:
        raise SystemExit("neuronet data fetch: name at least one dataset (see `neuronet data list`)")
    for name in args.names:
        path = datasets.fetch(name)
        print(f"{name}: ready at {path}")
    return 0


def _cmd_info(args) -> int:
    import numpy
    from . import __version__, backend
    print(f"neuronet {__version__}")
    print(f"python {platform.python_version()} on {platform.machine()} ({platform.system()})")
    print(f"numpy {numpy.__version__}; default dtype {backend.get_default_dtype()}")
    print(f"GPU (CuPy): {'available' if backend.cupy_available() else 'not available'}")
    try:
        from threadpoolctl import threadpool_info
        for pool in threadpool_info():
            print(f"BLAS: {pool.get('internal_api')} {pool.get('version')} kernel {pool.get('architecture')} "
                  f"threads {pool.get('num_threads')} ({pool.get('filepath')})")
    except ImportError:  # NumPy's OpenBLAS as neuronet itself finds it
        from .kernels.parallel import blas_controllers
        for c in blas_controllers():
            print(f"BLAS: OpenBLAS kernel {c.architecture} threads {c.num_threads} ({c.filepath})")
        if not blas_controllers():
            print("BLAS: not OpenBLAS; install threadpoolctl to see the library and its threads")
    from . import _malloc_tuning
    from .kernels import compiled
    print(compiled.describe())
    print(_malloc_tuning.describe())
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="neuronet", description="neuronet: train and use neural networks.")
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train a recipe (see `neuronet recipes`)")
    t.add_argument("recipe")
    t.add_argument("--epochs", type=int)
    t.add_argument("--batch-size", type=int)
    t.add_argument("--lr", type=float)
    t.add_argument("--out", help="output directory (default runs/RECIPE)")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--quiet", action="store_true", help="no per-epoch output")
    t.set_defaults(func=_cmd_train)
    r = sub.add_parser("recipes", help="list the recipes")
    r.set_defaults(func=_cmd_recipes)
    e = sub.add_parser("evaluate", help="evaluate a saved model on a dataset's test split")
    e.add_argument("model")
    e.add_argument("dataset")
    e.set_defaults(func=_cmd_evaluate)
    pr = sub.add_parser("predict", help="predict with a saved model on inputs from a .npy or .csv file")
    pr.add_argument("model")
    pr.add_argument("input")
    pr.add_argument("--output", help="write the predictions to this .npy file")
    pr.set_defaults(func=_cmd_predict)
    d = sub.add_parser("data", help="list or fetch the offline datasets")
    d.add_argument("action", choices=["list", "fetch"])
    d.add_argument("names", nargs="*")
    d.set_defaults(func=_cmd_data)
    i = sub.add_parser("info", help="version, backend, BLAS and threads")
    i.set_defaults(func=_cmd_info)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError) as e:
        print(f"neuronet {args.command}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
