"""neuronet's RBM against scikit-learn's ``BernoulliRBM`` on binarised MNIST-5k: same data order,
hidden size, epochs, batch size, learning rate and training rule (PCD-1), in the same process at
the same BLAS thread count.  Reports the exact pseudo-log-likelihood of held-out images (both
models scored by the same function) and the training-time ratio.

    python -m benchmarks.rbm_sklearn                    # 256 hidden, 10 epochs, batch 10, lr 0.1 (sklearn's defaults)
    python -m benchmarks.rbm_sklearn --repeats 10 --json bench-results/rbm.json
    python -m benchmarks.rbm_sklearn --repeats 10 --final-lr 0   # neuronet's rate decays to 0 (an option sklearn lacks)
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy as np


def _data(seed: int = 0):
    """Binarised MNIST-5k, stratified 4,000/1,000 split, training rows in one fixed random order
    (scikit-learn does not shuffle between epochs and the file is ordered by digit)."""
    import neuronet as nt

    x, y = nt.data.load_mnist_5k(flatten=True)
    x = (x > 0.5).astype(np.float32)
    x_train, x_test, _, _ = nt.data.train_test_split(x, y, test_size=0.2, stratify=y, seed=seed)
    return x_train[np.random.default_rng(seed).permutation(len(x_train))], x_test


def _fit_neuronet(x, args, seed):
    from neuronet.models.energy import RBM

    rbm = RBM(args.hidden, k=1, persistent=True, lr=args.lr, batch_size=args.batch, dtype=np.float32, seed=seed)
    t0 = time.perf_counter()
    rbm.fit(x, epochs=args.epochs, shuffle=False, final_lr=args.final_lr)
    return rbm, time.perf_counter() - t0


def _fit_sklearn(x, args, seed):
    from sklearn.neural_network import BernoulliRBM

    rbm = BernoulliRBM(n_components=args.hidden, learning_rate=args.lr, batch_size=args.batch, n_iter=args.epochs,
                       random_state=seed)
    t0 = time.perf_counter()
    rbm.fit(x)
    return rbm, time.perf_counter() - t0


def _as_neuronet(sk):
    """scikit-learn's fitted parameters in a neuronet RBM (float64), to score both alike."""
    from neuronet.models.energy import RBM

    rbm = RBM(sk.n_components, n_visible=sk.components_.shape[1], dtype=np.float64)
    rbm.weight[...] = sk.components_
    rbm.visible_bias[...] = sk.intercept_visible_
    rbm.hidden_bias[...] = sk.intercept_hidden_
    return rbm


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--final-lr", type=float, default=None,
                        help="neuronet only: lr falls linearly to this over training (scikit-learn has no schedule)")
    parser.add_argument("--repeats", type=int, default=1, help="training runs per library (alternating), seeds 0, 1, ...")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)

    import sklearn
    from threadpoolctl import threadpool_limits

    from .blas_info import describe_numpy, machine, numpy_blas

    x_train, x_test = _data()
    runs = []
    with threadpool_limits(limits=args.threads, user_api="blas"):
        load_before = os.getloadavg()
        for seed in range(args.repeats):
            order = (_fit_neuronet, _fit_sklearn) if seed % 2 == 0 else (_fit_sklearn, _fit_neuronet)
            result = {"seed": seed}
            for fit in order:
                model, seconds = fit(x_train, args, seed)
                name = "neuronet" if fit is _fit_neuronet else "sklearn"
                scored = model if name == "neuronet" else _as_neuronet(model)
                result[name] = {"seconds": round(seconds, 3),
                                "test_pll": float(scored.pseudo_log_likelihood(x_test.astype(scored.dtype)).mean())}
            runs.append(result)
        load_after = os.getloadavg()
    ours = np.median([r["neuronet"]["seconds"] for r in runs])
    theirs = np.median([r["sklearn"]["seconds"] for r in runs])
    report = {"settings": vars(args), "train_rows": len(x_train), "test_rows": len(x_test), "runs": runs,
              "speed_ratio": round(float(theirs / ours), 3), "sklearn": sklearn.__version__,
              "numpy": np.__version__, "blas": describe_numpy(numpy_blas()), "machine": machine(),
              "python": platform.python_version(), "load_average": {"before": load_before, "after": load_after}}
    decay = "" if args.final_lr is None else f" (neuronet: falling linearly to {args.final_lr})"
    print(f"RBM {784}-{args.hidden}, PCD-1, {args.epochs} epochs, batch {args.batch}, lr {args.lr}{decay}, "
          f"{len(x_train)} binarised MNIST-5k images; BLAS threads {args.threads}")
    print("| run | neuronet s | sklearn s | neuronet test PLL | sklearn test PLL |")
    print("|---|---:|---:|---:|---:|")
    for r in runs:
        print(f"| seed {r['seed']} | {r['neuronet']['seconds']:.2f} | {r['sklearn']['seconds']:.2f} | "
              f"{r['neuronet']['test_pll']:.2f} | {r['sklearn']['test_pll']:.2f} |")
    ours_pll = np.array([r["neuronet"]["test_pll"] for r in runs])
    theirs_pll = np.array([r["sklearn"]["test_pll"] for r in runs])
    diff = ours_pll - theirs_pll
    spread = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else float("nan")
    report["test_pll"] = {"neuronet_mean": float(ours_pll.mean()), "sklearn_mean": float(theirs_pll.mean()),
                          "paired_difference": float(diff.mean()), "difference_standard_error": float(spread)}
    print(f"test PLL mean: neuronet {ours_pll.mean():.2f} ± {ours_pll.std(ddof=1) if len(runs) > 1 else 0:.2f}, "
          f"sklearn {theirs_pll.mean():.2f} ± {theirs_pll.std(ddof=1) if len(runs) > 1 else 0:.2f} (std over seeds); "
          f"neuronet − sklearn, paired by seed: {diff.mean():+.2f} ± {spread:.2f} (standard error)")
    print(f"training speed ratio (sklearn time / neuronet time, median): {report['speed_ratio']:.2f}x")
    print(f"scikit-learn {sklearn.__version__}, NumPy {np.__version__}, BLAS: {report['blas']}; "
          f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after")
    if args.json:
        os.makedirs(os.path.dirname(args.json) or ".", exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2, default=str)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
