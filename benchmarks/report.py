"""The report as Markdown tables (throughput, GEMM efficiency, peak memory) and as a JSON file."""
from __future__ import annotations

import json
import os

from . import blas_info


def _rate(measured: dict | None) -> str:
    if not measured:
        return "–"
    s = measured["samples_per_s"]
    return f"{s['median']:,.0f} [{s['min']:,.0f}–{s['max']:,.0f}]"


def _mib(side: dict) -> str:
    if "missing" in side:
        return "missing"
    if "error" in side:
        return "error"
    return f"{side['peak_rss_growth_mib']:.1f}"


def _load(report: dict, when: str) -> str:
    return "/".join(f"{v:.2f}" for v in report["load_average"].get(when, ()))


def _throughput(report: dict) -> list[str]:
    reps = report["settings"]["repetitions"]
    lines = [f"### Throughput: samples/s, median of {reps} repetitions [min–max]; ratio = neuronet ÷ torch "
             "(1.00 = same speed, 0.50 = neuronet takes twice as long)", "",
             "| workload | threads | neuronet | torch | ratio | note |", "|---|---:|---:|---:|---:|---|"]
    for r in report["results"]:
        note = r["reason"] or ("" if r["weights_copied"] else f"torch kept its own init: {r['weights_note']}")
        if r["status"] != "ok":
            note = f"**{r['status']}**: {note}"
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else "–"
        lines.append(f"| {r['workload']} | {r['threads']} | {_rate(r['neuronet'])} | {_rate(r['torch'])} | "
                     f"{ratio} | {note} |")
    return lines


def _gemm(report: dict) -> list[str]:
    peaks = {p["threads"]: p for p in report["gemm_peak"]}
    rows = [r for r in report["results"] if r["gflops"]]
    if not rows:
        return []
    size = report["settings"]["gemm_size"]
    lines = ["", f"### GEMM efficiency: achieved GFLOP/s (2·M·N·K per GEMM; backward = weight gradients + input gradients but the first layer's) against "
             f"the measured float32 {size}×{size} matmul peak", "",
             "| workload | threads | neuronet GFLOP/s | torch GFLOP/s | NumPy matmul peak | torch matmul peak |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        g, p = r["gflops"], peaks.get(r["threads"], {})
        ours = f"{g['neuronet']:.1f}" if g["neuronet"] is not None else "–"
        lines.append(f"| {r['workload']} | {r['threads']} | {ours} | {g['torch']:.1f} | "
                     f"{p.get('numpy_gflops', 0):.1f} | {p.get('torch_gflops', 0):.1f} |")
    return lines


def _memory(report: dict) -> list[str]:
    if not report["memory"]:
        return []
    lines = ["", "### Peak memory, MiB: growth of peak RSS over build + "
             f"{report['settings']['memory_steps']} steps, 1 thread, fresh process after a warm-up pass "
             "(same instrument for both); last column: neuronet's tracemalloc peak (NumPy + Python allocations)", "",
             "| workload | neuronet | torch | neuronet traced |", "|---|---:|---:|---:|"]
    for m in report["memory"]:
        traced = m["neuronet"].get("traced_peak_mib")
        lines.append(f"| {m['workload']} | {_mib(m['neuronet'])} | {_mib(m['torch'])} | "
                     f"{'–' if traced is None else f'{traced:.1f}'} |")
    return lines


def render(report: dict) -> str:
    """The whole report as Markdown: context lines, then the tables."""
    machine, blas = report["machine"], report["blas"]
    removed, kept = report["environment"]["removed"], report["environment"]["kept"]
    environment = [f"removed {', '.join(f'{k}={v}' for k, v in removed.items())} before NumPy loaded"] if removed else []
    environment += [f"kept {', '.join(f'{k}={v}' for k, v in kept.items())} (--keep-env)"] if kept else []
    timeout = report["environment"].get("OPENBLAS_THREAD_TIMEOUT")
    environment += [f"OPENBLAS_THREAD_TIMEOUT={timeout}" + (" (import neuronet's default: idle OpenBLAS workers sleep "
                                                           "at once instead of spinning ~0.1 s)" if timeout == "4" else "")
                    if timeout else "OPENBLAS_THREAD_TIMEOUT unset (OpenBLAS's idle workers spin ~0.1 s)"]
    if report["environment"].get("malloc"):  # the same process runs torch: it gets the same malloc
        environment.append(report["environment"]["malloc"] + " (applies to torch in the same process too)")
    if report["environment"].get("kernels"):
        environment.append("neuronet " + report["environment"]["kernels"] + " (optional numba kernels: stride-1 convolutions, LSTM time loops, Adam update, batch norm, ReLU and its gradient, col2im)")
    head = [
        f"## neuronet vs PyTorch CPU — {report['started']}", "",
        f"- command: `{' '.join(report['command'] or [])}`",
        f"- machine: {machine['cpu']}, {machine['logical_cpus']} logical CPUs, {machine['platform']}, "
        f"Python {machine['python']}",
        f"- versions: neuronet {report['versions']['neuronet']}, NumPy {report['versions']['numpy']}, "
        f"torch {report['versions']['torch']}",
        f"- NumPy BLAS: {blas_info.describe_numpy(blas['numpy'])}",
        f"- torch: {blas_info.describe_torch(blas['torch'])}",
        f"- load average (1/5/15 min) at start {_load(report, 'start')}, at end {_load(report, 'end')}, on "
        f"{machine['logical_cpus']} CPUs (the run itself adds up to its thread count; more is other work)",
        "- environment: " + ("; ".join(environment) or "no OpenBLAS tuning variables set"),
        "",
    ]
    return "\n".join(head + _throughput(report) + _gemm(report) + _memory(report)) + "\n"


def write_json(report: dict, path: str) -> None:
    """Write the report to ``path`` (its folder is created if needed, e.g. ``bench-results/``)."""
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(path, "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
