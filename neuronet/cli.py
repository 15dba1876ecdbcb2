"""The ``neuronet`` command: train recipes, evaluate and use saved models, fetch data, show info.

```text
neuronet train fashion-mlp [--epochs N] [--batch-size N] [--lr X] [--out DIR] [--seed S] [--limit N]
                           [--tensorboard LOG_DIR]
neuronet recipes [--verbose]
neuronet evaluate MODEL [DATASET] [--limit N]
neuronet predict MODEL [INPUT.npy|INPUT.csv|INPUT.txt] [--text TEXT] [--output OUT.npy]
neuronet data list | neuronet data fetch NAME [NAME ...]
neuronet info
```
"""
from __future__ import annotations

import argparse
import platform
import sys
import textwrap

import numpy as np

__all__ = ["main"]


def _cmd_train(args) -> int:
    from .recipes import run_recipe
    callbacks = None
    if args.tensorboard:
        from .train.callbacks import TensorBoard
        callbacks = [TensorBoard(args.tensorboard)]
    run_recipe(args.recipe, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, out=args.out,
               verbose=0 if args.quiet else 1, seed=args.seed, limit=args.limit, callbacks=callbacks)
    return 0


def _cmd_recipes(args) -> int:
    import textwrap
    from .recipes import get_recipe, recipe_names
    names = recipe_names()
    width = max(len(n) for n in names)
    head = "training time (2 cores)"
    time_w = max(len(head), *(len(get_recipe(n).train_time) for n in names))
    print(f"{'recipe':<{width}}  {'kind':<10}  {head:<{time_w}}  reported figure (README)")
    for name in names:
        r = get_recipe(name)
        print(f"{name:<{width}}  {r.kind:<10}  {r.train_time or '-':<{time_w}}  {r.reported or '-'}")
        if args.verbose:
            for line in textwrap.wrap(r.description + (f" [target: {r.target}]" if r.target else ""), 100):
                print(" " * (width + 2) + line)
    print("\ntimes and figures as the README measured them (\"load\": other jobs shared the 2 cores); "
          "CIFAR-10 is not on that machine")
    if not args.verbose:
        print("`neuronet recipes --verbose` describes each recipe; `neuronet train NAME` runs one.")
    return 0


def _load(args):
    """The model and its preprocessing (``preprocessing.json`` beside it, or ``--preprocessing``)."""
    from . import recipes  # noqa: F401  (registers every recipe and the model classes they use)
    from .recipes.preprocessing import load_preprocessing, preprocessing_path
    from .train import load_model
    model = load_model(args.model)
    path = args.preprocessing or preprocessing_path(args.model)
    info = None
    if args.preprocessing or path.exists():
        info = load_preprocessing(path)
    return model, info


def _cmd_evaluate(args) -> int:
    from .recipes.evaluation import evaluate_lines
    model, info = _load(args)
    dataset = args.dataset or (info or {}).get("dataset")
    if not dataset:
        raise ValueError(f"name the dataset to score {args.model} on (no preprocessing.json beside it says which); "
                         f"see `neuronet evaluate --help`")
    if info:
        print(f"model: recipe {info['recipe']} ({info['kind']}), scored on {dataset}")
    for line in evaluate_lines(model, dataset, info, args.limit):
        print(line)
    return 0


def _cmd_predict(args) -> int:
    from .recipes.prediction import predict_lines
    if args.input is None and not args.text:
        raise ValueError("give an input file or --text")
    model, info = _load(args)
    lines, values = predict_lines(model, info, args.input, args.text, steps=args.steps, length=args.length,
                                  temperature=args.temperature)
    if args.output:
        np.save(args.output, values)
        print(f"wrote predictions of shape {values.shape} to {args.output}")
    else:
        for line in lines:
            print(line)
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
    from . import _malloc_tuning, _openblas_env
    from .kernels import compiled
    print(compiled.describe())
    print(_openblas_env.describe())
    print(_malloc_tuning.describe())
    return 0


def _recipe_list() -> str:
    from .recipes import get_recipe, recipe_names
    return "\n".join(f"  {n:<26}{get_recipe(n).kind:<11}{get_recipe(n).train_time}" for n in recipe_names())


def _dataset_list() -> str:
    from .recipes.evaluation import EVAL_DATASETS
    return "\n".join(f"  {n:<22}{d}" for n, d in sorted(EVAL_DATASETS.items()))


def _kind_list() -> str:
    from .recipes.registry import KINDS
    return "\n".join(f"  {k:<12}{d}" for k, d in KINDS.items())


