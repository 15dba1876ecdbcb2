"""Training a functional model with several outputs: one loss per output, weighted and summed.

neuronet's training loop carries the targets as one array (sliced into batches, shuffled, split
for validation), so the targets of the outputs travel packed side by side in one float64 array
(N, total size per sample) and are unpacked, each in its shape and dtype, where the loss and
metrics of each output read them.  Class labels survive the trip exactly (float64 holds every
integer up to 2^53; the batch is cast to the model's float dtype, exact for labels below 2^24).
"""
from __future__ import annotations

import math

from ..backend import np
from ..nn.losses import get_loss
from ..nn.module import Module
from ..tensor import Tensor
from ..train.inputs import as_data, fit_targets_to_loss

__all__ = ["per_output", "Packed", "pack_targets", "MultiOutputLoss", "OutputMetric"]


def per_output(what, value, names, nested=False):
    """``value`` as one entry per output: a dict by output name, a list in output order (for
    metrics: a list of lists), or one value for every output."""
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise ValueError(f"compile: {what} names {unknown}, which are not outputs; the outputs are {names}")
        return [value.get(n) for n in names]
    if isinstance(value, (list, tuple)) and len(value) == len(names) and (
            not nested or all(v is None or isinstance(v, (list, tuple)) for v in value)):
        return list(value)
    return [value] * len(names)


class MultiOutputLoss(Module):
    """Σ wᵢ · lossᵢ(outputᵢ, targetᵢ) over the outputs; targets come packed (see the module docstring)."""

    def __init__(self, losses, weights, layout, names):
        super().__init__()
        self.losses = [get_loss(loss) for loss in losses]
        for i, loss in enumerate(self.losses):
            if isinstance(loss, Module):
                self.add_module(f"loss_{i}", loss)
        self.weights = [1.0 if w is None else float(w) for w in weights]
        self.layout, self.names = layout, names
        self.reduction = "mean"

    def unpack(self, packed):
        """The targets of each output from the packed batch."""
        data = packed.data if isinstance(packed, Tensor) else packed
        out, start = [], 0
        for shape, dtype in self.layout:
            size = math.prod(shape)
            part = data[:, start:start + size].reshape((data.shape[0], *shape))
            out.append(part.astype(dtype) if np.dtype(dtype).kind in "iub" else part)
            start += size
        return out

    def forward(self, preds, packed):
        if not isinstance(preds, (list, tuple)) or len(preds) != len(self.losses):
            raise ValueError(f"MultiOutputLoss: expected {len(self.losses)} outputs, got {type(preds).__name__}")
        total = None
        for loss, w, pred, target in zip(self.losses, self.weights, preds, self.unpack(packed)):
            if self.reduction != "mean":
                loss.reduction = self.reduction
            try:
                value = loss(pred, Tensor(target))
            finally:
                if self.reduction != "mean":
                    loss.reduction = "mean"
            if value.ndim > 1:
                value = value.reshape(value.shape[0], -1).mean(axis=1)
            term = value * w
            total = term if total is None else total + term
        return total


class Packed(np.ndarray):
    """Targets already packed (slices stay Packed), so validation data split off them pass again."""


def pack_targets(ys, output_shapes, loss_kinds, n, what):
    """The targets of each output (a list, in output order) as one float64 array (N, Σ sizes), and
    their layout [(shape per sample, dtype)]."""
    parts, layout = [], []
    for i, (y, shape, kind) in enumerate(zip(ys, output_shapes, loss_kinds)):
        y = np.asarray(as_data(y))
        if y.dtype.kind not in "biuf":
            raise TypeError(f"{what}: y[{i}] has dtype {y.dtype}; expected numbers")
        if y.ndim == 0 or y.shape[0] != n:
            raise ValueError(f"{what}: x has {n} samples but y[{i}] has {y.shape[0] if y.ndim else 'a scalar'}")
        y = fit_targets_to_loss(y, kind, shape)
        layout.append((tuple(y.shape[1:]), y.dtype.str))
        parts.append(y.reshape(n, -1).astype(np.float64))
    return np.concatenate(parts, axis=1).view(Packed), layout


class OutputMetric:
    """A metric of one output: ``update`` picks that output's targets and predictions."""

    def __init__(self, metric, index, loss, name):
        self.metric, self.index, self.loss, self.name = metric, index, loss, name

    def update(self, y_packed, preds):
        self.metric.update(self.loss.unpack(y_packed)[self.index], preds[self.index])

    def result(self):
        return self.metric.result()

    def reset(self):
        self.metric.reset()
