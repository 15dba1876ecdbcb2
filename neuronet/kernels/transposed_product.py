"""x Wᵀ computed as (W xᵀ)ᵀ: a dense layer's forward product closer to the speed of a contiguous Wᵀ (no numba).

A weight stored (out, in) — PyTorch's layout, which ``Affine`` keeps — enters ``x @ w.T``
transposed, and NumPy's OpenBLAS (SkylakeX kernels) packs a transposed left operand more slowly
than a plain one (about 0.4 ns more per value).  ``x @ w.T`` packs all of W (n·k values) that
way; ``w @ x.T`` packs only x (m·k values) that way and W plainly.  So where n·k is large against
m·k and m·n, yᵀ = W xᵀ goes into a buffer and OpenBLAS's own vectorised out-of-place transpose
(``cblas_somatcopy``) writes y.  Measured paired (1 thread, load ~1, µs): 64×128 by 128×384
(a Transformer's QKV) 88 → 78, 64×784 by 784×256 (the MLP's first layer) 347 → 303, 16×784 by
784×256 212 → 129, 8×128 by 128×384 47 → 32; at m ≥ n nothing is gained and the plain product
runs.  Each output is the same dot product over k, summed in the same order by this OpenBLAS,
so the values were bit-identical in every shape timed.  Not done instead: caching a contiguous
Wᵀ (optimizers and users write ``param.data`` in place, and nothing versions it); copying Wᵀ per
call with ``somatcopy`` (beats this route by ≤ 5 µs only where n·k is small, loses where it is
large, and sums in another order); storing the weight F-ordered (the input gradient ``g @ w`` then
becomes the slow product, and optimizers, saving and data-parallel flattening assume C order).

:func:`transposed_product_pays` is the rule (fitted to paired timings); :func:`linear_product` applies it.
"""
from __future__ import annotations

import ctypes

from ..backend import np
from .cblas import ROW_MAJOR, TRANS, blas_architecture, numpy_somatcopy
from .parallel import _OPENBLAS_SINGLE, blas_thread_count

__all__ = ["linear_product", "transposed_product_pays"]

# OpenBLAS kernel families whose SGEMM packs a transposed left operand slowly (where it was measured)
_ARCHITECTURES = ("skylakex", "cooperlake", "sapphirerapids")
# The gain in ns of (W xᵀ)ᵀ on 1 thread, fitted to 180 shapes timed paired (m 4..512, k 64..784,
# n 10..512): packing saved on W, packing added on x, the transpose, a slightly slower GEMM
# orientation at large m, the calls.  The route is taken where that predicts at least 5 µs: inside
# the batch-1 Transformer, 64×128 by 128×256 and 64×256 by 128×128 (predicted 2–3 µs) gained nothing
_GAIN_KN, _GAIN_KM, _GAIN_MN, _GAIN_MKN, _GAIN_CALLS, _MIN_GAIN = 0.43, -0.39, -0.29, -0.0009, -1400, 5000
# On 2 BLAS threads the packing is shared but the transpose is not: 0.21 ns·k·(n - m) - 0.58 ns·m·n
# (13 shapes from 4·10⁶ multiply-adds up), so there k·(n - m) - 3·m·n must reach 16000 as well
_THREADED_MARGIN, _THREADED_WEIGHT = 16000, 3
# OpenBLAS's small-matrix kernel (no packing) takes both forms alike: m·n·k ≤ 10⁶, m·n ≤ 1200, k ≥ 32
_SMALL_MNK, _SMALL_MN, _SMALL_K = 1_000_000, 1200, 32
_state = {}


def transposed_product_pays(m: int, k: int, n: int, threads: int = 1) -> bool:
    """Whether an (m, k) by (k, n) product ``x @ w.T`` on ``threads`` BLAS threads is faster as (W xᵀ)ᵀ on
    NumPy's BLAS (the measured rule; False for a BLAS it was not measured on, or without ``cblas_somatcopy``).

    Example:
        >>> from neuronet.kernels.transposed_product import transposed_product_pays
        >>> transposed_product_pays(64, 128, 10)  # n < m: x @ w.T is as fast
        False
    """
    if m < 2 or (_GAIN_KN * k * n + _GAIN_KM * k * m + _GAIN_MN * m * n + _GAIN_MKN * m * k * n + _GAIN_CALLS
                 < _MIN_GAIN):
        return False
    if threads > 1 and k * (n - m) - _THREADED_WEIGHT * m * n < _THREADED_MARGIN:
        return False
    if m * n * k <= _SMALL_MNK and m * n <= _SMALL_MN and k >= _SMALL_K:
        return False
    available = _state.get("available")
    if available is None:
        available = _state["available"] = (blas_architecture() in _ARCHITECTURES and numpy_somatcopy() is not None)
    return available


def _address(a) -> int:
    """The data address of a writable C-contiguous array (0.3 µs; ``a.ctypes.data`` takes 1)."""
    return ctypes.addressof(ctypes.c_char.from_buffer(a))


def linear_product(x, w):
    """y = x @ w.T for x (m, k) and a weight w (n, k), as a new C-contiguous (m, n) array.

    Computed as (W xᵀ)ᵀ (see the module docstring) for C-contiguous float32 NumPy arrays where
    :func:`transposed_product_pays`, else by ``x @ w.T``.  Call it inside the product's BLAS
    thread setting (``parallel.blas_for_product``).

    Example:
        >>> from neuronet.kernels.transposed_product import linear_product
        >>> x, w = np.ones((16, 784), np.float32), np.ones((256, 784), np.float32)
        >>> y = linear_product(x, w)
        >>> y.shape, y.flags.c_contiguous, bool((y == 784).all())
        ((16, 256), True, True)
    """
    m, k = x.shape
    n = w.shape[0]
    if not (transposed_product_pays(m, k, n) and type(x) is np.ndarray and type(w) is np.ndarray
            and x.dtype == np.float32 and w.dtype == np.float32 and x.flags.c_contiguous and w.flags.c_contiguous):
        return x @ w.T
    # on several BLAS threads (OpenBLAS runs smaller products on one whatever its setting) the rule is stricter
    if m * k * n >= _OPENBLAS_SINGLE and blas_thread_count() > 1 and not transposed_product_pays(m, k, n, 2):
        return x @ w.T
    yt = np.empty((n, m), np.float32)  # not parallel.scratch: 1.2 µs per call against 0.3
    np.matmul(w, x.T, out=yt)
    y = np.empty((m, n), np.float32)
    numpy_somatcopy()(ROW_MAJOR, TRANS, n, m, 1.0, _address(yt), m, _address(y), n)
    return y
