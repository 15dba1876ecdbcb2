"""Fuzzing every public layer and loss module of ``neuronet.nn`` (and the optimizers): inputs of random
shapes (zero-size included), dtypes (floats, integers, booleans; complex, object and string data),
forms (tensors, arrays, nested lists, Python numbers) and edge values.  A layer returns finite outputs of
a floating dtype for finite input, back-propagates into parameters of their own shapes, or raises a
ValueError/TypeError that names it (or the function it calls); a failed call on a built layer leaves its
parameters and buffers as they were."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import neuronet as nt
import neuronet.functional as F
from neuronet.nn import losses as nn_losses

from ._common import (FLOATS, REALS, assert_named, attempt, backward_all, failed, finite, non_real_array, outputs,
                      public_functions, real_arrays)

nn = nt.nn

# layer -> (factory, the input it expects: "any" element-wise, "2d" (N, F), "seq" (N, T, F), "1d" (N, C, L),
#           "img" (N, C, H, W), "ids" integer (N, T), "pair" two (N, T, 4) sequences, "keras_attn" [q, v])
LAYERS = {
    "Activation": (lambda: nn.Activation("tanh"), "any"), "ArcTan": (nn.ArcTan, "any"), "ELU": (nn.ELU, "any"),
    "GELU": (nn.GELU, "any"), "Heaviside": (nn.Heaviside, "any"), "Identity": (nn.Identity, "any"),
    "LeakyReLU": (nn.LeakyReLU, "any"), "LinearActivation": (lambda: nn.LinearActivation(2.0), "any"),
    "LogSoftmax": (nn.LogSoftmax, "any"), "PReLU": (nn.PReLU, "any"), "ReLU": (nn.ReLU, "any"), "SELU": (nn.SELU, "any"),
    "SiLU": (nn.SiLU, "any"), "Sigmoid": (nn.Sigmoid, "any"), "Sign": (nn.Sign, "any"), "Softmax": (nn.Softmax, "any"),
    "Softplus": (nn.Softplus, "any"), "Softsign": (nn.Softsign, "any"), "Step": (nn.Step, "any"), "Swish": (nn.Swish, "any"),
    "Tanh": (nn.Tanh, "any"), "Maxout": (lambda: nn.Maxout(2), "2d"), "Dropout": (lambda: nn.Dropout(0.5), "any"),
    "Dense": (lambda: nn.Dense(3, activation="relu"), "2d"), "Linear": (lambda: nn.Linear(3, 2), "2d"),
    "Flatten": (nn.Flatten, "img"), "Reshape": (lambda: nn.Reshape((-1,)), "img"), "Permute": (lambda: nn.Permute((2, 1)), "seq"),
    "Embedding": (lambda: nn.Embedding(5, 3, padding_idx=0), "ids"),
    "LayerNorm": (nn.LayerNorm, "seq"), "GroupNorm": (lambda: nn.GroupNorm(1), "img"),
    "BatchNorm1D": (nn.BatchNorm1D, "2d"), "BatchNorm2D": (nn.BatchNorm2D, "img"),
    "Conv1D": (lambda: nn.Conv1D(2, 2, padding="same"), "1d"), "Conv2D": (lambda: nn.Conv2D(2, 2), "img"),
    "Conv1DTranspose": (lambda: nn.Conv1DTranspose(2, 2, strides=2), "1d"),
    "Conv2DTranspose": (lambda: nn.Conv2DTranspose(2, 2), "img"), "DepthwiseConv2D": (lambda: nn.DepthwiseConv2D(2), "img"),
    "Dropout2D": (lambda: nn.Dropout2D(0.5), "img"),
    "MaxPool1D": (lambda: nn.MaxPool1D(2), "1d"), "MaxPool2D": (lambda: nn.MaxPool2D(2), "img"),
    "AvgPool1D": (lambda: nn.AvgPool1D(2), "1d"), "AvgPool2D": (lambda: nn.AvgPool2D(2, padding=1), "img"),
    "AdaptiveAvgPool2D": (lambda: nn.AdaptiveAvgPool2D(2), "img"),
    "GlobalAvgPool1D": (nn.GlobalAvgPool1D, "1d"), "GlobalMaxPool1D": (nn.GlobalMaxPool1D, "1d"),
    "GlobalAvgPool2D": (nn.GlobalAvgPool2D, "img"), "GlobalMaxPool2D": (nn.GlobalMaxPool2D, "img"),
    "Squeeze2D": (lambda: nn.Squeeze2D(2), "img"), "Unsqueeze2D": (lambda: nn.Unsqueeze2D(2), "img"),
    "UpSampling2D": (lambda: nn.UpSampling2D(2), "img"), "ZeroPadding2D": (lambda: nn.ZeroPadding2D(1), "img"),
    "Cropping2D": (lambda: nn.Cropping2D(1), "img"), "ResidualBlock": (lambda: nn.ResidualBlock(2), "img"),
    "SimpleRNN": (lambda: nn.SimpleRNN(3, return_sequences=True), "seq"), "LSTM": (lambda: nn.LSTM(3), "seq"),
    "GRU": (lambda: nn.GRU(3, go_backwards=True), "seq"), "JordanRNN": (lambda: nn.JordanRNN(3, 2), "seq"),
    "RNNCell": (lambda: nn.RNNCell(3), "2d"), "LSTMCell": (lambda: nn.LSTMCell(3), "2d"), "GRUCell": (lambda: nn.GRUCell(3), "2d"),
    "Bidirectional": (lambda: nn.Bidirectional(nn.LSTM(2, return_sequences=True)), "seq"),
    "TimeDistributed": (lambda: nn.TimeDistributed(nn.Dense(2)), "seq"),
    "MultiHeadAttention": (lambda: nn.MultiHeadAttention(2, 4), "seq4"),
    "Attention": (nn.Attention, "keras_attn"), "AdditiveAttention": (nn.AdditiveAttention, "keras_attn"),
    "SinusoidalPositionalEncoding": (lambda: nn.SinusoidalPositionalEncoding(8, 4), "seq4"),
    "LearnedPositionalEmbedding": (lambda: nn.LearnedPositionalEmbedding(8, 4), "seq4"),
    "OneHotPositionalEncoding": (lambda: nn.OneHotPositionalEncoding(8), "seq"),
    "PositionalEmbedding": (lambda: nn.PositionalEmbedding(5, 8, 4), "ids"),
    "TransformerEncoderLayer": (lambda: nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0), "seq4"),
    "TransformerDecoderLayer": (lambda: nn.TransformerDecoderLayer(4, 2, 8, dropout=0.0), "pair"),
    "TransformerEncoder": (lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0), 1), "seq4"),
    "TransformerDecoder": (lambda: nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 2, 8, dropout=0.0), 1), "pair"),
    "Transformer": (lambda: nn.Transformer(4, 2, 1, 1, 8, dropout=0.0), "pair"),
    "Sequential": (lambda: nn.Sequential(nn.Dense(3), nn.ReLU(), nn.Dense(2)), "2d"),
    # PyTorch's names and constructors (torch_names.py, torch_recurrent.py)
    "Conv1d": (lambda: nn.Conv1d(2, 2, 2, padding="same"), "1d"), "Conv2d": (lambda: nn.Conv2d(2, 2, 2, padding=1), "img"),
    "MaxPool1d": (lambda: nn.MaxPool1d(2), "1d"), "MaxPool2d": (lambda: nn.MaxPool2d(2, stride=1, dilation=2), "img"),
    "AvgPool1d": (lambda: nn.AvgPool1d(2), "1d"), "AvgPool2d": (lambda: nn.AvgPool2d(2, padding=1), "img"),
    "BatchNorm1d": (lambda: nn.BatchNorm1d(3), "2d"), "BatchNorm2d": (lambda: nn.BatchNorm2d(2), "img"),
    "TorchLSTM": (lambda: nn.LSTM(3, 2, num_layers=2, batch_first=True, bidirectional=True), "seq"),
    "TorchGRU": (lambda: nn.GRU(3, 2), "seq"), "RNN": (lambda: nn.RNN(3, 2, nonlinearity="relu", batch_first=True), "seq"),
    "TorchRNNCell": (lambda: nn.RNNCell(3, 2), "2d"), "TorchLSTMCell": (lambda: nn.LSTMCell(3, 2), "2d"),
    "TorchGRUCell": (lambda: nn.GRUCell(3, 2, bias=False), "2d"),
    "GCNConv": (lambda: nn.GCNConv(3), "graph"),
    "SAGEConv": (lambda: nn.SAGEConv(3), "graph"),
    "GATConv": (lambda: nn.GATConv(2, heads=2), "graph"),
    "GINConv": (lambda: nn.GINConv(nn.Dense(3)), "graph"),
    "GlobalAddPool": (lambda: nn.GlobalAddPool(), "2d"),
    "GlobalMeanPool": (lambda: nn.GlobalMeanPool(), "2d"),
    "GlobalMaxPool": (lambda: nn.GlobalMaxPool(), "2d"),
    # auto-encoder and GAN pieces (activity_regularization.py, noise.py, spectral_norm.py)
    "ActivityRegularization": (lambda: nn.ActivityRegularization(l1=0.01), "any"),
    "Corruption": (lambda: nn.Corruption("masking", 0.3), "any"),
    "GaussianNoise": (lambda: nn.GaussianNoise(0.1), "any"),
    "SpectralNorm": (lambda: nn.SpectralNorm(nn.Dense(3)), "2d"),
}

_RANK = {"any": None, "2d": 2, "graph": 2, "seq": 3, "seq4": 3, "1d": 3, "img": 4, "ids": 2, "pair": 3, "keras_attn": 3}
#: names a layer's errors may carry: itself, and whatever it is built from
_KNOWN_NAMES = tuple(public_functions()) + tuple(n for n in dir(nn) if isinstance(getattr(nn, n), type))


def _layer_classes():
    return sorted(n for n in dir(nn) if isinstance(getattr(nn, n), type) and issubclass(getattr(nn, n), nn.Module)
                  and getattr(nn, n).__module__.startswith(("neuronet.nn.layers", "neuronet.nn.sequential")))


def test_every_public_layer_is_fuzzed():
    """A new layer in neuronet.nn must be added to LAYERS."""
    assert set(_layer_classes()) - set(LAYERS) == set()


@st.composite
def layer_inputs(draw, kind):
    """An input for a layer of ``kind``: usually of the rank it expects (small sides, zero included),
    sometimes any rank; any real dtype; as a tensor, array, nested list or Python number."""
    rank = _RANK[kind]
    if rank is None or draw(st.integers(0, 5)) == 0:
        shape = draw(hnp.array_shapes(min_dims=0, max_dims=5, min_side=0, max_side=3))
    else:
        shape = tuple(draw(st.integers(0, 3)) for _ in range(rank))
        if kind == "seq4" and draw(st.integers(0, 4)):
            shape = shape[:2] + (4,)
        if kind == "ids":
            shape = tuple(min(s, 8) for s in shape)
    dtypes = (np.int64, np.int32, np.uint8, np.float32) if kind == "ids" else REALS
    a = draw(real_arrays(shape=shape, dtypes=dtypes, bound=1e4))
    if kind == "ids" and a.dtype.kind in "iu":
        a = (np.abs(a) % 6).astype(a.dtype)  # mostly in range; 5 is one past the vocabulary
    form = draw(st.sampled_from(["tensor", "tensor", "tensor", "array", "list"]))
    if form == "list" or (form == "array" and a.ndim == 0 and draw(st.booleans())):
        return a.tolist()  # a 0-d array's tolist() is a Python number
    if form == "array":
        return a
    return nt.tensor(a, dtype=a.dtype, requires_grad=a.dtype in FLOATS)


def _ring(x):
    """Edges i → i+1 (and back) over the nodes of ``x``: the graph a graph layer is called with."""
    shape = np.shape(x.data if isinstance(x, nt.Tensor) else x)
    n = shape[0] if shape else 0
    i = np.arange(max(n - 1, 0))
    return np.concatenate([np.stack([i, i + 1]), np.stack([i + 1, i])], axis=1)


def _call(layer, kind, x, x2=None):
    if kind == "graph":
        return layer(x, _ring(x))
    if kind == "pair":
        return layer(x, x if x2 is None else x2)
    if kind == "keras_attn":
        return layer([x, x if x2 is None else x2])
    return layer(x)


def _snapshot(layer):
    return {k: np.array(v, copy=True) for k, v in layer.state_dict().items()}


def _unchanged(layer, before):
    after = layer.state_dict()
    return set(after) == set(before) and all(np.array_equal(after[k], before[k], equal_nan=True) for k in before)


@pytest.mark.parametrize("name", sorted(LAYERS))
@given(data=st.data())
def test_layer(name, data):
    """One call (or two, the second on a built layer) on random input: finite float outputs, parameter
    gradients of the parameters' shapes; or a named error that changes nothing already built."""
    nt.manual_seed(0)
    make, kind = LAYERS[name]
    layer = make()
    names = (name,) + _KNOWN_NAMES
    for _ in range(data.draw(st.integers(1, 2))):
        x = data.draw(layer_inputs(kind))
        built = getattr(layer, "built", True) and all(m.built for m in layer.modules())
        before = _snapshot(layer) if built else None
        y = attempt(_call, layer, kind, x, names=names)
        if failed(y):
            if before is not None:
                assert _unchanged(layer, before), f"{name}: a failed call changed the layer's state"
            continue
        arr = np.asarray(x.data if isinstance(x, nt.Tensor) else x)
        for out in outputs(y):
            if getattr(layer, "float_inputs", 0) and arr.dtype.kind in "biu" and out.dtype.kind != "b":
                assert out.dtype.kind == "f", f"{name} on {arr.dtype} input gave {out.dtype} output"
            if arr.dtype.kind in "biuf" and arr.dtype != np.float16 and np.isfinite(arr.astype(np.float64)).all():
                assert finite(out), f"{name} on {arr!r} gave {out.data!r}"
        layer.zero_grad()
        assert backward_all(y, names) is None
        for pname, p in layer.named_parameters():
            if p.grad is not None:
                assert p.grad.shape == p.shape and p.grad.dtype == p.dtype, f"{name}.{pname}"
                if np.abs(arr.astype(np.float64)).max(initial=0) <= 1e4 and arr.dtype != np.float16:
                    assert np.isfinite(p.grad).all(), f"{name}.{pname} gradient {p.grad!r}"


