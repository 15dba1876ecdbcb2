"""Recording one eager run of a training step, and turning two agreeing recordings into a replay plan.

A :class:`Trace` is set as autograd's capture hook (``autograd._mode.capture``) while the step runs
eagerly.  It is told of every Function application (``Function.apply``, recorded for backward or
not), every backward pass (``autograd.backward``: its root, gradient and the order the engine will
take, from the engine's own ``_topological_order``), every :func:`neuronet.autograd.effect` (an
optimizer's ``step``/``zero_grad``, gradient clipping, batch norm's batch counter) and every Module
call.  Each Function input is written down as what it is: an output of an earlier Function of the
step (a *slot*), argument ``k`` of the step, or some other object (a parameter, a buffer, a
constant).

:func:`make_plan` compares two traces of the same input signature.  They must agree on every
Function (class, keyword parameters, wiring), backward, effect and returned value.  An "other
object" that is the same object in both runs is *persistent* (a parameter or buffer: a replay reads
it again, so in-place updates are seen); a new object with the same value is a *constant* (kept);
a new object with a different value was computed from the data outside any Function, so the step
cannot be replayed (:class:`Refused`).
"""
from __future__ import annotations

import weakref

from ..autograd import _topological_order
from ..backend import np
from ..tensor import Tensor

__all__ = ["Trace", "Refused", "make_plan"]

_SCALARS = (bool, int, float, complex, str, bytes, type(None))


class Refused(Exception):
    """The step cannot be replayed; the message says why (it then runs eagerly).  ``final``: more
    runs cannot change the verdict (otherwise a few are tried: lazily built layers settle)."""

    def __init__(self, message, final: bool = False):
        super().__init__(message)
        self.final = final


class Trace:
    """What one eager run of the step did (autograd's capture hook calls its methods)."""

    def __init__(self, args):
        self.args = args
        self.batch = _batch_size(args)
        self.arg_ids = {}  # id of an argument (tensor or array), or of a tensor argument's data -> position
        for k, a in enumerate(args):
            if isinstance(a, Tensor):
                self.arg_ids[id(a)] = k
                self.arg_ids.setdefault(id(a.data), k)
            elif hasattr(a, "shape"):
                self.arg_ids[id(a)] = k
        self.ops = []        # [type, params, input refs, needs_grad, recording, n_outputs or None]
        self.out_meta = []   # per op: [(shape, dtype, requires_grad)] of its outputs
        self.outs = {}       # id(output tensor) -> (weakref, op, k)
        self.datas = {}      # id(output array) -> (weakref to its tensor, op, k)
        self.fn_index = {}   # id(recorded Function) -> op
        self.keep = []       # the recorded Functions (so their ids stay theirs during the run)
        self.backwards = []  # (root ref, grad ref, retain_graph, order as op indices)
        self.effects = []    # (call, args)
        self.events = []     # ("op" | "backward" | "effect", index), in the order they happened
        self.modules = []
        self.refusal = None
        self.result = None

    def refuse(self, why: str) -> None:
        if self.refusal is None:
            self.refusal = why

    # --- what an input is ---------------------------------------------------------------------------
    def ref(self, x):
        if isinstance(x, Tensor):
            hit = self.outs.get(id(x))
            if hit is not None and hit[0]() is x:
                return ("slot", hit[1], hit[2])
            if self.arg_ids.get(id(x)) is not None and self.args[self.arg_ids[id(x)]] is x:
                return ("arg", self.arg_ids[id(x)])
            if x._creator is None and not x.requires_grad:  # a new tensor over an argument's or a slot's data
                k = self.arg_ids.get(id(x.data))
                if k is not None and _array_of(self.args[k]) is x.data:
                    return ("arg", k)
                hit = self.datas.get(id(x.data))
                if hit is not None and hit[0]() is not None and hit[0]().data is x.data:
                    return ("slot", hit[1], hit[2])
            return ("obj", x)
        if type(x) in _SCALARS:
            return ("obj", x)
        k = self.arg_ids.get(id(x))
        if k is not None and _array_of(self.args[k]) is x:
            return ("arg", k)
        hit = self.datas.get(id(x))
        if hit is not None and hit[0]() is not None and hit[0]().data is x:
            return ("slot", hit[1], hit[2])
        return ("obj", x)

    # --- autograd's hooks -------------------------------------------------------------------------
    def apply(self, fn, params, inputs, out) -> None:
        i = len(self.ops)
        refs = tuple(self.ref(x) for x in inputs)
        outs = out if isinstance(out, tuple) else (out,)
        for k, o in enumerate(outs):
            w = weakref.ref(o)
            self.outs[id(o)] = (w, i, k)
            self.datas[id(o.data)] = (w, i, k)
        # an array among the keyword parameters may be an argument's or a slot's (Embedding's indices)
        params = {k: self.ref(v) if hasattr(v, "shape") and not isinstance(v, Tensor) else ("obj", v)
                  for k, v in params.items()}
        self.ops.append((type(fn), params, refs, fn.needs_grad, fn.recording,
                         len(outs) if isinstance(out, tuple) else None))
        self.out_meta.append([(o.data.shape, o.data.dtype, o.requires_grad) for o in outs])
        if fn.recording:
            self.fn_index[id(fn)] = i
            self.keep.append(fn)
        self.events.append(("op", i))

    def backward(self, root, grad, retain_graph, observers) -> None:
        if observers:
            self.refuse("a backward observer (data-parallel training) watches the backward pass")
        if root._creator is None:
            self.refuse("backward() from a leaf tensor")
            return
        if root._retain or any((w() is not None and w()._retain) for w, _, _ in self.outs.values()):
            self.refuse("a tensor of the step asked for retain_grad()")
        try:
            order = [self.fn_index.get(id(fn)) for fn in _topological_order(root._creator)]
        except RuntimeError:  # the engine raises the same error right after this
            self.refuse("backward through freed Functions")
            return
        if None in order:
            self.refuse("the backward pass reaches Functions applied before the step began")
            return
        self.backwards.append((self.ref(root), ("obj", grad), bool(retain_graph), order))
        self.events.append(("backward", len(self.backwards) - 1))

    def effect(self, call, args, result) -> None:
        self.effects.append((call, args))
        self.events.append(("effect", len(self.effects) - 1))

    def module(self, m) -> None:
        if m._hooks:
            self.refuse(f"{type(m).__name__} has forward/backward hooks (Python run around its forward)")
        if not any(m is seen for seen in self.modules):
            self.modules.append(m)

    def finish(self, result) -> None:
        """Write down what the step returned (tensors, None, or tuples/lists/dicts of them)."""
        def struct(r):
            if isinstance(r, Tensor):
                return ("tensor", self.ref(r))
            if r is None:
                return ("none",)
            if isinstance(r, (tuple, list)):
                return (type(r).__name__, tuple(struct(v) for v in r))
            if isinstance(r, dict):
                return ("dict", tuple((k, struct(v)) for k, v in r.items()))
            self.refuse(f"the step returned a {type(r).__name__}; return tensors (call .item() outside the step)")
            return ("none",)
        self.result = struct(result)
        self.keep, self.args, self.outs, self.datas = [], None, None, None  # (a kept trace holds no batch)


