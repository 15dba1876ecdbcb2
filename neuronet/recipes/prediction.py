"""``neuronet predict``: read a user's inputs the way the recipe's model needs them, print the answers.

Each recipe kind (:data:`~neuronet.recipes.registry.KINDS`) reads its own inputs: rows of numbers
or images from ``.npy``/``.csv`` (a header row is recognised and a label column dropped), texts
(tokenized and padded with the saved tokenizer), a raw series (scaled with the saved scaler, the
forecast scaled back), Arabic numbers, or a prompt for a language model.  Classifiers print each
row's class name and probability; :func:`predict_lines` returns the printed lines and the array
that ``--output`` saves.
"""
from __future__ import annotations

import csv
import io
import sys

from ..backend import np

__all__ = ["read_table", "read_texts", "model_inputs", "predict_lines", "class_probabilities"]

_LABEL_COLUMNS = {"label", "labels", "class", "target", "y", "species", "category"}
_TEXT_COLUMNS = ("text", "review", "sentence", "texts", "reviews", "content")


def _note(msg):
    print(f"note: {msg}", file=sys.stderr)


def _is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


def read_table(path: str):
    """A numeric table from ``.npy`` or ``.csv``/``.txt`` (comma, semicolon, tab or space separated).

    Returns:
        ``(array, header)``: the header is the list of column names when the first row is not
        numeric, else None.
    """
    if str(path).endswith(".npy"):
        return np.load(path, allow_pickle=False), None
    with open(path, encoding="utf-8-sig") as f:
        text = f.read()
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValueError(f"predict: {path} is empty")
    try:
        dialect = csv.Sniffer().sniff(lines[0], delimiters=",;\t ")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    rows = [[c.strip() for c in row if c.strip() != "" or delimiter != " "]
            for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)]
    header = None
    if rows and not all(_is_number(c) for c in rows[0]):
        header, rows = rows[0], rows[1:]
    if not rows:
        raise ValueError(f"predict: {path} has a header but no rows of numbers")
    widths = {len(r) for r in rows}
    if len(widths) != 1:
        raise ValueError(f"predict: the rows of {path} have different numbers of columns: {sorted(widths)}")
    try:
        table = np.asarray([[float(c) for c in r] for r in rows], dtype=np.float32)
    except ValueError as e:
        raise ValueError(f"predict: {path} must hold numbers only (after an optional header row): {e}") from None
    return table, header


def read_texts(path: str) -> list:
    """Texts from a ``.csv`` with a header (its ``text``/``review``/``sentence`` column, or its only
    column) or any other file, one text per non-empty line."""
    with open(path, encoding="utf-8-sig") as f:
        content = f.read()
    if str(path).endswith(".csv"):
        rows = list(csv.reader(io.StringIO(content)))
        if not rows:
            raise ValueError(f"predict: {path} is empty")
        header = [h.strip().lower() for h in rows[0]]
        column = next((header.index(c) for c in _TEXT_COLUMNS if c in header), 0 if len(header) == 1 else None)
        if column is None:
            raise ValueError(f"predict: {path} has columns {rows[0]}; name the texts' column 'text'")
        return [r[column] for r in rows[1:] if len(r) > column and r[column].strip()]
    return [line for line in content.splitlines() if line.strip()]


def _numbers_from(path, text, what):
    if text is not None:
        try:
            return np.asarray([float(v) for v in " ".join(text).replace(",", " ").split()], dtype=np.float64)
        except ValueError:
            raise ValueError(f"predict: --text for {what} must be numbers separated by spaces or commas, "
                             f"received {' '.join(text)[:80]!r}") from None
    table, header = read_table(path)
    if header is not None and table.ndim == 2 and table.shape[1] > 1:
        _note(f"{path}: read the last column ({header[-1]!r}) as the {what}")
        return table[:, -1].astype(np.float64)
    return table.astype(np.float64)


def _drop_label_column(x, header, width, path):
    if header is None or x.ndim != 2 or x.shape[1] != width + 1:
        return x
    names = [h.strip().lower() for h in header]
    for i, name in enumerate(names):
        if name in _LABEL_COLUMNS:
            _note(f"{path}: left out the column {header[i]!r} (a label, not an input)")
            return np.delete(x, i, axis=1)
    return x


