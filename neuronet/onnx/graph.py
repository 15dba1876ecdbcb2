"""The ONNX graph being written: named values, nodes, initializers (onnx imported lazily)."""
from __future__ import annotations

import numpy as np

from ..backend import to_numpy
from ..tensor import Tensor

__all__ = ["GraphBuilder", "ExportError"]


class ExportError(ValueError):
    """The model uses something the ONNX exporter cannot write; the message names the layer.

    Example:
        >>> class PickFirst(nt.nn.Module):
        ...     def forward(self, x):
        ...         return F.gather(x, 1, np.zeros((2, 1), np.int64))
        >>> try:
        ...     nt.onnx.export(PickFirst(), np.zeros((2, 3), np.float32), "pick.onnx")
        ... except nt.onnx.ExportError as e:
        ...     print(e)
        onnx.export: layer PickFirst: the operation Gather has no ONNX converter yet
    """


class GraphBuilder:
    """Collects nodes and initializers; every value has a unique name.

    ``name_of(x)`` gives the graph name of a traced tensor (an input, a parameter, a Function
    output) or of a constant (an array or a number, written as an initializer)."""

    def __init__(self, onnx, dtype):
        self.onnx, self.helper = onnx, onnx.helper
        self.dtype = np.dtype(dtype)
        self.nodes, self.initializers = [], []
        self.names: dict = {}           # id(tensor) -> graph name
        self.keep: list = []            # objects whose id is a key of names (kept alive)
        self.counter = 0
        self.layer = ""

    def fresh(self, hint: str) -> str:
        self.counter += 1
        return f"{hint}_{self.counter}"

    def bind(self, tensor, name: str) -> None:
        self.names[id(tensor)] = name
        self.keep.append(tensor)

    def const(self, value, hint: str = "const", dtype=None) -> str:
        array = np.asarray(to_numpy(value) if hasattr(value, "shape") else value)
        if dtype is not None:
            array = array.astype(dtype)
        elif array.dtype.kind == "f":
            array = array.astype(self.dtype)
        elif array.dtype.kind == "b":
            array = array.astype(bool)
        elif array.dtype.kind in "iu":
            array = array.astype(np.int64)
        name = self.fresh(hint)
        self.initializers.append(self.onnx.numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def name_of(self, x, hint: str = "const") -> str:
        if isinstance(x, Tensor):
            name = self.names.get(id(x))
            if name is not None:
                return name
            if x._creator is None and x.requires_grad:  # a parameter: an initializer named once
                name = self.const(x.data, hint)
                self.bind(x, name)
                return name
            return self.const(x.data, hint)
        return self.const(x, hint)

    def node(self, op: str, inputs, n_outputs: int = 1, **attrs):
        """Add one node; returns its output name (or a list of names for ``n_outputs`` > 1)."""
        outputs = [self.fresh(op.lower()) for _ in range(n_outputs)]
        self.nodes.append(self.helper.make_node(op, list(inputs), outputs, name=self.fresh(f"{self.layer}/{op}"),
                                                **attrs))
        return outputs[0] if n_outputs == 1 else outputs

    def ints(self, values, hint="shape") -> str:
        return self.const(np.asarray(list(values), dtype=np.int64), hint, dtype=np.int64)
