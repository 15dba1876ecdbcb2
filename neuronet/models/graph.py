"""Graph neural networks for node and graph classification, trainable with ``compile``/``fit``.

Both models keep their graph data inside (as buffers, so a saved model holds its graph) and take
*indices* as input, so Keras's ``fit(x, y)`` works unchanged:

- :class:`NodeClassifier` — semi-supervised node classification on one graph (Kipf & Welling):
  the input is a batch of node ids; every step runs the GNN over the whole graph and returns the
  logits of those nodes, so the loss sees only the labelled nodes while the convolutions see all.
- :class:`GraphClassifier` — one label per graph (GIN + global pooling, Xu et al.): the input is a
  batch of graph ids into the stored collection; the step gathers those graphs into one
  block-diagonal batch and pools each to a row.

A graph is given by name (``"karate"``, ``"drosophila-left"``, ``"drosophila-right"``,
``"ba2motifs"``: the model can be saved and loaded) or as an ``nt.data.graphs.Graph`` / list of them.
"""
from __future__ import annotations

from ..backend import np
from ..functional.graph import global_add_pool, global_max_pool, global_mean_pool, index_select
from ..functional.activation import elu, relu
from ..functional.dropout import dropout as dropout_fn
from ..nn import BatchNorm1D, Dense, ReLU, GATConv, GCNConv, GINConv, SAGEConv, Sequential as NNSequential
from ..tensor import Tensor
from ..train import Model

__all__ = ["NodeClassifier", "GraphClassifier", "load_graph_by_name"]

_POOLS = {"add": global_add_pool, "mean": global_mean_pool, "max": global_max_pool}


def load_graph_by_name(name: str):
    """The graph (or list of graphs) a model names: karate, drosophila-left/right, ba2motifs.

    Example:
        >>> g = nt.models.load_graph_by_name("karate")  # needs networkx
        >>> g.num_nodes
        34
    """
    from ..data import graphs
    if name == "karate":
        return graphs.load_karate()
    if name in ("drosophila-left", "drosophila-right"):
        return graphs.load_drosophila(name.split("-")[1])
    if name == "ba2motifs":
        return graphs.make_motif_graphs(1000, seed=0)
    raise ValueError(f"unknown graph {name!r}: expected 'karate', 'drosophila-left', 'drosophila-right' "
                     f"or 'ba2motifs' (or pass a Graph)")


def _ids(what, x, n):
    ids = np.asarray(x.data if isinstance(x, Tensor) else x)
    if ids.dtype.kind == "f" and ids.size and np.all(ids == np.round(ids)):
        ids = ids.astype(np.int64)  # fit may hand integer ids over as floats
    if ids.dtype.kind not in "iu":
        raise TypeError(f"{what}: input must be integer {what.split('Classifier')[0].lower()} ids, got dtype {ids.dtype}")
    ids = ids.reshape(-1).astype(np.int64)
    if ids.size and (ids.min() < 0 or ids.max() >= n):
        raise ValueError(f"{what}: ids must lie in [0, {n}), got range [{int(ids.min())}, {int(ids.max())}]")
    return ids


def _conv(kind, units, heads, concat=True):
    if kind == "gcn":
        return GCNConv(units, cached=True)
    if kind == "sage":
        return SAGEConv(units)
    if kind == "gat":
        return GATConv(units, heads=heads, concat=concat, dropout=0.0)
    raise ValueError(f"NodeClassifier: conv must be 'gcn', 'sage' or 'gat', got {kind!r}")


class NodeClassifier(Model):
    """A GNN over one stored graph; ``model(node_ids)`` gives those nodes' class logits.

    Args:
        num_classes: output classes.
        graph: a graph name (see the module docstring) or an ``nt.data.graphs.Graph``.
        conv: ``"gcn"``, ``"sage"`` or ``"gat"``.
        hidden: hidden features (per head for GAT).
        layers: graph convolutions (≥ 1); ReLU (ELU for GAT) and dropout between them.
        heads: GAT heads of the hidden layers (concatenated); the output layer has one head.
        dropout: on the features before each convolution, in training.
        standardize: scale each feature column to mean 0, std 1 over all nodes (degree features).
        embedding_dim: when given, a last hidden layer of this size whose output :meth:`embed`
            returns (2 for a plot of the learned embedding).

    Example:
        >>> model = nt.models.NodeClassifier(num_classes=2, graph="karate", hidden=8)  # needs networkx
        >>> model(np.arange(34)).shape
        (34, 2)
    """

    def __init__(self, num_classes: int, graph="karate", conv: str = "gcn", hidden: int = 16, layers: int = 2,
                 heads: int = 4, dropout: float = 0.5, embedding_dim: int | None = None, standardize: bool = False):
        super().__init__()
        g = load_graph_by_name(graph) if isinstance(graph, str) else graph
        x = np.asarray(g.x, dtype=np.float32)
        if standardize:  # transductive: the statistics of every node's features (no labels involved)
            x = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-8)
        self.register_buffer("node_features", x.astype(np.float32))
        self.register_buffer("edge_index", np.asarray(g.edge_index, dtype=np.int64))
        self.register_buffer("edge_weight", None if g.edge_weight is None else np.asarray(g.edge_weight, np.float32))
        self.conv_kind, self.dropout = conv, float(dropout)
        sizes = [hidden] * (layers - 1) + ([embedding_dim] if embedding_dim else [])
        convs = [_conv(conv, s, heads) for s in sizes] + [_conv(conv, num_classes, 1)]
        self.convs = NNSequential(*convs)

    def _conv_call(self, layer, h):
        if isinstance(layer, GCNConv):
            return layer(h, self.edge_index, self.edge_weight)
        return layer(h, self.edge_index)

    def node_outputs(self, upto: int | None = None):
        """Every node's output of the first ``upto`` convolutions (default all: the logits)."""
        h = Tensor(self.node_features)
        layers = list(self.convs)
        layers = layers if upto is None else layers[:upto]
        act = elu if self.conv_kind == "gat" else relu
        for i, layer in enumerate(layers):
            if self.dropout and self.training:
                h = dropout_fn(h, self.dropout, training=True)
            h = self._conv_call(layer, h)
            if i < len(layers) - 1 or upto is not None:
                h = act(h)
        return h

    def embed(self):
        """The last hidden layer's output for every node, as a NumPy array (N, embedding_dim)."""
        layers = list(self.convs)
        was = self.training
        self.eval()
        try:
            return self.node_outputs(upto=len(layers) - 1).data
        finally:
            self.train(was)

    def forward(self, node_ids):
        ids = _ids("NodeClassifier", node_ids, len(self.node_features))
        return index_select(self.node_outputs(), ids)


