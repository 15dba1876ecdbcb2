"""Run workloads in neuronet, PyTorch and JAX, interleaved, and collect the results.

For each workload the neuronet and torch models are built once, in this process, with the same
initial weights (neuronet's, copied into torch); JAX runs in a worker process per thread count
(``jax_session.py``: XLA fixes its threads when it starts), from the same weights, and is timed
through a pipe in the same interleaved order.  Then for each thread count: warm-up steps, a
calibration of how many steps make a repetition last about ``target_seconds`` (per framework),
and ``repetitions`` timed repetitions that alternate between the frameworks
(nt, torch, jax, jax, torch, nt, ...) so that drift in
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
from .jax_session import JaxSession, available
from .memory import measure as measure_memory
from .sessions import NEURONET_VARIANTS, torch_reference, torch_session, torch_state
from .threads import thread_limit
from .workloads import MissingFeature, Workload

SCHEMA = "neuronet-benchmarks/2"


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
    jax: bool = True  # time JAX too where jax/optax are installed and the workload has a JAX version
    variants: list = field(default_factory=lambda: ["neuronet"])  # names in sessions.NEURONET_VARIANTS

    @classmethod
    def quick(cls, **overrides) -> "Settings":
        return cls(**{"repetitions": 3, "warmup_steps": 1, "target_seconds": 0.15, "gemm_size": 1024, **overrides})


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _timed(step, count: int) -> float:
    if hasattr(step, "timed"):  # a step in another process (JAX): it times itself
        return step.timed(count)
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


@dataclass
class Prepared:
    """A workload's sessions in this process, plus what the JAX workers need and check against."""

    steps: dict                      # framework name → step (neuronet variants, then torch)
    facts: dict
    x: np.ndarray
    y: np.ndarray
    torch_initial: tuple | None = None   # (params, buffers) for the JAX workers
    torch_first: np.ndarray | None = None
    torch_reference: dict | None = None  # torch's one step from the initial weights (parity)


def _prepare(workload: Workload, settings: "Settings") -> Prepared:
    """The sessions (a neuronet variant absent when missing or failing) and facts about them."""
    x, y = workload.make_inputs(np.random.default_rng(settings.seed))
    facts = {"status": "ok", "reason": None, "weights_copied": False, "weights_note": None,
             "initial_output_rel_diff": None, "variants": {}, "jax_check": None}
    built = {}
    for variant in settings.variants:
        try:
            built[variant] = NEURONET_VARIANTS[variant](workload, x, y, settings.seed)
        except MissingFeature as missing:
            facts["variants"][variant] = {"status": "missing", "reason": str(missing)}
        except Exception as error:  # a library bug must not stop the suite; it is reported instead
            facts["variants"][variant] = {"status": "error", "reason": f"{type(error).__name__}: {error}"}
    primary = settings.variants[0]
    if primary in facts["variants"]:
        facts.update(status=facts["variants"][primary]["status"], reason=facts["variants"][primary]["reason"])
    ours = built.get(primary)
    theirs, note = torch_session(workload, x, y, settings.seed, weights_from=ours.model if ours else None)
    facts["weights_note"] = note
    facts["weights_copied"] = note is None
    if ours is not None and note is None:
        facts["initial_output_rel_diff"] = _relative_difference(ours.first_output, theirs.first_output)
    prepared = Prepared({**{name: s.step for name, s in built.items()}, "torch": theirs.step}, facts, x, y)
    why_not = _jax_unavailable(workload, settings)
    if why_not:
        facts["jax_check"] = {"status": "skipped", "reason": why_not}
    else:
        prepared.torch_initial = torch_state(theirs.model)
        prepared.torch_first = theirs.first_output
        prepared.torch_reference = torch_reference(workload, theirs.model, x, y)
    return prepared


def _jax_unavailable(workload: Workload, settings: "Settings") -> str | None:
    if not settings.jax:
        return "not requested"
    if workload.build_jax is None:
        return "no JAX version of this workload"
    return available()


def jax_parity(facts: dict, torch_first: np.ndarray, reference: dict) -> dict:
    """How far JAX's first output, loss, updated weights and output after one step are from torch's
    (relative to torch's largest value; the loss relative to itself)."""
    parity = {"first_output_rel_diff": _relative_difference(facts["first_output"], torch_first),
              "after_output_rel_diff": _relative_difference(facts["after_output"], reference["after_output"]),
              "loss_rel_diff": None, "weights_rel_diff": None}
    if reference["loss"] is not None:
        parity["loss_rel_diff"] = abs(facts["loss"] - reference["loss"]) / max(abs(reference["loss"]), 1e-12)
        # over all tensors: Adam moves a weight whose gradient is ~0 (a bias before batch norm) by up to
        # ±lr on the sign of rounding noise, so a per-tensor figure would flag those tiny tensors
        largest = max(float(np.max(np.abs(theirs))) for theirs in reference["params_after"])
        parity["weights_rel_diff"] = max(float(np.max(np.abs(ours - theirs)))
                                         for ours, theirs in zip(facts["params_after"], reference["params_after"])) / largest
    return parity


