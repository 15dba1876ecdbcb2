"""Averaging gradients over ranks: flat buckets, each sent with a non-blocking Allreduce as soon
as the backward pass has finished every gradient in it (PyTorch DDP's reducer, in small).

Buckets are filled in reverse parameter order, the order backward finishes them in: the last
layer's gradients travel while the earlier layers are still being differentiated.  Each rank
scales its gradients by its share of the global batch before the sum, so ranks that hold
different numbers of samples (the last, partial batch of an epoch) average exactly.
"""
from __future__ import annotations

from ..autograd import add_backward_observer
from ..backend import np
from .comm import communicator, init

__all__ = ["GradientAverager", "average_gradients", "all_reduce_gradients", "set_batch_share"]

DEFAULT_BUCKET_BYTES = 1 << 20
_share = {"value": None}  # this rank's share of the current global batch, set by DistributedLoader


def set_batch_share(local: int | None, total: int | None = None) -> None:
    """This rank holds ``local`` of the current global batch's ``total`` samples (None: equal
    shares).  ``DistributedLoader`` sets it for every batch it yields."""
    _share["value"] = None if local is None else float(local) / float(total)


def _scale(comm) -> float:
    share = _share["value"]
    return 1.0 / comm.Get_size() if share is None else share


class _Bucket:
    """Gradients of a few parameters in one flat buffer, reduced with one Allreduce."""

    def __init__(self, params):
        self.params = params
        self.buffer = np.empty(sum(p.data.size for p in params), dtype=params[0].data.dtype)
        self.ready = 0
        self.request = None
        self.had_grad = [False] * len(params)

    def pack(self, scale: float) -> None:
        offset = 0
        for i, p in enumerate(self.params):
            n = p.data.size
            view = self.buffer[offset:offset + n]
            if p.grad is None:
                view[...] = 0
            else:
                np.multiply(p.grad.reshape(-1), scale, out=view, casting="same_kind")
                self.had_grad[i] = True
            offset += n

    def unpack(self) -> None:
        offset = 0
        for i, p in enumerate(self.params):
            n = p.data.size
            view = self.buffer[offset:offset + n]
            if self.had_grad[i] or view.any():
                p.grad = view.reshape(p.data.shape).copy()
            offset += n
        self.ready, self.request, self.had_grad = 0, None, [False] * len(self.params)


def _buckets(params, bucket_bytes: int) -> list:
    """Parameters in reverse order (backward finishes the last layers first), cut into buckets of
    about ``bucket_bytes`` and of one dtype."""
    buckets, current, used = [], [], 0
    for p in reversed(params):
        if current and (used + p.data.nbytes > bucket_bytes or p.data.dtype != current[0].data.dtype):
            buckets.append(_Bucket(current))
            current, used = [], 0
        current.append(p)
        used += p.data.nbytes
    if current:
        buckets.append(_Bucket(current))
    return buckets


class GradientAverager:
    """Average the gradients of ``params`` over all ranks during every backward pass.

    After ``loss.backward()`` returns, every ``p.grad`` holds the average over ranks (weighted by
    each rank's share of the global batch when a ``DistributedLoader`` feeds them), so clipping and
    the optimizer step run on the same numbers on every rank — in ``fit`` and in a hand-written
    loop alike.  Several backward passes before one step (gradient accumulation) still average
    correctly, because averaging is linear.

    Args:
        params: the parameters (``model.parameters()``; the model must be built).
        bucket_bytes: size of the flat buffers sent in one Allreduce.

    Example:
        >>> model = nt.nn.Linear(2, 1)
        >>> averager = nt.distributed.GradientAverager(list(model.parameters()))
        >>> model(nt.ones(4, 2)).sum().backward()
        >>> model.bias.grad  # one process: the average is the gradient itself
        array([4.], dtype=float32)
    """

    def __init__(self, params, bucket_bytes: int = DEFAULT_BUCKET_BYTES):
        self.comm = communicator() or init()
        params = [p for p in params if p.requires_grad]
        self.watched = {id(p): p for p in params}
        self.buckets = _buckets(params, bucket_bytes)
        self._bucket_of = {id(p): b for b in self.buckets for p in b.params}
        self.active = self.comm.Get_size() > 1
        if self.active:
            add_backward_observer(self)

    def _send(self, bucket) -> None:
        from mpi4py import MPI
        bucket.pack(_scale(self.comm))
        bucket.request = self.comm.Iallreduce(MPI.IN_PLACE, bucket.buffer, op=MPI.SUM)

    def grad_ready(self, p) -> None:
        """Backward finished ``p``'s gradient: send its bucket once the bucket is complete."""
        bucket = self._bucket_of[id(p)]
        bucket.ready += 1
        if bucket.ready == len(bucket.params):
            self._send(bucket)

    def backward_done(self) -> None:
        """The pass ended: send the buckets it reached but did not complete (parameters it did not
        use), wait for all, unpack.  Buckets the pass never reached keep their gradients; every
        rank runs the same graph, so every rank skips the same buckets."""
        if not self.active:
            return
        reached = [b for b in self.buckets if b.ready or b.request is not None]
        for bucket in reached:
            if bucket.request is None:
                self._send(bucket)
        for bucket in reached:
            bucket.request.Wait()
            bucket.unpack()

    def remove(self) -> None:
        """Stop averaging (the observer is dropped)."""
        self.watched = {}
        self.active = False


def average_gradients(model, bucket_bytes: int = DEFAULT_BUCKET_BYTES) -> GradientAverager:
    """Average ``model``'s gradients over all ranks in every backward pass from now on; keep the
    returned object alive (and call ``.remove()`` to stop).

    Example:
        >>> model = nt.nn.Linear(2, 1)
        >>> averager = nt.distributed.average_gradients(model)  # from now on every backward averages over ranks
        >>> model(nt.ones(3, 2)).sum().backward()
        >>> model.bias.grad
        array([3.], dtype=float32)
    """
    unbuilt = model.unbuilt_modules()
    if unbuilt:
        raise ValueError(f"average_gradients: layers {unbuilt} of {type(model).__name__} are not built; "
                         "build the model first (model.build(input_shape) or one call)")
    return GradientAverager(model.parameters(), bucket_bytes)


def all_reduce_gradients(model_or_params) -> None:
    """Average the current gradients over all ranks now, in one blocking pass (for hand-written
    loops that prefer an explicit call after ``loss.backward()`` to :func:`average_gradients`).

    Example:
        >>> model = nt.nn.Linear(2, 1)
        >>> model(nt.ones(3, 2)).sum().backward()
        >>> nt.distributed.all_reduce_gradients(model)  # average the current gradients now
        >>> model.bias.grad
        array([3.], dtype=float32)
    """
    params = list(model_or_params.parameters() if hasattr(model_or_params, "parameters") else model_or_params)
    comm = communicator() or init()
    if comm.Get_size() == 1:
        return
    from mpi4py import MPI
    for bucket in _buckets([p for p in params if p.requires_grad], DEFAULT_BUCKET_BYTES):
        bucket.pack(_scale(comm))
        comm.Allreduce(MPI.IN_PLACE, bucket.buffer, op=MPI.SUM)
        bucket.unpack()
