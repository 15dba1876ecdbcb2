"""The report as Markdown tables (throughput, latency, peak fraction, JAX parity, peak memory) and as JSON."""
from __future__ import annotations

import json
import os

from neuronet._openblas_env import OPENBLAS_THREAD_TIMEOUT as _NEURONET_TIMEOUT

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


def _ratio(value) -> str:
    return f"{value:.2f}" if value is not None else "–"


def _frameworks(report: dict) -> list:
    """Framework columns present in the results: neuronet (and its variants), torch, then jax."""
    names = ["neuronet"]
    for r in report["results"]:
        names += [n for n in r.get("frameworks", {}) if n not in names]
    return names + ["torch"] + (["jax"] if any(r.get("jax") for r in report["results"]) else [])


def _side(r: dict, name: str):
    return r.get(name) if name in ("neuronet", "torch", "jax") else r.get("frameworks", {}).get(name)


def _note(r: dict) -> str:
    note = r["reason"] or ("" if r["weights_copied"] else f"torch kept its own init: {r['weights_note']}")
    if r["status"] != "ok":
        note = f"**{r['status']}**: {note}"
    check = r.get("jax_check") or {}
    if check.get("status") in ("error", "skipped") and check.get("reason") != "not requested":
        note += ("; " if note else "") + f"jax {check['status']}: {check['reason'].strip().splitlines()[-1]}"
    return note


def _throughput(report: dict) -> list[str]:
    reps = report["settings"]["repetitions"]
    names = _frameworks(report)
    variants = [n for n in names if n not in ("torch", "jax")]
    rivals = [n for n in ("torch", "jax") if n in names]
    ratio_names = [f"{v}/{r}" for v in variants for r in rivals]
    lines = [f"### Throughput: samples/s, median of {reps} repetitions [min–max]; ratio = neuronet ÷ rival "
             "(1.00 = same speed, 0.50 = neuronet takes twice as long)", "",
             "| workload | threads | " + " | ".join(names) + " | " + " | ".join(n.replace("/", " ÷ ") for n in ratio_names)
             + " | note |", "|---|---:|" + "---:|" * (len(names) + len(ratio_names)) + "---|"]
    for r in report["results"]:
        ratios = r.get("ratios") or {"neuronet/torch": r["ratio"]}
        lines.append(f"| {r['workload']} | {r['threads']} | " + " | ".join(_rate(_side(r, n)) for n in names) + " | "
                     + " | ".join(_ratio(ratios.get(n)) for n in ratio_names) + f" | {_note(r)} |")
    return lines


def _latency(report: dict) -> list[str]:
    rows = [r for r in report["results"] if r["batch"] == 1 and r["mode"] == "inference"]
    if not rows:
        return []
    names = _frameworks(report)
    lines = ["", "### Latency: microseconds per batch-1 inference call (median of the repetitions' means)", "",
             "| workload | threads | " + " | ".join(names) + " |", "|---|---:|" + "---:|" * len(names)]
    for r in rows:
        cells = []
        for n in names:
            side = _side(r, n)
            cells.append(f"{1e6 / side['samples_per_s']['median']:,.0f}" if side else "–")
        lines.append(f"| {r['workload']} | {r['threads']} | " + " | ".join(cells) + " |")
    return lines


def _gemm(report: dict) -> list[str]:
    peaks = {p["threads"]: p for p in report["gemm_peak"]}
    rows = [r for r in report["results"] if r["gflops"]]
    if not rows:
        return []
    names = _frameworks(report)
    size = report["settings"]["gemm_size"]
    lines = ["", "### Peak fraction: achieved GFLOP/s (products only, 2·M·N·K each; training = 3× forward less the "
             "first layer's input gradient; see benchmarks/flops.py) and its percentage of the measured float32 "
             f"{size}×{size} NumPy matmul peak at that thread count.  Convolutions count as the direct "
             "convolution's products: where a 3×3 layer runs by Winograd (2.25× fewer multiplications) the "
             "effective rate can pass 100 %", "",
             "| workload | threads | GFLOP per step | " + " | ".join(f"{n} GFLOP/s (% peak)" for n in names)
             + " | NumPy matmul peak | torch matmul peak |", "|---|---:|---:|" + "---:|" * (len(names) + 2)]
    for r in rows:
        g, p = r["gflops"], peaks.get(r["threads"], {})
        rates = g.get("rates") or {n: g.get(n) for n in ("neuronet", "torch")}
        cells = []
        for n in names:
            rate, percent = rates.get(n), g.get(f"{n}_percent_of_numpy_gemm_peak")
            cells.append("–" if rate is None else f"{rate:.1f}" + (f" ({percent:.0f} %)" if percent is not None else ""))
        per_step = g.get("flops_per_step", g["flops_per_sample"] * r["batch"]) / 1e9
        lines.append(f"| {r['workload']} | {r['threads']} | {per_step:.3g} | " + " | ".join(cells) + " | "
                     f"{p.get('numpy_gflops', 0):.1f} | {p.get('torch_gflops', 0):.1f} |")
    return lines


