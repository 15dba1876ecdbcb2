"""The GRU's compiled whole-sequence loops (kernels/recurrent_gru.py) against the NumPy loops.

The NumPy loops are the reference (their float64 gradients are checked against central
differences in test_recurrent.py and test_recurrent_inference.py); with numba on, float32,
reset-after and no padding mask the compiled loops run instead: outputs, states and every
gradient must match the NumPy path, at 1 and 2 BLAS threads, with and without a sequence
gradient, biases and a retained graph (when backward may not write over its saved arrays).
"""

import numpy as np
import pytest

import neuronet as nt
from neuronet.functional.recurrent import GRUSequence, _gru_kernels, gru, lstm
from tests.helpers import assert_close, kernels_set, need


def _arrays(rng, n, t=7, f=5, h=9, biases=True):
    shapes = [(n, t, f), (n, h), (3 * h, f), (3 * h, h)] + ([(3 * h,), (3 * h,)] if biases else [])
    arrays = [(rng.standard_normal(s) * 0.6).astype(np.float32) for s in shapes]
    return arrays + ([] if biases else [None, None])


def _run(arrays, kernels, sequence_grad=True, retain=False, threads=1):
    """(outputs, h_T, every input gradient) with the compiled loops on or off."""
    threadpoolctl = need("threadpoolctl")
    with kernels_set(kernels), threadpoolctl.threadpool_limits(threads):
        leaves = [None if a is None else nt.tensor(a, requires_grad=True) for a in arrays]
        out, last = gru(*leaves)
        g_out = np.linspace(-1, 1, out.numpy().size, dtype=np.float32).reshape(out.shape)
        loss = (last * last).sum()
        if sequence_grad:
            loss = loss + (out * nt.tensor(g_out)).sum()
        loss.backward(retain_graph=retain)
    return [out.numpy(), last.numpy()] + [leaf.grad for leaf in leaves if leaf is not None]


@pytest.mark.parametrize("n, threads", [(1, 1), (6, 1), (20, 2)])
@pytest.mark.parametrize("sequence_grad", [True, False])
def test_compiled_gru_equals_the_numpy_loops(rng, n, threads, sequence_grad):
    need("numba")
    arrays = _arrays(rng, n)
    reference = _run(arrays, kernels=False, sequence_grad=sequence_grad)
    fast = _run(arrays, kernels=True, sequence_grad=sequence_grad, threads=threads)
    for a, b in zip(fast, reference):
        assert a.dtype == np.float32
        assert_close(a, b, rtol=2e-5)  # the kernels' tanh differs by ≤ 3e-7 relative


@pytest.mark.parametrize("retain, biases", [(True, True), (False, False)])
def test_compiled_gru_with_a_retained_graph_or_no_biases(rng, retain, biases):
    """A retained graph's backward writes into new arrays (not over acts and W_hn h); without
    biases b_hn is a zero vector the kernels are given."""
    need("numba")
    arrays = _arrays(rng, 5, biases=biases)
    reference = _run(arrays, kernels=False)
    fast = _run(arrays, kernels=True, retain=retain)
    for a, b in zip(fast, reference):
        assert_close(a, b, rtol=2e-5)


def test_compiled_gru_inference_equals_numpy_and_keeps_nothing(rng):
    need("numba")
    x, h0, w_ih, w_hh, b_ih, b_hh = _arrays(rng, 6, t=50, h=32)
    results = []
    for kernels in (False, True):
        with kernels_set(kernels):
            with nt.no_grad():
                results.append([o.numpy() for o in gru(*(nt.tensor(a) for a in (x, h0, w_ih, w_hh, b_ih, b_hh)))])
            fn = GRUSequence()
            fn.recording, fn.needs_grad = False, (True,) * 7
            fn.forward(x, h0, None, w_ih, w_hh, b_ih, b_hh)
            assert [k for k, v in vars(fn).items() if isinstance(v, np.ndarray)] == []
    for a, b in zip(results[1], results[0]):
        assert_close(a, b, rtol=2e-5)


