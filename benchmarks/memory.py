"""Peak memory of one workload in one framework, measured in a fresh process.

One instrument for both frameworks: the growth of the process's peak resident set (Linux
``VmHWM``) while the model is built and ``steps`` steps run, above the resident set just before.
To measure the workload and not the libraries, each fresh process first runs the same workload
once (build + steps) and frees it, so framework imports, code pages touched for the first time,
thread pools and kernel caches are already resident at the baseline; then the kernel's peak
counter is reset to the current RSS (``/proc/self/clear_refs`` ← 5) and the measured pass runs.
glibc's malloc is told (``MALLOC_MMAP_THRESHOLD_``/``MALLOC_TRIM_THRESHOLD_`` = 128 KiB, the same
for both frameworks) to map every large buffer separately and return it on free, so memory
freed by the warm-up pass cannot be silently reused.  Smaller blocks come from the heap, where
the warm-up's freed blocks would stay resident between live ones and be reused unseen (PyTorch's
GRU saves ~300 per-step tensors of 16–48 KiB: 6.9 MiB that the growth did not show), so before
the baseline glibc's ``malloc_trim(0)`` gives every free heap page back to the kernel.  The
figure is then the peak of live weights, gradients, optimizer state, activations and scratch
buffers (plus small-allocation slack).  Where clear_refs is not writable, ``ru_maxrss`` is used,
and where malloc_trim is missing (not glibc) the heap is left as it is; the result says so.

For neuronet a second figure is added: the peak of ``tracemalloc``'s traced memory over a fresh
build and the same steps (NumPy reports its array buffers to tracemalloc), i.e. bytes handed out
by the Python and NumPy allocators.  Torch's CPU allocator reports nothing comparable, so that
figure has no torch twin.

Run as ``python -m benchmarks.memory WORKLOAD FRAMEWORK [--steps N]``; prints one JSON line.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

MIB = 1024 * 1024
MALLOC_SETTINGS = {"MALLOC_MMAP_THRESHOLD_": "131072", "MALLOC_TRIM_THRESHOLD_": "131072"}


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise OSError(f"/proc/self/status has no {field}")


def _release_free_heap() -> bool:
    """Give the free pages inside malloc's heaps back to the kernel (glibc's ``malloc_trim(0)``),
    so that blocks freed before the baseline count again when they are reused; False where that
    call does not exist."""
    import ctypes
    import ctypes.util
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim(0)
    return True


def _reset_peak() -> str:
    """Reset the kernel's peak-RSS counter; returns the name of the instrument then in use."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return "VmHWM growth after clear_refs reset"
    except OSError:
        return "ru_maxrss growth (peak not resettable: earlier peaks may hide the workload's)"


def _peak_kib(instrument: str) -> int:
    if instrument.startswith("VmHWM"):
        return _status_kib("VmHWM")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def probe(workload_name: str, framework: str, steps: int, seed: int = 0) -> dict:
    """Measure in this process (call it in a fresh one, see :func:`measure`)."""
    import numpy as np

    from .sessions import neuronet_session, torch_session
    from .threads import thread_limit
    from .workloads import BY_NAME

    workload = BY_NAME[workload_name]
    x, y = workload.make_inputs(np.random.default_rng(seed))

    def run_once():
        if framework == "neuronet":
            session = neuronet_session(workload, x, y, seed)
        else:
            session = torch_session(workload, x, y, seed)[0]
        for _ in range(steps):
            session.step()

    with thread_limit(1):
        run_once()  # warm-up pass: libraries, pools and caches become resident before the baseline
        gc.collect()
        trimmed = _release_free_heap()
        instrument = _reset_peak() + ("" if trimmed else " (free heap pages not released: no malloc_trim)")
        before = _status_kib("VmRSS")
        run_once()
        result = {"peak_rss_growth_mib": (_peak_kib(instrument) - before) / 1024, "instrument": instrument,
                  "steps": steps, "threads": 1}
        if framework == "neuronet":
            import tracemalloc
            gc.collect()
            tracemalloc.start()
            run_once()
            result["traced_peak_mib"] = tracemalloc.get_traced_memory()[1] / MIB
            tracemalloc.stop()
    return result


def measure(workload_name: str, framework: str, steps: int, timeout: float = 600) -> dict:
    """Run :func:`probe` in a fresh interpreter; returns its result, ``{"missing": why}`` or ``{"error": why}``."""
    command = [sys.executable, "-m", "benchmarks.memory", workload_name, framework, "--steps", str(steps)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              cwd=Path(__file__).resolve().parent.parent, env={**os.environ, **MALLOC_SETTINGS})
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {done.returncode}: {tail}"}
    return json.loads(lines[-1])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory", description=__doc__.splitlines()[0])
    parser.add_argument("workload")
    parser.add_argument("framework", choices=("neuronet", "torch"))
    parser.add_argument("--steps", type=int, default=3)
    args = parser.parse_args(argv)
    from .workloads import MissingFeature
    try:
        result = probe(args.workload, args.framework, args.steps)
    except MissingFeature as missing:
        result = {"missing": str(missing)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
