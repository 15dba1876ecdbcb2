"""x Wᵀ computed as (W xᵀ)ᵀ (kernels/transposed_product.py): the same values as ``x @ w.T`` (the
reference), through the dense layer's Function with every fused activation, gradients unchanged, and
PyTorch parity; the rule keeps the plain product where the route does not pay."""
import threading

import numpy as np
import pytest

import neuronet as nt
from neuronet import functional as F
from neuronet.kernels import cblas, parallel
from neuronet.kernels import transposed_product as tp
from tests.helpers import assert_close, check_parity

# (m, k, n): the MLP's first layer at small batches, a Transformer's QKV, sizes that are not
# multiples of OpenBLAS's 16-wide kernels, two rows, and one k below the small-kernel limit
SHAPES = [(16, 784, 256), (64, 128, 384), (5, 37, 301), (50, 64, 512), (2, 300, 1024), (33, 1, 700)]


@pytest.fixture
def routed(monkeypatch):
    """The (W xᵀ)ᵀ route taken for every float32 product here, and a list of the products it took
    (its rule is measured on SkylakeX OpenBLAS; any OpenBLAS has the transpose it needs)."""
    if cblas.numpy_somatcopy() is None:
        pytest.skip("NumPy's BLAS has no cblas_somatcopy (not OpenBLAS): the route never runs")
    taken = []
    monkeypatch.setattr(tp, "transposed_product_pays", lambda m, k, n, threads=1: taken.append((m, k, n)) or True)
    return taken


def _operands(m, k, n, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, k)).astype(dtype), (rng.standard_normal((n, k)) / np.sqrt(max(k, 1))).astype(dtype)


@pytest.mark.parametrize("shape", SHAPES)
def test_route_matches_the_plain_product(shape, routed):
    x, w = _operands(*shape)
    y = tp.linear_product(x, w)
    assert routed == [shape]
    assert y.dtype == np.float32 and y.shape == shape[::2] and y.flags.c_contiguous
    assert_close(y, x @ w.T, rtol=1e-5)
    assert_close(y, x.astype(np.float64) @ w.T.astype(np.float64), rtol=1e-5, what="against float64")


def test_route_keeps_nan_and_inf_where_they_are(routed):
    x, w = _operands(16, 64, 300)
    x[3, 5], x[7, 0], w[11, 2] = np.nan, np.inf, -np.inf
    y, reference = tp.linear_product(x, w), x @ w.T
    assert routed
    np.testing.assert_array_equal(np.isnan(y), np.isnan(reference))
    np.testing.assert_array_equal(np.isinf(y), np.isinf(reference))
    finite = np.isfinite(reference)
    assert_close(y[finite], reference[finite])


@pytest.mark.parametrize("case", ["float64", "x transposed view", "w transposed copy", "int"])
def test_other_operands_take_the_plain_product(case, routed):
    x, w = _operands(16, 784, 256)
    if case == "float64":
        x, w = x.astype(np.float64), w.astype(np.float64)
    elif case == "x transposed view":
        x = np.ascontiguousarray(x.T).T
    elif case == "w transposed copy":
        w = np.asfortranarray(w)
    else:
        x, w = (x * 4).astype(np.int64), (w * 4).astype(np.int64)
    y = tp.linear_product(x, w)
    assert y.dtype == (x @ w.T).dtype
    np.testing.assert_array_equal(y, x @ w.T)


def test_route_on_two_blas_threads_and_from_two_python_threads(routed):
    """The route under a multi-threaded BLAS, and run concurrently from two threads (no shared buffer)."""
    controllers = parallel.blas_controllers()
    if not controllers:
        pytest.skip("the BLAS thread count cannot be set here")
    saved = [c.num_threads for c in controllers]
    cases = [_operands(64, 784, 1024, seed=s) for s in range(2)]
    results = [None, None]

    def work(i):
        x, w = cases[i]
        results[i] = [tp.linear_product(x, w) for _ in range(5)]

    try:
        for c in controllers:
            c.set_num_threads(2)
        x, w = cases[0]
        assert_close(tp.linear_product(x, w), x @ w.T)
        threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for c, count in zip(controllers, saved):
            c.set_num_threads(count)
    for (x, w), ys in zip(cases, results):
        for y in ys:
            assert_close(y, x @ w.T)