def build_parser() -> argparse.ArgumentParser:
    raw = argparse.RawDescriptionHelpFormatter
    p = argparse.ArgumentParser(prog="neuronet", description="neuronet: train and use neural networks.",
                                epilog="`neuronet COMMAND --help` describes each command.")
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser(
        "train", help="train a recipe (see `neuronet recipes`)", formatter_class=raw,
        description=textwrap.fill("Train a recipe at its own settings (or the ones given), evaluate it on its test split and "
                    "write model.safetensors, preprocessing.json, report.json and training_curves.png into --out.", 79),
        epilog="recipes (kind, training time on a 2-core machine):\n" + _recipe_list() +
               "\n\nthen: neuronet predict OUT/model.safetensors INPUT; neuronet evaluate OUT/model.safetensors")
    t.add_argument("recipe", help="the recipe's name (listed below)")
    t.add_argument("--epochs", type=int, help="epochs to train (default: the recipe's)")
    t.add_argument("--batch-size", type=int, help="samples per gradient step (default: the recipe's)")
    t.add_argument("--lr", type=float, help="learning rate (default: the recipe's)")
    t.add_argument("--out", help="output directory (default runs/RECIPE)")
    t.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    t.add_argument("--limit", type=int, help="a quick run: at most N training, validation and test samples "
                                             "(the recipe's extra report is skipped)")
    t.add_argument("--tensorboard", metavar="LOG_DIR",
                   help="also write TensorBoard event files into LOG_DIR (needs tensorboardX: "
                        "pip install 'neuronet[tensorboard]'); view with tensorboard --logdir LOG_DIR")
    t.add_argument("--quiet", action="store_true", help="no per-epoch output")
    t.set_defaults(func=_cmd_train)
    r = sub.add_parser("recipes", help="list the recipes, their training times and reported figures")
    r.add_argument("--verbose", "-v", action="store_true", help="also describe each recipe and its target")
    r.set_defaults(func=_cmd_recipes)
    e = sub.add_parser(
        "evaluate", help="score a saved model on a dataset's test split", formatter_class=raw,
        description=textwrap.fill("Score a model saved by `neuronet train` (or model.save) on the test split of a dataset, "
                    "split as the recipes split it; classifiers print the confusion matrix with class names.", 79),
        epilog="datasets:\n" + _dataset_list())
    e.add_argument("model", help="the model file (model.safetensors written by `neuronet train`)")
    e.add_argument("dataset", nargs="?", help="a dataset listed below (default: the one the model's recipe "
                                              "trained on, from preprocessing.json)")
    e.add_argument("--limit", type=int, help="score only the first N test samples (a quick check)")
    e.add_argument("--preprocessing", help="the preprocessing.json to use (default: the one beside the model)")
    e.set_defaults(func=_cmd_evaluate)
    pr = sub.add_parser(
        "predict", help="predict with a saved model on inputs from a file or --text", formatter_class=raw,
        description=textwrap.fill("Run a model saved by `neuronet train` on new inputs, prepared with the preprocessing saved "
                    "beside it (tokenizer, scaler, vocabulary, pixel scale), and print class names and "
                    "probabilities, forecasts, Roman numerals or generated text.", 79),
        epilog="what each kind of recipe reads:\n" + _kind_list() +
               "\n\nexamples:\n  neuronet predict runs/iris/model.safetensors flowers.csv"
               "\n  neuronet predict runs/rt-sentiment-lstm/model.safetensors --text 'a joyless, tedious film'"
               "\n  neuronet predict runs/sunspots-lstm/model.safetensors monthly.csv --steps 12"
               "\n  neuronet predict runs/numerals-transformer/model.safetensors --text '1994 2024'"
               "\n  neuronet predict runs/shakespeare-lstm/model.safetensors --text 'ROMEO.' --length 300")
    pr.add_argument("model", help="the model file (model.safetensors written by `neuronet train`)")
    pr.add_argument("input", nargs="?", help="the inputs: .npy, .csv (a header row is fine), or .txt")
    pr.add_argument("--text", action="append", help="an input given on the command line instead of a file "
                                                    "(a text, a prompt, numbers); repeat for several texts")
    pr.add_argument("--output", help="write the predictions to this .npy file instead of printing them "
                                     "(classifiers: the model's raw outputs)")
    pr.add_argument("--preprocessing", help="the preprocessing.json to use (default: the one beside the model)")
    pr.add_argument("--steps", type=int, default=1, help="series: values to forecast after the series (default 1)")
    pr.add_argument("--length", type=int, default=200, help="language models: most characters to write (default 200)")
    pr.add_argument("--temperature", type=float, default=0.8,
                    help="language models: sampling temperature (default 0.8; lower is more conservative)")
    pr.set_defaults(func=_cmd_predict)
    d = sub.add_parser("data", help="list or fetch the offline datasets")
    d.add_argument("action", choices=["list", "fetch"], help="list the datasets, or fetch some into the cache")
    d.add_argument("names", nargs="*", help="datasets to fetch (see `neuronet data list`)")
    d.set_defaults(func=_cmd_data)
    i = sub.add_parser("info", help="version, backend, BLAS and threads")
    i.set_defaults(func=_cmd_info)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError) as e:
        msg = str(e)
        msg = msg[len(args.command) + 2:] if msg.startswith(f"{args.command}: ") else msg
        print(f"neuronet {args.command}: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
