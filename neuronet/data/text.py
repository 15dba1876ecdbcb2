"""Text to integer ids for embeddings and recurrent networks: vocabulary, tokenizer, padding.

Ids 0 and 1 are reserved: ``<pad>`` = 0 (what padding fills in, and what ``Embedding(padding_idx=0)``
ignores) and ``<unk>`` = 1 (tokens outside the vocabulary).  ``<start>``/``<stop>`` follow when asked
for.  Padding goes on the right by default because the recurrent layers take ``lengths`` (or a
right-padded mask) and stop each sequence at its own last step.

Example:
    >>> tok = Tokenizer(num_words=10_000).fit(["A fine film.", "A dull film!"])
    >>> ids, lengths = nt.data.pad_sequences(tok.texts_to_sequences(["a fine, fine film"]), maxlen=6)
    >>> ids.tolist(), lengths.tolist()
    ([[2, 4, 1, 4, 3, 0]], [5])
"""
from __future__ import annotations

import re
from collections import Counter

from ..backend import np

__all__ = ["PAD", "UNK", "START", "STOP", "WORD_PATTERN", "tokenize", "Vocabulary", "Tokenizer",
           "pad_sequences", "sequence_mask"]

PAD, UNK, START, STOP = "<pad>", "<unk>", "<start>", "<stop>"
WORD_PATTERN = r"[a-z0-9]+(?:'[a-z]+)?|[^\sa-z0-9]"
"""Words (with an inner apostrophe: "don't", "film's") and single punctuation marks, after lower-casing."""


def tokenize(text: str, level: str = "word", lower: bool = True, pattern: str = WORD_PATTERN) -> list:
    """Split one text into tokens: words and punctuation marks, or single characters.

    Args:
        text: the string.
        level: ``"word"`` (regular expression ``pattern``) or ``"char"`` (every character).
        lower: lower-case first.
        pattern: the word pattern (applied to the lower-cased text when ``lower``).

    Example:
        >>> nt.data.tokenize("It's GOOD, isn't it?")
        ["it's", 'good', ',', "isn't", 'it', '?']
    """
    if not isinstance(text, str):
        raise TypeError(f"tokenize: expected a str, received {type(text).__name__}")
    if level not in ("word", "char"):
        raise ValueError(f"tokenize: level must be 'word' or 'char', received {level!r}")
    if lower:
        text = text.lower()
    return list(text) if level == "char" else re.findall(pattern, text)


class Vocabulary:
    """The token <-> id table: reserved tokens first, then tokens by falling frequency.

    Args:
        tokens: every token in id order (reserved ones included).
        start_stop: whether ``<start>`` and ``<stop>`` are among the reserved tokens.

    Example:
        >>> vocab = nt.data.Vocabulary.build([["b", "a", "b"], ["c", "b", "a"]])
        >>> vocab.tokens, vocab.encode(["a", "zebra"])  # reserved first, then by falling frequency; unknown -> <unk>
        (['<pad>', '<unk>', 'b', 'a', 'c'], [3, 1])
    """

    def __init__(self, tokens, start_stop: bool = False):
        tokens = list(tokens)
        reserved = self.reserved_tokens(start_stop)
        if tokens[:len(reserved)] != reserved:
            raise ValueError(f"Vocabulary: the first tokens must be {reserved}, received {tokens[:len(reserved)]}")
        if len(set(tokens)) != len(tokens):
            raise ValueError("Vocabulary: tokens must be unique")
        self.tokens, self.start_stop = tokens, bool(start_stop)
        self.ids = {t: i for i, t in enumerate(tokens)}

    @staticmethod
    def reserved_tokens(start_stop: bool = False) -> list:
        """``[<pad>, <unk>]``, plus ``<start>, <stop>`` when ``start_stop``."""
        return [PAD, UNK, START, STOP] if start_stop else [PAD, UNK]

    @classmethod
    def build(cls, token_lists, num_words: int | None = None, min_freq: int = 1, start_stop: bool = False):
        """Count tokens and keep those seen at least ``min_freq`` times, most frequent first.

        Args:
            token_lists: an iterable of token lists (one per text).
            num_words: the largest vocabulary size, reserved tokens included (so ids are < num_words).
            min_freq: drop tokens seen fewer times.
            start_stop: reserve ``<start>`` = 2 and ``<stop>`` = 3.

        Ties in frequency keep the order of first appearance, so the result is deterministic.
        """
        reserved = cls.reserved_tokens(start_stop)
        if num_words is not None and (isinstance(num_words, bool) or not isinstance(num_words, int)
                                      or num_words <= len(reserved)):
            raise ValueError(f"Vocabulary.build: num_words must be an integer > {len(reserved)} (the reserved "
                             f"tokens {reserved}), received {num_words!r}")
        if isinstance(min_freq, bool) or not isinstance(min_freq, int) or min_freq < 1:
            raise ValueError(f"Vocabulary.build: min_freq must be a positive integer, received {min_freq!r}")
        counts = Counter()
        for tokens in token_lists:
            counts.update(tokens)
        kept = [t for t, c in counts.most_common() if c >= min_freq and t not in reserved]
        if num_words is not None:
            kept = kept[:num_words - len(reserved)]
        return cls(reserved + kept, start_stop)

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token) -> bool:
        return token in self.ids

    def encode(self, tokens) -> list:
        """Token list -> id list (``<unk>`` for unknown tokens, ``<start>``/``<stop>`` around when reserved)."""
        ids = [self.ids.get(t, 1) for t in tokens]
        return [2, *ids, 3] if self.start_stop else ids

    def decode(self, ids, skip_reserved: bool = True) -> list:
        """Id list -> token list, dropping ``<pad>``, ``<start>``, ``<stop>`` (not ``<unk>``) unless ``skip_reserved=False``."""
        bad = [int(i) for i in ids if not 0 <= int(i) < len(self.tokens)]
        if bad:
            raise ValueError(f"Vocabulary.decode: ids must lie in [0, {len(self.tokens) - 1}], received {bad[:5]}")
        dropped = {0, 2, 3} if skip_reserved and self.start_stop else {0} if skip_reserved else set()
        return [self.tokens[int(i)] for i in ids if int(i) not in dropped]

    def get_config(self) -> dict:
        """JSON-ready description; ``Vocabulary.from_config`` rebuilds the same table."""
        return {"tokens": list(self.tokens), "start_stop": self.start_stop}

    @classmethod
    def from_config(cls, config: dict) -> "Vocabulary":
        return cls(config["tokens"], config.get("start_stop", False))

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} tokens, start_stop={self.start_stop})"


