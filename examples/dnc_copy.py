"""The Differentiable Neural Computer on the copy task: allocation by usage, reading back by links.

A short run of ``neuronet train dnc-copy``: a DNC at the NTM recipe's sizes (LSTM controller of 100
units, 128 × 20 memory, one read and one write head) trains on copies of length 1–20 and is tested
on 20 and on 40, in bits wrong per sequence; its memory use is drawn (``dnc_memory_use.png``: the
write and read weightings and the usage over time, and the temporal link matrix at the end). A
trained DNC writes each vector to the least-used row (allocation gate open), then at the delimiter
finds the first row by content and follows the links forward (forward read mode), so the rows it
uses need not be contiguous.

Run: python examples/dnc_copy.py [steps]      (300 steps: about 5 minutes on 2 CPU cores under load)
"""
import sys

import numpy as np

import neuronet as nt
from neuronet.recipes.memory import bits_wrong, copy_task, make_copy_dnc, save_dnc_heatmaps, train_sequence_task


def main(steps: int = 300, seed: int = 0, plot: str | None = "dnc_memory_use.png", max_len: int = 20,
         model=None):
    nt.manual_seed(seed)
    dnc = model or make_copy_dnc()
    history = train_sequence_task(dnc, lambda rng: copy_task(32, int(rng.integers(1, max_len + 1)), 8, rng),
                                  steps, lr=1e-3, log_every=max(1, steps // 5), log=print)
    errors = {n: bits_wrong(dnc, lambda b, rng, n=n: copy_task(b, n, 8, rng), n=50) for n in (max_len, 2 * max_len)}
    for n, e in errors.items():
        print(f"length {n}: {e:.1f} bits wrong per sequence (of {8 * n})")
    if plot:
        try:
            x, _ = copy_task(1, max_len, 8, np.random.default_rng(5))
            print("memory use drawn in", save_dnc_heatmaps(dnc, x, plot))
        except ImportError:
            print("matplotlib is not installed: no plot")
    return history, errors


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
