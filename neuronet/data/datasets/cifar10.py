"""CIFAR-10 (60,000 colour 32x32 images, 10 classes) from the standard files you provide.

CIFAR-10 is in no registry package, so the loader reads either distributed version from a folder:

- binary version (``cifar-10-batches-bin``): ``data_batch_1.bin`` ... ``data_batch_5.bin`` and
  ``test_batch.bin``, each record 1 label byte then 3,072 pixel bytes (1,024 red, green, blue);
- python version (``cifar-10-batches-py``): ``data_batch_1`` ... ``data_batch_5`` and ``test_batch``,
  pickled dicts with ``b"data"`` (uint8 (N, 3072)) and ``b"labels"``.

Pickle can run arbitrary code, so the python version is read with a restricted unpickler whose
``find_class`` allows only the few NumPy functions that rebuild an array (``_reconstruct``,
``_frombuffer``, ``ndarray``, ``dtype``) and ``_codecs.encode`` (how Python 3 pickles bytes at
protocol 2); any other global in the file stops the load with a ValueError.
"""
from __future__ import annotations

import _codecs
import pickle
import re
from pathlib import Path

import numpy as np

__all__ = ["load_cifar10", "read_cifar_binary", "read_cifar_pickle", "CIFAR10_CLASSES"]

CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer",
                   "dog", "frog", "horse", "ship", "truck")

_RECORD = 1 + 3 * 32 * 32


def _numpy_globals() -> dict:
    core = getattr(np, "_core", None) or np.core
    allowed = {("numpy", "ndarray"): np.ndarray, ("numpy", "dtype"): np.dtype,
               ("_codecs", "encode"): _codecs.encode}
    for mod in ("numpy.core", "numpy._core"):   # files written under NumPy 1 and NumPy 2
        allowed[(f"{mod}.multiarray", "_reconstruct")] = core.multiarray._reconstruct
        allowed[(f"{mod}.multiarray", "scalar")] = core.multiarray.scalar
        allowed[(f"{mod}.numeric", "_frombuffer")] = core.numeric._frombuffer
    return allowed


class _ArrayOnlyUnpickler(pickle.Unpickler):
    """An unpickler that can rebuild NumPy arrays, lists, dicts, strings and numbers, nothing else."""

    _allowed = _numpy_globals()

    def find_class(self, module, name):
        try:
            return self._allowed[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"global {module}.{name} is not allowed in a CIFAR batch") from None


def read_cifar_pickle(path):
    """Images (uint8 (N, 3, 32, 32)) and labels (int64) from one python-version batch file."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            batch = _ArrayOnlyUnpickler(f, encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as e:
        raise ValueError(f"read_cifar_pickle: {path} is not a CIFAR-10 python batch ({e})") from e
    if not isinstance(batch, dict):
        raise ValueError(f"read_cifar_pickle: {path} holds a {type(batch).__name__}, expected a dict")
    batch = {k.decode() if isinstance(k, bytes) else k: v for k, v in batch.items()}
    if "data" not in batch or "labels" not in batch:
        raise ValueError(f"read_cifar_pickle: {path} has keys {sorted(batch)}, expected 'data' and 'labels'")
    data = np.asarray(batch["data"])
    labels = np.asarray(batch["labels"], dtype=np.int64)
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != _RECORD - 1 or data.shape[0] != labels.shape[0]:
        raise ValueError(f"read_cifar_pickle: {path} has data {data.dtype}{data.shape} and {labels.shape[0]} labels, "
                         f"expected uint8 (N, 3072) and N labels")
    return data.reshape(-1, 3, 32, 32), labels


def read_cifar_binary(path):
    """Images (uint8 (N, 3, 32, 32)) and labels (int64) from one binary-version batch file."""
    path = Path(path)
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size == 0 or raw.size % _RECORD:
        raise ValueError(f"read_cifar_binary: {path} has {raw.size} bytes, expected a positive multiple of "
                         f"{_RECORD} (1 label byte + 3072 pixel bytes per image)")
    records = raw.reshape(-1, _RECORD)
    labels = records[:, 0].astype(np.int64)
    if labels.max() > 9:
        raise ValueError(f"read_cifar_binary: {path} has label {labels.max()}, expected 0..9")
    return records[:, 1:].reshape(-1, 3, 32, 32), labels


def _batch_number(path: Path) -> int:
    return int(re.search(r"data_batch_(\d+)", path.name).group(1))


def _find_folder(path: Path) -> tuple:
    for folder in (path, path / "cifar-10-batches-bin", path / "cifar-10-batches-py"):
        if (folder / "test_batch.bin").is_file():
            return folder, ".bin", read_cifar_binary
        if (folder / "test_batch").is_file():
            return folder, "", read_cifar_pickle
    raise FileNotFoundError(f"load_cifar10: no test_batch.bin (binary version) or test_batch (python version) "
                            f"in {path} or its cifar-10-batches-bin/-py subfolder")


def load_cifar10(path, flatten: bool = False):
    """CIFAR-10's official split from the binary or python version in folder ``path``.

    Args:
        path: the ``cifar-10-batches-bin`` or ``cifar-10-batches-py`` folder, or its parent.
        flatten: images as (N, 3072) instead of (N, 3, 32, 32) (NCHW).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: float32 images in [0, 1], int64 labels 0..9
        (names ``CIFAR10_CLASSES``).

    Raises:
        FileNotFoundError: no batches found. ValueError: a corrupt batch (the message names it).
    """
    folder, suffix, read = _find_folder(Path(path))
    train_files = sorted((p for p in folder.glob("data_batch_*") if p.suffix == suffix), key=_batch_number)
    if not train_files:
        raise FileNotFoundError(f"load_cifar10: no data_batch_*{suffix} files in {folder}")
    parts = [read(p) for p in train_files]
    x_train = np.concatenate([x for x, _ in parts])
    y_train = np.concatenate([y for _, y in parts])
    x_test, y_test = read(folder / f"test_batch{suffix}")

    def scale(x):
        x = x.astype(np.float32) / np.float32(255.0)
        return x.reshape(x.shape[0], -1) if flatten else x

    return (scale(x_train), y_train), (scale(x_test), y_test)
