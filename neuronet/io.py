"""Safe save and load of named arrays: the safetensors format written in pure NumPy, never pickle.

A safetensors file is an 8-byte little-endian header length N, N bytes of JSON header
(``{"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
"__metadata__": {"key": "value"}}``), then the raw little-endian bytes of every tensor, back to
back.  Loading only parses JSON and copies bytes, so a file can never run code; files written
here are read by the ``safetensors`` package and the other way round.  A path ending in ``.npz``
is written with ``numpy.savez`` and read member by member with ``numpy.lib.format``'s header
parser, never unpickling (object, string and record arrays are refused).  Every size in a file is
checked against the file before anything is allocated, and a damaged or hostile file is a
ValueError naming it.  Saves are atomic and leave files with the user's umask; see
``_write_atomically`` for how temporaries of interrupted saves are cleaned up.

Example::

    nt.save(model, "mlp.safetensors", metadata={"epochs": "10"})
    model.load_state_dict(nt.load("mlp.safetensors"))
"""
from __future__ import annotations

import json
import math
import os
import re
import stat
import time
import zipfile
from collections import OrderedDict

import numpy as np

from . import backend
from .tensor import Tensor

__all__ = ["save", "load", "load_metadata", "check_save_path", "SAVE_SUFFIXES"]

#: the file names neuronet writes: safetensors (``.safetensors``, or ``.nnet`` for a whole model)
#: and NumPy's ``.npz``.  Any other name is refused rather than written in a format it does not say.
SAVE_SUFFIXES = (".safetensors", ".nnet", ".npz")
_FOREIGN = {
    ".keras": "a Keras archive", ".h5": "an HDF5 (Keras 2) file", ".hdf5": "an HDF5 (Keras 2) file",
    ".pt": "a PyTorch (pickle) file", ".pth": "a PyTorch (pickle) file", ".ckpt": "a checkpoint of another framework",
    ".pkl": "a pickle", ".pickle": "a pickle", ".joblib": "a joblib pickle", ".onnx": "an ONNX model",
    ".tf": "a TensorFlow SavedModel", ".pb": "a TensorFlow graph", ".npy": "a single NumPy array",
    ".json": "a JSON file", ".bin": "a raw binary file",
}

_DTYPES = {
    "F16": np.dtype("<f2"), "F32": np.dtype("<f4"), "F64": np.dtype("<f8"),
    "I8": np.dtype("i1"), "I16": np.dtype("<i2"), "I32": np.dtype("<i4"), "I64": np.dtype("<i8"),
    "U8": np.dtype("u1"), "BOOL": np.dtype("?"),
}
_CODES = {dt.newbyteorder("="): code for code, dt in _DTYPES.items()}
_METADATA = "__metadata__"


def _is_npz(path) -> bool:
    return os.fspath(path).lower().endswith(".npz")


def check_save_path(path, who: str = "save") -> None:
    """Refuse to write a file whose name promises another format (``m.keras``, ``m.pt``, ``ck.h5``)
    or none: a reader of that name would fail on it, or silently be handed safetensors."""
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    if suffix in SAVE_SUFFIXES:
        return
    said = (f"names {_FOREIGN[suffix]} ({suffix}), a format neuronet does not write" if suffix in _FOREIGN
            else f"has the suffix {suffix!r}, which names no format neuronet writes" if suffix
            else "has no suffix to say its format")
    raise ValueError(f"{who}: {os.fspath(path)!r} {said}; neuronet saves safetensors: end the name in "
                     f"'.safetensors' (or '.nnet' for a model), or '.npz' for NumPy's format")


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


# Temporaries are ``.<target name>.<12 hex digits>.part`` beside the target.  The writing process
# holds an exclusive ``flock`` on its temporary from creation until after the rename, and the
# kernel drops that lock when the process dies (even by SIGKILL), so on the next save of the same
# target a temporary that is (1) ours by uid, (2) a regular file, (3) unchanged for
# STALE_AFTER_S seconds (which covers the instant between creating and locking it) and (4) not
# locked by anyone is a leftover of an interrupted save and is removed.  Where ``flock`` is
# missing (Windows) or refused by the file system, only (1)-(3) are checked; Windows refuses to
# delete a file another process holds open, and a failed removal is simply skipped: cleaning
# never makes a save fail.
STALE_AFTER_S = 60.0
_TEMP_SUFFIX = re.compile(r"\.[0-9a-f]{12}\.part")

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None


