"""GCNConv, SAGEConv, GATConv, GINConv and pooling: parity with PyTorch Geometric (same weights, same graph →
same outputs, input and parameter gradients), float64 gradient checks, batching, errors."""
import numpy as np
import pytest

import neuronet as nt
from neuronet import functional as F


def _copy_weights(ours, theirs):
    state = {k: v.detach().numpy() for k, v in theirs.state_dict().items()}
    for name, p in ours.named_parameters():
        assert p.data.shape == state[name].shape, name
        p.data[...] = state[name]


def _parity(ours, theirs, x, ei, torch, *extra):
    ours(nt.tensor(x), ei, *extra)  # build the lazy layers
    _copy_weights(ours, theirs)
    g = np.random.default_rng(9).normal(size=(x.shape[0], 1)).astype(np.float32)
    xt = torch.tensor(x, requires_grad=True)
    yt = theirs(xt, torch.tensor(ei), *[torch.tensor(e) for e in extra])
    gt = torch.tensor(np.broadcast_to(g, yt.shape).copy())
    (yt * gt).sum().backward()
    xn = nt.tensor(x, requires_grad=True)
    yn = ours(xn, ei, *extra)
    (yn * nt.tensor(gt.numpy())).sum().backward()
    np.testing.assert_allclose(yn.data, yt.detach().numpy(), atol=2e-6)
    np.testing.assert_allclose(xn.grad, xt.grad.numpy(), atol=2e-6)
    ref = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, ref[name].grad.numpy(), atol=5e-6, err_msg=name)


def test_gcn_parity(pyg, torch, graph):
    x, ei = graph
    _parity(nt.nn.GCNConv(4), pyg.nn.GCNConv(5, 4), x, ei, torch)
    w = np.random.default_rng(1).uniform(0.1, 2, ei.shape[1]).astype(np.float32)
    _parity(nt.nn.GCNConv(4), pyg.nn.GCNConv(5, 4), x, ei, torch, w)
    # improved (A + 2I): compared with edge weights given; PyG 2.8 without weights fills the loops with 1
    _parity(nt.nn.GCNConv(4, improved=True), pyg.nn.GCNConv(5, 4, improved=True), x, ei, torch, w)


@pytest.mark.parametrize("aggr", ["mean", "sum", "max"])
def test_sage_parity(aggr, pyg, torch, graph):
    x, ei = graph
    _parity(nt.nn.SAGEConv(4, aggr=aggr), pyg.nn.SAGEConv(5, 4, aggr=aggr), x, ei, torch)


@pytest.mark.parametrize("heads,concat", [(1, True), (3, True), (3, False)])
def test_gat_parity(heads, concat, pyg, torch, graph):
    x, ei = graph
    _parity(nt.nn.GATConv(4, heads=heads, concat=concat), pyg.nn.GATConv(5, 4, heads=heads, concat=concat),
            x, ei, torch)


def test_gin_parity(pyg, torch, graph):
    x, ei = graph
    ours = nt.nn.GINConv(nt.nn.Sequential(nt.nn.Dense(8, activation="relu"), nt.nn.Dense(3)), eps=0.3,
                         train_eps=True)
    theirs = pyg.nn.GINConv(torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)),
                            eps=0.3, train_eps=True)
    ours(nt.tensor(x), ei)
    state = {k.replace("nn.2.", "nn.1."): v
             for k, v in theirs.state_dict().items()}
    names = dict(ours.named_parameters())
    assert set(names) == set(state), (sorted(names), sorted(state))
    for k, p in names.items():
        p.data[...] = state[k].numpy()
    xt = torch.tensor(x, requires_grad=True)
    yt = theirs(xt, torch.tensor(ei))
    yt.sum().backward()
    xn = nt.tensor(x, requires_grad=True)
    yn = ours(xn, ei)
    yn.sum().backward()
    np.testing.assert_allclose(yn.data, yt.detach().numpy(), atol=2e-6)
    np.testing.assert_allclose(xn.grad, xt.grad.numpy(), atol=2e-6)
    np.testing.assert_allclose(ours.eps.grad, theirs.eps.grad.numpy(), atol=2e-5)


@pytest.mark.parametrize("make", [lambda: nt.nn.GCNConv(3), lambda: nt.nn.SAGEConv(3),
                                  lambda: nt.nn.GATConv(2, heads=2), lambda: nt.nn.SAGEConv(3, aggr="max"),
                                  lambda: nt.nn.GINConv(nt.nn.Dense(3, activation="tanh"), train_eps=True)])
def test_layer_gradcheck_float64(make):
    nt.set_default_dtype(np.float64)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(6, 4))
    ei = rng.integers(0, 6, (2, 14))
    layer = make()
    layer(nt.tensor(x), ei)
    params = list(layer.parameters())
    assert nt.gradcheck(lambda xx: layer(xx, ei), nt.tensor(x, requires_grad=True))
    assert all(p.dtype == np.float64 for p in params)
    for p in params:  # parameter gradients: autograd on the real parameter vs central differences
        base = p.data.copy()
        out = layer(nt.tensor(x), ei)
        w = np.random.default_rng(0).normal(size=out.shape)
        layer.zero_grad()
        (out * nt.tensor(w)).sum().backward()
        num = np.zeros_like(base)
        it = np.nditer(base, flags=["multi_index"])
        for _ in it:
            i = it.multi_index
            for s in (1, -1):
                p.data = base.copy()
                p.data[i] += s * 1e-6
                num[i] += s * float((layer(nt.tensor(x), ei).data * w).sum()) / 2e-6
        p.data = base
        np.testing.assert_allclose(p.grad, num, atol=1e-5, rtol=1e-4)


def test_batched_graphs_are_independent():
    """Two graphs in one block-diagonal batch give the same rows as each graph alone."""
    rng = np.random.default_rng(4)
    x1, x2 = rng.normal(size=(4, 3)).astype(np.float32), rng.normal(size=(5, 3)).astype(np.float32)
    e1, e2 = np.array([[0, 1, 2, 3], [1, 2, 3, 0]]), np.array([[0, 1, 2, 3, 4], [2, 2, 3, 4, 0]])
    from neuronet.data.graphs import Graph, collate
    b = collate([Graph(x1, e1), Graph(x2, e2)])
    layer = nt.nn.GATConv(2, heads=2)
    both = layer(nt.tensor(b.x), b.edge_index).data
    np.testing.assert_allclose(both[:4], layer(nt.tensor(x1), e1).data, atol=1e-6)
    np.testing.assert_allclose(both[4:], layer(nt.tensor(x2), e2).data, atol=1e-6)
    pooled = nt.nn.GlobalMeanPool()(nt.tensor(both), b.batch).data
    np.testing.assert_allclose(pooled[1], both[4:].mean(axis=0), atol=1e-6)


def test_layer_errors():
    with pytest.raises(ValueError, match=r"GCNConv\(out_channels=4\): expected node features of shape "
                                         r"\(num_nodes, in_channels\), received \(2, 3, 4\)"):
        nt.nn.GCNConv(4)(nt.tensor(np.ones((2, 3, 4))), np.array([[0], [1]]))
    with pytest.raises(ValueError, match="SAGEConv: aggr must be"):
        nt.nn.SAGEConv(4, aggr="lstm")
    with pytest.raises(TypeError, match="GINConv: nn must be a Module"):
        nt.nn.GINConv(lambda x: x)
    with pytest.raises(ValueError, match="GATConv.*edge_index refers to node 9, but there are 3 nodes"):
        nt.nn.GATConv(2)(nt.tensor(np.ones((3, 2))), np.array([[0, 9], [1, 2]]))
