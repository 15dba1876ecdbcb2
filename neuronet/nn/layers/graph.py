"""Graph convolution layers: GCNConv, SAGEConv, GATConv, GINConv and global pooling.

Called as ``layer(x, edge_index)`` (or ``layer(x, edge_index, edge_weight)``) with node features
``x`` (N, in) and a COO ``edge_index`` (2, E), row 0 the source, row 1 the target — PyTorch
Geometric's calling convention and its parameter names (``lin.weight``, ``lin_l``/``lin_r``,
``att_src``/``att_dst``, ``bias``, ``eps``), so weights copy between the two.  Input sizes are
lazy (the inner Dense layers build on the first call).  Several graphs in one batch are one
block-diagonal graph with a ``batch`` vector (``nt.data.graphs.collate``); the pooling layers
reduce each graph's nodes to one row.  Aggregation is by segment sums over the edges, never an
N×N matrix (``functional/graph.py``).
"""
from __future__ import annotations

import math

from ... import backend
from ...checks import positive_int
from ...functional.activation import leaky_relu
from ...functional.dropout import dropout
from ...functional.graph import (edge_index_arrays, global_add_pool, global_max_pool, global_mean_pool,
                                 index_select, propagate, segment_max, segment_softmax)
from ...functional.graph_norm import add_self_loops, degree, gcn_norm, remove_self_loops
from .. import init
from ..parameter import Parameter
from .base import _Layer
from .dense import Dense

__all__ = ["GCNConv", "SAGEConv", "GATConv", "GINConv", "GlobalAddPool", "GlobalMeanPool", "GlobalMaxPool"]


def _check_x(name, x):
    shape = tuple(x.shape)
    if len(shape) != 2:
        raise ValueError(f"{name}: expected node features of shape (num_nodes, in_channels), received {shape}")
    return shape[0]


def _edges(name, edge_index, n):
    src, dst = edge_index_arrays(name, edge_index, n)
    xp = backend.array_module(src)
    return xp.stack([src, dst])


class GCNConv(_Layer):
    """Kipf & Welling's graph convolution: X' = D^{-1/2}(A + I)D^{-1/2} X W + b.

    Args:
        out_channels: output features per node.
        improved: self-loops of weight 2 (Â = A + 2I), with or without edge weights (PyTorch
            Geometric 2.8 applies it only when edge weights are given).
        add_self_loops, normalize: as PyG (both on: the symmetric normalisation above).
        bias: add ``bias (out,)`` after the aggregation.
        cached: keep the normalised edges of the first graph (transductive training on one graph).

    Parameters ``lin.weight (out, in)`` and ``bias (out,)`` as PyG's ``GCNConv``.

    Example:
        >>> x = nt.randn(4, 3)  # 4 nodes, 3 features
        >>> edge_index = np.array([[0, 1, 2, 3], [1, 2, 3, 0]])  # a directed cycle
        >>> nt.nn.GCNConv(8)(x, edge_index).shape
        (4, 8)
    """

    float_inputs = 1

    def __init__(self, out_channels: int, improved: bool = False, add_self_loops: bool = True,
                 normalize: bool = True, bias: bool = True, cached: bool = False, in_channels: int | None = None):
        super().__init__()
        self.out_channels = positive_int("GCNConv", "out_channels", out_channels)
        self.improved, self.add_loops, self.normalize = bool(improved), bool(add_self_loops), bool(normalize)
        self.cached = bool(cached)
        self._cache = None
        self.lin = Dense(self.out_channels, use_bias=False, in_features=in_channels)
        dtype = backend.get_default_dtype()
        self.bias = Parameter(init.zeros((self.out_channels,), dtype=dtype), dtype=dtype) if bias else None

    def _name(self):
        return f"GCNConv(out_channels={self.out_channels})"

    def _norm(self, edge_index, edge_weight, n):
        if self.cached and self._cache is not None:
            return self._cache
        ei = _edges(self._name(), edge_index, n)
        w = None if edge_weight is None else getattr(edge_weight, "data", edge_weight)
        if self.normalize:
            ei, w = gcn_norm(ei, w, n, add_loops=self.add_loops, fill_value=2.0 if self.improved else 1.0,
                             dtype=self.lin.weight.dtype)
        elif self.add_loops:
            ei, w = add_self_loops(ei, w, n, 2.0 if self.improved else 1.0)
        if w is not None:
            w = w.astype(self.lin.weight.dtype, copy=False)
        if self.cached:
            self._cache = (ei, w)
        return ei, w

    def forward(self, x, edge_index, edge_weight=None):
        n = _check_x(self._name(), x)
        h = self.lin(x)
        ei, w = self._norm(edge_index, edge_weight, n)
        out = propagate(h, ei, w, n)
        return out if self.bias is None else out + self.bias

    def extra_repr(self):
        return f"out_channels={self.out_channels}, improved={self.improved}, normalize={self.normalize}"


