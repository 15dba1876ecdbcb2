"""What every fused whole-sequence recurrent Function shares: checks, time order, the GEMMs around the loop.

A recurrent Function works in *processing order*, time-major: ``(T, N, ...)`` arrays whose step
``t`` is the ``t``-th step each sequence reads.  :class:`TimeOrder` maps batch-first ``(N, T, ...)``
arrays into that order and back.  Left to right it is a transpose; right to left (``reverse``) it
also reverses every sequence *within its own length* (PyTorch's packed sequences), so padded steps
stay at the end and step ``t`` is real exactly when ``t < lengths[n]``.  Because that reversal is
its own inverse, the same index array maps both ways.

:class:`SequenceFunction` holds the parts around the time loop: the input projection of all
steps as one GEMM before it, and dx, dW_ih, db as one GEMM each after the reverse loop.
"""
from __future__ import annotations

from ..autograd import Function
from ..backend import array_module, np
from ..kernels.parallel import blas_for_product
from ..kernels.transposed_product import linear_product
from ..tensor import Tensor

__all__ = ["TimeOrder", "SequenceFunction", "check_recurrent_inputs", "sigmoid_", "as_lengths"]


def sigmoid_(a):
    """σ(a) in place, as ½·tanh(a/2) + ½: no overflow for large |a| and float32 stays float32."""
    a *= 0.5
    array_module(a).tanh(a, out=a)
    a *= 0.5
    a += 0.5
    return a


def _compact(a) -> bool:
    """Whether keeping ``a`` holds no more memory than its own elements (not a view into a larger buffer)."""
    return a.base is None or getattr(a.base, "nbytes", a.nbytes + 1) <= a.nbytes


def _data(t):
    return t.data if isinstance(t, Tensor) else t


