"""Graph data: Graph/collate/GraphLoader, the karate club, the Drosophila connectome, BA-2Motifs."""
import numpy as np
import pytest

from neuronet.data import graphs
from neuronet.data.datasets.registry import SOURCES
from tests.helpers import need


def test_collate_shifts_edges_and_names_graphs():
    g1 = graphs.Graph(np.ones((2, 3)), [[0], [1]], y=np.int64(1))
    g2 = graphs.Graph(np.zeros((3, 3)), [[0, 2], [1, 0]], y=np.int64(0))
    b = graphs.collate([g1, g2])
    assert b.x.shape == (5, 3) and b.num_graphs == 2
    assert b.edge_index.tolist() == [[0, 2, 4], [1, 3, 2]]
    assert b.batch.tolist() == [0, 0, 1, 1, 1] and b.y.tolist() == [1, 0]
    loader = graphs.GraphLoader([g1, g2] * 3, batch_size=4, seed=0)
    assert len(loader) == 2 and sum(bb.num_graphs for bb in loader) == 6


def test_graph_checks_its_parts():
    with pytest.raises(ValueError, match="Graph: edge_index refers to node 5, but x has 2 nodes"):
        graphs.Graph(np.ones((2, 3)), [[0], [5]])
    with pytest.raises(ValueError, match=r"Graph: x must be \(num_nodes, num_features\)"):
        graphs.Graph(np.ones(3), [[0], [1]])
    with pytest.raises(ValueError, match="collate: either every graph has edge weights or none"):
        graphs.collate([graphs.Graph(np.ones((2, 1)), [[0], [1]], [1.0]), graphs.Graph(np.ones((2, 1)), [[0], [1]])])


def test_karate_club():
    need_networkx()
    g = graphs.load_karate()
    assert g.num_nodes == 34 and g.num_edges == 156  # 78 friendships, both directions
    assert g.y[0] == 0 and g.y[33] == 1 and np.bincount(g.y).tolist() == [17, 17]
    edges = set(map(tuple, g.edge_index.T))
    assert all((b, a) in edges for a, b in edges)


def need_networkx():
    return pytest.importorskip("networkx", reason="load_karate builds the graph with networkx: pip install networkx")


def test_drosophila_connectome(ensure_dataset):
    ensure_dataset("drosophila")
    g = graphs.load_drosophila("left", download=False)
    assert g.num_nodes == 209 and np.bincount(g.y).tolist() == [101, 58, 29, 21]  # K, P, O, I
    assert g.x.shape == (209, 4) and g.edge_weight.min() >= 1
    assert (np.diff(g.edge_index[1]) >= 0).all()
    assert graphs.load_drosophila("right", download=False).num_nodes == 213
    assert SOURCES["drosophila"].package == "graspologic==3.4.4"
    with pytest.raises(ValueError, match="side must be 'left' or 'right'"):
        graphs.load_drosophila("middle")


def test_motif_graphs_are_balanced_and_differ_only_by_the_motif():
    gs = graphs.make_motif_graphs(40, seed=1)
    y = np.array([int(g.y) for g in gs])
    assert y.sum() == 20 and all(g.num_nodes == 25 for g in gs)
    # a BA tree of 20 nodes (19 edges) + the motif (house 6, cycle 5) + 1 attaching edge, both directions
    assert all(g.num_edges == 2 * (19 + (6 if g.y else 5) + 1) for g in gs)
    assert not np.array_equal(graphs.make_motif_graphs(4, seed=1)[0].edge_index,
                              graphs.make_motif_graphs(4, seed=2)[0].edge_index)
