"""Transformer encoder classifiers: embedding → post-norm encoder layers → mean over time → Dense 2.

``transformer``: vocab 5000, d_model 128, 4 heads, feed-forward 256, 2 layers, T = 64, batch 32.
``transformer-6``: the bigger one of issue 21, 6 layers of d_model 256, 8 heads, feed-forward 1024,
T = 128, batch 16.  ReLU, dropout 0 (so the frameworks do identical arithmetic), Adam.  No
positional encoding: the benchmark times the encoder stack, and the torch side has no built-in one.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from .. import flops
from .base import Workload, construct, require, tokens


@dataclass(frozen=True)
class Shape:
    vocab: int = 5000
    d_model: int = 128
    heads: int = 4
    ffn: int = 256
    layers: int = 2
    steps: int = 64

    def forward_flops(self, steps: int | None = None) -> int:
        steps = self.steps if steps is None else steps
        return self.layers * flops.encoder_layer(self.d_model, self.ffn, steps) + flops.dense(self.d_model, 2)


SMALL = Shape()
BIG = Shape(d_model=256, heads=8, ffn=1024, layers=6, steps=128)


def build_neuronet_shaped(shape: Shape, nt):
    module, sequential = require(nt, "nn.Module"), require(nt, "nn.Sequential")
    embedding, dense = require(nt, "nn.Embedding"), require(nt, "nn.Dense")
    encoder_layer, mean = require(nt, "nn.TransformerEncoderLayer"), require(nt, "functional.mean")

    def make_layer():
        return construct(encoder_layer,
                         required={("d_model", "embed_dim", "units"): shape.d_model,
                                   ("num_heads", "heads", "nhead", "n_heads"): shape.heads,
                                   ("dim_feedforward", "ff_dim", "ffn_dim", "d_ff", "ffn_units", "hidden_dim"):
                                       shape.ffn},
                         optional={("dropout", "rate", "dropout_rate"): 0.0, ("activation",): "relu",
                                   ("norm_first",): False})

    class MeanPoolTransformerClassifier(module):
        def __init__(self):
            super().__init__()
            self.embedding = embedding(shape.vocab, shape.d_model)
            self.encoder = sequential([make_layer() for _ in range(shape.layers)])
            self.head = dense(2)

        def forward(self, ids):
            return self.head(mean(self.encoder(self.embedding(ids)), axis=1))

    return MeanPoolTransformerClassifier()


def build_torch_shaped(shape: Shape, torch):
    nn = torch.nn

    class MeanPoolTransformerClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(shape.vocab, shape.d_model)
            self.encoder = nn.Sequential(*[
                nn.TransformerEncoderLayer(shape.d_model, shape.heads, shape.ffn, dropout=0.0, activation="relu",
                                           batch_first=True)
                for _ in range(shape.layers)])
            self.head = nn.Linear(shape.d_model, 2)

        def forward(self, ids):
            return self.head(self.encoder(self.embedding(ids)).mean(dim=1))

    return MeanPoolTransformerClassifier()


def classifier_jax(shape: Shape, params, state, x, train):
    from . import jaxops

    r = jaxops.Reader(params, state)
    h = jaxops.embedding(r, x)
    for _ in range(shape.layers):
        h = jaxops.encoder_layer(r, h, shape.heads)
    return jaxops.linear(r, h.mean(axis=1)), r.done()


def build_jax(shape: Shape):
    return partial(classifier_jax, shape)


build_neuronet = partial(build_neuronet_shaped, SMALL)
build_torch = partial(build_torch_shaped, SMALL)


def workload(name: str, shape: Shape, batch: int, train: bool = True, note: str = "") -> Workload:
    """An encoder-classifier workload of ``shape`` (also used by the latency and scaling workloads)."""
    forward = shape.forward_flops()
    return Workload(
        name=name, family="transformer", batch=batch, train=train,
        description=f"Transformer encoder {shape.layers}×(d {shape.d_model}, {shape.heads} heads, FFN {shape.ffn}), "
                    f"vocab {shape.vocab}, T={shape.steps}, mean pool → Dense 2, "
                    + ("Adam" if train else "inference (eval, no_grad)") + f", batch {batch}{note}",
        make_inputs=tokens(batch, shape.steps, shape.vocab, 2), build_neuronet=partial(build_neuronet_shaped, shape),
        build_torch=partial(build_torch_shaped, shape), flops_per_sample=flops.train(forward) if train else forward,
        build_jax=partial(build_jax, shape))


WORKLOADS = [workload("transformer", SMALL, 32), workload("transformer-6", BIG, 16)]
