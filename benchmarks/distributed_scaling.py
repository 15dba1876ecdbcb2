"""Data-parallel scaling: samples/s of one training step at 1 and 2 MPI ranks on this machine,
and a model of what 8–64 ranks would spend communicating on a cluster network.

    python -m benchmarks.distributed_scaling [--ranks 1,2] [--steps 30]

Each rank runs one BLAS thread; the global batch is fixed (strong scaling: 256 rows split over
the ranks) and so is the per-rank batch in the model (weak scaling: 128 rows per rank).  The
model of the network is a ring Allreduce, 2·(R−1)/R · bytes / bandwidth + 2·(R−1) · latency per
step, against the measured compute time of one rank's step; it ignores the overlap with backward
that the implementation does, so it is the pessimistic case.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

MODELS = ("mlp", "lenet")


def _worker(kind: str, batch: int, steps: int) -> None:
    import numpy as np
    import neuronet as nt
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "examples"))
    from distributed_mnist import make_model
    dist = nt.distributed
    dist.init()
    nt.manual_seed(0)
    rng = np.random.default_rng(0)
    shape = (784,) if kind == "mlp" else (1, 28, 28)
    x = rng.random((batch * (steps + 5), *shape), dtype=np.float32)
    y = rng.integers(0, 10, len(x))
    model = make_model(kind)
    model.compile(optimizer="adam", loss="cross_entropy")
    loader = dist.DistributedLoader(x, y, batch_size=batch, shuffle=False)
    model.predict(x[:2])
    dist.broadcast_parameters(model)
    averager = dist.average_gradients(model)
    batches = iter(loader)
    for _ in range(5):  # warm-up
        model.train_on_batch(*next(batches))
    dist.barrier()
    start = time.perf_counter()
    for _ in range(steps):
        model.train_on_batch(*next(batches))
    dist.barrier()
    seconds = time.perf_counter() - start
    if dist.is_main():
        params = sum(p.data.size for p in model.parameters())
        print(json.dumps({"model": kind, "ranks": dist.size(), "batch": batch, "step_s": seconds / steps,
                          "samples_per_s": batch * steps / seconds, "gradient_bytes": 4 * params}))
    averager.remove()


def _ring_allreduce_s(nbytes: int, ranks: int, gbit_s: float, latency_s: float = 5e-6) -> float:
    return 2 * (ranks - 1) / ranks * nbytes / (gbit_s * 1e9 / 8) + 2 * (ranks - 1) * latency_s


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ranks", default="1,2")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--batch", type=int, default=256, help="global batch")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _worker(args.worker, args.batch, args.steps)
    mpiexec = shutil.which("mpiexec", path=os.path.dirname(sys.executable)) or shutil.which("mpiexec")
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load:.2f} at the start; 1 BLAS thread per rank")
    results = []
    for kind in MODELS:
        for ranks in [int(r) for r in args.ranks.split(",")]:
            cmd = [sys.executable, "-m", "benchmarks.distributed_scaling", "--worker", kind,
                   "--batch", str(args.batch), "--steps", str(args.steps)]
            if ranks > 1:
                cmd = [mpiexec, "-n", str(ranks)] + cmd
            out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout
            results.append(json.loads(out.strip().splitlines()[-1]))
    print(f"\nstrong scaling, global batch {args.batch}:")
    for kind in MODELS:
        rows = [r for r in results if r["model"] == kind]
        base = rows[0]["samples_per_s"]
        for r in rows:
            print(f"  {kind:6s} {r['ranks']} rank(s): {r['samples_per_s']:8,.0f} samples/s "
                  f"({r['samples_per_s'] / base:.2f}x), step {r['step_s'] * 1e3:.1f} ms")
    print("\nmodel of a cluster (weak scaling, 128 rows per rank; compute = the 1-rank step at 128 rows,"
          " ring Allreduce, 5 µs latency):")
    for kind in MODELS:
        one = next(r for r in results if r["model"] == kind and r["ranks"] == 1)
        compute = one["step_s"] * 128 / one["batch"]
        nbytes = one["gradient_bytes"]
        for gbit in (10, 25, 100):
            effs = []
            for ranks in (8, 16, 32, 64):
                comm = _ring_allreduce_s(nbytes, ranks, gbit)
                effs.append(f"{ranks}: {compute / (compute + comm):.0%}")
            print(f"  {kind:6s} {nbytes / 1e6:.2f} MB of gradients, {gbit:3d} Gb/s -> efficiency " + ", ".join(effs))


if __name__ == "__main__":
    main()
