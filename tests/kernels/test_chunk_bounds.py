"""chunk_bounds: cache-sized chunks of a batch, and the split of one chunk's worth in two for a second thread."""
import numpy as np


def test_chunk_bounds_splits_one_chunk_in_two_only_when_asked_and_large_enough():
    from neuronet.kernels.parallel import SPLIT_BYTES, chunk_bounds
    per = 28 << 10  # 128 images of 28 KiB: 3.5 MiB, one cache-sized chunk
    assert chunk_bounds(128, per, np) == [(0, 128)]
    assert chunk_bounds(128, per, np, split_bytes=SPLIT_BYTES) == [(0, 64), (64, 128)]
    assert chunk_bounds(11, per, np, split_bytes=SPLIT_BYTES) == [(0, 5), (5, 11)]  # 308 KiB
    assert chunk_bounds(9, per, np, split_bytes=SPLIT_BYTES) == [(0, 9)]  # 252 KiB: under SPLIT_BYTES
    assert chunk_bounds(1, SPLIT_BYTES * 4, np, split_bytes=SPLIT_BYTES) == [(0, 1)]
    assert chunk_bounds(128, per, np, split_bytes=128 * per + 1) == [(0, 128)]  # the caller's floor
    assert chunk_bounds(128, per, object(), split_bytes=SPLIT_BYTES) == [(0, 128)]  # not NumPy: one chunk
    big = chunk_bounds(256, 64 << 10, np, split_bytes=SPLIT_BYTES)  # 16 MiB: 4 MiB chunks as before
    assert big == chunk_bounds(256, 64 << 10, np) and len(big) == 4


def test_conv_split_keeps_halves_large_against_their_weight_part():
    from neuronet.functional.conv_strided import WEIGHT_CHUNKS, split_bytes
    from neuronet.kernels.parallel import SPLIT_BYTES
    assert split_bytes(0) == split_bytes(1000) == SPLIT_BYTES
    wide = 512 * 512 * 9  # ResNet's 512-channel 3×3 layer: 9.4 MB of dW per chunk
    assert split_bytes(wide) == 2 * WEIGHT_CHUNKS * wide * 4
