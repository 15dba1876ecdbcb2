"""sample_logits: greedy, temperature and top-k mean what they say; bad arguments are named."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.models import sample_logits


PROBS = np.array([0.1, 0.2, 0.7])


def frequencies(ids):
    return np.bincount(ids, minlength=3) / len(ids)


def test_sampling_follows_the_softmax():
    nt.manual_seed(0)
    ids = sample_logits(np.log(np.tile(PROBS, (40_000, 1))))
    assert np.abs(frequencies(ids) - PROBS).max() < 0.01


def test_temperature_sharpens_and_flattens():
    nt.manual_seed(0)
    logits = np.log(np.tile(PROBS, (40_000, 1)))
    cold = PROBS ** 2 / (PROBS ** 2).sum()
    hot = PROBS ** 0.5 / (PROBS ** 0.5).sum()
    assert np.abs(frequencies(sample_logits(logits, temperature=0.5)) - cold).max() < 0.01
    assert np.abs(frequencies(sample_logits(logits, temperature=2.0)) - hot).max() < 0.01


def test_top_k_never_draws_outside_the_k_best():
    nt.manual_seed(0)
    ids = sample_logits(np.log(np.tile(PROBS, (40_000, 1))), top_k=2)
    f = frequencies(ids)
    assert f[0] == 0 and abs(f[2] - 0.7 / 0.9) < 0.01


def test_greedy_and_single_row():
    assert sample_logits(np.array([0.0, 3.0, 1.0]), greedy=True) == 1
    assert sample_logits(nt.tensor(np.array([[2.0, 0.0], [0.0, 2.0]])), greedy=True).tolist() == [0, 1]
    nt.manual_seed(0)
    assert isinstance(sample_logits(np.array([0.0, 1.0])), int)


def test_same_seed_same_draws():
    logits = np.zeros((50, 7))
    nt.manual_seed(3)
    a = sample_logits(logits)
    nt.manual_seed(3)
    assert np.array_equal(a, sample_logits(logits))


@pytest.mark.parametrize("kwargs", [{"temperature": 0}, {"temperature": -1.0}, {"top_k": 0}, {"top_k": 1.5}])
def test_bad_arguments_are_named(kwargs):
    with pytest.raises(ValueError, match="sample_logits"):
        sample_logits(np.zeros((2, 3)), **kwargs)


def test_bad_shape_is_named():
    with pytest.raises(ValueError, match=r"sample_logits.*\(2, 3, 4\)"):
        sample_logits(np.zeros((2, 3, 4)))
