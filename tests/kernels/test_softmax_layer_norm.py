"""The compiled attention softmax and layer norm against their NumPy references and PyTorch."""
import numpy as np
import pytest

import neuronet as nt
import neuronet.functional as F
from neuronet.kernels import compiled
from neuronet.kernels.parallel import blas_controllers
from tests.helpers import assert_close, need

need("numba")


@pytest.fixture
def kernels_switch():
    """set(on) turns the kernels on or off; the process's setting comes back afterwards."""
    before = compiled.numba_kernels_enabled()
    yield compiled.set_numba_kernels
    compiled.set_numba_kernels(before)


@pytest.fixture(params=[1, 2], ids=["1-thread", "2-threads"])
def threads(request):
    """BLAS's thread count (the kernels split rows over it) set to 1 or 2 for the test."""
    controllers = blas_controllers()
    saved = [c.num_threads for c in controllers]
    for c in controllers:
        c.set_num_threads(request.param)
    yield request.param
    for c, n in zip(controllers, saved):
        c.set_num_threads(n)


def test_expf_is_within_three_ulp_of_numpy():
    import numba

    from neuronet.kernels.softmax import expf

    @numba.njit
    def apply(x, out):
        for i in range(x.size):
            out[i] = expf(x[i])

    x = np.concatenate([np.linspace(-87.3, 88.7, 1_000_003, dtype=np.float32),
                        np.float32([0.0, -0.0, 1e-8, -1e-8, np.log(2.0)])])
    out = np.empty_like(x)
    apply(x, out)
    ref = np.exp(x.astype(np.float64))
    assert np.all(np.abs(out - ref) <= 3 * np.spacing(ref.astype(np.float32)))
    edges = np.float32([-np.inf, -200.0, 89.0, np.inf, np.nan])
    out = np.empty_like(edges)
    apply(edges, out)
    assert out[0] == 0 and out[1] == 0 and out[2] == np.inf and out[3] == np.inf and np.isnan(out[4])



def test_expf_never_makes_a_subnormal():
    """At and just above the flush threshold e^x is a normal float32 or exactly 0: a subnormal
    costs a microcode assist per value on Intel cores (the softmax ran 4× slower on wide scores)."""
    import numba

    from neuronet.kernels.softmax import _LO, expf

    @numba.njit
    def apply(x, out):
        for i in range(x.size):
            out[i] = expf(x[i])

    tiny = np.finfo(np.float32).tiny
    x = np.concatenate([np.linspace(-88.0, -86.0, 100_001, dtype=np.float32),
                        np.float32([_LO, np.nextafter(_LO, np.float32(0)), np.nextafter(_LO, np.float32(-1))])])
    out = np.empty_like(x)
    apply(x, out)
    assert np.all((out == 0) | (out >= tiny))
    assert np.all(out[x >= _LO] >= tiny) and np.all(out[x < _LO] == 0)


def run_softmax_kernel(scores):
    from neuronet.kernels import softmax as kernel
    rows = scores.reshape(-1, scores.shape[-1]).copy()
    shift, total = np.empty(len(rows), np.float32), np.empty(len(rows), np.float32)
    kernel.softmax_forward(rows, shift, total, 0, len(rows))
    again = scores.reshape(rows.shape).copy()
    kernel.softmax_recompute(again, shift, total, 0, len(rows))
    return rows, again, shift


@pytest.mark.parametrize("width", [1, 7, 8, 9, 64, 71])
def test_softmax_kernel_row_max_finds_the_max_anywhere(width):
    """The row's max is found by eight running maxima and a tail: the max at every position."""
    rng = np.random.default_rng(11)
    scores = rng.standard_normal((width, width)).astype(np.float32)
    scores[np.arange(width), np.arange(width)] = 5.0  # row i's max at position i
    p, again, shift = run_softmax_kernel(scores)
    assert np.all(shift == 5.0)
    assert np.array_equal(p, again)
    e = np.exp(scores.astype(np.float64) - 5.0)
    assert_close(p, e / e.sum(axis=1, keepdims=True), rtol=1e-5)


def test_softmax_kernel_flushes_subnormal_probabilities_to_zero():
    """Scores spread over hundreds give probabilities below 2^−126: those are 0 (NumPy gives
    subnormals there), every other one matches NumPy's, and the recomputation gives the same bits."""
    rng = np.random.default_rng(12)
    scores = (rng.standard_normal((64, 64)) * 60).astype(np.float32)
    p, again, _ = run_softmax_kernel(scores)
    tiny = np.finfo(np.float32).tiny
    assert np.all((p == 0) | (p >= tiny)) and np.any(p == 0)
    assert np.array_equal(p, again)
    e = np.exp(scores.astype(np.float64) - scores.max(axis=1, keepdims=True))
    reference = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    normal = reference >= 2 * tiny
    assert_close(p[normal], reference[normal], rtol=1e-5)
    assert np.all(p[~normal] <= reference[~normal] + tiny)