def test_compiled_loops_apply_only_where_they_are_exact(rng, kernels_on):
    """Reset-before, a padding mask and float64 keep the NumPy loop."""
    a32, a64 = np.zeros((2, 2, 6), np.float32), np.zeros((2, 2, 6))
    assert _gru_kernels(True, None, a32) is not None
    assert _gru_kernels(False, None, a32) is None
    assert _gru_kernels(True, np.ones((2, 2, 1), np.float32), a32) is None
    assert _gru_kernels(True, None, a64) is None


def test_compiled_gru_layer_matches_torch(rng, torch):
    """The layer on the compiled path (float32, batch 8, 30 steps) against nn.GRU: outputs and gradients."""
    need("numba")
    n, t, f, h = 8, 30, 6, 16
    x, h0, w_ih, w_hh, b_ih, b_hh = _arrays(rng, n, t=t, f=f, h=h)
    leaves = [nt.tensor(a, requires_grad=True) for a in (x, h0, w_ih, w_hh, b_ih, b_hh)]
    out, last = gru(*leaves)
    ((out * out).sum() + last.sum()).backward()
    layer = torch.nn.GRU(f, h, batch_first=True)
    names = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
    with torch.no_grad():
        for name, value in zip(names, (w_ih, w_hh, b_ih, b_hh)):
            getattr(layer, name).copy_(torch.tensor(value))
    xt, ht = torch.tensor(x, requires_grad=True), torch.tensor(h0, requires_grad=True)
    tout, hn = layer(xt, ht[None])
    ((tout * tout).sum() + hn.sum()).backward()
    assert_close(out.numpy(), tout.detach().numpy(), rtol=1e-5)
    theirs = [xt.grad, ht.grad] + [getattr(layer, name).grad for name in names]
    for ours, ref in zip(leaves, theirs):
        assert_close(ours.grad, ref.numpy(), rtol=1e-4)


# --- return_sequences=False: no (N, T, H) output copy ----------------------------------------------

@pytest.mark.parametrize("cell", ["gru", "lstm"])
@pytest.mark.parametrize("kernels", [False, True])
def test_last_state_only_gives_the_same_state_and_gradients(rng, cell, kernels):
    """return_sequences=False returns an empty (N, 0, H) sequence and the same last state and
    gradients as the full sequence with a last-state-only loss."""
    if kernels:
        need("numba")
    n, t, f, h = 5, 8, 4, 6
    g = 3 if cell == "gru" else 4
    states = [(n, h)] * (1 if cell == "gru" else 2)
    arrays = [(rng.standard_normal(s) * 0.6).astype(np.float32) for s in [(n, t, f), *states, (g * h, f), (g * h, h),
                                                                          (g * h,), (g * h,)]]
    fn = gru if cell == "gru" else lstm
    results = []
    with kernels_set(kernels):
        for full in (True, False):
            leaves = [nt.tensor(a, requires_grad=True) for a in arrays]
            out = fn(*leaves, return_sequences=full)
            assert out[0].shape == ((n, t, h) if full else (n, 0, h))
            (out[1] * out[1]).sum().backward()
            results.append([out[1].numpy()] + [leaf.grad for leaf in leaves])
    for a, b in zip(*results):
        assert_close(a, b, rtol=1e-6)


@pytest.mark.parametrize("layer", ["GRU", "LSTM"])
def test_layer_without_sequences_keeps_no_output_copy(rng, layer):
    """A layer returning only its last state (2 stacked layers) gives the full layer's last step
    and a lower forward peak: the (N, T, H) copy it skips is at least half its saving (the peak
    is not always where the copy was made)."""
    import tracemalloc
    n, t, h = 16, 40, 32
    x = nt.tensor(rng.standard_normal((n, t, 8)).astype(np.float32))
    peaks, outs = [], []
    for full in (True, False):
        nt.manual_seed(0)
        model = getattr(nt.nn, layer)(h, num_layers=2, return_sequences=full)
        model(x)  # build
        tracemalloc.start()
        try:
            y = model(x)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        outs.append(y.numpy()[:, -1] if full else y.numpy())
    assert_close(outs[1], outs[0], rtol=1e-6)
    assert peaks[0] - peaks[1] >= 0.5 * n * t * h * 4, peaks