@pytest.mark.parametrize("name", sorted(LAYERS))
@pytest.mark.parametrize("kind", ["complex", "object", "string"])
def test_layers_refuse_non_real_data_by_name(name, kind):
    make, layer_kind = LAYERS[name]
    shape = {"any": (2, 3), "2d": (2, 3), "seq": (2, 3, 4), "seq4": (2, 3, 4), "1d": (2, 3, 4), "img": (2, 2, 4, 4),
             "ids": (2, 3), "pair": (2, 3, 4), "keras_attn": (2, 3, 4), "graph": (2, 3)}[layer_kind]
    with pytest.raises(TypeError) as e:
        _call(make(), layer_kind, non_real_array(kind, shape))
    assert_named(e.value, name, *_KNOWN_NAMES)


# --- loss modules --------------------------------------------------------------------------------------
LOSS_MODULES = sorted(n for n in dir(nn_losses) if isinstance(getattr(nn_losses, n), type)
                      and issubclass(getattr(nn_losses, n), nn.Module) and getattr(nn_losses, n).__module__ == nn_losses.__name__
                      and not n.startswith("_"))


def test_loss_modules_are_all_listed():
    assert len(LOSS_MODULES) >= 14


@pytest.mark.parametrize("name", LOSS_MODULES)
@given(data=st.data())
def test_loss_module(name, data):
    """Every loss module on predictions and targets of random shapes, dtypes and values (labels for the
    class losses): a finite scalar for finite data in the loss's domain, or a named error."""
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=3))
    pred = data.draw(real_arrays(shape=shape, dtypes=FLOATS, bound=1e4))
    if name in ("BCELoss", "BinaryCrossentropy", "CategoricalCrossentropy") and data.draw(st.booleans()):
        pred = (1 / (1 + np.exp(-np.clip(pred, -50, 50)))).astype(pred.dtype)
    if data.draw(st.booleans()):
        target = data.draw(real_arrays(shape=shape, dtypes=FLOATS + (np.int64, np.bool_), bound=1e4))
    else:
        target = data.draw(hnp.arrays(np.int64, shape[:1] + shape[2:], elements=st.integers(-1, 3)))
    if name == "HingeLoss" and data.draw(st.booleans()):
        target = np.where(np.asarray(target, np.float64) > 0, 1.0, -1.0).astype(np.float32)
    loss = getattr(nn, name)()
    x = nt.tensor(pred, requires_grad=True, dtype=pred.dtype)
    y = attempt(loss, x, nt.tensor(target, dtype=target.dtype), names=(name,) + _KNOWN_NAMES)
    if failed(y):
        return
    assert backward_all(y, (name,) + _KNOWN_NAMES) is None
    if x.grad is not None:
        assert x.grad.shape == x.shape


