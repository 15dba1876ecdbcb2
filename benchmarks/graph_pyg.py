"""neuronet's graph layers against PyTorch Geometric on the same graph, weights and thread count.

    python -m benchmarks.graph_pyg                 # 10,000 nodes, 100,000 edges, 64 → 64 features, 1 thread
    python -m benchmarks.graph_pyg --nodes 2000 --edges 20000 --threads 2 --json bench-results/graph.json

For each layer (GCNConv, SAGEConv mean, GATConv 4 heads × 16, GINConv with a 64-64 MLP) both
frameworks get the same random directed graph, the same float32 features and neuronet's initial
weights copied into the PyG layer (outputs compared first: ``max_rel_diff``).  A training step is
forward + backward of ``sum(out * g)`` (input and parameter gradients, no optimizer); an inference
step is a forward under no_grad.  Repetitions alternate between the frameworks; the median of 5
repetitions of about 0.3 s each is reported, with the ratio neuronet time / PyG time (> 1: neuronet
slower).  GCN normalisation is recomputed every step in both (``cached=False``).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import numpy as np


def _layers(nt, torch, pyg, f_in, f_out):
    mlp_nt = nt.nn.Sequential(nt.nn.Dense(f_out, activation="relu"), nt.nn.Dense(f_out))
    mlp_pt = torch.nn.Sequential(torch.nn.Linear(f_in, f_out), torch.nn.ReLU(), torch.nn.Linear(f_out, f_out))
    return {
        "GCNConv": (nt.nn.GCNConv(f_out), pyg.nn.GCNConv(f_in, f_out), {}),
        "SAGEConv(mean)": (nt.nn.SAGEConv(f_out), pyg.nn.SAGEConv(f_in, f_out), {}),
        "GATConv(4 heads)": (nt.nn.GATConv(f_out // 4, heads=4), pyg.nn.GATConv(f_in, f_out // 4, heads=4), {}),
        "GINConv": (nt.nn.GINConv(mlp_nt), pyg.nn.GINConv(mlp_pt), {"nn.2.": "nn.1."}),
    }


def _copy(ours, theirs, rename):
    state = {}
    for k, v in theirs.state_dict().items():
        for a, b in rename.items():
            k = k.replace(a, b)
        state[k] = v
    for name, p in ours.named_parameters():
        state[name].data.copy_(__import__("torch").from_numpy(p.data.copy()))


def _steps_per_repetition(step, target: float) -> int:
    """How many calls of ``step`` take about ``target`` seconds (after one warm-up call)."""
    step()
    t = time.perf_counter()
    step()
    return max(1, int(target / max(time.perf_counter() - t, 1e-6)))


def run(nodes=10_000, edges=100_000, features=64, threads=1, seed=0, target_seconds=0.3, repetitions=5) -> dict:
    import torch
    import torch_geometric as pyg
    from threadpoolctl import threadpool_limits

    import neuronet as nt
    from benchmarks.blas_info import describe_numpy, describe_torch, machine, numpy_blas, torch_blas

    rng = np.random.default_rng(seed)
    ei = rng.integers(0, nodes, (2, edges))
    x = rng.normal(size=(nodes, features)).astype(np.float32)
    g = rng.normal(size=(nodes, features)).astype(np.float32)
    torch.set_num_threads(threads)
    results = []
    with threadpool_limits(limits=threads, user_api="blas"):
        nt.manual_seed(seed)
        for name, (ours, theirs, rename) in _layers(nt, torch, pyg, features, features).items():
            ours(nt.tensor(x), ei)
            _copy(ours, theirs, rename)
            ei_t, x_t, g_t = torch.tensor(ei), torch.tensor(x), torch.tensor(g)
            with nt.no_grad():
                y_ours = ours(nt.tensor(x), ei).data
            with torch.no_grad():
                y_theirs = theirs(x_t, ei_t).numpy()
            diff = float(np.abs(y_ours - y_theirs).max() / np.abs(y_theirs).max())
            g_nt = nt.tensor(g)

            def nt_train():
                xx = nt.tensor(x, requires_grad=True)
                ours.zero_grad()
                (ours(xx, ei) * g_nt).sum().backward()

            def pt_train():
                xx = x_t.clone().requires_grad_(True)
                theirs.zero_grad()
                (theirs(xx, ei_t) * g_t).sum().backward()

            def nt_infer():
                with nt.no_grad():
                    ours(nt.tensor(x), ei)

            def pt_infer():
                with torch.no_grad():
                    theirs(x_t, ei_t)

            row = {"layer": name, "max_rel_diff": diff}
            for mode, a, b in (("train", nt_train, pt_train), ("infer", nt_infer, pt_infer)):
                na, nb = _steps_per_repetition(a, target_seconds), _steps_per_repetition(b, target_seconds)
                ta, tb = [], []
                for _ in range(repetitions):  # alternate the frameworks
                    t = time.perf_counter()
                    for _ in range(na):
                        a()
                    ta.append((time.perf_counter() - t) / na)
                    t = time.perf_counter()
                    for _ in range(nb):
                        b()
                    tb.append((time.perf_counter() - t) / nb)
                row[mode] = {"neuronet_ms": 1e3 * statistics.median(ta), "pyg_ms": 1e3 * statistics.median(tb),
                             "ratio": statistics.median(ta) / statistics.median(tb)}
            results.append(row)
    return {"graph": {"nodes": nodes, "edges": edges, "features": features}, "threads": threads,
            "machine": machine(), "numpy_blas": describe_numpy(numpy_blas()), "torch": describe_torch(torch_blas()),
            "torch_geometric": pyg.__version__, "load_before": os.getloadavg(), "results": results}


def render(report: dict) -> str:
    g = report["graph"]
    lines = [f"graph: {g['nodes']:,} nodes, {g['edges']:,} random directed edges, {g['features']} → {g['features']} "
             f"features, float32, {report['threads']} thread(s); PyG {report['torch_geometric']}",
             f"machine: {report['machine']['cpu']} ({report['machine']['logical_cpus']} CPUs); "
             f"NumPy BLAS {report['numpy_blas']}; {report['torch']}; load average before "
             f"{', '.join(f'{v:.2f}' for v in report['load_before'])}", "",
             "| layer | train step neuronet (ms) | PyG (ms) | ratio | inference neuronet (ms) | PyG (ms) | ratio "
             "| max rel. diff |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in report["results"]:
        t, i = r["train"], r["infer"]
        lines.append(f"| {r['layer']} | {t['neuronet_ms']:.1f} | {t['pyg_ms']:.1f} | {t['ratio']:.2f} | "
                     f"{i['neuronet_ms']:.1f} | {i['pyg_ms']:.1f} | {i['ratio']:.2f} | {r['max_rel_diff']:.1e} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--nodes", type=int, default=10_000)
    p.add_argument("--edges", type=int, default=100_000)
    p.add_argument("--features", type=int, default=64)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--json")
    a = p.parse_args(argv)
    report = run(a.nodes, a.edges, a.features, a.threads)
    print(render(report))
    if a.json:
        os.makedirs(os.path.dirname(a.json) or ".", exist_ok=True)
        with open(a.json, "w") as f:
            json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
