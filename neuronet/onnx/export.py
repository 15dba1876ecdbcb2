"""``export(model, example, path)``: a traced forward pass written as an ONNX graph."""
from __future__ import annotations

import os

import numpy as np

from ..backend import to_numpy
from ..tensor import Tensor
from .converters import CONVERTERS
from .graph import ExportError, GraphBuilder
from .trace import capture

__all__ = ["export", "DEFAULT_OPSET"]

DEFAULT_OPSET = 19


def _onnx():
    try:
        import onnx
    except ImportError:
        raise ImportError("onnx.export needs the onnx package: pip install 'neuronet[onnx]'") from None
    return onnx


def _other_example(arrays):
    """A second input with other values and one row more: what the traced constants must not
    depend on (rows reversed, tokens rolled, floats shifted), and what shows the constants that
    are sized by the batch."""
    rng = np.random.default_rng(12345)
    out = []
    for a in arrays:
        b = np.concatenate([a[::-1], a[:1]])  # one row more: constants sized by the batch show up
        if b.dtype.kind == "f":
            b = b + rng.normal(0, 0.1 * (float(np.std(a)) or 1.0), b.shape).astype(b.dtype)
        elif b.ndim >= 2:
            b = np.roll(b, 1, axis=1)
        out.append(b)
    return out


def _constant_arrays(fn, inputs):
    """The constants a Function computes with: its non-tensor inputs and its array attributes."""
    found = [(f"input {i}", x) for i, x in enumerate(inputs)
             if x is not None and not (isinstance(x, Tensor) and (x._creator is not None or x.requires_grad))]
    for name in ("allowed", "lengths", "indices"):
        value = getattr(fn, name, None)
        if value is not None and hasattr(value, "shape"):
            found.append((name, value))
    index = getattr(fn, "index", None)
    for i, part in enumerate(index if isinstance(index, tuple) else (index,)):
        if hasattr(part, "shape"):
            found.append((f"index {i}", part))
    return found


def _array(a):
    return np.asarray(to_numpy(a.data if isinstance(a, Tensor) else a))


def _same(a, b) -> bool:
    a, b = _array(a), _array(b)
    return a.shape == b.shape and np.array_equal(a, b)


def _batch_sized(a, b, n):
    """(value, trailing shape) when ``a`` and ``b`` are one value filled out to n and n+1 rows."""
    a, b = _array(a), _array(b)
    if (a.ndim and b.ndim == a.ndim and a.shape[0] == n and b.shape[0] == n + 1 and a.shape[1:] == b.shape[1:]
            and a.size and (a == a.flat[0]).all() and (b == a.flat[0]).all()):
        return a.flat[0], a.shape[1:]
    return None


class _Export(GraphBuilder):
    def __init__(self, onnx, dtype, trace, other):
        super().__init__(onnx, dtype)
        self.trace, self.other = trace, other
        self.values, self.shapes, self.fn_outputs = {}, {}, {}
        self.data_inputs = {}  # position in the records -> names of constants that are the model's input
        self.batched = set()   # names of values with the (dynamic) batch axis first
        self.batch_sized = {}  # id(constant) -> (value, trailing shape): rebuilt from the input's batch size

    def const(self, value, hint="const", dtype=None):
        name = super().const(value, hint, dtype)
        array = self.onnx.numpy_helper.to_array(self.initializers[-1])
        self.values[name], self.shapes[name] = array, array.shape
        return name

    def value_of(self, name):
        return self.values[name]

    def lookup_shape(self, name):
        return tuple(self.shapes[name])

    def resolve(self, x, hint):
        if x is None:
            return None
        if isinstance(x, Tensor) and x._creator is not None:
            names = self.fn_outputs.get(id(x._creator))
            if names is None:
                raise ExportError(f"onnx.export: a value used by layer {self.layer} comes from an operation the trace "
                                  "did not see (computed outside neuronet's Functions)")
            name = names[x._index]
            self.shapes.setdefault(name, tuple(x.shape))
            return name
        filled = self.batch_sized.get(id(x))
        if filled is not None:  # value expanded to (batch, *rest), the batch read from the first input
            value, rest = filled
            batch = self.node("Slice", [self.node("Shape", [self.input_names[0]]), self.ints([0]), self.ints([1])])
            shape = self.node("Concat", [batch, self.ints(rest)], axis=0)
            name = self.node("Expand", [self.const(np.asarray(value, _array(x).dtype), hint), shape])
            self.batched.add(name)
            return name
        return self.name_of(x, hint)

    def indices_of(self, fn):
        name = self.data_inputs.get(id(fn))
        return name if name is not None else self.const(np.asarray(fn.indices, np.int64), "indices", dtype=np.int64)


def _check_constants(trace, other, input_names, graph):
    """Every constant must be the same for both examples, except an Embedding's indices that are
    exactly the model's input (those become the graph input)."""
    if [type(r[0]) for r in trace.records] != [type(r[0]) for r in other.records]:
        raise ExportError("onnx.export: the model runs different operations for different inputs (control flow "
                          "that depends on the data), which a traced graph cannot express")
    for (fn, ins, layer), (fn2, ins2, _) in zip(trace.records, other.records):
        mine, theirs = _constant_arrays(fn, ins), _constant_arrays(fn2, ins2)
        for (what, a), (_, b) in zip(mine, theirs):
            if _same(a, b):
                continue
            filled = _batch_sized(a, b, trace.inputs[0].shape[0])
            if filled is not None and what.startswith("input"):
                graph.batch_sized[id(a)] = filled
                graph.keep.append(a)
                continue
            if what == "indices":
                hit = [name for t, name in zip(trace.inputs, input_names) if _same(t, a)]
                if hit:
                    graph.data_inputs[id(fn)] = hit[0]
                    continue
            raise ExportError(f"onnx.export: layer {layer}: {type(fn).__name__}'s {what} depends on the input "
                              f"values (a mask or lengths computed from the data), which a traced graph would "
                              f"freeze; this model cannot be exported yet")