class Tokenizer:
    """Word- or character-level tokenizer with a vocabulary learned by ``fit`` (Keras's ``Tokenizer``).

    Args:
        level: ``"word"`` or ``"char"``.
        lower: lower-case before splitting.
        num_words: the largest vocabulary size, reserved ids included; rarer tokens become ``<unk>``.
        min_freq: tokens seen fewer times in ``fit`` become ``<unk>``.
        start_stop: wrap every sequence in ``<start>`` (2) ... ``<stop>`` (3).

    Example:
        >>> tok = nt.data.Tokenizer().fit(["the cat sat", "the dog sat down"])
        >>> seqs = tok.texts_to_sequences(["the cat sat"])
        >>> tok.sequences_to_texts(seqs), tok.vocab_size
        (['the cat sat'], 7)
    """

    def __init__(self, level: str = "word", lower: bool = True, num_words: int | None = None,
                 min_freq: int = 1, start_stop: bool = False):
        if level not in ("word", "char"):
            raise ValueError(f"Tokenizer: level must be 'word' or 'char', received {level!r}")
        self.level, self.lower, self.num_words = level, bool(lower), num_words
        self.min_freq, self.start_stop = min_freq, bool(start_stop)
        self.vocabulary: Vocabulary | None = None

    def tokenize(self, text: str) -> list:
        return tokenize(text, self.level, self.lower)

    def fit(self, texts) -> "Tokenizer":
        """Build the vocabulary from ``texts`` (a list of str: the training split only)."""
        texts = self._texts(texts, "fit")
        self.vocabulary = Vocabulary.build((self.tokenize(t) for t in texts), self.num_words,
                                           self.min_freq, self.start_stop)
        return self

    fit_on_texts = fit

    def _texts(self, texts, what) -> list:
        if isinstance(texts, str):
            raise TypeError(f"Tokenizer.{what}: expected a list of texts, received one str (wrap it in a list)")
        texts = list(texts)
        bad = [type(t).__name__ for t in texts if not isinstance(t, str)]
        if bad:
            raise TypeError(f"Tokenizer.{what}: every text must be a str, received {bad[0]}")
        return texts

    def _vocab(self, what) -> Vocabulary:
        if self.vocabulary is None:
            raise RuntimeError(f"Tokenizer.{what}: call fit(texts) first")
        return self.vocabulary

    @property
    def vocab_size(self) -> int:
        """Number of ids (reserved included): the ``num_embeddings`` of the Embedding that reads them."""
        return len(self._vocab("vocab_size"))

    def texts_to_sequences(self, texts) -> list:
        """A list of id lists, one per text (unpadded)."""
        vocab = self._vocab("texts_to_sequences")
        return [vocab.encode(self.tokenize(t)) for t in self._texts(texts, "texts_to_sequences")]

    def sequences_to_texts(self, sequences) -> list:
        """Id lists back to text (words joined by spaces, characters joined directly)."""
        vocab, sep = self._vocab("sequences_to_texts"), " " if self.level == "word" else ""
        return [sep.join(vocab.decode(np.asarray(s).reshape(-1).tolist())) for s in sequences]

    def get_config(self) -> dict:
        """JSON-ready settings and vocabulary; ``Tokenizer.from_config`` restores an equal tokenizer."""
        return {"level": self.level, "lower": self.lower, "num_words": self.num_words, "min_freq": self.min_freq,
                "start_stop": self.start_stop,
                "vocabulary": None if self.vocabulary is None else self.vocabulary.get_config()}

    @classmethod
    def from_config(cls, config: dict) -> "Tokenizer":
        config = dict(config)
        vocab = config.pop("vocabulary", None)
        tok = cls(**config)
        tok.vocabulary = None if vocab is None else Vocabulary.from_config(vocab)
        return tok

    def __repr__(self) -> str:
        size = "unfitted" if self.vocabulary is None else f"{len(self.vocabulary)} ids"
        return f"Tokenizer(level={self.level!r}, {size})"


