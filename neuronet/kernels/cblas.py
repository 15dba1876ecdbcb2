"""NumPy's own CBLAS ``sgemm`` as a ctypes function, for compiled kernels that call BLAS in a loop.

A numba kernel that runs a whole recurrence (a matrix product and the gate arithmetic per time
step) must call BLAS itself: going back to Python for each ``np.matmul`` would take the GIL 2·T
times, and two threads running row blocks of the batch would then mostly wait for each other.
This finds ``cblas_sgemm`` in the BLAS library NumPy loaded (``parallel.blas_controllers`` names the file), so
the kernels use the same library, kernel and thread setting as NumPy.  OpenBLAS builds name it
with their symbol prefix/suffix (NumPy's wheels: ``scipy_cblas_sgemm64_``, 64-bit integers);
when no known name is found (another BLAS), :func:`numpy_sgemm` returns None
and callers keep their Python loop.  :func:`numpy_somatcopy` finds OpenBLAS's out-of-place
transpose the same way (``transposed_product.py`` uses it).
"""
from __future__ import annotations

import ctypes

__all__ = ["numpy_sgemm", "numpy_somatcopy", "direct_sgemm_rows", "blas_architecture", "ROW_MAJOR", "NO_TRANS",
           "TRANS"]

ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112  # CBLAS enum values
_INTEGERS = (("scipy_cblas_{}64_", ctypes.c_int64), ("cblas_{}64_", ctypes.c_int64), ("scipy_cblas_{}", ctypes.c_int),
             ("cblas_{}", ctypes.c_int))  # exported names (with their integer type) of a CBLAS function {}
# OpenBLAS kernels with a small-matrix sgemm path that skips packing the operands (the
# SkylakeX family); it takes products of at most 10⁶ multiply-adds
_SMALL_KERNEL_ARCHITECTURES = ("skylakex", "cooperlake", "sapphirerapids")
_SMALL_KERNEL_MAX_MNK = 1_000_000
_found = {}


def numpy_sgemm():
    """``cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)`` of
    NumPy's BLAS as a ctypes function with argtypes set, or None when it cannot be found."""
    if "sgemm" not in _found:
        enum, f32, ptr = ctypes.c_int, ctypes.c_float, ctypes.c_void_p
        _found["sgemm"] = _find("sgemm", lambda i: [enum, enum, enum, i, i, i, f32, ptr, i, ptr, i, f32, ptr, i])
    return _found["sgemm"]


def numpy_somatcopy():
    """``cblas_somatcopy(order, trans, rows, cols, alpha, A, lda, B, ldb)`` of NumPy's OpenBLAS (B = alpha·op(A),
    out of place; vectorised: a 384×64 float32 transpose takes 3 µs where NumPy's copy of a transposed
    view takes 15) as a ctypes function with argtypes set, or None when it cannot be found (not OpenBLAS)."""
    if "somatcopy" not in _found:
        enum, f32, ptr = ctypes.c_int, ctypes.c_float, ctypes.c_void_p
        _found["somatcopy"] = _find("somatcopy", lambda i: [enum, enum, i, i, f32, ptr, i, ptr, i])
    return _found["somatcopy"]


def blas_architecture() -> str:
    """The kernel family of the BLAS that :func:`numpy_sgemm` found (``"SkylakeX"``, ``"Haswell"``, ...),
    lower case; empty when unknown."""
    numpy_sgemm()
    return _found.get("architecture", "").lower()


def direct_sgemm_rows(n: int, k: int) -> int:
    """The most rows m of an (m, k) @ (k, n) :func:`numpy_sgemm` call that NumPy's OpenBLAS runs
    with its small-matrix kernel, 0 when that BLAS has none (another kernel or library).

    A loop of products with one fixed right operand (an LSTM step's ``h @ W_hhᵀ``) is faster in
    calls of that many rows: OpenBLAS otherwise packs W afresh for every call (measured on
    SkylakeX, H = 128: 8-row calls cost 0.041 ms per row and time loop, 16-row calls 0.060).
    """
    if blas_architecture() not in _SMALL_KERNEL_ARCHITECTURES:
        return 0
    return _SMALL_KERNEL_MAX_MNK // max(1, n * k)


def _find(function: str, argtypes):
    """``function`` of NumPy's BLAS with ``argtypes(integer type)`` set, or None."""
    from .parallel import blas_controllers  # NumPy's OpenBLAS found by ctypes, or threadpoolctl's

    try:
        controllers = blas_controllers()
    except Exception:  # unable to inspect the loaded libraries: no compiled BLAS calls
        return None
    libraries = []
    for controller in controllers:
        try:
            libraries.append((ctypes.CDLL(controller.filepath), getattr(controller, "architecture", None) or ""))
        except OSError:
            continue
    # names outermost: NumPy's wheels export the 64-bit-integer name, SciPy's (also loaded once
    # scikit-learn is imported) the 32-bit one, so this finds NumPy's library whatever the load order
    for name, integer in _INTEGERS:
        for lib, architecture in libraries:
            fn = getattr(lib, name.format(function), None)
            if fn is None:
                continue
            fn.argtypes, fn.restype = argtypes(integer), None
            _found.setdefault("architecture", architecture)
            return fn
    return None
