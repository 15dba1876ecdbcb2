"""A byte-pair-encoding (BPE) tokenizer, trained on a corpus to a vocabulary size (Sennrich et al. 2016).

Why write it rather than depend on ``tokenizers``/``sentencepiece``: the algorithm is short enough to
read in one sitting (count adjacent symbol pairs weighted by word frequency, merge the most
frequent pair, repeat), the course explains it, and a NumPy-only install keeps working.

Pre-tokenisation (GPT-2 style): a text is cut into pieces — a run of letters, of digits, or of other
non-space characters, each with the single space before it, and runs of other whitespace — and that
space becomes the visible marker ``▁`` (SentencePiece's).  Merges never cross a piece, and
``decode`` joins the pieces and turns ``▁`` back into spaces, so ``decode(encode(text)) == text``
for any text whose characters were seen in training (others become ``[UNK]``).

Training: the corpus becomes a table of distinct pieces and their counts; pair counts are summed
over that table (a piece seen 1,000 times counts once, weighted 1,000), first with one vectorised
``bincount`` over all pieces, then updated only for the pieces a merge touches; the most frequent
pair comes off a heap (ties: the pair whose symbols sort first).

Ids: the special tokens first (``[PAD]`` = 0, the padding id the Transformer models mask), then
optional T5 sentinels ``<extra_id_0>``…, then the characters, then one token per merge in merge order.

Example:
    >>> tok = BPETokenizer.train(["low lower lowest", "new newer newest"], vocab_size=40)
    >>> tok.decode(tok.encode("lower newest"))
    'lower newest'
"""
from __future__ import annotations

import heapq
import json
import re
from collections import Counter

from ..backend import np

__all__ = ["BPETokenizer", "SPECIAL_TOKENS", "SPACE_MARKER", "pretokenize"]

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "<s>", "</s>")
SPACE_MARKER = "\u2581"   # ▁, stands for the space before a piece
_PIECE = re.compile(r" ?[^\W\d_]+| ?\d+| ?[^\s\w]+| ?_+|\s+(?!\S)|\s+")


def pretokenize(text: str, lowercase: bool = False) -> list:
    """Cut ``text`` into the pieces BPE merges within, a leading space written as ``▁``.

    Example:
        >>> pretokenize("It's 2 good!")
        ['It', "'", 's', '▁2', '▁good', '!']
    """
    if not isinstance(text, str):
        raise TypeError(f"pretokenize: expected a str, received {type(text).__name__}")
    if lowercase:
        text = text.lower()
    return [p.replace(" ", SPACE_MARKER, 1) if p.startswith(" ") else p for p in _PIECE.findall(text)]


