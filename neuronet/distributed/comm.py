"""The MPI world: rank, size, collective calls (mpi4py, imported on first use).

``init()`` starts MPI (mpi4py's ``MPI.Init`` runs on import) and installs an exception hook
that aborts the whole job when any rank dies of an uncaught error: the other ranks would
otherwise wait forever in their next collective call.  Without MPI (mpi4py missing, or a plain
``python script.py``) everything still works as a world of one process.
"""
from __future__ import annotations

import sys
import time

__all__ = ["init", "rank", "size", "is_main", "barrier", "communicator", "broadcast_parameters"]

_world = {"comm": None, "tried": False}
_ABORT_GRACE_SECONDS = 0.5  # between a failed rank's error message and MPI_Abort (see init)


def _mpi():
    try:
        from mpi4py import MPI
    except ImportError:
        raise ImportError("neuronet.distributed needs mpi4py and an MPI library: pip install 'neuronet[mpi]' "
                          "(on one machine also `pip install mpich`, then run `mpiexec -n 2 python script.py`)") from None
    return MPI


def init(abort_on_error: bool = True):
    """Start MPI and return the world communicator (``MPI.COMM_WORLD``).

    Args:
        abort_on_error: an uncaught exception on any rank prints its traceback and aborts every
            rank (``MPI_Abort``), so a job fails within seconds instead of hanging.

    Example:
        >>> comm = nt.distributed.init()  # doctest: +SKIP
        >>> comm.Get_size()  # under mpiexec -n 4  # doctest: +SKIP
        4
    """
    if _world["comm"] is None:
        MPI = _mpi()
        _world["comm"] = MPI.COMM_WORLD
        if abort_on_error and _world["comm"].Get_size() > 1:
            previous = sys.excepthook

            def abort(kind, value, tb):
                previous(kind, value, tb)
                sys.stderr.write(f"neuronet.distributed: rank {_world['comm'].Get_rank()} failed; aborting the job\n")
                sys.stderr.flush()
                # mpiexec forwards each rank's stderr through a pipe and drops what is still in it when
                # the job is aborted: seen on a loaded 2-core machine, the traceback was cut after its
                # first line; a moment's wait lets the error reach the user
                time.sleep(_ABORT_GRACE_SECONDS)
                _world["comm"].Abort(1)
            sys.excepthook = abort
    return _world["comm"]


def communicator():
    """The world communicator once ``init()`` ran, else None (a single process).

    Example:
        >>> comm = nt.distributed.communicator()  # None in a process that never called init()
        >>> comm is None or comm.Get_rank() == nt.distributed.rank()
        True
    """
    return _world["comm"]


def rank() -> int:
    """This process's rank (0 without MPI).

    Example:
        >>> nt.distributed.rank()  # 0 in a single process
        0
    """
    comm = _world["comm"]
    return 0 if comm is None else comm.Get_rank()


def size() -> int:
    """The number of processes (1 without MPI).

    Example:
        >>> nt.distributed.size()  # 1 without mpiexec
        1
    """
    comm = _world["comm"]
    return 1 if comm is None else comm.Get_size()


def is_main() -> bool:
    """Whether this is rank 0, the one that logs, checkpoints and writes files.

    Example:
        >>> nt.distributed.is_main()  # rank 0 logs and writes files
        True
    """
    return rank() == 0


def barrier() -> None:
    """Wait until every rank reaches this call (nothing to wait for in a single process).

    Example:
        >>> nt.distributed.barrier()
    """

    comm = _world["comm"]
    if comm is not None:
        comm.Barrier()


def broadcast_parameters(module, root: int = 0) -> None:
    """Copy rank ``root``'s parameters and buffers into every rank's ``module`` (built first), so
    all ranks start from the same weights whatever their seeds.

    Example:
        >>> model = nt.Sequential([nt.nn.Dense(2, in_features=3)])
        >>> before = model[0].weight.numpy().copy()
        >>> nt.distributed.broadcast_parameters(model)  # a single process: nothing changes
        >>> bool(np.array_equal(model[0].weight.numpy(), before))
        True
    """
    comm = _world["comm"]
    if comm is None or comm.Get_size() == 1:
        return
    unbuilt = module.unbuilt_modules()
    if unbuilt:
        raise ValueError(f"broadcast_parameters: layers {unbuilt} of {type(module).__name__} are not built; "
                         "call model.build(input_shape) (or the model once) on every rank first")
    from ..backend import np
    for name, value in module.state_dict().items():
        array = value if isinstance(value, np.ndarray) else np.asarray(value)
        if not array.flags.c_contiguous:
            raise ValueError(f"broadcast_parameters: {name} is not contiguous")
        comm.Bcast(array, root=root)
