"""Pre-training objectives as data collators: padded token ids in, (inputs, labels) out.

- :class:`MaskedLMCollator` — BERT's masked language modelling: 15 % of the real tokens are chosen;
  of those 80 % become ``[MASK]``, 10 % a random token, 10 % stay; labels are the original ids at the
  chosen positions and ``ignore_index`` elsewhere, so the loss is taken on the chosen positions only.
- :class:`CausalLMCollator` — GPT's next-token prediction: inputs ``ids[:, :-1]``, labels ``ids[:, 1:]``
  (padding ignored).
- :class:`SpanCorruptionCollator` — T5's span corruption for an encoder–decoder: 15 % of the tokens,
  in spans of mean length 3, are each replaced in the input by one sentinel; the target lists every
  sentinel followed by the tokens it hid.

Every collator draws from neuronet's seeded generator (``nt.manual_seed``) unless given its own
``rng``, works on a whole batch at once (no loop over samples) and expects right-padded ids.
Pair them with :class:`CollatedLoader` to draw a fresh corruption of the data every epoch.
"""
from __future__ import annotations

import math

from .. import backend
from ..backend import np

__all__ = ["MaskedLMCollator", "CausalLMCollator", "SpanCorruptionCollator", "CollatedLoader", "IGNORE_INDEX"]

IGNORE_INDEX = -100
"""The label of positions that carry no loss (PyTorch's ``cross_entropy`` default ``ignore_index``)."""


def _check_ids(where, ids, vocab_size=None):
    ids = np.asarray(ids)
    if ids.ndim != 2 or ids.dtype.kind not in "iu":
        raise ValueError(f"{where}: expected right-padded integer token ids of shape (batch, time), received "
                         f"shape {ids.shape}, dtype {ids.dtype}")
    if vocab_size is not None and ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(f"{where}: token ids must lie in [0, {vocab_size - 1}], received [{ids.min()}, {ids.max()}]")
    return ids.astype(np.int64, copy=False)


def _fraction(where, name, value, low=0.0, high=1.0):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ValueError(f"{where}: {name} must be a number in [{low}, {high}], received {value!r}")
    return float(value)


class MaskedLMCollator:
    """BERT's masked-LM corruption (Devlin et al. 2019, §3.1).

    Each real token (not padding, not a special id) is chosen with probability ``mlm_probability``;
    a chosen token becomes ``[MASK]`` with probability ``mask_fraction``, a uniformly drawn ordinary
    token with probability ``random_fraction``, and stays itself otherwise.

    Args:
        vocab_size: number of ids.
        mask_id: the ``[MASK]`` id.
        special_ids: ids never chosen (padding, [CLS], [SEP], ...); the padding id is always among them.
        pad_id: the padding id.
        random_low: random replacements are drawn from ``[random_low, vocab_size)`` (ordinary tokens).
        mlm_probability, mask_fraction, random_fraction: the 15 / 80 / 10 rule.
        ignore_index: the label of positions not chosen.
        compact: return ``((inputs, chosen), labels)`` — the boolean mask of the chosen positions
            goes with the inputs so the model computes logits there only (see
            :class:`~neuronet.models.MaskedLanguageModel` and :func:`~neuronet.models.lm_cross_entropy`).
        rng: a NumPy Generator; default neuronet's seeded one.

    Call with ids (N, T) -> ``(inputs, labels)``, both int64 (N, T) (or the compact form).

    Example::

        mlm = MaskedLMCollator.from_tokenizer(tok)
        x, y = mlm(batch["input_ids"])
        loss = lm_cross_entropy(model(x), y)
    """

    def __init__(self, vocab_size: int, mask_id: int, special_ids=(), pad_id: int = 0, random_low: int = 0,
                 mlm_probability: float = 0.15, mask_fraction: float = 0.8, random_fraction: float = 0.1,
                 ignore_index: int = IGNORE_INDEX, compact: bool = False, rng=None):
        where = "MaskedLMCollator"
        self.vocab_size, self.mask_id, self.pad_id = int(vocab_size), int(mask_id), int(pad_id)
        if not 0 <= self.mask_id < self.vocab_size or not 0 <= random_low < self.vocab_size:
            raise ValueError(f"{where}: mask_id ({mask_id}) and random_low ({random_low}) must lie in "
                             f"[0, {self.vocab_size - 1}]")
        self.special_ids = np.unique(np.asarray(list(special_ids) + [self.pad_id, self.mask_id], dtype=np.int64))
        self.random_low = int(random_low)
        self.mlm_probability = _fraction(where, "mlm_probability", mlm_probability)
        self.mask_fraction = _fraction(where, "mask_fraction", mask_fraction)
        self.random_fraction = _fraction(where, "random_fraction", random_fraction)
        if self.mask_fraction + self.random_fraction > 1.0:
            raise ValueError(f"{where}: mask_fraction + random_fraction must be at most 1, received "
                             f"{mask_fraction} + {random_fraction}")
        self.ignore_index, self.compact, self.rng = int(ignore_index), bool(compact), rng

    @classmethod
    def from_tokenizer(cls, tokenizer, **options) -> "MaskedLMCollator":
        """The collator for a :class:`~neuronet.data.tokenizers.BPETokenizer`: its [MASK] and [PAD]
        ids, every special token and sentinel excluded from choice and from random replacement."""
        return cls(tokenizer.vocab_size, tokenizer.token_id("[MASK]"), range(tokenizer.num_reserved),
                   pad_id=tokenizer.pad_id, random_low=tokenizer.num_reserved, **options)

    def __call__(self, ids):
        ids = _check_ids("MaskedLMCollator", ids, self.vocab_size)
        rng = self.rng or backend.get_rng()
        eligible = ~np.isin(ids, self.special_ids)
        chosen = eligible & (rng.random(ids.shape) < self.mlm_probability)
        action = rng.random(ids.shape)              # one draw decides [MASK] / random / unchanged
        masked = chosen & (action < self.mask_fraction)
        randomised = chosen & ~masked & (action < self.mask_fraction + self.random_fraction)
        inputs = ids.copy()
        inputs[masked] = self.mask_id
        inputs[randomised] = rng.integers(self.random_low, self.vocab_size, size=int(randomised.sum()))
        labels = np.where(chosen, ids, self.ignore_index)
        return ((inputs, chosen), labels) if self.compact else (inputs, labels)


