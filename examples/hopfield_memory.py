"""Hopfield networks as associative memories: the capacity curve and recall of image thumbnails.

1. Capacity (Hebbian storage, asynchronous recall started at each stored pattern): mean overlap
   and fraction of perfectly recalled patterns against the load α = P/N for N = 100, 200, 400;
   the overlap collapses near α ≈ 0.138 (Amit, Gutfreund & Sompolinsky 1985).
2. Recall: one binarised 14x14 thumbnail per class of MNIST-5k and of Fashion-MNIST is stored
   (Hebbian and pseudo-inverse rules), each is corrupted by flipping 20 % of its pixels, and the
   network recalls it; recall steps and the energy per sweep are drawn.
3. The modern Hopfield network stores all 10 (correlated) thumbnails at once and retrieves them
   in one update, which equals the project's scaled dot-product attention.

Run: python examples/hopfield_memory.py             (about 1 minute on 2 CPU cores)
     python examples/hopfield_memory.py --quick     (seconds; what the tests run)
"""
import argparse
import json
import os

import numpy as np

import neuronet as nt
from neuronet.models.energy import Hopfield, ModernHopfield, capacity_curve, flip_bits, to_bipolar


def collapse_load(curve, level=0.9):
    """The load where the mean overlap first falls below ``level`` (linear interpolation)."""
    loads, overlap = curve["loads"], curve["overlap"]
    below = np.flatnonzero(overlap < level)
    if below.size == 0 or below[0] == 0:
        return float("nan")
    i = below[0]
    return float(loads[i - 1] + (overlap[i - 1] - level) * (loads[i] - loads[i - 1]) / (overlap[i - 1] - overlap[i]))


def thumbnails(dataset):
    if dataset == "mnist":
        x, y = nt.data.load_mnist_5k(flatten=True)
    else:
        (x, y), _ = nt.data.load_fashion_mnist(flatten=True)
    x = x.reshape(-1, 28, 28)[:, ::2, ::2].reshape(-1, 196)
    return to_bipolar(x[[np.flatnonzero(y == c)[0] for c in range(10)]])


def main(sizes=(100, 200, 400), loads=np.arange(0.02, 0.2501, 0.01), trials=3, stored=5,
         out="runs/hopfield-memory", plots=True, seed=0):
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(seed)
    results = {"capacity": {}, "recall": {}}
    curves = []
    for n in sizes:
        curve = capacity_curve(n, loads, trials=trials, seed=seed)
        curves.append(curve)
        half = collapse_load({"loads": curve["loads"], "overlap": curve["perfect"]}, 0.5)
        results["capacity"][n] = {"collapse_load_overlap_0.9": collapse_load(curve), "half_perfect_load": half,
                                  "overlap": curve["overlap"].round(4).tolist(),
                                  "perfect": curve["perfect"].round(4).tolist(), "loads": curve["loads"].round(3).tolist()}
        print(f"N = {n}: overlap falls below 0.9 at α = {collapse_load(curve):.3f}; "
              f"fewer than half the patterns are recalled perfectly from α = {half:.3f}")
    for dataset in ("mnist", "fashion"):
        patterns = thumbnails(dataset)[:stored]
        noisy = flip_bits(patterns, 0.2, rng)
        for rule in ("hebbian", "pseudo_inverse"):
            restored, history = Hopfield(rule).store(patterns).recall(noisy, rng=rng, return_history=True)
            m = Hopfield.overlap(restored, patterns)
            results["recall"][f"{dataset}-{rule}"] = {"mean_overlap": float(m.mean()), "perfect": int((m == 1).sum()),
                                                      "sweeps": int(history["states"].shape[0] - 1)}
            print(f"{dataset} thumbnails, {stored} stored, {rule}: overlap after recall {m.mean():.3f} "
                  f"(from 0.6), {int((m == 1).sum())}/{stored} perfect")
            if plots:
                try:
                    from neuronet.viz import save_recall_steps
                    save_recall_steps(history["states"], history["energy"], os.path.join(out, f"recall-{dataset}-{rule}.png"),
                                      (14, 14), target=patterns, title=f"{dataset} thumbnails, {rule} storage")
                except ImportError:
                    plots = False
        # all ten correlated thumbnails in a modern Hopfield network (β = 0.1 on ±1 pixels)
        everything = thumbnails(dataset)
        net = ModernHopfield(beta=0.1).store(everything)
        noisy_all = flip_bits(everything, 0.2, rng)
        out_modern = np.sign(net.update(noisy_all))
        same = np.allclose(net.attention_update(noisy_all).numpy(), net.update(noisy_all))
        results["recall"][f"{dataset}-modern"] = {"mean_overlap": float(Hopfield.overlap(out_modern, everything).mean()),
                                                 "equals_attention": bool(same)}
        print(f"{dataset}: modern Hopfield, all 10 stored, one update: overlap "
              f"{results['recall'][f'{dataset}-modern']['mean_overlap']:.3f}; equals F.scaled_dot_product_attention: {same}")
    if plots:
        try:
            from neuronet.viz import save_capacity_curve
            save_capacity_curve(curves, os.path.join(out, "capacity.png"))
        except ImportError:
            pass
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(results, f, indent=2, default=str)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    if parser.parse_args().quick:
        main(sizes=(100,), loads=np.array([0.05, 0.1, 0.2, 0.3]), trials=1)
    else:
        main()
