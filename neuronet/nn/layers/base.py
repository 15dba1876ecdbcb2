"""The base of the built-in layers: Module, plus one check of what a layer is called on.

Keras converts what a layer is called on (``Dense(3)([[1.0, 2.0]])`` works); PyTorch refuses
anything but a tensor.  Here, at the boundary of every built-in layer and before its lazy build:

- a tensor or an array passes unchanged (an integer input keeps today's behaviour);
- nested lists or tuples of numbers become a tensor, as ``nt.tensor`` makes it (floats in the
  default dtype, integers int64), so lazy layers can read their input size from it;
- complex, object or string data is refused with a TypeError naming the layer, before it could
  be computed with (complex outputs would lose their imaginary part in backward; objects fail
  deep inside NumPy); so are ragged lists and Python complex numbers or strings.

Lists that hold tensors or arrays (a layer's list of inputs or states) are left to the layer.
"""
from __future__ import annotations

from ...tensor import REAL_KINDS, Tensor, as_array, refuse_non_real
from ..module import Module

__all__: list[str] = []


def _has_arrays(items) -> bool:
    """Whether a list or tuple holds tensors or arrays anywhere (then it is not one array's data)."""
    stack = [items]
    while stack:
        for item in stack.pop():
            if isinstance(item, Tensor) or hasattr(item, "shape"):
                return True
            if isinstance(item, (list, tuple)):
                stack.append(item)
    return False


def layer_input(name: str, value):
    """``value`` as the layer called ``name`` receives it: lists of numbers as a tensor, non-real data refused."""
    if isinstance(value, Tensor):
        refuse_non_real(name, value.data.dtype)
        return value
    if hasattr(value, "dtype") and hasattr(value, "shape"):  # a NumPy or CuPy array, a NumPy scalar
        refuse_non_real(name, value.dtype)
        return value
    if isinstance(value, (complex, str, bytes)):
        raise TypeError(f"{name}: expected a tensor, an array or a list of numbers, got {type(value).__name__} "
                        f"{value!r}; neuronet computes with real numbers only")
    if isinstance(value, (list, tuple)) and not _has_arrays(value):
        try:
            return Tensor(as_array(value, where=name))
        except ValueError as e:  # ragged nesting; the message names the layer
            raise TypeError(f"{e} (expected a tensor, an array or a rectangular list of numbers)") from None
    return value


class _Layer(Module):
    """A Module whose positional inputs go through :func:`layer_input` before the lazy build and
    ``forward`` — the one place where every built-in layer checks what it is called on."""

    def _input_name(self) -> str:
        name = getattr(self, "_name", None)
        return name() if callable(name) else type(self).__name__

    def __call__(self, *args, **kwargs):
        if args:
            name = None
            checked = []
            for a in args:
                if a is None or (isinstance(a, Tensor) and a.data.dtype.kind in REAL_KINDS):
                    checked.append(a)  # the common case, at no cost
                    continue
                name = name or self._input_name()
                checked.append(layer_input(name, a))
            args = tuple(checked)
        return super().__call__(*args, **kwargs)