def _array_of(a):
    return a.data if isinstance(a, Tensor) else a


# --- comparing two traces ------------------------------------------------------------------------
def _same(x, y) -> bool:
    """Equal values (a constant of the step): same type, shape, dtype and elements (nan equal to nan)."""
    if x is y:
        return True
    if type(x) is not type(y):
        return False
    if isinstance(x, Tensor):
        return x.requires_grad == y.requires_grad and _same(x.data, y.data)
    if isinstance(x, (tuple, list)):
        return len(x) == len(y) and all(_same(a, b) for a, b in zip(x, y))
    if isinstance(x, dict):
        return x.keys() == y.keys() and all(_same(x[k], y[k]) for k in x)
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        if x.shape != y.shape or x.dtype != y.dtype:
            return False
        return bool(np.array_equal(x, y, equal_nan=x.dtype.kind in "fc"))
    if isinstance(x, float):
        return x == y or (x != x and y != y)
    if type(x).__eq__ is object.__eq__ and hasattr(x, "__dict__"):  # a plain record (pooling windows, ...)
        return _same(vars(x), vars(y))
    try:
        return bool(x == y)
    except Exception:  # objects whose == is not a truth value
        return False


def _merge_object(x, y, where, batch=None):
    """An "other object" of the two runs: the second run's object, which a replay may use."""
    if x is y:
        return y
    if not _same(x, y):
        raise Refused(f"{where} differs between two runs of the step (a value computed from the data "
                      "outside any Function, or a Python branch that depends on it)")
    if _may_be_per_sample(y, batch):
        raise Refused(f"{where} is a new array at each run with an axis as long as the batch, made outside "
                      "any Function: it may come from the data even though two runs agreed (a padding mask "
                      "of unpadded batches); build it with neuronet operations or pass it as an argument",
                      final=True)
    return y


