"""Batch normalisation with statistics over the whole global batch, all ranks together.

Plain batch norm on R ranks normalises each rank's rows by their own mean and variance — not
what one process on the whole batch does.  ``SyncBatchNorm`` sums (Σx, Σx², rows) over the ranks
in forward and the two sums the backward needs in backward, so R ranks compute what one process
computes.  ``convert_sync_batch_norm(model)`` swaps it in for every ``BatchNorm1D/2D``.
"""
from __future__ import annotations

from ..autograd import Function
from ..backend import np
from ..nn.layers.normalization import BatchNorm1D, BatchNorm2D, _BatchNorm
from ..nn.module import Module
from .comm import communicator
from .gradients import _scale

__all__ = ["SyncBatchNorm", "convert_sync_batch_norm"]


def _global_stats(x, comm):
    """(mean, biased variance, rows) per channel over every rank's rows of ``x`` (N, C, ...)."""
    from mpi4py import MPI
    axes = (0,) + tuple(range(2, x.ndim))
    c = x.shape[1]
    x64 = x.astype(np.float64)
    stats = np.concatenate([x64.sum(axis=axes), (x64 * x64).sum(axis=axes), [x.size / c]])
    comm.Allreduce(MPI.IN_PLACE, stats, op=MPI.SUM)
    mean = stats[:c] / stats[-1]
    return mean, np.maximum(stats[c:2 * c] / stats[-1] - mean ** 2, 0.0), stats[-1]


class _SyncBatchNormFunction(Function):
    """y = γ·(x − μ)/√(σ² + ε) + β with μ, σ² over the rows of every rank (computed by the layer)."""

    def __init__(self, comm, eps, mean, var, rows):
        self.comm, self.eps, self.mean, self.var, self.rows = comm, eps, mean, var, rows

    def forward(self, x, weight, bias):
        shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        self.rstd = (1.0 / np.sqrt(self.var + self.eps)).astype(x.dtype).reshape(shape)
        self.xhat = (x - self.mean.astype(x.dtype).reshape(shape)) * self.rstd
        self.gamma = None if weight is None else weight.reshape(shape)
        self.share = _scale(self.comm)  # this rank's part of the loss, as the gradient averaging weighs it
        y = self.xhat if weight is None else self.xhat * self.gamma
        return y if bias is None else y + bias.reshape(shape)

    def backward(self, gy):
        # dx_i = rstd·(dx̂_i − (A/s)/m − x̂_i·(B/s)/m), dx̂ = γ·dy, where A = Σ_ranks s·Σ dx̂ and
        # B = Σ_ranks s·Σ dx̂·x̂ weigh each rank's upstream gradient by its share s of the loss
        from mpi4py import MPI
        axes = (0,) + tuple(range(2, gy.ndim))
        dxhat = gy if self.gamma is None else gy * self.gamma
        sums = np.concatenate([dxhat.sum(axis=axes, dtype=np.float64),
                               (dxhat * self.xhat).sum(axis=axes, dtype=np.float64)]) * self.share
        self.comm.Allreduce(MPI.IN_PLACE, sums, op=MPI.SUM)
        c, shape = gy.shape[1], self.rstd.shape
        a = (sums[:c] / (self.share * self.rows)).astype(gy.dtype).reshape(shape)
        b = (sums[c:] / (self.share * self.rows)).astype(gy.dtype).reshape(shape)
        dx = self.rstd * (dxhat - a - self.xhat * b)
        dw = (gy * self.xhat).sum(axis=axes) if self.needs_grad[1] else None
        db = gy.sum(axis=axes) if self.needs_grad[2] else None
        return dx, dw, db


class SyncBatchNorm(_BatchNorm):
    """Batch normalisation over the global batch of a data-parallel run (inputs of any rank
    BatchNorm1D/2D take).  In one process, or in eval mode, it is ordinary batch norm.

    Example:
        >>> bn = nt.distributed.SyncBatchNorm()
        >>> y = bn(nt.randn(16, 3) * 4 + 1)  # in one process, plain batch norm
        >>> y.shape, bool(np.abs(y.numpy().mean(0)).max() < 1e-5)
        ((16, 3), True)
    """

    ranks = (2, 3, 4)
    layout = "(N, C), (N, C, L) or (N, C, H, W)"
    fuses_relu = False

    def forward(self, x, *, then_relu: bool = False):
        comm = communicator()
        if not (self.training and self.trainable) or comm is None or comm.Get_size() == 1:
            return super().forward(x, then_relu=then_relu)
        self._check_input(tuple(x.shape))
        mean, var, rows = _global_stats(x.data, comm)
        y = _SyncBatchNormFunction.apply(x, self.weight, self.bias, comm=comm, eps=self.eps, mean=mean, var=var,
                                         rows=rows)
        if self.track_running_stats:  # running = (1 − momentum)·running + momentum·batch (unbiased variance)
            factor = 1.0 / float(self.num_batches_tracked + 1) if self.momentum is None else self.momentum
            self.running_mean[...] = (1 - factor) * self.running_mean + factor * mean
            self.running_var[...] = (1 - factor) * self.running_var + factor * var * rows / max(rows - 1, 1)
            self.num_batches_tracked += 1
        return y


def convert_sync_batch_norm(module: Module) -> Module:
    """Replace every BatchNorm1D/2D in ``module`` by a SyncBatchNorm holding the same weights and
    statistics (in place; returns ``module``).  Call it before ``broadcast_parameters``.

    Example:
        >>> model = nt.Sequential([nt.nn.Dense(4, in_features=2), nt.nn.BatchNorm1D(4)])
        >>> model = nt.distributed.convert_sync_batch_norm(model)
        >>> type(model[1]).__name__
        'SyncBatchNorm'
    """
    for parent in list(module.modules()):
        for name, child in list(parent.named_children()):
            if type(child) in (BatchNorm1D, BatchNorm2D):
                sync = SyncBatchNorm(momentum=child.momentum, eps=child.eps, affine=child.affine,
                                     track_running_stats=child.track_running_stats)
                if child.built:
                    sync._create(child.num_features)
                    sync.load_state_dict(child.state_dict())
                sync.train(child.training)
                object.__setattr__(parent, name, sync)  # same name, same place in the parent's order
    return module
