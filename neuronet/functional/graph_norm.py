"""Edge-list helpers of the graph layers: self-loops, degrees, GCN's symmetric normalisation.

Plain array functions on a COO ``edge_index`` (2, E) (row 0 source, row 1 target) and optional
``edge_weight`` (E,) — no gradients flow through the graph's structure.  Edges keep their order
(self-loops appended at the end, as PyG); :func:`sort_edges` orders them by target when wanted.
"""
from __future__ import annotations

from ..backend import array_module, np
from .graph import edge_index_arrays

__all__ = ["remove_self_loops", "add_self_loops", "add_remaining_self_loops", "degree", "gcn_norm",
           "sort_edges", "to_undirected"]


def _weights(fn, edge_weight, n_edges, xp, dtype=np.float32):
    if edge_weight is None:
        return None
    w = xp.asarray(getattr(edge_weight, "data", edge_weight))
    if w.shape != (n_edges,):
        raise ValueError(f"{fn}: edge_weight must have shape ({n_edges},), one weight per edge, got {tuple(w.shape)}")
    return w


def sort_edges(edge_index, edge_weight=None, num_nodes: int | None = None):
    """Edges ordered by (target, source); returns ``(edge_index, edge_weight)``.

    Example:
        >>> F.sort_edges(np.array([[1, 0, 2], [1, 1, 0]]))[0].tolist()  # by (target, source)
        [[2, 0, 1], [0, 1, 1]]
    """
    ei = np.asarray(getattr(edge_index, "data", edge_index))
    n = int(ei.max()) + 1 if num_nodes is None and ei.size else (num_nodes or 0)
    src, dst = edge_index_arrays("sort_edges", ei, max(n, 1))
    xp = array_module(src)
    order = xp.lexsort((src, dst))
    w = _weights("sort_edges", edge_weight, src.shape[0], xp)
    return xp.stack([src[order], dst[order]]), (None if w is None else w[order])


def remove_self_loops(edge_index, edge_weight=None):
    """Drop the edges i→i.

    Example:
        >>> F.remove_self_loops(np.array([[0, 1, 1], [0, 0, 1]]))[0].tolist()
        [[1], [0]]
    """
    ei = np.asarray(getattr(edge_index, "data", edge_index))
    xp = array_module(ei)
    keep = ei[0] != ei[1]
    w = _weights("remove_self_loops", edge_weight, ei.shape[1], xp)
    return ei[:, keep], (None if w is None else w[keep])


def add_self_loops(edge_index, edge_weight=None, num_nodes: int | None = None, fill_value: float = 1.0):
    """Append one edge i→i per node (weight ``fill_value``), keeping any that exist.

    Example:
        >>> edge_index, weight = F.add_self_loops(np.array([[0], [1]]), num_nodes=2)
        >>> edge_index.tolist()
        [[0, 0, 1], [1, 0, 1]]
    """
    ei = np.asarray(getattr(edge_index, "data", edge_index))
    xp = array_module(ei)
    n = _nodes(ei, num_nodes)
    loops = xp.arange(n, dtype=xp.int64)
    w = _weights("add_self_loops", edge_weight, ei.shape[1], xp)
    ei = xp.concatenate([ei.astype(xp.int64), xp.stack([loops, loops])], axis=1)
    if w is not None:
        w = xp.concatenate([w, xp.full(n, fill_value, dtype=w.dtype)])
    return ei, w


