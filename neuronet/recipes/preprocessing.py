"""What a trained recipe needs besides its weights, saved as JSON beside ``model.safetensors``.

``neuronet train`` writes ``preprocessing.json`` next to the model: the recipe and its kind
(:data:`~neuronet.recipes.registry.KINDS`), the dataset it is scored on, the class names, and the
fitted preprocessing — the tokenizer and padded length for text, the scaler and window for a
series, the character vocabulary for a language model, the pixel scale for images.
``neuronet predict``/``evaluate`` read it back; the file is untrusted input, so
:func:`load_preprocessing` checks every entry (JSON only, never pickle) and raises a ValueError
naming the file and the entry.
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

from ..data.text import Tokenizer, Vocabulary
from .registry import KINDS

__all__ = ["FORMAT", "FILENAME", "describe_preprocessing", "save_preprocessing", "load_preprocessing",
           "preprocessing_path", "PIXEL_SCALE"]

FORMAT = "neuronet.preprocessing/1"
FILENAME = "preprocessing.json"
# datasets whose loaders divide raw pixel values by this number (inputs above 1 are scaled the same way)
PIXEL_SCALE = {"fashion-mnist": 255.0, "fashion-mnist-images": 255.0, "mnist-5k": 255.0, "cifar10": 255.0,
               "digits": 16.0}
_MAX_SIZE = 2 ** 24


def describe_preprocessing(recipe, data: dict) -> dict:
    """The JSON-ready preprocessing of ``recipe`` as fitted on ``data`` (the recipe's data dict)."""
    names = data.get("class_names")
    info = {"format": FORMAT, "recipe": recipe.name, "kind": recipe.kind, "dataset": recipe.dataset,
            "class_names": None if names is None else [str(c) for c in names]}
    if recipe.dataset in PIXEL_SCALE:
        info["pixel_scale"] = PIXEL_SCALE[recipe.dataset]
    if recipe.kind == "text":
        info["tokenizer"] = data["tokenizer"].get_config()
        info["maxlen"] = int(data["x_train"].shape[1])
    elif recipe.kind == "series":
        info["scaler"] = {"mean": float(data["mean"]), "std": float(data["std"])}
        info["window"] = int(data["x_test"].shape[1])
        info["test_fraction"] = float(data.get("test_fraction", 0.2))
    elif recipe.kind == "characters":
        info["vocabulary"] = data["vocabulary"].get_config()
        info["validation_fraction"] = float(data.get("validation_fraction", 0.05))
        info["test_fraction"] = float(data.get("test_fraction", 0.05))
        if data.get("context"):
            info["context"] = int(data["context"])
        if data.get("bptt_steps"):
            info["lanes"], info["bptt_steps"] = int(data["lanes"]), int(data["bptt_steps"])
    return info


def save_preprocessing(info: dict, out_dir) -> str:
    """Write ``info`` to ``out_dir/preprocessing.json``; returns the path."""
    path = os.path.join(out_dir, FILENAME)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(info, f)
    return path


def preprocessing_path(model_path) -> Path:
    """Where ``neuronet train`` wrote the preprocessing of the model at ``model_path``."""
    return Path(model_path).with_name(FILENAME)


def _fail(path, what):
    raise ValueError(f"preprocessing file {path}: {what}")


def _size(path, info, key):
    v = info.get(key)
    if isinstance(v, bool) or not isinstance(v, int) or not 0 < v <= _MAX_SIZE:
        _fail(path, f"{key!r} must be a positive integer, received {v!r}"[:200])
    return v


def _fraction(path, info, key):
    v = info.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < 1:
        _fail(path, f"{key!r} must be a fraction in (0, 1), received {v!r}"[:200])
    return float(v)


def _tokens(path, key, config):
    if not isinstance(config, dict) or not isinstance(config.get("tokens"), list) \
            or not all(isinstance(t, str) for t in config["tokens"]) or len(config["tokens"]) > _MAX_SIZE:
        _fail(path, f"{key!r} must hold a list of string tokens")


def load_preprocessing(path) -> dict:
    """Read and check a ``preprocessing.json``; the tokenizer and vocabulary come back as objects
    (``info["tokenizer"]``: :class:`~neuronet.data.text.Tokenizer`, ``info["vocabulary"]``:
    :class:`~neuronet.data.text.Vocabulary`).

    Raises:
        ValueError: the file is not JSON, not a preprocessing file, or an entry is missing or wrong.
    """
    try:
        with open(path, encoding="utf-8") as f:
            info = json.load(f)
    except (ValueError, UnicodeDecodeError, RecursionError) as e:
        _fail(path, f"not valid JSON ({str(e)[:200]})")
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        _fail(path, f"not a neuronet preprocessing file (format {info.get('format') if isinstance(info, dict) else None!r}, "
                    f"expected {FORMAT!r})"[:300])
    for key in ("recipe", "kind", "dataset"):
        if not isinstance(info.get(key), str):
            _fail(path, f"{key!r} must be a string, received {info.get(key)!r}"[:200])
    if info["kind"] not in KINDS:
        _fail(path, f"'kind' must be one of {sorted(KINDS)}, received {info['kind']!r}"[:200])
    names = info.get("class_names")
    if names is not None and (not isinstance(names, list) or not names or len(names) > _MAX_SIZE
                              or not all(isinstance(n, str) for n in names)):
        _fail(path, "'class_names' must be null or a non-empty list of strings")
    scale = info.get("pixel_scale")
    if scale is not None and (isinstance(scale, bool) or not isinstance(scale, (int, float))
                              or not math.isfinite(scale) or scale <= 0):
        _fail(path, f"'pixel_scale' must be a positive number, received {scale!r}"[:200])
    kind = info["kind"]
    if kind == "text":
        config = info.get("tokenizer")
        if not isinstance(config, dict):
            _fail(path, "a text model needs its 'tokenizer'")
        _tokens(path, "tokenizer.vocabulary", config.get("vocabulary"))
        try:
            info["tokenizer"] = Tokenizer.from_config(config)
        except (TypeError, ValueError, KeyError) as e:
            _fail(path, f"the 'tokenizer' entry does not load ({type(e).__name__}: {e})"[:300])
        _size(path, info, "maxlen")
    elif kind == "series":
        scaler = info.get("scaler")
        ok = isinstance(scaler, dict) and all(
            isinstance(scaler.get(k), (int, float)) and not isinstance(scaler.get(k), bool)
            and math.isfinite(scaler[k]) for k in ("mean", "std"))
        if not ok or scaler["std"] <= 0:
            _fail(path, f"'scaler' must be {{'mean': number, 'std': positive number}}, received {scaler!r}"[:200])
        _size(path, info, "window")
        _fraction(path, info, "test_fraction")
    elif kind == "characters":
        _tokens(path, "vocabulary", info.get("vocabulary"))
        try:
            info["vocabulary"] = Vocabulary.from_config(info["vocabulary"])
        except (TypeError, ValueError, KeyError) as e:
            _fail(path, f"the 'vocabulary' entry does not load ({type(e).__name__}: {e})"[:300])
        _fraction(path, info, "validation_fraction")
        _fraction(path, info, "test_fraction")
        for key in ("context", "lanes", "bptt_steps"):
            if key in info:
                _size(path, info, key)
    return info
