"""Fuzzing the graph scatter ops and the NTM addressing Functions (issue 18): random shapes (zero-size
included), dtypes, NaN/inf and extreme values, indices in and out of range — a right answer (checked
against a NumPy loop for the segment ops) or a ValueError/TypeError naming the function."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import neuronet as nt
from neuronet import functional as F
from tests.fuzz._common import FLOATS, REALS, attempt, backward_all, failed, real_arrays

SEGMENT = ["segment_sum", "segment_mean", "segment_max", "segment_softmax", "index_select"]
MEMORY = ["content_addressing", "interpolate", "circular_shift", "sharpen", "memory_read", "memory_write"]


def _reference(fn, a, index, n):
    out = np.zeros((n,) + a.shape[1:])
    for s in range(n):
        rows = a[index == s].astype(np.float64)
        if not len(rows):
            continue
        out[s] = {"segment_sum": lambda r: r.sum(0), "segment_mean": lambda r: r.mean(0),
                  "segment_max": lambda r: r.max(0)}[fn](rows)
    return out


@pytest.mark.parametrize("fn", SEGMENT)
@given(data=st.data())
def test_segment_ops(fn, data):
    rows = data.draw(st.integers(0, 5))
    a = data.draw(real_arrays(shape=(rows,) + tuple(data.draw(st.lists(st.integers(0, 3), max_size=2))),
                              dtypes=REALS, non_finite=data.draw(st.booleans())))
    index = np.array(data.draw(st.lists(st.integers(-1, 6), min_size=rows, max_size=rows)), dtype=np.int64)
    if data.draw(st.integers(0, 5)) == 0:
        index = index.astype(data.draw(st.sampled_from([np.float32, np.int32, np.uint8])))
    n = data.draw(st.one_of(st.none(), st.integers(-1, 8)))
    x = nt.tensor(a, dtype=a.dtype, requires_grad=a.dtype in FLOATS)
    if fn == "index_select":
        y = attempt(F.index_select, x, index, names=(fn, "index_select"))
    else:
        y = attempt(getattr(F, fn), x, index, n, names=(fn,))
    if failed(y):
        return
    size = n if n is not None else (int(index.max()) + 1 if index.size else 0)
    if fn == "index_select":
        np.testing.assert_array_equal(y.data, a[index])
    elif fn != "segment_softmax" and a.dtype.kind == "f" and np.isfinite(a).all() and np.abs(a.astype(np.float64)).max(initial=0) < 1e30:
        np.testing.assert_allclose(y.data.astype(np.float64), _reference(fn, a, index, size), rtol=1e-5, atol=1e-5)
    if a.dtype in FLOATS:
        assert backward_all(y, (fn,)) is None


@pytest.mark.parametrize("fn", MEMORY)
@given(data=st.data())
def test_memory_functions(fn, data):
    b, n, w, s = (data.draw(st.integers(0, 3)) for _ in range(4))
    shapes = {"content_addressing": [(b, n, w), (b, w), (b, 1)], "interpolate": [(b, n), (b, n), (b, 1)],
              "circular_shift": [(b, n), (b, s)], "sharpen": [(b, n), (b, 1)], "memory_read": [(b, n, w), (b, n)],
              "memory_write": [(b, n, w), (b, n), (b, w), (b, w)]}[fn]
    if data.draw(st.integers(0, 4)) == 0:  # a wrong shape somewhere
        i = data.draw(st.integers(0, len(shapes) - 1))
        shapes[i] = tuple(data.draw(st.lists(st.integers(0, 3), max_size=3)))
    args = [nt.tensor(a, dtype=a.dtype, requires_grad=a.dtype in FLOATS)
            for a in (data.draw(real_arrays(shape=sh, dtypes=FLOATS, bound=1e4)) for sh in shapes)]
    y = attempt(getattr(F, fn), *args, names=(fn,))
    if failed(y):
        return
    assert backward_all(y, (fn,)) is None