def _temp_name(directory: str, base: str) -> str:
    return os.path.join(directory, f".{base}.{os.urandom(6).hex()}.part")


def _create_beside(path: str):
    """A new temporary file in ``path``'s directory: ``(fd, name)``, locked (``flock``) while the
    descriptor is open.  Created with mode 0o666 less the umask, like any file the user writes
    (``tempfile.mkstemp`` would make it 0600)."""
    directory, base = os.path.split(os.path.abspath(path))
    while True:
        tmp = _temp_name(directory, base)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:  # 48 random bits taken: draw again
            continue
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # a file system without locks: cleaners will leave this file alone
                pass
        return fd, tmp


def _is_unlocked(name: str) -> bool:
    """True when no process holds a lock on ``name`` (and locks work here); False when unsure."""
    if fcntl is None:
        return True  # Windows: removing a file that is open elsewhere fails, and is skipped
    for flags in (os.O_RDWR, os.O_RDONLY):  # NFS needs a writable descriptor for an exclusive lock
        try:
            fd = os.open(name, flags | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            continue  # locked by a live writer, or locks unsupported: unsure
        finally:
            os.close(fd)  # closing drops our own lock
    return False


def remove_stale_temporaries(path, older_than: float = STALE_AFTER_S) -> list:
    """Remove the temporaries that interrupted saves of ``path`` left beside it; returns their names.

    A temporary is removed only when it belongs to this user, is a regular file, has not changed
    for ``older_than`` seconds and no live process holds its lock (see the comment above
    ``STALE_AFTER_S``).  Failures are ignored: this is housekeeping, never an error.
    """
    directory, base = os.path.split(os.path.abspath(os.fspath(path)))
    prefix = f".{base}"
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    now = time.time()
    uid = os.getuid() if hasattr(os, "getuid") else None
    for name in names:
        if not (name.startswith(prefix) and _TEMP_SUFFIX.fullmatch(name, len(prefix))):
            continue
        full = os.path.join(directory, name)
        try:
            st = os.lstat(full)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode) or (uid is not None and st.st_uid != uid):
            continue
        if now - st.st_mtime < older_than or not _is_unlocked(full):
            continue
        try:
            os.remove(full)
            removed.append(full)
        except OSError:
            pass
    return removed