def add_remaining_self_loops(edge_index, edge_weight=None, num_nodes: int | None = None, fill_value: float = 1.0):
    """One self-loop per node (PyG's rule): a node that has self-loops keeps its (last) loop's
    weight, the others get ``fill_value``.

    Example:
        >>> edge_index, weight = F.add_remaining_self_loops(np.array([[0, 1], [0, 0]]), np.array([5.0, 1.0]), num_nodes=2)
        >>> edge_index.tolist(), weight.tolist()  # node 0 keeps its loop (weight 5), node 1 gets one
        ([[1, 0, 1], [0, 0, 1]], [1.0, 5.0, 1.0])
    """
    ei = np.asarray(getattr(edge_index, "data", edge_index)).astype(np.int64)
    xp = array_module(ei)
    n = _nodes(ei, num_nodes)
    w = _weights("add_remaining_self_loops", edge_weight, ei.shape[1], xp)
    is_loop = ei[0] == ei[1]
    loop_w = xp.full(n, fill_value, dtype=(w.dtype if w is not None else xp.float32))
    if w is not None and is_loop.any():
        loop_w[ei[0, is_loop]] = w[is_loop]
    loops = xp.arange(n, dtype=xp.int64)
    ei = xp.concatenate([ei[:, ~is_loop], xp.stack([loops, loops])], axis=1)
    if w is not None:
        w = xp.concatenate([w[~is_loop], loop_w])
    return ei, w


def degree(index, num_nodes: int | None = None, weight=None, dtype=np.float32):
    """How many edges (or their total weight) end at each node of ``index`` (usually the targets).

    Example:
        >>> F.degree(np.array([2, 2, 0]), num_nodes=3).tolist()
        [1.0, 0.0, 2.0]
    """
    idx = np.asarray(getattr(index, "data", index)).astype(np.int64)
    xp = array_module(idx)
    n = int(idx.max()) + 1 if num_nodes is None and idx.size else int(num_nodes or 0)
    if weight is None:
        return xp.bincount(idx, minlength=n).astype(dtype)
    return xp.bincount(idx, weights=xp.asarray(weight), minlength=n).astype(dtype)


def gcn_norm(edge_index, edge_weight=None, num_nodes: int | None = None, add_loops: bool = True,
             fill_value: float = 1.0, dtype=np.float32):
    """Kipf & Welling's Â = D^{-1/2} (A + I) D^{-1/2} as edges and weights (PyG's ``gcn_norm``):
    self-loops added (``add_remaining_self_loops``), degree taken at the target, each edge j→i
    weighted w_ji / √(deg_j deg_i).  Returns ``(edge_index, weights)``.

    Example:
        >>> edge_index, weight = F.gcn_norm(np.array([[0, 1], [1, 0]]), num_nodes=2)
        >>> edge_index.shape, weight.round(4).tolist()  # 2 edges + 2 self-loops, each 1/sqrt(2 * 2)
        ((2, 4), [0.5, 0.5, 0.5, 0.5])
    """
    ei = np.asarray(getattr(edge_index, "data", edge_index)).astype(np.int64)
    xp = array_module(ei)
    n = _nodes(ei, num_nodes)
    w = _weights("gcn_norm", edge_weight, ei.shape[1], xp)
    w = xp.ones(ei.shape[1], dtype=dtype) if w is None else w.astype(dtype)
    if add_loops:
        ei, w = add_remaining_self_loops(ei, w, n, fill_value)
    deg = xp.bincount(ei[1], weights=w, minlength=n).astype(dtype)
    with np.errstate(divide="ignore"):
        inv = deg ** -0.5
    inv[~xp.isfinite(inv)] = 0
    return ei, (inv[ei[0]] * w * inv[ei[1]]).astype(dtype)


def to_undirected(edge_index, num_nodes: int | None = None):
    """Both directions of every edge, without duplicates, sorted by (target, source).

    Example:
        >>> F.to_undirected(np.array([[0], [1]])).tolist()
        [[1, 0], [0, 1]]
    """
    ei = np.asarray(getattr(edge_index, "data", edge_index)).astype(np.int64)
    xp = array_module(ei)
    n = _nodes(ei, num_nodes)
    both = xp.concatenate([ei, ei[::-1]], axis=1)
    key = xp.unique(both[1] * n + both[0])
    return xp.stack([key % n, key // n])


def _nodes(ei, num_nodes):
    if ei.ndim != 2 or ei.shape[0] != 2:
        raise ValueError(f"graph helpers: edge_index must have shape (2, num_edges), got {tuple(ei.shape)}")
    if num_nodes is not None:
        return int(num_nodes)
    return int(ei.max()) + 1 if ei.size else 0
