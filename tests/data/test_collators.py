"""Pre-training collators: BERT's 15 % / 80-10-10 rule measured on many draws, T5 span corruption
exactly on small examples and statistically on many rows, causal LM shifting, the loader."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.data.collators import (IGNORE_INDEX, CausalLMCollator, CollatedLoader, MaskedLMCollator,
                                     SpanCorruptionCollator)

V, MASK, SPECIAL = 5000, 4, 7          # ids 0..6 special (0 = [PAD], 4 = [MASK]); ordinary ids 7..4999


def _within(count, n, p, sigmas=4.5):
    """count is a plausible Binomial(n, p) draw: within `sigmas` standard deviations of n·p."""
    return abs(count - n * p) <= sigmas * np.sqrt(n * p * (1 - p))


def _mlm():
    return MaskedLMCollator(V, MASK, special_ids=range(SPECIAL), random_low=SPECIAL)


def test_masked_lm_follows_the_15_80_10_10_rule():
    ids = np.random.default_rng(1).integers(SPECIAL, V, (500, 80))
    ids[:, 60:] = 0                                                    # padding is never chosen
    ids[:, 0] = 2                                                      # nor is [CLS]
    x, y = _mlm()(ids)
    chosen = y != IGNORE_INDEX
    eligible = int(((ids >= SPECIAL)).sum())                            # 500 × 59
    assert not chosen[:, 60:].any() and not chosen[:, 0].any()
    assert _within(int(chosen.sum()), eligible, 0.15)
    assert (y[chosen] == ids[chosen]).all() and (x[~chosen] == ids[~chosen]).all()
    k = int(chosen.sum())
    masked = x[chosen] == MASK
    replaced = ~masked & (x[chosen] != ids[chosen])
    kept = x[chosen] == ids[chosen]
    assert _within(int(masked.sum()), k, 0.8)
    # a random replacement equals the original with probability 1/4993: counted as kept
    p_same = 0.1 / (V - SPECIAL)
    assert _within(int(replaced.sum()), k, 0.1 - p_same) and _within(int(kept.sum()), k, 0.1 + p_same)
    assert (x[chosen][replaced] >= SPECIAL).all()                      # random ids are ordinary tokens


def test_masked_lm_exact_cases_and_seeding():
    ids = np.array([[2, 10, 11, 12, 3, 0]])
    everything = MaskedLMCollator(V, MASK, special_ids=[2, 3], mlm_probability=1.0, mask_fraction=1.0,
                                  random_fraction=0.0)
    x, y = everything(ids)
    assert x.tolist() == [[2, MASK, MASK, MASK, 3, 0]] and y.tolist() == [[-100, 10, 11, 12, -100, -100]]
    nothing = MaskedLMCollator(V, MASK, mlm_probability=0.0)
    x, y = nothing(ids)
    assert (x == ids).all() and (y == IGNORE_INDEX).all()
    (xc, chosen), yc = MaskedLMCollator(V, MASK, special_ids=[2, 3], mlm_probability=1.0, compact=True)(ids)
    assert chosen.tolist() == [[False, True, True, True, False, False]] and (yc[chosen] == [10, 11, 12]).all()
    big = np.random.default_rng(0).integers(SPECIAL, V, (20, 30))
    nt.manual_seed(3)
    first = _mlm()(big)
    nt.manual_seed(3)
    second = _mlm()(big)
    assert all((a == b).all() for a, b in zip(first, second))
    own = MaskedLMCollator(V, MASK, rng=np.random.default_rng(3))(big)
    assert (own[0] == MaskedLMCollator(V, MASK, rng=np.random.default_rng(3))(big)[0]).all()


def test_masked_lm_rejects_bad_input():
    with pytest.raises(ValueError, match=r"MaskedLMCollator: expected right-padded integer token ids of shape \(batch, time\)"):
        _mlm()(np.zeros(5, dtype=np.int64))
    with pytest.raises(ValueError, match=r"token ids must lie in \[0, 4999\]"):
        _mlm()(np.array([[5000]]))
    with pytest.raises(ValueError, match="mask_fraction \\+ random_fraction"):
        MaskedLMCollator(V, MASK, mask_fraction=0.8, random_fraction=0.3)
    with pytest.raises(ValueError, match="mlm_probability must be a number"):
        MaskedLMCollator(V, MASK, mlm_probability=1.5)


def test_causal_lm_shifts_by_one_and_ignores_padding():
    x, y = CausalLMCollator()(np.array([[5, 6, 7, 0], [8, 9, 10, 11]]))
    assert x.tolist() == [[5, 6, 7], [8, 9, 10]] and y.tolist() == [[6, 7, -100], [9, 10, 11]]
    with pytest.raises(ValueError, match="at least 2 tokens"):
        CausalLMCollator()(np.array([[5]]))


SENTINELS = np.arange(100, 140)
EOS, START = 2, 1


def _span():
    return SpanCorruptionCollator(SENTINELS, eos_id=EOS, start_id=START)


def test_span_corruption_exact_small_example():
    collator = _span()
    collator.noise_mask = lambda lengths, width, rng=None: np.array(
        [[0, 1, 1, 0, 0, 1, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0]], dtype=bool)
    ids = np.array([[11, 12, 13, 14, 15, 16, 17, 18], [21, 22, 23, 0, 0, 0, 0, 0]])
    src, tgt_in, tgt_out = collator(ids)
    assert src.tolist() == [[11, 100, 14, 15, 101, 17, 18, EOS], [100, 22, 23, EOS, 0, 0, 0, 0]]
    assert tgt_out.tolist() == [[100, 12, 13, 101, 16, EOS], [100, 21, EOS, -100, -100, -100]]
    assert tgt_in.tolist() == [[START, 100, 12, 13, 101, 16], [START, 100, 21, EOS, 0, 0]]


def _reconstruct(src, tgt_out):
    """Undo span corruption: each sentinel in the input is replaced by the tokens after it in the target."""
    rows = []
    for s, t in zip(src.tolist(), tgt_out.tolist()):
        t = [v for v in t if v != IGNORE_INDEX][:-1]
        spans, current = {}, None
        for v in t:
            if 100 <= v < 140:
                current = spans.setdefault(v, [])
            else:
                current.append(v)
        out = []
        for v in s[:s.index(EOS)]:
            out.extend(spans[v] if 100 <= v < 140 else [v])
        rows.append(out)
    return rows


def test_span_corruption_loses_nothing_and_hits_its_rates():
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 101, 400)
    ids = rng.integers(200, 1000, (400, 100))
    ids[np.arange(100)[None, :] >= lengths[:, None]] = 0
    src, tgt_in, tgt_out = _span()(ids)
    assert _reconstruct(src, tgt_out) == [row[:n].tolist() for row, n in zip(ids, lengths)]
    mask = _span().noise_mask(np.full(4000, 100), 100)
    assert (mask.sum(axis=1) == 15).all()                           # round(100 · 0.15) per row
    starts = mask & ~np.concatenate([np.zeros((4000, 1), bool), mask[:, :-1]], axis=1)
    assert (starts.sum(axis=1) == 5).all()                          # round(15 / 3) spans: mean length 3
    # spans fall anywhere: the first and last positions are noise about equally often
    first, last = int(mask[:, 0].sum()), int(mask[:, -1].sum())
    assert 100 < first < 600 and 100 < last < 600 and abs(first - last) < 150
    short = _span()(np.array([[7, 0, 0], [7, 8, 0]]))[0]
    assert short[0].tolist() == [7, EOS, 0] and set(short[1].tolist()) & set(SENTINELS.tolist())


def test_span_corruption_needs_enough_sentinels_and_right_padding():
    with pytest.raises(ValueError, match="needs 5 sentinels, only 2"):
        SpanCorruptionCollator([100, 101], EOS, START)(np.full((1, 100), 7))
    with pytest.raises(ValueError, match="right-padded"):
        _span()(np.array([[0, 7, 8]]))
    with pytest.raises(ValueError, match="num_sentinels > 0"):
        SpanCorruptionCollator([], EOS, START)


def test_collated_loader_redraws_and_trims():
    ids = np.zeros((10, 12), dtype=np.int64)
    ids[:, :5] = np.arange(10, 15)
    loader = CollatedLoader(ids, _mlm(), batch_size=4)
    assert len(loader) == 3
    batches = list(loader)
    assert [b[0].shape for b in batches] == [(4, 5), (4, 5), (2, 5)]   # cut to the longest row
    assert len(list(CollatedLoader(ids, _mlm(), batch_size=4, batches=7))) == 7
    (src, tgt_in), tgt_out = next(iter(CollatedLoader(ids, _span(), batch_size=4)))
    assert src.shape[0] == tgt_in.shape[0] == tgt_out.shape[0] == 4
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        CollatedLoader(ids, _mlm(), batch_size=0)
