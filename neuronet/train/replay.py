"""Replaying a captured training step: the same Functions, their forward and backward, in recorded order.

A :class:`Replay` is made by :func:`neuronet.train.capture.make_plan` from two agreeing traces.  At
each call it makes a fresh instance of every Function (``cls(**params)``, what ``Function.apply``
does), runs its ``forward`` on arrays taken from the plan's slots, the step's arguments or the
parameters (read again at every call: optimizers update ``p.data`` in place), runs each backward
pass over the order the engine computed during capture, with the engine's rules for adding up
gradients (``autograd.backward``), and calls the recorded effects (optimizer step, zero_grad,
clipping, counters) where they happened.  No Tensor is made for an intermediate, no graph edge,
no topological sort, no Module call, no shape check: those were done while capturing.

Memory plan: every Function output lives in a numbered slot; a slot is let go right after the
last Function that reads it in the forward direction (its Function keeps what its own backward
needs, as in eager mode), so arrays are freed at the same points as eager mode frees them and
backward may write over saved arrays (``Function.take_saved``) exactly as it does eagerly.
"""
from __future__ import annotations

from .. import backend
from ..autograd import _wrap
from ..tensor import Tensor

__all__ = ["Replay"]

SLOT, ARG, TENSOR, CONST = 0, 1, 2, 3
OP, BACKWARD, EFFECT = 0, 1, 2


