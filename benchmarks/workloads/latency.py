"""Latency: batch-1 inference (eval, no_grad) of the MLP, LeNet, the LSTM over 50 steps and the
2-layer Transformer encoder — serving one request, where per-call overhead dominates.

The networks are the training workloads' own (same builders, same JAX functions); the report
shows these as microseconds per call (1 / samples per second at batch 1).
"""
from __future__ import annotations

from dataclasses import replace

from . import cnn, mlp, rnn, transformer
from .base import Workload, features, images, tokens


def _latency(base: Workload, name: str, make_inputs, forward_flops: int) -> Workload:
    return replace(base, name=name, family="latency", batch=1, train=False, make_inputs=make_inputs,
                   description=base.description.split(", SGD")[0].split(", Adam")[0] + ", inference, batch 1",
                   flops_per_sample=forward_flops, optimizer="sgd")


_LSTM = next(w for w in rnn.WORKLOADS if w.name == "lstm")
_LENET = next(w for w in cnn.WORKLOADS if w.name == "lenet")

WORKLOADS = [
    _latency(mlp.WORKLOADS[0], "mlp-b1", features(1, 784, 10), mlp.FORWARD_FLOPS),
    _latency(_LENET, "lenet-b1", images(1, 3, 32, 10), cnn.LENET_FORWARD),
    _latency(_LSTM, "lstm-b1", tokens(1, rnn.STEPS, rnn.VOCAB, 2), rnn.forward_flops("LSTM")),
    transformer.workload("transformer-b1", transformer.SMALL, 1, train=False),
]
WORKLOADS[-1] = replace(WORKLOADS[-1], family="latency")
