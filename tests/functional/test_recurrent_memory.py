"""Memory of the fused recurrent Functions in training: what forward keeps, what backward adds.

Forward keeps exactly what backward needs and x itself, not a time-major copy of it; backward
writes the gate gradients over the saved activations (LSTM, GRU, Elman) and drops the states
before dx and dW_ih make their (T·N, F) arrays.  The peak of tracemalloc's traced memory over a
forward and backward of a small float32 sequence is compared with a bound computed from the
shapes: the saved arrays, the gradients returned, and a few per-step and weight-sized scratch
arrays.  (The code before this change, which kept a time-major copy of x beside x, made dx's
product and its batch-first copy while the states were alive and gave the LSTM's gate gradients
a new (T, N, 4H) array, went over the bound by 0.2 MB for the GRU and 1 MB for the LSTM here.)
Gradients written over the saved activations equal those written into new arrays (a retained
graph) bit for bit, on the NumPy loops and on the compiled ones.
"""
import gc
import tracemalloc

import numpy as np
import pytest

import neuronet as nt
from neuronet.functional.recurrent import GRUSequence, gru, lstm
from neuronet.functional.recurrent_simple import rnn
from tests.helpers import kernels_set, need

N, T, F, H = 16, 100, 32, 32  # F ≤ 2H: dx's (T·N, F) arrays fit in the states backward has dropped
GATES = {"lstm": 4, "gru": 3, "rnn": 1}


def _leaves(rng, cell, n=N, t=T, f=F, h=H):
    g = GATES[cell] * h
    shapes = [(n, t, f), (n, h)] + ([(n, h)] if cell == "lstm" else []) + [(g, f), (g, h), (g,), (g,)]
    return [nt.tensor((rng.standard_normal(s) * 0.5).astype(np.float32), requires_grad=True) for s in shapes]


def _call(cell, leaves, **kwargs):
    """(outputs, last state) of the fused Function for ``cell`` on ``leaves``."""
    if cell == "lstm":
        out, h_t, _ = lstm(*leaves, return_sequences=False, **kwargs)
    elif cell == "gru":
        out, h_t = gru(*leaves, return_sequences=False, **kwargs)
    else:
        out, h_t = rnn(*leaves, **kwargs)
    return out, h_t


def _saved_bytes(cell, n=N, t=T, h=H):
    """What backward needs, in float32 bytes: gate activations (T, N, G), the states (T+1, N, H),
    and per cell the cells and tanh c (LSTM) or W_hn h + b_hn (GRU)."""
    g = GATES[cell] * h
    extra = {"lstm": (t + 1) * n * h + t * n * h, "gru": t * n * h, "rnn": 0}[cell]
    return 4 * (t * n * g + (t + 1) * n * h + extra)


def test_forward_keeps_x_itself_and_only_what_backward_needs(rng):
    expected = {"lstm": {"acts", "hs", "cs", "tanh_c", "x"}, "gru": {"acts", "hs", "extra", "x"},
                "rnn": {"acts", "hs", "x"}}
    for cell in ("lstm", "gru", "rnn"):
        leaves = _leaves(rng, cell, n=3, t=6, f=5, h=4)
        fn = _call(cell, leaves)[1]._creator
        # the batch's arrays are 3-D; besides them it keeps the (possibly gate-reordered) 2-D weights
        saved = {k for k, v in vars(fn).items() if isinstance(v, np.ndarray) and v.ndim == 3}
        assert saved == expected[cell], cell
        assert fn.x is leaves[0].data  # the input itself: no time-major copy
        assert sum(v.nbytes for k, v in vars(fn).items() if k in saved and k != "x") == _saved_bytes(cell, 3, 6, 4)


def test_an_input_viewing_a_larger_buffer_is_kept_as_a_copy(rng):
    """Keeping a view would keep its whole buffer alive after the caller dropped it."""
    big = rng.standard_normal((3, 12, 5)).astype(np.float32)
    x = big[:, :6]
    h0 = np.zeros((3, 4), np.float32)
    w_ih = nt.tensor(rng.standard_normal((12, 5)).astype(np.float32), requires_grad=True)
    w_hh = nt.tensor(rng.standard_normal((12, 4)).astype(np.float32), requires_grad=True)
    _, last = GRUSequence.apply(x, h0, None, w_ih, w_hh, None, None)
    kept = last._creator.x
    assert not np.shares_memory(kept, big) and kept.base is None
    np.testing.assert_array_equal(kept, x)


def _peak_over_forward_and_backward(cell, leaves, **kwargs):
    """(peak traced bytes above the start, bytes traced just before backward, the outputs) for one
    forward and backward of ``cell``, tracemalloc running throughout, after one untraced pass
    (numba compiles or loads its kernels on their first call, with Python objects of its own)."""
    _call(cell, leaves, **kwargs)[1].sum().backward()
    for leaf in leaves:
        leaf.grad = None
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        out, h_t = _call(cell, leaves, **kwargs)
        loss = (h_t * h_t).sum()
        if out.shape[1]:
            loss = loss + out.sum()
        before_backward = tracemalloc.get_traced_memory()[0] - start
        loss.backward()
        peak = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    return peak, before_backward, out


@pytest.mark.parametrize("compiled_loops", [False, True])
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_training_peak_is_the_saved_arrays_plus_the_gradients(rng, cell, compiled_loops):
    with kernels_set(compiled_loops):
        leaves = _leaves(rng, cell)
        peak, before_backward, _ = _peak_over_forward_and_backward(cell, leaves)
    g = GATES[cell] * H
    gradients = sum(leaf.data.nbytes for leaf in leaves)  # dx, dh0 (dc0), dW_ih, dW_hh, the biases
    # per-step scratch ((N, G) products and gate buffers), a few weight-sized copies (transposed,
    # gate-reordered), the output h_T and the loss: small next to the (T·N, F) arrays the bound excludes
    scratch = 4 * (8 * N * g + 4 * g * (F + H)) + 48 * 1024
    assert before_backward >= _saved_bytes(cell)  # the instrument sees the saved arrays
    assert peak <= _saved_bytes(cell) + gradients + scratch, (peak, _saved_bytes(cell), gradients, scratch)


@pytest.mark.parametrize("compiled_loops", [False, True])
@pytest.mark.parametrize("cell, masked", [("lstm", False), ("lstm", True), ("gru", False), ("gru", True),
                                          ("rnn", False), ("rnn", True)])
def test_gradients_over_the_saved_activations_equal_those_into_new_arrays(rng, cell, masked, compiled_loops):
    """A retained graph's backward may not write over its saved arrays: both ways, the same bits."""
    lengths = np.array([7, 3, 7, 5]) if masked else None
    arrays = [leaf.data for leaf in _leaves(rng, cell, n=4, t=7, f=5, h=6)]
    grads = []
    with kernels_set(compiled_loops):
        for retain in (True, False):
            leaves = [nt.tensor(a.copy(), requires_grad=True) for a in arrays]
            out, h_t = _call(cell, leaves, lengths=lengths)
            loss = (h_t * h_t).sum() + (out * out).sum()
            fn = h_t._creator
            loss.backward(retain_graph=retain)
            if not retain:
                assert fn.inputs is None  # released: this was the last backward
            grads.append([leaf.grad for leaf in leaves])
    for a, b in zip(*grads):
        np.testing.assert_array_equal(a, b)