def _positive_int(where, name, value, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{where}: {name} must be an integer >= {minimum}, received {value!r}")
    return int(value)


class BPETokenizer:
    """Byte-pair-encoding tokenizer: a vocabulary of symbols and an ordered list of merges.

    Build one with :meth:`train` (or :meth:`load`); the constructor takes the learned tables.

    Args:
        vocab: every token in id order (special tokens and sentinels first).
        merges: the learned merges ``(left, right)`` in the order they were learned.
        special_tokens: the special tokens (a prefix of ``vocab``); must include ``[PAD]`` and ``[UNK]``.
        num_sentinels: how many ``<extra_id_i>`` tokens follow the special tokens.
        lowercase: lower-case texts before pre-tokenisation.
    """

    def __init__(self, vocab, merges, special_tokens=SPECIAL_TOKENS, num_sentinels: int = 0,
                 lowercase: bool = False):
        self.vocab = [str(t) for t in vocab]
        self.merges = [(str(a), str(b)) for a, b in merges]
        self.special_tokens = tuple(special_tokens)
        self.num_sentinels = _positive_int("BPETokenizer", "num_sentinels", num_sentinels, 0)
        self.lowercase = bool(lowercase)
        reserved = list(self.special_tokens) + self.sentinel_tokens(self.num_sentinels)
        if self.vocab[:len(reserved)] != reserved:
            raise ValueError(f"BPETokenizer: the vocabulary must start with the special tokens {reserved[:8]}..., "
                             f"received {self.vocab[:8]}...")
        for needed in ("[PAD]", "[UNK]"):
            if needed not in self.special_tokens:
                raise ValueError(f"BPETokenizer: special_tokens must include {needed}, received {self.special_tokens}")
        if len(set(self.vocab)) != len(self.vocab):
            raise ValueError("BPETokenizer: vocabulary tokens must be unique")
        self.token_to_id = {t: i for i, t in enumerate(self.vocab)}
        for a, b in self.merges:
            if a + b not in self.token_to_id:
                raise ValueError(f"BPETokenizer: merge ({a!r}, {b!r}) makes {a + b!r}, which is not in the vocabulary")
        self.ranks = {pair: r for r, pair in enumerate(self.merges)}
        self.num_reserved = len(reserved)
        self._cache: dict = {}

    # ---------------------------------------------------------------- training
    @staticmethod
    def sentinel_tokens(n: int) -> list:
        """T5's span-corruption sentinels ``<extra_id_0>`` … ``<extra_id_{n-1}>``."""
        return [f"<extra_id_{i}>" for i in range(n)]

    @classmethod
    def train(cls, texts, vocab_size: int, special_tokens=SPECIAL_TOKENS, num_sentinels: int = 0,
              lowercase: bool = False, min_frequency: int = 2):
        """Learn merges on ``texts`` until the vocabulary has ``vocab_size`` tokens (or no pair is
        seen ``min_frequency`` times).

        Args:
            texts: an iterable of str (one document, review or line each).
            vocab_size: the wanted number of ids, special tokens, sentinels and characters included.
            special_tokens, num_sentinels, lowercase: see the class.
            min_frequency: a pair seen fewer times is never merged.

        Returns:
            The trained :class:`BPETokenizer`.
        """
        vocab_size = _positive_int("BPETokenizer.train", "vocab_size", vocab_size)
        min_frequency = _positive_int("BPETokenizer.train", "min_frequency", min_frequency)
        if isinstance(texts, str):
            raise TypeError("BPETokenizer.train: texts must be an iterable of str, received one str")
        counts = Counter()
        for text in texts:
            counts.update(pretokenize(text, lowercase))
        reserved = list(special_tokens) + cls.sentinel_tokens(num_sentinels)
        alphabet = sorted({c for piece in counts for c in piece} - set(reserved))
        if len(reserved) + len(alphabet) > vocab_size:
            raise ValueError(f"BPETokenizer.train: vocab_size={vocab_size} is smaller than the {len(reserved)} "
                             f"special tokens plus the {len(alphabet)} characters of the corpus")
        vocab = reserved + alphabet
        merges = _learn_merges(counts, alphabet, vocab_size - len(vocab), min_frequency)
        vocab += [a + b for a, b in merges]
        return cls(vocab, merges, special_tokens, num_sentinels, lowercase)

    # ---------------------------------------------------------------- encoding
    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def __len__(self) -> int:
        return len(self.vocab)

    def token_id(self, token: str) -> int:
        """The id of one token (a special token such as ``"[MASK]"``); KeyError names the missing token."""
        if token not in self.token_to_id:
            raise KeyError(f"BPETokenizer: no token {token!r} in the vocabulary (special tokens: {self.special_tokens})")
        return self.token_to_id[token]

    @property
    def pad_id(self) -> int:
        return self.token_to_id["[PAD]"]

    @property
    def unk_id(self) -> int:
        return self.token_to_id["[UNK]"]

    @property
    def sentinel_ids(self):
        """The sentinel ids, ``<extra_id_0>`` first (int64 array)."""
        start = len(self.special_tokens)
        return np.arange(start, start + self.num_sentinels, dtype=np.int64)

    def _bpe(self, piece: str) -> list:
        """One piece's tokens: apply the learned merges, lowest rank (earliest learned) first."""
        cached = self._cache.get(piece)
        if cached is not None:
            return cached
        symbols = list(piece)
        ranks = self.ranks
        while len(symbols) > 1:
            best, at = None, -1
            for i in range(len(symbols) - 1):
                r = ranks.get((symbols[i], symbols[i + 1]))
                if r is not None and (best is None or r < best):
                    best, at = r, i
            if best is None:
                break
            pair = (symbols[at], symbols[at + 1])
            merged, i = [], 0        # merge every occurrence of this pair, left to right
            while i < len(symbols):
                if i < len(symbols) - 1 and (symbols[i], symbols[i + 1]) == pair:
                    merged.append(symbols[i] + symbols[i + 1])
                    i += 2
                else:
                    merged.append(symbols[i])
                    i += 1
            symbols = merged
        ids = [self.token_to_id.get(s, self.unk_id) for s in symbols]
        if len(self._cache) < 200_000:
            self._cache[piece] = ids
        return ids

    def tokenize(self, text: str) -> list:
        """The tokens (strings) of ``text``."""
        return [self.vocab[i] for i in self.encode(text)]

    def encode(self, text: str, add_special_tokens: bool = False) -> list:
        """Token ids of one text; ``add_special_tokens`` wraps them in ``[CLS] … [SEP]``."""
        if not isinstance(text, str):
            raise TypeError(f"BPETokenizer.encode: expected a str, received {type(text).__name__}")
        ids = [i for piece in pretokenize(text, self.lowercase) for i in self._bpe(piece)]
        if add_special_tokens:
            ids = [self.token_id("[CLS]")] + ids + [self.token_id("[SEP]")]
        return ids

    def decode(self, ids, skip_special_tokens: bool = True) -> str:
        """The text of ``ids``: tokens joined, ``▁`` read as a space; special tokens (and
        sentinels) dropped when ``skip_special_tokens``."""
        ids = np.asarray(ids).reshape(-1)
        if ids.size and (ids.dtype.kind not in "iu" or ids.min() < 0 or ids.max() >= len(self.vocab)):
            raise ValueError(f"BPETokenizer.decode: ids must be integers in [0, {len(self.vocab) - 1}]")
        skip = self.num_reserved if skip_special_tokens else 0
        text = "".join(self.vocab[i] for i in ids.tolist() if i >= skip)
        return text.replace(SPACE_MARKER, " ")

    def encode_batch(self, texts, max_length: int | None = None, padding: str = "longest", truncation: bool = True,
                     add_special_tokens: bool = False) -> dict:
        """Encode many texts into one padded array.

        Args:
            texts: a list of str.
            max_length: the longest row (special tokens included); required for ``padding="max_length"``.
            padding: ``"longest"`` (pad to the longest row) or ``"max_length"``; pads with ``[PAD]`` on the right.
            truncation: cut rows longer than ``max_length`` (keeping ``[SEP]`` last); False: a longer row is an error.
            add_special_tokens: wrap each text in ``[CLS] … [SEP]``.

        Returns:
            ``{"input_ids": int64 (N, T), "attention_mask": int64 (N, T) (1 = token, 0 = padding),
            "lengths": int64 (N,)}``.
        """
        if isinstance(texts, str):
            raise TypeError("BPETokenizer.encode_batch: texts must be a list of str, received one str")
        if padding not in ("longest", "max_length"):
            raise ValueError(f"BPETokenizer.encode_batch: padding must be 'longest' or 'max_length', received {padding!r}")
        if max_length is not None:
            max_length = _positive_int("BPETokenizer.encode_batch", "max_length", max_length, 2 if add_special_tokens else 1)
        elif padding == "max_length":
            raise ValueError("BPETokenizer.encode_batch: padding='max_length' needs max_length")
        rows = [self.encode(t, add_special_tokens) for t in texts]
        if max_length is not None:
            too_long = [i for i, r in enumerate(rows) if len(r) > max_length]
            if too_long and not truncation:
                raise ValueError(f"BPETokenizer.encode_batch: text {too_long[0]} has {len(rows[too_long[0]])} tokens, "
                                 f"more than max_length={max_length} (truncation=False)")
            for i in too_long:
                rows[i] = rows[i][:max_length - 1] + [rows[i][-1]] if add_special_tokens else rows[i][:max_length]
        lengths = np.asarray([len(r) for r in rows], dtype=np.int64)
        width = max_length if padding == "max_length" else int(lengths.max(initial=0))
        ids = np.full((len(rows), width), self.pad_id, dtype=np.int64)
        mask = np.arange(width)[None, :] < lengths[:, None]
        if rows:
            ids[mask] = np.fromiter((i for r in rows for i in r), dtype=np.int64, count=int(lengths.sum()))
        return {"input_ids": ids, "attention_mask": mask.astype(np.int64), "lengths": lengths}

    # ---------------------------------------------------------------- files
    def to_dict(self) -> dict:
        return {"type": "bpe", "version": 1, "lowercase": self.lowercase, "special_tokens": list(self.special_tokens),
                "num_sentinels": self.num_sentinels, "vocab": self.vocab, "merges": [list(m) for m in self.merges]}

    def save(self, path) -> str:
        """Write the tokenizer as JSON (UTF-8); returns the path."""
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.to_dict(), f, ensure_ascii=False)
        return str(path)

    @classmethod
    def load(cls, path) -> "BPETokenizer":
        """Read a tokenizer written by :meth:`save`."""
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
        if d.get("type") != "bpe":
            raise ValueError(f"BPETokenizer.load: {path} is not a BPE tokenizer file (type {d.get('type')!r})")
        return cls(d["vocab"], d["merges"], d["special_tokens"], d.get("num_sentinels", 0), d.get("lowercase", False))

    def __repr__(self) -> str:
        return (f"BPETokenizer(vocab_size={len(self.vocab)}, merges={len(self.merges)}, "
                f"sentinels={self.num_sentinels}, lowercase={self.lowercase})")


