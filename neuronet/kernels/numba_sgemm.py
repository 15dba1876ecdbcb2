"""NumPy's ``sgemm`` as a numba first-class function, for compiled kernels that call BLAS in a
loop (optional: see ``compiled.py``; importing this module imports numba).

A kernel that runs a whole loop of small products (an LSTM's time steps, a convolution's
images) calls BLAS itself instead of returning to Python for each ``np.matmul``: no GIL per
product, so two threads running blocks of the batch do not wait for each other.  Passing the
function as an argument (a ``WrapperAddressProtocol`` object) rather than as a global address
lets numba cache the kernels on disk.  Pointers go as int64 addresses (``array.ctypes.data``).
"""
from __future__ import annotations

import ctypes

from ..backend import np
from .cblas import NO_TRANS, ROW_MAJOR, TRANS, numpy_sgemm
from .compiled import import_numba

import_numba()  # numba's cache folder set before numba is first imported
import numba.experimental.function_type  # noqa: E402,F401  (registers first-class function types)
from numba.core import types  # noqa: E402
from numba.core.types import WrapperAddressProtocol  # noqa: E402
from numba.extending import typeof_impl  # noqa: E402

__all__ = ["compiled_sgemm", "ROW", "PLAIN", "TRANSPOSED", "I64"]

ROW, PLAIN, TRANSPOSED = np.int32(ROW_MAJOR), np.int32(NO_TRANS), np.int32(TRANS)  # CBLAS enums as kernels pass them
I64 = np.int64  # integer and pointer arguments
_found = {}


def compiled_sgemm():
    """``cblas_sgemm`` of NumPy's BLAS as an argument for numba kernels, or None when no
    64-bit-integer ``sgemm`` is found (the callers then keep their NumPy path)."""
    if "sgemm" not in _found:
        sgemm = numpy_sgemm()
        _found["sgemm"] = None if sgemm is None or sgemm.argtypes[3] is not ctypes.c_int64 else (
            _Sgemm(ctypes.cast(sgemm, ctypes.c_void_p).value))
    return _found["sgemm"]


class _Sgemm(WrapperAddressProtocol):
    """cblas_sgemm (64-bit integers; pointers passed as int64) as a numba first-class function."""

    def __init__(self, address):
        self.address = address

    def __wrapper_address__(self):
        return self.address

    def signature(self):
        i32, i64, f32 = types.int32, types.int64, types.float32
        return types.void(i32, i32, i32, i64, i64, i64, f32, i64, i64, i64, i64, f32, i64, i64)


_SGEMM_TYPE = types.FunctionType(_Sgemm(0).signature())


@typeof_impl.register(_Sgemm)
def _typeof_sgemm(value, context):
    """numba's type of an :class:`_Sgemm` argument, built once: numba's generic rule for a
    ``WrapperAddressProtocol`` rebuilds it from ``signature()`` on every kernel call (~30 µs, about
    as long as a small convolution's whole chunk)."""
    return _SGEMM_TYPE
