"""Layers at the edges match PyTorch/Keras or fail clearly (issue 14).

What a layer may be called on (lists of numbers like Keras; complex, object and string data
refused with the layer's name), empty batches (N = 0) through every kind of layer, empty
sequences (T = 0, refused as PyTorch does) and batch norm's one-value-per-channel rule.
"""
import numpy as np
import pytest

import neuronet as nt
from neuronet import nn

LAYERS = {  # a built-in layer of each family and an input it accepts
    "Dense": (lambda: nn.Dense(3), (2, 4)),
    "Conv2D": (lambda: nn.Conv2D(2, 3), (1, 2, 5, 5)),
    "LSTM": (lambda: nn.LSTM(3), (2, 5, 4)),
    "LayerNorm": (lambda: nn.LayerNorm(), (2, 4)),
    "ReLU": (lambda: nn.ReLU(), (2, 4)),
    "MaxPool2D": (lambda: nn.MaxPool2D(2), (1, 2, 4, 4)),
    "MultiHeadAttention": (lambda: nn.MultiHeadAttention(2, 4), (1, 3, 4)),
}


# --- 2 and 3. what a layer is called on -----------------------------------------------------------

@pytest.mark.parametrize("name", list(LAYERS))
def test_layers_take_lists_of_numbers_like_keras(name):
    """A nested list of floats is what nt.tensor makes of it: same output as the tensor, built lazily."""
    make, shape = LAYERS[name]
    data = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    nt.manual_seed(1)
    from_list = make()(data.tolist())
    nt.manual_seed(1)
    from_tensor = make()(nt.tensor(data))
    if isinstance(from_tensor, tuple):
        from_list, from_tensor = from_list[0], from_tensor[0]
    assert from_list.dtype == np.float32
    np.testing.assert_array_equal(from_list.numpy(), from_tensor.numpy())


def test_list_input_gets_gradients_to_the_parameters():
    layer = nn.Dense(2)
    y = layer([[1.0, 2.0], [3.0, 4.0]])
    y.sum().backward()
    np.testing.assert_allclose(layer.weight.grad, [[4.0, 6.0], [4.0, 6.0]])


def test_embedding_takes_a_list_of_indices():
    layer = nn.Embedding(5, 3)
    np.testing.assert_array_equal(layer([[1, 2], [4, 0]]).numpy(), layer.weight.data[[[1, 2], [4, 0]]])


@pytest.mark.parametrize("name", list(LAYERS))
@pytest.mark.parametrize("kind,make_data,what", [
    ("complex", lambda s: np.ones(s) + 1j, "complex numbers"),
    ("object", lambda s: np.ones(s).astype(object), "Python objects"),
    ("strings", lambda s: np.full(s, "a"), "strings"),
])
@pytest.mark.parametrize("built", [False, True], ids=["lazy", "built"])
def test_layers_refuse_non_real_inputs_naming_the_layer(name, kind, make_data, what, built):
    """Complex data used to be computed and cut to real in backward; object data failed deep inside
    NumPy.  Now a TypeError names the layer before anything is built or computed."""
    make, shape = LAYERS[name]
    layer = make()
    if built:
        layer(nt.tensor(np.ones(shape, np.float32)))
    label = layer._name() if hasattr(layer, "_name") else name
    with pytest.raises(TypeError, match=rf"^{_escape(label)}: got data of dtype .*\({what}\)"):
        layer(make_data(shape))


def _escape(text):
    import re
    return re.escape(text)


def test_complex_input_no_longer_loses_its_imaginary_part_in_backward():
    layer = nn.Dense(2, in_features=2)
    with pytest.raises(TypeError, match="complex"):
        layer(np.array([[1.0 + 1j, 2.0]]))
    assert layer.weight.grad is None


@pytest.mark.parametrize("bad,match", [
    ([[1.0, 2.0], [3.0]], "rectangular"),
    ("abc", "got str"),
    (1 + 2j, "got complex"),
])
def test_dense_refuses_ragged_lists_strings_and_complex_numbers(bad, match):
    with pytest.raises(TypeError, match=rf"Dense\(units=3\).*{match}"):
        nn.Dense(3)(bad)


def test_integer_inputs_keep_their_behaviour():
    """Integers are real: a Dense layer computes with them as before (NumPy promotes the product)."""
    layer = nn.Dense(2, in_features=3)
    ints = np.array([[1, 2, 3]], np.int64)
    y_int = layer(nt.tensor(ints))
    y_float = layer(nt.tensor(ints.astype(np.float64)))
    np.testing.assert_allclose(y_int.numpy(), y_float.numpy())
    np.testing.assert_allclose(layer([[1, 2, 3]]).numpy(), y_float.numpy())


