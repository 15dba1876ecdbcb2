"""Sparse graph operations: segment (scatter) sum/mean/max/softmax and message passing, never an N×N matrix.

A graph is a COO edge index ``(2, E)``: row 0 the source node j, row 1 the target node i
(PyG's ``flow="source_to_target"``): a message x_j travels along each edge and is aggregated at i.
Every aggregation here is a *segment* reduction: rows of ``src`` that share an ``index`` value are
reduced together.  Sums and maxima are ``np.add.at`` / ``np.maximum.at`` on flat positions
(index·C + column: NumPy's fast one-dimensional path; ``reduceat`` over sorted rows measured 4×
slower on (E, 64) float32 rows).  With numba installed, float32 sums and message passing run as
compiled loops over the edges (``kernels/graph.py``), with no (E, C) intermediate.

The index arrays are constants (integers, no gradient); the Functions differentiate with respect
to the float inputs.
"""
from __future__ import annotations

from ..autograd import Function
from ..backend import array_module, np
from ..kernels.compiled import kernel_arrays
from ..tensor import Tensor
from .embedding import _scatter_add_rows

__all__ = ["segment_sum", "segment_mean", "segment_max", "segment_softmax", "scatter", "index_select",
           "propagate", "global_add_pool", "global_mean_pool", "global_max_pool"]


# --- kernels on arrays ----------------------------------------------------------------------------

def _segment_sum_array(src, index, n):
    """out[s] = Σ_{k: index_k = s} src[k] as a new array of shape (n,) + src.shape[1:]."""
    xp = array_module(src)
    out = xp.zeros((n,) + src.shape[1:], dtype=src.dtype)
    if not index.size:
        return out
    rows = xp.ascontiguousarray(src).reshape(src.shape[0], -1)
    flat = out.reshape(n, -1)
    if kernel_arrays(rows):
        from ..kernels.graph import scatter_rows
        scatter_rows(rows, index, flat)
    else:
        _scatter_add_rows(xp, flat, index, rows)
    return out


def _segment_max_array(src, index, n):
    """(out, counts): the elementwise maximum of each segment's rows (0 where a segment is empty)."""
    xp = array_module(src)
    counts = xp.bincount(index, minlength=n)[:n] if index.size else xp.zeros(n, dtype=xp.int64)
    lowest = -xp.inf if src.dtype.kind == "f" else (False if src.dtype.kind == "b" else xp.iinfo(src.dtype).min)
    out = xp.full((n,) + src.shape[1:], lowest, dtype=src.dtype)
    if index.size:
        rows = xp.ascontiguousarray(src).reshape(src.shape[0], -1)
        flat = out.reshape(n, -1)
        if xp is np:  # flat positions index·D + column: NumPy's fast one-dimensional ufunc.at
            d = flat.shape[1]
            np.maximum.at(flat.reshape(-1), (index[:, None] * d + np.arange(d)).reshape(-1), rows.reshape(-1))
        else:  # pragma: no cover - GPU only
            import cupyx
            cupyx.scatter_max(flat, index, rows)
    out[counts == 0] = 0
    return out, counts


_NO_WEIGHTS = np.empty(0, dtype=np.float32)


# --- Functions ------------------------------------------------------------------------------------

class SegmentSum(Function):
    def __init__(self, index, n):
        self.index, self.n = index, n

    def forward(self, src):
        return _segment_sum_array(src, self.index, self.n)

    def backward(self, gy):
        # out[s] = Σ_{k: index_k = s} src_k:  d src_k = d out[index_k]
        return gy[self.index]


class SegmentMean(Function):
    def __init__(self, index, n):
        self.index, self.n = index, n

    def forward(self, src):
        xp = array_module(src)
        total = _segment_sum_array(src, self.index, self.n)
        counts = xp.bincount(self.index, minlength=self.n)[:self.n]
        self.scale = (1.0 / xp.maximum(counts, 1)).astype(src.dtype).reshape((-1,) + (1,) * (src.ndim - 1))
        return total * self.scale  # empty segments: 0, as PyG

    def backward(self, gy):
        # out[s] = (1/n_s) Σ src_k:  d src_k = d out[index_k] / n_{index_k}
        return (gy * self.scale)[self.index]


class SegmentMax(Function):
    def __init__(self, index, n):
        self.index, self.n = index, n

    def forward(self, src):
        y, _ = _segment_max_array(src, self.index, self.n)
        self.src, self.y = src, y
        return y

    def backward(self, gy):
        # the gradient goes to the rows that hold the maximum, shared evenly among ties (PyTorch's amax rule)
        xp = array_module(gy)
        hit = (self.src == self.y[self.index]).astype(gy.dtype)
        ties = _segment_sum_array(hit, self.index, self.n)
        return hit * (gy / xp.maximum(ties, 1))[self.index]


