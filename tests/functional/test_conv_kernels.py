"""The optional numba col2im kernel adds the same shifted columns in the same order as NumPy's."""
import numpy as np
import pytest

from neuronet.functional import compiled
from neuronet.functional.im2col import col2im

pytest.importorskip("numba")


@pytest.mark.parametrize("n, c, kernel, dilation, hw", [(3, 4, (3, 3), (1, 1), (6, 7)), (2, 2, (2, 5), (2, 1), (5, 9))])
def test_col2im_kernel_is_bit_identical_to_numpy(n, c, kernel, dilation, hw):
    (kh, kw), (dh, dw), (oh, ow) = kernel, dilation, hw
    hp, wp = oh + dh * (kh - 1), ow + dw * (kw - 1)
    rng = np.random.default_rng(0)
    cols = rng.standard_normal((n, c, kh, kw, oh * wp)).astype(np.float32)
    cols.reshape(n, c, kh, kw, oh, wp)[..., ow:] = 0  # junk columns hold zeros, as conv2d leaves them
    results = []
    for use in (True, False):
        compiled.set_numba_kernels(use)
        try:
            results.append(col2im(cols, (n, c, hp, wp), (1, 1), dilation, hw, out=np.full((n, c, hp, wp), 7.0, np.float32)))
        finally:
            compiled.set_numba_kernels(True)
    np.testing.assert_array_equal(results[0], results[1])
    assert not np.any(results[0] == 7.0)  # every element was overwritten, none left from ``out``
