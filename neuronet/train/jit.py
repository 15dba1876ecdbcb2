"""``nt.jit``: capture a training step of fixed shapes once, replay it, fall back to eager when it changes.

``step = nt.jit(train_step)`` wraps a PyTorch-style step ``(x, y) -> loss`` that runs the model,
calls ``loss.backward()`` and ``optimizer.step()``.  ``model.compile(..., jit=True)`` makes ``fit``
train through one.  The design, in the order a call meets it:

* **Guards and cache.**  A call's key is its input signature: for each argument the shape, dtype and
  ``requires_grad`` of a tensor, the shape and dtype of an array, the value of a plain Python number
  or string; plus the grad mode and the ``training`` and ``trainable`` flags of every module the
  step has called.  Each key has its own capture (a small LRU cache, 8 keys), so the last, smaller
  batch of an epoch or ``model.eval()`` gets a capture of its own instead of a wrong replay.
  Keyword arguments, other argument types, or a call inside another capture run eagerly.
* **How a step is recorded.**  The first calls of a key run eagerly, exactly as without ``jit``,
  with a recorder set as autograd's capture hook (:mod:`neuronet.train.capture`): it is told of
  every ``Function.apply`` (class, keyword parameters, inputs, outputs), every ``backward`` (root,
  gradient, and the order the engine itself computes), every :func:`neuronet.autograd.effect` — the
  optimizer's ``step`` and ``zero_grad``, gradient clipping, batch norm's batch counter, the state
  changes made outside Functions — and every Module call.
* **What invalidates a capture.**  A key is replayed only after two eager runs recorded the same
  thing: same Functions with equal parameters and the same wiring, same backward passes, effects and
  returned tensors.  An input that is neither an earlier output nor an argument is kept when it is
  the same object both times (a parameter or buffer, read again at every replay) or an equal new
  value (a constant); if it differs, it was computed from the data outside any Function, or a Python
  branch depends on the data, and the key stays eager for good (``step.refusals`` says why; at most
  four runs are tried, so lazily built layers settle first).  A value computed from the data can
  agree in both runs (the padding mask of two unpadded batches), so a new array is taken as a
  constant only when it has no axis as long as the batch (the first axis of the first array
  argument: a causal mask), or is a floating-point array of zeros (a recurrent layer's zero initial
  state); any other new array with the batch's length (a mask, ``ones((n, 1, 1))``) keeps the key
  eager.  An additive mask of zeros made in NumPy passes that rule, so the check is also repeated:
  the 2nd, 4th, 8th, 16th, ... use of a capture runs eagerly, recorded, and a disagreement sends
  the key to eager mode for good; between those checks a change is not seen.  As with tinygrad's
  TinyJit or a CUDA graph, a captured step must not branch on its data, and masks made from the
  data belong in neuronet operations or in the arguments.  At each replay the
  parameters and buffers of every module seen must still be the same objects, and the tensors the
  step reads keep their ``requires_grad`` (``load_state_dict`` of a buffer, a new Parameter, a
  frozen weight: capture again).  What the step reaches through Python is fixed at capture: which
  optimizer, which loss, the checks the public functions made (label ranges, shapes) — a replay does
  not repeat them, and a plain Python statement in the step (``w.grad = None``, a print) runs only
  while capturing; a state change made in Python that must happen at every step goes through
  ``autograd.effect(fn, *args)``.
* **Replay** (:mod:`neuronet.train.replay`): a fresh instance of each recorded Function runs its own
  ``forward``, then each backward pass runs the Functions' own ``backward`` in the recorded order,
  adding gradients up as ``autograd.backward`` does, and the effects are called where they happened.
  The batch arrays are the step's inputs, bound by position; parameters and optimizer state are
  updated in place, as in eager mode.  Dropout draws from the same seeded generator in the same
  order, so losses, gradients and parameters equal eager mode's to the bit.
* **Memory plan.**  Each Function output has a slot, let go after its last forward reader; the
  Functions keep what their backward needs, as in eager mode.  No ``out=`` buffers are handed to
  Functions: for the batch-64 MLP's first product (64×784 by 784×256, 1 thread) ``np.matmul`` into a
  new array and into a preallocated ``out=`` took the same time within noise, and the new array's
  ``np.empty`` costs 0.4–0.7 µs against ≥ 100 µs for the product (freed blocks are reused by the
  allocator, ``neuronet/_malloc_tuning.py``); a preallocated output would also stop ``take_saved``
  from writing gradients over activations backward no longer needs.  The fused element-wise tails
  are those the Functions already have (dense = product + bias + activation, softmax +
  cross-entropy, batch norm + ReLU).

What is saved is Python dispatch: Tensor and graph-edge objects, the topological sort, Module calls,
shape checks and the Function.apply bookkeeping.  Measured (``examples/jit_step_timing.py``, MLP
784-256-128-10, SGD, batch 64, 1 thread, interleaved, on a 2-core machine at load 11–18): 1.14–1.21×
faster per step captured than eager over three runs (1.07× at batch 256); neuronet's bookkeeping
frames went from 14–19 % of the profiled step to 10–13 %.
"""
from __future__ import annotations

import functools
from collections import OrderedDict

from ..autograd import _mode
from ..tensor import Tensor
from .capture import Refused, Trace, make_plan

__all__ = ["jit", "StepFunction"]

_PLAIN = (bool, int, float, str, type(None))
_MAX_TRACES = 4


