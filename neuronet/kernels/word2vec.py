"""numba kernel for one word2vec minibatch step (optional: see ``compiled.py``; importing this module imports numba).

The reference is the NumPy path of ``models/word2vec/model.py``: gather the rows, one
``negative_sampling_loss`` Function (forward, backward from its derivative), scatter −lr·gradient
back.  This kernel does the same minibatch step pair by pair without the (B, K, D) gathers: scores
and gradients of every pair are computed from the tables as they were before the step (phase 1),
then the output rows and the input rows are updated (phases 2 and 3) — the same arithmetic as the
reference, summed in another order (float32 rounding apart, the same result; a test checks it).
"""
from __future__ import annotations

import math

import numpy as np

from .compiled import compile_kernel

__all__ = ["sgns_step"]

_jit = compile_kernel()


@_jit
def sgns_step(w_in, w_out, inputs, targets, noise, lr):
    """One SGD step of negative sampling on B pairs; returns the summed loss.

    inputs (B, C): input rows averaged into u (C = 1 for skip-gram; −1 marks an empty CBOW slot);
    targets (B,): the true output rows; noise (B, K): noise output rows (one equal to the target is
    skipped).  Every input row of a pair takes the whole dL/du (word2vec.c's CBOW rule)."""
    b_size, c_size = inputs.shape
    k_size = noise.shape[1]
    d_size = w_in.shape[1]
    h = np.zeros((b_size, d_size), dtype=np.float32)
    gh = np.zeros((b_size, d_size), dtype=np.float32)
    gs = np.zeros((b_size, k_size + 1), dtype=np.float32)
    loss = 0.0
    for b in range(b_size):                       # phase 1: u, scores, dL/ds, dL/du from the old tables
        count = 0
        for c in range(c_size):
            i = inputs[b, c]
            if i >= 0:
                count += 1
                for d in range(d_size):
                    h[b, d] += w_in[i, d]
        if count == 0:
            continue
        inv = np.float32(1.0 / count)
        for d in range(d_size):
            h[b, d] *= inv
        t = targets[b]
        for k in range(k_size + 1):
            row = t if k == 0 else noise[b, k - 1]
            if k > 0 and row == t:
                continue
            s = np.float32(0.0)
            for d in range(d_size):
                s += h[b, d] * w_out[row, d]
            sig = 1.0 / (1.0 + math.exp(-s)) if s >= 0 else math.exp(s) / (1.0 + math.exp(s))
            if k == 0:   # −log σ(s);  d/ds = σ(s) − 1
                loss += math.log1p(math.exp(-abs(s))) + max(-s, 0.0)
                g = np.float32(sig - 1.0)
            else:        # −log σ(−s); d/ds = σ(s)
                loss += math.log1p(math.exp(-abs(s))) + max(s, 0.0)
                g = np.float32(sig)
            gs[b, k] = g
            for d in range(d_size):
                gh[b, d] += g * w_out[row, d]
    step = np.float32(lr)
    for b in range(b_size):                       # phase 2: output rows, dL/dv = g·u
        for k in range(k_size + 1):
            g = gs[b, k]
            if g != 0.0:
                row = targets[b] if k == 0 else noise[b, k - 1]
                for d in range(d_size):
                    w_out[row, d] -= step * g * h[b, d]
    for b in range(b_size):                       # phase 3: input rows, dL/du
        for c in range(c_size):
            i = inputs[b, c]
            if i >= 0:
                for d in range(d_size):
                    w_in[i, d] -= step * gh[b, d]
    return loss