class SAGEConv(_Layer):
    """GraphSAGE: x'_i = W_l · aggr_{j→i} x_j + W_r · x_i (+ bias in ``lin_l``).

    Args:
        out_channels: output features per node.
        aggr: ``"mean"`` (the paper's mean aggregator), ``"sum"`` or ``"max"``.
        root_weight: add the node's own features through ``lin_r``.
        normalize: L2-normalise each output row.

    Parameters ``lin_l.weight``, ``lin_l.bias``, ``lin_r.weight`` as PyG's ``SAGEConv``.

    Example:
        >>> nt.nn.SAGEConv(8)(nt.randn(4, 3), np.array([[0, 1, 2], [1, 2, 3]])).shape
        (4, 8)
    """

    float_inputs = 1

    def __init__(self, out_channels: int, aggr: str = "mean", root_weight: bool = True, normalize: bool = False,
                 bias: bool = True, in_channels: int | None = None):
        super().__init__()
        self.out_channels = positive_int("SAGEConv", "out_channels", out_channels)
        if aggr not in ("mean", "sum", "max"):
            raise ValueError(f"SAGEConv: aggr must be 'mean', 'sum' or 'max', got {aggr!r}")
        self.aggr, self.root_weight, self.normalize = aggr, bool(root_weight), bool(normalize)
        self.lin_l = Dense(self.out_channels, use_bias=bias, in_features=in_channels)
        self.lin_r = Dense(self.out_channels, use_bias=False, in_features=in_channels) if root_weight else None

    def _name(self):
        return f"SAGEConv(out_channels={self.out_channels}, aggr={self.aggr!r})"

    def forward(self, x, edge_index):
        n = _check_x(self._name(), x)
        ei = _edges(self._name(), edge_index, n)
        if self.aggr == "max":
            agg = segment_max(index_select(x, ei[0]), ei[1], n)
        elif self.aggr == "mean":
            deg = degree(ei[1], n, dtype=x.dtype)
            agg = propagate(x, ei, (1.0 / backend.np.maximum(deg, 1))[ei[1]], n)
        else:
            agg = propagate(x, ei, None, n)
        out = self.lin_l(agg)
        if self.lin_r is not None:
            out = out + self.lin_r(x)
        if self.normalize:
            norm = ((out * out).sum(axis=-1, keepdims=True) + 1e-24) ** 0.5
            out = out / norm
        return out

    def extra_repr(self):
        return f"out_channels={self.out_channels}, aggr={self.aggr!r}, root_weight={self.root_weight}"


class GATConv(_Layer):
    """Graph attention (Veličković et al.): each node attends over its in-neighbours and itself.

    For head h: e_ji = LeakyReLU(a_srcᵀ W x_j + a_dstᵀ W x_i), α_ji = softmax over j of e_ji
    (per target i), x'_i = Σ_j α_ji W x_j; heads are concatenated (``concat=True``) or averaged.

    Args:
        out_channels: features per head.
        heads: attention heads.
        concat: concatenate the heads (output heads·out) or average them (output out).
        negative_slope: of the LeakyReLU on the scores (0.2).
        dropout: dropout on the attention coefficients in training.
        add_self_loops: every node also attends to itself (self-loops replaced by one per node).

    Parameters ``lin.weight (heads·out, in)``, ``att_src`` and ``att_dst (1, heads, out)``, ``bias``
    as PyG's ``GATConv``.

    Example:
        >>> gat = nt.nn.GATConv(8, heads=2)
        >>> gat(nt.randn(4, 3), np.array([[0, 1, 2], [1, 2, 3]])).shape  # heads concatenated
        (4, 16)
    """

    float_inputs = 1

    def __init__(self, out_channels: int, heads: int = 1, concat: bool = True, negative_slope: float = 0.2,
                 dropout: float = 0.0, add_self_loops: bool = True, bias: bool = True,
                 in_channels: int | None = None):
        super().__init__()
        self.out_channels = positive_int("GATConv", "out_channels", out_channels)
        self.heads = positive_int("GATConv", "heads", heads)
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"GATConv: dropout must be in [0, 1), got {dropout}")
        self.concat, self.negative_slope, self.dropout = bool(concat), float(negative_slope), float(dropout)
        self.add_loops = bool(add_self_loops)
        h, c = self.heads, self.out_channels
        self.lin = Dense(h * c, use_bias=False, in_features=in_channels)
        dtype = backend.get_default_dtype()
        bound = math.sqrt(6.0 / (h + c))  # PyG's glorot on (1, heads, out)
        self.att_src = Parameter(init.uniform((1, h, c), -bound, bound, dtype=dtype), dtype=dtype)
        self.att_dst = Parameter(init.uniform((1, h, c), -bound, bound, dtype=dtype), dtype=dtype)
        size = h * c if self.concat else c
        self.bias = Parameter(init.zeros((size,), dtype=dtype), dtype=dtype) if bias else None

    def _name(self):
        return f"GATConv(out_channels={self.out_channels}, heads={self.heads})"

    def forward(self, x, edge_index, return_attention: bool = False):
        """Node outputs; with ``return_attention`` also ``(edge_index, alpha (E, heads))`` — the
        edges with the self-loops added and each edge's attention weight."""
        n = _check_x(self._name(), x)
        ei = _edges(self._name(), edge_index, n)
        if self.add_loops:
            ei, _ = add_self_loops(remove_self_loops(ei)[0], None, n)
        h = self.lin(x).reshape(n, self.heads, self.out_channels)
        a_src = (h * self.att_src).sum(axis=-1)  # (N, heads)
        a_dst = (h * self.att_dst).sum(axis=-1)
        scores = leaky_relu(index_select(a_src, ei[0]) + index_select(a_dst, ei[1]), self.negative_slope)
        alpha = segment_softmax(scores, ei[1], n)  # softmax over each target's incoming edges
        if self.dropout and self.training:
            alpha = dropout(alpha, self.dropout, training=True)
        out = propagate(h, ei, alpha, n)  # (N, heads, out)
        out = out.reshape(n, self.heads * self.out_channels) if self.concat else out.mean(axis=1)
        if self.bias is not None:
            out = out + self.bias
        return (out, (ei, alpha)) if return_attention else out

    def extra_repr(self):
        return f"out_channels={self.out_channels}, heads={self.heads}, concat={self.concat}"


