"""Run per-chunk work of a batch on the CPU cores that BLAS may use, with BLAS itself single-threaded.

Convolution and pooling split the batch into chunks of images whose columns stay in cache
(about 4 MiB: the measured sweet spot between cache misses and per-chunk Python overhead), and
each chunk's copies and small matrix products release the GIL.  The chunk size
depends on the array shapes only, never on the thread count, and every reduction over chunks
is summed in chunk order, so results are the same at any number of threads.  The thread count
is BLAS's own limit (``threadpoolctl.threadpool_limits`` or ``openblas_set_num_threads`` sets it);
for a BLAS whose threads cannot be read, and on CuPy arrays, the chunks run one after another.

Batch norm chunks channels the same way, element-wise passes (ReLU) chunk flat arrays
(:func:`map_flat`), and recurrences run one block of batch rows per thread
(:func:`over_row_blocks`, the one place where blocks follow the thread count).  Small matrix
products are kept on one BLAS thread (:func:`blas_for_product`, :func:`single_threaded_blas`),
except inside :func:`products_only` blocks, where no chunks follow them.
"""
from __future__ import annotations

import os
import threading
from contextlib import nullcontext

from ..backend import array_module, np

__all__ = ["SPLIT_BYTES", "blas_controllers", "chunk_bounds", "map_chunks", "fold_chunks", "map_flat",
           "blas_thread_count", "single_threaded_blas", "blas_for_product", "over_row_blocks", "products_only",
           "scratch"]

_CHUNK_BYTES = 1 << 22  # target bytes of columns per chunk
_CHUNK_MULTIPLE = 2  # chunk counts above 1 are rounded up to a multiple of this: 2 threads share evenly
# bytes of a convolution's or pooling's work from which one chunk's worth is split in two (chunk_bounds'
# split_bytes): paired in one process, the conv auto-encoder's step at 2 threads went 9.9–10.3 → 7.6–7.7 ms
# with the split from 256 KiB or from any size, and 1.2–2.4 % slower at 1 thread (two kernel calls, not one)
SPLIT_BYTES = 1 << 18
_FLAT_CHUNK_BYTES = 1 << 20  # element-wise work: chunks of about 1 MiB per operand ...
_FLAT_MIN_CHUNKS = 4  # ... and only from 4 of them on: a smaller pass gains less than the hand-off costs
# m·k·n of a product below which a second BLAS thread only costs (measured on 2 cores: 64×400×120
# took 55 µs on 2 threads, 30 µs on 1; 64×784×256 was 1.1× faster on 2); OpenBLAS itself stays
# on one thread under 65536·4
_SMALL_PRODUCT = 1 << 22
_OPENBLAS_SINGLE = 65536 * 4
_ROW_UNIT = 4  # recurrence blocks under a row limit are multiples of this many rows
_MIN_ROWS = 8  # rows per block of a recurrence: fewer, and each small product's fixed cost outweighs the split
_SCRATCH_CAP = 4 * _CHUNK_BYTES  # larger scratch arrays are allocated afresh, not kept
_lock = threading.Lock()
_state = {"blas": None, "pool": None, "workers": 0, "pid": None}
_local = threading.local()
_single_blas_lock = threading.Lock()
_single_blas = {"depth": 0, "saved": []}  # single_threaded_blas blocks open in any thread


def blas_controllers():
    """Controllers of the loaded BLAS libraries: NumPy's OpenBLAS through ctypes
    (``openblas_threads.py``, no dependency), else threadpoolctl's for another BLAS (MKL, BLIS)
    when it is installed; empty when neither can.  OpenBLAS is steered directly rather than
    through threadpoolctl because threadpoolctl (3.6) lets only the first Python thread that set
    OpenBLAS's count change it again, so a model trained in a worker thread could never drop its
    small products to one BLAS thread; ``single_threaded_blas`` keeps its own changes coherent."""
    if _state["blas"] is None:
        from .openblas_threads import find_openblas
        found = find_openblas()
        if not found:
            try:
                from threadpoolctl import ThreadpoolController
            except ImportError:  # threadpoolctl is optional
                pass
            else:
                found = list(ThreadpoolController().select(user_api="blas").lib_controllers)
        _state["blas"] = found
    return _state["blas"]


def blas_thread_count() -> int:
    """How many threads BLAS may use now (1 when its thread count cannot be read)."""
    controllers = blas_controllers()
    if len(controllers) == 1:  # NumPy's OpenBLAS: asked once per product, so without a generator
        return max(1, controllers[0].num_threads)
    return max(1, min(c.num_threads for c in controllers)) if controllers else 1


