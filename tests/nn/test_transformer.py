import numpy as np
import pytest

import neuronet as nt
from neuronet.nn.layers.normalization import LayerNorm
from neuronet.nn.layers.positional import (
    LearnedPositionalEmbedding, OneHotPositionalEncoding, PositionalEmbedding, SinusoidalPositionalEncoding,
    sinusoidal_encoding,
)
from neuronet.nn.layers.transformer import (
    Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer,
)
from tests.helpers import assert_close, check_grad

D, H, FF = 8, 2, 16


def _load(torch, nm, tm):
    nm.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()}, strict=True)
    with torch.no_grad():  # perturb every parameter of both alike so biases and norms are exercised
        gen = np.random.default_rng(7)
        new = {k: gen.standard_normal(v.shape).astype(np.float32) * 0.3 + (1.0 if "norm" in k and "weight" in k else 0)
               for k, v in tm.state_dict().items()}
        tm.load_state_dict({k: torch.tensor(v) for k, v in new.items()})
    nm.load_state_dict(new, strict=True)


def _compare(torch, nm, tm, n_args, t_args, rng, rtol=1e-5):
    out, tout = nm(*n_args[0], **n_args[1]), tm(*t_args[0], **t_args[1])
    assert_close(out.numpy(), tout.detach().numpy(), rtol, what="output")
    cot = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(cot)
    tout.backward(torch.tensor(cot))
    for a, b in zip(n_args[0], t_args[0]):
        if isinstance(b, torch.Tensor) and b.requires_grad:
            assert_close(a.grad, b.grad.numpy(), rtol, what="input gradient")
    tparams = dict(tm.named_parameters())
    assert sorted(n for n, _ in nm.named_parameters()) == sorted(tparams)
    for name, p in nm.named_parameters():
        assert_close(p.grad, tparams[name].grad.numpy(), rtol, what=f"gradient of {name}")


def _inputs(torch, rng, *shapes):
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    return ([nt.tensor(a, requires_grad=True) for a in arrays], [torch.tensor(a, requires_grad=True) for a in arrays])


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_encoder_layer_parity(rng, norm_first, activation, torch):
    kw = dict(dim_feedforward=FF, dropout=0.0, activation=activation, batch_first=True, norm_first=norm_first)
    tm = torch.nn.TransformerEncoderLayer(D, H, **kw)
    nm = TransformerEncoderLayer(D, H, **kw)
    _load(torch, nm, tm)
    (x,), (tx,) = _inputs(torch, rng, (3, 5, D))
    pad = np.zeros((3, 5), bool)
    pad[1, 3:] = True
    causal = np.triu(np.ones((5, 5), bool), 1)
    _compare(torch, nm, tm, ([x], {"src_key_padding_mask": pad, "src_mask": causal}),
             ([tx], {"src_key_padding_mask": torch.tensor(pad), "src_mask": torch.tensor(causal)}), rng)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_decoder_layer_parity(rng, norm_first, activation, torch):
    kw = dict(dim_feedforward=FF, dropout=0.0, activation=activation, batch_first=True, norm_first=norm_first)
    tm = torch.nn.TransformerDecoderLayer(D, H, **kw)
    nm = TransformerDecoderLayer(D, H, **kw)
    _load(torch, nm, tm)
    (tgt, mem), (ttgt, tmem) = _inputs(torch, rng, (2, 4, D), (2, 6, D))
    causal = np.triu(np.ones((4, 4), bool), 1)
    mpad = np.zeros((2, 6), bool)
    mpad[0, 5] = True
    _compare(torch, nm, tm, ([tgt, mem], {"tgt_mask": causal, "memory_key_padding_mask": mpad}),
             ([ttgt, tmem], {"tgt_mask": torch.tensor(causal), "memory_key_padding_mask": torch.tensor(mpad)}), rng)


def test_encoder_and_decoder_stacks_load_torch_state(rng, torch):
    kw = dict(dim_feedforward=FF, dropout=0.0, batch_first=True)
    tenc = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(D, H, **kw), 2, norm=torch.nn.LayerNorm(D),
                                       enable_nested_tensor=False)
    nenc = TransformerEncoder(TransformerEncoderLayer(D, H, **kw), 2, norm=LayerNorm(D))
    _load(torch, nenc, tenc)
    (x,), (tx,) = _inputs(torch, rng, (2, 5, D))
    _compare(torch, nenc, tenc, ([x], {}), ([tx], {}), rng)
    tdec = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(D, H, **kw), 2)
    ndec = TransformerDecoder(lambda: TransformerDecoderLayer(D, H, **kw), 2)
    _load(torch, ndec, tdec)
    (tgt, mem), (ttgt, tmem) = _inputs(torch, rng, (2, 4, D), (2, 5, D))
    causal = np.triu(np.ones((4, 4), bool), 1)
    _compare(torch, ndec, tdec, ([tgt, mem], {"tgt_mask": causal}), ([ttgt, tmem], {"tgt_mask": torch.tensor(causal)}), rng)


def test_encoder_copies_share_initial_weights_but_not_parameters():
    enc = TransformerEncoder(TransformerEncoderLayer(D, H, FF), 2)
    a, b = enc.layers[0].linear1.weight, enc.layers[1].linear1.weight
    assert a is not b
    assert_close(a.numpy(), b.numpy())


