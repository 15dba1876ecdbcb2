"""The base of the built-in layers: Module, plus one check of what a layer is called on.

Keras converts what a layer is called on (``Dense(3)([[1.0, 2.0]])`` works); PyTorch refuses
anything but a tensor.  Here, at the boundary of every built-in layer and before its lazy build:

- a tensor or an array passes unchanged (integer data into a floating-point layer: see the last point);
- nested lists or tuples of numbers become a tensor, as ``nt.tensor`` makes it (floats in the
  default dtype, integers int64), so lazy layers can read their input size from it;
- a Python number becomes a 0-d tensor, as a list of numbers does;
- complex, object or string data is refused with a TypeError naming the layer, before it could
  be computed with (complex outputs would lose their imaginary part in backward; objects fail
  deep inside NumPy); so are ragged lists and Python complex numbers or strings;
- layers that compute in floating point (``float_inputs`` > 0: Dense, convolutions, recurrent,
  normalization and attention layers, average pooling, ...) cast integer and boolean data in their
  first ``float_inputs`` positional inputs to their parameters' float dtype (the default dtype
  before they are built), as Keras casts inputs to a layer's compute dtype: uint8 images and int
  lists work, instead of failing inside NumPy or being computed with in integers;
- floating-point data of another precision in those positions (float64 NumPy data into a float32
  layer) is cast to the layer's dtype by ``F.cast``, keeping the graph: every such layer computes
  in its own dtype, where before Dense silently returned float64 and Conv2D raised.

Lists that hold tensors or arrays (a layer's list of inputs or states) are left to the layer.
"""
from __future__ import annotations

import numbers

from ... import backend
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
    if isinstance(value, numbers.Real) and not isinstance(value, Tensor):  # 2.5, True: a 0-d tensor
        return Tensor(as_array(value, where=name))
    if isinstance(value, (list, tuple)) and not _has_arrays(value):
        try:
            return Tensor(as_array(value, where=name))
        except ValueError as e:  # ragged nesting; the message names the layer
            raise TypeError(f"{e} (expected a tensor, an array or a rectangular list of numbers)") from None
    return value


class _Layer(Module):
    """A Module whose positional inputs go through :func:`layer_input` before the lazy build and
    ``forward`` — the one place where every built-in layer checks what it is called on."""

    #: how many leading positional inputs are floating-point data (see the module docstring)
    float_inputs = 0
    #: a penalty on the output added to the training loss (activity_regularization.py), and its last value
    activity_regularizer = None
    activity_loss = None

    def _float_dtype(self):
        """The dtype integer inputs are cast to: the first floating parameter's, else the default.

        The layer's own parameters come first in ``parameters()``, so they are looked at directly
        (no traversal of sub-modules: this runs on every call, and a batch-1 call is short)."""
        own = self.__dict__
        for name in self._param_names:
            p = own.get(name)
            if p is not None and p.data.dtype.kind == "f":
                return p.data.dtype
        for p in self.parameters():
            if p.data.dtype.kind == "f":
                return p.data.dtype
        return backend.get_default_dtype()

    def _input_name(self) -> str:
        name = getattr(self, "_name", None)
        return name() if callable(name) else type(self).__name__

    def __call__(self, *args, **kwargs):
        if args and not self._inputs_ready(args):
            args = self._checked_inputs(args)
        out = super().__call__(*args, **kwargs)
        if self.activity_regularizer is not None:
            from .activity_regularization import record_activity
            record_activity(self, out)
        return out

    def _inputs_ready(self, args) -> bool:
        """Whether every input is already what the layer computes with (real tensors or None, its
        float inputs in its own dtype): the common case, checked at almost no cost per call (a
        batch-1 call is a few microseconds of arithmetic); anything else goes to _checked_inputs."""
        for a in args:
            if not (a is None or (isinstance(a, Tensor) and a.data.dtype.kind in REAL_KINDS)):
                return False
        if self.float_inputs:
            dtype = self._float_dtype()
            for a in args[:self.float_inputs]:
                if a is None or a.data.dtype != dtype:
                    return False
        return True

    def _checked_inputs(self, args) -> tuple:
        """The inputs as the layer takes them (module docstring): lists as tensors, integer or
        other-precision float data in its float positions cast to the layer's dtype."""
        if args:
            name = None
            checked = []
            for a in args:
                if a is None or (isinstance(a, Tensor) and a.data.dtype.kind in REAL_KINDS):
                    checked.append(a)  # the common case, at no cost
                    continue
                name = name or self._input_name()
                checked.append(layer_input(name, a))
            for i in range(min(self.float_inputs, len(checked))):
                a = checked[i]
                data = a.data if isinstance(a, Tensor) else a
                kind = getattr(getattr(data, "dtype", None), "kind", "f")
                if kind in "biu":
                    checked[i] = Tensor(data.astype(self._float_dtype()))
                elif kind == "f":
                    dtype = self._float_dtype()
                    if data.dtype != dtype:
                        from ...functional.math import cast  # float64 data into a float32 layer: one dtype, keeping the graph
                        checked[i] = cast(a if isinstance(a, Tensor) else Tensor(data), dtype)
            args = tuple(checked)
        return args
