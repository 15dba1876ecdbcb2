"""Embedding lookup and one-hot: gradient checks, PyTorch parity (padding_idx included), errors."""
import numpy as np
import pytest

import neuronet as nt
import neuronet.functional as F
from tests.helpers import assert_close, check_grad, check_parity


@pytest.mark.parametrize("idx_shape", [(5,), (2, 3), (2, 2, 3)])
def test_embedding_gradcheck(rng, idx_shape):
    idx = rng.integers(0, 4, size=idx_shape)
    idx.flat[0] = idx.flat[-1] = 1  # a repeated index accumulates
    w = rng.standard_normal((4, 3))
    check_grad(lambda w: F.embedding(idx, w), w)


@pytest.mark.parametrize("padding_idx,row", [(1, 1), (-1, 3)])
def test_embedding_padding_gradient_is_the_plain_one_without_that_row(rng, padding_idx, row):
    idx = np.array([[1, 3, 0], [1, 2, 3]])
    w0, cot = rng.standard_normal((4, 3)), rng.standard_normal((2, 3, 3))
    grads = []
    for pad in (None, padding_idx):
        w = nt.tensor(w0, requires_grad=True)
        F.embedding(idx, w, padding_idx=pad).backward(cot)
        grads.append(w.grad)
    expected = grads[0].copy()
    expected[row] = 0
    assert np.abs(grads[0][row]).sum() > 0
    assert np.array_equal(grads[1], expected)


@pytest.mark.parametrize("padding_idx", [None, 0, 2, -2])
def test_embedding_parity(rng, padding_idx, torch):
    idx = np.array([[0, 2, 2, 5], [1, 0, 3, 2]])
    w = rng.standard_normal((6, 4)).astype(np.float32)
    check_parity(lambda i, w: F.embedding(i, w, padding_idx=padding_idx),
                 lambda i, w: torch.nn.functional.embedding(i, w, padding_idx=padding_idx), idx, w)


def test_embedding_padding_row_gets_zero_gradient():
    w = nt.tensor(np.ones((3, 2), np.float32), requires_grad=True)
    F.embedding(nt.tensor([0, 1, 1, 2]), w, padding_idx=1).sum().backward()
    assert np.array_equal(w.grad, [[1, 1], [0, 0], [1, 1]])


def test_embedding_errors():
    w = nt.tensor(np.zeros((10, 2), np.float32))
    with pytest.raises(ValueError, match=r"embedding: index 12 is out of range for an embedding of size 10 \(valid indices 0\.\.9\)"):
        F.embedding(nt.tensor([3, 12]), w)
    with pytest.raises(ValueError, match="index -1 is out of range for an embedding of size 10"):
        F.embedding(np.array([-1]), w)
    with pytest.raises(TypeError, match="embedding: indices must be integers, got dtype float32"):
        F.embedding(nt.tensor([1.0]), w)
    with pytest.raises(ValueError, match="padding_idx 10 is out of range"):
        F.embedding(nt.tensor([1]), w, padding_idx=10)


def test_one_hot_matches_torch(torch):
    idx = np.array([[0, 3], [2, 1]])
    for n in (-1, 5):
        ours = F.one_hot(nt.tensor(idx), n)
        theirs = torch.nn.functional.one_hot(torch.tensor(idx), n).numpy()
        assert ours.dtype == np.int64 and np.array_equal(ours.numpy(), theirs)


def test_one_hot_dtype_grad_and_errors():
    assert F.one_hot(np.array([1]), 3, dtype=np.float32).dtype == np.float32
    assert not F.one_hot(np.array([1]), 3).requires_grad
    with pytest.raises(ValueError, match="one_hot: index 3 is out of range for num_classes = 3"):
        F.one_hot(np.array([0, 3]), 3)


def test_embedding_layer_padding_vector_starts_at_zero():
    emb = nt.nn.Embedding(7, 5, padding_idx=3)
    assert np.array_equal(emb.weight.numpy()[3], np.zeros(5))


def test_embedding_layer_parity(rng, torch):
    emb = nt.nn.Embedding(7, 5, padding_idx=3)
    temb = torch.nn.Embedding(7, 5, padding_idx=3)
    emb.load_state_dict({"weight": temb.weight.detach().numpy()})
    idx = rng.integers(0, 7, size=(3, 4))
    out = emb(nt.tensor(idx))
    tout = temb(torch.tensor(idx))
    assert_close(out.numpy(), tout.detach().numpy())
    cot = rng.standard_normal(out.shape).astype(np.float32)
    out.backward(cot)
    tout.backward(torch.tensor(cot))
    assert_close(emb.weight.grad, temb.weight.grad.numpy())


def test_embedding_layer_init_and_errors():
    nt.manual_seed(0)
    w = nt.nn.Embedding(300, 200).weight.numpy()
    assert w.dtype == np.float32 and abs(w.std() - 1) < 0.01  # N(0, 1) as torch
    assert nt.nn.Embedding(4, 3, embeddings_initializer="zeros").weight.numpy().sum() == 0
    with pytest.raises(ValueError, match=r"Embedding\(4, 3\): embedding: index 4 is out of range for an embedding of size 4"):
        nt.nn.Embedding(4, 3)(nt.tensor([4]))
    with pytest.raises(ValueError, match="Embedding: embedding_dim must be a positive integer, got 0"):
        nt.nn.Embedding(4, 0)