def sdpa_case(shape, mask_kind, seed=0):
    rng = np.random.default_rng(seed)
    n, h, L, S, E = shape
    q = rng.standard_normal((n, h, L, E)).astype(np.float32) * 2
    k = rng.standard_normal((n, h, S, E)).astype(np.float32) * 2
    v = rng.standard_normal((n, h, S, E)).astype(np.float32)
    g = rng.standard_normal((n, h, L, E)).astype(np.float32)
    mask = None
    if mask_kind == "bool":
        mask = rng.random((n, 1, L, S)) > 0.3
        mask[0, 0, 0] = False  # one fully masked row: zeros
    elif mask_kind == "float":
        mask = np.where(rng.random((L, S)) > 0.3, 0.0, -np.inf).astype(np.float32)
    return q, k, v, g, mask


def run_sdpa(q, k, v, g, mask, is_causal, weights=False):
    ts = [nt.tensor(a, requires_grad=True) for a in (q, k, v)]
    out = F.scaled_dot_product_attention(*ts, attn_mask=mask, is_causal=is_causal, need_weights=weights)
    if weights:
        out, w = out
        (out * nt.tensor(g)).sum().backward()
        return [out.numpy(), w.numpy()] + [t.grad for t in ts]
    (out * nt.tensor(g)).sum().backward()
    return [out.numpy()] + [t.grad for t in ts]


@pytest.mark.parametrize("shape", [(2, 3, 5, 7, 4), (1, 2, 33, 129, 8), (3, 1, 1, 1, 3)], ids=["small", "odd", "one"])
@pytest.mark.parametrize("mask_kind", [None, "bool", "float"])
@pytest.mark.parametrize("is_causal", [False, True])
def test_attention_softmax_kernel_matches_numpy(shape, mask_kind, is_causal, kernels_switch, threads, monkeypatch):
    from neuronet.kernels import softmax as kernel
    calls = []
    monkeypatch.setattr(kernel, "softmax_forward", lambda *a, f=kernel.softmax_forward: calls.append(1) or f(*a))
    case = sdpa_case(shape, mask_kind)
    kernels_switch(False)
    reference = run_sdpa(*case, is_causal)
    assert not calls
    kernels_switch(True)
    fast = run_sdpa(*case, is_causal)
    assert calls
    for a, b in zip(fast, reference):
        assert a.dtype == np.float32
        assert_close(a, b, rtol=1e-5)


def test_attention_softmax_kernel_large_rows_and_many_chunks(kernels_switch, threads):
    case = sdpa_case((4, 4, 64, 2048, 16), "bool", seed=1)  # 8 MiB of scores: 16 chunks
    kernels_switch(False)
    reference = run_sdpa(*case, False, weights=True)
    kernels_switch(True)
    fast = run_sdpa(*case, False, weights=True)
    for a, b in zip(fast, reference):
        assert_close(a, b, rtol=1e-5)
    assert_close(fast[1].sum(axis=-1)[:, :, 1:], np.ones((4, 4, 63)), rtol=1e-5)  # rows of P sum to 1


def test_attention_softmax_kernel_same_bits_at_any_thread_count(kernels_switch):
    case = sdpa_case((2, 4, 64, 300, 8), None, seed=2)
    controllers = blas_controllers()
    saved = [c.num_threads for c in controllers]
    results = []
    try:
        for n in (1, 2):
            for c in controllers:
                c.set_num_threads(n)
            results.append(run_sdpa(*case, False))
    finally:
        for c, n in zip(controllers, saved):
            c.set_num_threads(n)
    for a, b in zip(*results):
        assert np.array_equal(a, b)


def test_attention_with_kernels_matches_torch(kernels_switch, torch):
    q, k, v, g, mask = sdpa_case((2, 4, 9, 13, 8), "bool", seed=3)
    mask[0, 0, 0, 0] = True  # torch gives NaN for a fully masked row
    kernels_switch(True)
    ours = run_sdpa(q, k, v, g, mask, False)
    ts = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    out = torch.nn.functional.scaled_dot_product_attention(*ts, attn_mask=torch.tensor(mask))
    (out * torch.tensor(g)).sum().backward()
    for a, b in zip(ours, [out.detach().numpy()] + [t.grad.numpy() for t in ts]):
        assert_close(a, b, rtol=1e-5)


def run_layer_norm(x, g, shape, weight, bias):
    xt = nt.tensor(x, requires_grad=True)
    wt = None if weight is None else nt.tensor(weight, requires_grad=True)
    bt = None if bias is None else nt.tensor(bias, requires_grad=True)
    y = F.layer_norm(xt, shape, wt, bt, eps=1e-5)
    (y * nt.tensor(g)).sum().backward()
    return [y.numpy(), xt.grad] + [t.grad for t in (wt, bt) if t is not None]


