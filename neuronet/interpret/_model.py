"""How the attribution methods call a model: a batch in, one chosen output per sample, input gradients out."""
from __future__ import annotations

import contextlib

import numpy as np

from ..autograd import no_grad
from ..backend import to_numpy
from ..tensor import Tensor, tensor

__all__ = ["model_outputs", "target_gradients", "as_batch"]


def as_batch(where: str, x) -> np.ndarray:
    """``x`` as a float NumPy array with a batch axis first (N, ...)."""
    x = to_numpy(x.data if isinstance(x, Tensor) else x)
    x = np.asarray(x)
    if x.dtype.kind not in "f":
        x = x.astype(np.float32)
    if x.ndim < 1 or x.shape[0] == 0:
        raise ValueError(f"{where}: expected a batch of inputs (N, ...), got shape {x.shape}")
    return x


@contextlib.contextmanager
def _evaluating(model):
    """Eval mode (no dropout, running batch-norm statistics) and parameter gradients left as they were."""
    params = hasattr(model, "parameters")
    saved = {id(p): p.grad for p in model.parameters()} if params else {}
    was = getattr(model, "training", None)
    if hasattr(model, "eval"):
        model.eval()
    try:
        yield
    finally:
        if was is not None and hasattr(model, "train"):
            model.train(was)
        for p in model.parameters() if params else ():      # lazy layers built by this call included
            p.grad = saved.get(id(p))


def _pick(where, out: np.ndarray, target, n: int) -> np.ndarray:
    """One-hot cotangent (n, K) choosing output ``target`` of each row, or ones for a single output."""
    out2 = out.reshape(n, -1)
    k = out2.shape[1]
    if target is None:
        if k != 1:
            raise ValueError(f"{where}: the model has {k} outputs per sample; say which one with target= "
                             f"(a class index, or one index per sample)")
        return np.ones_like(out2)
    t = np.asarray(target)
    if t.dtype.kind not in "iu" and not (t.dtype.kind == "f" and np.all(t == np.round(t))):
        raise TypeError(f"{where}: target must be an integer class index or one per sample, got {target!r}")
    t = np.broadcast_to(t.astype(np.int64).reshape(-1), (n,)) if t.size in (1, n) else None
    if t is None:
        raise ValueError(f"{where}: target needs 1 or {n} indices (one per sample), got {np.size(target)}")
    if t.min() < 0 or t.max() >= k:
        raise ValueError(f"{where}: target index out of range for {k} outputs: {np.unique(t).tolist()}")
    onehot = np.zeros_like(out2)
    onehot[np.arange(n), t] = 1
    return onehot


def model_outputs(where: str, model, x: np.ndarray, target=None) -> np.ndarray:
    """The chosen output of each sample, f_target(x), as a 1-D array (no graph)."""
    with _evaluating(model), no_grad():
        out = to_numpy(model(tensor(x)).data)
    return (out.reshape(x.shape[0], -1) * _pick(where, out, target, x.shape[0])).sum(axis=1)


def target_gradients(where: str, model, x: np.ndarray, target=None):
    """(∂f_target/∂x, f_target(x)) for every sample of the batch ``x`` in one backward pass.

    Samples are independent, so the gradient of the sum of the chosen outputs is each sample's own.
    """
    with _evaluating(model):
        xt = tensor(x, requires_grad=True)
        out = model(xt)
        if not isinstance(out, Tensor):
            raise TypeError(f"{where}: the model must return a Tensor, got {type(out).__name__}")
        data = to_numpy(out.data)
        pick = _pick(where, data, target, x.shape[0])
        out.backward(pick.reshape(data.shape).astype(data.dtype))
        grad = to_numpy(xt.grad) if xt.grad is not None else np.zeros_like(x)
    return grad, (data.reshape(x.shape[0], -1) * pick).sum(axis=1)
