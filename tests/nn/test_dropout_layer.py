"""Dropout layer: active in training, the identity in evaluation, seeded, gradient through the mask."""
import numpy as np
import pytest

import neuronet as nt


def test_training_drops_and_rescales():
    layer = nt.nn.Dropout(0.25)
    x = nt.tensor(np.ones((200, 100), np.float32), requires_grad=True)
    y = layer(x).numpy()
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.01
    assert y.dtype == np.float32


def test_gradient_uses_the_same_mask():
    layer = nt.nn.Dropout(0.5)
    x = nt.tensor(np.ones((10, 10), np.float32), requires_grad=True)
    y = layer(x)
    y.sum().backward()
    assert np.array_equal(x.grad, y.numpy())  # d/dx mask·x/(1−p) = mask/(1−p)


def test_eval_is_identity():
    layer = nt.nn.Dropout(0.9).eval()
    x = nt.tensor(np.arange(6, dtype=np.float32))
    assert np.array_equal(layer(x).numpy(), x.numpy())
    assert nt.nn.Dropout(0.0)(x) is x


def test_seeded():
    x = nt.tensor(np.ones(50, np.float32))
    nt.manual_seed(3)
    a = nt.nn.Dropout(0.5)(x).numpy()
    nt.manual_seed(3)
    assert np.array_equal(a, nt.nn.Dropout(0.5)(x).numpy())


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5, "half", True])
def test_bad_rate(rate):
    with pytest.raises(ValueError, match=r"Dropout: rate must be a probability in \[0, 1\)"):
        nt.nn.Dropout(rate)
