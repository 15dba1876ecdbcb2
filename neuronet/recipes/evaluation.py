"""``neuronet evaluate``: score a saved model on the test split of a dataset a recipe trains on.

Array datasets (``iris``, ``fashion-mnist``, ...) are split as the recipes split them
(:mod:`.datasets`); the others are read raw and prepared with the preprocessing saved beside the
model, so a model trained on a subset (``--limit``) is scored with its own tokenizer or scaler:

- ``rotten-tomatoes``: the 20 % test reviews, tokenized with the saved tokenizer; accuracy and the
  confusion matrix with the class names;
- ``sunspots``: the last 20 % of the monthly series, windows scaled with the saved scaler; RMSE and
  MAE in sunspot numbers (the scaler inverted), beside the persistence forecast's;
- ``shakespeare``: the last 5 % of the text with the saved vocabulary; nats (and bits) per character,
  the LSTM reading the stream in lanes with carried states, the Transformer in sliding windows;
- ``numerals``: the 800 held-out numbers; exact match of the whole Roman numeral (greedy decoding).
"""
from __future__ import annotations

from ..backend import np
from .datasets import DATASETS, dataset_splits
from .registry import get_recipe

__all__ = ["EVAL_DATASETS", "evaluate_lines"]

EVAL_DATASETS = {  # every dataset a recipe trains on -> what its test split is
    "xor": "the 4 XOR points (the training set itself)",
    "iris": "30 flowers (a stratified 20 % of Fisher's Iris)",
    "digits": "360 8x8 digits (a stratified 20 %)",
    "mnist-5k": "1,000 MNIST digits (a stratified 20 % of the 5k subset)",
    "fashion-mnist": "the 10,000 Fashion-MNIST test images, flattened to 784 numbers",
    "fashion-mnist-images": "the 10,000 Fashion-MNIST test images, 1x28x28",
    "cifar10": "the 10,000 CIFAR-10 test images (batches you provide: $NEURONET_CIFAR10)",
    "rotten-tomatoes": "the 20 % test reviews (needs the model's saved tokenizer)",
    "sunspots": "the last 20 % of the monthly series; errors in sunspot numbers (needs the saved scaler)",
    "shakespeare": "the last 5 % of the text, nats per character (needs the saved vocabulary)",
    "numerals": "the 800 held-out numbers 1-3999, exact match of the Roman numeral",
}


def _need(info, key, dataset):
    if not info or key not in info:
        raise ValueError(f"evaluate: scoring on {dataset} needs the model's {key} from the preprocessing.json that "
                         f"`neuronet train` writes beside model.safetensors (pass it with --preprocessing)")
    return info[key]


def _compiled(model, info, what):
    """The model, compiled with its recipe's loss and metrics when the file did not keep them by name."""
    if getattr(model, "compiled", False):
        return model
    if not info:
        raise ValueError(f"evaluate: the model file keeps no loss by name, and there is no preprocessing.json to "
                         f"name its recipe; cannot compute {what}")
    r = get_recipe(info["recipe"])
    return model.compile(optimizer=r.optimizer, loss=r.loss, metrics=r.metrics)


def _limited(n, limit):
    return n if limit is None else min(n, limit)


def _classification(model, x, y, names, batch_size=1000):
    from ..train.metrics import confusion_matrix
    from .runner import format_confusion_matrix
    logs = model.evaluate(x, y, batch_size=batch_size) if getattr(model, "compiled", False) else {}
    pred = model.predict(x, batch_size=batch_size)
    labels = pred.argmax(1) if pred.ndim == 2 and pred.shape[1] > 1 else (pred.reshape(-1) > 0.5).astype(int)
    if "accuracy" not in logs:
        logs["accuracy"] = float((labels == np.asarray(y).reshape(-1)).mean())
    lines = [", ".join(f"{k} {v:.4f}" for k, v in logs.items())]
    k = pred.shape[1] if pred.ndim == 2 and pred.shape[1] > 1 else 2
    cm = confusion_matrix(y, labels, num_classes=k)
    lines.append("confusion matrix (rows: true class, columns: predicted):")
    lines.append(format_confusion_matrix(np.asarray(cm), list(names) if names is not None and len(names) == k else None))
    return lines


def _arrays(model, dataset, info, limit):
    split = dataset_splits(dataset)
    x, y = split["x_test"], split["y_test"]
    n = _limited(len(y), limit)
    x, y = x[:n], y[:n]
    spec = getattr(model, "_input_spec", None)
    if spec:
        shape = tuple(spec[0][0])
        if x.shape[1:] != shape:
            if int(np.prod(x.shape[1:])) != int(np.prod(shape)):
                raise ValueError(f"evaluate: the model takes inputs of shape {shape}, dataset {dataset} has {x.shape[1:]}")
            x = x.reshape((x.shape[0], *shape))
    names = (info or {}).get("class_names") or split.get("class_names")
    if (info or {}).get("kind") == "generative":  # scored on reconstructing its input (the VAE: its −ELBO)
        model = _compiled(model, info, "the test loss")
        logs = model.evaluate(x, x, batch_size=1000)
        return [", ".join(f"{k} {v:.4f}" for k, v in logs.items()) + f" on {n} test images (reconstructing them)"]
    if names is None:
        model = _compiled(model, info, "the test loss")
        logs = model.evaluate(x, y, batch_size=1000)
        return [", ".join(f"{k} {v:.4f}" for k, v in logs.items())]
    if info:
        model = _compiled(model, info, "the test loss")
    return _classification(model, x, y, names)