class SegmentSoftmax(Function):
    def __init__(self, index, n):
        self.index, self.n = index, n

    def forward(self, src):
        xp = array_module(src)
        top, _ = _segment_max_array(src, self.index, self.n)
        e = xp.exp(src - top[self.index])
        total = _segment_sum_array(e, self.index, self.n)
        self.y = e / (total[self.index] + 1e-16)  # PyG's softmax adds 1e-16 too
        return self.y

    def backward(self, gy):
        # y_k = e^{s_k} / Σ_{segment} e^{s}:  d s_k = y_k (d y_k − Σ_{segment} y d y)
        y = self.y
        inner = _segment_sum_array(gy * y, self.index, self.n)
        return y * (gy - inner[self.index])


class IndexSelect(Function):
    def __init__(self, index, n):
        self.index, self.n = index, n

    def forward(self, x):
        return array_module(x).take(x, self.index, axis=0)

    def backward(self, gy):
        # y_k = x[index_k]:  d x[r] = Σ_{k: index_k = r} d y_k
        return _segment_sum_array(gy, self.index, self.n)


class Propagate(Function):
    """out[i] = Σ_{edges (j→i)} w_e · x_j: gather, scale and segment-sum in one Function.

    ``x`` is (N, C) with ``w`` (E,), or (N, H, C) with ``w`` (E, H) (one weight per head: graph
    attention); ``w`` None means every weight is 1 (GIN's sum)."""

    def __init__(self, src, dst, n_out, n_in):
        self.src, self.dst, self.n_out, self.n_in = src, dst, n_out, n_in

    @staticmethod
    def _spread(x, w, src, dst, n):
        """Σ over edges of w_e · x[src_e] into row dst_e of an (n, ...) array."""
        xp = array_module(x)
        if kernel_arrays(x, *(() if w is None else (w,))):
            from ..kernels import graph as kg
            out = np.zeros((n,) + x.shape[1:], dtype=x.dtype)
            x = np.ascontiguousarray(x)
            if w is not None and x.ndim == 3:
                kg.propagate_heads(x, src, dst, np.ascontiguousarray(w), out)
            else:  # (N, C), or (N, H, C) without weights: rows of N × (H·C)
                kg.propagate_rows(x.reshape(x.shape[0], -1), src, dst, _NO_WEIGHTS if w is None
                                  else np.ascontiguousarray(w), w is not None, out.reshape(n, -1))
            return out
        msg = xp.take(x, src, axis=0)
        if w is not None:
            msg *= w[..., None]
        return _segment_sum_array(msg, dst, n)

    def forward(self, x, w=None):
        self.x, self.w = x, w
        return self._spread(x, w, self.src, self.dst, self.n_out)

    def backward(self, gy):
        # out_i = Σ_e w_e x_{src_e} [dst_e = i]:  d x_j = Σ_{e: src_e = j} w_e d out_{dst_e}  (the same
        #                                          sum along reversed edges), d w_e = <d out_{dst_e}, x_{src_e}>
        gx = gw = None
        if len(self.needs_grad) > 1 and self.needs_grad[1]:
            if kernel_arrays(gy, self.x):
                from ..kernels import graph as kg
                gw = np.empty(self.w.shape, dtype=gy.dtype)
                kernel = kg.edge_head_dots if gy.ndim == 3 else kg.edge_dots
                kernel(np.ascontiguousarray(gy), np.ascontiguousarray(self.x), self.src, self.dst, gw)
            else:
                xp = array_module(gy)
                gw = (xp.take(gy, self.dst, axis=0) * xp.take(self.x, self.src, axis=0)).sum(axis=-1)
        if self.needs_grad[0]:
            gx = self._spread(gy, self.w, self.dst, self.src, self.n_in)
        return (gx,) if len(self.needs_grad) == 1 else (gx, gw)


# --- public functions -----------------------------------------------------------------------------

def _index_array(fn, index, rows: int | None = None, size: int | None = None, what: str = "index"):
    """``index`` as a 1-D integer array, checked: length ``rows`` and values in [0, size)."""
    data = index.data if isinstance(index, Tensor) else index
    xp = array_module(data)
    data = xp.asarray(data)
    if data.dtype.kind not in "iu":
        raise TypeError(f"{fn}: {what} must hold integers, got dtype {data.dtype}")
    if data.ndim != 1:
        raise ValueError(f"{fn}: {what} must be 1-D, got shape {tuple(data.shape)}")
    if rows is not None and data.shape[0] != rows:
        raise ValueError(f"{fn}: {what} has {data.shape[0]} entries but the input has {rows} rows "
                         f"(one {what} entry per row)")
    if data.size:
        lo, hi = int(data.min()), int(data.max())
        if lo < 0 or (size is not None and hi >= size):
            raise ValueError(f"{fn}: {what} values must lie in [0, {size}), got range [{lo}, {hi}]")
    return data.astype(xp.int64, copy=False)


