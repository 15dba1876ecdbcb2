"""Segment (scatter) ops, index_select and message passing: float64 gradient checks, PyTorch/PyG parity, errors."""
import numpy as np
import pytest

import neuronet as nt
from neuronet import functional as F
from tests.helpers import check_grad

INDEX = np.array([3, 0, 3, 1, 0, 3, 5])  # segment 2 and 4 empty, unsorted


@pytest.mark.parametrize("op", ["segment_sum", "segment_mean", "segment_max", "segment_softmax"])
@pytest.mark.parametrize("shape", [(7,), (7, 3), (7, 2, 2)])
def test_segment_grad(op, shape):
    x = np.random.default_rng(1).normal(size=shape)
    check_grad(lambda t: getattr(F, op)(t, INDEX, 6), x)


def test_index_select_and_propagate_grad():
    rng = np.random.default_rng(2)
    ei = rng.integers(0, 5, (2, 9))
    check_grad(lambda t: F.index_select(t, INDEX % 5), rng.normal(size=(5, 3)))
    check_grad(lambda t, w: F.propagate(t, ei, w), rng.normal(size=(5, 3)), rng.normal(size=9))
    check_grad(lambda t, w: F.propagate(t, ei, w), rng.normal(size=(5, 2, 3)), rng.normal(size=(9, 2)))
    check_grad(lambda t: F.propagate(t, ei, None, num_nodes=7), rng.normal(size=(5, 3)))


