"""Read the idx format of MNIST and Fashion-MNIST (``*-idx3-ubyte`` images, ``*-idx1-ubyte`` labels).

An idx file is a 4-byte magic number (two zero bytes, a type code, the number of dimensions),
one big-endian uint32 per dimension, then the values.  Files may be gzip-compressed (``.gz``).
Every check names the file, so a truncated or wrong download says which one.
"""
from __future__ import annotations

import gzip
import math
import zlib
from pathlib import Path

import numpy as np

__all__ = ["read_idx", "find_idx", "load_idx_pair"]

_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
          0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def read_idx(path, ndim: int | None = None) -> np.ndarray:
    """The array stored in idx file ``path`` (gzip or raw), checking magic number and size.

    Args:
        path: the file.
        ndim: the number of dimensions it must have (3 for images, 1 for labels), or None.

    Raises:
        ValueError: bad magic number, wrong number of dimensions, or a size that does not match
            the header; the message names the file.

    Example:
        >>> import struct
        >>> data = struct.pack(">HBB", 0, 0x08, 2) + struct.pack(">II", 2, 3) + bytes(range(6))  # a 2x3 ubyte idx file
        >>> _ = open("tiny-idx2-ubyte", "wb").write(data)
        >>> nt.data.datasets.read_idx("tiny-idx2-ubyte").tolist()
        [[0, 1, 2], [3, 4, 5]]
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as e:   # gzip.BadGzipFile is an OSError; a damaged stream is a zlib.error
        raise ValueError(f"read_idx: {path} is not a readable idx file ({e})") from e
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _TYPES:
        raise ValueError(f"read_idx: {path} has magic number {raw[:4].hex() or 'missing'}, "
                         f"expected 0000 then a type code (08 = ubyte) and the number of dimensions")
    dims = raw[3]
    if ndim is not None and dims != ndim:
        raise ValueError(f"read_idx: {path} has {dims} dimensions, expected {ndim}")
    header = 4 + 4 * dims
    if len(raw) < header:
        raise ValueError(f"read_idx: {path} is truncated inside its header ({len(raw)} bytes)")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=dims, offset=4))
    dtype = np.dtype(_TYPES[raw[2]])
    expected = header + math.prod(shape) * dtype.itemsize  # Python ints: np.prod wraps around past 2**63
    if len(raw) != expected:
        raise ValueError(f"read_idx: {path} has {len(raw)} bytes, expected {expected} for shape {shape} "
                         f"(truncated or corrupt file)")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def find_idx(folder, stem: str) -> Path:
    """``folder/stem`` or ``folder/stem.gz``, whichever exists (also the ``stem`` with '-' for '.')."""
    folder = Path(folder)
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"no file {stem} or {stem}.gz in {folder}")


def load_idx_pair(folder, prefix: str, flatten: bool):
    """Images scaled to float32 [0, 1] and int64 labels from ``{prefix}-images-idx3-ubyte[.gz]``."""
    images_path = find_idx(folder, f"{prefix}-images-idx3-ubyte")
    labels_path = find_idx(folder, f"{prefix}-labels-idx1-ubyte")
    images = read_idx(images_path, ndim=3)
    labels = read_idx(labels_path, ndim=1)
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"load_idx_pair: {images_path} has {images.shape[0]} images but {labels_path} "
                         f"has {labels.shape[0]} labels")
    n, h, w = images.shape
    x = images.reshape(n, h * w) if flatten else images.reshape(n, 1, h, w)
    return x.astype(np.float32) / np.float32(255.0), labels.astype(np.int64)
