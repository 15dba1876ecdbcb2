"""The machine's float32 GEMM rate: best time of a large square matmul, in NumPy and in torch.

It is the ceiling against which the MLP's achieved GFLOP/s is read (an MLP step is mostly
GEMMs), measured in the same run and at the same thread count as the workloads.
"""
from __future__ import annotations

import time

import numpy as np


def _best_seconds(fn, repeats: int) -> float:
    fn()  # warm-up: first call pages in the kernel and starts the thread pool
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def gemm_peak(size: int = 2048, repeats: int = 5) -> dict:
    """GFLOP/s (2·n³ per product) of np.matmul and torch.mm on float32 n×n, under current thread limits."""
    import torch

    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    out = np.empty_like(a)
    ta, tb, tout = torch.from_numpy(a), torch.from_numpy(b), torch.empty(size, size)
    flops = 2.0 * size ** 3
    numpy_s = _best_seconds(lambda: np.matmul(a, b, out=out), repeats)
    torch_s = _best_seconds(lambda: torch.mm(ta, tb, out=tout), repeats)
    return {"size": size, "numpy_gflops": flops / numpy_s / 1e9, "torch_gflops": flops / torch_s / 1e9}
