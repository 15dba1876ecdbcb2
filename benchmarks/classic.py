"""``python -m benchmarks.classic``: the classic networks against independent implementations, same data,
same settings, same process: Perceptron vs scikit-learn, SOM vs minisom, ESN vs reservoirpy (and the
project's LSTM recipe), Oja/Sanger vs the eigen-decomposition.  Prints a Markdown table.

Times are the best of ``--repetitions`` runs (time.perf_counter), BLAS limited to ``--threads`` threads for
both sides (threadpoolctl); a ratio > 1 means neuronet is faster.  Missing references are reported, not fatal.
"""
from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np


def best_time(fn, repetitions: int):
    """(best seconds, last result) over ``repetitions`` calls."""
    best, result = float("inf"), None
    for _ in range(repetitions):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def perceptron_rows(reps):
    from sklearn.linear_model import Perceptron as SkPerceptron
    from neuronet.data.datasets import load_digits, load_iris
    from neuronet.models.classic import Perceptron

    xi, yi = load_iris()
    xi = ((xi - xi.mean(0)) / xi.std(0)).astype(np.float64)
    xd, yd = load_digits()
    xd = xd.astype(np.float64)
    rows = []
    for name, x, y in [("Iris setosa vs rest (separable)", xi, (yi == 0).astype(int)),
                       ("Iris versicolor vs virginica (not separable)", xi[yi > 0], yi[yi > 0]),
                       ("digits, 10 classes one-vs-rest", xd, yd)]:
        epochs = 20

        def ours():
            return Perceptron(epochs=epochs, stop_when_separated=False).fit(x, y)

        def ref():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return SkPerceptron(eta0=1.0, max_iter=epochs, tol=None, shuffle=False).fit(x, y)

        t_ours, p = best_time(ours, reps)
        t_ref, s = best_time(ref, reps)
        diff = float(np.abs(p.weight - s.coef_).max())
        rows.append(("Perceptron online, 20 epochs, same order", name,
                     f"max abs Δw {diff:.1e}; train acc {p.score(x, y):.3f} vs {s.score(x, y):.3f}; "
                     f"mistakes last epoch {p.history['mistakes'][-1]}", t_ours, t_ref, "scikit-learn"))
        t_epoch, pe = best_time(lambda: Perceptron(epochs=epochs, mode="epoch", stop_when_separated=False).fit(x, y), reps)
        rows.append(("Perceptron epoch-wise (batch rule), 20 epochs", name, f"train acc {pe.score(x, y):.3f}",
                     t_epoch, t_ref, "scikit-learn (online)"))
    return rows


def som_rows(reps):
    from minisom import MiniSom
    from neuronet.data.datasets import load_digits
    from neuronet.models.classic import SOM

    x, _ = load_digits()
    x = x.astype(np.float64)
    init = MiniSom(10, 10, 64, sigma=3.0, learning_rate=0.5, random_seed=0)
    init.pca_weights_init(x)
    w0 = init.get_weights().copy()
    rows = []

    def ref_online():
        m = MiniSom(10, 10, 64, sigma=3.0, learning_rate=0.5, random_seed=0)
        m._weights = w0.copy()
        m.train(x, 5 * len(x), random_order=False)
        return m

    def ours_online():
        return SOM(10, 10, sigma=3.0, lr=0.5, init=w0).fit(x, epochs=5, mode="online", shuffle=False)

    t_ref, m = best_time(ref_online, reps)
    t_ours, s = best_time(ours_online, reps)
    rows.append(("SOM online, 10×10, σ 3, η 0.5, asymptotic decay, 5 epochs, same init and order", "digits 1797×64",
                 f"QE {s.quantization_error(x):.4f} vs {m.quantization_error(x):.4f}; TE {s.topographic_error(x):.3f} "
                 f"vs {m.topographic_error(x):.3f}; max abs Δw {np.abs(s.weights - m.get_weights()).max():.1e}",
                 t_ours, t_ref, "minisom train"))

    def ref_batch():
        m = MiniSom(10, 10, 64, sigma=3.0, learning_rate=0.5, random_seed=0)
        m._weights = w0.copy()
        m.train_batch_offline(x, 20)
        return m

    def ours_batch():
        return SOM(10, 10, sigma=3.0, init=w0).fit(x, epochs=20, mode="batch")

    t_ref, m = best_time(ref_batch, reps)
    t_ours, s = best_time(ours_batch, reps)
    rows.append(("SOM batch map, 10×10, σ 3 asymptotic, 20 epochs, same init", "digits 1797×64",
                 f"QE {s.quantization_error(x):.4f} vs {m.quantization_error(x):.4f}; TE {s.topographic_error(x):.3f} "
                 f"vs {m.topographic_error(x):.3f} (minisom blends old and new weights with a decaying η; "
                 "Kohonen's batch map replaces them)", t_ours, t_ref, "minisom train_batch_offline"))
    return rows