def _write_atomically(path, write) -> None:
    """Call ``write(file)`` on a temporary file in the target's directory, then rename it into place.

    The temporary stays locked until it has its final name, and temporaries that earlier,
    killed saves of the same target left behind are removed first (``remove_stale_temporaries``).
    """
    path = os.fspath(path)
    remove_stale_temporaries(path)
    fd, tmp = _create_beside(path)
    try:
        try:
            with os.fdopen(os.dup(fd), "wb") as f:  # the dup shares the lock, which ``fd`` keeps
                write(f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        finally:
            os.close(fd)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def save(state, path, metadata: dict | None = None) -> None:
    """Write named arrays to ``path`` in the safetensors format (``.npz`` paths: NumPy's npz).

    The write is atomic: a temporary file in the same directory is written, synced and renamed
    over ``path``, so a crash never leaves a half-written file under the real name.

    Args:
        state: dict of name → Tensor/array, or a Module (its ``state_dict()`` is saved), or — as
            ``torch.save`` users save — any nesting of dicts, lists and tuples of arrays, tensors,
            numbers, strings, booleans and None (``optimizer.state_dict()``, ``{"model": ...,
            "optimizer": ..., "epoch": 5}``): its arrays become the file's tensors and the rest a JSON
            skeleton in the metadata (``io_tree.py``); ``load`` gives the same object back.
        path: destination file.
        metadata: optional dict of str → str stored in the header (read back by ``load_metadata``).

    Raises:
        ValueError: ``path`` does not end in ``.safetensors``, ``.nnet`` or ``.npz`` (see
            :func:`check_save_path`), or ``state`` holds something that is not an array.

    Example:
        >>> nt.save({"w": np.ones((2, 3), np.float32)}, "weights.safetensors")
        >>> nt.load("weights.safetensors")["w"].shape
        (2, 3)
    """
    check_save_path(path)
    from . import io_tree
    metadata = _check_metadata(metadata)
    if io_tree.TREE_KEY in metadata:
        raise ValueError(f"save: the metadata key {io_tree.TREE_KEY!r} is reserved for nested objects")
    if io_tree.is_tree(state):
        state, skeleton = io_tree.flatten(state)
        metadata[io_tree.TREE_KEY] = json.dumps(skeleton, separators=(",", ":"))
    arrays = _as_arrays(state)
    if _is_npz(path):
        bad = [name for name in arrays if "\x00" in name]
        if bad:  # zip member names end at a NUL: the file would not load back
            raise ValueError(f"save: tensor name {bad[0]!r} contains a NUL character, which a .npz file (a zip "
                             "archive) cannot store; rename it or save to a .safetensors path")
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


def _no_duplicates(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the name {key!r} appears twice")
        out[key] = value
    return out


def _parse_json(raw: bytes):
    """JSON from untrusted bytes: any failure (not UTF-8, not JSON, duplicate names, nesting
    deeper than Python's recursion limit, a number with thousands of digits) is a ValueError."""
    try:
        return json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise ValueError(str(e) or type(e).__name__) from None


def _read_header(path, f, size):
    """Parse and validate the JSON header; returns (header dict, data start, data length)."""
    if size < 8:
        _fail(path, f"the file has {size} bytes, fewer than the 8-byte header length")
    n = int.from_bytes(f.read(8), "little")
    if n < 2 or n > size - 8:
        _fail(path, f"bad header size {n} for a file of {size} bytes")
    raw = f.read(n)
    try:
        header = _parse_json(raw)
    except ValueError as e:
        _fail(path, f"the header is not valid JSON ({e})")
    if not isinstance(header, dict):
        _fail(path, f"the header is a JSON {type(header).__name__}, expected an object")
    return header, 8 + n, size - 8 - n


_MAX_NDIM = 32          # NumPy 1's limit (NumPy 2 allows 64)
_MAX_ELEMENTS = 2 ** 62  # NumPy refuses arrays whose size in bytes does not fit in an intp


def _is_index(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _check_shape(path, fail, what, shape, itemsize):
    """``shape`` as a tuple when it is a list of non-negative integers NumPy can represent."""
    if (not isinstance(shape, (list, tuple)) or len(shape) > _MAX_NDIM
            or not all(_is_index(d) for d in shape)):
        fail(path, f"{what} has an invalid shape {shape!r} (expected at most {_MAX_NDIM} "
                   "non-negative integers)")
    if math.prod(max(d, 1) for d in shape) * max(itemsize, 1) > _MAX_ELEMENTS:
        fail(path, f"{what} has absurd dimensions {list(shape)}")
    return tuple(shape)


def _check_entry(path, name, info, data_len):
    if not isinstance(info, dict) or not {"dtype", "shape", "data_offsets"} <= set(info):
        _fail(path, f"tensor {name!r} needs dtype, shape and data_offsets, got {info!r}")
    code, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
    if not isinstance(code, str) or code not in _DTYPES:
        _fail(path, f"tensor {name!r} has unknown dtype {code!r} (supported: {', '.join(_DTYPES)})")
    shape = _check_shape(path, _fail, f"tensor {name!r}", shape, _DTYPES[code].itemsize)
    if (not isinstance(offsets, list) or len(offsets) != 2 or not all(_is_index(o) for o in offsets)
            or not offsets[0] <= offsets[1] <= data_len):
        _fail(path, f"tensor {name!r} has data_offsets {offsets!r} out of range for {data_len} bytes of data")
    expected = math.prod(shape) * _DTYPES[code].itemsize
    if offsets[1] - offsets[0] != expected:
        _fail(path, f"tensor {name!r} of dtype {code} and shape {shape} needs {expected} bytes, "
                    f"data_offsets {offsets} give {offsets[1] - offsets[0]}")
    return _DTYPES[code], shape, tuple(offsets)


def _check_layout(path, entries, data_len):
    """The tensors' bytes must tile the data exactly, as the safetensors specification says:
    no overlap, no gap, nothing after the last tensor."""
    end, last = 0, None
    for name, (_, _, (begin, stop)) in sorted(entries, key=lambda e: e[1][2]):
        if begin != end:
            if begin < end:
                _fail(path, f"tensor {name!r} (bytes {begin}..{stop}) overlaps tensor {last!r} "
                            f"(which ends at byte {end})")
            _fail(path, f"bytes {end}..{begin} of the data belong to no tensor")
        end, last = stop, name
    if end != data_len:
        _fail(path, f"the data has {data_len - end} bytes after the last tensor")


# --- .npz: a zip of .npy files, read member by member without pickle ---------------------------
_NPZ_KINDS = "biuf"   # what save writes (bool, integers, floats); never objects, strings, records
_DEFLATE_RATIO = 1032  # deflate's largest possible expansion (bytes out per byte in)


def _npz_fail(path, what):
    raise ValueError(f"load: {os.fspath(path)} is not a readable .npz file without pickle: {what}")


def _read_npy_member(path, archive, info, file_size):
    """One array from a zip member, checked before anything is allocated."""
    from numpy.lib import format as npy
    name = info.filename
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        _npz_fail(path, f"member {name!r} uses zip compression method {info.compress_type}; "
                        "numpy.savez/savez_compressed write stored or deflated members")
    limit = info.compress_size if info.compress_type == zipfile.ZIP_STORED \
        else info.compress_size * _DEFLATE_RATIO + 1024
    if info.compress_size > file_size or info.file_size > limit:
        _npz_fail(path, f"member {name!r} claims {info.file_size} bytes from {info.compress_size} stored "
                        f"bytes in a {file_size}-byte file")
    with archive.open(info) as f:
        version = npy.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = npy.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, fortran, dtype = npy.read_array_header_2_0(f)
        else:
            _npz_fail(path, f"member {name!r} is .npy version {version}; expected 1.0 or 2.0")
        key = name[:-len(".npy")]
        if dtype.kind not in _NPZ_KINDS or dtype.fields is not None or dtype.subdtype is not None:
            _npz_fail(path, f"array {key!r} has dtype {dtype}, expected booleans, integers or floats "
                            "(object, string and record arrays are refused)")
        shape = _check_shape(path, _npz_fail, f"array {key!r}", shape, dtype.itemsize)
        nbytes = math.prod(shape) * dtype.itemsize
        if nbytes > info.file_size:
            _npz_fail(path, f"array {key!r} of dtype {dtype} and shape {shape} needs {nbytes} bytes, "
                            f"the member holds {info.file_size}")
        buf = bytearray(nbytes)
        got = f.readinto(buf) if nbytes else 0
        if got != nbytes or f.read(1):
            _npz_fail(path, f"array {key!r} of dtype {dtype} and shape {shape} needs {nbytes} bytes, "
                            f"the member holds {'fewer' if got != nbytes else 'more'}")
    arr = np.frombuffer(buf, dtype=dtype, count=math.prod(shape))
    arr = arr.reshape(shape[::-1]).T if fortran else arr.reshape(shape)
    return np.ascontiguousarray(arr, dtype=dtype.newbyteorder("=")) if (fortran or not dtype.isnative) else arr


def _load_npz(path) -> "OrderedDict[str, np.ndarray]":
    """Named arrays from an ``.npz`` file; never unpickles, never allocates more than the file can hold."""
    size = os.path.getsize(path)
    try:
        with zipfile.ZipFile(path) as archive:
            out = OrderedDict()
            for info in archive.infolist():
                if not info.filename.endswith(".npy"):
                    _npz_fail(path, f"member {info.filename!r} is not a .npy array")
                key = info.filename[:-len(".npy")]
                if key in out:
                    _npz_fail(path, f"the name {key!r} appears twice")
                out[key] = _read_npy_member(path, archive, info, size)
            return out
    except ValueError as e:
        if str(e).startswith(f"load: {os.fspath(path)} "):
            raise
        _npz_fail(path, str(e))
    except zipfile.BadZipFile as e:
        _npz_fail(path, f"not a valid zip archive ({e})")
    except (OSError, EOFError, RuntimeError, NotImplementedError, OverflowError, MemoryError) as e:
        if isinstance(e, FileNotFoundError):
            raise
        _npz_fail(path, f"{type(e).__name__}: {e}")


def load(path) -> "OrderedDict[str, np.ndarray]":
    """Read the named arrays from a safetensors (or ``.npz``) file; never executes code.

    Every size, offset and dtype in the file is checked before anything is allocated, so a
    damaged or hostile file gives a ValueError naming the file, never a NumPy error or a
    MemoryError: a header larger than the file, dimensions that are negative, not integers or
    absurd, offsets outside the data, tensors whose bytes overlap or leave gaps, an unknown
    dtype, a header that is not UTF-8 JSON; in ``.npz`` files object, string and record arrays
    and members that claim more bytes than the archive can hold.

    Returns:
        An ordered dict of name → NumPy array (writable, in the file's order); for a file that
        ``save`` wrote from a nested object (an optimizer's state dict, a checkpoint dict), that
        object, its arrays as NumPy arrays.

    Raises:
        ValueError: the file is truncated, empty or not in the format (the message says what is wrong).

    Example:
        >>> nt.save({"a": np.arange(3)}, "arrays.npz")
        >>> nt.load("arrays.npz")["a"]
        array([0, 1, 2])
    """
    if _is_npz(path):
        arrays = _load_npz(path)
        raw = arrays.pop(_METADATA, None)
        if raw is not None:
            try:
                meta = _parse_json(raw.tobytes())
            except ValueError:
                meta = None  # load_metadata reports a damaged entry; the arrays are fine
            return _as_saved(path, arrays, meta, _npz_fail)
        return arrays
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        header, start, data_len = _read_header(path, f, size)
        entries = [(name, _check_entry(path, name, info, data_len))
                   for name, info in header.items() if name != _METADATA]
        _check_layout(path, entries, data_len)
        data = bytearray(data_len)
        if f.readinto(data) != data_len:
            _fail(path, "the file ended before the data")
    out = OrderedDict()
    for name, (dtype, shape, (begin, end)) in entries:
        arr = np.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=begin).reshape(shape)
        if not arr.flags.aligned or not arr.dtype.isnative:
            arr = arr.astype(dtype.newbyteorder("="))
        out[name] = arr
    return _as_saved(path, out, header.get(_METADATA), _fail)


def _as_saved(path, arrays, meta, fail):
    """The named arrays, or the nested object that ``save`` flattened into them (``io_tree.py``).
    Other metadata is ``load_metadata``'s business and is not looked at here."""
    from . import io_tree
    text = meta.get(io_tree.TREE_KEY) if isinstance(meta, dict) else None
    if text is None:
        return arrays
    if not isinstance(text, str):
        fail(path, f"the metadata entry {io_tree.TREE_KEY!r} must be a string, got {type(text).__name__}")
    try:
        return io_tree.unflatten(arrays, _parse_json(text.encode("utf-8")))
    except ValueError as e:
        fail(path, f"the nested object's skeleton is damaged ({e})")


def _check_metadata_read(path, meta, fail):
    if not isinstance(meta, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in meta.items()):
        fail(path, f"{_METADATA} must be an object of strings, got {meta!r}"[:300])
    return dict(meta)


def load_metadata(path) -> dict:
    """The ``metadata`` dict (str → str) saved with the file, or ``{}`` when there is none.

    Example:
        >>> nt.save({"w": np.zeros(2, np.float32)}, "w.safetensors", metadata={"epoch": "3"})
        >>> nt.load_metadata("w.safetensors")
        {'epoch': '3'}
    """
    if _is_npz(path):
        raw = _load_npz(path).get(_METADATA)
        if raw is None:
            return {}
        try:
            meta = _parse_json(raw.tobytes())
        except ValueError as e:
            _npz_fail(path, f"{_METADATA} is not valid JSON ({e})")
        return _user_metadata(_check_metadata_read(path, meta, _npz_fail))
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        header, _, _ = _read_header(path, f, size)
    return _user_metadata(_check_metadata_read(path, header.get(_METADATA, {}), _fail))


def _user_metadata(meta: dict) -> dict:
    from .io_tree import TREE_KEY
    meta.pop(TREE_KEY, None)  # the skeleton of a nested object is load's business
    return meta