def _learn_merges(counts: Counter, alphabet: list, n_merges: int, min_frequency: int) -> list:
    """The classic BPE loop over the table of distinct pieces and their counts.

    Pieces are lists of symbol ids; ``pair_count[(a, b)]`` is Σ over pieces of count × occurrences.
    The first count is one ``bincount`` over all adjacent pairs of all pieces; after a merge only the
    pieces that held the pair (``where[pair]``) are rewritten and their pairs re-counted.
    """
    symbols = list(alphabet)
    sid = {c: i for i, c in enumerate(symbols)}
    pieces = [[sid[c] for c in p] for p in counts]
    freq = np.fromiter(counts.values(), dtype=np.int64, count=len(counts))
    merges = []
    if not pieces or n_merges <= 0:
        return merges
    # first count, vectorised: every adjacent pair of every piece, weighted by the piece's count
    lens = np.fromiter((len(p) for p in pieces), dtype=np.int64, count=len(pieces))
    flat = np.fromiter((s for p in pieces for s in p), dtype=np.int64, count=int(lens.sum()))
    owner = np.repeat(np.arange(len(pieces)), lens)
    inner = np.ones(flat.size, dtype=bool)
    inner[np.cumsum(lens) - 1] = False             # a piece's last symbol starts no pair
    left = np.flatnonzero(inner)
    base = max(len(symbols) + n_merges, 1)
    codes = flat[left] * base + flat[left + 1]
    uniq, inverse = np.unique(codes, return_inverse=True)
    totals = np.bincount(inverse, weights=freq[owner[left]]).astype(np.int64)
    pair_count = {(int(c // base), int(c % base)): int(t) for c, t in zip(uniq, totals)}
    where: dict = {}
    for (c, o) in set(zip(codes.tolist(), owner[left].tolist())):
        where.setdefault((c // base, c % base), set()).add(o)
    heap = [(-n, symbols[a], symbols[b], a, b) for (a, b), n in pair_count.items()]
    heapq.heapify(heap)
    while len(merges) < n_merges and heap:
        negative, _, _, a, b = heapq.heappop(heap)
        if pair_count.get((a, b), 0) != -negative:  # stale entry: the count changed since it was pushed
            continue
        if -negative < min_frequency:
            break
        new = len(symbols)
        symbols.append(symbols[a] + symbols[b])
        merges.append((symbols[a], symbols[b]))
        changed = Counter()
        for o in where.pop((a, b), ()):
            old = pieces[o]
            merged, i = [], 0
            while i < len(old):
                if i < len(old) - 1 and old[i] == a and old[i + 1] == b:
                    merged.append(new)
                    i += 2
                else:
                    merged.append(old[i])
                    i += 1
            w = int(freq[o])
            for pair in zip(old, old[1:]):
                changed[pair] -= w
            for pair in zip(merged, merged[1:]):
                changed[pair] += w
                where.setdefault(pair, set()).add(o)
            pieces[o] = merged
        for pair, delta in changed.items():
            if delta == 0:
                continue
            n = pair_count.get(pair, 0) + delta
            if n > 0:
                pair_count[pair] = n
                heapq.heappush(heap, (-n, symbols[pair[0]], symbols[pair[1]], pair[0], pair[1]))
            else:
                pair_count.pop(pair, None)
        pair_count.pop((a, b), None)
    return merges
