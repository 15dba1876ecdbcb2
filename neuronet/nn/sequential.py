"""Sequential: layers applied one after another, each output the next input.

Children are named "0", "1", ... as in ``torch.nn.Sequential``, so state-dict keys read
``"0.weight"``, ``"1.bias"`` and weights can be exchanged with an equivalent PyTorch model.
"""
from __future__ import annotations

import contextlib
import threading

from .. import backend
from ..autograd import _mode, _wrap, no_grad
from ..backend import np
from ..tensor import Tensor
from .layers.activation import ReLU
from .module import Module, config_name

__all__ = ["Sequential", "unfused"]


class _Fusing(threading.local):
    off = False  # set True (in this thread) by ``unfused``; a class default: no AttributeError per lookup


_fusing = _Fusing()
_NO_OPTIONS: dict = {}  # a layer fused with nothing (shared, never written)


@contextlib.contextmanager
def unfused():
    """Within this block (in this thread) every ``Sequential`` calls each of its layers on its
    own, as written, instead of fusing ReLU/pooling into the layer before: what ``summary``
    needs to report each layer's own output shape.  Values are the same either way.

    Example:
        >>> model = nt.Sequential([nt.nn.Dense(4, activation="relu"), nt.nn.Dense(2)])
        >>> x = nt.randn(3, 5)
        >>> with nt.nn.unfused():
        ...     y = model(x)
        >>> bool(np.allclose(y.numpy(), model(x).numpy(), atol=1e-6))  # same result, layer by layer
        True
    """
    was = _fusing.off
    _fusing.off = True
    try:
        yield
    finally:
        _fusing.off = was


class Sequential(Module):
    """A stack of layers: ``forward(x)`` runs them in order.

    Layers may be given as a list (Keras style) or as separate arguments (PyTorch style), and
    appended later with :meth:`add`.  A ``ReLU`` layer right after a layer that can apply it in
    its own passes (a convolution or ``Dense`` without activation, batch norm: ``fuses_relu``)
    is fused into it, and so is a ``MaxPool2D`` whose windows tile the output of a ``Conv2D``
    (with or without that ``ReLU`` between: ``F.conv2d_max_pool2d``): the same values and
    gradients, fewer passes over memory and fewer saved arrays.

    Example::

        model = nt.nn.Sequential([nt.nn.Dense(16, activation="tanh"), nt.nn.Dense(1)])
        model = nt.nn.Sequential(nt.nn.Dense(16, activation="tanh"), nt.nn.Dense(1))
        model.build((None, 4))            # create the lazy parameters now
        print(model.state_dict().keys())  # 0.weight, 0.bias, 1.weight, 1.bias
    """

    def __init__(self, layers=None, *more_layers):
        super().__init__()
        if layers is None:
            layers = []
        elif isinstance(layers, Module):
            layers = [layers]
        elif not isinstance(layers, (list, tuple)):
            raise TypeError(f"Sequential: expected layers as a list or as separate arguments, "
                            f"got {type(layers).__name__}")
        for layer in (*layers, *more_layers):
            self.add(layer)

    def add(self, layer: Module) -> "Sequential":
        """Append ``layer`` (named by its position: "0", "1", ...)."""
        if not isinstance(layer, Module):
            raise TypeError(f"Sequential.add: expected a Module (layer), got {type(layer).__name__}")
        self.add_module(str(len(self)), layer)
        return self

    def __len__(self) -> int:
        return len(self._module_names)

    def _layers(self) -> list:
        """The layers in order: ``list(self.children())`` without its two generators (a call
        makes this list every time, a share of a batch-1 inference)."""
        modules = self.__dict__
        return [m for m in map(modules.get, self._module_names) if m is not None]

    def __iter__(self):
        return iter(self._layers())

    def __getitem__(self, index):
        layers = self._layers()
        if isinstance(index, slice):
            return type(self)(layers[index])
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"Sequential indices must be integers or slices, got {type(index).__name__}")
        if not -len(layers) <= index < len(layers):
            raise IndexError(f"Sequential: index {index} is out of range for {len(layers)} layers")
        return layers[index]

    def forward(self, x):
        layers = self._layers()
        if _fusing.off:
            for layer in layers:
                x = layer(x)
            return x
        plan = []
        i, count = 0, len(layers)
        while i < count:
            layer, options = layers[i], _NO_OPTIONS
            i += 1
            if i < count:
                after = layers[i]
                if type(after) is ReLU and not after._hooks and getattr(layer, "fuses_relu", False):
                    options = {"then_relu": True}  # relu(layer(x)) in the layer's own passes: one array less
                    i += 1
                if i < count and hasattr(layer, "fuses_max_pool") and layer.fuses_max_pool(layers[i]):
                    # pooled in the convolution's pass, the full output never stored
                    options = dict(options, then_pool=layers[i])
                    i += 1
            plan.append((layer, options))
        if not _mode.enabled and _mode.capture is None and isinstance(x, Tensor):
            return _infer(plan, x)
        for layer, options in plan:
            x = layer(x, **options)
        return x

    def build(self, input_shape, dtype=None) -> None:
        """Create every lazy layer's parameters by running a batch of 2 zeros through the model.

        Args:
            input_shape: the input shape including the batch axis (its size is ignored, so
                ``(None, 784)`` is fine), e.g. ``(None, 1, 28, 28)`` for images.
            dtype: dtype of the dummy input (default: the default float dtype; use ``"int64"``
                when the first layer is an Embedding).
        """
        if not input_shape or any(d is None for d in input_shape[1:]):
            raise ValueError(f"Sequential.build: expected an input shape (batch, ...) with every size after the "
                             f"batch known, got {input_shape!r}")
        dtype = backend.get_default_dtype() if dtype is None else np.dtype(dtype)
        dummy = Tensor(np.zeros((2, *input_shape[1:]), dtype=dtype), dtype=dtype)
        was_training = self.training
        self.eval()
        try:
            with no_grad():
                self.forward(dummy)
        finally:
            self.train(was_training)
        self.built = True

    def get_config(self) -> dict:
        """The configuration of every layer, in order (layers added with :meth:`add` included)."""
        return {"class": config_name(type(self)),
                "config": {"layers": [{"__module__": layer.get_config()} for layer in self.children()]}}


def _infer(plan, x):
    """The layers of ``plan`` applied to ``x`` without recording a graph: a layer that offers an
    ``infer_array(data, **options)`` (Dense, Conv2D, MaxPool2D, Flatten, TransformerEncoderLayer,
    Embedding, SimpleRNN, LSTM, GRU)
    is given the array itself, which skips the per-call work of a layer call (input checks, Tensor
    wrapping, Function bookkeeping) — most of a batch-1 call's time; it returns None when its call
    could differ (hooks, another dtype, a bad shape), and every other layer is called as usual.
    Values are those of the layer calls."""
    data, tensor = x.data, x
    for i, (layer, options) in enumerate(plan):
        route = getattr(layer, "infer_array", None)
        out = None if route is None else route(data, **options)
        if out is not None:
            data, tensor = out, None
            continue
        tensor = layer(tensor if tensor is not None else _wrap(data), **options)
        if not isinstance(tensor, Tensor):  # a layer that returns something else (a tuple): the rest as usual
            for later, later_options in plan[i + 1:]:
                tensor = later(tensor, **later_options)
            return tensor
        data = tensor.data
    return tensor if tensor is not None else _wrap(data)