# --- optimizers --------------------------------------------------------------------------------------------
OPTIMIZERS = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "AdaBelief", "Yogi", "LAMB", "NovoGrad", "COCOB", "Lookahead"]


def test_every_optimizer_is_fuzzed():
    names = {n for n in dir(nt.optim) if isinstance(getattr(nt.optim, n), type)
             and issubclass(getattr(nt.optim, n), nt.optim.Optimizer) and n != "Optimizer"}
    assert names - set(OPTIMIZERS) == set()


@pytest.mark.parametrize("name", OPTIMIZERS)
@given(data=st.data())
def test_optimizer(name, data):
    """Parameters of any shape (zero-size and 0-d included) and float dtype, gradients that are missing,
    zero, huge, subnormal, NaN/inf, integer or of the wrong shape, and odd hyper-parameters: a few steps
    and a state_dict round trip run, finite gradients keep finite weights, or a named error is raised
    — before any parameter changes."""
    rng = np.random.default_rng(0)
    dtype = data.draw(st.sampled_from(FLOATS))
    params = [nn.Parameter(rng.standard_normal(s).astype(dtype))
              for s in data.draw(st.lists(st.sampled_from([(3,), (0,), (2, 3), (), (0, 2)]), min_size=0, max_size=3))]
    kind = data.draw(st.sampled_from(["normal", "normal", "none", "zero", "big", "tiny", "nan", "wrong_shape", "int"]))
    for p in params:
        p.grad = {"normal": lambda: rng.standard_normal(p.shape).astype(dtype), "none": lambda: None,
                  "zero": lambda: np.zeros(p.shape, dtype), "big": lambda: np.full(p.shape, 1e30, dtype),
                  "tiny": lambda: np.full(p.shape, 1e-40, dtype), "nan": lambda: np.full(p.shape, np.nan, dtype),
                  "wrong_shape": lambda: np.zeros((7,), dtype), "int": lambda: np.ones(p.shape, np.int64)}[kind]()
    kwargs = {}
    if name not in ("COCOB", "Lookahead") and data.draw(st.booleans()):
        kwargs["lr"] = data.draw(st.sampled_from([0.1, 0.0, -1.0, float("nan"), float("inf"), "a"]))
    if name not in ("COCOB", "Lookahead") and data.draw(st.integers(0, 3)) == 0:
        kwargs["weight_decay"] = data.draw(st.sampled_from([0.0, 0.1, -1.0, float("nan")]))
    names = (name, "Optimizer", "SGD")
    if name == "Lookahead":
        make = lambda: nt.optim.Lookahead(nt.optim.SGD(params, lr=0.1), k=data.draw(st.sampled_from([5, 1, 0])))  # noqa: E731
    else:
        make = lambda: getattr(nt.optim, name)(params, **kwargs)  # noqa: E731
    opt = attempt(make, names=names)
    if failed(opt):
        return
    before = [p.data.copy() for p in params]
    for step in range(2):
        r = attempt(opt.step, names=names)
        if failed(r):
            if step == 0:
                assert all(np.array_equal(p.data, b, equal_nan=True) for p, b in zip(params, before)), \
                    f"{name}.step failed after changing parameters"
            return
    for p, b in zip(params, before):
        assert p.data.dtype == b.dtype and p.data.shape == b.shape
        if kind in ("normal", "zero", "tiny", "none") and kwargs.get("lr", 0.1) in (0.1, 0.0) \
                and kwargs.get("weight_decay", 0.0) in (0.0, 0.1):
            assert np.isfinite(p.data).all(), f"{name} with {kind} gradients made weights {p.data!r}"
    state = opt.state_dict()
    attempt(opt.load_state_dict, state, names=names)


