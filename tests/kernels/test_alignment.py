"""``kernels/alignment.py``: arrays on cache-line boundaries."""
import numpy as np
import pytest

from neuronet.kernels.alignment import aligned


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8])
@pytest.mark.parametrize("offset", [0, 1, 3, 7])
def test_a_copy_on_the_boundary_with_the_same_values(dtype, offset):
    base = np.arange(200, dtype=dtype)
    a = base[offset:offset + 120].reshape(10, 12)
    out = aligned(a)
    assert out.ctypes.data % 64 == 0 and out.flags.c_contiguous
    assert out.shape == a.shape and out.dtype == a.dtype and np.array_equal(out, a)
    if a.ctypes.data % 64 == 0:
        assert out is a  # already on a line: no copy
    else:
        assert not np.shares_memory(out, a)


def test_other_boundaries_and_non_contiguous_input():
    a = np.arange(64, dtype=np.float32).reshape(8, 8).T  # F-ordered view
    out = aligned(a, 32)
    assert out.ctypes.data % 32 == 0 and out.flags.c_contiguous and np.array_equal(out, a)
