"""word2vec's corpus statistics and sampling, with gensim's formulas (gensim 4, ``word2vec.py``).

* vocabulary: words seen at least ``min_count`` times, by falling count (ties: first seen last);
* frequent-word subsampling: word w with count c is kept with probability
  min(1, (√(c/t) + 1)·t/c), t = sample × (number of retained tokens) — gensim's variant of
  Mikolov's 1 − √(t/f);
* noise distribution: P(w) ∝ c^0.75 (``ns_exponent``);
* dynamic window: each centre word draws its window b uniformly from 1..window, so near words are
  used more often than far ones (Mikolov's "reduced window").
Pairs are built for a whole epoch with one vectorised pass per window offset; windows never cross
a sentence boundary.
"""
from __future__ import annotations

import re
from collections import Counter

from ...backend import np

__all__ = ["WORD_RE", "text_to_sentences", "build_vocab", "keep_probabilities", "noise_distribution",
           "encode", "subsample", "skipgram_pairs", "cbow_contexts", "draw_noise"]

WORD_RE = re.compile(r"[a-z]+(?:'[a-z]+)?")
_SENTENCE_END = re.compile(r"[.!?;:]+|\n\s*\n")


def text_to_sentences(text: str, min_length: int = 2) -> list:
    """Split raw text into sentences (at . ! ? ; : and blank lines) of lower-case words (apostrophes kept
    inside words, punctuation and digits dropped); sentences shorter than ``min_length`` words are dropped.

    Example:
        >>> nt.models.word2vec.text_to_sentences("The cat sat on the mat. It's 3 o'clock!\\n\\nHi")
        [['the', 'cat', 'sat', 'on', 'the', 'mat'], ["it's", "o'clock"]]
    """
    if not isinstance(text, str):
        raise TypeError(f"text_to_sentences: expected a str, received {type(text).__name__}")
    out = []
    for piece in _SENTENCE_END.split(text.lower()):
        words = WORD_RE.findall(piece)
        if len(words) >= min_length:
            out.append(words)
    return out


def build_vocab(sentences, min_count: int = 5, max_vocab: int | None = None):
    """The words kept and their counts: count ≥ ``min_count``, sorted by falling count, ties with the
    word seen first last (gensim 4's ``sort_by_descending_frequency``, a lexsort on (−count, −first
    position)); ``max_vocab`` keeps only the most frequent.

    Returns:
        ``(words, counts)``: a list of str and an int64 array.

    Example:
        >>> sentences = [["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "sat", "on", "a", "cat"]]
        >>> nt.models.word2vec.build_vocab(sentences, min_count=2)  # "cat" was seen first: last of the 2s
        (['the', 'on', 'sat', 'cat'], array([3, 2, 2, 2]))
    """
    counts = Counter()
    for s in sentences:
        counts.update(s)
    kept = [(w, c) for w, c in counts.items() if c >= min_count]  # Counter keeps first-seen order
    kept = [kept[i] for i in np.lexsort((-np.arange(len(kept)), -np.array([c for _, c in kept])))]
    if max_vocab is not None:
        kept = kept[:max_vocab]
    if not kept:
        raise ValueError(f"Word2Vec.build_vocab: no word occurs min_count={min_count} times "
                         f"(the corpus has {len(counts)} distinct words)")
    return [w for w, _ in kept], np.array([c for _, c in kept], dtype=np.int64)


def keep_probabilities(counts, sample: float) -> np.ndarray:
    """P(keep) of each word under gensim's subsampling: min(1, (√(c/t) + 1)·t/c), t = sample·Σc
    (``sample`` ≥ 1 is an absolute count threshold, 0 turns subsampling off).

    Example:
        >>> nt.models.word2vec.keep_probabilities([900, 90, 10], sample=0.01)  # t = 0.01 · 1000 = 10
        array([0.1165, 0.4444, 1.    ])
    """
    counts = np.asarray(counts, dtype=np.float64)
    if sample < 0:
        raise ValueError(f"Word2Vec: sample must be >= 0, got {sample}")
    if sample == 0:
        return np.ones_like(counts)
    t = sample * counts.sum() if sample < 1.0 else float(sample)
    return np.minimum(1.0, (np.sqrt(counts / t) + 1.0) * t / counts)


def noise_distribution(counts, exponent: float = 0.75) -> np.ndarray:
    """The negative-sampling distribution P(w) = c_w^exponent / Σ c^exponent (Mikolov's unigram^0.75).

    Example:
        >>> nt.models.word2vec.noise_distribution([16, 1])  # 16^0.75 = 8: rare words are drawn more often
        array([0.8889, 0.1111])
    """
    p = np.asarray(counts, dtype=np.float64) ** exponent
    return p / p.sum()


def encode(sentences, index: dict):
    """Token ids of the in-vocabulary words and the sentence each comes from (both int64, (N,))."""
    ids, sent = [], []
    for k, s in enumerate(sentences):
        row = [index[w] for w in s if w in index]
        ids.extend(row)
        sent.extend([k] * len(row))
    return np.array(ids, dtype=np.int64), np.array(sent, dtype=np.int64)


def subsample(ids, sent, keep_prob, rng):
    """Drop each token independently with probability 1 − keep_prob[word] (one draw per token)."""
    keep = rng.random(len(ids)) < keep_prob[ids]
    return ids[keep], sent[keep]


def _window_pairs(sent, window: int, rng):
    """Positions (i, j) of every centre i and context j with |i − j| ≤ b_i, b_i ~ U{1..window}, in one
    sentence; sorted by centre, then near to far (gensim visits a centre's window left to right)."""
    n = len(sent)
    b = rng.integers(1, window + 1, size=n)
    centres, contexts, slots = [], [], []
    pos = np.arange(n)
    for o in range(1, window + 1):  # loop over window offsets only
        for sign, slot in ((-1, 2 * o - 2), (1, 2 * o - 1)):
            j = pos + sign * o
            ok = (b >= o) & (j >= 0) & (j < n)
            ok[ok] &= sent[j[ok]] == sent[pos[ok]]
            centres.append(pos[ok])
            contexts.append(j[ok])
            slots.append(np.full(int(ok.sum()), slot, dtype=np.int64))
    c, x, s = np.concatenate(centres), np.concatenate(contexts), np.concatenate(slots)
    order = np.lexsort((s, c))
    return c[order], x[order], s[order]


def skipgram_pairs(ids, sent, window: int, rng):
    """(centre id, context id) pairs of one epoch, (P,) each, in corpus order."""
    c, x, _ = _window_pairs(sent, window, rng)
    return ids[c], ids[x]


def cbow_contexts(ids, sent, window: int, rng):
    """For every token with at least one context word: its id (M,) and its context ids (M, 2·window),
    −1 where the dynamic window or the sentence leaves a slot empty."""
    c, x, s = _window_pairs(sent, window, rng)
    table = np.full((len(ids), 2 * window), -1, dtype=np.int64)
    table[c, s] = ids[x]
    has = (table >= 0).any(axis=1)
    return ids[has], table[has]


def draw_noise(cumulative, shape, rng) -> np.ndarray:
    """Noise word ids of the given shape from the cumulative noise distribution (inverse CDF)."""
    return np.minimum(np.searchsorted(cumulative, rng.random(shape), side="right"), len(cumulative) - 1)