def test_encoder_layer_gradcheck_float64(rng):
    nt.set_default_dtype(np.float64)
    layer = TransformerEncoderLayer(4, 2, dim_feedforward=6, dropout=0.0, activation="gelu", norm_first=True)
    check_grad(lambda x: layer(x, is_causal=True), rng.standard_normal((2, 3, 4)))


def test_transformer_rejects_bad_input():
    layer = TransformerEncoderLayer(D, H, FF)
    with pytest.raises(ValueError, match=r"TransformerEncoderLayer\(d_model=8\).*received shape \(2, 3, 5\)"):
        layer(nt.tensor(np.zeros((2, 3, 5), np.float32)))
    with pytest.raises(ValueError, match="activation"):
        TransformerEncoderLayer(D, H, activation="tanh")
    with pytest.raises(TypeError, match="TransformerEncoder"):
        TransformerEncoder(TransformerDecoderLayer(D, H), 2)


def test_sinusoidal_encoding_matches_formula():
    pe = sinusoidal_encoding(50, 6, dtype=np.float64)
    pos, i = 13, 2
    assert pe[pos, 2 * i] == pytest.approx(np.sin(pos / 10000 ** (2 * i / 6)))
    assert pe[pos, 2 * i + 1] == pytest.approx(np.cos(pos / 10000 ** (2 * i / 6)))
    expect = np.zeros((50, 7))
    for p in range(50):
        for j in range(7):
            angle = p / 10000 ** ((j - j % 2) / 7)
            expect[p, j] = np.sin(angle) if j % 2 == 0 else np.cos(angle)
    assert_close(sinusoidal_encoding(50, 7, dtype=np.float64), expect)  # odd d_model too


def test_positional_layers(rng):
    x = rng.standard_normal((2, 5, 6)).astype(np.float32)
    out = SinusoidalPositionalEncoding(10, 6)(nt.tensor(x))
    assert out.dtype == np.float32
    assert_close(out.numpy(), x + sinusoidal_encoding(10, 6)[:5])
    learned = LearnedPositionalEmbedding(10, 6)
    xt = nt.tensor(x, requires_grad=True)
    y = learned(xt)
    assert_close(y.numpy(), x + learned.weight.numpy()[:5])
    y.backward(np.ones(y.shape, np.float32))
    assert_close(learned.weight.grad[:5], np.full((5, 6), 2.0))
    assert_close(learned.weight.grad[5:], np.zeros((5, 6)))
    onehot = OneHotPositionalEncoding(7)(nt.tensor(x)).numpy()
    assert onehot.shape == (2, 5, 13)
    assert_close(onehot[1, :, 6:], np.eye(5, 7))
    emb = PositionalEmbedding(20, 10, 6)
    ids = np.array([[1, 2, 3], [4, 5, 19]])
    assert_close(emb(nt.tensor(ids)).numpy(),
                 emb.token_embedding.weight.numpy()[ids] + emb.position_embedding.weight.numpy()[:3])
    assert sorted(emb.state_dict()) == ["position_embedding.weight", "token_embedding.weight"]
    with pytest.raises(ValueError, match="max_len=10"):
        SinusoidalPositionalEncoding(10, 6)(nt.tensor(np.zeros((1, 11, 6), np.float32)))
    with pytest.raises(ValueError, match="max_len=10"):
        emb(nt.tensor(np.zeros((1, 11), np.int64)))


@pytest.mark.parametrize("norm_first", [False, True])
def test_full_transformer_parity(rng, norm_first, torch):
    kw = dict(dim_feedforward=FF, dropout=0.0, activation="relu", norm_first=norm_first)
    tm = torch.nn.Transformer(D, H, 2, 2, batch_first=True, **kw)
    nm = Transformer(D, H, 2, 2, **kw)
    nm.eval(), tm.eval()
    _load(torch, nm, tm)
    (src, tgt), (tsrc, ttgt) = _inputs(torch, rng, (2, 6, D), (2, 4, D))
    causal = Transformer.generate_square_subsequent_mask(4)
    spad = np.zeros((2, 6), bool)
    spad[1, 4:] = True
    tpad = np.zeros((2, 4), bool)
    tpad[0, 3] = True
    kwargs = {"tgt_mask": causal, "src_key_padding_mask": spad, "memory_key_padding_mask": spad,
              "tgt_key_padding_mask": tpad}
    tkwargs = {k: torch.tensor(v) for k, v in kwargs.items()}
    _compare(torch, nm, tm, ([src, tgt], kwargs), ([tsrc, ttgt], tkwargs), rng)


def test_square_subsequent_mask_matches_torch(torch):
    np.testing.assert_array_equal(Transformer.generate_square_subsequent_mask(5),
                                  torch.nn.Transformer.generate_square_subsequent_mask(5).numpy())


def test_square_subsequent_mask_is_float32():
    assert Transformer.generate_square_subsequent_mask(3).dtype == np.float32


def test_full_transformer_rejects_bad_input():
    with pytest.raises(ValueError, match="batch_first"):
        Transformer(D, H, 1, 1, FF, batch_first=False)
    model = Transformer(D, H, 1, 1, FF)
    with pytest.raises(ValueError, match=r"Transformer\(d_model=8\).*\(2, 3, 8\) and \(3, 3, 8\)"):
        model(nt.tensor(np.zeros((2, 3, 8), np.float32)), nt.tensor(np.zeros((3, 3, 8), np.float32)))