class CausalLMCollator:
    """Next-token prediction: inputs ``ids[:, :-1]``, labels ``ids[:, 1:]`` with padding set to ``ignore_index``.

    Args:
        pad_id: the padding id (labels that are padding carry no loss).
        ignore_index: the label of padded positions.
    """

    def __init__(self, pad_id: int = 0, ignore_index: int = IGNORE_INDEX):
        self.pad_id, self.ignore_index = int(pad_id), int(ignore_index)

    def __call__(self, ids):
        ids = _check_ids("CausalLMCollator", ids)
        if ids.shape[1] < 2:
            raise ValueError(f"CausalLMCollator: needs at least 2 tokens per row to predict one, received shape {ids.shape}")
        labels = ids[:, 1:].copy()
        labels[labels == self.pad_id] = self.ignore_index
        return ids[:, :-1].copy(), labels


def _random_partition(rng, m, k):
    """Per row, ``m[i]`` items cut into ``k[i]`` non-empty runs uniformly at random (k ≤ m; k = 0
    when m = 0): the run index (N, max m) of each item (−1 past ``m``) and run lengths (N, max k)."""
    n, width = m.size, max(int(m.max(initial=0)), 1)
    p = np.arange(width)[None, :]
    candidate = (p >= 1) & (p < m[:, None])               # a run may start at items 1 .. m−1
    keys = np.where(candidate, rng.random((n, width)), 2.0)
    rank = np.argsort(np.argsort(keys, axis=1, kind="stable"), axis=1, kind="stable")
    cut = candidate & (rank < (k - 1)[:, None])           # k − 1 distinct cut points, uniformly
    run = np.where(p < m[:, None], np.cumsum(cut, axis=1), -1)
    lengths = np.zeros((n, max(int(k.max(initial=0)), 1)), dtype=np.int64)
    rows, cols = np.nonzero(run >= 0)
    np.add.at(lengths, (rows, run[rows, cols]), 1)
    return run, lengths


