"""Module hooks as PyTorch has them: forward pre-hooks, forward hooks, full backward (pre-)hooks.

``Module.register_*_hook`` (module.py) store the hooks here and return a :class:`RemovableHandle`;
``Module.__call__`` runs :func:`call_with_hooks` only when a module has hooks, so modules without
any pay one attribute test.  Semantics follow ``torch.nn.Module._call_impl``:

- ``pre_hook(module, args)`` runs before ``forward`` (and before a lazy build); it may return
  new positional inputs (a tuple, or one value).  ``with_kwargs=True``: ``pre_hook(module, args,
  kwargs)`` returning ``None`` or ``(args, kwargs)``.
- ``hook(module, args, output)`` runs after ``forward``; it may return a new output.
  ``with_kwargs=True``: ``hook(module, args, kwargs, output)``.
- ``hook(module, grad_input, grad_output)`` (full backward hook) runs when the gradients with
  respect to the module's tensor inputs are known; ``grad_input`` holds one entry per positional
  tensor (or array) input (None where it needs no gradient), ``grad_output`` one per tensor output (a
  top-level tensor, or the tensors of a top-level tuple).  It may return a new ``grad_input``.
  When no input needs a gradient, it runs as soon as ``grad_output`` is known, with Nones.
  ``pre_hook(module, grad_output)`` (full backward pre-hook) runs first and may return a new
  ``grad_output``.

Backward hooks work by passing the inputs and outputs through identity Functions whose backward
calls the hooks (PyTorch's ``BackwardHookFunction``); gradients arrive as arrays.
"""
from __future__ import annotations

import itertools
import weakref
from collections import OrderedDict

from ..autograd import Function, is_grad_enabled
from ..tensor import Tensor

__all__ = ["RemovableHandle", "ModuleHooks", "call_with_hooks"]

_ids = itertools.count()


class RemovableHandle:
    """What ``register_*_hook`` returns: ``handle.remove()`` takes the hook off (also as ``with handle:``)."""

    def __init__(self, hooks: OrderedDict, extra: dict | None = None):
        self._hooks = weakref.ref(hooks)
        self._extra = weakref.ref(extra) if extra is not None else None
        self.id = next(_ids)

    def remove(self) -> None:
        hooks = self._hooks()
        if hooks is not None:
            hooks.pop(self.id, None)
        extra = self._extra() if self._extra is not None else None
        if extra is not None:
            extra.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
        return False


class _Dict(OrderedDict):
    """An OrderedDict that a weak reference can point to (plain dicts cannot be weakly referenced)."""


class ModuleHooks:
    """One module's hooks, by kind, in calling order; ``with_kwargs`` marks hooks that take kwargs."""

    def __init__(self):
        self.forward_pre, self.forward, self.backward, self.backward_pre = _Dict(), _Dict(), _Dict(), _Dict()
        self.with_kwargs = _Dict()

    def add(self, kind: str, hook, prepend: bool = False, with_kwargs: bool = False) -> RemovableHandle:
        if not callable(hook):
            raise TypeError(f"register_{kind}_hook: the hook must be callable, got {type(hook).__name__}")
        hooks = getattr(self, kind)
        handle = RemovableHandle(hooks, self.with_kwargs)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        if with_kwargs:
            self.with_kwargs[handle.id] = True
        return handle

    def __bool__(self) -> bool:
        return bool(self.forward_pre or self.forward or self.backward or self.backward_pre)


class _BackwardState:
    """What the two identity Functions of one call share: the module, its hooks, the output gradients."""

    def __init__(self, module, hooks: ModuleHooks, n_inputs: int, input_needs: tuple):
        self.module, self.hooks = module, hooks
        self.n_inputs, self.input_needs = n_inputs, input_needs
        self.grad_output = None

    def run_pre(self, grad_output: tuple) -> tuple:
        for hook in list(self.hooks.backward_pre.values()):
            result = hook(self.module, grad_output)
            if result is not None:
                grad_output = _as_tuple("full backward pre-hook", result, len(grad_output))
        return grad_output

    def run(self, grad_input: tuple) -> tuple:
        for hook in list(self.hooks.backward.values()):
            result = hook(self.module, grad_input, self.grad_output)
            if result is not None:
                grad_input = _as_tuple("full backward hook", result, len(grad_input))
        return grad_input


