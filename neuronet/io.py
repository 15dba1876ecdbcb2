"""Safe save and load of named arrays: the safetensors format written in pure NumPy, never pickle.

A safetensors file is an 8-byte little-endian header length N, N bytes of JSON header
(``{"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
"__metadata__": {"key": "value"}}``), then the raw little-endian bytes of every tensor, back to
back.  Loading only parses JSON and copies bytes, so a file can never run code; files written
here are read by the ``safetensors`` package and the other way round.  A path ending in ``.npz``
is written with ``numpy.savez`` and read with ``numpy.load(allow_pickle=False)``.

Example::

    nt.save(model, "mlp.safetensors", metadata={"epochs": "10"})
    model.load_state_dict(nt.load("mlp.safetensors"))
"""
from __future__ import annotations

import json
import math
import os
from collections import OrderedDict

import numpy as np

from . import backend
from .tensor import Tensor

__all__ = ["save", "load", "load_metadata"]

_DTYPES = {
    "F16": np.dtype("<f2"), "F32": np.dtype("<f4"), "F64": np.dtype("<f8"),
    "I8": np.dtype("i1"), "I16": np.dtype("<i2"), "I32": np.dtype("<i4"), "I64": np.dtype("<i8"),
    "U8": np.dtype("u1"), "BOOL": np.dtype("?"),
}
_CODES = {dt.newbyteorder("="): code for code, dt in _DTYPES.items()}
_METADATA = "__metadata__"


def _is_npz(path) -> bool:
    return os.fspath(path).lower().endswith(".npz")


def _as_arrays(state) -> "OrderedDict[str, np.ndarray]":
    """Names and NumPy arrays from a dict of Tensors/arrays or from a Module (its state_dict)."""
    if hasattr(state, "state_dict") and callable(state.state_dict):
        state = state.state_dict()
    if not isinstance(state, dict):
        raise TypeError(f"save: expected a dict of arrays or a Module, got {type(state).__name__}")
    out = OrderedDict()
    for name, value in state.items():
        if not isinstance(name, str):
            raise TypeError(f"save: tensor names must be strings, got {name!r} ({type(name).__name__})")
        if name == _METADATA:
            raise ValueError(f"save: the name {_METADATA!r} is reserved for the metadata")
        if isinstance(value, Tensor):
            value = value.data
        arr = backend.to_numpy(value)
        if arr.dtype.newbyteorder("=") not in _CODES:
            raise TypeError(f"save: tensor {name!r} has dtype {arr.dtype}, which cannot be saved; "
                            f"supported: {', '.join(str(d) for d in _CODES)}")
        out[name] = arr
    return out


def _check_metadata(metadata) -> dict:
    if metadata is None:
        return {}
    if not isinstance(metadata, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                 for k, v in metadata.items()):
        raise TypeError("save: metadata must be a dict of strings to strings "
                        "(encode other values with json.dumps)")
    return dict(metadata)


def _create_beside(path: str):
    """A new temporary file in ``path``'s directory: ``(fd, name)``.  Created with mode 0o666 less
    the umask, like any file the user writes (``tempfile.mkstemp`` would make it 0600)."""
    directory, base = os.path.split(os.path.abspath(path))
    while True:
        tmp = os.path.join(directory, f".{base}.{os.urandom(6).hex()}.part")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666), tmp
        except FileExistsError:  # 48 random bits taken: draw again
            continue


def _write_atomically(path, write) -> None:
    """Call ``write(file)`` on a temporary file in the target's directory, then rename it into place."""
    path = os.fspath(path)
    fd, tmp = _create_beside(path)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def save(state, path, metadata: dict | None = None) -> None:
    """Write named arrays to ``path`` in the safetensors format (``.npz`` paths: NumPy's npz).

    The write is atomic: a temporary file in the same directory is written, synced and renamed
    over ``path``, so a crash never leaves a half-written file under the real name.

    Args:
        state: dict of name → Tensor/array, or a Module (its ``state_dict()`` is saved).
        path: destination file.
        metadata: optional dict of str → str stored in the header (read back by ``load_metadata``).
    """
    arrays = _as_arrays(state)
    metadata = _check_metadata(metadata)
    if _is_npz(path):
        extra = {_METADATA: np.frombuffer(json.dumps(metadata).encode(), dtype=np.uint8)} if metadata else {}
        _write_atomically(path, lambda f: np.savez(f, **arrays, **extra))
        return
    header, offset, blobs = {}, 0, []
    for name, arr in arrays.items():
        arr = arr.astype(arr.dtype.newbyteorder("<"), order="C", copy=False)
        header[name] = {"dtype": _CODES[arr.dtype.newbyteorder("=")], "shape": list(arr.shape),
                        "data_offsets": [offset, offset + arr.nbytes]}
        offset += arr.nbytes
        blobs.append(arr)
    if metadata:
        header = {_METADATA: metadata, **header}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # pad so the data starts 8-byte aligned

    def write(f):
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for arr in blobs:
            if arr.nbytes:
                f.write(arr.reshape(-1).view(np.uint8).data)
    _write_atomically(path, write)