class GraphClassifier(Model):
    """GIN layers, global pooling and an MLP: one label per graph of a stored collection;
    ``model(graph_ids)`` gives those graphs' class logits.

    Args:
        num_classes: output classes.
        graphs: a collection name (``"ba2motifs"``) or a list of ``nt.data.graphs.Graph``.
        hidden: features of every GIN layer (each GIN MLP: Dense → BatchNorm → ReLU → Dense,
            as in the GIN paper).
        layers: GIN layers.
        pool: ``"add"`` (GIN's choice: sums count structure), ``"mean"`` or ``"max"``.

    Example:
        >>> graphs = nt.data.graphs.make_motif_graphs(n_graphs=8, seed=0)
        >>> model = nt.models.GraphClassifier(num_classes=2, graphs=graphs, hidden=8, layers=2)
        >>> model(np.arange(8)).shape
        (8, 2)
    """

    def __init__(self, num_classes: int, graphs="ba2motifs", hidden: int = 32, layers: int = 3, pool: str = "add"):
        super().__init__()
        from ..data.graphs import collate
        gs = load_graph_by_name(graphs) if isinstance(graphs, str) else list(graphs)
        if pool not in _POOLS:
            raise ValueError(f"GraphClassifier: pool must be one of {sorted(_POOLS)}, got {pool!r}")
        b = collate(gs)
        sizes = np.array([g.num_nodes for g in gs])
        n_edges = np.array([g.num_edges for g in gs])
        self.register_buffer("node_features", b.x.astype(np.float32))
        self.register_buffer("edge_index", b.edge_index)
        self.register_buffer("node_ptr", np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64))
        self.register_buffer("edge_ptr", np.concatenate([[0], np.cumsum(n_edges)]).astype(np.int64))
        self.pool = pool
        self.gins = NNSequential(*[GINConv(NNSequential(Dense(hidden), BatchNorm1D(), ReLU(), Dense(hidden)))
                                   for _ in range(layers)])
        self.head = NNSequential(Dense(hidden, activation="relu"), Dense(num_classes))

    def encode(self, x, edge_index, batch, num_graphs: int):
        """One row per graph of a block-diagonal batch: GIN layers (ReLU between), then the pooling."""
        h = x if isinstance(x, Tensor) else Tensor(x)
        for layer in self.gins:
            h = relu(layer(h, edge_index))
        return _POOLS[self.pool](h, batch, num_graphs)

    def gather(self, graph_ids):
        """The node features, edges (renumbered) and batch vector of the stored graphs ``graph_ids``."""
        ids = _ids("GraphClassifier", graph_ids, len(self.node_ptr) - 1)
        starts, sizes = self.node_ptr[ids], self.node_ptr[ids + 1] - self.node_ptr[ids]
        new_starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        batch = np.repeat(np.arange(len(ids)), sizes)
        nodes = starts[batch] + np.arange(int(sizes.sum())) - new_starts[batch]
        e_starts, e_sizes = self.edge_ptr[ids], self.edge_ptr[ids + 1] - self.edge_ptr[ids]
        e_graph = np.repeat(np.arange(len(ids)), e_sizes)
        e_new = np.concatenate([[0], np.cumsum(e_sizes)[:-1]])
        edges = e_starts[e_graph] + np.arange(int(e_sizes.sum())) - e_new[e_graph]
        ei = self.edge_index[:, edges] - starts[e_graph] + new_starts[e_graph]
        return self.node_features[nodes], ei, batch, len(ids)

    def forward(self, graph_ids):
        x, ei, batch, n = self.gather(graph_ids)
        return self.head(self.encode(x, ei, batch, n))
