"""The array inference route of Embedding and the recurrent layers (issue 21, goal 5: batch-1 latency).

``infer_array`` must give exactly what the layer call gives without a graph, and decline (None)
wherever the call could differ, so that ``Sequential``'s no_grad route makes the call instead.
"""
import numpy as np
import pytest

import neuronet as nt
from neuronet.autograd import Function

CELLS = {"LSTM": nt.nn.LSTM, "GRU": nt.nn.GRU, "SimpleRNN": nt.nn.SimpleRNN}


def _built(cell, dtype=np.float32, features=5, **options):
    was = nt.get_default_dtype()
    nt.set_default_dtype(dtype)
    try:
        layer = CELLS[cell](6, **options)
        layer(nt.tensor(np.zeros((1, 3, features)), dtype=dtype))
    finally:
        nt.set_default_dtype(was)
    return layer


def _inputs(n, t, features=5, dtype=np.float32, seed=0):
    return np.random.default_rng(seed).standard_normal((n, t, features)).astype(dtype)


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("sequences", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_recurrent_infer_array_equals_the_layer_call_without_a_graph(cell, n, sequences, dtype):
    layer = _built(cell, dtype, return_sequences=sequences)
    x = _inputs(n, 7, dtype=dtype, seed=n)
    with nt.no_grad():
        reference = layer(nt.tensor(x, dtype=dtype)).numpy()
    out = layer.infer_array(x)
    assert out.dtype == dtype and out.shape == reference.shape == ((n, 7, 6) if sequences else (n, 6))
    np.testing.assert_array_equal(out, reference)


@pytest.mark.parametrize("cell", ["LSTM", "GRU"])
def test_recurrent_infer_array_with_compiled_kernels_equals_the_numpy_loop(cell, kernels_on):
    from neuronet.kernels import compiled
    layer = _built(cell)
    x = _inputs(1, 40, seed=3)
    fast = layer.infer_array(x)
    compiled.set_numba_kernels(False)
    reference = layer.infer_array(x)
    np.testing.assert_allclose(fast, reference, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("options", [dict(stateful=True), dict(return_state=True), dict(bidirectional=True),
                                     dict(num_layers=2), dict(go_backwards=True)], ids=lambda o: next(iter(o)))
def test_recurrent_infer_array_declines_options_it_does_not_take(options):
    layer = _built("LSTM", **options)
    assert layer.infer_array(_inputs(1, 4)) is None


def test_recurrent_infer_array_declines_where_the_call_could_differ():
    layer = _built("GRU", dropout=0.5)
    x = _inputs(1, 4)
    assert layer.infer_array(x) is None  # training mode: the call applies dropout
    layer.eval()
    assert layer.infer_array(x) is not None
    assert layer.infer_array(x.astype(np.float64)) is None  # the call casts it
    assert layer.infer_array(_inputs(1, 4, features=4)) is None  # the call raises its error
    assert layer.infer_array(_inputs(1, 0)) is None and layer.infer_array(_inputs(0, 4)) is None
    assert layer.infer_array(x[0]) is None  # unbatched
    layer.register_forward_hook(lambda module, args, out: None)
    assert layer.infer_array(x) is None
    assert nt.nn.LSTM(4).infer_array(x) is None  # not built yet: the call builds it


def test_embedding_infer_array_equals_the_layer_call_and_declines_bad_ids():
    emb = nt.nn.Embedding(10, 4, padding_idx=0)
    ids = np.array([[0, 3, 9], [2, 2, 1]])
    with nt.no_grad():
        np.testing.assert_array_equal(emb.infer_array(ids), emb(ids).numpy())
    assert emb.infer_array(np.array([[3, 10]])) is None  # out of range: the call raises its error
    assert emb.infer_array(np.array([[-1, 3]])) is None
    assert emb.infer_array(ids.astype(np.float32)) is None
    emb.register_forward_hook(lambda module, args, out: None)
    assert emb.infer_array(ids) is None


def _applies(monkeypatch):
    calls = []
    original = Function.apply.__func__

    def counted(cls, *inputs, **params):
        calls.append(cls.__name__)
        return original(cls, *inputs, **params)
    monkeypatch.setattr(Function, "apply", classmethod(counted))
    return calls


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_sequential_text_classifier_goes_by_arrays_with_the_layer_calls_values(cell, monkeypatch):
    model = nt.nn.Sequential([nt.nn.Embedding(50, 8), CELLS[cell](6), nt.nn.Dense(2)])
    ids = nt.tensor(np.random.default_rng(4).integers(0, 50, (1, 12)))
    model(ids)
    with nt.no_grad(), nt.nn.unfused():
        reference = model(ids).numpy()  # every layer called
    calls = _applies(monkeypatch)
    with nt.no_grad():
        fast = model(ids)
    assert calls == []  # no Function applied: every layer went by its array route
    assert type(fast) is nt.Tensor and fast._creator is None
    np.testing.assert_array_equal(fast.numpy(), reference)


def test_sequential_route_still_raises_the_embedding_error():
    model = nt.nn.Sequential([nt.nn.Embedding(50, 8), nt.nn.LSTM(6), nt.nn.Dense(2)])
    model(nt.tensor(np.zeros((1, 3), np.int64)))
    with nt.no_grad(), pytest.raises(ValueError, match=r"Embedding\(50, 8\): embedding: index 50 is out of range"):
        model(nt.tensor(np.array([[1, 50]])))
