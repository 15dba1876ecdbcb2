"""Embedding's gradient scatter: the fast path must give np.add.at's sums exactly."""
import numpy as np
def test_scatter_add_rows_matches_add_at_exactly_with_repeated_indices():
    from neuronet.functional.embedding import _scatter_add_rows
    rng = np.random.default_rng(3)
    index = rng.integers(0, 7, 200)  # every row index repeats many times
    rows = rng.standard_normal((200, 5)).astype(np.float32)
    expected, got = np.zeros((7, 5), np.float32), np.zeros((7, 5), np.float32)
    np.add.at(expected, index, rows)
    _scatter_add_rows(np, got, index, rows)
    np.testing.assert_array_equal(got, expected)