def test_keras_attention_still_takes_a_list_of_tensors():
    q = nt.tensor(np.ones((1, 3, 4), np.float32))
    assert nn.Attention()([q, q]).shape == (1, 3, 4)


# --- 4. empty batches ---------------------------------------------------------------------------

def _torch_layer(torch, name):
    """The torch counterpart of each layer below, with default sizes matching it."""
    t = torch.nn
    return {
        "Dense": lambda: t.Linear(4, 3),
        "Conv2D": lambda: t.Conv2d(2, 3, 3),
        "Conv1D": lambda: t.Conv1d(2, 3, 3),
        "Conv2DTranspose": lambda: t.ConvTranspose2d(2, 3, 3),
        "MaxPool2D": lambda: t.MaxPool2d(2),
        "AvgPool2D": lambda: t.AvgPool2d(2),
        "GlobalAvgPool2D": lambda: t.Sequential(t.AdaptiveAvgPool2d(1), t.Flatten()),
        "GlobalMaxPool2D": lambda: t.Sequential(t.AdaptiveMaxPool2d(1), t.Flatten()),
        "LSTM": lambda: t.LSTM(4, 3, batch_first=True),
        "GRU": lambda: t.GRU(4, 3, batch_first=True),
        "SimpleRNN": lambda: t.RNN(4, 3, batch_first=True),
        "BatchNorm1D": lambda: t.BatchNorm1d(2),
        "BatchNorm2D": lambda: t.BatchNorm2d(2),
        "LayerNorm": lambda: t.LayerNorm(2),
        "GroupNorm": lambda: t.GroupNorm(1, 2),
        "Flatten": lambda: t.Flatten(),
        "MultiHeadAttention": lambda: t.MultiheadAttention(4, 2, batch_first=True),
    }[name]()


EMPTY = {  # layer, built on a batch of two of this sample shape (or lazily), then called on N = 0
    "Dense": (lambda: nn.Dense(3), (4,)),
    "Conv2D": (lambda: nn.Conv2D(3, 3), (2, 5, 5)),
    "Conv1D": (lambda: nn.Conv1D(3, 3), (2, 5)),
    "Conv2DTranspose": (lambda: nn.Conv2DTranspose(3, 3), (2, 5, 5)),
    "MaxPool2D": (lambda: nn.MaxPool2D(2), (2, 4, 4)),
    "AvgPool2D": (lambda: nn.AvgPool2D(2), (2, 4, 4)),
    "GlobalAvgPool2D": (lambda: nn.GlobalAvgPool2D(), (2, 4, 4)),
    "GlobalMaxPool2D": (lambda: nn.GlobalMaxPool2D(), (2, 4, 4)),
    "LSTM": (lambda: nn.LSTM(3, return_sequences=True), (5, 4)),
    "GRU": (lambda: nn.GRU(3, return_sequences=True), (5, 4)),
    "SimpleRNN": (lambda: nn.SimpleRNN(3, return_sequences=True), (5, 4)),
    "BatchNorm1D": (lambda: nn.BatchNorm1D(), (2,)),
    "BatchNorm2D": (lambda: nn.BatchNorm2D(), (2, 3, 3)),
    "LayerNorm": (lambda: nn.LayerNorm(), (2,)),
    "GroupNorm": (lambda: nn.GroupNorm(1), (2, 3)),
    "Flatten": (lambda: nn.Flatten(), (2, 3)),
    "MultiHeadAttention": (lambda: nn.MultiHeadAttention(2, 4), (3, 4)),
}


@pytest.mark.parametrize("name", list(EMPTY))
@pytest.mark.parametrize("lazy", [False, True], ids=["built", "lazy"])
def test_layers_on_an_empty_batch_match_torch(name, lazy, torch):
    """N = 0 through the layer: PyTorch's output shape, an empty input gradient and zero (not
    missing) parameter gradients — conv, pooling and recurrent layers used to fail in a reshape."""
    make, sample = EMPTY[name]
    layer = make()
    if not lazy:
        layer(nt.tensor(np.ones((2,) + sample, np.float32)))
    x = nt.tensor(np.zeros((0,) + sample, np.float32), requires_grad=True)
    y = layer(x)
    y = y[0] if isinstance(y, (tuple, list)) else y
    tlayer = _torch_layer(torch, name)
    tx = torch.zeros((0,) + sample, requires_grad=True)
    ty = tlayer(tx, tx, tx) if name == "MultiHeadAttention" else tlayer(tx)
    ty = ty[0] if isinstance(ty, tuple) else ty
    assert tuple(y.shape) == tuple(ty.shape)
    y.sum().backward()
    ty.sum().backward()
    assert x.grad.shape == x.shape
    for pname, p in layer.named_parameters():
        assert p.grad is not None, pname
        np.testing.assert_array_equal(p.grad, 0.0, err_msg=pname)