def chunk_bounds(n: int, bytes_per_item: int, xp, target_bytes: int | None = None,
                 split_bytes: int | None = None) -> list:
    """(start, stop) ranges splitting ``n`` items into equal chunks of at most about ``target_bytes``
    (default ``_CHUNK_BYTES``).

    More than one chunk is always a multiple of ``_CHUNK_MULTIPLE`` chunks (so that 2 threads
    get equal shares).  With ``split_bytes`` (:data:`SPLIT_BYTES` or more), work of at least that
    many bytes that fits one chunk is split in two all the same, so that a second thread gets a
    share: the conv auto-encoder's convolutions (1–4 MiB of columns each) ran in one chunk, on
    one core at any thread count.  CuPy arrays get one chunk.

    Example:
        >>> from neuronet.kernels.parallel import SPLIT_BYTES, chunk_bounds
        >>> chunk_bounds(128, 28 << 10, np), chunk_bounds(128, 28 << 10, np, split_bytes=SPLIT_BYTES)
        ([(0, 128)], [(0, 64), (64, 128)])
    """
    if xp is not np or n <= 1:
        return [(0, n)]
    total, target = n * max(1, bytes_per_item), target_bytes or _CHUNK_BYTES
    if total <= target:
        return [(0, n)] if split_bytes is None or total < split_bytes else [(0, n // 2), (n // 2, n)]
    count = min(n, -(-total // target))
    if count > 1:
        count = min(n, -(-count // _CHUNK_MULTIPLE) * _CHUNK_MULTIPLE)
    return [(i * n // count, (i + 1) * n // count) for i in range(count)]


def scratch(name: str, shape, dtype, xp):
    """An uninitialised array of ``shape`` that the calling thread reuses under ``name`` (NumPy, small sizes).

    Re-allocating chunk-sized temporaries on every call costs page faults that dominate the
    copies themselves; a chunk's columns and gradients live in these buffers instead.  The
    array is only valid until the same thread asks for ``name`` again.
    """
    dtype = np.dtype(dtype)
    count = 1
    for d in shape:
        count *= int(d)
    if xp is not np or count * dtype.itemsize > _SCRATCH_CAP:
        return xp.empty(shape, dtype=dtype)
    buffers = getattr(_local, "buffers", None)
    if buffers is None:
        buffers = _local.buffers = {}
    buf = buffers.get(name)
    if buf is None or buf.nbytes < count * dtype.itemsize:
        buf = buffers[name] = np.empty(count * dtype.itemsize, dtype=np.uint8)
    return buf[:count * dtype.itemsize].view(dtype).reshape(shape)


def _pool(helpers: int):
    """The shared executor with ``helpers`` threads (a new one in a forked child, whose threads are gone)."""
    from concurrent.futures import ThreadPoolExecutor  # 8 ms of import that a NumPy-only inference never needs

    if _state["workers"] != helpers or _state["pid"] != os.getpid():
        if _state["pool"] is not None and _state["pid"] == os.getpid():
            _state["pool"].shutdown(wait=False)
        _state["pool"] = ThreadPoolExecutor(max_workers=helpers, thread_name_prefix="neuronet")
        _state["workers"], _state["pid"] = helpers, os.getpid()
    return _state["pool"]


def map_chunks(fn, bounds, *arrays) -> list:
    """``[fn(start, stop) for each chunk]`` in chunk order, run on BLAS's thread count with BLAS at 1 thread.

    The calling thread takes one share of the chunks and helper threads the others.  ``fn`` must
    write only to its own chunk of any shared output.  ``arrays`` are checked for being NumPy
    arrays: CuPy work (and a single chunk) runs in the calling thread.
    """
    workers = min(len(bounds), blas_thread_count()) if len(bounds) > 1 else 1
    if workers <= 1 or any(array_module(a) is not np for a in arrays) or not _lock.acquire(blocking=False):
        return [fn(*b) for b in bounds]

    def share(first):
        return [fn(*bounds[i]) for i in range(first, len(bounds), workers)]

    try:  # one parallel region at a time; nested or concurrent callers run serially above
        with single_threaded_blas():
            futures = [_pool(workers - 1).submit(share, first) for first in range(1, workers)]
            shares = []
            try:
                shares.append(share(0))
            finally:  # wait for every helper, even after an error (which then propagates, not a NameError)
                shares += [f.result() for f in futures]
            return [shares[i % workers][i // workers] for i in range(len(bounds))]
    finally:
        _lock.release()


def fold_chunks(fn, bounds, *arrays):
    """Σ ``fn(start, stop)`` over the chunks, added in chunk order, run as :func:`map_chunks` runs them.

    ``fn`` returns a tuple of arrays (an entry may be None: it stays None).  The sums are those of
    ``total = part₀; total += part₁; …`` — the same at any thread count — but each part is added
    (into the first, in place) as soon as the parts before it are in, and then freed, so that
    about one part per thread waits at a time where :func:`map_chunks` would keep one per chunk (a
    weight-sized dW each, in a convolution's backward).

    Example:
        >>> from neuronet.kernels.parallel import fold_chunks
        >>> fold_chunks(lambda s, e: (np.arange(s, e).sum(keepdims=True), None), [(0, 2), (2, 5)])
        (array([10]), None)
    """
    waiting, state, lock = {}, {"next": 0, "total": None}, threading.Lock()

    def run(s, e, i):
        part = tuple(fn(s, e))
        with lock:  # add every part whose predecessors are in, in chunk order
            waiting[i] = part
            while state["next"] in waiting:
                part = waiting.pop(state["next"])
                total = state["total"]
                if total is None:
                    state["total"] = part
                else:
                    for t, p in zip(total, part):
                        if t is not None:
                            t += p
                state["next"] += 1
        del part

    map_chunks(run, [(s, e, i) for i, (s, e) in enumerate(bounds)], *arrays)
    return state["total"]


class _SingleThreadedBlas:
    """The context :func:`single_threaded_blas` returns (one shared instance: it keeps no state of its own).

    A class, not a generator-based ``contextmanager``: it is entered around every mid-sized matrix
    product when BLAS has several threads, and the generator's machinery cost about as much as the
    two thread-count changes themselves (a block around a product: 6.2 against 4.4 µs at 2 threads,
    1.3 against 1.0 µs at one, where only the count is read; best of 40 paired rounds)."""

    __slots__ = ()

    def __enter__(self):
        with _single_blas_lock:
            if _single_blas["depth"] == 0:
                controllers = blas_controllers()
                saved = [c.num_threads for c in controllers]
                _single_blas["saved"] = saved
                for c, count in zip(controllers, saved):
                    if count != 1:
                        c.set_num_threads(1)
            _single_blas["depth"] += 1
        return self

    def __exit__(self, *exc_info):
        with _single_blas_lock:
            _single_blas["depth"] -= 1
            if _single_blas["depth"] == 0:
                for c, count in zip(blas_controllers(), _single_blas["saved"]):
                    if count != 1:
                        c.set_num_threads(count)
        return False


_SINGLE_THREADED = _SingleThreadedBlas()


def single_threaded_blas():
    """BLAS at one thread inside the block (restored after): for loops of small products, where
    waking a second BLAS thread costs more than it saves (a 32×128 by 128×512 product takes
    twice as long on 2 threads), and around work that runs on neuronet's own threads.

    BLAS's thread count is one setting for the whole process, so blocks in several threads share
    it: the first to enter saves the count and sets one thread, the last to leave restores it
    (saving and restoring per block would leave BLAS at one thread when blocks interleave).

    Example:
        >>> from neuronet.kernels.parallel import blas_thread_count, single_threaded_blas
        >>> with single_threaded_blas():
        ...     blas_thread_count()
        1
    """
    return _SINGLE_THREADED


def map_flat(fn, out, *inputs):
    """Run the element-wise ``fn(out_chunk, *input_chunks)`` over ~1 MiB pieces of flat arrays on BLAS's thread count.

    ``out`` and ``inputs`` must be C-contiguous arrays of one shape; ``fn`` writes its result
    into the ``out`` piece (e.g. ``lambda o, x: xp.maximum(x, 0, out=o)``).  Arrays smaller than
    ``_FLAT_MIN_CHUNKS`` pieces, CuPy arrays and non-contiguous inputs get one call on the whole arrays.
    """
    arrays = (out,) + inputs
    if any(not a.flags.c_contiguous or a.shape != out.shape for a in arrays):
        fn(out, *inputs)
        return out
    flat = [a.reshape(-1) for a in arrays]
    bounds = chunk_bounds(out.size, out.dtype.itemsize, array_module(out), target_bytes=_FLAT_CHUNK_BYTES)
    if len(bounds) < _FLAT_MIN_CHUNKS:
        fn(out, *inputs)
        return out
    map_chunks(lambda s, e: fn(*(a[s:e] for a in flat)), bounds, *arrays)
    return out


def over_row_blocks(fn, n: int, like, max_rows: int = 0) -> None:
    """``fn(start, stop)`` over one share of the ``n`` batch rows per BLAS thread, BLAS single-threaded inside.

    For recurrences (an LSTM's time loop): every sample's sequence is independent, but each
    step's product is too small to gain from a multi-threaded BLAS, so each thread runs the
    whole loop on its own rows.  With ``max_rows`` a share is run as consecutive equal blocks
    of at most that many rows (for a BLAS that is faster on small products, see
    ``cblas.direct_sgemm_rows``).  Unlike :func:`chunk_bounds`, the blocks follow the thread
    count: every row's arithmetic is the same, but BLAS may sum a 16-row product in another
    order than a 32-row one, so results at 2 threads can differ from 1 thread in the last bits
    (as PyTorch's do).  CuPy arrays and batches under 2·``_MIN_ROWS`` rows run as one share.
    """
    parts = max(1, min(blas_thread_count(), n // _MIN_ROWS))
    if array_module(like) is not np:
        parts = 1
    shares = [(i * n // parts, (i + 1) * n // parts) for i in range(parts)]

    def share(start, stop):
        for block in _row_blocks(start, stop, max_rows):
            fn(*block)

    if parts == 1:
        with single_threaded_blas():
            share(0, n)
        return
    map_chunks(share, shares, like)


def _row_blocks(start: int, stop: int, max_rows: int) -> list:
    """(start, stop) blocks of at most ``max_rows`` rows (no limit when 0), in multiples of
    ``_ROW_UNIT`` rows where the limit allows: BLAS kernels work on rows in groups of 4 (measured:
    12-row products cost 15 % less per row than 10- or 11-row ones)."""
    if max_rows <= 0 or stop - start <= max_rows:
        return [(start, stop)]
    unit = _ROW_UNIT if max_rows >= _ROW_UNIT else 1
    units = -(-(stop - start) // unit)
    count = -(-units // (max_rows // unit))
    edges = [min(stop, start + (i * units // count) * unit) for i in range(count + 1)]
    return list(zip(edges[:-1], edges[1:]))


_NO_CHANGE = nullcontext()  # reusable and re-entrant: no new object per product


def blas_for_product(m: int, k: int, n: int):
    """A context for an (m, k) by (k, n) product: BLAS at one thread when the product is too small
    to gain from more (waking the idle workers costs more than it saves), otherwise no change.
    Inside :func:`products_only` mid-sized products keep every BLAS thread."""
    if _OPENBLAS_SINGLE <= m * k * n < _SMALL_PRODUCT and not _products_only.depth and blas_thread_count() > 1:
        return single_threaded_blas()
    return _NO_CHANGE


class _ProductsOnly(threading.local):
    depth = 0  # open products_only blocks in this thread

    def __enter__(self):
        self.depth += 1

    def __exit__(self, *exc_info):
        self.depth -= 1
        return False


_products_only = _ProductsOnly()


def products_only():
    """A block of work that is matrix products and small single-threaded kernels, with no
    chunks on neuronet's own threads: there its mid-sized products (2¹⁸ to 2²² multiply-adds)
    keep every BLAS thread instead of one.

    :func:`blas_for_product` drops those products to one BLAS thread because OpenBLAS's idle
    workers spin after a multi-threaded product and take the cores the convolution's, pooling's
    and normalisation's chunks need next (a LeNet training step at 2 threads 0.97 of torch
    without the rule, 1.09 with it).  Where no such chunks follow, as in a Transformer encoder
    layer's batch-1 inference route, the second thread pays: 775 → 630 µs a batch-1 call at 2
    threads (Intel Xeon VM, 2026-12-06, in one process against the code without it).  OpenBLAS
    may sum a product over a long inner dimension in another order on two threads (measured:
    every shape with k = 784 differed in its last bits, none with k ≤ 400), so two paths that
    must agree bit for bit apply it alike.

    Example:
        >>> from neuronet.kernels.parallel import blas_for_product, products_only
        >>> with products_only():
        ...     blas_for_product(64, 128, 384) is blas_for_product(1, 1, 1)  # no change, like a tiny product
        True
    """
    return _products_only