def _size(fn, index, num_segments):
    if num_segments is None:
        return int(index.max()) + 1 if index.size else 0
    if int(num_segments) < 0:
        raise ValueError(f"{fn}: num_segments must be >= 0, got {num_segments}")
    return int(num_segments)


def _segment(fn, cls, src, index, num_segments):
    if len(src.shape) == 0:
        raise ValueError(f"{fn}: src must have at least one dimension (rows to reduce), got a 0-d tensor")
    idx = _index_array(fn, index, rows=src.shape[0], size=num_segments, what="index")
    return cls.apply(src, index=idx, n=_size(fn, idx, num_segments))


def segment_sum(src, index, num_segments: int | None = None):
    """out[s] = Σ_{k: index[k] = s} src[k]: rows of ``src`` (E, ...) summed by ``index`` (E,) into
    ``num_segments`` rows (default ``max(index) + 1``); empty segments are 0.  PyG's ``scatter(..., "sum")``.

    Example:
        >>> F.segment_sum(nt.tensor([[1.0], [2.0], [4.0]]), np.array([0, 1, 0])).numpy()
        array([[5.],
               [2.]], dtype=float32)
    """
    return _segment("segment_sum", SegmentSum, src, index, num_segments)


def segment_mean(src, index, num_segments: int | None = None):
    """The mean of each segment's rows (empty segments 0).

    Example:
        >>> F.segment_mean(nt.tensor([[1.0], [2.0], [4.0]]), np.array([0, 1, 0]), num_segments=3).numpy()
        array([[2.5],
               [2. ],
               [0. ]], dtype=float32)
    """
    return _segment("segment_mean", SegmentMean, src, index, num_segments)


def segment_max(src, index, num_segments: int | None = None):
    """The elementwise maximum of each segment's rows (empty segments 0, as PyG); the gradient goes
    to the maximal rows, shared evenly among ties.

    Example:
        >>> F.segment_max(nt.tensor([[1.0], [2.0], [4.0]]), np.array([0, 1, 0])).numpy()
        array([[4.],
               [2.]], dtype=float32)
    """
    return _segment("segment_max", SegmentMax, src, index, num_segments)


def segment_softmax(src, index, num_segments: int | None = None):
    """Softmax over the rows that share an index value (per column): graph attention's normalisation
    over each node's incoming edges.  PyG's ``torch_geometric.utils.softmax``.  ``src`` must be floating point.

    Example:
        >>> F.segment_softmax(nt.tensor([[0.0], [5.0], [0.0]]), np.array([0, 1, 0])).numpy()
        array([[0.5],
               [1. ],
               [0.5]], dtype=float32)
    """
    kind = getattr(getattr(src, "dtype", None), "kind", "f")
    if kind != "f":
        raise TypeError(f"segment_softmax: src must be floating point (scores), got dtype {src.dtype}")
    return _segment("segment_softmax", SegmentSoftmax, src, index, num_segments)


_REDUCE = {"sum": segment_sum, "add": segment_sum, "mean": segment_mean, "max": segment_max}


def scatter(src, index, dim_size: int | None = None, reduce: str = "sum"):
    """PyG's ``scatter(src, index, dim=0, dim_size, reduce)`` for reduce in sum/add, mean, max.

    Example:
        >>> F.scatter(nt.tensor([[1.0], [2.0], [4.0]]), np.array([0, 1, 0]), reduce="mean").numpy()
        array([[2.5],
               [2. ]], dtype=float32)
    """
    if reduce not in _REDUCE:
        raise ValueError(f"scatter: reduce must be one of {sorted(_REDUCE)}, got {reduce!r}")
    return _REDUCE[reduce](src, index, dim_size)


def index_select(x, index):
    """Rows ``x[index]`` (``torch.index_select(x, 0, index)``); backward is a segment sum.

    Example:
        >>> F.index_select(nt.tensor([[1.0], [2.0], [3.0]]), np.array([2, 0, 2])).numpy().ravel()
        array([3., 1., 3.], dtype=float32)
    """
    if len(x.shape) == 0:
        raise ValueError("index_select: x must have at least one dimension, got a 0-d tensor")
    idx = _index_array("index_select", index, size=x.shape[0])
    return IndexSelect.apply(x, index=idx, n=x.shape[0])