@pytest.mark.parametrize("reduce", ["sum", "mean", "amax"])
def test_segment_parity_with_torch_scatter_reduce(reduce, torch):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(7, 3)).astype(np.float32)
    g = rng.normal(size=(6, 3)).astype(np.float32)
    xt = torch.tensor(x, requires_grad=True)
    idx = torch.tensor(INDEX)[:, None].expand(7, 3)
    yt = torch.zeros(6, 3).scatter_reduce(0, idx, xt, reduce=reduce, include_self=False)
    (yt * torch.tensor(g)).sum().backward()
    xn = nt.tensor(x, requires_grad=True)
    yn = {"sum": F.segment_sum, "mean": F.segment_mean, "amax": F.segment_max}[reduce](xn, INDEX, 6)
    (yn * nt.tensor(g)).sum().backward()
    np.testing.assert_allclose(yn.data, yt.detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(xn.grad, xt.grad.numpy(), atol=1e-6)


def test_segment_max_shares_gradient_among_ties():
    x = nt.tensor(np.array([[1.0], [1.0], [0.0]]), requires_grad=True)
    F.segment_max(x, np.array([0, 0, 0])).sum().backward()
    np.testing.assert_allclose(x.grad, [[0.5], [0.5], [0.0]])


def test_segment_softmax_parity_with_pyg(pyg, torch):
    rng = np.random.default_rng(4)
    s = rng.normal(size=(7, 2)).astype(np.float32)
    g = rng.normal(size=(7, 2)).astype(np.float32)
    st = torch.tensor(s, requires_grad=True)
    yt = pyg.utils.softmax(st, torch.tensor(INDEX), num_nodes=6)
    (yt * torch.tensor(g)).sum().backward()
    sn = nt.tensor(s, requires_grad=True)
    yn = F.segment_softmax(sn, INDEX, 6)
    (yn * nt.tensor(g)).sum().backward()
    np.testing.assert_allclose(yn.data, yt.detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(sn.grad, st.grad.numpy(), atol=1e-6)


def test_gcn_norm_matches_pyg(pyg, torch, graph):
    _, ei = graph
    w = np.random.default_rng(5).uniform(0.5, 2, ei.shape[1]).astype(np.float32)
    ours_ei, ours_w = F.gcn_norm(ei, w, 12)
    from torch_geometric.nn.conv.gcn_conv import gcn_norm
    ref_ei, ref_w = gcn_norm(torch.tensor(ei), torch.tensor(w), 12, add_self_loops=True)
    dense_ours = np.zeros((12, 12))
    np.add.at(dense_ours, (ours_ei[1], ours_ei[0]), ours_w)
    dense_ref = np.zeros((12, 12))
    np.add.at(dense_ref, (ref_ei[1].numpy(), ref_ei[0].numpy()), ref_w.numpy())
    np.testing.assert_allclose(dense_ours, dense_ref, atol=1e-6)
    sorted_ei, sorted_w = F.sort_edges(ours_ei, ours_w, 12)
    assert (np.diff(sorted_ei[1]) >= 0).all() and sorted(sorted_w) == sorted(ours_w)


def test_global_pools_match_pyg(pyg, torch):
    rng = np.random.default_rng(6)
    x = rng.normal(size=(9, 4)).astype(np.float32)
    batch = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
    for name in ("global_add_pool", "global_mean_pool", "global_max_pool"):
        ours = getattr(F, name)(nt.tensor(x), batch).data
        ref = getattr(pyg.nn, name)(torch.tensor(x), torch.tensor(batch)).numpy()
        np.testing.assert_allclose(ours, ref, atol=1e-6, err_msg=name)


def test_errors_name_the_function_and_shapes():
    x = nt.tensor(np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"segment_sum: index has 3 entries but the input has 4 rows"):
        F.segment_sum(x, np.array([0, 1, 2]))
    with pytest.raises(TypeError, match="segment_mean: index must hold integers"):
        F.segment_mean(x, np.array([0.0, 1, 2, 3]))
    with pytest.raises(ValueError, match=r"segment_max: index values must lie in \[0, 2\)"):
        F.segment_max(x, np.array([0, 1, 2, 3]), 2)
    with pytest.raises(ValueError, match=r"propagate: edge_index must have shape \(2, num_edges\)"):
        F.propagate(x, np.zeros((3, 5), dtype=np.int64))
    with pytest.raises(ValueError, match="propagate: edge_index refers to node 7, but there are 4 nodes"):
        F.propagate(x, np.array([[0, 7], [1, 2]]))
    with pytest.raises(ValueError, match=r"propagate: edge_weight must have shape \(2,\)"):
        F.propagate(x, np.array([[0, 1], [1, 2]]), nt.tensor(np.ones(3)))
    with pytest.raises(ValueError, match="scatter: reduce must be one of"):
        F.scatter(x, np.array([0, 0, 1, 1]), reduce="min")


def test_empty_graph_and_helpers():
    x = nt.tensor(np.ones((3, 2)), requires_grad=True)
    y = F.propagate(x, np.zeros((2, 0), dtype=np.int64))
    assert y.shape == (3, 2) and not y.data.any()
    ei, w = F.add_remaining_self_loops(np.array([[0, 1, 1], [1, 1, 0]]), np.array([1.0, 5.0, 1.0]), 3)
    loops = ei[0] == ei[1]
    assert sorted(ei[0, loops]) == [0, 1, 2] and dict(zip(ei[0, loops], w[loops]))[1] == 5.0
    und = F.to_undirected(np.array([[0, 1], [1, 2]]))
    assert {tuple(e) for e in und.T} == {(0, 1), (1, 0), (1, 2), (2, 1)}


@pytest.mark.parametrize("heads", [None, 3])
def test_compiled_message_passing_matches_numpy(heads, kernels_on):
    """The numba kernels (float32) and the NumPy reference give the same sums and gradients."""
    from neuronet.kernels import compiled
    rng = np.random.default_rng(7)
    shape = (9, 4) if heads is None else (9, heads, 4)
    x = rng.normal(size=shape).astype(np.float32)
    w = rng.normal(size=(30,) if heads is None else (30, heads)).astype(np.float32)
    ei = rng.integers(0, 9, (2, 30))
    g = rng.normal(size=shape).astype(np.float32)
    results = []
    for on in (True, False):
        compiled.set_numba_kernels(on)
        xt, wt = nt.tensor(x, requires_grad=True), nt.tensor(w, requires_grad=True)
        y = F.propagate(xt, ei, wt)
        y1 = F.propagate(xt, ei)  # all weights 1
        s = F.segment_sum(xt, ei[0, :9])
        ((y * nt.tensor(g)).sum() + (y1 * y1).sum() + (s * s).sum()).backward()
        results.append((y.data, y1.data, s.data, xt.grad, wt.grad))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, atol=1e-5)
