"""transformer-b1 (batch-1 inference of the 2-layer encoder classifier) timed paired against PyTorch
eager, plus where neuronet's time goes (cProfile).

    python -m benchmarks.transformer_paired [--threads 1] [--rounds 15] [--calls 200] [--profile 15]
    python -m benchmarks.transformer_paired --train transformer --compare-kernels --calls 5

Each round times ``--calls`` neuronet calls, then as many torch calls, then torch, then neuronet
(A B B A), so that a load change on a shared machine hits both; the medians of the per-call
times over all rounds are reported with the load average.  ``--compare-kernels`` times neuronet
with its numba kernels against neuronet without them in the same way instead of torch;
``--train transformer`` (or ``transformer-6``) times an Adam training step of that workload
instead of the batch-1 call.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import time

import numpy as np

from .threads import thread_limit
from .workloads import latency
from .workloads.base import copy_weights


def _per_call(fn, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls * 1e6


def paired(a, b, rounds: int, calls: int):
    """Median microseconds per call of ``a`` and ``b``, timed A B B A in each round."""
    times_a, times_b = [], []
    for _ in range(rounds):
        times_a.append(_per_call(a, calls))
        times_b.append(_per_call(b, calls))
        times_b.append(_per_call(b, calls))
        times_a.append(_per_call(a, calls))
    return statistics.median(times_a), statistics.median(times_b)


def build():
    """(neuronet call, torch call, ids) on the same weights, both in eval mode without gradients."""
    import torch

    import neuronet as nt

    workload = next(w for w in latency.WORKLOADS if w.name == "transformer-b1")
    ids, _ = workload.make_inputs(np.random.default_rng(0))
    ours, theirs = workload.build_neuronet(nt), workload.build_torch(torch)
    with nt.no_grad():
        ours(nt.tensor(ids))  # builds the lazy head
    problem = copy_weights(ours, theirs)
    if problem:
        print("weights not copied:", problem)
    ours.eval()
    theirs.eval()
    x_ours, x_theirs = nt.tensor(ids), torch.tensor(ids)

    def call_ours():
        with nt.no_grad():
            return ours(x_ours)

    def call_theirs():
        with torch.inference_mode():
            return theirs(x_theirs)

    gap = np.abs(call_ours().numpy() - call_theirs().numpy()).max()
    print(f"largest output difference neuronet vs torch: {gap:.2e}")
    return call_ours, call_theirs


def build_training(name: str):
    """(neuronet training step, torch training step) of the workload ``name``, same weights and batch."""
    import torch

    import neuronet as nt
    from neuronet import functional as F

    from .workloads import transformer

    workload = next(w for w in transformer.WORKLOADS if w.name == name)
    ids, labels = workload.make_inputs(np.random.default_rng(0))
    ours, theirs = workload.build_neuronet(nt), workload.build_torch(torch)
    ours(nt.tensor(ids))  # builds the lazy head
    copy_weights(ours, theirs)
    x_ours, y_ours, x_theirs, y_theirs = nt.tensor(ids), nt.tensor(labels), torch.tensor(ids), torch.tensor(labels)
    opt_ours = nt.optim.Adam(ours.parameters(), lr=1e-3)
    opt_theirs = torch.optim.Adam(theirs.parameters(), lr=1e-3)

    def step_ours():
        opt_ours.zero_grad()
        F.cross_entropy(ours(x_ours), y_ours).backward()
        opt_ours.step()

    def step_theirs():
        opt_theirs.zero_grad()
        torch.nn.functional.cross_entropy(theirs(x_theirs), y_theirs).backward()
        opt_theirs.step()

    return step_ours, step_theirs


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--profile", type=int, default=15, help="cProfile lines to print (0: no profile)")
    parser.add_argument("--compare-kernels", action="store_true", help="neuronet with vs without numba kernels")
    parser.add_argument("--train", choices=["transformer", "transformer-6"], help="time this training step instead")
    args = parser.parse_args(argv)
    from neuronet.kernels import compiled

    with thread_limit(args.threads):
        ours, theirs = build() if args.train is None else build_training(args.train)
        what = args.train or "transformer-b1"
        for fn in (ours, theirs):
            _per_call(fn, args.calls)  # warm-up (compiles the kernels)
        load = os.getloadavg()[0]
        if args.compare_kernels:
            def without():
                compiled.set_numba_kernels(False)
                try:
                    return ours()
                finally:
                    compiled.set_numba_kernels(True)
            a, b = paired(ours, without, args.rounds, args.calls)
            print(f"{what}, {args.threads} thread(s), load {load:.2f}: neuronet with kernels {a:.0f} µs, "
                  f"without {b:.0f} µs per call ({b / a:.2f}×)")
        else:
            a, b = paired(ours, theirs, args.rounds, args.calls)
            print(f"{what}, {args.threads} thread(s), load {load:.2f}: neuronet {a:.0f} µs, torch {b:.0f} µs "
                  f"per call; neuronet ÷ torch throughput {b / a:.2f}")
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(lambda: [ours() for _ in range(args.calls)])
            pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)


if __name__ == "__main__":
    main()
