"""RBMs on binarised MNIST-5k trained by CD-1, CD-10 and PCD, compared by their test log-likelihood
in nats, with log Z estimated by annealed importance sampling (Salakhutdinov & Murray 2008).

Also checks AIS where the answer is known: a 20-hidden-unit RBM on the same images has an exact
log Z (2²⁰ hidden states enumerated).  Writes the filters and Gibbs-chain samples as PNGs.

Run: python examples/rbm_mnist_ais.py              (about 10 minutes on 2 CPU cores)
     python examples/rbm_mnist_ais.py --lr 0.01 --methods CD-1,PCD --no-check --out runs/rbm-mnist-ais-lr0.01
     python examples/rbm_mnist_ais.py --methods CD-1,PCD --epochs 50 --final-lr 0 --no-check   (Tieleman's decay)
     python examples/rbm_mnist_ais.py --quick      (seconds; what the tests run)
"""
import argparse
import json
import os
import time

import numpy as np

import neuronet as nt
from neuronet.models.energy import (RBM, ais_log_partition, average_log_likelihood, base_rate_bias,
                                    exact_log_partition)


def data(seed=0):
    x, y = nt.data.load_mnist_5k(flatten=True)
    x = (x > 0.5).astype(np.float32)
    x_train, x_test, _, _ = nt.data.train_test_split(x, y, test_size=0.2, stratify=y, seed=seed)
    return x_train, x_test


def train(x, method, hidden, epochs, seed, lr=0.05, final_lr=None):
    k, persistent = {"CD-1": (1, False), "CD-10": (10, False), "PCD": (1, True)}[method]
    rbm = RBM(hidden, k=k, persistent=persistent, lr=lr, momentum=0.5, weight_decay=2e-4, batch_size=20, seed=seed)
    t0 = time.perf_counter()
    rbm.fit(x, epochs=epochs, final_lr=final_lr)
    return rbm, time.perf_counter() - t0


def main(hidden=100, epochs=20, ais_runs=100, n_betas=14500, check_hidden=20, out="runs/rbm-mnist-ais", seed=0,
         plots=True, train_rows=None, lr=0.05, methods=("CD-1", "CD-10", "PCD"), final_lr=None):
    nt.manual_seed(seed)
    x_train, x_test = data()  # one fixed split: seeds vary the training and AIS only
    x_train = x_train[:train_rows]
    base = base_rate_bias(x_train)
    os.makedirs(out, exist_ok=True)
    results = {}
    if check_hidden:  # AIS where log Z is known exactly
        small, _ = train(x_train, "CD-1", check_hidden, max(1, epochs // 2), seed, lr)
        exact = exact_log_partition(small)
        estimate, band = ais_log_partition(small, n_runs=ais_runs, n_betas=n_betas, base_bias=base, seed=seed)
        results["ais_check"] = {"hidden": check_hidden, "exact_log_z": exact, "ais_log_z": estimate, "band": band,
                                "test_ll_exact": average_log_likelihood(small, x_test, exact),
                                "test_ll_ais": average_log_likelihood(small, x_test, estimate)}
        print(f"AIS check, 784-{check_hidden} RBM: exact log Z {exact:.3f}, AIS {estimate:.3f} "
              f"[{band[0]:.3f}, {band[1]:.3f}]")
    for method in methods:
        rbm, seconds = train(x_train, method, hidden, epochs, seed, lr, final_lr)
        t0 = time.perf_counter()
        log_z, band = ais_log_partition(rbm, n_runs=ais_runs, n_betas=n_betas, base_bias=base, seed=seed)
        results[method] = {"train_seconds": round(seconds, 1), "ais_seconds": round(time.perf_counter() - t0, 1),
                           "log_z": log_z, "band": band,
                           "train_ll": average_log_likelihood(rbm, x_train, log_z),
                           "test_ll": average_log_likelihood(rbm, x_test, log_z),
                           "reconstruction_error": rbm.history["reconstruction_error"][-1]}
        r = results[method]
        print(f"{method:>5}: test log-likelihood {r['test_ll']:.2f} nats (train {r['train_ll']:.2f}), "
              f"log Z {log_z:.2f} [{band[0]:.2f}, {band[1]:.2f}], reconstruction error "
              f"{r['reconstruction_error']:.2f}; trained in {seconds:.1f}s")
        if plots:
            try:
                from neuronet.viz import save_image_panels, save_rbm_filters
                save_rbm_filters(rbm.weight, os.path.join(out, f"filters-{method}.png"), (28, 28),
                                 title=f"RBM filters ({method})")
                v = (rbm.rng.random((6, 784)) < 0.5).astype(np.float32)
                steps = [1, 10, 100, 1000]
                chain = [rbm.visible_mean(rbm.sample_hidden(v := rbm.gibbs(v, s - (steps[i - 1] if i else 0))))
                         for i, s in enumerate(steps)]
                save_image_panels(np.stack(chain, axis=0), os.path.join(out, f"gibbs-{method}.png"), (28, 28),
                                row_labels=[f"step {s}" for s in steps], title=f"Gibbs chains ({method})")
            except ImportError:
                plots = False
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--methods", default="CD-1,CD-10,PCD")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--final-lr", type=float, default=None,
                        help="learning rate falling linearly from --lr to this over training (Tieleman 2008: 0)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-check", action="store_true", help="skip the AIS-vs-exact check")
    parser.add_argument("--out", default="runs/rbm-mnist-ais")
    args = parser.parse_args()
    if args.quick:
        main(hidden=16, epochs=2, ais_runs=20, n_betas=500, check_hidden=8)
    else:
        main(lr=args.lr, methods=tuple(args.methods.split(",")), check_hidden=0 if args.no_check else 20, out=args.out,
             epochs=args.epochs, final_lr=args.final_lr, seed=args.seed)