def _fail(path, what):
    raise ValueError(f"load: {os.fspath(path)} is not a valid safetensors file: {what}")


def _read_header(path, f, size):
    """Parse and validate the JSON header; returns (header dict, data start, data length)."""
    if size < 8:
        _fail(path, f"the file has {size} bytes, fewer than the 8-byte header length")
    n = int.from_bytes(f.read(8), "little")
    if n < 2 or n > size - 8:
        _fail(path, f"bad header size {n} for a file of {size} bytes")
    raw = f.read(n)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        _fail(path, f"the header is not valid JSON ({e})")
    if not isinstance(header, dict):
        _fail(path, f"the header is a JSON {type(header).__name__}, expected an object")
    return header, 8 + n, size - 8 - n


def _check_entry(path, name, info, data_len):
    if not isinstance(info, dict) or not {"dtype", "shape", "data_offsets"} <= set(info):
        _fail(path, f"tensor {name!r} needs dtype, shape and data_offsets, got {info!r}")
    code, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
    if code not in _DTYPES:
        _fail(path, f"tensor {name!r} has unknown dtype {code!r} (supported: {', '.join(_DTYPES)})")
    if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
        _fail(path, f"tensor {name!r} has an invalid shape {shape!r}")
    if (not isinstance(offsets, list) or len(offsets) != 2 or not all(isinstance(o, int) for o in offsets)
            or not 0 <= offsets[0] <= offsets[1] <= data_len):
        _fail(path, f"tensor {name!r} has data_offsets {offsets!r} out of range for {data_len} bytes of data")
    expected = math.prod(shape) * _DTYPES[code].itemsize
    if offsets[1] - offsets[0] != expected:
        _fail(path, f"tensor {name!r} of dtype {code} and shape {tuple(shape)} needs {expected} bytes, "
                    f"data_offsets {offsets} give {offsets[1] - offsets[0]}")
    return _DTYPES[code], tuple(shape), offsets


def _load_npz(path):
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError, EOFError) as e:
        raise ValueError(f"load: {os.fspath(path)} is not a readable .npz file without pickle ({e})") from None


def load(path) -> "OrderedDict[str, np.ndarray]":
    """Read the named arrays from a safetensors (or ``.npz``) file; never executes code.

    Returns:
        An ordered dict of name → NumPy array (writable, in the file's order).

    Raises:
        ValueError: the file is truncated, empty or not in the format (the message says what is wrong).
    """
    if _is_npz(path):
        arrays = _load_npz(path)
        arrays.pop(_METADATA, None)
        return OrderedDict(arrays)
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        header, start, data_len = _read_header(path, f, size)
        entries = [(name, _check_entry(path, name, info, data_len))
                   for name, info in header.items() if name != _METADATA]
        data = bytearray(data_len)
        if f.readinto(data) != data_len:
            _fail(path, "the file ended before the data")
    out = OrderedDict()
    for name, (dtype, shape, (begin, end)) in entries:
        arr = np.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=begin).reshape(shape)
        if not arr.flags.aligned or not arr.dtype.isnative:
            arr = arr.astype(dtype.newbyteorder("="))
        out[name] = arr
    return out


def load_metadata(path) -> dict:
    """The ``metadata`` dict (str → str) saved with the file, or ``{}`` when there is none."""
    if _is_npz(path):
        raw = _load_npz(path).get(_METADATA)
        return {} if raw is None else json.loads(raw.tobytes().decode("utf-8"))
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        header, _, _ = _read_header(path, f, size)
    meta = header.get(_METADATA, {})
    if not isinstance(meta, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items()):
        _fail(path, f"{_METADATA} must be an object of strings, got {meta!r}")
    return dict(meta)
