"""TransformerEncoderLayer.infer_array: the layer call's values from arrays, or None where the call could differ."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.nn.layers import transformer, transformer_inference


def make_layer(**kw):
    nt.manual_seed(0)
    options = dict(d_model=16, nhead=4, dim_feedforward=24, dropout=0.2)
    options.update(kw)
    return nt.nn.TransformerEncoderLayer(**options).eval()


def masks(n, t, kind):
    rng = np.random.default_rng(1)
    if kind == "padding":
        kpm = np.zeros((n, t), bool)
        kpm[-1, t // 2:] = True
        return {"src_key_padding_mask": kpm}
    if kind == "bool":
        return {"src_mask": rng.random((t, t)) > 0.7}
    if kind == "float":
        return {"src_mask": nt.nn.Transformer.generate_square_subsequent_mask(t)}
    if kind == "per-head":
        return {"src_mask": np.where(rng.random((n * 4, t, t)) > 0.7, -np.inf, 0.0).astype(np.float32)}
    if kind == "causal":
        return {"is_causal": True}
    return {}


def arrays(layer, x, kw):
    return layer.infer_array(x, kw.get("src_mask"), kw.get("src_key_padding_mask"), kw.get("is_causal", False))


@pytest.mark.parametrize("norm_first", [False, True], ids=["post-norm", "pre-norm"])
@pytest.mark.parametrize("kind", [None, "padding", "bool", "float", "per-head", "causal"])
@pytest.mark.parametrize("n", [1, 3])
def test_infer_array_equals_the_layer_call(norm_first, kind, n):
    layer = make_layer(norm_first=norm_first)
    x = nt.randn(n, 7, 16)
    kw = masks(n, 7, kind)
    with nt.no_grad():
        expected = layer(x, **kw).numpy()
    got = arrays(layer, x.numpy(), kw)
    assert got is not None and got.dtype == np.float32
    assert np.array_equal(got, expected)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_encoder_stack_under_no_grad_uses_the_route_and_keeps_values(dtype, monkeypatch):
    nt.manual_seed(2)
    before = nt.get_default_dtype()
    nt.set_default_dtype(dtype)
    try:
        enc = nt.nn.TransformerEncoder(nt.nn.TransformerEncoderLayer(16, 2, dim_feedforward=32), 3,
                                       norm=nt.nn.LayerNorm(16)).eval()
        x = nt.randn(2, 5, 16)
    finally:
        nt.set_default_dtype(before)
    kpm = np.array([[False] * 5, [False] * 3 + [True] * 2])
    with nt.no_grad():
        calls = []
        real = transformer_inference.encoder_layer_arrays
        monkeypatch.setattr(transformer_inference, "encoder_layer_arrays", lambda *a: calls.append(1) or real(*a))
        monkeypatch.setattr(nt.nn.layers.transformer, "encoder_layer_arrays",
                            transformer_inference.encoder_layer_arrays)
        fast = enc(x, src_key_padding_mask=kpm).numpy()
        assert len(calls) == 3
    slow = enc(x, src_key_padding_mask=kpm).numpy()  # grad mode: the layer calls
    assert fast.dtype == np.dtype(dtype)
    assert np.array_equal(fast, slow)


def test_sequential_of_encoder_layers_uses_the_route():
    seq = nt.nn.Sequential([make_layer(), make_layer(norm_first=True)]).eval()
    x = nt.randn(2, 6, 16)
    with nt.no_grad():
        fast = seq(x)
    assert fast.numpy().flags.c_contiguous
    assert np.array_equal(fast.numpy(), seq[1](seq[0](x)).numpy())


def test_falls_back_where_the_call_could_differ():
    layer = make_layer()
    x = nt.randn(2, 7, 16).numpy()
    assert layer.infer_array(x) is not None
    assert layer.infer_array(x.astype(np.float64)) is None  # the call casts to the layer's dtype
    assert layer.infer_array(x[0]) is None  # unbatched
    assert layer.infer_array(x[..., :8]) is None  # the call raises its shape error
    assert layer.infer_array(x, src_key_padding_mask=np.zeros((3, 7), bool)) is None  # bad mask shape
    assert layer.infer_array(x, src_mask=np.zeros((7, 7), np.float64)) is None  # promoted float mask
    layer.train()
    assert layer.infer_array(x) is None  # dropout active
    layer.eval()
    handle = layer.norm1.register_forward_hook(lambda m, i, o: o)
    assert layer.infer_array(x) is None
    handle.remove()
    assert make_layer(activation="gelu").infer_array(x) is None  # not fused into the product
    assert make_layer(batch_first=False).infer_array(x) is None

    class Custom(nt.nn.TransformerEncoderLayer):
        def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
            return super().forward(src) * 2

    assert Custom(16, 4, dim_feedforward=24).eval().infer_array(x) is None


def test_bad_input_still_gets_the_layer_error_under_no_grad():
    enc = nt.nn.TransformerEncoder(nt.nn.TransformerEncoderLayer(16, 2, dim_feedforward=32), 2).eval()
    with nt.no_grad(), pytest.raises(ValueError, match=r"TransformerEncoderLayer\(d_model=16\)"):
        enc(nt.randn(2, 5, 8))


@pytest.mark.parametrize("t, expected_rule", [(4, "products_only"), (200, "unchanged")])  # 200: softmax in 2 chunks
def test_route_and_layer_call_run_their_products_alike_at_two_threads(t, expected_rule, monkeypatch):
    """At 2 BLAS threads both paths keep the mid-sized products (2¹⁸ to 2²² multiply-adds) on every
    thread where nothing runs on neuronet's own threads, and on one thread otherwise: OpenBLAS may
    sum a long product in another order on two threads, so they agree bit for bit only if alike."""
    from neuronet.kernels.parallel import blas_controllers
    controllers = blas_controllers()
    if not controllers:
        pytest.skip("BLAS thread count cannot be set here")
    # d_model 784: products with k = 784 differed in their last bits between 1 and 2 threads (k ≤ 400 did not)
    layer = make_layer(d_model=784, nhead=4, dim_feedforward=1024, dropout=0.0)
    x = nt.randn(1, t, 784)
    rules = []
    threads = transformer_inference.encoder_layer_threads
    for module in (transformer_inference, transformer):
        monkeypatch.setattr(module, "encoder_layer_threads", lambda *a: rules.append(threads(*a)) or rules[-1])
    before = [c.num_threads for c in controllers]
    for c in controllers:
        c.set_num_threads(2)
    try:
        with nt.no_grad():
            expected = layer(x).numpy()
        got = arrays(layer, x.numpy(), {})
    finally:
        for c, n in zip(controllers, before):
            c.set_num_threads(n)
    from neuronet.kernels.parallel import products_only
    assert [r is products_only() for r in rules] == [expected_rule == "products_only"] * 2  # the call, then the route
    assert got is not None and np.array_equal(got, expected)