def _start_jax(workload: Workload, prepared: Prepared, threads: int):
    """A JAX worker for ``threads`` (None when JAX is skipped or fails; the reason goes in the facts)."""
    if prepared.torch_initial is None:
        return None
    params, buffers = prepared.torch_initial
    try:
        session = JaxSession(workload, prepared.x, prepared.y, params, buffers, threads)
    except Exception as error:
        prepared.facts["jax_check"] = {"status": "error", "reason": f"{type(error).__name__}: {error}"[-2000:]}
        return None
    if prepared.facts["jax_check"] is None:  # the first thread count's worker: record the parity check
        f = session.facts
        prepared.facts["jax_check"] = {"status": "ok", "reason": None, "version": f["version"],
                                 "compile_seconds": f["compile_seconds"], "xla_flags": f["xla_flags"],
                                 "parity": jax_parity(f, prepared.torch_first, prepared.torch_reference)}
    return session


def _gflops(workload: Workload, measured: dict, peak: dict | None) -> dict | None:
    """Achieved GFLOP/s per framework and, against the NumPy float32 GEMM peak at this thread count,
    the percentage (``<name>_percent_of_numpy_gemm_peak``)."""
    if workload.flops_per_sample is None:
        return None
    rates = {name: workload.flops_per_sample * m["samples_per_s"]["median"] / 1e9 for name, m in measured.items()}
    out = {"flops_per_sample": workload.flops_per_sample, "flops_per_step": workload.flops_per_sample * workload.batch,
           "neuronet": rates.get("neuronet"), "torch": rates.get("torch"), "jax": rates.get("jax"), "rates": rates}
    if peak:
        for name, rate in rates.items():
            out[f"{name}_percent_of_numpy_gemm_peak"] = 100 * rate / peak["numpy_gflops"]
    return out


def _ratios(measured: dict, variants: list) -> dict:
    """Each neuronet variant's samples/s ÷ each rival's ('neuronet/torch', 'neuronet/jax', ...)."""
    out = {}
    for variant in variants:
        for rival in ("torch", "jax"):
            if variant in measured and rival in measured:
                out[f"{variant}/{rival}"] = (measured[variant]["samples_per_s"]["median"]
                                             / measured[rival]["samples_per_s"]["median"])
    return out


def run_workload(workload: Workload, settings: Settings, peaks: dict) -> list[dict]:
    """One result record per thread count for ``workload``."""
    prepared = _prepare(workload, settings)
    steps, facts = prepared.steps, prepared.facts
    records = []
    for threads in settings.threads:
        jax_session = _start_jax(workload, prepared, threads)
        timed = {**steps, "jax": jax_session} if jax_session else steps
        with thread_limit(threads):
            try:
                measured = time_interleaved(timed, workload.batch, settings)
            except Exception as error:  # neuronet built but failed while stepping
                facts.update(status="error", reason=f"{type(error).__name__}: {error}")
                steps = {"torch": steps["torch"]}
                timed = {**steps, "jax": jax_session} if jax_session else steps
                measured = time_interleaved(timed, workload.batch, settings)
        if jax_session:
            jax_session.close()
        ours, theirs = measured.get("neuronet"), measured["torch"]
        ratios = _ratios(measured, settings.variants)
        records.append({
            "workload": workload.name, "family": workload.family, "description": workload.description,
            "mode": "train" if workload.train else "inference", "batch": workload.batch, "threads": threads,
            **facts, "neuronet": ours, "torch": theirs, "jax": measured.get("jax"),
            "jax_worker": ({k: jax_session.facts[k] for k in ("xla_flags", "cpus", "compile_seconds")}
                           if jax_session else None),
            "frameworks": {name: m for name, m in measured.items() if name not in ("neuronet", "torch", "jax")},
            "ratio": ratios.get("neuronet/torch"), "ratios": ratios,
            "gflops": _gflops(workload, measured, peaks.get(threads)),
        })
        shown = "  ".join(f"{name} = {value:.2f}" for name, value in ratios.items()) or facts["status"]
        _log(f"  {workload.name:<15} {threads} thread(s): {shown}")
    return records


def run_memory(workload: Workload, steps: int) -> dict:
    """Peak-memory record for ``workload``, both frameworks measured in fresh processes."""
    return {"workload": workload.name,
            "neuronet": measure_memory(workload.name, "neuronet", steps),
            "torch": measure_memory(workload.name, "torch", steps)}


def _jax_version() -> str | None:
    if available():
        return None
    from importlib.metadata import version
    return f"jax {version('jax')}, jaxlib {version('jaxlib')}, optax {version('optax')}"


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
        "versions": {"neuronet": neuronet.__version__, "numpy": np.__version__, "torch": torch.__version__,
                     "jax": _jax_version()},
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
