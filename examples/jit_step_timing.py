"""Per-step time of a training step, eager vs captured (``nt.jit``), and where the time goes.

The MLP 784-256-128-10 (ReLU, SGD lr 0.01, batch 64) of ``benchmarks/``, two copies with the same
weights, one stepped eagerly and one through ``nt.jit``, timed in interleaved blocks in one process
(so load on a shared machine hits both alike); the median per-step time of each.  Then cProfile
of each: the share of the step spent in Python frames outside ``functional/`` and ``kernels/``
and the optimizers' ``_update`` (which do array arithmetic): the per-op dispatch a capture removes
(Tensor, autograd engine, Module calls, checks, the replay loop itself).

    python examples/jit_step_timing.py --threads 1 --repeats 40
    python examples/jit_step_timing.py --model lenet --repeats 15 --steps 5   # LeNet-5, Adam
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import time


def _is_dispatch(file: str, func: str) -> bool:
    """A neuronet Python frame that does bookkeeping rather than array arithmetic."""
    sep = os.sep
    if file == "~" or f"{sep}neuronet{sep}" not in file:
        return False
    if f"{sep}functional{sep}" in file or f"{sep}kernels{sep}" in file:
        return False
    return not (f"{sep}optim{sep}" in file and func == "_update")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", choices=("mlp", "lenet"), default="mlp",
                    help="mlp: 784-256-128-10, SGD; lenet: LeNet-5 on 1x28x28, Adam")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=40, help="interleaved blocks of each kind")
    ap.add_argument("--steps", type=int, default=25, help="steps per block")
    ap.add_argument("--profile-steps", type=int, default=200, help="steps under cProfile, each kind")
    args = ap.parse_args(argv)
    os.environ.setdefault("NUMBA_NUM_THREADS", str(args.threads))
    import numpy as np
    from threadpoolctl import threadpool_limits

    import neuronet as nt
    from neuronet import functional as F

    rng = np.random.default_rng(0)
    shape = (784,) if args.model == "mlp" else (1, 28, 28)
    x = nt.tensor(rng.standard_normal((args.batch, *shape)).astype(np.float32))
    y = nt.tensor(rng.integers(0, 10, args.batch))
    L = nt.nn

    def make(seed):
        nt.manual_seed(seed)
        if args.model == "mlp":
            model = nt.Sequential([L.Dense(256, activation="relu", in_features=784),
                                   L.Dense(128, activation="relu"), L.Dense(10)])
            opt = nt.optim.SGD(model.parameters(), lr=0.01)
        else:
            model = nt.Sequential([L.Conv2D(6, 5, padding=2, activation="relu"), L.MaxPool2D(2),
                                   L.Conv2D(16, 5, activation="relu"), L.MaxPool2D(2), L.Flatten(),
                                   L.Dense(120, activation="relu"), L.Dense(84, activation="relu"), L.Dense(10)])
            model(x)  # build the lazy layers
            opt = nt.optim.Adam(model.parameters(), lr=1e-3)

        def step(xb, yb):
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            return loss
        return step

    eager, captured = make(0), nt.jit(make(0))
    with threadpool_limits(args.threads, user_api="blas"):
        for _ in range(5):  # warm up (and capture)
            eager(x, y), captured(x, y)
        times = {"eager": [], "jit": []}
        cpu = {"eager": [], "jit": []}  # this process's CPU time: less sensitive to other processes
        for _ in range(args.repeats):
            for name, fn in (("eager", eager), ("jit", captured)):
                t0, c0 = time.perf_counter(), time.process_time()
                for _ in range(args.steps):
                    fn(x, y)
                times[name].append((time.perf_counter() - t0) / args.steps)
                cpu[name].append((time.process_time() - c0) / args.steps)
        med = {k: statistics.median(v) * 1e3 for k, v in times.items()}
        med_cpu = {k: statistics.median(v) * 1e3 for k, v in cpu.items()}
        shares = {}
        for name, fn in (("eager", eager), ("jit", captured)):
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(args.profile_steps):
                fn(x, y)
            prof.disable()
            stats = pstats.Stats(prof).stats
            total = sum(v[2] for v in stats.values())
            dispatch = sum(v[2] for (file, _, func), v in stats.items() if _is_dispatch(file, func))
            shares[name] = dispatch / total
    what = "MLP 784-256-128-10, SGD" if args.model == "mlp" else "LeNet-5, Adam"
    print(f"{what}, batch {args.batch}, {args.threads} thread(s); load {os.getloadavg()[0]:.1f}")
    for name in ("eager", "jit"):
        print(f"  {name:6s} {med[name]:.3f} ms/step wall, {med_cpu[name]:.3f} ms CPU; Python dispatch "
              f"{100 * shares[name]:.0f} % of the profiled step")
    print(f"  eager / jit = {med['eager'] / med['jit']:.2f} wall, {med_cpu['eager'] / med_cpu['jit']:.2f} CPU "
          f" (medians of {args.repeats} interleaved blocks "
          f"of {args.steps} steps; calls {captured.calls})")
    return med, med_cpu, shares


if __name__ == "__main__":
    main()
