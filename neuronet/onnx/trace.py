"""Capture a forward pass as a list of (Function, inputs), the raw material of an ONNX graph.

The model runs once in eval mode, unfused (``Sequential`` calls each layer as written), with
gradient recording on so that every operation is recorded, and a tracer that keeps each
Function's inputs — constants included, which the autograd graph itself drops.  Each Function is
tagged with the layer that was running, so errors can name it.
"""
from __future__ import annotations

from ..autograd import enable_grad, set_tracer
from ..nn.sequential import unfused
from ..tensor import Tensor

__all__ = ["Trace", "capture"]


class Trace:
    """``records``: [(fn, inputs, layer)] in execution order; ``inputs``: the input tensors;
    ``outputs``: the output tensors (a tuple)."""

    def __init__(self, records, inputs, outputs):
        self.records, self.inputs, self.outputs = records, inputs, outputs


def capture(model, arrays) -> Trace:
    """Run ``model`` on ``arrays`` (one per model input) and record every Function it applies."""
    inputs = [Tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    records, layers = [], []
    named = {id(m): name or type(m).__name__ for name, m in model.named_modules()}
    patched = []
    for m in model.modules():
        def forward(*a, _f=m.forward, _n=named[id(m)], **k):
            layers.append(_n)
            try:
                return _f(*a, **k)
            finally:
                layers.pop()
        object.__setattr__(m, "forward", forward)
        patched.append(m)
    was = model.training
    previous = set_tracer(lambda fn, ins: records.append((fn, ins, layers[-1] if layers else type(model).__name__)))
    try:
        model.eval()
        with enable_grad(), unfused():
            out = model(*inputs)
    finally:
        set_tracer(previous)
        model.train(was)
        for m in patched:
            del m.__dict__["forward"]
    outputs = out if isinstance(out, tuple) else (out,)
    if not all(isinstance(o, Tensor) for o in outputs):
        raise TypeError(f"onnx.export: {type(model).__name__} returned {type(out).__name__}; expected a tensor or a "
                        "tuple of tensors")
    return Trace(records, inputs, outputs)
