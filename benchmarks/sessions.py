"""One framework's model, optimizer, batch and step function for a workload.

A *session* is what the harness times and the memory probe measures: ``step()`` runs one
training step (forward, cross-entropy on integer labels, backward, optimizer step) or, for an
inference workload, one no_grad forward in eval mode.  The batch is converted to the
framework's tensors once, outside the timed region, for both frameworks alike.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .workloads import MissingFeature, Workload, copy_weights, require

_OPTIMIZERS = {"sgd": "SGD", "adam": "Adam"}


@dataclass
class Session:
    """A built model and the function that runs one step of the workload on it."""

    model: object
    step: Callable[[], None]
    first_output: np.ndarray  # the output of the building forward pass (lazy layers build there)


def neuronet_session(workload: Workload, x: np.ndarray, y: np.ndarray, seed: int) -> Session:
    """Build the neuronet side (raises MissingFeature when a layer, loss or optimizer is absent)."""
    import neuronet as nt

    nt.manual_seed(seed)
    model = workload.build_neuronet(nt)
    inputs, labels = nt.tensor(x), nt.tensor(y)
    if not workload.train:
        model.eval()
    with nt.no_grad():
        first = np.array(model(inputs).data, dtype=np.float32)
    if not workload.train:
        def infer():
            with nt.no_grad():
                model(inputs)
        return Session(model, infer, first)
    if workload.make_step is not None:
        return Session(model, workload.make_step("neuronet", nt, model, x, y, workload), first)

    cross_entropy = require(nt, "functional.cross_entropy")
    optimizer = require(nt, f"optim.{_OPTIMIZERS[workload.optimizer]}")(list(model.parameters()), lr=workload.lr)

    def train():
        optimizer.zero_grad()
        cross_entropy(model(inputs), labels).backward()
        optimizer.step()
    return Session(model, train, first)


def torch_session(workload: Workload, x: np.ndarray, y: np.ndarray, seed: int,
                  weights_from=None) -> tuple[Session, str | None]:
    """Build the torch side, with ``weights_from``'s (a neuronet model's) initial weights if given.

    Returns the session and None when the weights were copied, else the reason they were not.
    """
    import torch

    torch.manual_seed(seed)
    model = workload.build_torch(torch)
    note = "neuronet side not built" if weights_from is None else copy_weights(weights_from, model)
    inputs, labels = torch.from_numpy(x), torch.from_numpy(y)
    if not workload.train:
        model.eval()
    with torch.no_grad():
        first = model(inputs).numpy().copy()
    if not workload.train:
        def infer():
            with torch.no_grad():
                model(inputs)
        return Session(model, infer, first), note
    if workload.make_step is not None:
        return Session(model, workload.make_step("torch", torch, model, x, y, workload), first), note

    optimizer = getattr(torch.optim, _OPTIMIZERS[workload.optimizer])(model.parameters(), lr=workload.lr)
    cross_entropy = torch.nn.functional.cross_entropy

    def train():
        optimizer.zero_grad()
        cross_entropy(model(inputs), labels).backward()
        optimizer.step()
    return Session(model, train, first), note


def torch_state(model) -> tuple[list, list]:
    """The torch model's parameters and float buffers (batch norm's running statistics) as NumPy
    copies, in the order the JAX models read them (``workloads/jaxops.py``)."""
    params = [p.detach().numpy().copy() for p in model.parameters()]
    buffers = [b.detach().numpy().copy() for _, b in model.named_buffers() if b.dtype.is_floating_point]
    return params, buffers


def torch_reference(workload: Workload, model, x: np.ndarray, y: np.ndarray) -> dict:
    """One torch step on a copy of ``model`` (cross-entropy workloads): the loss, the parameters after
    it and the output after it, for the JAX parity check.  ``model`` itself is not changed."""
    import copy

    import torch

    inputs, labels = torch.from_numpy(x), torch.from_numpy(y)
    model = copy.deepcopy(model)
    if not workload.train:
        with torch.no_grad():
            out = model(inputs).numpy().copy()
        return {"loss": None, "params_after": None, "after_output": out}
    optimizer = getattr(torch.optim, _OPTIMIZERS[workload.optimizer])(model.parameters(), lr=workload.lr)
    loss = torch.nn.functional.cross_entropy(model(inputs), labels)
    loss.backward()
    optimizer.step()
    with torch.no_grad():
        after = model(inputs).numpy().copy()
    return {"loss": loss.item(), "params_after": [p.detach().numpy().copy() for p in model.parameters()],
            "after_output": after}


def neuronet_jit_session(workload: Workload, x: np.ndarray, y: np.ndarray, seed: int) -> Session:
    """The neuronet side with its step captured by ``nt.jit`` (``compile(jit=True)``'s mechanism):
    the same model, weights and step as :func:`neuronet_session`, replayed after two recorded runs.
    The batch is passed to the captured step as arguments, as ``fit`` does."""
    import neuronet as nt

    session = neuronet_session(workload, x, y, seed)
    inputs, labels = nt.tensor(x), nt.tensor(y)
    model = session.model
    if not workload.train:
        def forward(batch):
            with nt.no_grad():
                return model(batch)
        captured = nt.jit(forward)
        return Session(model, functools.partial(captured, inputs), session.first_output)
    if workload.make_step is not None:      # a whole-step closure (GAN, VAE): captured as it is
        captured = nt.jit(session.step)
        return Session(model, captured, session.first_output)
    cross_entropy = require(nt, "functional.cross_entropy")
    optimizer = require(nt, f"optim.{_OPTIMIZERS[workload.optimizer]}")(list(model.parameters()), lr=workload.lr)

    def train(batch, target):
        optimizer.zero_grad()
        loss = cross_entropy(model(batch), target)
        loss.backward()
        optimizer.step()
        return loss
    captured = nt.jit(train)
    return Session(model, functools.partial(captured, inputs, labels), session.first_output)


#: neuronet's sessions by name: the harness times each name listed in ``Settings.variants`` as its own
#: framework column (``--variants neuronet,neuronet-jit`` adds the step-capture one next to eager).
NEURONET_VARIANTS: dict[str, Callable] = {"neuronet": neuronet_session, "neuronet-jit": neuronet_jit_session}

__all__ = ["MissingFeature", "NEURONET_VARIANTS", "Session", "neuronet_jit_session", "neuronet_session", "torch_reference", "torch_session",
           "torch_state"]