def _arrays(model, info, path, text=None):
    """Rows of numbers or images shaped as the model's saved input, pixels scaled as in training."""
    if text:                               # --text "5.1 3.5 1.4 0.2": one sample per --text
        rows = [_numbers_from(None, [t], "inputs") for t in text]
        if len({r.size for r in rows}) != 1:
            raise ValueError(f"predict: every --text must hold the same number of values, received {[r.size for r in rows]}")
        x, header = np.stack(rows).astype(np.float32), None
    elif path is None:
        raise ValueError("predict: this model reads numbers: give an input file (.npy or .csv) or --text '1 2 3'")
    else:
        x, header = read_table(path)
    spec = getattr(model, "_input_spec", None)
    if spec:
        shape = tuple(spec[0][0])
        width = int(np.prod(shape))
        x = _drop_label_column(x, header, width, path)
        if x.ndim == 1 and x.size == width:
            x = x.reshape(1, -1)
        if x.shape[1:] != shape:
            if x.ndim < 2 or int(np.prod(x.shape[1:])) != width:
                raise ValueError(f"predict: the model takes inputs of shape {shape} ({width} numbers per sample), "
                                 f"{path} holds samples of shape {x.shape[1:]}")
            x = x.reshape((x.shape[0], *shape))
    scale = (info or {}).get("pixel_scale")
    if scale and x.size and float(np.max(x)) > 1.0:
        _note(f"inputs above 1 read as raw pixel values: divided by {scale:g} as in training")
        x = x / scale
    return x.astype(np.float32) if x.dtype.kind == "f" else x


def model_inputs(model, info, path=None, text=None):
    """The array(s) ``model`` reads, from ``path`` or ``--text`` values, for ``info``'s kind."""
    from ..data.text import pad_sequences
    kind = (info or {}).get("kind", "features")
    if kind in ("features", "images", "generative"):
        return _arrays(model, info, path, text)
    if kind == "text":
        texts = list(text) if text else read_texts(path) if path else []
        if not texts:
            raise ValueError("predict: give the texts with --text 'a review' or an input file (one text per line)")
        ids, _ = pad_sequences(info["tokenizer"].texts_to_sequences(texts), maxlen=info["maxlen"])
        return ids, texts
    if kind == "numerals":
        from ..data.numerals import encode_numbers
        values = _numbers_from(path, text, "numbers").reshape(-1)
        if np.any(values != np.round(values)):
            raise ValueError("predict: the numerals model reads whole numbers from 1 to 3999")
        numbers = values.astype(np.int64)
        return encode_numbers(numbers), numbers
    raise ValueError(f"predict: no input reader for kind {kind!r}")


