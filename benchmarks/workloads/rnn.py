"""Recurrent sequence classifiers: embedding 5000×64 → LSTM or GRU (hidden 128) → last hidden → Dense 2.

Sequences are T = 50 token ids, batch 32, trained with Adam; the whole sequence is
back-propagated (no truncation), as PyTorch's ``nn.LSTM``/``nn.GRU`` do.
"""
from __future__ import annotations

from functools import partial

from .. import flops
from .base import Workload, require, tokens

VOCAB, EMBED, HIDDEN, STEPS, BATCH = 5000, 64, 128, 50, 32
GATES = {"LSTM": 4, "GRU": 3}


def forward_flops(cell: str, steps: int = STEPS) -> int:
    """Per sample: the recurrent layer's products over ``steps`` and the head (the embedding is a gather)."""
    return flops.lstm(EMBED, HIDDEN, steps, GATES[cell]) + flops.dense(HIDDEN, 2)


def _build_neuronet(cell: str):
    def build(nt):
        sequential, embedding = require(nt, "nn.Sequential"), require(nt, "nn.Embedding")
        recurrent, dense = require(nt, f"nn.{cell}"), require(nt, "nn.Dense")
        return sequential([embedding(VOCAB, EMBED), recurrent(HIDDEN, return_sequences=False), dense(2)])
    return build


def _build_torch(cell: str):
    def build(torch):
        class LastHiddenClassifier(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.embedding = torch.nn.Embedding(VOCAB, EMBED)
                self.recurrent = getattr(torch.nn, cell)(EMBED, HIDDEN, batch_first=True)
                self.head = torch.nn.Linear(HIDDEN, 2)

            def forward(self, ids):
                outputs, _ = self.recurrent(self.embedding(ids))
                return self.head(outputs[:, -1])
        return LastHiddenClassifier()
    return build


def classifier_jax(cell: str, params, state, x, train):
    from . import jaxops

    r = jaxops.Reader(params, state)
    h = getattr(jaxops, cell.lower())(r, jaxops.embedding(r, x))
    return jaxops.linear(r, h), r.done()


def build_jax(cell: str):
    return partial(classifier_jax, cell)


def _workload(cell: str) -> Workload:
    return Workload(
        name=cell.lower(), family="rnn", batch=BATCH, train=True,
        description=f"Embedding {VOCAB}×{EMBED} → {cell} {HIDDEN} → last hidden → Dense 2, T={STEPS}, "
                    f"Adam, batch {BATCH}",
        make_inputs=tokens(BATCH, STEPS, VOCAB, 2), build_neuronet=_build_neuronet(cell),
        build_torch=_build_torch(cell), flops_per_sample=flops.train(forward_flops(cell)),
        build_jax=partial(build_jax, cell))


WORKLOADS = [_workload("LSTM"), _workload("GRU")]