def _as_tuple(what, result, n):
    result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
    if len(result) != n:
        raise ValueError(f"{what}: returned {len(result)} gradients, expected {n}")
    return tuple(r.data if isinstance(r, Tensor) else r for r in result)


class _OutputHook(Function):
    """Identity on the module's output tensors; its backward sees grad_output first."""

    def __init__(self, state):
        self.state = state

    def forward(self, *arrays):
        return tuple(arrays)

    def backward(self, *grads):
        state = self.state
        grads = state.run_pre(tuple(grads))
        state.grad_output = grads
        if not any(state.input_needs):  # no input gets a gradient: call the hooks now, with Nones
            state.run((None,) * state.n_inputs)
        return grads


class _InputHook(Function):
    """Identity on the module's input tensors that need gradients; its backward has grad_input complete."""

    def __init__(self, state):
        self.state = state

    def forward(self, *arrays):
        return tuple(arrays)

    def backward(self, *grads):
        state = self.state
        full, it = [], iter(grads)
        for need in state.input_needs:
            full.append(next(it) if need else None)
        full = state.run(tuple(full))
        return tuple(g for g, need in zip(full, state.input_needs) if need)


def _tensors_of(value):
    """(positions, tensors) of the top-level tensors in ``value`` (a tensor, or a tuple/list)."""
    if isinstance(value, Tensor):
        return [None], [value]
    if isinstance(value, (tuple, list)):
        pos = [i for i, v in enumerate(value) if isinstance(v, Tensor)]
        return pos, [value[i] for i in pos]
    return [], []


def _replace(value, positions, new):
    if positions == [None]:
        return new[0]
    out = list(value)
    for i, t in zip(positions, new):
        out[i] = t
    return type(value)(out) if isinstance(value, tuple) else out


def call_with_hooks(module, run, args: tuple, kwargs: dict):
    """``module(*args, **kwargs)`` with its hooks: pre-hooks, backward-hook inputs, ``run(args, kwargs)``
    (build if needed, then forward), forward hooks, backward-hook outputs."""
    hooks = module._hooks
    for hid, hook in list(hooks.forward_pre.items()):
        if hid in hooks.with_kwargs:
            result = hook(module, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], dict)):
                    raise TypeError(f"{type(module).__name__}: a forward pre-hook with kwargs must return None or "
                                    f"(args, kwargs), got {type(result).__name__}")
                args, kwargs = result
                args = args if isinstance(args, tuple) else (args,)
        else:
            result = hook(module, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
    state = None
    if (hooks.backward or hooks.backward_pre) and is_grad_enabled():
        inputs = [a for a in args if isinstance(a, Tensor) or hasattr(a, "shape")]  # tensors and arrays
        needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in inputs)
        state = _BackwardState(module, hooks, len(inputs), needs)
        if any(needs):
            wrapped = iter(_InputHook.apply(*[a for a, need in zip(inputs, needs) if need], state=state))
            args = tuple(next(wrapped) if isinstance(a, Tensor) and a.requires_grad else a for a in args)
    output = run(args, kwargs)
    for hid, hook in list(hooks.forward.items()):
        result = hook(module, args, kwargs, output) if hid in hooks.with_kwargs else hook(module, args, output)
        if result is not None:
            output = result
    if state is not None:
        positions, tensors = _tensors_of(output)
        if any(t.requires_grad for t in tensors):
            output = _replace(output, positions, list(_OutputHook.apply(*tensors, state=state)))
    return output