# --- the defects the fuzzing found, one example each --------------------------------------------------------
@pytest.mark.parametrize("name", ["Dense", "Flatten", "Identity", "GELU", "Dropout", "LogSoftmax", "AdaptiveAvgPool2D"])
def test_a_python_number_is_taken_like_a_list_of_numbers(name):
    """Was: AttributeError ('float' object has no attribute 'shape') in ~25 layers called on a Python
    number (what a 0-d array's tolist() gives); now it is a 0-d tensor, computed or refused by name."""
    make, _ = LAYERS[name]
    for value in (2.5, 3, True):
        y = attempt(make(), value, names=(name,) + _KNOWN_NAMES)
        assert failed(y) or isinstance(y, nt.Tensor)


@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU", "JordanRNN", "LSTMCell", "GRUCell", "RNNCell",
                                  "BatchNorm1D", "LayerNorm", "Conv1D", "AvgPool1D", "MultiHeadAttention",
                                  "TransformerEncoderLayer", "Dense"])
def test_integer_input_is_computed_in_the_layers_float_dtype(name):
    """Was: SimpleRNN on int64 input returned int64 states (tanh cut to integers, silently wrong);
    LSTM/GRU/JordanRNN/cells/AvgPool/BatchNorm raised NumPy's UFuncTypeError, MultiHeadAttention an
    AttributeError, Conv1D refused ints, Dense computed in float64.  Now the input is cast to the layer's
    float dtype (as Keras casts to the compute dtype): the output equals that of the float input."""
    make, kind = LAYERS[name]
    shape = {"2d": (2, 3), "seq": (2, 3, 4), "seq4": (2, 3, 4), "1d": (2, 3, 4)}[kind]
    ints = np.random.default_rng(0).integers(-3, 4, shape)
    nt.manual_seed(0)
    a = make()
    a.eval()
    y_int = a(nt.tensor(ints))
    y_float = a(nt.tensor(ints.astype(np.float32)))
    y_int, y_float = (y[0] if isinstance(y, tuple) else y for y in (y_int, y_float))
    assert y_int.dtype == np.float32
    np.testing.assert_allclose(y_int.numpy(), y_float.numpy(), rtol=1e-6)
    y_u8 = make()(np.abs(ints).astype(np.uint8))  # uint8 images and the like
    assert (y_u8[0] if isinstance(y_u8, tuple) else y_u8).dtype == np.float32


