"""The optional numba LSTM kernels against the NumPy reference path (and PyTorch), and their switch."""
import os
import subprocess
import sys

import numpy as np
import pytest

import neuronet as nt
from neuronet.kernels import compiled
from tests.helpers import assert_close, need

numba = need("numba")
threadpoolctl = need("threadpoolctl")
torch = need("torch")


def run_lstm(arrays, use_kernels, threads=1, with_state=True, seq_grad=True):
    """Outputs and every gradient of one LSTM forward/backward, with the kernels on or off."""
    x, h0, c0, w_ih, w_hh, b_ih, b_hh, g_out, g_h, g_c = arrays
    compiled.set_numba_kernels(use_kernels)
    try:
        leaves = [nt.tensor(a, requires_grad=True) for a in (x, h0, c0, w_ih, w_hh, b_ih, b_hh)]
        xt, ht, ct = leaves[:3]
        with threadpoolctl.threadpool_limits(threads):
            out, h, c = nt.F.lstm(xt, ht if with_state else None, ct if with_state else None, *leaves[3:])
            total = (out * nt.tensor(g_out)).sum() if seq_grad else 0.0
            total = total + (h * nt.tensor(g_h)).sum() + (c * nt.tensor(g_c)).sum()
            total.backward()
        grads = [t.grad for t in leaves if t.grad is not None]
        return [out.numpy(), h.numpy(), c.numpy()] + grads
    finally:
        compiled.set_numba_kernels(True)


def random_arrays(n=20, t=7, f=5, hid=6, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(n, t, f), (n, hid), (n, hid), (4 * hid, f), (4 * hid, hid), (4 * hid,), (4 * hid,),
              (n, t, hid), (n, hid), (n, hid)]
    return [rng.standard_normal(s).astype(np.float32) for s in shapes]


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("with_state, seq_grad", [(True, True), (False, True), (True, False)])
def test_kernels_match_the_numpy_reference(threads, with_state, seq_grad):
    from neuronet.kernels.recurrent import sequence_loops
    assert sequence_loops() is not None  # else both runs would take the NumPy loop
    arrays = random_arrays()
    reference = run_lstm(arrays, False, 1, with_state, seq_grad)
    fast = run_lstm(arrays, True, threads, with_state, seq_grad)
    assert len(fast) == len(reference)
    for a, b in zip(fast, reference):
        assert_close(a, b, rtol=1e-5)  # tanh differs by ≤ 3e-7 relative: float32 rounding, not arithmetic


@pytest.mark.parametrize("threads", [1, 2])
def test_small_row_blocks_match_the_numpy_reference(monkeypatch, threads):
    """The loops split into blocks under a row limit (as on a BLAS with a small-matrix kernel) give the same results."""
    from neuronet.functional import recurrent
    from neuronet.kernels import parallel
    monkeypatch.setattr(recurrent, "_loop_block_rows", lambda h: 5)
    calls = []
    real = parallel._row_blocks
    monkeypatch.setattr(parallel, "_row_blocks", lambda s, e, m: calls.append(m) or real(s, e, m))
    arrays = random_arrays(n=22)
    reference = run_lstm(arrays, False)
    fast = run_lstm(arrays, True, threads)
    assert calls and set(calls) == {5}  # the limit reached the loops, forward and backward
    for a, b in zip(fast, reference):
        assert_close(a, b, rtol=1e-5)


def test_row_blocks_follow_the_limit_in_groups_of_four():
    from neuronet.kernels.parallel import _row_blocks
    assert _row_blocks(0, 32, 0) == [(0, 32)]
    assert _row_blocks(0, 32, 15) == [(0, 8), (8, 20), (20, 32)]
    assert _row_blocks(16, 32, 15) == [(16, 24), (24, 32)]
    assert _row_blocks(0, 30, 15) == [(0, 8), (8, 20), (20, 30)]
    assert _row_blocks(0, 5, 3) == [(0, 2), (2, 5)]
    for start, stop, limit in [(0, 33, 15), (3, 40, 7), (0, 9, 2), (5, 6, 1)]:
        blocks = _row_blocks(start, stop, limit)
        assert blocks[0][0] == start and blocks[-1][1] == stop
        assert all(a[1] == b[0] for a, b in zip(blocks, blocks[1:]))
        assert all(0 < e - s <= limit for s, e in blocks)


def test_direct_sgemm_rows_only_for_kernels_with_a_small_matrix_path(monkeypatch):
    from neuronet.functional import recurrent
    from neuronet.kernels import cblas
    cblas.numpy_sgemm()
    monkeypatch.setitem(cblas._found, "architecture", "SkylakeX")
    assert cblas.direct_sgemm_rows(512, 128) == 15  # 15·512·128 ≤ 10⁶ multiply-adds
    assert recurrent._loop_block_rows(128) == 15
    assert recurrent._loop_block_rows(256) == 0  # 3 rows per call: not worth splitting
    monkeypatch.setitem(cblas._found, "architecture", "Haswell")
    assert cblas.direct_sgemm_rows(512, 128) == 0 and recurrent._loop_block_rows(128) == 0


