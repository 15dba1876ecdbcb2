"""Conv, pooling, batch norm and ReLU split their work into chunks run on BLAS's threads: the
results must not depend on the chunking or on the thread count, and must still match PyTorch."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.kernels import parallel
from neuronet.functional import normalization
from tests.helpers import check_parity, need

threadpoolctl = need("threadpoolctl")
torch = need("torch")
tF = torch.nn.functional

CASES = [
    ("conv2d groups/stride/reflect/relu",
     lambda x, w, b: nt.F.conv2d(x, w, b, stride=(2, 1), padding=1, groups=2, padding_mode="reflect", activation="relu"),
     lambda x, w, b: torch.relu(tF.conv2d(tF.pad(x, (1, 1, 1, 1), mode="reflect"), w, b, stride=(2, 1), groups=2)),
     [(6, 4, 9, 8), (6, 2, 3, 3), (6,)]),
    ("conv1d circular",
     lambda x, w, b: nt.F.conv1d(x, w, b, padding=2, padding_mode="circular"),
     lambda x, w, b: tF.conv1d(tF.pad(x, (2, 2), mode="circular"), w, b),
     [(5, 3, 11), (4, 3, 3), (4,)]),
    ("max_pool2d 2", lambda x: nt.F.max_pool2d(x, 2), lambda x: tF.max_pool2d(x, 2), [(7, 3, 8, 8)]),
    ("max_pool2d 3/2/1", lambda x: nt.F.max_pool2d(x, 3, stride=2, padding=1),
     lambda x: tF.max_pool2d(x, 3, stride=2, padding=1), [(7, 3, 9, 7)]),
    ("batch_norm training (N, C, H, W)",
     lambda x, w, b: nt.F.batch_norm(x, None, None, w, b, training=True),
     lambda x, w, b: tF.batch_norm(x, None, None, w, b, training=True), [(6, 5, 4, 3), (5,), (5,)]),
    ("batch_norm training (N, C)",
     lambda x, w, b: nt.F.batch_norm(x, None, None, w, b, training=True),
     lambda x, w, b: tF.batch_norm(x, None, None, w, b, training=True), [(9, 7), (7,), (7,)]),
    ("relu", lambda x: nt.F.relu(x), lambda x: torch.relu(x), [(5, 3, 4, 7)]),
]


def run(fn, arrays, seed=0):
    xs = [nt.tensor(a, requires_grad=True) for a in arrays]
    y = fn(*xs)
    g = np.random.default_rng(seed).standard_normal(y.shape).astype(np.float32)
    y.backward(g)
    return [y.numpy()] + [x.grad for x in xs]


@pytest.mark.parametrize("name, ours, theirs, shapes", CASES, ids=[c[0] for c in CASES])
def test_tiny_chunks_are_thread_count_independent_and_match_torch(monkeypatch, name, ours, theirs, shapes):
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    whole = run(ours, arrays)  # default chunking: these small batches are one chunk
    monkeypatch.setattr(parallel, "_CHUNK_BYTES", 256)  # force many chunks of one or two images
    monkeypatch.setattr(parallel, "_FLAT_CHUNK_BYTES", 64)  # ... of 16 elements (so many more than _FLAT_MIN_CHUNKS)
    monkeypatch.setattr(normalization, "_BN_CHUNK_BYTES", 64)  # ... of one or two channels
    regions = []  # parallel regions that handed chunks to a helper thread
    real_pool = parallel._pool
    monkeypatch.setattr(parallel, "_pool", lambda helpers: regions.append(helpers) or real_pool(helpers))
    with threadpoolctl.threadpool_limits(1):
        one = run(ours, arrays)
    with threadpoolctl.threadpool_limits(2):
        two = run(ours, arrays)
    assert regions, "the work never ran on two threads"
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(one, whole):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    check_parity(ours, theirs, *arrays)


def test_map_flat_handles_non_contiguous_and_mismatched_arrays(monkeypatch):
    monkeypatch.setattr(parallel, "_FLAT_CHUNK_BYTES", 64)
    x = np.random.default_rng(0).standard_normal((6, 10)).astype(np.float32)
    out = np.empty((10, 6), np.float32)
    parallel.map_flat(lambda o, a: np.maximum(a, 0, out=o), out, x.T)  # a transposed view: one whole call
    np.testing.assert_array_equal(out, np.maximum(x.T, 0))
    out = np.empty_like(x)
    with threadpoolctl.threadpool_limits(2):
        parallel.map_flat(lambda o, a: np.maximum(a, 0, out=o), out, x)  # contiguous: 15 chunks of 4 values
    np.testing.assert_array_equal(out, np.maximum(x, 0))


def test_single_threaded_blas_blocks_in_several_threads_restore_the_count():
    """Interleaved blocks (A enters, B enters, A leaves, B leaves) give BLAS its count back."""
    import threading
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
        seen = {}

        def a():
            with parallel.single_threaded_blas():
                a_in.set()
                b_in.wait(10)
            a_out.set()

        def b():
            a_in.wait(10)
            with parallel.single_threaded_blas():
                b_in.set()
                a_out.wait(10)
                seen["inside after A left"] = parallel.blas_thread_count()
        threads = [threading.Thread(target=a), threading.Thread(target=b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert seen["inside after A left"] == 1          # B's block still runs on one thread
        assert parallel.blas_thread_count() == 2         # and the count comes back when the last leaves


def test_single_threaded_blas_nests_and_restores_after_an_error():
    """Nested blocks keep one thread until the outer one leaves; an error inside still restores the count."""
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        with parallel.single_threaded_blas():
            with parallel.single_threaded_blas():
                assert parallel.blas_thread_count() == 1
            assert parallel.blas_thread_count() == 1
        assert parallel.blas_thread_count() == 2
        with pytest.raises(KeyError):
            with parallel.single_threaded_blas():
                raise KeyError("inside")
        assert parallel.blas_thread_count() == 2
        with parallel.blas_for_product(64, 128, 384):  # a mid-sized product: one thread
            assert parallel.blas_thread_count() == 1
        with parallel.blas_for_product(512, 512, 512):  # a large one: unchanged
            assert parallel.blas_thread_count() == 2


@pytest.mark.parametrize("failing_chunk", [0, 1])
def test_an_error_in_a_chunk_propagates_as_itself(failing_chunk):
    """The calling thread runs chunk 0, a helper chunk 1: either one's error reaches the caller
    unchanged, after every helper has finished."""
    import threading
    ran = []

    def chunk(s, e):
        ran.append((s, threading.get_ident()))
        if s == failing_chunk:
            raise KeyError(f"chunk {s}")
        return s
    with threadpoolctl.threadpool_limits(2):
        with pytest.raises(KeyError, match=f"chunk {failing_chunk}"):
            parallel.map_chunks(chunk, [(0, 1), (1, 2)], np.zeros(2))
    assert sorted(s for s, _ in ran) == [0, 1] and len({t for _, t in ran}) == 2


@pytest.mark.parametrize("threads", [1, 2])
def test_fold_chunks_adds_the_parts_in_chunk_order_at_any_thread_count(threads):
    """The sum is part₀ + part₁ + … added left to right (float32 rounding shows the order), the same
    at 1 and 2 threads as the sequential loop; a None entry stays None."""
    rng = np.random.default_rng(0)
    parts = [(rng.standard_normal(64).astype(np.float32) * 10.0 ** rng.integers(-3, 4), None) for _ in range(8)]
    bounds = [(i, i + 1) for i in range(8)]
    expected = parts[0][0].copy()
    for p, _ in parts[1:]:
        expected += p
    reversed_sum = parts[-1][0].copy()
    for p, _ in parts[-2::-1]:
        reversed_sum += p
    assert not np.array_equal(expected, reversed_sum)  # the order matters for these parts
    with threadpoolctl.threadpool_limits(threads):
        total, nothing = parallel.fold_chunks(lambda s, e: (parts[s][0].copy(), None), bounds, np.zeros(1))
    assert nothing is None and np.array_equal(total, expected)


def test_fold_chunks_keeps_few_parts_alive():
    """Each part is added and dropped as soon as the parts before it are in: 16 chunks of 1 MiB
    parts never hold more than a few MiB at once (a list of the parts would hold all 16)."""
    import tracemalloc
    size = 1 << 18  # float32: 1 MiB

    def chunk(s, e):
        return (np.full(size, float(s), np.float32),)
    with threadpoolctl.threadpool_limits(1):
        tracemalloc.start()
        try:
            total, = parallel.fold_chunks(chunk, [(i, i + 1) for i in range(16)], np.zeros(1))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert total[0] == sum(range(16))
    assert peak < 3.5 * (1 << 20), peak / (1 << 20)


def test_fold_chunks_propagates_an_error():
    def chunk(s, e):
        if s == 1:
            raise KeyError("chunk 1")
        return (np.ones(2),)
    with threadpoolctl.threadpool_limits(2):
        with pytest.raises(KeyError, match="chunk 1"):
            parallel.fold_chunks(chunk, [(0, 1), (1, 2), (2, 3)], np.zeros(2))
