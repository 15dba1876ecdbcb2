"""Limit both frameworks to the same number of threads for a block of measurements.

NumPy's BLAS is limited with ``threadpoolctl.threadpool_limits(user_api="blas")``; PyTorch's
intra-op pool (OpenMP, which also drives its statically linked MKL and oneDNN) with
``torch.set_num_threads``.  neuronet's own code is single-threaded Python + NumPy.
"""
from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def thread_limit(count: int):
    """Within the block, NumPy's BLAS and torch both use at most ``count`` threads."""
    import torch
    from threadpoolctl import threadpool_limits

    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        with threadpool_limits(limits=count, user_api="blas"):
            yield
    finally:
        torch.set_num_threads(previous)
