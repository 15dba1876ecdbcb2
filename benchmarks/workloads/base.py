"""What a workload is, how a missing neuronet feature is reported, and how weights are shared.

A workload builds the same network twice, once with neuronet and once with PyTorch, with
identical shapes, float32, the same loss (cross-entropy on integer labels), optimizer and
hyper-parameters.  neuronet's lazily built initial weights are copied into the torch model so
that both frameworks do the same arithmetic on the same numbers.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Callable

import numpy as np


class MissingFeature(Exception):
    """neuronet lacks a layer, op or optimizer that a workload needs (reported as 'missing')."""


def require(root, path: str):
    """The attribute at dotted ``path`` under ``root`` (e.g. ``require(nt, "nn.Conv2D")``).

    Raises MissingFeature naming the first attribute that does not exist, so a workload whose
    layers are not written yet is reported as missing instead of crashing the suite.
    """
    current = root
    walked = getattr(root, "__name__", type(root).__name__)
    for part in path.split("."):
        if not hasattr(current, part):
            raise MissingFeature(f"{walked} has no attribute {part!r}")
        current = getattr(current, part)
        walked = f"{walked}.{part}"
    return current


def construct(cls, required: dict[tuple[str, ...], object], optional: dict[tuple[str, ...], object] = None):
    """Call ``cls`` with keyword arguments whose names are picked from aliases in its signature.

    ``required`` maps alternative names (e.g. ``("num_heads", "heads", "nhead")``) to a value;
    a layer whose signature has none of them is reported as MissingFeature (its API is not the
    one this benchmark knows).  ``optional`` values are passed only when a name matches.
    """
    params = inspect.signature(cls).parameters
    kwargs = {}
    for group, strict in ((required, True), (optional or {}, False)):
        for aliases, value in group.items():
            name = next((a for a in aliases if a in params), None)
            if name is None:
                if strict:
                    raise MissingFeature(f"{cls.__name__}{inspect.signature(cls)} takes none of {aliases}")
                continue
            kwargs[name] = value
    return cls(**kwargs)


@dataclass(frozen=True)
class Workload:
    """One benchmark: a network, its input, and how it is trained (or only run forward).

    Args:
        name: unique id used on the command line and in the JSON (``mlp-b64``).
        family: the workloads file it comes from (mlp, cnn, rnn, transformer).
        description: one line for the table and README.
        batch: samples per step; throughput is reported in samples/s.
        train: True for forward + backward + optimizer step, False for no_grad eval forward.
        make_inputs: ``rng -> (x, labels)`` NumPy arrays shared by both frameworks.
        build_neuronet: ``nt -> Module`` (raises MissingFeature when a layer does not exist).
        build_torch: ``torch -> torch.nn.Module`` with the same architecture.
        optimizer: "sgd" or "adam" (both frameworks, same ``lr``, other settings default).
        make_step: builds the training step when it is not cross-entropy on the labels (see the field).
        flops_per_sample: product FLOPs per sample of one step (2·M·N·K per product; backward
            counted as 2× forward, see ``benchmarks/flops.py``), for GFLOP/s and the peak fraction.
        build_jax: ``() -> forward(params, state, x, train) -> (output, state)``, the same network as
            a pure JAX function over the torch model's parameters and buffers (``workloads/jaxops.py``);
            a module-level function or ``functools.partial`` of one, since it is sent to the JAX
            worker process.  None: the workload has no JAX version.
    """

    name: str
    family: str
    description: str
    batch: int
    train: bool
    make_inputs: Callable[[np.random.Generator], tuple[np.ndarray, np.ndarray]]
    build_neuronet: Callable
    build_torch: Callable
    optimizer: str = "adam"
    lr: float = 1e-3
    flops_per_sample: float | None = None
    #: ``(framework, lib, model, x, y, workload) -> step`` for a training step other than cross-entropy
    #: (auto-encoders, VAEs, GANs: workloads/generative.py); the step builds what the model still lacks
    make_step: Callable | None = None
    build_jax: Callable | None = None


def images(batch: int, channels: int, size: int, classes: int):
    """Input maker for NCHW float32 images with integer class labels."""
    def make(rng: np.random.Generator):
        x = rng.standard_normal((batch, channels, size, size), dtype=np.float32)
        return x, rng.integers(0, classes, size=batch)
    return make


def features(batch: int, width: int, classes: int):
    """Input maker for (batch, width) float32 vectors with integer class labels."""
    def make(rng: np.random.Generator):
        return rng.standard_normal((batch, width), dtype=np.float32), rng.integers(0, classes, size=batch)
    return make


def tokens(batch: int, steps: int, vocab: int, classes: int):
    """Input maker for (batch, steps) int64 token ids with integer class labels."""
    def make(rng: np.random.Generator):
        return rng.integers(0, vocab, size=(batch, steps)), rng.integers(0, classes, size=batch)
    return make


def copy_weights(nt_model, torch_model) -> str | None:
    """Copy neuronet's parameters into the torch model, in registration order.

    Both frameworks list parameters depth first, a module's own before its children's, and
    neuronet follows PyTorch's names and layouts, so the i-th tensors correspond.  A torch
    tensor may also be the concatenation along axis 0 of consecutive neuronet tensors (torch's
    fused ``in_proj_weight`` against separate query/key/value weights).  Returns None on
    success, else why the weights could not be matched (torch then keeps its own init).
    """
    import torch

    ours = [p.data for p in nt_model.parameters()]
    theirs = list(torch_model.parameters())
    plan, i = [], 0
    for n, target in enumerate(theirs):
        shape = tuple(target.shape)
        if i < len(ours) and tuple(ours[i].shape) == shape:
            plan.append((target, ours[i]))
            i += 1
            continue
        parts, rows = [], 0
        while (shape and i < len(ours) and ours[i].ndim == len(shape) and tuple(ours[i].shape[1:]) == shape[1:]
               and rows + ours[i].shape[0] <= shape[0]):
            parts.append(ours[i])
            rows += ours[i].shape[0]
            i += 1
            if rows == shape[0]:
                break
        if not shape or rows != shape[0]:
            got = "none left" if i >= len(ours) else f"next is {tuple(ours[i].shape)}"
            return f"torch parameter #{n} {shape} has no neuronet match ({got})"
        plan.append((target, np.concatenate(parts, axis=0)))
    if i != len(ours):
        return f"neuronet has {len(ours) - i} more parameter tensors than torch"
    with torch.no_grad():
        for target, value in plan:
            target.copy_(torch.from_numpy(np.ascontiguousarray(value, dtype=np.float32)))
    return None
