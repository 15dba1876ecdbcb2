"""Run workloads in neuronet and PyTorch in one process, interleaved, and collect the results.

For each workload both models are built once with the same initial weights (neuronet's, copied
into torch), then for each thread count: warm-up steps, a calibration of how many steps make a
repetition last about ``target_seconds`` (per framework), and ``repetitions`` timed
repetitions that alternate between the frameworks (nt, torch, torch, nt, ...) so that drift in
the machine's load affects both alike.  Before each repetition the harness collects garbage and
pauses ``settle_seconds``: OpenBLAS and OpenMP worker threads spin for a while after their last
job, and would otherwise steal a core from the framework timed next.  Throughput is samples/s = batch × steps / seconds.
Peak memory is a separate pass (fresh processes, see ``memory.py``), as is the GEMM ceiling.
"""
from __future__ import annotations

import gc
import os
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from . import blas_info
from .gemm_peak import gemm_peak
from .memory import measure as measure_memory
from .sessions import neuronet_session, torch_session
from .threads import thread_limit
from .workloads import MissingFeature, Workload

SCHEMA = "neuronet-benchmarks/1"


@dataclass
class Settings:
    """How long and how often to measure; ``Settings.quick()`` is the ``--quick`` preset."""

    threads: list = field(default_factory=lambda: [1, 2])
    repetitions: int = 7
    warmup_steps: int = 3
    target_seconds: float = 0.5
    settle_seconds: float = 0.2
    memory: bool = True
    memory_steps: int = 3
    gemm_size: int = 2048
    seed: int = 0

    @classmethod
    def quick(cls, **overrides) -> "Settings":
        return cls(**{"repetitions": 3, "warmup_steps": 1, "target_seconds": 0.15, "gemm_size": 1024, **overrides})


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _timed(step, count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        step()
    return time.perf_counter() - start


def _calibrate(step, warmup_steps: int, target_seconds: float) -> int:
    """Run the warm-up steps; return the steps per repetition that last about ``target_seconds``."""
    last = _timed(step, 1)
    for _ in range(warmup_steps - 1):
        last = _timed(step, 1)
    return max(1, round(target_seconds / max(last, 1e-9)))


def _summary(batch: int, steps: int, seconds: list) -> dict:
    rates = [batch * steps / s for s in seconds]
    return {"samples_per_s": {"median": statistics.median(rates), "min": min(rates), "max": max(rates)},
            "repetitions": rates, "steps_per_repetition": steps}


def time_interleaved(steps: dict, batch: int, settings: Settings) -> dict:
    """Time each framework's ``step`` (dict name → step), alternating frameworks every repetition."""
    counts = {name: _calibrate(step, settings.warmup_steps, settings.target_seconds) for name, step in steps.items()}
    seconds = {name: [] for name in steps}
    names, settle_seconds = list(steps), settings.settle_seconds
    for rep in range(settings.repetitions):
        for name in (names if rep % 2 == 0 else names[::-1]):
            gc.collect()
            time.sleep(settle_seconds)  # lets the other framework's spinning worker threads go idle
            seconds[name].append(_timed(steps[name], counts[name]))
    return {name: _summary(batch, counts[name], seconds[name]) for name in names}


def _relative_difference(ours: np.ndarray, theirs: np.ndarray) -> float:
    return float(np.max(np.abs(ours - theirs)) / max(float(np.max(np.abs(theirs))), 1e-12))


def _prepare(workload: Workload, seed: int) -> tuple[dict, dict]:
    """Both sessions' steps (neuronet's absent when missing or failing) and facts about them."""
    x, y = workload.make_inputs(np.random.default_rng(seed))
    facts = {"status": "ok", "reason": None, "weights_copied": False, "weights_note": None,
             "initial_output_rel_diff": None}
    ours = None
    try:
        ours = neuronet_session(workload, x, y, seed)
    except MissingFeature as missing:
        facts.update(status="missing", reason=str(missing))
    except Exception as error:  # a library bug must not stop the suite; it is reported instead
        facts.update(status="error", reason=f"{type(error).__name__}: {error}")
    theirs, note = torch_session(workload, x, y, seed, weights_from=ours.model if ours else None)
    facts["weights_note"] = note
    facts["weights_copied"] = note is None
    if ours is not None and note is None:
        facts["initial_output_rel_diff"] = _relative_difference(ours.first_output, theirs.first_output)
    steps = {"torch": theirs.step} if ours is None else {"neuronet": ours.step, "torch": theirs.step}
    return steps, facts


def _gflops(workload: Workload, measured: dict, peak: dict | None) -> dict | None:
    if workload.flops_per_sample is None:
        return None
    rates = {name: workload.flops_per_sample * m["samples_per_s"]["median"] / 1e9 for name, m in measured.items()}
    out = {"flops_per_sample": workload.flops_per_sample, "neuronet": rates.get("neuronet"), "torch": rates.get("torch")}
    if peak and out["neuronet"] is not None:
        out["neuronet_percent_of_numpy_gemm_peak"] = 100 * out["neuronet"] / peak["numpy_gflops"]
    return out


def run_workload(workload: Workload, settings: Settings, peaks: dict) -> list[dict]:
    """One result record per thread count for ``workload``."""
    steps, facts = _prepare(workload, settings.seed)
    records = []
    for threads in settings.threads:
        with thread_limit(threads):
            try:
                measured = time_interleaved(steps, workload.batch, settings)
            except Exception as error:  # neuronet built but failed while stepping
                facts.update(status="error", reason=f"{type(error).__name__}: {error}")
                steps = {"torch": steps["torch"]}
                measured = time_interleaved(steps, workload.batch, settings)
        ours, theirs = measured.get("neuronet"), measured["torch"]
        ratio = ours["samples_per_s"]["median"] / theirs["samples_per_s"]["median"] if ours else None
        records.append({
            "workload": workload.name, "family": workload.family, "description": workload.description,
            "mode": "train" if workload.train else "inference", "batch": workload.batch, "threads": threads,
            **facts, "neuronet": ours, "torch": theirs, "ratio": ratio,
            "gflops": _gflops(workload, measured, peaks.get(threads)),
        })
        shown = f"{ratio:.2f}" if ratio is not None else facts["status"]
        _log(f"  {workload.name:<15} {threads} thread(s): neuronet/torch = {shown}")
    return records


def run_memory(workload: Workload, steps: int) -> dict:
    """Peak-memory record for ``workload``, both frameworks measured in fresh processes."""
    return {"workload": workload.name,
            "neuronet": measure_memory(workload.name, "neuronet", steps),
            "torch": measure_memory(workload.name, "torch", steps)}


def run_suite(workloads: list, settings: Settings, command: list | None = None, removed_env: dict | None = None) -> dict:
    """Measure everything and return the JSON-ready report (see README.md for its fields)."""
    import torch

    import neuronet
    from neuronet import _malloc_tuning
    from neuronet.kernels import compiled

    report = {
        "schema": SCHEMA, "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "command": command,
        "settings": asdict(settings), "machine": blas_info.machine(),
        "environment": {"removed": removed_env or {},
                        "kept": {k: os.environ[k] for k in blas_info.OPENBLAS_TUNING_VARIABLES if k in os.environ},
                        "OPENBLAS_THREAD_TIMEOUT": os.environ.get("OPENBLAS_THREAD_TIMEOUT"),
                        "malloc": _malloc_tuning.describe(), "kernels": compiled.describe()},
        "versions": {"neuronet": neuronet.__version__, "numpy": np.__version__, "torch": torch.__version__},
        "blas": {"numpy": blas_info.numpy_blas(), "torch": blas_info.torch_blas()},
        "load_average": {"start": os.getloadavg()}, "gemm_peak": [], "results": [], "memory": [],
    }
    peaks = {}
    for threads in settings.threads:
        with thread_limit(threads):
            peaks[threads] = {"threads": threads, **gemm_peak(settings.gemm_size)}
        report["gemm_peak"].append(peaks[threads])
        _log(f"GEMM {settings.gemm_size}² float32, {threads} thread(s): NumPy {peaks[threads]['numpy_gflops']:.1f} "
             f"GFLOP/s, torch {peaks[threads]['torch_gflops']:.1f} GFLOP/s")
    for workload in workloads:
        report["results"] += run_workload(workload, settings, peaks)
    if settings.memory:
        for workload in workloads:
            _log(f"  memory: {workload.name}")
            report["memory"].append(run_memory(workload, settings.memory_steps))
    report["load_average"]["end"] = os.getloadavg()
    report["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    return report
