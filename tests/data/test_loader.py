"""ArrayDataset and DataLoader: batching, last batch, drop_last, shuffling determinism, transforms."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.data import ArrayDataset, DataLoader, TensorDataset


def _data(n=10):
    return np.arange(n * 3, dtype=np.float32).reshape(n, 3), np.arange(n, dtype=np.int64)


def test_array_dataset_indexing_and_length_check():
    x, y = _data()
    ds = ArrayDataset(x, y)
    assert len(ds) == 10 and TensorDataset is ArrayDataset
    xi, yi = ds[4]
    assert np.array_equal(xi, x[4]) and yi == 4
    xb, yb = ds[np.array([1, 3])]
    assert np.array_equal(yb, [1, 3])
    with pytest.raises(ValueError, match="array 1 has 9 samples.*array 0 has 10"):
        ArrayDataset(x, y[:9])
    with pytest.raises(ValueError, match="at least one array"):
        ArrayDataset()


@pytest.mark.parametrize("n, bs, drop_last, sizes", [
    (10, 4, False, [4, 4, 2]), (10, 4, True, [4, 4]), (8, 4, False, [4, 4]), (3, 5, False, [3]), (3, 5, True, []),
])
def test_batches_in_order_and_last_batch(n, bs, drop_last, sizes):
    x, y = _data(n)
    loader = DataLoader((x, y), batch_size=bs, drop_last=drop_last)
    batches = list(loader)
    assert len(loader) == len(sizes) == len(batches)
    assert [len(b[1]) for b in batches] == sizes
    if batches:
        assert np.array_equal(np.concatenate([b[1] for b in batches]), np.arange(sum(sizes)))
        assert all(isinstance(b, tuple) and b[0].dtype == np.float32 for b in batches)


def test_shuffle_covers_every_sample_once_and_changes_per_epoch():
    x, y = _data(50)
    loader = DataLoader((x, y), batch_size=7, shuffle=True, seed=3)
    epoch1 = np.concatenate([yb for _, yb in loader])
    epoch2 = np.concatenate([yb for _, yb in loader])
    assert np.array_equal(np.sort(epoch1), np.arange(50)) and np.array_equal(np.sort(epoch2), np.arange(50))
    assert not np.array_equal(epoch1, epoch2)
    for xb, yb in loader:                                        # rows stay aligned
        assert np.array_equal(xb[:, 0], yb * 3)


def test_shuffle_is_deterministic_with_seed_and_manual_seed():
    x, y = _data(40)

    def order(**kw):
        return np.concatenate([yb for _, yb in DataLoader((x, y), batch_size=8, shuffle=True, **kw)])

    assert np.array_equal(order(seed=5), order(seed=5))
    assert not np.array_equal(order(seed=5), order(seed=6))
    nt.manual_seed(11)
    a = order()
    nt.manual_seed(11)
    assert np.array_equal(a, order())


def test_transform_applies_to_inputs_only():
    x, y = _data(6)
    loader = DataLoader((x, y), batch_size=4, transform=lambda xb: xb * 2)
    xb, yb = next(iter(loader))
    assert np.array_equal(xb, x[:4] * 2) and np.array_equal(yb, y[:4])
    assert np.array_equal(x, _data(6)[0])                        # the data itself unchanged


def test_single_array_and_generic_dataset():
    x, _ = _data(5)
    batches = list(DataLoader(x, batch_size=2))
    assert [b[0].shape for b in batches] == [(2, 3), (2, 3), (1, 3)]

    class Squares:
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return np.full(2, i, dtype=np.float32), i * i

    xb, yb = next(iter(DataLoader(Squares(), batch_size=3)))
    assert xb.shape == (3, 2) and np.array_equal(yb, [0, 1, 4])
    shuffled = np.concatenate([b[1] for b in DataLoader(Squares(), batch_size=2, shuffle=True, seed=0)])
    assert sorted(shuffled.tolist()) == [0, 1, 4, 9, 16]


def test_bad_arguments():
    x, y = _data()
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="DataLoader: batch_size"):
            DataLoader((x, y), batch_size=bad)
    with pytest.raises(TypeError, match="DataLoader: dataset"):
        DataLoader(42)
    with pytest.raises(TypeError, match="transform must be callable"):
        DataLoader((x, y), transform="flip")