def _may_be_per_sample(y, batch) -> bool:
    """Whether a new, equal-valued array could still be computed from the batch: it has an axis as
    long as the batch and is not a floating-point zero array (the zero initial state of a recurrent
    layer, the one such constant the library's layers make)."""
    a = y.data if isinstance(y, Tensor) else y
    if batch is None or not hasattr(a, "shape") or getattr(a, "ndim", 0) == 0 or batch not in a.shape:
        return False
    return not (a.dtype.kind == "f" and not a.any())


def _merge_ref(a, b, where, batch=None):
    if a[0] != b[0] or (a[0] != "obj" and a != b):
        raise Refused(f"{where} comes from different places in two runs of the step")
    if a[0] != "obj":
        return a
    return ("obj", _merge_object(a[1], b[1], where, batch))


def _batch_size(args):
    """The first axis of the first array argument (None when there is none)."""
    for a in args:
        shape = getattr(a, "shape", ())
        if len(shape) >= 1:
            return shape[0]
    return None


def make_plan(t1: Trace, t2: Trace):
    """The replay plan of two traces that agree, or raise :class:`Refused`."""
    from .replay import Replay
    for t in (t1, t2):
        if t.refusal:
            raise Refused(t.refusal)
    if t1.events != t2.events or len(t1.ops) != len(t2.ops):
        raise Refused("the two runs of the step applied different Functions (Python control flow)")
    if len(t1.modules) != len(t2.modules) or any(a is not b for a, b in zip(t1.modules, t2.modules)):
        raise Refused("the two runs of the step called different modules")
    batch = t2.batch
    ops = []
    for i, (o1, o2) in enumerate(zip(t1.ops, t2.ops)):
        cls, p1, r1, n1, rec1, m1 = o1
        _, p2, r2, n2, rec2, m2 = o2
        name = f"Function {i} ({cls.__name__})"
        if cls is not o2[0] or n1 != n2 or rec1 != rec2 or m1 != m2 or p1.keys() != p2.keys():
            raise Refused(f"{name} is applied differently in two runs of the step")
        if t1.out_meta[i] != t2.out_meta[i]:
            raise Refused(f"{name} gives outputs of other shapes in two runs of the step")
        params = {k: _merge_ref(p1[k], p2[k], f"parameter {k!r} of {name}", batch) for k in p1}
        refs = tuple(_merge_ref(a, b, f"input {j} of {name}", batch) for j, (a, b) in enumerate(zip(r1, r2)))
        ops.append((cls, params, refs, n2, rec2, m2))
    backwards = []
    for (root1, g1, ret1, ord1), (root2, g2, ret2, ord2) in zip(t1.backwards, t2.backwards):
        if root1 != root2 or ret1 != ret2 or ord1 != ord2 or root2[0] != "slot":
            raise Refused("the backward passes differ between two runs of the step")
        backwards.append((root2, _merge_object(g1[1], g2[1], "the gradient given to backward()", batch), ret2, ord2))
    effects = []
    for j, ((c1, a1), (c2, a2)) in enumerate(zip(t1.effects, t2.effects)):
        if not (c1 == c2) or len(a1) != len(a2):
            raise Refused(f"effect {j} ({getattr(c2, '__qualname__', c2)}) differs between two runs of the step")
        effects.append((c2, tuple(_merge_object(x, y, f"argument {k} of {getattr(c2, '__qualname__', c2)}")
                                  for k, (x, y) in enumerate(zip(a1, a2)))))

    def merge_result(a, b):
        if a[0] != b[0]:
            raise Refused("the step returned different things in two runs")
        if a[0] == "tensor":
            return ("tensor", _merge_ref(a[1], b[1], "a returned tensor"))
        if a[0] in ("tuple", "list"):
            if len(a[1]) != len(b[1]):
                raise Refused("the step returned different things in two runs")
            return (a[0], tuple(merge_result(x, y) for x, y in zip(a[1], b[1])))
        if a[0] == "dict":
            if [k for k, _ in a[1]] != [k for k, _ in b[1]]:
                raise Refused("the step returned different things in two runs")
            return ("dict", tuple((k, merge_result(x, y)) for (k, x), (_, y) in zip(a[1], b[1])))
        return a
    result = merge_result(t1.result, t2.result)
    replay = Replay(ops, t2.out_meta, backwards, effects, t2.events, result, t2.modules)
    replay.source = t2  # later runs are checked against it
    return replay