def _dense_step(x, w, b, activation, residual=None):
    """Output and the gradients of x, W, b (and the residual) of sum(layer(x) * upstream)."""
    xt, wt, bt = (nt.tensor(a, requires_grad=True) for a in (x, w, b))
    if residual is None:
        y, inputs = F.dense(xt, wt, bt, activation=activation), (xt, wt, bt)
    else:
        rt = nt.tensor(residual, requires_grad=True)
        y, inputs = F.linear(xt, wt, bt, residual=rt), (xt, wt, bt, rt)
    out = y.data.copy()
    upstream = np.cos(np.arange(out.size, dtype=np.float32)).reshape(out.shape)
    loss = (y * nt.tensor(upstream)).sum()
    del y  # as in a network: backward may write over the output
    loss.backward()
    return [out] + [t.grad for t in inputs]


@pytest.mark.parametrize("activation", [None, "relu", "tanh", "sigmoid", "residual"])
def test_dense_layer_through_the_route_matches_the_plain_path(activation, monkeypatch):
    """F.dense/F.linear (the Function every Dense, attention projection and Transformer linear uses)
    on 3-d input: outputs within float32 rounding, gradients bit for bit (backward is unchanged)."""
    if cblas.numpy_somatcopy() is None:
        pytest.skip("NumPy's BLAS has no cblas_somatcopy (not OpenBLAS): the route never runs")
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 8, 784)).astype(np.float32)
    w = (rng.standard_normal((256, 784)) / 28).astype(np.float32)
    b = rng.standard_normal(256).astype(np.float32)
    residual = rng.standard_normal((2, 8, 256)).astype(np.float32) if activation == "residual" else None
    act = None if activation == "residual" else activation
    taken = []
    monkeypatch.setattr(tp, "transposed_product_pays", lambda *a: False)
    reference = _dense_step(x, w, b, act, residual)
    monkeypatch.setattr(tp, "transposed_product_pays", lambda *a: taken.append(a) or True)
    fast = _dense_step(x, w, b, act, residual)
    assert taken and taken[0] == (16, 784, 256)
    assert_close(fast[0], reference[0], rtol=1e-5, what="output")
    if np.array_equal(fast[0], reference[0]):  # OpenBLAS sums both forms alike: then so is everything after
        for a, r in zip(fast[1:], reference[1:]):
            np.testing.assert_array_equal(a, r)
    else:
        for what, a, r in zip(("dx", "dW", "db", "dr"), fast[1:], reference[1:]):
            assert_close(a, r, rtol=1e-5, what=what)


def test_linear_through_the_route_matches_torch(routed, TF):
    x, w = _operands(16, 784, 256, seed=2)
    b = np.linspace(-1, 1, 256, dtype=np.float32)
    check_parity(lambda x, w, b: F.linear(x, w, b), lambda x, w, b: TF.linear(x, w, b), x, w, b)
    assert (16, 784, 256) in routed


def test_float64_gradients_keep_the_plain_path(routed):
    x, w = _operands(6, 40, 300, dtype=np.float64)
    xt, wt = nt.tensor(x, requires_grad=True), nt.tensor(w, requires_grad=True)
    assert nt.gradcheck(lambda a, b: F.linear(a, b), xt, wt)
    np.testing.assert_array_equal(F.linear(nt.tensor(x), nt.tensor(w)).numpy(), x @ w.T)


def test_rule_keeps_the_plain_product_where_the_route_does_not_pay():
    pays = tp.transposed_product_pays
    assert not pays(1, 128, 384)  # one row: NumPy calls gemv
    assert not pays(64, 128, 10) and not pays(256, 784, 256)  # n ≤ m: nothing to gain
    assert not pays(2, 784, 512)  # OpenBLAS's small-matrix kernel takes both forms alike
    assert not pays(64, 128, 128)  # the transpose costs what the packing saves
    assert not pays(128, 784, 256, threads=2)  # on 2 threads the packing is shared, the transpose is not
    available = cblas.blas_architecture() in tp._ARCHITECTURES and cblas.numpy_somatcopy() is not None
    assert pays(16, 784, 256) == available and pays(64, 128, 384) == available
    assert pays(64, 784, 256, threads=2) == available
