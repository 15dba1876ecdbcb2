"""Reverse-mode automatic differentiation: the Function base class, the backward pass, gradcheck.

A :class:`Function` computes its forward on raw arrays and writes its backward from the
derivative, side by side (micrograd's layout).  ``Function.apply`` runs the forward and, when
gradients are being recorded, links the result tensors to the Function instance, which keeps
the input tensors and whatever arrays its backward needs.

``Tensor.backward`` orders the recorded Functions by an iterative, deterministic depth-first
topological sort (no recursion, so a 10,000-step unrolled graph is fine), sends each Function the
gradients of its outputs, and accumulates the gradients it returns: into ``.grad`` for leaf
tensors, into the pending output gradients of the Function that made a non-leaf tensor.  Unless
``retain_graph=True`` each Function drops its inputs and saved arrays as soon as its backward
has run, so peak memory in backward is no worse than in forward.
"""
from __future__ import annotations

import functools
import sys
import threading
import weakref

from . import backend
from .backend import np
from .tensor import REAL_KINDS, Tensor, as_array, refuse_non_real

__all__ = [
    "Function", "no_grad", "enable_grad", "is_grad_enabled", "set_grad_enabled",
    "backward", "unbroadcast", "gradcheck", "GradcheckError", "add_backward_observer", "effect",
]

class _GradMode(threading.local):
    """Whether operations are recorded, per thread (like PyTorch's grad mode): a ``predict`` or a
    ``no_grad`` block in one thread never turns recording off in another.  New threads record.
    ``tracer``, when set, is called with every recorded Function and all its inputs (constants
    included, which the graph itself drops): how ONNX export sees a whole computation.
    ``capture``, when set, is the recorder of a step capture (``nt.jit``): it is told of every
    Function application (recorded or not), every backward pass and every :func:`effect`."""

    enabled = True
    tracer = None
    capture = None


_mode = _GradMode()


def set_tracer(tracer):
    """Call ``tracer(fn, inputs)`` for every Function recorded in this thread (None: stop); returns
    the previous tracer.  Used by ``neuronet.onnx`` to capture a forward pass."""
    previous, _mode.tracer = _mode.tracer, tracer
    return previous


def effect(call, *args):
    """Run ``call(*args)``, a change of state outside any Function (an optimizer update, a counter):
    a step capture in progress (``nt.jit``) records the call so that each replay makes it again,
    and records nothing inside it (what ``call`` does is replayed whole)."""
    capture = _mode.capture
    if capture is None:
        return call(*args)
    _mode.capture = None
    try:
        result = call(*args)
    finally:
        _mode.capture = capture
    capture.effect(call, args, result)
    return result


def is_grad_enabled() -> bool:
    """True while operations are being recorded for backward (in this thread).

    Example:
        >>> nt.is_grad_enabled()
        True
        >>> with nt.no_grad():
        ...     nt.is_grad_enabled()
        False
    """
    return _mode.enabled


class set_grad_enabled:
    """Turn recording on or off in this thread: as a function call (``nt.set_grad_enabled(False)``
    takes effect at once, like PyTorch's), or as a context manager / decorator, restoring the
    previous mode at the end of the block.

    Example:
        >>> x = nt.tensor([1.0], requires_grad=True)
        >>> with nt.set_grad_enabled(False):
        ...     y = x * 2
        >>> y.requires_grad, nt.is_grad_enabled()
        (False, True)
    """

    def __init__(self, mode: bool):
        self.prev = _mode.enabled
        self.mode = bool(mode)
        _mode.enabled = self.mode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _mode.enabled = self.prev
        return False

    def __call__(self, func):
        """As a decorator: the mode holds inside ``func`` only (the call that made it is undone)."""
        _mode.enabled = self.prev
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return func(*args, **kwargs)
        return wrapper


class _GradModeBlock(set_grad_enabled):
    """A fixed mode set on entering the block (not at construction), restored on leaving it."""

    mode = True

    def __init__(self):
        self.prev = None

    def __enter__(self):
        self.prev = _mode.enabled
        _mode.enabled = self.mode
        return self

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with type(self)():
                return func(*args, **kwargs)
        return wrapper


class no_grad(_GradModeBlock):
    """``with nt.no_grad():`` — run without recording a graph (inference, parameter updates).

    Example:
        >>> x = nt.tensor([1.0], requires_grad=True)
        >>> with nt.no_grad():
        ...     y = x * 2
        >>> y.requires_grad
        False
    """

    mode = False


