"""Flatten, Reshape and Permute layers: shapes, gradients back to the input shape, PyTorch parity, errors."""
import numpy as np
import pytest

import neuronet as nt
from tests.helpers import check_parity


@pytest.mark.parametrize("start,end", [(1, -1), (0, -1), (1, 2), (2, 3)])
def test_flatten_matches_torch(rng, start, end, torch):
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    check_parity(nt.nn.Flatten(start, end), torch.nn.Flatten(start, end), x)


def test_flatten_error_names_the_layer():
    with pytest.raises(ValueError, match=r"Flatten\(start_dim=3, end_dim=1\): input of shape \(2, 3, 4, 5\)"):
        nt.nn.Flatten(3, 1)(nt.tensor(np.zeros((2, 3, 4, 5), np.float32)))


@pytest.mark.parametrize("target,expected", [((1, 4, 3), (2, 1, 4, 3)), ((-1, 2), (2, 6, 2)), (12, (2, 12))])
def test_reshape_keeps_the_batch(rng, target, expected):
    x = nt.tensor(rng.standard_normal((2, 3, 4)).astype(np.float32), requires_grad=True)
    y = nt.nn.Reshape(target)(x)
    assert y.shape == expected
    assert np.array_equal(y.numpy().reshape(2, -1), x.numpy().reshape(2, -1))
    y.backward(np.ones(expected, np.float32))
    assert x.grad.shape == (2, 3, 4)


def test_reshape_errors():
    with pytest.raises(ValueError, match=r"Reshape\(target_shape=\(5, 2\)\): cannot reshape input of shape \(2, 3, 4\) "
                                         r"\(12 values per sample\) to \(batch, 5, 2\)"):
        nt.nn.Reshape((5, 2))(nt.tensor(np.zeros((2, 3, 4), np.float32)))
    with pytest.raises(ValueError, match="at most one -1"):
        nt.nn.Reshape((-1, -1))


def test_permute_matches_torch(rng, torch):
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    check_parity(nt.nn.Permute((3, 1, 2)), lambda t: t.permute(0, 3, 1, 2), x)


def test_permute_is_keras_style():
    assert nt.nn.Permute((2, 1))(nt.tensor(np.zeros((7, 3, 4), np.float32))).shape == (7, 4, 3)
    with pytest.raises(ValueError, match=r"Permute: dims must be a permutation of 1\.\.2 \(the batch axis 0 is not included"):
        nt.nn.Permute((0, 1))
    with pytest.raises(ValueError, match=r"Permute\(dims=\(2, 1\)\): expected input with 3 dimensions .* received shape \(7, 3\)"):
        nt.nn.Permute((2, 1))(nt.tensor(np.zeros((7, 3), np.float32)))