class SpanCorruptionCollator:
    """T5's span corruption (Raffel et al. 2020, §3.1.4): corrupt ``noise_density`` of each row's
    tokens in spans of mean length ``mean_span_length``.

    A row of n real tokens gets ``round(n · noise_density)`` noise tokens (at least 1, at most
    n − 1) in ``round(noise / mean_span_length)`` spans (at least 1): the noise tokens are cut into
    that many non-empty runs at random, the kept tokens into one run more whose first and last may be
    empty, and the runs interleave (T5's reference code always ends a row with noise; here a span may
    fall anywhere, so a one-span row does not always hide its last tokens).  The input
    keeps the non-noise tokens and writes one sentinel per span (``<extra_id_0>``, ``<extra_id_1>``, …
    in order); the target is each sentinel followed by the tokens it replaced; both end with ``eos_id``.

    Args:
        sentinel_ids: the sentinel ids in order (``tokenizer.sentinel_ids``); as many as the most spans in a row.
        eos_id: appended to input and target (``</s>``).
        start_id: the decoder's first input (``<s>``).
        pad_id: padding id of inputs and of the decoder input.
        noise_density, mean_span_length: 15 % and 3 in T5.
        ignore_index: the label of padded target positions.
        rng: a NumPy Generator; default neuronet's seeded one.

    Call with ids (N, T) -> ``(src, tgt_in, tgt_out)``: the encoder input, the decoder input (target
    shifted right after ``start_id``) and the labels, int64, right-padded (labels with ``ignore_index``).
    """

    def __init__(self, sentinel_ids, eos_id: int, start_id: int, pad_id: int = 0, noise_density: float = 0.15,
                 mean_span_length: float = 3.0, ignore_index: int = IGNORE_INDEX, rng=None):
        self.sentinel_ids = np.asarray(sentinel_ids, dtype=np.int64).reshape(-1)
        if self.sentinel_ids.size == 0:
            raise ValueError("SpanCorruptionCollator: needs sentinel ids (train the tokenizer with num_sentinels > 0)")
        self.eos_id, self.start_id, self.pad_id = int(eos_id), int(start_id), int(pad_id)
        self.noise_density = _fraction("SpanCorruptionCollator", "noise_density", noise_density)
        if isinstance(mean_span_length, bool) or not isinstance(mean_span_length, (int, float)) or mean_span_length < 1:
            raise ValueError(f"SpanCorruptionCollator: mean_span_length must be a number >= 1, received {mean_span_length!r}")
        self.mean_span_length = float(mean_span_length)
        self.ignore_index, self.rng = int(ignore_index), rng

    @classmethod
    def from_tokenizer(cls, tokenizer, **options) -> "SpanCorruptionCollator":
        """The collator for a BPE tokenizer trained with sentinels: its sentinels, ``</s>``, ``<s>`` and ``[PAD]``."""
        return cls(tokenizer.sentinel_ids, tokenizer.token_id("</s>"), tokenizer.token_id("<s>"),
                   pad_id=tokenizer.pad_id, **options)

    def noise_mask(self, lengths, width: int, rng=None):
        """Boolean (N, width): which of each row's first ``lengths[i]`` tokens are noise."""
        rng = rng or self.rng or backend.get_rng()
        n = np.asarray(lengths, dtype=np.int64)
        noise = np.where(n >= 2, np.clip(np.rint(n * self.noise_density), 1, np.maximum(n - 1, 1)), 0).astype(np.int64)
        spans = np.where(noise > 0, np.clip(np.rint(noise / self.mean_span_length), 1, None), 0).astype(np.int64)
        spans = np.minimum(spans, np.minimum(noise, n - noise))
        if spans.max(initial=0) > self.sentinel_ids.size:
            raise ValueError(f"SpanCorruptionCollator: a row of {int(n.max())} tokens needs {int(spans.max())} "
                             f"sentinels, only {self.sentinel_ids.size} were given")
        noise_run, _ = _random_partition(rng, noise, spans)
        # the kept tokens in spans + 1 runs, the first and last possibly empty: cut m + 2 into
        # positive runs, then take one token off each end
        _, keep_lengths = _random_partition(rng, n - noise + 2 * (spans > 0), spans + 1)
        keep_lengths[:, 0] -= spans > 0
        kept_before = np.cumsum(keep_lengths, axis=1)       # kept tokens before noise run s (runs 0..s)
        rows, j = np.nonzero(noise_run >= 0)
        mask = np.zeros((n.size, width), dtype=bool)
        mask[rows, j + kept_before[rows, noise_run[rows, j]]] = True
        return mask

    def __call__(self, ids):
        ids = _check_ids("SpanCorruptionCollator", ids)
        n_rows, width = ids.shape
        real = ids != self.pad_id
        lengths = real.sum(axis=1)
        if np.any(real & (np.arange(width)[None, :] >= lengths[:, None])):
            raise ValueError("SpanCorruptionCollator: ids must be right-padded (padding only after the tokens)")
        noise = self.noise_mask(lengths, width)
        start = noise & ~np.concatenate([np.zeros((n_rows, 1), dtype=bool), noise[:, :-1]], axis=1)
        sentinel = self.sentinel_ids[np.maximum(np.cumsum(start, axis=1) - 1, 0)]
        # encoder input: the non-noise tokens, one sentinel where each span starts
        src = _compact(real & (~noise | start), np.where(start, sentinel, ids), self.eos_id, self.pad_id)
        # target: slot 2p holds the sentinel of a span starting at p, slot 2p+1 the noise token at p
        slots = np.stack([start, noise], axis=2).reshape(n_rows, 2 * width)
        values = np.stack([sentinel, ids], axis=2).reshape(n_rows, 2 * width)
        target = _compact(slots, values, self.eos_id, self.pad_id)
        tgt_in = np.concatenate([np.full((n_rows, 1), self.start_id, dtype=np.int64), target[:, :-1]], axis=1)
        tgt_out = np.where(target == self.pad_id, self.ignore_index, target)
        return src, tgt_in, tgt_out