def propagate(x, edge_index, edge_weight=None, num_nodes: int | None = None):
    """Message passing with a sum: out[i] = Σ_{(j→i) ∈ edges} w_{j→i} · x[j] — a sparse matrix
    product Â x without forming Â.

    Args:
        x: node features (N, C), or (N, H, C) with per-head weights.
        edge_index: (2, E) integers; row 0 the source j, row 1 the target i.
        edge_weight: (E,) for x (N, C), (E, H) for x (N, H, C), or None (all ones).
        num_nodes: rows of the output (default N).
    Differentiable in ``x`` and ``edge_weight``.

    Example:
        >>> edge_index = np.array([[0, 1], [2, 2]])  # edges 0->2 and 1->2
        >>> F.propagate(nt.tensor([[1.0], [10.0], [100.0]]), edge_index).numpy().ravel()
        array([ 0.,  0., 11.], dtype=float32)
    """
    xs = tuple(x.shape)
    if len(xs) not in (2, 3):
        raise ValueError(f"propagate: x must be (num_nodes, channels) or (num_nodes, heads, channels), got {xs}")
    src, dst = edge_index_arrays("propagate", edge_index, xs[0])
    n_out = xs[0] if num_nodes is None else int(num_nodes)
    if dst.size and int(dst.max()) >= n_out:
        raise ValueError(f"propagate: target node {int(dst.max())} is out of range for num_nodes={n_out}")
    if edge_weight is not None:
        want = (src.shape[0],) + ((xs[1],) if len(xs) == 3 else ())
        if tuple(edge_weight.shape) != want:
            raise ValueError(f"propagate: edge_weight must have shape {want} for x of shape {xs} and "
                             f"{src.shape[0]} edges, got {tuple(edge_weight.shape)}")
    inputs = (x,) if edge_weight is None else (x, edge_weight)
    return Propagate.apply(*inputs, src=src, dst=dst, n_out=n_out, n_in=xs[0])


def edge_index_arrays(fn, edge_index, num_nodes: int):
    """The (source, target) integer arrays of ``edge_index`` (2, E), checked against ``num_nodes``."""
    data = edge_index.data if isinstance(edge_index, Tensor) else edge_index
    xp = array_module(data)
    data = xp.asarray(data)
    if data.dtype.kind not in "iu":
        raise TypeError(f"{fn}: edge_index must hold integers, got dtype {data.dtype}")
    if data.ndim != 2 or data.shape[0] != 2:
        raise ValueError(f"{fn}: edge_index must have shape (2, num_edges) (sources, targets), "
                         f"got {tuple(data.shape)}")
    if data.size:
        lo, hi = int(data.min()), int(data.max())
        if lo < 0 or hi >= num_nodes:
            raise ValueError(f"{fn}: edge_index refers to node {lo if lo < 0 else hi}, but there are "
                             f"{num_nodes} nodes (valid 0..{num_nodes - 1})")
    data = data.astype(xp.int64, copy=False)
    return data[0], data[1]


def _pool(fn, reduce, x, batch, size):
    xs = tuple(x.shape)
    if len(xs) != 2:
        raise ValueError(f"{fn}: x must be (num_nodes, channels), got {xs}")
    if batch is None:
        batch = np.zeros(xs[0], dtype=np.int64)
    idx = _index_array(fn, batch, rows=xs[0], size=size, what="batch")
    return reduce(x, idx, size if size is not None else (int(idx.max()) + 1 if idx.size else 1))


def global_add_pool(x, batch=None, size: int | None = None):
    """One row per graph: the sum of its nodes' features (``batch[k]`` = graph of node k).

    Example:
        >>> F.global_add_pool(nt.tensor([[1.0], [2.0], [5.0]]), np.array([0, 0, 1])).numpy().ravel()
        array([3., 5.], dtype=float32)
    """
    return _pool("global_add_pool", segment_sum, x, batch, size)


def global_mean_pool(x, batch=None, size: int | None = None):
    """One row per graph: the mean of its nodes' features.

    Example:
        >>> F.global_mean_pool(nt.tensor([[1.0], [2.0], [5.0]]), np.array([0, 0, 1])).numpy().ravel()
        array([1.5, 5. ], dtype=float32)
    """
    return _pool("global_mean_pool", segment_mean, x, batch, size)


def global_max_pool(x, batch=None, size: int | None = None):
    """One row per graph: the elementwise maximum of its nodes' features.

    Example:
        >>> F.global_max_pool(nt.tensor([[1.0], [2.0], [5.0]]), np.array([0, 0, 1])).numpy().ravel()
        array([2., 5.], dtype=float32)
    """
    return _pool("global_max_pool", segment_max, x, batch, size)
