"""The recurrent Functions when nothing records (inference) and the GRU's memory-saving backward.

The LSTM's inference forward (PyTorch's gate order, only the states kept; compiled at batch ≤ 4
without BLAS) must equal the recording forward, with the kernels on and off, and PyTorch at batch 1.
The GRU's backward writes its gate gradients over the saved activations when nothing else holds
them: gradients must be the same with a retained graph (no overwriting) and without.
"""
import tracemalloc

import numpy as np
import pytest

import neuronet as nt
from neuronet.functional.recurrent import GRUSequence, LSTMSequence, gru, lstm
from neuronet.kernels import compiled
from tests.helpers import assert_close, need


def _lstm_arrays(rng, n, t=6, f=5, h=7, dtype=np.float32):
    shapes = [(n, t, f), (n, h), (n, h), (4 * h, f), (4 * h, h), (4 * h,), (4 * h,)]
    return [(rng.standard_normal(s) * 0.7).astype(dtype) for s in shapes]


def _lstm_outputs(arrays, record, with_state=True, **kw):
    """(outputs, h_T, c_T) as arrays; ``record`` makes the weights require grad outside no_grad."""
    x, h0, c0, *w = (nt.tensor(a, requires_grad=record) for a in arrays)
    states = (h0, c0) if with_state else (None, None)
    if record:
        return [o.numpy() for o in lstm(x, *states, *w)]
    with nt.no_grad():
        return [o.numpy() for o in lstm(x, *states, *w)]


@pytest.mark.parametrize("lengths", [None, np.array([6, 2, 0, 4])])
@pytest.mark.parametrize("reverse", [False, True])
def test_lstm_inference_equals_the_recording_forward_float64(rng, lengths, reverse):
    arrays = _lstm_arrays(rng, 4, dtype=np.float64)
    x, h0, c0, *w = arrays
    recorded = [o.numpy() for o in lstm(*(nt.tensor(a, requires_grad=True) for a in arrays), lengths=lengths,
                                        reverse=reverse)]
    with nt.no_grad():
        inferred = [o.numpy() for o in lstm(*(nt.tensor(a) for a in arrays), lengths=lengths, reverse=reverse)]
    for a, b in zip(inferred, recorded):
        assert a.dtype == np.float64
        assert_close(a, b, rtol=1e-12)


@pytest.mark.parametrize("n, threads", [(1, 1), (3, 1), (7, 1), (20, 2)])  # ≤ 4 rows: the direct loop; more: sgemm
@pytest.mark.parametrize("with_state", [True, False])
def test_lstm_inference_kernels_equal_the_numpy_reference(rng, n, threads, with_state):
    need("numba")
    threadpoolctl = need("threadpoolctl")
    arrays = _lstm_arrays(rng, n)
    try:
        compiled.set_numba_kernels(False)
        reference = _lstm_outputs(arrays, record=True, with_state=with_state)  # the recording NumPy loop
        numpy_inference = _lstm_outputs(arrays, record=False, with_state=with_state)
        compiled.set_numba_kernels(True)
        with threadpoolctl.threadpool_limits(threads):
            fast = _lstm_outputs(arrays, record=False, with_state=with_state)
    finally:
        compiled.set_numba_kernels(True)
    for a, b, c in zip(fast, numpy_inference, reference):
        assert a.dtype == np.float32
        assert_close(b, c, rtol=1e-6)
        assert_close(a, c, rtol=1e-5)  # the kernels' tanh differs by ≤ 3e-7 relative


def test_direct_loop_equals_numpy_loop_on_long_sequences(rng):
    """50 steps of hidden size 128 (the latency workload's shape): errors must not grow over time."""
    need("numba")
    from neuronet.functional.recurrent import _infer_numpy
    from neuronet.kernels.recurrent import inference_loop_direct
    t, h = 50, 128
    acts = (rng.standard_normal((t, 1, 4 * h)) * 2).astype(np.float32)
    w_hh = (rng.standard_normal((4 * h, h)) / np.sqrt(h)).astype(np.float32)
    results = []
    for run in (lambda a, hs, c: inference_loop_direct(a, hs, c, w_hh),
                lambda a, hs, c: _infer_numpy(a, hs, c, w_hh, None)):
        hs, c = np.zeros((t + 1, 1, h), np.float32), np.full((1, h), 0.3, np.float32)
        run(acts.copy(), hs, c)
        results.append((hs, c))
    assert_close(results[0][0], results[1][0], rtol=2e-6)
    assert_close(results[0][1], results[1][1], rtol=2e-6)