class StepFunction:
    """A step function with captured replays per input signature (made by :func:`jit`).

    Attributes:
        calls: {"replay": n, "capture": n, "verify": n, "eager": n} — how the calls so far ran.
        refusals: {signature: reason} for signatures that stay eager.

    Example:
        >>> w = nt.nn.Parameter(np.array([1.0, 2.0], np.float32))
        >>> opt = nt.optim.SGD([w], lr=0.1)
        >>> @nt.jit
        ... def step(x):  # the square is taken in NumPy, out of the recorder's sight
        ...     opt.zero_grad(); loss = (w * nt.tensor(x.numpy() ** 2)).sum(); loss.backward(); opt.step()
        ...     return loss
        >>> for _ in range(5):
        ...     _ = step(nt.randn(2))
        >>> step.calls  # the recorded runs never agreed: this signature stays eager
        {'replay': 0, 'capture': 4, 'verify': 0, 'eager': 1}
        >>> print(*step.refusals.values())
        input 1 of Function 0 (Mul) differs between two runs of the step ...
    """

    def __init__(self, fn, cache_size: int = 8):
        if not callable(fn):
            raise TypeError(f"nt.jit: expected a callable step function, got {type(fn).__name__}")
        if isinstance(cache_size, bool) or not isinstance(cache_size, int) or cache_size < 1:
            raise ValueError(f"nt.jit: cache_size must be a positive int, got {cache_size!r}")
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.cache_size = cache_size
        self._entries: OrderedDict = OrderedDict()  # key -> Replay | [traces] | reason (str)
        self._modules: list = []  # every module a trace saw: their training flags are in the key
        self.calls = {"replay": 0, "capture": 0, "verify": 0, "eager": 0}
        self.refusals: dict = {}

    def reset(self) -> None:
        """Forget every capture (the next calls of each signature capture again)."""
        self._entries.clear()
        self.refusals.clear()

    def _key(self, args):
        sig = []
        for a in args:
            if isinstance(a, Tensor):
                sig.append((type(a.data), a.data.shape, a.data.dtype, a.requires_grad))
            elif type(a) in _PLAIN:
                sig.append((type(a), a))
            elif hasattr(a, "shape") and hasattr(a, "dtype"):
                sig.append((type(a), a.shape, a.dtype))
            else:
                return None
        return tuple(sig), _mode.enabled, tuple((m.training, m.trainable) for m in self._modules)

    def __call__(self, *args, **kwargs):
        key = None if kwargs or _mode.capture is not None else self._key(args)
        if key is None:
            self.calls["eager"] += 1
            return self.fn(*args, **kwargs)
        entry = self._entries.get(key)
        if isinstance(entry, str):
            self.calls["eager"] += 1
            return self.fn(*args)
        if entry is not None and not isinstance(entry, list):
            if entry.still_valid():
                self._entries.move_to_end(key)
                entry.uses += 1
                if entry.uses & (entry.uses - 1) == 0 and entry.uses > 1:  # 2nd, 4th, 8th, ... use
                    return self._verify(key, entry, args)
                self.calls["replay"] += 1
                return entry.run(args)
            del self._entries[key]  # a parameter or buffer was replaced: capture again
        trace, result = self._trace(args)
        self.calls["capture"] += 1
        key = self._key(args)  # the modules the step calls are known now
        held = self._entries.get(key)
        traces = held if isinstance(held, list) else []
        traces.append(trace)
        if trace.refusal:
            value = trace.refusal
        elif len(traces) < 2:
            value = traces
        else:
            try:
                value = make_plan(traces[-2], traces[-1])
            except Refused as why:  # lazily built layers may settle on a later run: try a few
                value = str(why) if why.final or len(traces) >= _MAX_TRACES else traces
        if isinstance(value, str):
            self.refusals[key] = value
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.cache_size:
            self._entries.popitem(last=False)
        return result

    def _verify(self, key, entry, args):
        """Run the step eagerly once more and check it still records what the capture did."""
        trace, result = self._trace(args)
        self.calls["verify"] += 1
        try:
            if trace.refusal:
                raise Refused(trace.refusal)
            make_plan(entry.source, trace)
        except Refused as why:
            self._entries[key] = self.refusals[key] = f"on a later run: {why}"
        return result

    def _trace(self, args):
        trace = Trace(args)
        _mode.capture = trace
        try:
            result = self.fn(*args)
        finally:
            _mode.capture = None
        trace.finish(result)
        for m in trace.modules:
            if not any(m is seen for seen in self._modules):
                self._modules.append(m)
        return trace, result


def jit(fn=None, *, cache_size: int = 8):
    """Capture a training step and replay it while its input signature stays the same.

    ``fn(*args)`` is a step in PyTorch's style: it runs the model, calls ``backward`` and the
    optimizer, and returns tensors (the loss; not ``loss.item()``).  Arguments are tensors, arrays
    or plain numbers; the batch arrays are bound by position at each call.  The first two calls of
    each signature run eagerly and are recorded; if they agree, later calls replay the recorded
    Functions' own forward and backward and the optimizer's own update, with bit-identical results;
    if they do not, that signature keeps running eagerly (``step.refusals`` says why).  See the
    module docstring for the rules.

    Example:
        >>> model = nt.nn.Linear(3, 1)
        >>> opt = nt.optim.SGD(model.parameters(), lr=0.1)
        >>> @nt.jit
        ... def train_step(x, y):
        ...     opt.zero_grad(); loss = F.mse_loss(model(x), y); loss.backward(); opt.step()
        ...     return loss
        >>> x, y = nt.randn(8, 3), nt.randn(8, 1)
        >>> losses = [train_step(x, y).item() for _ in range(5)]
        >>> train_step.calls  # two recorded runs agreed, then replays (the 4th use is checked again)
        {'replay': 2, 'capture': 2, 'verify': 1, 'eager': 0}
        >>> losses[-1] < losses[0]
        True
    """
    if fn is None:
        return lambda f: StepFunction(f, cache_size)
    return StepFunction(fn, cache_size)