def test_kernels_match_torch():
    x, h0, c0, w_ih, w_hh, b_ih, b_hh, g_out, g_h, g_c = arrays = random_arrays(n=17, t=9)
    ours = run_lstm(arrays, True, 2)
    lstm = torch.nn.LSTM(5, 6, batch_first=True)
    with torch.no_grad():
        for name, value in (("weight_ih_l0", w_ih), ("weight_hh_l0", w_hh), ("bias_ih_l0", b_ih), ("bias_hh_l0", b_hh)):
            getattr(lstm, name).copy_(torch.tensor(value))
    xt, ht, ct = (torch.tensor(a, requires_grad=True) for a in (x, h0, c0))
    out, (h, c) = lstm(xt, (ht[None], ct[None]))
    ((out * torch.tensor(g_out)).sum() + (h[0] * torch.tensor(g_h)).sum() + (c[0] * torch.tensor(g_c)).sum()).backward()
    theirs = [out, h[0], c[0], xt.grad, ht.grad, ct.grad, lstm.weight_ih_l0.grad, lstm.weight_hh_l0.grad,
              lstm.bias_ih_l0.grad, lstm.bias_hh_l0.grad]
    for a, b in zip(ours, theirs):
        assert_close(a, b.detach().numpy(), rtol=1e-5)


def test_float64_and_padded_batches_take_the_numpy_path(monkeypatch, kernels_on):
    """float64 (gradient checks) and masked sequences are not covered by the kernels."""
    from neuronet.functional import recurrent
    assert recurrent._lstm_kernels(None, np.zeros((2, 2), np.float64)) is None
    assert recurrent._lstm_kernels(np.ones((3, 2, 1), np.float32), np.zeros((2, 2), np.float32)) is None
    assert recurrent._lstm_kernels(None, np.zeros((2, 2), np.float32)) is not None  # the compiled loops


def test_tanh_approximation_is_close_and_exact_at_the_ends():
    from neuronet.kernels.recurrent import forward_step
    x = np.concatenate([np.linspace(-12, 12, 4001), [np.inf, -np.inf, 0.0, 1e-30, -1e-30]]).astype(np.float32)
    hid = x.size
    a = np.zeros((1, 4 * hid), np.float32)
    a[0, 3 * hid:] = x  # the g block is tanh itself
    forward_step(a, np.zeros_like(a), *(np.zeros((1, hid), np.float32) for _ in range(4)))
    g = a[0, 3 * hid:]
    np.testing.assert_allclose(g, np.tanh(x.astype(np.float64)), rtol=3e-7, atol=1e-37)
    assert g[-5] == 1.0 and g[-4] == -1.0 and np.all(np.abs(g[np.abs(x) >= 9]) == 1.0)
    a[0, 3 * hid] = np.nan
    forward_step(a, np.zeros_like(a), *(np.zeros((1, hid), np.float32) for _ in range(4)))
    assert np.isnan(a[0, 3 * hid])  # NaN propagates, as in NumPy


def test_numpy_sgemm_is_found_and_correct(monkeypatch):
    import ctypes
    import sklearn.linear_model  # noqa: F401  (loads SciPy's OpenBLAS too: the search must still pick NumPy's)
    from neuronet.kernels import cblas
    from neuronet.kernels.cblas import NO_TRANS, ROW_MAJOR, numpy_sgemm
    monkeypatch.setattr(cblas, "_found", {})  # search again, now that SciPy's library is loaded
    sgemm = numpy_sgemm()
    assert sgemm is not None and sgemm.argtypes[3] is ctypes.c_int64
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal((4, 5)).astype(np.float32)
    c = np.empty((3, 5), np.float32)
    sgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, 3, 5, 4, 1.0, a.ctypes.data, 4, b.ctypes.data, 5, 0.0, c.ctypes.data, 5)
    np.testing.assert_allclose(c, a @ b, rtol=1e-6)


def test_switch_and_environment_variable():
    compiled.set_numba_kernels(False)
    assert not compiled.numba_kernels_enabled() and "turned off" in compiled.describe()
    compiled.set_numba_kernels(True)
    assert compiled.numba_kernels_enabled() and compiled.describe().startswith("compiled kernels on: numba")
    code = "import neuronet.kernels.compiled as c; print(c.numba_kernels_enabled(), c.describe())"
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "NEURONET_NUMBA": "0"},
                         capture_output=True, text=True, check=True).stdout
    assert out.startswith("False") and "NEURONET_NUMBA=0" in out
