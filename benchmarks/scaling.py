"""Training throughput against batch size and against model width, neuronet and PyTorch, plotted.

Two sweeps per model, each point timed the harness's way (same weights, same batch, interleaved
repetitions, ``harness.time_interleaved``) at one thread count: the batch sweep at the model's
base width, the width sweep at its base batch.  Models: the MLP (hidden widths w-w/2, SGD) and
the ResNet-18 of ``workloads/resnet.py`` (stage widths w-2w-4w-8w, Adam).  The report is a
Markdown table, a JSON file and a PNG with samples/s against batch and against width, one line
per framework (matplotlib, imported only when plotting, through neuronet.viz's figure helper).

``python -m benchmarks.scaling [--models mlp,resnet18] [--threads 1] [--quick] [--png PATH] [--json PATH]``
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Sweep:
    """A model's workload factory ``(batch, width) -> Workload`` and the points to measure."""

    factory: object
    batches: tuple
    widths: tuple
    base_batch: int
    base_width: int


def _mlp(batch: int, width: int):
    from .workloads import mlp
    return mlp.sized(batch, (width, width // 2))


def _resnet(batch: int, width: int):
    from .workloads import resnet
    return resnet.workload(width, batch, name=f"resnet18-w{width}-b{batch}")


SWEEPS = {
    "mlp": Sweep(_mlp, batches=(16, 32, 64, 128, 256, 512, 1024), widths=(64, 128, 256, 512, 1024),
                 base_batch=64, base_width=256),
    "resnet18": Sweep(_resnet, batches=(8, 16, 32, 64), widths=(8, 16, 32, 64), base_batch=32, base_width=64),
}


def measure_point(workload, settings) -> dict:
    """samples/s of neuronet and torch on one workload (same weights), interleaved."""
    from .harness import time_interleaved
    from .sessions import neuronet_session, torch_session

    x, y = workload.make_inputs(np.random.default_rng(settings.seed))
    ours = neuronet_session(workload, x, y, settings.seed)
    theirs, note = torch_session(workload, x, y, settings.seed, weights_from=ours.model)
    measured = time_interleaved({"neuronet": ours.step, "torch": theirs.step}, workload.batch, settings)
    return {name: m["samples_per_s"]["median"] for name, m in measured.items()} | {"weights_copied": note is None}


def run(models: list, threads: int, settings, log=print) -> dict:
    """Both sweeps of every model in ``models`` at ``threads`` threads; JSON-ready."""
    from .threads import thread_limit

    results = {}
    with thread_limit(threads):
        for name in models:
            sweep = SWEEPS[name]
            points = [("batch", b, sweep.factory(b, sweep.base_width)) for b in sweep.batches]
            points += [("width", w, sweep.factory(sweep.base_batch, w)) for w in sweep.widths]
            rows = []
            for axis, value, workload in points:
                rates = measure_point(workload, settings)
                rows.append({"axis": axis, "value": value, "batch": workload.batch, **rates})
                log(f"  {name} {axis} {value}: neuronet {rates['neuronet']:,.0f}/s, torch {rates['torch']:,.0f}/s")
            results[name] = {"base_batch": sweep.base_batch, "base_width": sweep.base_width, "points": rows}
    return {"threads": threads, "models": results}


def render(report: dict) -> str:
    lines = [f"### Scaling: training samples/s, {report['threads']} thread(s); ratio = neuronet ÷ torch", "",
             "| model | varied | value | neuronet | torch | ratio |", "|---|---|---:|---:|---:|---:|"]
    for name, model in report["models"].items():
        for p in model["points"]:
            fixed = f"(width {model['base_width']})" if p["axis"] == "batch" else f"(batch {model['base_batch']})"
            lines.append(f"| {name} | {p['axis']} {fixed} | {p['value']} | {p['neuronet']:,.0f} | {p['torch']:,.0f} | "
                         f"{p['neuronet'] / p['torch']:.2f} |")
    return "\n".join(lines) + "\n"


def plot(report: dict, path: str) -> str:
    """samples/s against batch (left) and width (right), one row per model, to the PNG ``path``."""
    from neuronet.viz._figure import new_figure  # matplotlib's object API: no pyplot, no window

    models = report["models"]
    fig, axes = new_figure("benchmarks.scaling.plot", (10, 3.6 * len(models)), rows=len(models), cols=2)
    for row, (name, model) in enumerate(models.items()):
        for col, axis in enumerate(("batch", "width")):
            points = [p for p in model["points"] if p["axis"] == axis]
            ax = axes[row][col]
            for framework, style in (("neuronet", "o-"), ("torch", "s--")):
                ax.plot([p["value"] for p in points], [p[framework] for p in points], style, label=framework)
            ax.set_xscale("log", base=2)
            ax.set_xlabel(axis)
            ax.set_ylabel("samples/s")
            fixed = f"width {model['base_width']}" if axis == "batch" else f"batch {model['base_batch']}"
            ax.set_title(f"{name}: samples/s vs {axis} ({fixed}, {report['threads']} thread(s))")
            ax.grid(True, alpha=0.3)
            ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


def main(argv: list | None = None) -> int:
    import argparse
    import json
    import os

    parser = argparse.ArgumentParser(prog="python -m benchmarks.scaling", description=__doc__.split("\n")[0])
    parser.add_argument("--models", default="mlp,resnet18", help=f"comma list of {', '.join(SWEEPS)}")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="the harness's --quick timing preset")
    parser.add_argument("--png", default="bench-results/scaling.png")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in models if m not in SWEEPS]
    if unknown:
        parser.error(f"--models: unknown {unknown}; known: {', '.join(SWEEPS)}")

    import neuronet  # noqa: F401  before NumPy's BLAS starts, as in python -m benchmarks
    from .harness import Settings

    settings = Settings.quick(threads=[args.threads]) if args.quick else Settings(threads=[args.threads])
    report = run(models, args.threads, settings, log=lambda m: print(m, file=sys.stderr, flush=True))
    print(render(report))
    os.makedirs(os.path.dirname(args.png) or ".", exist_ok=True)
    print(f"plot written to {plot(report, args.png)}", file=sys.stderr)
    if args.json:
        os.makedirs(os.path.dirname(args.json) or ".", exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
