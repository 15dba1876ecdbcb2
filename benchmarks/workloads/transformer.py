"""Transformer encoder classifier: embedding → 2 post-norm encoder layers → mean over time → Dense 2.

vocab 5000, d_model 128, 4 heads, feed-forward 256 (ReLU), dropout 0 (so both frameworks do
identical arithmetic), T = 64, batch 32, Adam.  No positional encoding: the benchmark times the
encoder stack, and the torch side has no built-in one to match.
"""
from __future__ import annotations

from .base import Workload, construct, require, tokens

VOCAB, D_MODEL, HEADS, FFN, LAYERS, STEPS, BATCH = 5000, 128, 4, 256, 2, 64, 32


def build_neuronet(nt):
    module, sequential = require(nt, "nn.Module"), require(nt, "nn.Sequential")
    embedding, dense = require(nt, "nn.Embedding"), require(nt, "nn.Dense")
    encoder_layer, mean = require(nt, "nn.TransformerEncoderLayer"), require(nt, "functional.mean")

    def make_layer():
        return construct(encoder_layer,
                         required={("d_model", "embed_dim", "units"): D_MODEL,
                                   ("num_heads", "heads", "nhead", "n_heads"): HEADS,
                                   ("dim_feedforward", "ff_dim", "ffn_dim", "d_ff", "ffn_units", "hidden_dim"): FFN},
                         optional={("dropout", "rate", "dropout_rate"): 0.0, ("activation",): "relu",
                                   ("norm_first",): False})

    class MeanPoolTransformerClassifier(module):
        def __init__(self):
            super().__init__()
            self.embedding = embedding(VOCAB, D_MODEL)
            self.encoder = sequential([make_layer() for _ in range(LAYERS)])
            self.head = dense(2)

        def forward(self, ids):
            return self.head(mean(self.encoder(self.embedding(ids)), axis=1))

    return MeanPoolTransformerClassifier()


def build_torch(torch):
    nn = torch.nn

    class MeanPoolTransformerClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(VOCAB, D_MODEL)
            self.encoder = nn.Sequential(*[
                nn.TransformerEncoderLayer(D_MODEL, HEADS, FFN, dropout=0.0, activation="relu", batch_first=True)
                for _ in range(LAYERS)])
            self.head = nn.Linear(D_MODEL, 2)

        def forward(self, ids):
            return self.head(self.encoder(self.embedding(ids)).mean(dim=1))

    return MeanPoolTransformerClassifier()


WORKLOADS = [
    Workload(name="transformer", family="transformer", batch=BATCH, train=True,
             description=f"Transformer encoder {LAYERS}×(d {D_MODEL}, {HEADS} heads, FFN {FFN}), vocab {VOCAB}, "
                         f"T={STEPS}, mean pool → Dense 2, Adam, batch {BATCH}",
             make_inputs=tokens(BATCH, STEPS, VOCAB, 2), build_neuronet=build_neuronet, build_torch=build_torch),
]
