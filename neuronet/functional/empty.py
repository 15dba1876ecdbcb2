"""Operations on empty batches: outputs of the right shapes and zero gradients, as PyTorch gives.

A convolution, pooling, recurrent layer or batch norm over N = 0 samples has nothing to compute,
but its output still has a shape — (0, C_out, OH, OW), (0, T, H), ... — and its parameters still
get a gradient: zero, since no sample contributed.  The fused Functions are written for N ≥ 1
(chunking over the batch, ``reshape(n, c, -1)``, compiled kernels), so their public functions
check the shapes as usual and then hand an empty batch to :func:`empty_result` instead.
"""
from __future__ import annotations

from ..autograd import Function
from ..backend import array_module
from ..tensor import Tensor

__all__: list[str] = []


class EmptyResult(Function):
    """Zero-filled outputs of the given shapes; every input gets a zero gradient of its own shape."""

    def __init__(self, shapes, dtype):
        self.shapes, self.dtype = shapes, dtype

    def forward(self, *inputs):
        arrays = [a for a in inputs if a is not None and hasattr(a, "shape")]
        xp = array_module(*arrays)
        if self.recording:
            self.meta = [None if a is None or not hasattr(a, "shape") else (a.shape, a.dtype) for a in inputs]
        outs = tuple(xp.zeros(s, dtype=self.dtype) for s in self.shapes)
        return outs[0] if len(outs) == 1 else outs

    def backward(self, *gys):
        # no output element depends on any input element: every gradient is zero
        xp = array_module(*gys)
        return tuple(xp.zeros(m[0], dtype=m[1]) if need and m is not None else None
                     for m, need in zip(self.meta, self.needs_grad))


def empty_result(shapes, *inputs, dtype=None):
    """The outputs (one shape, or a list of shapes for several outputs) of an operation on an empty
    batch, zero-filled, in ``dtype`` (default: the first input's), linked to ``inputs`` so that
    each of them that requires a gradient gets a zero one."""
    first = inputs[0].data if isinstance(inputs[0], Tensor) else inputs[0]
    several = isinstance(shapes, list)
    shapes = [tuple(int(n) for n in s) for s in (shapes if several else [shapes])]
    return EmptyResult.apply(*inputs, shapes=shapes, dtype=first.dtype if dtype is None else dtype)