@pytest.mark.parametrize("shape,norm", [((3, 5, 7), (7,)), ((2, 3, 4, 5), (4, 5)), ((1, 1), (1,)),
                                        ((4096, 96), (96,)), ((2, 3, 4099), (4099,))],
                         ids=["odd", "two-axes", "single", "many-rows", "wide"])
@pytest.mark.parametrize("affine", ["both", "weight", "bias", "none"])
def test_layer_norm_kernel_matches_numpy(shape, norm, affine, kernels_switch, threads, monkeypatch):
    from neuronet.kernels import layer_norm as kernel
    calls = []
    monkeypatch.setattr(kernel, "layer_norm_forward", lambda *a, f=kernel.layer_norm_forward: calls.append(1) or f(*a))
    rng = np.random.default_rng(4)
    x = (rng.standard_normal(shape) * 3 + 5).astype(np.float32)
    g = rng.standard_normal(shape).astype(np.float32)
    weight = rng.standard_normal(norm).astype(np.float32) if affine in ("both", "weight") else None
    bias = rng.standard_normal(norm).astype(np.float32) if affine in ("both", "bias") else None
    kernels_switch(False)
    reference = run_layer_norm(x, g, norm, weight, bias)
    assert not calls
    kernels_switch(True)
    fast = run_layer_norm(x, g, norm, weight, bias)
    assert calls
    for a, b in zip(fast, reference):
        assert a.dtype == np.float32 and a.shape == b.shape
        assert_close(a, b, rtol=1e-5)


def test_layer_norm_kernel_non_contiguous_input_and_no_input_grad(kernels_switch):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((6, 8, 10)).astype(np.float32).transpose(1, 0, 2)  # not C-contiguous
    w, b = rng.standard_normal(10).astype(np.float32), rng.standard_normal(10).astype(np.float32)
    results = []
    for on in (False, True):
        kernels_switch(on)
        wt, bt = nt.tensor(w, requires_grad=True), nt.tensor(b, requires_grad=True)
        y = F.layer_norm(nt.tensor(x), 10, wt, bt)
        (y * y).sum().backward()
        results.append([y.numpy(), wt.grad, bt.grad])
    for a, b_ in zip(*results):
        assert_close(a, b_, rtol=1e-5)


def test_layer_norm_with_kernels_matches_torch(kernels_switch, torch):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((5, 11, 24)).astype(np.float32)
    g = rng.standard_normal((5, 11, 24)).astype(np.float32)
    w, b = rng.standard_normal(24).astype(np.float32), rng.standard_normal(24).astype(np.float32)
    kernels_switch(True)
    ours = run_layer_norm(x, g, (24,), w, b)
    ts = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    y = torch.nn.functional.layer_norm(ts[0], (24,), ts[1], ts[2], eps=1e-5)
    (y * torch.tensor(g)).sum().backward()
    for a, b_ in zip(ours, [y.detach().numpy()] + [t.grad.numpy() for t in ts]):
        assert_close(a, b_, rtol=1e-5)


def test_float64_keeps_the_numpy_path(kernels_switch, monkeypatch):
    from neuronet.kernels import layer_norm, softmax
    monkeypatch.setattr(layer_norm, "layer_norm_forward", None)  # a call would fail
    monkeypatch.setattr(softmax, "softmax_forward", None)
    kernels_switch(True)
    x = nt.tensor(np.random.default_rng(7).standard_normal((2, 3, 4)), requires_grad=True, dtype="float64")
    assert nt.gradcheck(lambda t: F.layer_norm(t, (4,)), x)
    q = nt.tensor(np.random.default_rng(8).standard_normal((2, 1, 3, 4)), requires_grad=True, dtype="float64")
    assert nt.gradcheck(lambda t: F.scaled_dot_product_attention(t, t, t), q)


@pytest.mark.parametrize("masked", [False, True])
def test_masked_softmax_kernel_matches_numpy_and_leaves_its_inputs(masked, kernels_switch, threads):
    rng = np.random.default_rng(10)
    scores = (rng.standard_normal((3, 5, 37)) * 4).astype(np.float32)
    g = rng.standard_normal((3, 5, 37)).astype(np.float32)
    mask = rng.random((1, 5, 37)) > 0.4 if masked else None
    if masked:
        mask[0, 0] = False  # a row with nothing left: zeros
    results = []
    for on in (False, True):
        kernels_switch(on)
        s, gg = scores.copy(), g.copy()
        st = nt.tensor(s, requires_grad=True)
        p = F.masked_softmax(st, mask)
        p.backward(nt.tensor(gg))
        assert np.array_equal(s, scores) and np.array_equal(gg, g)  # inputs untouched
        results.append((p.numpy(), st.grad))
    for a, b in zip(*results):
        assert a.dtype == np.float32
        assert_close(a, b, rtol=1e-5)