def as_lengths(fn: str, lengths, n: int, t: int, xp):
    """``lengths`` as an int64 array of N values in [0, T], or None when every sequence is full."""
    if lengths is None:
        return None
    arr = _data(lengths)
    arr = np.asarray(arr.get() if hasattr(arr, "get") else arr)
    if arr.shape != (n,) or arr.dtype.kind not in "iub":
        raise ValueError(f"{fn}: lengths must be {n} integers (one per sequence), got shape {arr.shape} "
                         f"dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() > t):
        raise ValueError(f"{fn}: lengths must lie in [0, {t}] (the padded length), got min {arr.min()} "
                         f"max {arr.max()}")
    if (arr == t).all():
        return None
    return xp.asarray(arr.astype(np.int64))


def check_recurrent_inputs(fn: str, x, states: dict, weight_ih, weight_hh, gates: int, recurrent_size=None,
                           biases=None):
    """Raise a ValueError naming ``fn`` unless the shapes agree; returns (N, T, F, H).

    ``states`` maps a name to (array or None, expected size); ``recurrent_size`` is the width of
    what the recurrent weight multiplies (H unless given, e.g. the output size of a Jordan network);
    ``biases`` maps a name to (array or None, expected length), G·H unless given.
    """
    xs, wih, whh = tuple(_data(x).shape), tuple(_data(weight_ih).shape), tuple(_data(weight_hh).shape)
    if len(xs) != 3:
        raise ValueError(f"{fn}: expected input of shape (batch, time, features), received shape {xs}")
    n, t, f = xs
    if t == 0:  # PyTorch refuses too ("Expected sequence length to be larger than 0")
        raise ValueError(f"{fn}: the sequences are empty (input of shape {xs}, T = 0); a recurrent layer needs "
                         "at least one time step")
    if len(wih) != 2 or wih[0] % gates or wih[1] != f:
        raise ValueError(f"{fn}: weight_ih must have shape ({gates}*hidden, {f}) for {f} input features, got {wih}")
    h = wih[0] // gates
    r = h if recurrent_size is None else recurrent_size
    if whh != (gates * h, r):
        raise ValueError(f"{fn}: weight_hh must have shape ({gates * h}, {r}), got {whh}")
    for name, (s, size) in states.items():
        size = h if size is None else size
        if s is not None and tuple(_data(s).shape) != (n, size):
            raise ValueError(f"{fn}: {name} must have shape ({n}, {size}), got {tuple(_data(s).shape)}")
    for name, (b, size) in (biases or {}).items():
        size = gates * h if size is None else size
        if b is not None and tuple(_data(b).shape) != (size,):
            raise ValueError(f"{fn}: {name} must have shape ({size},) for hidden size {h}, got {tuple(_data(b).shape)}")
    return n, t, f, h


class TimeOrder:
    """Batch-first (N, T, ...) ↔ time-major processing order (T, N, ...), plus the padding mask."""

    def __init__(self, lengths, n: int, t: int, reverse: bool, xp, dtype):
        self.xp, self.n, self.t = xp, n, t
        self.index = None  # (N, T): processing step -> time position, or None for a plain transpose
        if reverse:
            steps = xp.arange(t)[None, :]
            full = xp.full((n, 1), t, dtype=np.int64) if lengths is None else lengths[:, None]
            self.index = xp.where(steps < full, full - 1 - steps, steps)
            self.rows = xp.arange(n)
        if lengths is None:
            self.keep = self.drop = None
        else:  # keep[t] = 1 where step t is real, drop = 1 - keep; shape (T, N, 1)
            self.keep = (xp.arange(t)[:, None] < lengths[None, :]).astype(dtype)[:, :, None]
            self.drop = 1 - self.keep

    def to_time_major(self, a):
        """(N, T, ...) → (T, N, ...) contiguous, in processing order."""
        if self.index is None:
            return self.xp.ascontiguousarray(a.swapaxes(0, 1))
        return a[self.rows[None, :], self.index.T]

    def to_batch_major(self, a):
        """(T, N, ...) in processing order → (N, T, ...) at the original time positions."""
        if self.index is None:
            return a.swapaxes(0, 1)
        return a[self.index, self.rows[:, None]]


class SequenceFunction(Function):
    """Base of the fused recurrent Functions: input projection before the loop, its gradients after.

    ``sequences = False`` (set by a caller that reads only the last state) makes the output
    sequence an empty (N, 0, H) array: no (N, T, H) copy of the states in forward and no zero
    gradient for it in backward."""

    sequences = True

    def project_inputs(self, x, weight_ih, bias, lengths, reverse):
        """Set ``self.order`` and return x·W_ihᵀ + bias for all steps as one GEMM: (T, N, G) in processing order.

        dW_ih = Σ_t dgates_tᵀ x_t needs x when a graph records: x itself is kept (batch-first,
        no copy) and the time-major copy made here dies with this call, so forward and backward
        hold one (N, T, F) array, not x and its copy."""
        xp = array_module(x)
        n, t, f = x.shape
        self.order = TimeOrder(lengths, n, t, reverse, xp, x.dtype)
        x_tm = self.order.to_time_major(x).reshape(t * n, f)
        if self.recording and self.needs_grad[3]:  # inputs are (x, h0, c0, weight_ih, ...)
            self.x = x if _compact(x) else x.copy()
        with blas_for_product(t * n, f, weight_ih.shape[0]):  # small products (batch-1 inference): one BLAS thread
            xw = linear_product(x_tm, weight_ih)  # x_tm @ weight_ih.T (as the dense layer computes it)
        if bias is not None:
            xw += bias
        return xw.reshape(t, n, -1)

    def input_grads(self, d_gates, weight_ih):
        """(dx, dW_ih, db_ih) from the gradient of the input projection d_gates (T, N, G).

        Call it after the recurrent weight's gradient, once the saved states are dropped: the
        time-major copy of x it makes for dW_ih then takes dx's product, and x is dropped as soon
        as that copy exists (in the last backward), so at most two (T·N, F) arrays live here."""
        t, n, g = d_gates.shape
        flat = d_gates.reshape(t * n, g)
        xp = array_module(d_gates)
        dx = dw = scratch = None
        if self.needs_grad[3]:  # d(x Wᵀ)/dW = x
            x, _ = self.take_saved("x")
            x_tm = self.order.to_time_major(x).reshape(t * n, -1)
            fresh = not xp.may_share_memory(x_tm, x)  # at N = 1 or T = 1 the time-major x is x itself
            del x
            dw = flat.T @ x_tm
            if fresh and x_tm.dtype == xp.result_type(flat, weight_ih):
                scratch = x_tm  # a copy, dead now: it takes dx's product
            del x_tm
        if self.needs_grad[0]:  # d(x Wᵀ)/dx = W
            dx_tm = xp.matmul(flat, weight_ih, out=scratch)
            del scratch
            dx = self.order.to_batch_major(dx_tm.reshape(t, n, -1))
            dx = dx if dx.flags.c_contiguous else xp.ascontiguousarray(dx)
        db = flat.sum(axis=0)
        return dx, dw, db

    def outputs(self, states):
        """The output sequence (N, T, H) from the states (T+1, N, H): zero at padded steps."""
        if not self.sequences:
            return array_module(states).empty((states.shape[1], 0, states.shape[2]), states.dtype)
        seq = states[1:]
        if self.order.keep is not None:
            seq = seq * self.order.keep
        return array_module(seq).ascontiguousarray(self.order.to_batch_major(seq))

    def output_grad(self, g_out):
        """The gradient of the output sequence in processing order (T, N, H), zero at padded steps."""
        g = self.order.to_time_major(g_out)
        if self.order.keep is not None:
            g = g * self.order.keep
        return g
