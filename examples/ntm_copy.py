"""The Neural Turing Machine's copy task: store a sequence of bit vectors, then write it out again.

A short run of ``neuronet train ntm-copy``: an NTM (LSTM controller, 128 × 20 memory, one read and
one write head) trains on copies of length 1–20 and is tested on 20 and on 40 (beyond its training
lengths), in bits wrong per sequence; the write and read weightings over time are drawn
(``ntm_memory_access.png``: a trained NTM writes one row per step, then reads the same rows back).
The full comparison with an LSTM is the recipe (about 40 minutes on 2 CPU cores).

Run: python examples/ntm_copy.py [steps]      (300 steps: about 5 minutes on 2 CPU cores)
"""
import sys

import numpy as np

import neuronet as nt
from neuronet.recipes.memory import bits_wrong, copy_task, save_memory_heatmaps, train_sequence_task


def main(steps: int = 300, seed: int = 0, plot: str | None = "ntm_memory_access.png", max_len: int = 20):
    nt.manual_seed(seed)
    ntm = nt.models.NTM(8, memory_rows=128, memory_width=20, controller_units=100)
    history = train_sequence_task(ntm, lambda rng: copy_task(32, int(rng.integers(1, max_len + 1)), 8, rng),
                                  steps, lr=1e-3, log_every=max(1, steps // 5), log=print)
    errors = {n: bits_wrong(ntm, lambda b, rng, n=n: copy_task(b, n, 8, rng), n=50) for n in (max_len, 2 * max_len)}
    for n, e in errors.items():
        print(f"length {n}: {e:.1f} bits wrong per sequence (of {8 * n})")
    if plot:
        try:
            x, _ = copy_task(1, max_len, 8, np.random.default_rng(5))
            print("memory access drawn in", save_memory_heatmaps(ntm, x, plot))
        except ImportError:
            print("matplotlib is not installed: no plot")
    return history, errors


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