def test_keras_attention_takes_lists_and_integer_data():
    """Was: AttributeError ('list' object has no attribute 'shape') for lists of numbers."""
    q = np.arange(24, dtype=np.int64).reshape(2, 3, 4).tolist()
    for layer in (nn.Attention(), nn.AdditiveAttention()):
        assert layer([q, q]).dtype == np.float32
    with pytest.raises(TypeError, match="^Attention: "):
        nn.Attention()([q, {"a": 1}])


@pytest.mark.parametrize("layer", [lambda: nn.Conv2D(2, 2), lambda: nn.DepthwiseConv2D(2), lambda: nn.Conv2DTranspose(2, 2)])
def test_conv_layers_refuse_inputs_without_channels(layer):
    """Was: ZeroDivisionError (1/√fan_in with fan_in 0; integer modulo by zero in DepthwiseConv2D)."""
    with pytest.raises(ValueError, match="has 0 channels"):
        layer()(nt.tensor(np.ones((2, 0, 4, 4), np.float32)))


@pytest.mark.parametrize("name", ["SinusoidalPositionalEncoding", "LearnedPositionalEmbedding", "OneHotPositionalEncoding"])
def test_positional_encodings_name_themselves_for_a_wrong_rank(name):
    """Was: 'add: shapes (2, 2, 4, 4), (2, 4) do not broadcast' / 'concat: ...' for a 4-D input."""
    with pytest.raises(ValueError, match=f"^{name}"):
        LAYERS[name][0]()(nt.tensor(np.ones((2, 2, 4, 4), np.float32)))


