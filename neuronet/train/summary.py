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


def _shape_of(out):
    if isinstance(out, (tuple, list)):
        return ", ".join(_shape_of(o) for o in out)
    return str((None,) + tuple(out.shape[1:])) if hasattr(out, "shape") else "?"


def summary(model, input_shape=None, print_fn=print) -> str:
    """Print (and return) a table of the model's top-level layers.

    Output shapes come from one dummy forward pass (batch of 2, eval mode, no graph) with
    ``input_shape`` (without the batch dimension) or the shape the model was built with.  That
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
        spec = [(tuple(input_shape), np.dtype(backend.get_default_dtype()).str)]
    shapes = {}
    if spec is not None:
        originals = []
        for name, child in model.named_children():
            def recorder(*a, _f=child.forward, _n=name, **k):
                out = _f(*a, **k)
                shapes[_n] = _shape_of(out)
                return out
            object.__setattr__(child, "forward", recorder)
            originals.append(child)
        was = model.training
        try:
            with no_grad(), unfused():
                model.eval()
                model_out = model(*[Tensor(np.zeros((2, *shape), dtype=np.dtype(dt))) for shape, dt in spec])
        finally:
            model.train(was)
            for child in originals:
                del child.__dict__["forward"]
    rows = [("Layer (type)", "Output shape", "Params")]
    for name, child in model.named_children():
        unknown = "(not built)" if not child.built else "(not called)" if spec is not None else "?"
        rows.append((f"{name} ({type(child).__name__})", shapes.get(name, unknown),
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
        out.append(f"{'Model output':<{widths[0]}}   {_shape_of(model_out)}")
    out += [line, f"Total params: {total:,}", f"Trainable params: {trainable:,}",
            f"Non-trainable params: {total - trainable:,}", f"Weight memory: {_fmt_bytes(mem)}", line]
    text = "\n".join(out)
    if print_fn is not None:
        print_fn(text)
    return text
