"""Data-parallel training over MPI (``pip install 'neuronet[mpi]'``; ``mpiexec -n 2 python script.py``).

Every rank holds the whole model, trains on its part of each global batch, and averages
gradients with the other ranks during backward, so all ranks take the same steps as one process
would on the whole batches.  mpi4py is imported on first use, never by ``import neuronet``.

Example (``mpiexec -n 2 python train.py``)::

    import neuronet as nt
    model = nt.Sequential([nt.nn.Dense(128, activation="relu"), nt.nn.Dense(10)])
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    nt.distributed.fit(model, x, y, batch_size=256, epochs=5)      # rank 0 prints and saves

A hand-written loop::

    nt.distributed.init()
    model.build((None, 784)); nt.distributed.broadcast_parameters(model)
    averager = nt.distributed.average_gradients(model)
    for xb, yb in nt.distributed.DistributedLoader(x, y, batch_size=256):
        opt.zero_grad(); loss_fn(model(xb), yb).backward(); opt.step()   # grads averaged in backward
"""
from .comm import init, rank, size, is_main, barrier, communicator, broadcast_parameters
from .gradients import GradientAverager, average_gradients, all_reduce_gradients
from .loader import DistributedLoader
from .fit import fit, MainRankOnly, AverageLogs
from .sync_batch_norm import SyncBatchNorm, convert_sync_batch_norm

__all__ = ["init", "rank", "size", "is_main", "barrier", "communicator", "broadcast_parameters",
           "GradientAverager", "average_gradients", "all_reduce_gradients", "DistributedLoader",
           "fit", "MainRankOnly", "AverageLogs", "SyncBatchNorm", "convert_sync_batch_norm"]
