"""CIFAR-10 (60,000 colour 32x32 images, 10 classes) from the standard files you provide.

CIFAR-10 is in no registry package, so the loader reads either distributed version from a folder:

- binary version (``cifar-10-batches-bin``): ``data_batch_1.bin`` ... ``data_batch_5.bin`` and
  ``test_batch.bin``, each record 1 label byte then 3,072 pixel bytes (1,024 red, green, blue);
- python version (``cifar-10-batches-py``): ``data_batch_1`` ... ``data_batch_5`` and ``test_batch``,
  pickled dicts with ``b"data"`` (uint8 (N, 3072)) and ``b"labels"``.

Pickle can run arbitrary code, so the python version is read with a restricted unpickler whose
``find_class`` allows only what rebuilds a plain numeric NumPy array: ``_reconstruct`` (of an
empty ``ndarray`` only, as NumPy pickles), ``_frombuffer``, ``scalar`` and ``dtype`` (booleans,
integers and floats only: no object, string or record dtypes), ``_codecs.encode`` (how Python 3
pickles bytes at protocol 2; the latin-1 codec only) and ``bytes()`` without arguments (an empty
``bytes`` at protocol 2).  Any other global, codec or dtype stops the
load with a ValueError.  Both readers then check the batch the same way: uint8 pixels, 3,072 per
image, at least one image, one integer label per image in 0..9; a failed check is a ValueError
that names the reader and the file.
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


_LATIN1 = {"latin1", "latin-1", "iso-8859-1", "iso8859-1", "l1"}
_NDARRAY = object()  # what the name numpy.ndarray resolves to: an argument of _reconstruct, never callable


def _refuse(what):
    raise pickle.UnpicklingError(what)


def _plain_dtype(obj, align=False, copy=False):
    """``numpy.dtype`` for booleans, integers and floats named by a string, nothing else."""
    if isinstance(obj, bytes):
        obj = obj.decode("latin1")
    if not isinstance(obj, str):
        _refuse(f"dtype {obj!r} is not allowed in a CIFAR batch"[:200])
    dtype = np.dtype(obj, bool(align), bool(copy))
    if dtype.kind not in "biuf" or dtype.fields is not None or dtype.subdtype is not None:
        _refuse(f"dtype {dtype} is not allowed in a CIFAR batch (booleans, integers and floats only)")
    return dtype


def _latin1_encode(obj, encoding="utf-8", errors="strict"):
    if not isinstance(obj, str) or not isinstance(encoding, str) or encoding.lower().replace("_", "-") not in _LATIN1:
        _refuse(f"_codecs.encode with codec {encoding!r} is not allowed in a CIFAR batch (latin-1 only)"[:200])
    return _codecs.encode(obj, "latin1", "strict")


def _empty_bytes(*args):
    """``bytes()``: how protocol 2 pickles ``b""`` (the data of an empty array); never ``bytes(n)``."""
    if args:
        _refuse("bytes() with arguments is not allowed in a CIFAR batch")
    return b""


def _numpy_globals() -> dict:
    core = getattr(np, "_core", None) or np.core
    reconstruct, scalar, frombuffer = core.multiarray._reconstruct, core.multiarray.scalar, core.numeric._frombuffer

    def _reconstruct(subtype, shape, dtype):  # NumPy pickles an array as an empty one, then its state
        if subtype is not _NDARRAY or tuple(shape) != (0,):
            _refuse(f"_reconstruct({subtype!r}, {shape!r}) is not how NumPy pickles an array"[:200])
        return reconstruct(np.ndarray, (0,), _plain_dtype(dtype))

    def _scalar(dtype, *data):
        if not isinstance(dtype, np.dtype):
            _refuse("scalar() needs a dtype")
        return scalar(_plain_dtype(dtype.str), *data)

    def _frombuffer(buf, dtype, shape, order):
        if not isinstance(dtype, np.dtype):
            _refuse("_frombuffer() needs a dtype")
        return frombuffer(buf, _plain_dtype(dtype.str), shape, order)

    allowed = {("numpy", "ndarray"): _NDARRAY, ("numpy", "dtype"): _plain_dtype,
               ("_codecs", "encode"): _latin1_encode,
               ("__builtin__", "bytes"): _empty_bytes, ("builtins", "bytes"): _empty_bytes}
    for mod in ("numpy.core", "numpy._core"):   # files written under NumPy 1 and NumPy 2
        allowed[(f"{mod}.multiarray", "_reconstruct")] = _reconstruct
        allowed[(f"{mod}.multiarray", "scalar")] = _scalar
        allowed[(f"{mod}.numeric", "_frombuffer")] = _frombuffer
    return allowed


class _ArrayOnlyUnpickler(pickle.Unpickler):
    """An unpickler that can rebuild numeric NumPy arrays, lists, dicts, strings and numbers, nothing else."""

    _allowed = _numpy_globals()

    def find_class(self, module, name):
        try:
            return self._allowed[(module, name)]
        except (KeyError, TypeError):
            raise pickle.UnpicklingError(f"global {module}.{name} is not allowed in a CIFAR batch") from None


def _check_batch(fn: str, path, pixels, labels):
    """The checks both readers share: uint8 pixels (N, 3072) with N ≥ 1 and N labels in 0..9.
    Returns ``(images (N, 3, 32, 32), labels int64)``."""
    if not isinstance(pixels, np.ndarray) or pixels.dtype != np.uint8 or pixels.ndim != 2 \
            or pixels.shape[1] != _RECORD - 1:
        got = f"{pixels.dtype}{pixels.shape}" if isinstance(pixels, np.ndarray) else type(pixels).__name__
        raise ValueError(f"{fn}: {path} has data {got}, expected uint8 (N, 3072) (3,072 pixel bytes per image)")
    if isinstance(labels, np.ndarray):
        if labels.ndim != 1 or labels.dtype.kind not in "iu":
            raise ValueError(f"{fn}: {path} has labels {labels.dtype}{labels.shape}, expected one integer per image")
        values = labels
    elif isinstance(labels, (list, tuple)):
        for i, v in enumerate(labels):
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
                raise ValueError(f"{fn}: {path} has label {v!r} ({type(v).__name__}) at image {i}, expected "
                                 "integer class numbers 0..9"[:300])
        values = labels
    else:
        raise ValueError(f"{fn}: {path} has labels of type {type(labels).__name__}, expected a list of integers")
    n = pixels.shape[0]
    if n == 0:
        raise ValueError(f"{fn}: {path} has no images")
    if len(values) != n:
        raise ValueError(f"{fn}: {path} has {n} images and {len(values)} labels, expected one label per image")
    for i, v in enumerate(values) if not isinstance(values, np.ndarray) else ():
        if not 0 <= v <= 9:
            raise ValueError(f"{fn}: {path} has label {v} at image {i}, expected 0..9 (CIFAR-10 has 10 classes)")
    if isinstance(values, np.ndarray):
        bad = np.flatnonzero((values < 0) | (values > 9))
        if bad.size:
            raise ValueError(f"{fn}: {path} has label {values[bad[0]]} at image {bad[0]}, expected 0..9 "
                             "(CIFAR-10 has 10 classes)")
    return pixels.reshape(-1, 3, 32, 32), np.asarray(values, dtype=np.int64)


def read_cifar_pickle(path):
    """Images (uint8 (N, 3, 32, 32)) and labels (int64) from one python-version batch file."""
    path = Path(path)
    with open(path, "rb") as f:
        try:
            batch = _ArrayOnlyUnpickler(f, encoding="bytes").load()
        except Exception as e:  # anything a damaged or hostile pickle raises: not a batch
            raise ValueError(f"read_cifar_pickle: {path} is not a CIFAR-10 python batch "
                             f"({type(e).__name__}: {e})"[:500]) from e
    if not isinstance(batch, dict):
        raise ValueError(f"read_cifar_pickle: {path} holds a {type(batch).__name__}, expected a dict")
    batch = {k.decode("latin1") if isinstance(k, bytes) else k: v for k, v in batch.items()}
    if "data" not in batch or "labels" not in batch:
        keys = sorted(map(str, batch))[:10]
        raise ValueError(f"read_cifar_pickle: {path} has keys {keys}, expected 'data' and 'labels'")
    return _check_batch("read_cifar_pickle", path, batch["data"], batch["labels"])


def read_cifar_binary(path):
    """Images (uint8 (N, 3, 32, 32)) and labels (int64) from one binary-version batch file."""
    path = Path(path)
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size == 0 or raw.size % _RECORD:
        raise ValueError(f"read_cifar_binary: {path} has {raw.size} bytes, expected a positive multiple of "
                         f"{_RECORD} (1 label byte + 3072 pixel bytes per image)")
    records = raw.reshape(-1, _RECORD)
    return _check_batch("read_cifar_binary", path, records[:, 1:], records[:, 0])


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

    Example:
        >>> (x, y), (x_test, y_test) = nt.data.load_cifar10("~/data/cifar-10-batches-py")  # doctest: +SKIP
        >>> x.shape, x_test.shape  # doctest: +SKIP
        ((50000, 3, 32, 32), (10000, 3, 32, 32))
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
