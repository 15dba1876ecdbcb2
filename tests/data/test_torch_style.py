"""nt.utils.data: Dataset, TensorDataset, Subset, random_split and a DataLoader that yields tensors, as torch.utils.data."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.utils import data as tud


class Squares(tud.Dataset):
    def __len__(self):
        return 10

    def __getitem__(self, i):
        return np.float32(i), i * i


def test_loader_yields_tensors_in_torch_layout():
    ds = tud.TensorDataset(nt.from_numpy(np.arange(20, dtype=np.float32).reshape(10, 2)), nt.arange(10))
    batches = list(tud.DataLoader(ds, batch_size=4))
    assert [b[0].size(0) for b in batches] == [4, 4, 2]
    xb, yb = batches[0]
    assert isinstance(xb, nt.Tensor) and xb.dtype == np.float32 and yb.dtype == np.int64
    assert yb.tolist() == [0, 1, 2, 3]
    assert len(list(tud.DataLoader(ds))) == 10  # batch_size=1 by default, as in torch
    assert len(tud.DataLoader(ds, batch_size=4, drop_last=True)) == 2


def test_custom_dataset_collates_fields_and_collate_fn():
    xb, yb = next(iter(tud.DataLoader(Squares(), batch_size=3)))
    assert isinstance(xb, nt.Tensor) and xb.tolist() == [0, 1, 2] and yb.tolist() == [0, 1, 4]
    batch = next(iter(tud.DataLoader(Squares(), batch_size=2, collate_fn=lambda samples: samples)))
    assert batch == [(0.0, 0), (1.0, 1)]
    both = Squares() + Squares()
    assert len(both) == 20 and both[13] == (3.0, 9)


def test_random_split_counts_fractions_and_seed():
    ds = tud.TensorDataset(np.arange(10))
    a, b = tud.random_split(ds, [7, 3], generator=0)
    assert len(a) == 7 and len(b) == 3
    assert sorted(list(a.indices) + list(b.indices)) == list(range(10))
    c, d, e = tud.random_split(ds, [0.5, 0.3, 0.2], generator=0)
    assert [len(c), len(d), len(e)] == [5, 3, 2]
    f, g = tud.random_split(tud.TensorDataset(np.arange(11)), [0.5, 0.5], generator=1)
    assert [len(f), len(g)] == [6, 5]  # the remainder goes to the first part, as in torch
    again, _ = tud.random_split(ds, [7, 3], generator=0)
    assert np.array_equal(again.indices, a.indices)
    with pytest.raises(ValueError, match="random_split: lengths"):
        tud.random_split(ds, [5, 6])


def test_subset_of_arrays_is_gathered_per_batch_and_shuffle_is_seeded():
    ds = tud.TensorDataset(np.arange(100, dtype=np.float32)[:, None], np.arange(100))
    train, _ = tud.random_split(ds, [80, 20], generator=0)
    assert train.gathers_batches
    seen = np.concatenate([yb.numpy() for _, yb in tud.DataLoader(train, batch_size=32, shuffle=True, generator=3)])
    assert sorted(seen.tolist()) == sorted(train.indices.tolist())
    again = np.concatenate([yb.numpy() for _, yb in tud.DataLoader(train, batch_size=32, shuffle=True, generator=3)])
    assert np.array_equal(seen, again)


def test_loader_argument_errors():
    with pytest.raises(ValueError, match="num_workers"):
        tud.DataLoader(Squares(), num_workers=-1)
    with pytest.raises(TypeError, match="sampler and batch_sampler are not supported"):
        tud.DataLoader(Squares(), sampler=[0, 1])
    assert tud.DataLoader(Squares(), num_workers=2, pin_memory=True).num_workers == 2