@pytest.mark.parametrize("cls,tcls", [("BatchNorm1D", "BatchNorm1d"), ("BatchNorm2D", "BatchNorm2d")])
def test_batch_norm_on_an_empty_batch_leaves_running_statistics_alone_like_torch(cls, tcls, torch):
    shape = (0, 2) if cls == "BatchNorm1D" else (0, 2, 3, 3)
    layer, tlayer = getattr(nn, cls)(2), getattr(torch.nn, tcls)(2)
    layer.running_mean[...] = tlayer.running_mean.numpy()[...] = [0.5, -1.0]
    y, ty = layer(nt.tensor(np.zeros(shape, np.float32))), tlayer(torch.zeros(shape))
    assert tuple(y.shape) == tuple(ty.shape)
    np.testing.assert_array_equal(layer.running_mean, tlayer.running_mean.numpy())
    np.testing.assert_array_equal(layer.running_var, tlayer.running_var.numpy())
    assert int(layer.num_batches_tracked) == int(tlayer.num_batches_tracked)


def test_batch_norm_with_one_value_per_channel_fails_like_torch(torch):
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1D(2)(nt.tensor(np.ones((1, 2), np.float32)))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        torch.nn.BatchNorm1d(2)(torch.ones(1, 2))


@pytest.mark.parametrize("name,make", [
    ("LSTM", lambda: nn.LSTM(3)),
    ("GRU", lambda: nn.GRU(3, return_sequences=True)),
    ("SimpleRNN", lambda: nn.SimpleRNN(3)),
    ("JordanRNN", lambda: nn.JordanRNN(3, 2)),
])
@pytest.mark.parametrize("lazy", [False, True], ids=["built", "lazy"])
def test_recurrent_layers_refuse_empty_sequences_naming_the_layer(name, make, lazy, torch):
    """T = 0: PyTorch raises "Expected sequence length to be larger than 0"; here a ValueError
    naming the layer (it used to be a NumPy reshape error)."""
    layer = make()
    if not lazy:
        layer(nt.tensor(np.ones((1, 2, 4), np.float32)))
    with pytest.raises(ValueError, match=rf"^{name}\(units=3.*empty sequence .*T = 0"):
        layer(nt.tensor(np.zeros((2, 0, 4), np.float32)))
    with pytest.raises(RuntimeError, match="sequence length"):
        torch.nn.GRU(4, 3, batch_first=True)(torch.zeros(2, 0, 4))


def test_recurrent_layers_on_an_empty_batch_return_empty_states():
    out, h, c = nn.LSTM(3, return_state=True)(nt.tensor(np.zeros((0, 5, 4), np.float32)))
    assert (out.shape, h.shape, c.shape) == ((0, 3), (0, 3), (0, 3))
    both = nn.Bidirectional(nn.GRU(3, return_sequences=True))(nt.tensor(np.zeros((0, 5, 4), np.float32)))
    assert both.shape == (0, 5, 6)
    assert nn.JordanRNN(3, 2)(nt.tensor(np.zeros((0, 5, 4), np.float32))).shape == (0, 2)


def test_a_cnn_trains_through_an_empty_batch():
    """A whole model: conv, pool, batch norm, flatten, reshape, dense on N = 0 — empty logits, zero gradients."""
    model = nn.Sequential(nn.Conv2D(4, 3, padding="same", activation="relu"), nn.BatchNorm2D(), nn.MaxPool2D(2),
                          nn.Flatten(), nn.Reshape((-1,)), nn.Dense(10), nn.Softmax())
    model(nt.tensor(np.ones((2, 1, 8, 8), np.float32)))
    y = model(nt.tensor(np.zeros((0, 1, 8, 8), np.float32)))
    assert y.shape == (0, 10)
    y.sum().backward()
    for pname, p in model.named_parameters():
        np.testing.assert_array_equal(p.grad, 0.0, err_msg=pname)
