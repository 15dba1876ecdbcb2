"""NumPy's ``sgemm`` called from compiled kernels, for kernels that call BLAS in a loop (optional:
see ``compiled.py``; importing this module imports numba).

A kernel that runs a whole loop of small products (an LSTM's time steps, a convolution's
images) calls BLAS itself instead of returning to Python for each ``np.matmul``: no GIL per
product, so two threads running blocks of the batch do not wait for each other.  The kernels take
the function's address as a plain int64 argument (``compiled_sgemm()``) and call it through
:func:`gemm`, an intrinsic that turns the address into a function pointer of cblas_sgemm's C type:
the address is a value at run time, so the kernels still cache on disk, and an int costs numba
nothing to pass.  (A numba first-class function argument cost about 6 µs on every kernel call —
numba checks its signature and asks for its address each time — a twelfth of a batch-1 LeNet
call, which makes two such calls.)  Pointers go as int64 addresses (``array.ctypes.data``).
"""
from __future__ import annotations

import ctypes

from ..backend import np
from .cblas import NO_TRANS, ROW_MAJOR, TRANS, numpy_sgemm
from .compiled import import_numba

import_numba()  # numba's cache folder set before numba is first imported
from llvmlite import ir  # noqa: E402
from numba.core import types  # noqa: E402
from numba.extending import intrinsic  # noqa: E402

__all__ = ["compiled_sgemm", "gemm", "ROW", "PLAIN", "TRANSPOSED", "I64"]

ROW, PLAIN, TRANSPOSED = np.int32(ROW_MAJOR), np.int32(NO_TRANS), np.int32(TRANS)  # CBLAS enums as kernels pass them
I64 = np.int64  # integer and pointer arguments
_found = {}
# cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc): enums int32,
# sizes int64 (NumPy's 64-bit-integer OpenBLAS), scalars float32, pointers as int64 addresses
_ARGUMENTS = (types.int32,) * 3 + (types.int64,) * 3 + (types.float32,) + (types.int64,) * 4 + (types.float32,) + \
    (types.int64,) * 2


def compiled_sgemm():
    """The address (an int) of ``cblas_sgemm`` in NumPy's BLAS, for compiled kernels to call with
    :func:`gemm`, or None when no 64-bit-integer ``sgemm`` is found (the callers then keep their
    NumPy path)."""
    if "sgemm" not in _found:
        sgemm = numpy_sgemm()
        _found["sgemm"] = None if sgemm is None or sgemm.argtypes[3] is not ctypes.c_int64 else (
            ctypes.cast(sgemm, ctypes.c_void_p).value)
    return _found["sgemm"]


@intrinsic
def gemm(typingctx, address, order, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc):
    """``cblas_sgemm(order, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)`` at
    ``address`` (:func:`compiled_sgemm`), from compiled code: C = alpha·op(A)·op(B) + beta·C, A, B
    and C given as int64 addresses.  Each argument is converted to the C type (int32 enums, int64
    sizes and addresses, float32 scalars) before the call."""
    given = (order, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    if not isinstance(address, types.Integer) or not all(isinstance(t, (types.Integer, types.Float)) for t in given):
        return None
    signature = types.void(address, *given)

    def codegen(context, builder, sig, args):
        c_types = [context.get_value_type(t) for t in _ARGUMENTS]
        function = builder.inttoptr(context.cast(builder, args[0], sig.args[0], types.int64),
                                    ir.FunctionType(ir.VoidType(), c_types).as_pointer())
        builder.call(function, [context.cast(builder, value, given_type, wanted)
                                for value, given_type, wanted in zip(args[1:], sig.args[1:], _ARGUMENTS)])
        return context.get_dummy_value()

    return signature, codegen