def test_batch_one_inference_does_not_depend_on_where_w_hh_lies(rng):
    """The direct loop gets W_hh on a cache line (``kernels.alignment.aligned``): a weight at any
    offset gives the same bits, and the layer's own array is neither moved nor changed."""
    x, h0, c0, w_ih, w_hh, b_ih, b_hh = _lstm_arrays(rng, 1, t=12, f=8, h=16)
    expected = _lstm_outputs([x, h0, c0, w_ih, w_hh, b_ih, b_hh], record=False)
    buffer = np.empty(w_hh.size + 16, np.float32)
    for offset in range(1, 16):  # 4, 8, ..., 60 bytes past wherever the buffer starts
        moved = buffer[offset:offset + w_hh.size].reshape(w_hh.shape)
        moved[...] = w_hh
        address = moved.ctypes.data
        outputs = _lstm_outputs([x, h0, c0, w_ih, moved, b_ih, b_hh], record=False)
        for got, want in zip(outputs, expected):
            np.testing.assert_array_equal(got, want)
        assert moved.ctypes.data == address and np.array_equal(moved, w_hh)


def test_lstm_batch_one_inference_matches_torch(rng, torch):
    x, h0, c0, w_ih, w_hh, b_ih, b_hh = _lstm_arrays(rng, 1, t=50, f=16, h=32)
    layer = torch.nn.LSTM(16, 32, batch_first=True)
    with torch.no_grad():
        for name, value in (("weight_ih_l0", w_ih), ("weight_hh_l0", w_hh), ("bias_ih_l0", b_ih), ("bias_hh_l0", b_hh)):
            getattr(layer, name).copy_(torch.tensor(value))
        out, (h, c) = layer(torch.tensor(x), (torch.tensor(h0)[None], torch.tensor(c0)[None]))
    ours = _lstm_outputs([x, h0, c0, w_ih, w_hh, b_ih, b_hh], record=False)
    for a, b in zip(ours, (out, h[0], c[0])):
        assert_close(a, b.numpy(), rtol=1e-5)


def test_lstm_layer_in_eval_under_no_grad_matches_its_training_forward(rng):
    model = nt.nn.Sequential([nt.nn.Embedding(50, 8), nt.nn.LSTM(16), nt.nn.Dense(2)])
    ids = nt.tensor(rng.integers(0, 50, (1, 12)))
    recorded = model(ids).numpy()
    model.eval()
    with nt.no_grad():
        inferred = model(ids).numpy()
    assert_close(inferred, recorded, rtol=1e-5)


def test_inference_keeps_nothing_for_backward(rng):
    """With no graph recorded the Function keeps no activations, states, weights or inputs."""
    arrays = _lstm_arrays(rng, 3)
    fn = LSTMSequence()
    fn.recording, fn.needs_grad = False, (True,) * 7
    out, h, c = fn.forward(*arrays)
    assert out.shape == (3, 6, 7) and h.shape == c.shape == (3, 7)
    kept = [name for name, value in vars(fn).items() if isinstance(value, np.ndarray)]
    assert kept == [], f"inference kept {kept}"


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("lengths", [None, np.array([6, 2, 0, 4])])
@pytest.mark.parametrize("reverse", [False, True])
def test_gru_inference_equals_the_recording_forward_float64(rng, reset_after, lengths, reverse):
    """The GRU's no-graph route (one (N, H) scratch array instead of a saved (T, N, H) one) gives
    the recording route's outputs and state."""
    n, t, f, h = 4, 6, 5, 7
    arrays = [rng.standard_normal(s) * 0.7 for s in ((n, t, f), (n, h), (3 * h, f), (3 * h, h), (3 * h,), (3 * h,))]
    kw = dict(lengths=lengths, reverse=reverse, reset_after=reset_after)
    recorded = [o.numpy() for o in gru(*(nt.tensor(a, requires_grad=True) for a in arrays), **kw)]
    with nt.no_grad():
        inferred = [o.numpy() for o in gru(*(nt.tensor(a) for a in arrays), **kw)]
    for a, b in zip(inferred, recorded):
        assert a.dtype == np.float64
        assert_close(a, b, rtol=1e-12)


def test_gru_inference_keeps_nothing_for_backward(rng):
    """With no graph recorded the GRU Function keeps no activations, states, weights or inputs."""
    n, t, f, h = 3, 6, 5, 7
    arrays = [rng.standard_normal(s).astype(np.float32) for s in ((n, t, f), (n, h), (3 * h, f), (3 * h, h))]
    fn = GRUSequence()
    fn.recording, fn.needs_grad = False, (True,) * 7
    out, last = fn.forward(arrays[0], arrays[1], None, arrays[2], arrays[3], None, None)
    assert out.shape == (n, t, h) and last.shape == (n, h)
    kept = [name for name, value in vars(fn).items() if isinstance(value, np.ndarray)]
    assert kept == [], f"inference kept {kept}"


# --- GRU: the backward that writes over its saved arrays --------------------------------------------