def test_a_refused_batch_does_not_count_as_tracked():
    """Was: BatchNorm incremented num_batches_tracked before batch_norm refused a batch with one value per
    channel, so the failed call changed the layer (and the cumulative average of momentum=None)."""
    bn = nn.BatchNorm1D(momentum=None)
    bn(nt.tensor(np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)))
    before = {k: np.array(v, copy=True) for k, v in bn.state_dict().items()}
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn(nt.tensor(np.ones((1, 3), np.float32)))
    assert all(np.array_equal(before[k], v) for k, v in bn.state_dict().items())
    assert int(bn.num_batches_tracked) == 1


def test_softsign_layer_of_uint8_data_is_finite():
    """Was: inf for 255 (1 + |x| wrapped around to 0 in uint8)."""
    assert finite(nn.Softsign()(np.array([255, 0], np.uint8)))


# --- initialisers ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(nn.init.INITIALIZERS))
@given(shape=st.one_of(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4), st.integers(-2, 4),
                       st.sampled_from([(2, -3), (2.5,), (True, 2)])),
       dtype=st.sampled_from([None, np.float32, np.float64]))
def test_initializer(name, shape, dtype):
    """Every initialiser on any shape (zero-size weights included): a finite array of that shape and dtype,
    or a ValueError naming init / the initialiser (fewer than 2 dimensions for the fan-based ones)."""
    nt.manual_seed(0)
    w = attempt(nn.init.get(name), shape, dtype=dtype, names=("init", name))
    if failed(w):
        return
    expected = (shape,) if isinstance(shape, int) else tuple(shape)
    assert w.shape == expected and np.isfinite(w).all()


@pytest.mark.parametrize("name", ["xavier_uniform", "kaiming_normal", "lecun_uniform", "he_uniform"])
def test_fan_initializers_of_zero_size_weights(name):
    """Was: ZeroDivisionError (1/√fan with fan 0) for weights with a size-0 dimension, e.g. (3, 0)."""
    for shape in [(3, 0), (0, 0), (2, 0, 3)]:
        assert getattr(nn.init, name)(shape).shape == shape
    with pytest.raises(ValueError, match="^init: a shape is non-negative integers"):
        getattr(nn.init, name)((2, -3))