class GINConv(_Layer):
    """Graph isomorphism network layer (Xu et al.): x'_i = nn((1 + ε) x_i + Σ_{j→i} x_j).

    Args:
        nn: the Module applied after the sum (an MLP: ``nt.nn.Sequential(Dense(64, "relu"), Dense(64))``).
        eps: ε; ``train_eps=True`` makes it a parameter.

    ``eps (1,)`` and ``nn.*`` as PyG's ``GINConv`` (a buffer unless trained).

    Example:
        >>> gin = nt.nn.GINConv(nt.Sequential([nt.nn.Dense(8, activation="relu"), nt.nn.Dense(8)]))
        >>> gin(nt.randn(4, 3), np.array([[0, 1, 2], [1, 2, 3]])).shape
        (4, 8)
    """

    float_inputs = 1

    def __init__(self, nn, eps: float = 0.0, train_eps: bool = False):
        super().__init__()
        from ..module import Module
        if not isinstance(nn, Module):
            raise TypeError(f"GINConv: nn must be a Module (the MLP after the sum), got {type(nn).__name__}")
        self.nn = nn
        dtype = backend.get_default_dtype()
        value = backend.np.full((1,), eps, dtype=dtype)
        if train_eps:
            self.eps = Parameter(value, dtype=dtype)
        else:
            self.register_buffer("eps", value)
        self.train_eps = bool(train_eps)

    def forward(self, x, edge_index):
        n = _check_x("GINConv", x)
        ei = _edges("GINConv", edge_index, n)
        agg = propagate(x, ei, None, n)
        eps = self.eps
        return self.nn(agg + x * (1.0 + eps))

    def extra_repr(self):
        return f"train_eps={self.train_eps}"


class _GlobalPool(_Layer):
    float_inputs = 1
    _fn = None

    def forward(self, x, batch=None, size: int | None = None):
        return type(self)._fn(x, batch, size)


class GlobalAddPool(_GlobalPool):
    """One row per graph: the sum of its nodes' features; ``layer(x, batch)``.

    Example:
        >>> nt.nn.GlobalAddPool()(nt.ones(5, 3), np.array([0, 0, 1, 1, 1])).numpy()
        array([[2., 2., 2.],
               [3., 3., 3.]], dtype=float32)
    """
    _fn = staticmethod(global_add_pool)


class GlobalMeanPool(_GlobalPool):
    """One row per graph: the mean of its nodes' features; ``layer(x, batch)``.

    Example:
        >>> nt.nn.GlobalMeanPool()(nt.tensor([[1.0], [3.0], [5.0]]), np.array([0, 0, 1])).numpy().ravel()
        array([2., 5.], dtype=float32)
    """
    _fn = staticmethod(global_mean_pool)


class GlobalMaxPool(_GlobalPool):
    """One row per graph: the elementwise maximum of its nodes' features; ``layer(x, batch)``.

    Example:
        >>> nt.nn.GlobalMaxPool()(nt.tensor([[1.0], [3.0], [5.0]]), np.array([0, 0, 1])).numpy().ravel()
        array([3., 5.], dtype=float32)
    """
    _fn = staticmethod(global_max_pool)