def export(model, example, path, opset: int = DEFAULT_OPSET, input_names=None, output_names=None,
           dynamic_batch: bool = True):
    """Write ``model`` as an ONNX file that onnxruntime (or any ONNX runtime) runs.

    The model runs once on ``example`` (an array, or a tuple of arrays, one per input) and every
    operation it applies becomes ONNX nodes; parameters become initializers.  It runs a second
    time on other values to make sure nothing it computed from the data (a padding mask, sequence
    lengths) would be frozen into the graph — such models are refused, as is any operation with
    no converter; the message names the layer.  The batch axis is dynamic (``dynamic_batch``);
    every other size, sequence lengths included, is the example's.

    Args:
        model: a Module (eval mode is used for the trace; the model's mode is restored).
        example: array(s) of the shapes and dtypes the model takes, batch axis first.
        path: the ``.onnx`` file to write.
        opset: ONNX opset version (default 19).

    Returns:
        The ``onnx.ModelProto`` (also written to ``path``, checked with ``onnx.checker``).

    Example:
        >>> model = nt.Sequential([nt.nn.Dense(4, activation="relu", in_features=3), nt.nn.Dense(2)])
        >>> _ = nt.onnx.export(model, np.zeros((1, 3), np.float32), "model.onnx")  # needs onnx
        >>> import onnxruntime
        >>> session = onnxruntime.InferenceSession("model.onnx")
        >>> x = np.random.rand(5, 3).astype(np.float32)
        >>> out = session.run(None, {session.get_inputs()[0].name: x})[0]
        >>> bool(np.allclose(out, model.predict(x), atol=1e-5))  # the same numbers from onnxruntime
        True
    """
    onnx = _onnx()
    arrays = [np.asarray(to_numpy(a.data if isinstance(a, Tensor) else a))
              for a in (example if isinstance(example, (tuple, list)) else (example,))]
    if not os.fspath(path).endswith(".onnx"):
        raise ValueError(f"onnx.export: {os.fspath(path)!r} should end in '.onnx'")
    trace = capture(model, arrays)
    other = capture(model, _other_example(arrays))
    floats = [p.data.dtype for p in model.parameters() if p.data.dtype.kind == "f"]
    graph = _Export(onnx, floats[0] if floats else np.float32, trace, other)
    input_names = list(input_names or [f"input_{i}" if len(arrays) > 1 else "input" for i in range(len(arrays))])
    graph.input_names = input_names
    for t, name in zip(trace.inputs, input_names):
        graph.bind(t, name)
        graph.shapes[name] = t.shape
        graph.batched.add(name)
    _check_constants(trace, other, input_names, graph)
    for fn, ins, layer in trace.records:
        graph.layer = layer
        convert = CONVERTERS.get(type(fn).__name__)
        if convert is None:
            raise ExportError(f"onnx.export: layer {layer}: the operation {type(fn).__name__} has no ONNX converter yet")
        names = [graph.resolve(x, "value") for x in ins]
        out = convert(graph, fn, names)
        out = list(out) if isinstance(out, (list, tuple)) else [out]
        graph.fn_outputs[id(fn)] = out
        if any(n in graph.batched for n in names) or (type(fn).__name__ == "Embedding" and id(fn) in graph.data_inputs):
            graph.batched.update(out)
    outputs = [graph.resolve(t, "output") for t in trace.outputs]
    output_names = list(output_names or [f"output_{i}" if len(outputs) > 1 else "output" for i in range(len(outputs))])
    for name, final in zip(output_names, outputs):
        graph.nodes.append(onnx.helper.make_node("Identity", [final], [name]))
    used = {name for node in graph.nodes for name in node.input}
    graph.initializers = [i for i in graph.initializers if i.name in used]  # converters replaced some (gate orders)
    elem = lambda dt: onnx.helper.np_dtype_to_tensor_dtype(np.dtype(dt))  # noqa: E731
    batch = lambda shape: (["batch"] if dynamic_batch else [shape[0]]) + list(shape[1:])  # noqa: E731
    inputs = [onnx.helper.make_tensor_value_info(n, elem(a.dtype), batch(a.shape)) for n, a in zip(input_names, arrays)]
    outs = [onnx.helper.make_tensor_value_info(n, elem(t.data.dtype), batch(t.shape))
            for n, t in zip(output_names, trace.outputs)]
    proto = onnx.helper.make_model(
        onnx.helper.make_graph(graph.nodes, type(model).__name__, inputs, outs, graph.initializers),
        opset_imports=[onnx.helper.make_opsetid("", opset)], producer_name="neuronet")
    onnx.checker.check_model(proto)
    from ..io import _write_atomically
    _write_atomically(path, lambda f: f.write(proto.SerializeToString()))
    return proto
