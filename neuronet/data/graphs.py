"""Graph data: one graph (node features, COO edges, labels), batches of graphs, and offline graph datasets.

A batch of graphs is one block-diagonal graph: node rows stacked, each graph's edge indices shifted
by the nodes before it, and a ``batch`` vector naming each node's graph (PyG's layout), so a
graph layer runs once over the whole batch and ``global_*_pool(x, batch)`` gives one row per graph.

Datasets (all offline):

- :func:`load_karate` — Zachary's karate club (34 members, 78 friendships, the 2 clubs after the
  split), built by ``networkx.karate_club_graph()`` (networkx is needed for this loader only).
- :func:`load_drosophila` — the larval Drosophila mushroom-body connectome (Eichler et al., Nature
  2017): 209 (left) or 213 (right) neurons, directed synapse counts, 4 cell types: Kenyon cells (K),
  input (I), output (O) and projection neurons (P); files from the ``graspologic==3.4.4`` wheel,
  fetched with ``pip download --no-deps`` and sha256-checked (``neuronet data fetch drosophila``).
- :func:`make_motif_graphs` — graph classification built here: Barabási–Albert trees with a planted
  "house" (class 1) or 5-cycle (class 0), the BA-2Motifs task of Luo et al. (PGExplainer, 2020).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .datasets.fetch import dataset_path

__all__ = ["Graph", "GraphBatch", "collate", "load_karate", "load_drosophila", "DROSOPHILA_CLASSES",
           "make_motif_graphs", "GraphLoader", "degree_features"]

DROSOPHILA_CLASSES = ("K", "P", "O", "I")  # Kenyon cells, projection, output, input neurons


@dataclass
class Graph:
    """One graph: ``x`` (N, F) node features, ``edge_index`` (2, E) int64 (row 0 source, row 1 target),
    optional ``edge_weight`` (E,), ``y`` (a graph label, or (N,) node labels).

    Example:
        >>> g = nt.data.graphs.Graph(np.eye(3, dtype=np.float32), np.array([[0, 1], [1, 2]]))
        >>> g.num_nodes, g.num_edges
        (3, 2)
    """

    x: np.ndarray
    edge_index: np.ndarray
    edge_weight: np.ndarray | None = None
    y: object = None

    def __post_init__(self):
        self.x = np.asarray(self.x)
        self.edge_index = np.asarray(self.edge_index, dtype=np.int64).reshape(2, -1)
        if self.x.ndim != 2:
            raise ValueError(f"Graph: x must be (num_nodes, num_features), got shape {self.x.shape}")
        if self.edge_index.size and (self.edge_index.min() < 0 or self.edge_index.max() >= len(self.x)):
            raise ValueError(f"Graph: edge_index refers to node {int(self.edge_index.max())}, but x has "
                             f"{len(self.x)} nodes")
        if self.edge_weight is not None:
            self.edge_weight = np.asarray(self.edge_weight)
            if self.edge_weight.shape != (self.edge_index.shape[1],):
                raise ValueError(f"Graph: edge_weight must have shape ({self.edge_index.shape[1]},), "
                                 f"got {self.edge_weight.shape}")

    @property
    def num_nodes(self) -> int:
        return len(self.x)

    @property
    def num_edges(self) -> int:
        return self.edge_index.shape[1]


@dataclass
class GraphBatch(Graph):
    """Several graphs as one block-diagonal graph; ``batch[k]`` is the graph of node k.

    Example:
        >>> a = nt.data.graphs.Graph(np.ones((2, 1), np.float32), np.array([[0], [1]]))
        >>> batch = nt.data.graphs.collate([a, a])
        >>> batch.batch.tolist(), batch.edge_index.tolist()  # the second graph's nodes are shifted by 2
        ([0, 0, 1, 1], [[0, 2], [1, 3]])
    """

    batch: np.ndarray = None
    num_graphs: int = 1


def collate(graphs) -> GraphBatch:
    """Stack graphs into one :class:`GraphBatch` (edges shifted by the nodes before them; ``y``
    stacked when every graph has one).

    Example:
        >>> g = nt.data.graphs.Graph(np.ones((3, 2), np.float32), np.array([[0, 1], [1, 2]]))
        >>> batch = nt.data.graphs.collate([g, g, g])
        >>> batch.x.shape, batch.edge_index.shape, batch.num_graphs
        ((9, 2), (2, 6), 3)
    """
    graphs = list(graphs)
    if not graphs:
        raise ValueError("collate: needs at least one graph")
    sizes = np.array([g.num_nodes for g in graphs])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    x = np.concatenate([g.x for g in graphs])
    ei = np.concatenate([g.edge_index + o for g, o in zip(graphs, offsets)], axis=1)
    has_w = [g.edge_weight is not None for g in graphs]
    if any(has_w) and not all(has_w):
        raise ValueError("collate: either every graph has edge weights or none does")
    w = np.concatenate([g.edge_weight for g in graphs]) if all(has_w) else None
    ys = [g.y for g in graphs]
    y = None if any(v is None for v in ys) else np.concatenate([np.atleast_1d(v) for v in ys])
    batch = np.repeat(np.arange(len(graphs)), sizes)
    return GraphBatch(x, ei, w, y, batch=batch, num_graphs=len(graphs))


class GraphLoader:
    """Mini-batches of graphs as :class:`GraphBatch` objects (shuffled each pass with the seeded generator).

    Example:
        >>> g = nt.data.graphs.Graph(np.ones((3, 2), np.float32), np.array([[0, 1], [1, 2]]), y=0)
        >>> loader = nt.data.graphs.GraphLoader([g] * 10, batch_size=4, seed=0)
        >>> len(loader), [b.num_graphs for b in loader]
        (3, [4, 4, 2])
    """

    def __init__(self, graphs, batch_size: int = 32, shuffle: bool = True, seed: int | None = None):
        self.graphs, self.batch_size, self.shuffle = list(graphs), int(batch_size), shuffle
        self.rng = np.random.default_rng(seed)

    def __len__(self):
        return -(-len(self.graphs) // self.batch_size)

    def __iter__(self):
        order = self.rng.permutation(len(self.graphs)) if self.shuffle else np.arange(len(self.graphs))
        for i in range(0, len(order), self.batch_size):
            yield collate([self.graphs[j] for j in order[i:i + self.batch_size]])


def _undirected(pairs, n):
    ei = np.asarray(pairs, dtype=np.int64).T
    both = np.concatenate([ei, ei[::-1]], axis=1)
    key = np.unique(both[1] * n + both[0])
    return np.stack([key % n, key // n])


def load_karate(features: str = "identity") -> Graph:
    """Zachary's karate club: 34 nodes, 78 undirected friendships (156 directed edges), ``y`` the club
    after the split (0 Mr. Hi's, 1 the Officer's); Mr. Hi is node 0 and the Officer node 33.

    ``features="identity"`` gives one-hot node features (Kipf & Welling's featureless setting).

    Example:
        >>> g = nt.data.graphs.load_karate()  # needs networkx
        >>> g.num_nodes, g.num_edges, g.x.shape
        (34, 156, (34, 34))
    """
    try:
        import networkx as nx
    except ImportError as e:
        raise ImportError("load_karate builds the graph with networkx: pip install networkx") from e
    g = nx.karate_club_graph()
    n = g.number_of_nodes()
    y = np.array([0 if g.nodes[i]["club"] == "Mr. Hi" else 1 for i in range(n)], dtype=np.int64)
    if features != "identity":
        raise ValueError(f"load_karate: features must be 'identity', got {features!r}")
    return Graph(np.eye(n, dtype=np.float32), _undirected(list(g.edges()), n), None, y)


def degree_features(edge_index, edge_weight, n) -> np.ndarray:
    """Per node: log(1 + ·) of in-degree, out-degree, in-strength and out-strength (synapse counts).

    Example:
        >>> nt.data.graphs.degree_features(np.array([[0, 0], [1, 2]]), None, 3).shape  # in/out degree and strength
        (3, 4)
    """
    src, dst = edge_index
    w = np.ones(len(src)) if edge_weight is None else edge_weight
    cols = [np.bincount(dst, minlength=n), np.bincount(src, minlength=n),
            np.bincount(dst, weights=w, minlength=n), np.bincount(src, weights=w, minlength=n)]
    return np.log1p(np.stack(cols, axis=1)).astype(np.float32)


def load_drosophila(side: str = "left", download: bool = True) -> Graph:
    """The larval Drosophila mushroom-body connectome of one hemisphere: directed edges j→i weighted by
    synapse counts, ``y`` the cell type (index into ``DROSOPHILA_CLASSES``), ``x`` the
    :func:`degree_features` (4 per node).

    Example:
        >>> g = nt.data.graphs.load_drosophila()  # doctest: +SKIP
        >>> g.num_nodes  # doctest: +SKIP
        209
    """
    if side not in ("left", "right"):
        raise ValueError(f"load_drosophila: side must be 'left' or 'right', got {side!r}")
    folder = dataset_path("drosophila", download=download)
    adj = np.loadtxt(folder / f"{side}_adjacency.csv")
    labels = open(folder / f"{side}_cell_labels.csv").read().split()
    y = np.array([DROSOPHILA_CLASSES.index(c) for c in labels], dtype=np.int64)
    src, dst = np.nonzero(adj)  # adj[j, i]: synapses from j onto i
    order = np.lexsort((src, dst))
    ei = np.stack([src[order], dst[order]]).astype(np.int64)
    w = adj[src[order], dst[order]].astype(np.float32)
    return Graph(degree_features(ei, w, len(adj)), ei, w, y)


_HOUSE = [(0, 1), (1, 2), (2, 3), (3, 0), (0, 4), (1, 4)]  # a square with a roof: contains a triangle
_CYCLE = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 0)]


def _ba_tree(n, rng):
    """Barabási–Albert with one edge per new node: node t attaches to an earlier node chosen with
    probability proportional to its degree."""
    ends = [0, 1]
    pairs = [(0, 1)]
    for t in range(2, n):
        j = ends[rng.integers(len(ends))]
        pairs.append((t, j))
        ends += [t, j]
    return pairs


def make_motif_graphs(n_graphs: int = 1000, base_nodes: int = 20, features: int = 10, seed: int = 0):
    """BA-2Motifs: each graph is a BA tree of ``base_nodes`` nodes with a motif attached by one edge
    to a random tree node: a house (label 1) or a 5-cycle (label 0), half each.  Node features are
    all 1 (as in the original), so only the structure tells the classes apart.  Returns a list of
    :class:`Graph`.

    Example:
        >>> graphs = nt.data.graphs.make_motif_graphs(n_graphs=4, seed=0)
        >>> len(graphs), graphs[0].x.shape[1], sorted({int(g.y) for g in graphs})
        (4, 10, [0, 1])
    """
    rng = np.random.default_rng(seed)
    graphs = []
    for k in range(n_graphs):
        label = k % 2
        motif = _HOUSE if label else _CYCLE
        pairs = _ba_tree(base_nodes, rng)
        pairs += [(a + base_nodes, b + base_nodes) for a, b in motif]
        pairs.append((int(rng.integers(base_nodes)), base_nodes + int(rng.integers(5))))
        n = base_nodes + 5
        perm = rng.permutation(n)  # node order carries no label information
        pairs = [(perm[a], perm[b]) for a, b in pairs]
        graphs.append(Graph(np.ones((n, features), dtype=np.float32), _undirected(pairs, n), None,
                            np.int64(label)))
    order = rng.permutation(n_graphs)
    return [graphs[i] for i in order]