def esn_rows(reps, lstm: bool):
    from neuronet.models.classic import EchoStateNetwork
    from neuronet.recipes.classic import esn_sunspots, sunspot_series

    s, cut, _, std = sunspot_series()
    truth = s[cut:]
    rmse = lambda p: float(np.sqrt(np.mean((p - truth) ** 2)) * std)  # noqa: E731
    persistence = rmse(s[cut - 1:-1])
    rows = []
    settings = dict(spectral_radius=0.9, leak_rate=0.3, input_scaling=0.5, ridge=1.0, washout=100)

    def ours():
        esn = EchoStateNetwork(300, density=0.1, seed=0, **settings).fit(s[:cut - 1], s[1:cut])
        return esn.predict(s[:-1])[cut - 1:]

    t_ours, p_ours = best_time(ours, reps)
    try:
        import reservoirpy  # noqa: F401
        from reservoirpy.nodes import Reservoir, Ridge

        def ref():
            res = Reservoir(300, lr=0.3, sr=0.9, input_scaling=0.5, input_connectivity=1.0, rc_connectivity=0.1, seed=0)
            model = res >> Ridge(ridge=1.0)
            model.fit(s[:cut - 1, None], s[1:cut, None], warmup=100)
            return np.asarray(model.run(s[:-1, None]))[cut - 1:, 0]

        t_ref, p_ref = best_time(ref, reps)
        rows.append(("ESN 300 units, ρ 0.9, leak 0.3, input ×0.5, ridge 1, washout 100 (read-out on states)",
                     "monthly sunspots, last 20 % (625 months)",
                     f"test RMSE {rmse(p_ours):.2f} vs {rmse(p_ref):.2f} sunspots (persistence {persistence:.2f})",
                     t_ours, t_ref, f"reservoirpy {reservoirpy.__version__}"))
    except ImportError as error:
        rows.append(("ESN", "monthly sunspots", f"reservoirpy missing: {error}", t_ours, None, "reservoirpy"))
    t_sel, chosen = best_time(lambda: esn_sunspots(None), 1)
    rows.append(("ESN recipe esn-sunspots (grid of 8 chosen on validation months, input in read-out)",
                 "monthly sunspots, last 20 %", f"test RMSE {chosen['test_rmse_sunspots']} (chose {chosen['chosen']}; "
                 f"persistence {chosen['persistence_rmse_sunspots']})", t_sel, None, "-"))
    if lstm:
        from neuronet.recipes import run_recipe
        t0 = time.perf_counter()
        report = run_recipe("sunspots-lstm", verbose=0, out=os.path.join("bench-results", "sunspots-lstm"),
                            print_fn=lambda *a: None)
        rows.append(("LSTM recipe sunspots-lstm (24 months → LSTM 32, 20 epochs Adam)", "same test months",
                     f"test RMSE {report['test']['rmse'] * std:.2f} sunspots", time.perf_counter() - t0, None, "-"))
    return rows


def oja_rows(reps):
    from neuronet.data.datasets import load_digits
    from neuronet.models.classic import Oja

    x, _ = load_digits()
    x = x.astype(np.float64)
    xc = x - x.mean(0)
    cov = xc.T @ xc / len(x)
    t_eig, (values, vectors) = best_time(lambda: np.linalg.eigh(cov), reps)
    top = vectors[:, ::-1][:, :3]
    lr = 0.5 / values[-1]
    t_ours, o = best_time(lambda: Oja(3, lr=lr, epochs=500, mode="batch", seed=0).fit(x), reps)
    cos = np.abs(np.sum(o.components_ * top.T, axis=1)) / np.linalg.norm(o.components_, axis=1)
    t_on, oo = best_time(lambda: Oja(3, lr=0.001, epochs=30, seed=0).fit(x), reps)
    cos_on = np.abs(np.sum(oo.components_ * top.T, axis=1)) / np.linalg.norm(oo.components_, axis=1)
    return [("Sanger batch (GHA), 3 components, 500 epochs", "digits 1797×64",
             "abs cos with PC1..3: " + ", ".join(f"{c:.5f}" for c in cos), t_ours, t_eig, "numpy eigh of the covariance"),
            ("Sanger online, 3 components, η 0.001, 30 epochs", "digits 1797×64",
             "abs cos with PC1..3: " + ", ".join(f"{c:.4f}" for c in cos_on), t_on, t_eig, "numpy eigh of the covariance")]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.classic", description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads for both sides (default 1)")
    parser.add_argument("--no-lstm", action="store_true", help="skip training the sunspots-lstm recipe (~15 s)")
    args = parser.parse_args(argv)
    import neuronet  # noqa: F401
    from threadpoolctl import threadpool_limits

    from .blas_info import describe_numpy, machine, numpy_blas

    info = machine()
    load_before = os.getloadavg()
    rows = []
    with threadpool_limits(args.threads, user_api="blas"):
        for name, fn in [("perceptron", lambda: perceptron_rows(args.repetitions)), ("som", lambda: som_rows(args.repetitions)),
                         ("esn", lambda: esn_rows(args.repetitions, not args.no_lstm)),
                         ("oja", lambda: oja_rows(args.repetitions))]:
            try:
                rows += fn()
            except ImportError as error:
                rows.append((name, "-", f"reference missing: {error}", None, None, "-"))
    print(f"machine: {info['cpu']}, {info['logical_cpus']} logical CPUs, Python {info['python']}; "
          f"NumPy BLAS: {describe_numpy(numpy_blas())}; BLAS threads {args.threads}; "
          f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}\n")
    print("| model and settings | data | result (neuronet vs reference) | neuronet s | reference s | speed ratio | reference |")
    print("|---|---|---|---:|---:|---:|---|")
    for what, data, result, t_ours, t_ref, ref in rows:
        ratio = f"{t_ref / t_ours:.2f}×" if t_ours and t_ref else "-"
        fmt = lambda t: f"{t:.3f}" if t is not None else "-"  # noqa: E731
        print(f"| {what} | {data} | {result} | {fmt(t_ours)} | {fmt(t_ref)} | {ratio} | {ref} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