def _compact(keep, values, eos_id, pad_id):
    """Per row, the ``values`` where ``keep`` (in order) followed by ``eos_id``, right-padded with ``pad_id``."""
    counts = keep.sum(axis=1)
    out = np.full((keep.shape[0], int(counts.max(initial=0)) + 1), pad_id, dtype=np.int64)
    rows, cols = np.nonzero(keep)
    out[rows, (np.cumsum(keep, axis=1) - 1)[rows, cols]] = values[rows, cols]
    out[np.arange(keep.shape[0]), counts] = eos_id
    return out


class CollatedLoader:
    """Mini-batches of token-id rows passed through a collator, re-drawn every pass (epoch).

    Args:
        ids: int (N, T) right-padded rows.
        collator: called on each batch of rows; returns ``(x, y)`` (or ``(src, tgt_in, tgt_out)``,
            yielded as ``((src, tgt_in), tgt_out)`` for an encoder–decoder).
        batch_size: rows per batch.
        shuffle: visit the rows in a fresh random order each pass (neuronet's seeded generator).
        trim: cut each batch to its longest row (less padding to compute on).
        batches: batches per pass (default: one pass over the rows); more than one pass's worth
            continues with a fresh order, so a long pre-training run can be logged in shorter "epochs".

    Example::

        loader = CollatedLoader(ids, MaskedLMCollator.from_tokenizer(tok), batch_size=64)
        mlm_model.fit(loader, epochs=3)
    """

    def __init__(self, ids, collator, batch_size: int = 32, shuffle: bool = True, trim: bool = True,
                 batches: int | None = None):
        self.ids = _check_ids("CollatedLoader", ids)
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"CollatedLoader: batch_size must be a positive integer, received {batch_size!r}")
        if not callable(collator):
            raise TypeError(f"CollatedLoader: collator must be callable, received {type(collator).__name__}")
        self.collator, self.batch_size, self.shuffle, self.trim = collator, int(batch_size), bool(shuffle), bool(trim)
        if batches is not None and (isinstance(batches, bool) or not isinstance(batches, (int, np.integer))
                                    or batches < 1):
            raise ValueError(f"CollatedLoader: batches must be a positive integer or None, received {batches!r}")
        if self.ids.shape[0] == 0:
            raise ValueError("CollatedLoader: ids has no rows")
        self.batches = math.ceil(self.ids.shape[0] / self.batch_size) if batches is None else int(batches)
        pad = getattr(collator, "pad_id", 0)
        self._lengths = (self.ids != pad).sum(axis=1)

    def __len__(self) -> int:
        return self.batches

    def _order(self):
        n = self.ids.shape[0]
        return backend.get_rng().permutation(n) if self.shuffle else np.arange(n)

    def __iter__(self):
        n, order, at = self.ids.shape[0], self._order(), 0
        for _ in range(self.batches):
            if at >= n:
                order, at = self._order(), 0
            index = order[at:at + self.batch_size]
            at += self.batch_size
            rows = self.ids[index]
            if self.trim:
                rows = rows[:, :max(int(self._lengths[index].max()), 2)]
            out = self.collator(rows)
            yield ((out[0], out[1]), out[2]) if len(out) == 3 else tuple(out)

    def __repr__(self) -> str:
        return f"CollatedLoader({self.ids.shape[0]} rows, {type(self.collator).__name__}, batch_size={self.batch_size})"