def _gru_grads(arrays, reset_after, times, lengths=None):
    """Every input gradient after ``times`` backward passes (all but the last retaining the graph)."""
    leaves = [nt.tensor(a, requires_grad=True) for a in arrays]
    out, h = gru(*leaves, lengths=lengths, reset_after=reset_after)
    g_out = np.linspace(-1, 1, out.numpy().size).reshape(out.shape)
    loss = (out * nt.tensor(g_out)).sum() + (h * h).sum()
    for i in range(times):
        loss.backward(retain_graph=i < times - 1)
    return [t.grad / times for t in leaves]


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("lengths", [None, np.array([5, 2, 4])])
def test_gru_backward_with_a_retained_graph_equals_the_final_one(rng, reset_after, lengths):
    """A retained graph's backward must not overwrite what a later backward reads."""
    n, t, f, h = 3, 5, 4, 6
    arrays = [rng.standard_normal(s) for s in ((n, t, f), (n, h), (3 * h, f), (3 * h, h), (3 * h,), (3 * h,))]
    once = _gru_grads(arrays, reset_after, 1, lengths)
    thrice = _gru_grads(arrays, reset_after, 3, lengths)
    for a, b in zip(thrice, once):
        assert_close(a, b, rtol=1e-12)


def test_gru_last_state_only_matches_torch_gradients(rng, torch):
    """The path without a sequence gradient (output sequence unused), float32, against PyTorch."""
    n, t, f, h = 4, 9, 5, 6
    x, h0 = rng.standard_normal((n, t, f)).astype(np.float32), rng.standard_normal((n, h)).astype(np.float32)
    ws = [(rng.standard_normal(s) * 0.5).astype(np.float32) for s in ((3 * h, f), (3 * h, h), (3 * h,), (3 * h,))]
    leaves = [nt.tensor(a, requires_grad=True) for a in [x, h0, *ws]]
    _, last = gru(*leaves)
    (last * last).sum().backward()
    layer = torch.nn.GRU(f, h, batch_first=True)
    with torch.no_grad():
        for name, value in zip(("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"), ws):
            getattr(layer, name).copy_(torch.tensor(value))
    xt, ht = torch.tensor(x, requires_grad=True), torch.tensor(h0, requires_grad=True)
    _, hn = layer(xt, ht[None])
    (hn[0] * hn[0]).sum().backward()
    theirs = [xt.grad, ht.grad] + [getattr(layer, name).grad for name in
                                   ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")]
    for ours, ref in zip(leaves, theirs):
        assert_close(ours.grad, ref.numpy(), rtol=1e-5)


def test_gru_backward_allocates_less_than_its_activations(rng):
    """The final backward reuses the saved (T, N, 3H) activations for the gate gradients: what it
    allocates at its peak (the zero gradient autograd makes for the unused output sequence, dx,
    dW) stays under 0.8 of them; it used to allocate two more such arrays."""
    n, t, f, h = 16, 30, 8, 64
    x = nt.tensor(rng.standard_normal((n, t, f)).astype(np.float32), requires_grad=True)
    ws = [nt.tensor((rng.standard_normal(s) * 0.3).astype(np.float32), requires_grad=True)
          for s in ((3 * h, f), (3 * h, h), (3 * h,), (3 * h,))]
    _, last = gru(x, None, *ws)
    loss = last.sum()
    acts_bytes = t * n * 3 * h * 4
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        loss.backward()
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert peak < 0.8 * acts_bytes, f"backward allocated {peak} bytes at its peak; the activations are {acts_bytes}"


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("lengths", [None, np.array([3, 1])])
def test_gru_final_backward_equals_central_differences(rng, reset_after, lengths):
    """nt.gradcheck retains the graph (its backward never writes over saved arrays); this checks the
    final backward, which does, against central differences in float64."""
    n, t, f, h = 2, 3, 2, 3
    arrays = [rng.standard_normal(s) * 0.7 for s in ((n, t, f), (n, h), (3 * h, f), (3 * h, h), (3 * h,), (3 * h,))]
    g_out = rng.standard_normal((n, t, h))

    def loss(values):
        with nt.no_grad():
            out, last = gru(*(nt.tensor(v) for v in values), lengths=lengths, reset_after=reset_after)
            return float((out.numpy() * g_out).sum() + (last.numpy() ** 2).sum())

    leaves = [nt.tensor(a, requires_grad=True) for a in arrays]
    out, last = gru(*leaves, lengths=lengths, reset_after=reset_after)
    ((out * nt.tensor(g_out)).sum() + (last * last).sum()).backward()
    eps = 1e-6
    for k, a in enumerate(arrays):
        numeric = np.empty_like(a)
        for idx in np.ndindex(a.shape):
            plus, minus = [v.copy() for v in arrays], [v.copy() for v in arrays]
            plus[k][idx] += eps
            minus[k][idx] -= eps
            numeric[idx] = (loss(plus) - loss(minus)) / (2 * eps)
        assert_close(leaves[k].grad, numeric, rtol=1e-6, what=f"input {k}")
