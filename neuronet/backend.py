"""Array backend: which array module (NumPy or CuPy) holds the data, default dtype, seeded randomness.

Everything that computes takes its array module from the data (``xp = array_module(x)``), so
one body of code runs on NumPy arrays and on CuPy arrays alike (Chainer's ``get_array_module``).
CuPy is optional (extras ``cuda12``/``cuda13``) and never imported by ``import neuronet``: a CuPy
array can only exist once its owner imported CuPy, so telling arrays apart needs no import;
moving data to the GPU (``to_device``) and ``cupy_available`` import it on first use.
"""
from __future__ import annotations

import sys
import threading
from contextlib import contextmanager

import numpy as np

__all__ = [
    "np", "array_module", "cupy_available", "get_default_dtype", "set_default_dtype",
    "manual_seed", "get_rng", "generator", "use_generator", "generator_from_state", "to_numpy", "to_device", "device_of", "is_float_dtype",
]

_default_dtype = np.dtype(np.float32)
_rng = np.random.default_rng(0)
_seed = None  # the last manual_seed, for CuPy's generator made later
_cupy_rng = None


class _ThreadGenerator(threading.local):
    rng = None  # set by use_generator for this thread only


_thread = _ThreadGenerator()


def _loaded_cupy():
    """CuPy if this process has imported it, else None (imports nothing)."""
    return sys.modules.get("cupy")


def _import_cupy():
    try:
        import cupy  # type: ignore
    except Exception:  # not installed, or no CUDA on this machine
        return None
    return cupy


def cupy_available() -> bool:
    """True when CuPy imports and sees at least one GPU.

    Example:
        >>> isinstance(nt.cupy_available(), bool)
        True
    """
    cupy = _import_cupy()
    if cupy is None:
        return False
    try:
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # pragma: no cover
        return False


def array_module(*arrays):
    """The array module (``numpy`` or ``cupy``) that the given arrays live in."""
    cupy = _loaded_cupy()
    if cupy is not None:
        for a in arrays:
            if isinstance(a, cupy.ndarray):
                return cupy
    return np


def device_of(array) -> str:
    """``'cpu'`` for NumPy data, ``'cuda'`` for CuPy data."""
    return "cuda" if array_module(array) is not np else "cpu"


def to_numpy(array):
    """A NumPy copy (or view) of ``array``, wherever it lives."""
    cupy = _loaded_cupy()
    if cupy is not None and isinstance(array, cupy.ndarray):
        return cupy.asnumpy(array)
    return np.asarray(array)


def to_device(array, device: str):
    """Move ``array`` to ``'cpu'`` (NumPy) or ``'cuda'`` (CuPy)."""
    if device == "cpu":
        return to_numpy(array)
    if device in ("cuda", "gpu"):
        cupy = _import_cupy()
        if cupy is None:
            raise RuntimeError("device 'cuda' needs CuPy: pip install 'neuronet[cuda13]' (or [cuda12])")
        return cupy.asarray(array)
    raise ValueError(f"unknown device {device!r}: expected 'cpu' or 'cuda'")


def get_default_dtype():
    """The dtype new floating-point tensors get (float32 unless changed).

    Example:
        >>> nt.get_default_dtype()
        dtype('float32')
        >>> nt.tensor([1.5]).dtype
        dtype('float32')
    """
    return _default_dtype


def set_default_dtype(dtype) -> None:
    """Set the dtype of new floating-point tensors: float32 (default) or float64.

    Example:
        >>> nt.set_default_dtype(np.float64)
        >>> nt.tensor([1.5]).dtype
        dtype('float64')
        >>> nt.set_default_dtype(np.float32)
    """
    global _default_dtype
    dtype = np.dtype(dtype)
    if dtype not in (np.float16, np.float32, np.float64):
        raise TypeError(f"default dtype must be float16, float32 or float64, got {dtype}")
    _default_dtype = dtype


def is_float_dtype(dtype) -> bool:
    return np.dtype(dtype).kind == "f"


def manual_seed(seed: int) -> None:
    """Seed the one generator that every random operation in neuronet draws from.

    Example:
        >>> nt.manual_seed(0); a = nt.randn(3)
        >>> nt.manual_seed(0); b = nt.randn(3)
        >>> bool((a.numpy() == b.numpy()).all())
        True
    """
    global _rng, _seed, _cupy_rng
    _rng = np.random.default_rng(seed)
    _seed, _cupy_rng = seed, None


def get_rng(xp=np):
    """The seeded generator for array module ``xp`` (NumPy or CuPy): this thread's own one inside
    :func:`use_generator`, else the shared one that ``manual_seed`` seeds."""
    global _cupy_rng
    if xp is np:
        own = _thread.rng
        return own if own is not None else _rng
    if _cupy_rng is None:  # CuPy's own generator, seeded like NumPy's by manual_seed
        _cupy_rng = xp.random.default_rng(_seed if _seed is not None else int(_rng.integers(2**31)))
    return _cupy_rng


def generator(seed=None):
    """A NumPy generator seeded with ``seed``, or the current one (:func:`get_rng`) when None."""
    return np.random.default_rng(seed) if seed is not None else get_rng()


@contextmanager
def use_generator(rng):
    """Inside the block, every random draw of this thread (initialisation, dropout, shuffling,
    augmentation) comes from ``rng``, a NumPy Generator, instead of the shared one; other threads
    are unaffected.  ``None`` changes nothing.  A model trained with ``fit(seed=...)`` runs in
    such a block, so models trained in several threads at once stay reproducible."""
    if rng is None:
        yield
        return
    previous, _thread.rng = _thread.rng, rng
    try:
        yield
    finally:
        _thread.rng = previous


_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


def generator_from_state(state: dict):
    """A NumPy Generator restored from ``bit_generator.state`` (as saved in a model file); only
    NumPy's own bit generators are accepted, by name."""
    name = state.get("bit_generator") if isinstance(state, dict) else None
    if name not in _BIT_GENERATORS:
        raise ValueError(f"generator state: unknown bit generator {name!r}; expected one of {_BIT_GENERATORS}")
    rng = np.random.Generator(getattr(np.random, name)())
    rng.bit_generator.state = state
    return rng