class enable_grad(_GradModeBlock):
    """``with nt.enable_grad():`` — record again inside a ``no_grad`` block.

    Example:
        >>> x = nt.tensor([1.0], requires_grad=True)
        >>> with nt.no_grad():
        ...     with nt.enable_grad():
        ...         y = x * 2
        >>> y.requires_grad
        True
    """

    mode = True


def unbroadcast(grad, shape):
    """Sum ``grad`` down to ``shape``: the backward of NumPy broadcasting."""
    if grad.shape == tuple(shape):
        return grad
    ndiff = grad.ndim - len(shape)
    if ndiff > 0:
        grad = grad.sum(axis=tuple(range(ndiff)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


class Function:
    """One differentiable operation: ``forward`` on arrays, ``backward`` from its derivative.

    Subclasses implement ``forward(self, *arrays)`` returning an array (or a tuple of arrays)
    and ``backward(self, *grad_outputs)`` returning one gradient per input (``None`` where no
    gradient is needed; ``self.needs_grad[i]`` says which are).  Constructor keyword arguments
    carry non-tensor parameters (axis, stride, ...).  Keep only what backward needs on ``self``.
    Backward must not modify the gradient arrays it receives; it may write over a saved array
    that :meth:`take_saved` reports as writable (nothing else holds it).

    Example:
        >>> class Exp(nt.Function):
        ...     def forward(self, x):
        ...         self.y = np.exp(x)
        ...         return self.y
        ...     def backward(self, gy):
        ...         return gy * self.y  # d/dx e^x = e^x
        >>> x = nt.tensor([0.0, 1.0], requires_grad=True, dtype=np.float64)
        >>> Exp.apply(x).sum().backward()
        >>> x.grad
        array([1.    , 2.7183])
        >>> nt.gradcheck(Exp.apply, x)
        True
    """

    inputs: tuple | None = None
    needs_grad: tuple = ()
    recording: bool = False
    n_outputs: int = 1
    final_backward: bool = False  # set by the backward pass: this backward is the last (graph not retained)

    @classmethod
    def apply(cls, *inputs, **params):
        """Run the forward on the inputs' data; record the graph if any input needs a gradient."""
        arrays, needs = [], []  # one pass: the data, what needs a gradient, and the check of each input
        for x in inputs:  # complex/object/string data would be computed, then cut to real in backward
            if isinstance(x, Tensor):
                data = x.data
                if data.dtype.kind in REAL_KINDS:
                    arrays.append(data)
                    needs.append(x.requires_grad)
                    continue
            elif type(x) in _PLAIN or (getattr(getattr(x, "dtype", None), "kind", "f") in REAL_KINDS
                                       and not isinstance(x, (complex, str, bytes))):
                arrays.append(x)
                needs.append(False)
                continue
            _refuse_input(cls, x)
        fn = cls(**params)
        needs = tuple(needs)
        fn.recording = recording = _mode.enabled and any(needs)
        fn.needs_grad = needs
        out = fn.forward(*arrays)
        given = inputs  # the tensors themselves (for a step capture): below, inputs become graph edges
        if recording:
            if _mode.tracer is not None:
                _mode.tracer(fn, inputs)
            inputs = _edges(inputs, needs)
        if isinstance(out, tuple):
            outs = tuple(_wrap(o) for o in out)
            if recording:
                fn.inputs = inputs
                fn.n_outputs = len(outs)
                fn._out_meta = [(o.data.shape, o.data.dtype) for o in outs]
                for i, o in enumerate(outs):
                    o.requires_grad = True
                    o._creator = fn
                    o._index = i
            if _mode.capture is not None:
                _mode.capture.apply(fn, params, given, outs)
            return outs
        y = _wrap(out)
        if recording:
            fn.inputs = inputs
            y.requires_grad = True
            y._creator = fn
        if _mode.capture is not None:
            _mode.capture.apply(fn, params, given, y)
        return y

    def forward(self, *arrays):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def backward(self, *grad_outputs):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.backward")

    def take_saved(self, name: str):
        """The saved array ``name`` and whether backward may overwrite it: only in the last
        backward (no ``retain_graph``) and when nothing else holds the array — no tensor, view
        or other Function — so its memory can take a result instead of a new array (PyTorch
        reaches the same with explicit in-place ops).  In the last backward the attribute is
        dropped from the Function."""
        if not self.final_backward:
            return getattr(self, name), False
        a = self.__dict__.pop(name)
        # references now: the local name and getrefcount's argument; a view of ``a`` would add one,
        # and when ``a`` is itself a view (a reshape) its owner must be held by ``a`` alone
        writable = type(a) is np.ndarray and sys.getrefcount(a) == 2 and (
            a.base is None or (type(a.base) is np.ndarray and a.base.base is None and sys.getrefcount(a.base) == 2))
        return a, writable

    def release(self) -> None:
        """Drop the inputs and saved arrays once backward has used them (the output count stays:
        a later backward from any output must reach the "second time" error, not a bad index)."""
        outputs = self.n_outputs
        self.__dict__.clear()
        self.inputs, self.n_outputs = None, outputs


_PLAIN = (float, int, bool, type(None))  # inputs that are real with no further look


def _refuse_input(cls, x) -> None:
    """The TypeError for a non-real input of Function ``cls``."""
    dtype = getattr(x.data if isinstance(x, Tensor) else x, "dtype", None)
    if dtype is None:
        dtype = np.asarray(x).dtype
    refuse_non_real(f"{cls.__name__} (an operation of neuronet.functional)", dtype)
    raise TypeError(f"{cls.__name__}: got an input of type {type(x).__name__}; expected a tensor or a real number")


class _Edge:
    """What backward needs of an intermediate (non-leaf) input: its creator, output index, shape
    and dtype, and a weak reference to the tensor (for ``retain_grad``) — not its data, so an
    activation is freed as soon as no Function's backward needs it (PyTorch's rule too)."""

    __slots__ = ("_creator", "_index", "shape", "dtype", "_tensor")

    def __init__(self, t: Tensor):
        self._creator, self._index = t._creator, t._index
        self.shape, self.dtype = t.data.shape, t.data.dtype
        self._tensor = weakref.ref(t)

    def retained(self):
        """The tensor if it still exists and asked to keep its gradient, else None."""
        t = self._tensor()
        return t if t is not None and t._retain else None


def _edges(inputs, needs):
    """The graph's record of a Function's inputs: leaves that need a gradient as themselves,
    intermediate tensors as an :class:`_Edge`, everything else (constants) as None."""
    return tuple((x if x._creator is None else _Edge(x)) if need else None for x, need in zip(inputs, needs))


def _wrap(array) -> Tensor:
    t = Tensor.__new__(Tensor)
    t.data = array
    t.grad = None
    t.requires_grad = False
    t._creator = None
    t._index = 0
    t._retain = False
    t.name = None
    return t


def _topological_order(root_fn):
    """Functions reachable from ``root_fn``, each after every Function that consumes its outputs."""
    order, visited = [], set()
    stack = [(root_fn, False)]
    while stack:
        fn, done = stack.pop()
        if done:
            order.append(fn)
            continue
        if id(fn) in visited:
            continue
        if fn.inputs is None:
            raise RuntimeError(
                f"backward through {type(fn).__name__} a second time: its saved arrays were freed by the "
                "first backward. Call the first .backward(retain_graph=True) to go through the graph again.")
        visited.add(id(fn))
        stack.append((fn, True))
        for x in fn.inputs:
            if x is not None and x._creator is not None and id(x._creator) not in visited:
                stack.append((x._creator, False))
    order.reverse()
    return order


_observers: list = []  # weak references to the objects add_backward_observer registered


def add_backward_observer(observer) -> None:
    """Tell ``observer`` when, during each backward pass, the leaves it watches have their final
    gradient, and when the pass ends (what data-parallel training needs to start averaging a
    layer's gradients while the backward pass is still running on the layers before it).

    ``observer.watched`` is a dict ``{id(leaf): leaf}``; ``observer.grad_ready(leaf)`` is called
    once per pass for each watched leaf as soon as no Function left in the pass adds to its
    ``.grad``; ``observer.backward_done()`` is called at the end of every pass.  The observer is
    held weakly: dropping the last reference unregisters it.
    """
    _observers.append(weakref.ref(observer))


def _live_observers() -> list:
    live = [o() for o in _observers]
    _observers[:] = [ref for ref, o in zip(_observers, live) if o is not None]
    return [o for o in live if o is not None]


def _uses_of_watched_leaves(order, observers) -> dict:
    """How many Function inputs of the pass each watched leaf is: its gradient is final after the last."""
    watched = {}
    for o in observers:
        watched.update(o.watched)
    uses = {}
    for fn in order:
        for x, need in zip(fn.inputs, fn.needs_grad):
            if need and x is not None and x._creator is None and id(x) in watched:
                uses[id(x)] = uses.get(id(x), 0) + 1
    return uses


def _count_down(fn, uses, observers) -> None:
    """``fn``'s backward has run (or had nothing to send): one use less for each watched leaf it takes."""
    for x, need in zip(fn.inputs, fn.needs_grad):
        if need and x is not None and id(x) in uses:
            uses[id(x)] -= 1
            if uses[id(x)] == 0:
                for o in observers:
                    if id(x) in o.watched:
                        o.grad_ready(x)


def backward(root: Tensor, grad=None, retain_graph: bool = False) -> None:
    """Fill ``.grad`` of every leaf tensor that ``root`` depends on with d(root)/d(leaf)."""
    if not root.requires_grad:
        raise RuntimeError("backward() on a tensor that does not require grad: no input of the "
                           "computation had requires_grad=True (or it ran under nt.no_grad())")
    xp = backend.array_module(root.data)
    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(f"backward() without a gradient needs a one-element tensor, got shape "
                               f"{root.shape}; pass grad= of that shape")
        grad = xp.ones_like(root.data)
    else:
        grad = as_array(grad, dtype=root.data.dtype, xp=xp)
        if grad.shape != root.shape:
            raise ValueError(f"backward(grad): grad has shape {grad.shape}, the tensor has shape {root.shape}")
    observers = _live_observers() if _observers else []
    if _mode.capture is not None:
        _mode.capture.backward(root, grad, retain_graph, observers)
    if root._creator is None:
        root.grad = grad.copy() if root.grad is None else root.grad + grad
        for o in observers:
            o.backward_done()
        return

    stored = set()  # ids of arrays already held by some .grad: never hand one array to two tensors

    def accumulate(t, g):
        if t.grad is None:
            if id(g) in stored or g.base is not None:  # shared with another .grad, or a view of one
                g = g.copy()
            stored.add(id(g))
            t.grad = g
        else:
            t.grad = t.grad + g

    pending = {id(root._creator): [None] * root._creator.n_outputs}
    pending[id(root._creator)][root._index] = grad
    if root._retain:
        accumulate(root, grad)
    order = _topological_order(root._creator)
    uses = _uses_of_watched_leaves(order, observers) if observers else None
    for fn in order:
        gys = pending.pop(id(fn), None)
        if gys is None:
            if uses:
                _count_down(fn, uses, observers)
            continue
        if fn.n_outputs > 1:
            gys = [g if g is not None else xp.zeros(s, d) for g, (s, d) in zip(gys, fn._out_meta)]
        fn.final_backward = not retain_graph
        gxs = fn.backward(*gys)
        if not isinstance(gxs, tuple):
            gxs = (gxs,)
        for x, gx, need in zip(fn.inputs, gxs, fn.needs_grad):
            if not need or gx is None:
                continue
            creator = x._creator
            shape, dtype = (x.data.shape, x.data.dtype) if creator is None else (x.shape, x.dtype)
            if gx.shape != shape:
                raise RuntimeError(f"{type(fn).__name__}.backward returned a gradient of shape {gx.shape} "
                                   f"for an input of shape {shape}")
            if gx.dtype != dtype:  # a float32 input of a float64 op gets a float32 gradient
                gx = gx.astype(dtype)
            if creator is None:
                accumulate(x, gx)
                continue
            slots = pending.get(id(creator))
            if slots is None:
                slots = pending[id(creator)] = [None] * creator.n_outputs
            slots[x._index] = gx if slots[x._index] is None else slots[x._index] + gx
            retained = x.retained()
            if retained is not None:
                accumulate(retained, gx)
        if uses:
            _count_down(fn, uses, observers)
        if not retain_graph:
            fn.release()
    for o in observers:
        o.backward_done()


def _tensor_backward(self, grad=None, retain_graph: bool = False) -> None:
    """Back-propagate from this tensor: fill ``.grad`` of the leaves it depends on.

    Args:
        grad: d(loss)/d(self); may be omitted for a one-element tensor (taken as 1).
        retain_graph: keep the graph so that backward can run through it again.
    """
    backward(self, grad, retain_graph)


Tensor.backward = _tensor_backward


class GradcheckError(AssertionError):
    """Autograd and central differences disagree; the message says where.

    Example:
        >>> class Wrong(nt.Function):
        ...     def forward(self, x):
        ...         return x * x
        ...     def backward(self, gy):
        ...         return gy  # should be 2 * x * gy
        >>> x = nt.tensor([3.0], requires_grad=True, dtype=np.float64)
        >>> try:
        ...     nt.gradcheck(Wrong.apply, x)
        ... except nt.GradcheckError as e:
        ...     print("caught")
        caught
        >>> nt.gradcheck(Wrong.apply, x, raise_exception=False)
        False
    """


def gradcheck(fn, *inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              seed: int = 0, raise_exception: bool = True) -> bool:
    """Compare the gradients autograd computes for ``fn(*inputs)`` with central differences.

    Every input that requires a gradient must be float64.  For a non-scalar output the check
    uses a fixed random cotangent ``w`` and differentiates ``sum(w * fn(*inputs))``; a tuple of
    outputs is handled the same way, each with its own ``w``.

    Args:
        fn: callable taking the inputs (tensors, or anything else passed through) and returning
            a tensor or a tuple of tensors.
        eps: step of the central difference (f(x+eps) - f(x-eps)) / 2eps.
        atol, rtol: an element fails when |analytic - numeric| > atol + rtol * |numeric|.
        raise_exception: raise :class:`GradcheckError` naming the input and element that
            disagree (default), or return False.

    Returns:
        True when every gradient matches.

    Example:
        >>> x = nt.tensor([0.5, -1.0], requires_grad=True, dtype=np.float64)
        >>> nt.gradcheck(lambda t: (t * t).tanh(), x)
        True
    """
    tensors = [(i, x) for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not tensors:
        raise ValueError("gradcheck: no input has requires_grad=True")
    for i, x in tensors:
        if x.dtype != np.float64:
            raise ValueError(f"gradcheck: input {i} is {x.dtype}; central differences need float64 inputs")
    rng = np.random.default_rng(seed)
    weights = []

    def scalar_output():
        outs = fn(*inputs)
        outs = outs if isinstance(outs, (tuple, list)) else (outs,)
        outs = [o for o in outs if isinstance(o, Tensor) and o.dtype.kind == "f"]
        while len(weights) < len(outs):
            o = outs[len(weights)]
            xp = backend.array_module(o.data)
            weights.append(xp.asarray(rng.standard_normal(o.shape)))
        return outs

    with enable_grad():
        outs = scalar_output()
        for _, x in tensors:
            x.grad = None
        live = [(o, w) for o, w in zip(outs, weights) if o.requires_grad]
        if not live:
            raise ValueError("gradcheck: no output depends on the inputs that require grad")
        for o, w in live:
            o.backward(w, retain_graph=True)
    analytic = [x.grad if x.grad is not None else backend.array_module(x.data).zeros_like(x.data)
                for _, x in tensors]

    def total(outs):
        return sum(float((o.data * w).sum()) for o, w in zip(outs, weights))

    with no_grad():
        for (i, x), a in zip(tensors, analytic):
            flat = x.data.reshape(-1)
            if flat.base is None and flat is not x.data:  # reshape copied: perturb through a view instead
                raise ValueError(f"gradcheck: input {i} must be contiguous")
            numeric = np.empty(flat.size)
            for k in range(flat.size):
                orig = float(flat[k])
                flat[k] = orig + eps
                fp = total(scalar_output())
                flat[k] = orig - eps
                fm = total(scalar_output())
                flat[k] = orig
                numeric[k] = (fp - fm) / (2 * eps)
            a_flat = backend.to_numpy(a).reshape(-1).astype(np.float64)
            bad = np.abs(a_flat - numeric) > atol + rtol * np.abs(numeric)
            if bad.any():
                k = int(np.argmax(bad))
                idx = np.unravel_index(k, x.shape)
                msg = (f"gradcheck: gradient of input {i} (shape {x.shape}) disagrees at element {tuple(map(int, idx))}: "
                       f"autograd {a_flat[k]:.8g}, central difference {numeric[k]:.8g} "
                       f"({int(bad.sum())} of {bad.size} elements differ)")
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    for _, x in tensors:
        x.grad = None
    return True