def _parity(report: dict) -> list[str]:
    checks = {}
    for r in report["results"]:
        check = r.get("jax_check") or {}
        if check.get("status") == "ok":
            checks.setdefault(r["workload"], check)
    if not checks:
        return []
    lines = ["", "### JAX parity: one step from the same weights, JAX against torch (relative to torch's largest value; "
             "weights over all tensors)", "",
             "| workload | first output | loss | weights after the step | output after the step | compile s |",
             "|---|---:|---:|---:|---:|---:|"]
    fmt = lambda v: "–" if v is None else f"{v:.1e}"  # noqa: E731
    for name, check in checks.items():
        p = check["parity"]
        lines.append(f"| {name} | {fmt(p['first_output_rel_diff'])} | {fmt(p['loss_rel_diff'])} | "
                     f"{fmt(p['weights_rel_diff'])} | {fmt(p['after_output_rel_diff'])} | {check['compile_seconds']:.1f} |")
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
                                                           "after ~0.4 ms instead of spinning ~0.1 s)" if timeout == _NEURONET_TIMEOUT else "")
                    if timeout else "OPENBLAS_THREAD_TIMEOUT unset (OpenBLAS's idle workers spin ~0.1 s)"]
    if report["environment"].get("malloc"):  # the same process runs torch: it gets the same malloc
        environment.append(report["environment"]["malloc"] + " (applies to torch in the same process too)")
    if report["environment"].get("kernels"):
        environment.append("neuronet " + report["environment"]["kernels"] + " (optional numba kernels: stride-1 convolutions, LSTM and GRU time loops, Adam and SGD updates, batch norm, layer norm, attention softmax, ReLU and its gradient (with a dense layer's bias), softmax cross-entropy, col2im)")
    head = [
        f"## neuronet vs PyTorch CPU" + (" and JAX-jit" if report["versions"].get("jax") else "")
        + f" — {report['started']}", "",
        f"- command: `{' '.join(report['command'] or [])}`",
        f"- machine: {machine['cpu']}, {machine['logical_cpus']} logical CPUs, {machine['platform']}, "
        f"Python {machine['python']}",
        f"- versions: neuronet {report['versions']['neuronet']}, NumPy {report['versions']['numpy']}, "
        f"torch {report['versions']['torch']}" + (f", {report['versions']['jax']} (XLA CPU, one process per thread "
                                                 "count, see benchmarks/jax_session.py)"
                                                 if report["versions"].get("jax") else ""),
        f"- NumPy BLAS: {blas_info.describe_numpy(blas['numpy'])}",
        f"- torch: {blas_info.describe_torch(blas['torch'])}",
        f"- load average (1/5/15 min) at start {_load(report, 'start')}, at end {_load(report, 'end')}, on "
        f"{machine['logical_cpus']} CPUs (the run itself adds up to its thread count; more is other work)",
        "- environment: " + ("; ".join(environment) or "no OpenBLAS tuning variables set"),
        "",
    ]
    return "\n".join(head + _throughput(report) + _latency(report) + _gemm(report) + _parity(report)
                     + _memory(report)) + "\n"


def write_json(report: dict, path: str) -> None:
    """Write the report to ``path`` (its folder is created if needed, e.g. ``bench-results/``)."""
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(path, "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
