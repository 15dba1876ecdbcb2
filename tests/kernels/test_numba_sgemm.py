"""``kernels/numba_sgemm.py``: NumPy's cblas_sgemm called from compiled code through its address."""
import numpy as np
import pytest

from tests.helpers import need

need("numba")

from neuronet.kernels.compiled import compile_kernel  # noqa: E402
from neuronet.kernels.numba_sgemm import I64, PLAIN, ROW, TRANSPOSED, compiled_sgemm, gemm  # noqa: E402


@compile_kernel
def _product(sgemm, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc):
    """C = alpha·op(A)·op(B) + beta·C from compiled code, as the kernels call it."""
    gemm(sgemm, ROW, trans_a, trans_b, I64(m), I64(n), I64(k), alpha, I64(a.ctypes.data), I64(lda),
         I64(b.ctypes.data), I64(ldb), beta, I64(c.ctypes.data), I64(ldc))


@pytest.fixture
def sgemm():
    address = compiled_sgemm()
    if address is None:
        pytest.skip("no 64-bit-integer sgemm in NumPy's BLAS")
    return address


def test_the_address_is_a_plain_integer(sgemm):
    """An int costs numba nothing to pass (a first-class function argument cost ~6 µs per kernel call)."""
    from numba import typeof, types
    assert isinstance(sgemm, int) and sgemm > 0 and typeof(sgemm) == types.int64


@pytest.mark.parametrize("trans_a, trans_b", [(False, False), (True, False), (False, True), (True, True)])
def test_every_transpose_with_alpha_and_beta(sgemm, trans_a, trans_b):
    rng = np.random.default_rng(0)
    m, n, k = 5, 7, 3
    a = rng.standard_normal((k, m) if trans_a else (m, k)).astype(np.float32)
    b = rng.standard_normal((n, k) if trans_b else (k, n)).astype(np.float32)
    c = rng.standard_normal((m, n)).astype(np.float32)
    expected = 0.5 * (a.T if trans_a else a).astype(np.float64) @ (b.T if trans_b else b) + 2.0 * c
    _product(sgemm, TRANSPOSED if trans_a else PLAIN, TRANSPOSED if trans_b else PLAIN, m, n, k, np.float32(0.5),
             a, a.shape[1], b, b.shape[1], np.float32(2.0), c, n)
    np.testing.assert_allclose(c, expected, rtol=1e-5, atol=1e-5)


def test_a_submatrix_through_leading_dimensions(sgemm):
    """The leading dimensions and addresses select blocks of larger arrays (as the kernels' planes do)."""
    rng = np.random.default_rng(1)
    big_a, big_b = rng.standard_normal((6, 10)).astype(np.float32), rng.standard_normal((10, 8)).astype(np.float32)
    a, b = big_a[1:5, 2:7], big_b[2:7, 4:7]  # (4, 5) and (5, 3) views: row strides 10 and 8
    gemm_result = np.empty((4, 3), np.float32)
    _product(sgemm, PLAIN, PLAIN, 4, 3, 5, np.float32(1.0), big_a[1:, 2:], 10, big_b[2:, 4:], 8, np.float32(0.0),
             gemm_result, 3)
    np.testing.assert_allclose(gemm_result, a.astype(np.float64) @ b, rtol=1e-5, atol=1e-6)
