"""The shared argument checks and the layers that use them."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.checks import positive_int


def test_positive_int_accepts_python_and_numpy_integers():
    assert positive_int("Dense", "units", 3) == 3
    value = positive_int("Dense", "units", np.int64(7))
    assert value == 7 and type(value) is int


@pytest.mark.parametrize("bad", [0, -2, True, 2.0, "3", None, np.float32(4)])
def test_positive_int_refuses_everything_else_naming_owner_and_argument(bad):
    with pytest.raises(ValueError, match=r"^Dense: units must be a positive integer, got "):
        positive_int("Dense", "units", bad)


@pytest.mark.parametrize("make, message", [
    (lambda: nt.nn.Dense(0), "Dense: units"),
    (lambda: nt.nn.LSTM(8, num_layers=0), "LSTM: num_layers"),
    (lambda: nt.nn.Conv2D(-1, 3), "Conv2D: filters"),
    (lambda: nt.nn.Embedding(10, True), "Embedding: embedding_dim"),
    (lambda: nt.nn.MultiHeadAttention(0, 8), "MultiHeadAttention: num_heads"),
    (lambda: nt.data.TBPTTLoader(np.arange(100), batch_size=0, bptt_steps=5), "TBPTTLoader: batch_size"),
])
def test_layers_name_themselves_when_a_size_is_not_positive(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_layers_take_numpy_integer_sizes():
    layer = nt.nn.Dense(np.int64(4))
    assert layer(nt.tensor(np.ones((2, 3), np.float32))).shape == (2, 4)