def class_probabilities(pred):
    """Class probabilities from a classifier's outputs: kept when rows are already distributions,
    else softmax of the logits (one output: sigmoid)."""
    pred = np.asarray(pred, dtype=np.float64)
    if pred.ndim == 2 and pred.shape[1] == 1:
        p = pred if np.all((pred >= 0) & (pred <= 1)) else 1.0 / (1.0 + np.exp(-pred))
        return np.concatenate([1.0 - p, p], axis=1)
    if np.all(pred >= 0) and np.allclose(pred.sum(axis=1), 1.0, atol=1e-4):
        return pred
    z = np.exp(pred - pred.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def _classification_lines(pred, names, labels=None, top: int = 3):
    probs = class_probabilities(pred)
    k = probs.shape[1]
    names = list(names) if names is not None and len(names) == k else [f"class {i}" for i in range(k)]
    lines = []
    for i, row in enumerate(probs):
        order = np.argsort(-row)[:top]
        best = int(order[0])
        others = ", ".join(f"{names[j]} {row[j]:.3f}" for j in order[1:])
        head = f"{i}: " + (f"{labels[i][:60]!r} -> " if labels is not None else "")
        lines.append(f"{head}{names[best]} (p = {row[best]:.3f})" + (f"; next: {others}" if others else "")
                     + f"  [class {best}]")
    return lines


def _forecast(model, info, path, text, steps):
    """Next ``steps`` values after a series (or one forecast per row of ``window`` values)."""
    window, mean, std = info["window"], info["scaler"]["mean"], info["scaler"]["std"]
    if text is None and path is not None:
        table, header = read_table(path)
        if table.ndim == 2 and table.shape[1] not in (1, window):     # columns such as (month, value)
            if header is not None:
                _note(f"{path}: read the last column ({header[-1]!r}) as the series")
            table = table[:, -1]
        values = table.astype(np.float64)
    else:
        values = _numbers_from(path, text, "series")
    if values.ndim == 2 and values.shape[1] == window:
        pred = model.predict(((values - mean) / std).astype(np.float32)[:, :, None]).reshape(-1) * std + mean
        return [f"{i}: next value {v:.2f}" for i, v in enumerate(pred)], pred
    values = values.reshape(-1)
    if values.size < window:
        raise ValueError(f"predict: the model reads the last {window} values of a series; received {values.size}")
    scaled = list(((values[-window:] - mean) / std).astype(np.float32))
    out = []
    for _ in range(steps):
        nxt = float(np.asarray(model.predict(np.asarray(scaled[-window:], dtype=np.float32)[None, :, None])).reshape(-1)[0])
        out.append(nxt)
        scaled.append(nxt)
    pred = np.asarray(out) * std + mean
    head = f"forecast after the last {window} of {values.size} values (last value {values[-1]:.2f}):"
    return [head] + [f"+{i + 1}: {v:.2f}" for i, v in enumerate(pred)], pred


def _generate(model, info, path, text, length, temperature):
    """The prompt followed by the language model's continuation (stops at a blank line, ``<stop>``)."""
    from ..models.char_lm import START_ID, STOP_ID
    if text:
        prompt = " ".join(text)
    elif path:
        with open(path, encoding="utf-8") as f:
            prompt = f.read()
    else:
        prompt = ""
    vocabulary = info["vocabulary"]
    prime = [START_ID] + [vocabulary.ids.get(c, 1) for c in prompt]
    if hasattr(model, "max_len"):           # a Transformer: its window, and new ids after the prompt
        ids = model.generate(np.asarray(prime[-model.max_len:], dtype=np.int64), max_new_tokens=length,
                             temperature=temperature, stop_id=STOP_ID)
        new = [int(i) for i in np.asarray(ids).reshape(-1)[len(prime[-model.max_len:]):]]
    else:
        new = model.generate(prime, length=length, temperature=temperature, stop_id=STOP_ID)
    from .language import decode_ids
    generated = decode_ids(new, vocabulary).rstrip("\n")
    return [prompt + generated], np.asarray(new, dtype=np.int64)


def predict_lines(model, info, path=None, text=None, steps: int = 1, length: int = 200, temperature: float = 0.8):
    """What ``neuronet predict`` prints (a list of lines) and the array ``--output`` saves.

    Args:
        model: the loaded model.
        info: the checked preprocessing (:func:`load_preprocessing`), or None for a model saved
            without one (read as rows of numbers; classes printed by number).
        path: the input file; ``text``: the ``--text`` values instead of a file.
        steps: values forecast after a series; ``length``, ``temperature``: for a language model.
    """
    kind = (info or {}).get("kind", "features")
    names = (info or {}).get("class_names")
    if kind == "series":
        return _forecast(model, info, path, text, steps)
    if kind == "characters":
        return _generate(model, info, path, text, length, temperature)
    if kind == "numerals":
        from ..data.numerals import decode_roman
        from .numerals import _translate
        src, numbers = model_inputs(model, info, path, text)
        written = [decode_roman(o) for o in _translate(model, src)]
        return [f"{n} -> {w}" for n, w in zip(numbers.tolist(), written)], np.asarray(written)
    if kind == "text":
        ids, texts = model_inputs(model, info, path, text)
        pred = model.predict(ids)
        return _classification_lines(pred, names, texts), pred
    x = model_inputs(model, info, path, text)
    pred = model.predict(x)
    if kind == "generative":  # an auto-encoder's reconstructions: their error per image (--output keeps them)
        errors = ((pred.reshape(len(pred), -1) - x.reshape(len(x), -1)) ** 2).mean(axis=1)
        return [f"image {i}: reconstruction error (MSE) {e:.5f}" for i, e in enumerate(errors.tolist())], pred
    if pred.ndim == 2 and (pred.shape[1] > 1 or names is not None):
        return _classification_lines(pred, names), pred
    return [np.array2string(row, precision=4, separator=", ", max_line_width=200) for row in pred], pred
