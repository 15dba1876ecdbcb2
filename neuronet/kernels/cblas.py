"""NumPy's own CBLAS ``sgemm`` as a ctypes function, for compiled kernels that call BLAS in a loop.

A numba kernel that runs a whole recurrence (a matrix product and the gate arithmetic per time
step) must call BLAS itself: going back to Python for each ``np.matmul`` would take the GIL 2·T
times, and two threads running row blocks of the batch would then mostly wait for each other.
This finds ``cblas_sgemm`` in the BLAS library NumPy loaded (``parallel.blas_controllers`` names the file), so
the kernels use the same library, kernel and thread setting as NumPy.  OpenBLAS builds name it
with their symbol prefix/suffix (NumPy's wheels: ``scipy_cblas_sgemm64_``, 64-bit integers);
when no known name is found (another BLAS), :func:`numpy_sgemm` returns None
and callers keep their Python loop.
"""
from __future__ import annotations

import ctypes

__all__ = ["numpy_sgemm", "direct_sgemm_rows", "ROW_MAJOR", "NO_TRANS", "TRANS"]

ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112  # CBLAS enum values
_NAMES = (("scipy_cblas_sgemm64_", ctypes.c_int64), ("cblas_sgemm64_", ctypes.c_int64),
          ("scipy_cblas_sgemm", ctypes.c_int), ("cblas_sgemm", ctypes.c_int))
# OpenBLAS kernels with a small-matrix sgemm path that skips packing the operands (the
# SkylakeX family); it takes products of at most 10⁶ multiply-adds
_SMALL_KERNEL_ARCHITECTURES = ("skylakex", "cooperlake", "sapphirerapids")
_SMALL_KERNEL_MAX_MNK = 1_000_000
_found = {}


def numpy_sgemm():
    """``cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)`` of
    NumPy's BLAS as a ctypes function with argtypes set, or None when it cannot be found."""
    if "sgemm" not in _found:
        _found["sgemm"] = _find()
    return _found["sgemm"]


def direct_sgemm_rows(n: int, k: int) -> int:
    """The most rows m of an (m, k) @ (k, n) :func:`numpy_sgemm` call that NumPy's OpenBLAS runs
    with its small-matrix kernel, 0 when that BLAS has none (another kernel or library).

    A loop of products with one fixed right operand (an LSTM step's ``h @ W_hhᵀ``) is faster in
    calls of that many rows: OpenBLAS otherwise packs W afresh for every call (measured on
    SkylakeX, H = 128: 8-row calls cost 0.041 ms per row and time loop, 16-row calls 0.060).
    """
    numpy_sgemm()
    if _found.get("architecture", "").lower() not in _SMALL_KERNEL_ARCHITECTURES:
        return 0
    return _SMALL_KERNEL_MAX_MNK // max(1, n * k)


def _find():
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
    for name, integer in _NAMES:
        for lib, architecture in libraries:
            fn = getattr(lib, name, None)
            if fn is None:
                continue
            enum, f32, ptr = ctypes.c_int, ctypes.c_float, ctypes.c_void_p
            fn.argtypes = [enum, enum, enum, integer, integer, integer, f32, ptr, integer, ptr, integer, f32, ptr,
                           integer]
            fn.restype = None
            _found["architecture"] = architecture
            return fn
    return None
