"""Where Winograd's F(2×2, 3×3) beats the direct convolution: one conv + ReLU forward and backward
(batch 64, 3×3, padding 1, C = O channels) timed both ways in one process, best of ``--repetitions``,
for each output size and channel count.  ``functional/conv_winograd.py``'s ``MIN_CHANNELS`` (the
'auto' thresholds) comes from this table at 1 thread.

    python -m benchmarks.winograd_crossover --threads 1 --sizes 32,16,8,4,2 --channels 8,16,32,64,128,256
"""
from __future__ import annotations

import argparse
import time

import neuronet as nt  # before NumPy: it sets OpenBLAS's thread timeout
import numpy as np

from neuronet.functional.conv_winograd import set_winograd


def conv_step_ms(mode: str, n: int, channels: int, size: int, repetitions: int, rng) -> float:
    """Best milliseconds of one conv2d + ReLU forward and backward under Winograd mode ``mode``."""
    previous = set_winograd(mode)
    try:
        x = nt.tensor(rng.standard_normal((n, channels, size, size)).astype(np.float32), requires_grad=True)
        w = nt.tensor((rng.standard_normal((channels, channels, 3, 3)) * 0.1).astype(np.float32), requires_grad=True)
        b = nt.tensor(np.zeros(channels, np.float32), requires_grad=True)
        best = float("inf")
        for _ in range(repetitions + 1):  # the first call compiles and warms up
            x.grad = w.grad = b.grad = None
            start = time.perf_counter()
            nt.F.conv2d(x, w, b, padding=1, activation="relu").sum().backward()
            best = min(best, time.perf_counter() - start)
        return best * 1e3
    finally:
        set_winograd(previous)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--sizes", default="32,16,8,4,2", help="output sizes (square), comma-separated")
    parser.add_argument("--channels", default="8,16,32,64,128,256", help="C = O, comma-separated")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits
    from neuronet.kernels.compiled import numba_kernels_enabled
    if not numba_kernels_enabled():
        parser.error("the compiled kernels are off (numba missing or NEURONET_NUMBA=0): 'auto' never takes Winograd")
    rng = np.random.default_rng(0)
    print(f"conv 3×3 + ReLU forward + backward, batch {args.batch}, {args.threads} thread(s), best of "
          f"{args.repetitions}\n\n| output | C = O | direct ms | Winograd ms | Winograd ÷ direct |\n|---|---:|---:|---:|---:|")
    with threadpool_limits(args.threads):
        for size in (int(s) for s in args.sizes.split(",")):
            for channels in (int(c) for c in args.channels.split(",")):
                direct = conv_step_ms("never", args.batch, channels, size, args.repetitions, rng)
                winograd = conv_step_ms("always", args.batch, channels, size, args.repetitions, rng)
                print(f"| {size}×{size} | {channels} | {direct:.2f} | {winograd:.2f} | {winograd / direct:.2f} |",
                      flush=True)


if __name__ == "__main__":
    main()
