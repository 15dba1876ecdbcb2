"""``summary()``: each layer with its output shape and parameter count, and the weight memory."""
from __future__ import annotations

from .. import backend
from ..autograd import no_grad
from ..backend import np
from ..nn.sequential import unfused
from ..tensor import Tensor

__all__ = ["summary"]


def _fmt_bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{n} B"
        n /= 1024


def _shape_of(out, other=None):
    """The shape of ``out`` with None where it differs from ``other`` (the same output of a probe
    with another batch size): the batch axis wherever it is, e.g. (1, None, 16) for the hidden
    state of a PyTorch-style LSTM, which puts layers first."""
    if isinstance(out, (tuple, list)):
        others = other if isinstance(other, (tuple, list)) and len(other) == len(out) else [None] * len(out)
        return ", ".join(_shape_of(o, p) for o, p in zip(out, others))
    if not hasattr(out, "shape"):
        return "?"
    if other is None or not hasattr(other, "shape") or len(other.shape) != len(out.shape):
        return str((None,) + tuple(out.shape[1:]))
    return str(tuple(None if a != b else a for a, b in zip(out.shape, other.shape)))


def default_input_dtype(model):
    """The dtype of a dummy input for ``model``: int64 when its first layer is an Embedding (it takes
    token ids), else the default float dtype."""
    from ..nn.layers.embedding import Embedding

    first = next(iter(model.children()), None)
    return np.dtype("int64") if isinstance(first, Embedding) else np.dtype(backend.get_default_dtype())


def summary(model, input_shape=None, print_fn=print) -> str:
    """Print (and return) a table of the model's top-level layers.

    Output shapes come from two dummy forward passes (batches of 2 and 3, eval mode, no graph)
    with ``input_shape`` (without the batch dimension; token ids when the first layer is an
    Embedding) or the shape the model was built with; the sizes that follow the batch show as None.  That
    pass runs each layer on its own (``unfused``): the table describes the layers as written,
    not the fused passes ``Sequential`` runs in training.

    Example:
        >>> model = nt.Sequential([nt.nn.Dense(16, activation="relu"), nt.nn.Dense(1)])
        >>> table = nt.train.summary(model, input_shape=(4,), print_fn=lambda s: None)
        >>> "Total params: 97" in table
        True
    """
    spec = getattr(model, "_input_spec", None)
    if input_shape is not None:
        spec = [(tuple(input_shape), default_input_dtype(model).str)]
    outputs = {}  # each child's outputs in the two probes
    if spec is not None:
        originals = []
        for name, child in model.named_children():
            def recorder(*a, _f=child.forward, _n=name, **k):
                out = _f(*a, **k)
                outputs.setdefault(_n, []).append(out)
                return out
            object.__setattr__(child, "forward", recorder)
            originals.append(child)
        was = model.training
        try:
            with no_grad(), unfused():
                model.eval()
                # two batch sizes: the axes whose size follows the batch are shown as None
                model_outs = [model(*[Tensor(np.zeros((batch, *shape), dtype=np.dtype(dt))) for shape, dt in spec])
                              for batch in (2, 3)]
        finally:
            model.train(was)
            for child in originals:
                del child.__dict__["forward"]
    rows = [("Layer (type)", "Output shape", "Params")]
    for name, child in model.named_children():
        unknown = "(not built)" if not child.built else "(not called)" if spec is not None else "?"
        seen = outputs.get(name)
        # a layer called k times per pass (shared) has 2k outputs: its first call in each probe compared
        shape = _shape_of(seen[0], seen[len(seen) // 2] if len(seen) % 2 == 0 else None) if seen else unknown
        rows.append((f"{name} ({type(child).__name__})", shape,
                     f"{child.count_params():,}"))
    total = model.count_params()
    trainable = sum(p.data.size for p in model.parameters() if p.requires_grad)
    mem = sum(p.data.nbytes for p in model.parameters()) + sum(b.nbytes for b in model.buffers())
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    line = "-" * (sum(widths) + 6)
    out = [f'Model: "{type(model).__name__}"', line]
    for i, r in enumerate(rows):
        out.append(f"{r[0]:<{widths[0]}}   {r[1]:<{widths[1]}}   {r[2]:>{widths[2]}}")
        if i == 0:
            out.append("=" * len(line))
    if spec is not None:  # the model's own output (a tied head or a computation outside the children shows here)
        out.append(f"{'Model output':<{widths[0]}}   {_shape_of(*model_outs)}")
    out += [line, f"Total params: {total:,}", f"Trainable params: {trainable:,}",
            f"Non-trainable params: {total - trainable:,}", f"Weight memory: {_fmt_bytes(mem)}", line]
    text = "\n".join(out)
    if print_fn is not None:
        print_fn(text)
    return text