def _rotten_tomatoes(model, info, limit):
    from ..data.datasets import ROTTEN_TOMATOES_CLASSES, rotten_tomatoes_split
    from ..data.text import pad_sequences
    tokenizer = _need(info, "tokenizer", "rotten-tomatoes")
    _, (texts, y) = rotten_tomatoes_split(test_size=0.2, seed=0)
    n = _limited(len(y), limit)
    x, _ = pad_sequences(tokenizer.texts_to_sequences(list(texts[:n])), maxlen=info["maxlen"])
    model = _compiled(model, info, "the test loss")
    return _classification(model, x, np.asarray(y[:n]), info.get("class_names") or ROTTEN_TOMATOES_CLASSES)


def _sunspots(model, info, limit):
    from ..data.datasets import load_sunspots, make_windows
    scaler = _need(info, "scaler", "sunspots")
    window, fraction = info["window"], info["test_fraction"]
    series, _ = load_sunspots(monthly=True)
    cut = int(round(series.size * (1 - fraction)))
    x, y = make_windows(((series[cut - window:] - scaler["mean"]) / scaler["std"]).astype(np.float32), window)
    n = _limited(len(y), limit)
    x, y = x[:n], y[:n]
    pred = np.asarray(model.predict(x)).reshape(-1) * scaler["std"] + scaler["mean"]
    truth = y.reshape(-1) * scaler["std"] + scaler["mean"]
    last = x[:, -1, 0] * scaler["std"] + scaler["mean"]
    rmse = float(np.sqrt(np.mean((pred - truth) ** 2)))
    mae = float(np.mean(np.abs(pred - truth)))
    persistence = float(np.sqrt(np.mean((last - truth) ** 2)))
    return [f"{n} monthly forecasts after {window} months each (the last {fraction:.0%} of 1749-2009):",
            f"rmse {rmse:.2f} sunspots, mae {mae:.2f} sunspots; persistence forecast (next = last) rmse "
            f"{persistence:.2f} sunspots",
            f"standardised units (as in report.json): rmse {rmse / scaler['std']:.4f}, "
            f"persistence {persistence / scaler['std']:.4f}"]


def _shakespeare(model, info, limit):
    from ..data.datasets import load_shakespeare
    from .language import encode_pieces, split_pieces, stream_loss
    from .language_transformer import sliding_window_loss
    vocabulary = _need(info, "vocabulary", "shakespeare")
    text = load_shakespeare()
    part = text[int(len(text) * (1 - info["test_fraction"])):]
    ids = encode_pieces(split_pieces(part), vocabulary)
    if limit is not None:
        ids = ids[:max(limit, 2)]
    if hasattr(model, "max_len"):            # a Transformer: every character once, with >= T/2 context
        context = min(model.max_len, ids.size - 1)
        loss = sliding_window_loss(model, ids, context)
        how = f"sliding windows of {context} characters"
    else:
        model = _compiled(model, info, "the loss")
        steps = min(info.get("bptt_steps", 100), ids.size - 1)
        lanes = max(1, min(info.get("lanes", 64), (ids.size - 1) // steps))
        loss = stream_loss(model, ids, lanes, steps)
        how = f"{lanes} lanes with carried states"
    return [f"test text: {ids.size} tokens (the last {info['test_fraction']:.0%} of Shakespeare), {how}",
            f"loss {loss:.4f} nats/char ({loss / np.log(2):.4f} bits/char)"]


def _numerals(model, info, limit):
    from ..data.numerals import numerals_split
    from .numerals import exact_match
    numbers = numerals_split()["test"]
    numbers = numbers[:_limited(numbers.size, limit)]
    score, mistakes = exact_match(model, numbers)
    lines = [f"exact match {score:.4f} on {numbers.size} held-out numbers (greedy decoding)"]
    lines += [f"  {n} -> {w} (expected {e})" for n, w, e in mistakes[:10]]
    return lines


assert set(DATASETS) <= set(EVAL_DATASETS), "every recipe dataset is described"


def evaluate_lines(model, dataset: str, info=None, limit: int | None = None) -> list:
    """The lines ``neuronet evaluate`` prints for ``model`` on ``dataset``'s test split.

    Args:
        info: the model's checked preprocessing (or None: array datasets only).
        limit: score only the first ``limit`` test samples (reviews, windows, numbers, characters).
    """
    if dataset not in EVAL_DATASETS:
        raise ValueError(f"evaluate: unknown dataset {dataset!r}; known: {', '.join(sorted(EVAL_DATASETS))}")
    if info and info.get("dataset") and dataset != info["dataset"] and \
            (info["kind"] not in ("features", "images") or dataset in ("rotten-tomatoes", "sunspots", "shakespeare", "numerals")):
        raise ValueError(f"evaluate: the model was trained by recipe {info['recipe']} on {info['dataset']}; "
                         f"it cannot be scored on {dataset}")
    if dataset == "rotten-tomatoes":
        return _rotten_tomatoes(model, info, limit)
    if dataset == "sunspots":
        return _sunspots(model, info, limit)
    if dataset == "shakespeare":
        return _shakespeare(model, info, limit)
    if dataset == "numerals":
        return _numerals(model, info, limit)
    return _arrays(model, dataset, info, limit)