class Replay:
    """A compiled plan of one training step (see the module docstring)."""

    uses = 0  # calls of the step that found this plan (counted by StepFunction)
    source = None  # the trace it was made from

    def __init__(self, ops, out_meta, backwards, effects, events, result, modules):
        base, n = [], 0
        for meta in out_meta:
            base.append(n)
            n += len(meta)
        self.n_slots = n
        self.slot_meta = [m for meta in out_meta for m in meta]

        def compile_ref(r):
            if r[0] == "slot":
                return (SLOT, base[r[1]] + r[2])
            if r[0] == "arg":
                return (ARG, r[1])
            return (TENSOR, r[1]) if isinstance(r[1], Tensor) else (CONST, r[1])

        self.ops = []
        for i, (cls, params, refs, needs, recording, n_out) in enumerate(ops):
            compiled = tuple(compile_ref(r) for r in refs)
            bound = tuple((k, compile_ref(r)) for k, r in params.items() if r[0] != "obj")
            params = {k: r[1] for k, r in params.items() if r[0] == "obj"}
            targets = None
            if recording:  # where each input's gradient goes: another slot's pending list, or a leaf
                targets = tuple(((SLOT, r[1], self.slot_meta[r[1]][1]) if r[0] == SLOT else r) if need else None
                                for r, need in zip(compiled, needs))
            meta = [(s, d) for s, d, _ in out_meta[i]]
            self.ops.append((cls, params, compiled, needs, recording, n_out, base[i], targets, meta, bound))
        self.slot_op = [(i, k) for i, meta in enumerate(out_meta) for k in range(len(meta))]
        self.backwards = [(base[root[1]] + root[2], root[1], root[2], grad, retain, order)
                          for root, grad, retain, order in backwards]
        self.effects = effects
        self.events = [({"op": OP, "backward": BACKWARD, "effect": EFFECT}[kind], j) for kind, j in events]
        self.result = result
        self.modules = modules
        self.training = tuple(m.training for m in modules)
        self.owned = [(m.__dict__, name, m.__dict__.get(name))
                      for m in modules for name in (*m._param_names, *m._buffer_names)]
        self.free_after = self._lifetimes(result)
        self.flags = list({id(r[1]): (r[1], r[1].requires_grad) for op in self.ops for r in op[2]
                           if r[0] == TENSOR}.values())

    def _lifetimes(self, result) -> dict:
        """{op: slots to let go after its forward}: each slot after its last reader in the forward."""
        last = {s: self.slot_op[s][0] for s in range(self.n_slots)}
        for i, op in enumerate(self.ops):
            for kind, v in (*op[2], *(r for _, r in op[9])):
                if kind == SLOT:
                    last[v] = max(last[v], i)
        keep = {b[0] for b in self.backwards}

        def returned(r):
            if r[0] == "tensor" and r[1][0] == "slot":
                keep.add(self.ops[r[1][1]][6] + r[1][2])
            elif r[0] in ("tuple", "list"):
                for v in r[1]:
                    returned(v)
            elif r[0] == "dict":
                for _, v in r[1]:
                    returned(v)
        returned(result)
        free = {}
        for s, i in last.items():
            if s not in keep:
                free.setdefault(i, []).append(s)
        return free

    def still_valid(self) -> bool:
        """The parameters and buffers the plan reads are still those of their modules (none replaced),
        and the tensors it reads still (or still not) require gradients."""
        return (all(d.get(name) is v for d, name, v in self.owned)
                and all(t.requires_grad == flag for t, flag in self.flags))

    # --- the replay ----------------------------------------------------------------------------
    def run(self, args):
        arrays = [a.data if isinstance(a, Tensor) else a for a in args]
        vals = [None] * self.n_slots
        fns = [None] * len(self.ops)
        free_after = self.free_after
        for kind, j in self.events:
            if kind == OP:
                cls, params, refs, needs, recording, n_out, base, _, meta, bound = self.ops[j]
                xs = []
                for k, v in refs:
                    xs.append(vals[v] if k == SLOT else arrays[v] if k == ARG else v.data if k == TENSOR else v)
                if bound:  # arrays of the step among the keyword parameters
                    params = {**params, **{name: vals[v] if k == SLOT else arrays[v] for name, (k, v) in bound}}
                fn = cls(**params)
                fn.needs_grad = needs
                fn.recording = recording
                out = fn.forward(*xs)
                if n_out is None:
                    vals[base] = out
                else:
                    vals[base:base + n_out] = out
                if recording:
                    fns[j] = fn
                    if n_out is not None:
                        fn.n_outputs = n_out
                        fn._out_meta = meta
                for s in free_after.get(j, ()):
                    vals[s] = None
            elif kind == BACKWARD:
                self._backward(self.backwards[j], vals, fns, args)
            else:
                call, call_args = self.effects[j]
                call(*call_args)
        return self._build(self.result, vals, args)

    def _backward(self, plan, vals, fns, args) -> None:
        """``autograd.backward`` over the recorded order (same gradient sums, in the same order)."""
        root_slot, root_op, root_index, grad, retain, order = plan
        xp = backend.array_module(grad)
        first = [None] * fns[root_op].n_outputs
        first[root_index] = grad.copy()
        pending = {root_op: first}
        stored = set()
        for op in order:
            gys = pending.pop(op, None)
            if gys is None:
                continue
            fn = fns[op]
            entry = self.ops[op]
            if fn.n_outputs > 1:
                gys = [g if g is not None else xp.zeros(s, d) for g, (s, d) in zip(gys, entry[8])]
            fn.final_backward = not retain
            gxs = fn.backward(*gys)
            if not isinstance(gxs, tuple):
                gxs = (gxs,)
            for target, gx in zip(entry[7], gxs):
                if target is None or gx is None:
                    continue
                kind = target[0]
                if kind == SLOT:
                    if gx.dtype != target[2]:
                        gx = gx.astype(target[2])
                    i, k = self.slot_op[target[1]]
                    slots = pending.get(i)
                    if slots is None:
                        slots = pending[i] = [None] * fns[i].n_outputs
                    slots[k] = gx if slots[k] is None else slots[k] + gx
                    continue
                t = args[target[1]] if kind == ARG else target[1]
                if gx.dtype != t.data.dtype:
                    gx = gx.astype(t.data.dtype)
                if t.grad is None:
                    if id(gx) in stored or gx.base is not None:
                        gx = gx.copy()
                    stored.add(id(gx))
                    t.grad = gx
                else:
                    t.grad = t.grad + gx
            if not retain:
                fn.release()

    def _build(self, r, vals, args):
        kind = r[0]
        if kind == "tensor":
            ref = r[1]
            if ref[0] == "slot":
                return _wrap(vals[self.ops[ref[1]][6] + ref[2]])
            if ref[0] == "arg":
                return args[ref[1]]
            return ref[1]
        if kind == "none":
            return None
        if kind == "tuple":
            return tuple(self._build(v, vals, args) for v in r[1])
        if kind == "list":
            return [self._build(v, vals, args) for v in r[1]]
        return {k: self._build(v, vals, args) for k, v in r[1]}
