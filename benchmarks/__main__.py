"""``python -m benchmarks``: neuronet against PyTorch CPU (same process) and JAX-jit (a worker process), interleaved.

OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (set on some machines) slow current NumPy; OpenBLAS reads
them when NumPy is loaded, so this command removes them by re-executing itself with a cleaned
environment before anything imports NumPy, unless ``--keep-env`` is given.
"""
from __future__ import annotations

import json
import os
import sys

from .blas_info import OPENBLAS_TUNING_VARIABLES

_REMOVED = "NEURONET_BENCH_REMOVED_ENV"  # carries what was removed into the re-executed process


def _reexec_without_openblas_tuning(argv: list) -> None:
    """Replace this process by one without the OpenBLAS tuning variables (if any are set)."""
    found = {name: os.environ[name] for name in OPENBLAS_TUNING_VARIABLES if name in os.environ}
    if not found or "--keep-env" in argv:
        return
    if "numpy" in sys.modules:
        print("warning: NumPy was imported before the environment could be cleaned", file=sys.stderr)
        return
    env = {k: v for k, v in os.environ.items() if k not in found}
    env[_REMOVED] = json.dumps(found)
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, "-m", "benchmarks", *argv], env)


def parse_args(argv: list):
    import argparse

    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description="Time neuronet against PyTorch CPU on the same workloads.")
    parser.add_argument("--quick", action="store_true", help="3 short repetitions, 1 warm-up step, 1024² GEMM")
    parser.add_argument("--threads", default="1,2", help="comma list of thread counts (default 1,2)")
    parser.add_argument("--workloads", default=None,
                        help="comma list of names, families or prefixes (default: all); see --list")
    parser.add_argument("--json", default=None, metavar="PATH", help="also write the full report as JSON")
    parser.add_argument("--repetitions", type=int, default=None, help="timed repetitions per framework")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory pass")
    parser.add_argument("--keep-env", action="store_true",
                        help=f"keep {' and '.join(OPENBLAS_TUNING_VARIABLES)} if set (default: removed)")
    parser.add_argument("--variants", default="neuronet",
                        help="comma list of neuronet variants to time, each its own column (sessions.NEURONET_VARIANTS); "
                             "the first is the one the ratios and memory use")
    parser.add_argument("--no-jax", action="store_true", help="do not time JAX even where it is installed")
    parser.add_argument("--scaling", default=None, metavar="PNG",
                        help="also sweep batch size and width (benchmarks/scaling.py, first thread count) and plot to PNG")
    parser.add_argument("--list", action="store_true", help="list the workloads and exit")
    args = parser.parse_args(argv)
    try:
        args.threads = [int(t) for t in args.threads.split(",") if t.strip()]
    except ValueError:
        parser.error(f"--threads: expected a comma list of integers such as 1,2, got {args.threads!r}")
    if not args.threads or min(args.threads) < 1:
        parser.error(f"--threads: thread counts must be at least 1, got {args.threads}")
    return args


def main(argv: list | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    _reexec_without_openblas_tuning(argv)
    args = parse_args(argv)

    import neuronet  # noqa: F401  before NumPy, as a user's `import neuronet` is: it sets OpenBLAS's defaults
    from . import workloads
    from .harness import Settings, run_suite
    from .report import render, write_json

    if args.list:
        for w in workloads.ALL:
            print(f"{w.name:<16} {w.family:<12} {w.description}")
        return 0
    try:
        chosen = workloads.select(args.workloads)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    from .sessions import NEURONET_VARIANTS

    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [v for v in variants if v not in NEURONET_VARIANTS]
    if unknown or not variants:
        print(f"--variants: unknown {unknown or variants}; known: {', '.join(NEURONET_VARIANTS)}", file=sys.stderr)
        return 2
    overrides = {"threads": args.threads, "memory": not args.no_memory, "jax": not args.no_jax, "variants": variants}
    if args.repetitions:
        overrides["repetitions"] = args.repetitions
    settings = Settings.quick(**overrides) if args.quick else Settings(**overrides)
    removed = json.loads(os.environ.get(_REMOVED, "{}"))
    report = run_suite(chosen, settings, command=["python", "-m", "benchmarks", *argv], removed_env=removed)
    print(render(report))
    if args.scaling:
        from . import scaling

        report["scaling"] = scaling.run(list(scaling.SWEEPS), args.threads[0], settings,
                                        log=lambda m: print(m, file=sys.stderr, flush=True))
        print(scaling.render(report["scaling"]))
        os.makedirs(os.path.dirname(args.scaling) or ".", exist_ok=True)
        print(f"scaling plot written to {scaling.plot(report['scaling'], args.scaling)}", file=sys.stderr)
    if args.json:
        write_json(report, args.json)
        print(f"JSON report written to {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