def _choice(where, name, value, options):
    if value not in options:
        raise ValueError(f"{where}: {name} must be one of {options}, received {value!r}")


def pad_sequences(sequences, maxlen: int | None = None, padding: str = "post", truncating: str = "post",
                  value: int = 0, dtype="int64"):
    """Pad (and cut) id lists to one length, for a batch array and the ``lengths`` the RNNs take.

    Args:
        sequences: a list of id lists or 1-D arrays.
        maxlen: the output length T (the longest sequence's length when None).
        padding: ``"post"`` (right, the default: what ``LSTM(lengths=...)`` expects) or ``"pre"``.
        truncating: ``"post"`` keeps the first ``maxlen`` ids, ``"pre"`` the last ones.
        value: the padding id.

    Returns:
        ``(ids, lengths)``: ids (N, T) of ``dtype``, lengths int64 (N,) = the kept ids per sequence.

    Example:
        >>> ids, lengths = nt.data.pad_sequences([[5, 6, 7], [8]], maxlen=2)
        >>> ids.tolist(), lengths.tolist()
        ([[5, 6], [8, 0]], [2, 1])
    """
    _choice("pad_sequences", "padding", padding, ("post", "pre"))
    _choice("pad_sequences", "truncating", truncating, ("post", "pre"))
    if isinstance(sequences, (str, bytes)) or not hasattr(sequences, "__len__"):
        raise TypeError(f"pad_sequences: expected a list of sequences, received {type(sequences).__name__}")
    arrays = [np.asarray(s).reshape(-1) if np.ndim(s) == 1 else None for s in sequences]
    if any(a is None for a in arrays):
        bad = next(i for i, a in enumerate(arrays) if a is None)
        raise ValueError(f"pad_sequences: every sequence must be 1-D, sequence {bad} has shape {np.shape(sequences[bad])}")
    if any(a.size and a.dtype.kind not in "iu" for a in arrays):
        raise TypeError("pad_sequences: sequences must hold integer ids")
    full = np.array([a.size for a in arrays], dtype=np.int64)
    if maxlen is None:
        maxlen = int(full.max()) if full.size else 0
    if isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)) or maxlen < 1:
        raise ValueError(f"pad_sequences: maxlen must be a positive integer, received {maxlen!r}")
    kept = [a[:maxlen] if truncating == "post" else a[max(0, a.size - maxlen):] for a in arrays]
    lengths = np.minimum(full, maxlen)
    try:
        ids = np.full((len(arrays), maxlen), value, dtype=dtype)
    except (TypeError, ValueError, OverflowError) as e:  # value 'a', dtype 'nope', value 300 for uint8, ...
        raise ValueError(f"pad_sequences: cannot pad with value {value!r} in dtype {dtype!r} ({e})") from None
    steps = np.arange(maxlen)[None, :]
    where = steps < lengths[:, None] if padding == "post" else steps >= maxlen - lengths[:, None]
    if kept:
        ids[where] = np.concatenate([k.astype(np.int64) for k in kept])
    return ids, lengths


def sequence_mask(lengths, maxlen: int | None = None):
    """Boolean mask (N, T): True at the first ``lengths[i]`` steps of row i (right padding).

    Example:
        >>> nt.data.sequence_mask([2, 0, 3], 3).astype(int).tolist()
        [[1, 1, 0], [0, 0, 0], [1, 1, 1]]
    """
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or (lengths.size and (lengths.dtype.kind not in "iu" or lengths.min() < 0)):
        raise ValueError(f"sequence_mask: lengths must be non-negative integers of shape (N,), received "
                         f"shape {lengths.shape}, dtype {lengths.dtype}")
    maxlen = int(lengths.max()) if maxlen is None and lengths.size else (maxlen or 0)
    return np.arange(maxlen)[None, :] < lengths[:, None]
