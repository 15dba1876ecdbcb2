"""The pieces of data-parallel training that need no MPI: the loader's shards and the autograd
observer that tells when a parameter's gradient is final."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.autograd import add_backward_observer
from neuronet.distributed import DistributedLoader
from neuronet.distributed import gradients


@pytest.mark.parametrize("n, batch, ranks", [(10, 4, 2), (11, 4, 3), (9, 8, 2)])
def test_the_ranks_parts_make_up_every_global_batch(n, batch, ranks):
    x, y = np.arange(n * 2).reshape(n, 2), np.arange(n)
    single = [b[1] for b in DistributedLoader(x, y, batch_size=batch, seed=5, world_rank=0, world_size=1)]
    parts = [[b[1] for b in DistributedLoader(x, y, batch_size=batch, seed=5, world_rank=r, world_size=ranks)]
             for r in range(ranks)]
    usable = n - (n % batch if 0 < n % batch < ranks else 0)
    assert sum(len(b) for b in single) == n                      # one process drops nothing
    for step in range(len(parts[0])):
        joined = np.concatenate([parts[r][step] for r in range(ranks)])
        np.testing.assert_array_equal(joined, single[step][:len(joined)])
    assert sum(len(b) for p in parts for b in p) == usable


def test_shares_are_reported_for_every_batch_and_reset_after_the_epoch():
    seen = []
    loader = DistributedLoader(np.zeros((11, 1)), np.zeros(11), batch_size=4, shuffle=False,
                               world_rank=1, world_size=2)
    for _ in loader:
        seen.append(gradients._share["value"])
    assert seen == [0.5, 0.5, 2 / 3]           # rank 1 holds 2 of the last batch's 3 rows
    assert gradients._share["value"] is None
    assert loader.local_samples() == sum(len(b[1]) for b in loader)


def test_an_abandoned_first_pass_does_not_shift_the_epochs():
    x = np.arange(20)
    loader = DistributedLoader(x, x, batch_size=5, seed=1, world_rank=0, world_size=1)
    first = next(iter(loader))[0]             # fit's input probe
    epoch1 = [b[0] for b in loader]
    np.testing.assert_array_equal(first, epoch1[0])
    epoch2 = [b[0] for b in loader]
    assert not np.array_equal(np.concatenate(epoch1), np.concatenate(epoch2))


def test_loader_refuses_batches_smaller_than_the_world():
    with pytest.raises(ValueError, match="global batch_size 2 is smaller than the 4 ranks"):
        DistributedLoader(np.zeros((8, 1)), batch_size=2, world_rank=0, world_size=4)


class Recorder:
    def __init__(self, *leaves):
        self.watched = {id(t): t for t in leaves}
        self.events = []

    def grad_ready(self, t):
        self.events.append((t.name, t.grad.copy()))

    def backward_done(self):
        self.events.append(("done", None))


def test_each_watched_leaf_is_reported_once_with_its_final_gradient():
    w = nt.tensor(np.array([1.0, 2.0]), requires_grad=True)
    w.name = "w"
    b = nt.tensor(np.array([0.5]), requires_grad=True)
    b.name = "b"
    rec = Recorder(w, b)
    add_backward_observer(rec)
    x = nt.tensor(np.array([3.0, 4.0]))
    loss = (w * x).sum() + (w * w).sum() + b.sum() * 2     # w is used twice
    loss.backward()
    names = [e[0] for e in rec.events]
    assert sorted(names[:-1]) == ["b", "w"] and names[-1] == "done"
    final = dict(rec.events[:-1])
    np.testing.assert_allclose(final["w"], x.data + 2 * w.data)
    np.testing.assert_allclose(final["b"], [2.0])
    del rec                                                 # held weakly: gone with the last reference
    (w * 2).sum().backward()


class OneRank:
    """A communicator of one process: Allreduce leaves the buffer as it is."""

    def Allreduce(self, send, recv, op=None):
        pass

    def Get_size(self):
        return 1


def test_synchronised_batch_norm_gradients_against_central_differences():
    pytest.importorskip("mpi4py", reason="needs mpi4py (data-parallel tests): pip install mpi4py mpich")
    from neuronet.distributed.sync_batch_norm import _SyncBatchNormFunction, _global_stats
    nt.set_default_dtype(np.float64)
    rng = np.random.default_rng(0)
    x = nt.tensor(rng.normal(1.0, 2.0, (5, 3, 2, 2)), requires_grad=True, dtype="float64")
    w = nt.tensor(rng.normal(1.0, 0.5, 3), requires_grad=True, dtype="float64")
    b = nt.tensor(rng.normal(0.0, 0.5, 3), requires_grad=True, dtype="float64")

    def sync_bn(x, w, b):
        mean, var, rows = _global_stats(x.data, OneRank())
        return _SyncBatchNormFunction.apply(x, w, b, comm=OneRank(), eps=1e-5, mean=mean, var=var, rows=rows)
    assert nt.gradcheck(sync_bn, x, w, b)
    plain = nt.functional.batch_norm(x, None, None, w, b, training=True)
    np.testing.assert_allclose(sync_bn(x, w, b).data, plain.data, rtol=1e-12, atol=1e-12)
