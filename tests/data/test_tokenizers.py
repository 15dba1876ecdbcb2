"""The byte-pair-encoding tokenizer: merges in the right order, round trips, batches, JSON files."""
from collections import Counter

import numpy as np
import pytest

from neuronet.data.tokenizers import SPACE_MARKER, SPECIAL_TOKENS, BPETokenizer, _learn_merges, pretokenize

CORPUS = ["low lower lowest", "new newer newest"]


def test_pretokenize_marks_the_space_before_a_piece():
    assert pretokenize("It's 2 good!") == ["It", "'", "s", "▁2", "▁good", "!"]
    assert pretokenize("a  b\nc") == ["a", "▁", "▁b", "\n", "c"]
    assert pretokenize("Hello", lowercase=True) == ["hello"]


def test_merges_on_a_tiny_corpus_in_the_hand_counted_order():
    # pieces: low, ▁lower, ▁lowest, new, ▁newer, ▁newest (each once).  Pair counts: (w,e) 4 — in
    # ▁lower ▁lowest ▁newer ▁newest — first; then (l,o) 3 and (n,e) 3 tie, broken alphabetically;
    # then (lo,we), (ne,we), (s,t), (▁,lowe), (▁,newe) at 2 each; every other pair is seen once.
    tok = BPETokenizer.train(CORPUS, vocab_size=100)
    assert tok.merges == [("w", "e"), ("l", "o"), ("n", "e"), ("lo", "we"), ("ne", "we"), ("s", "t"),
                          ("▁", "lowe"), ("▁", "newe")]
    assert tok.vocab[:len(SPECIAL_TOKENS)] == list(SPECIAL_TOKENS) and tok.pad_id == 0
    assert tok.vocab[-1] == "▁newe" and tok.tokenize("lowest newer") == ["lowe", "st", "▁newe", "r"]
    # min_frequency 1 keeps merging pairs seen once; a vocabulary size stops it
    assert len(BPETokenizer.train(CORPUS, vocab_size=30, min_frequency=1)) == 30


def _naive_merges(counts, n_merges):
    """Reference BPE: recount every pair of every piece after every merge (ties: symbols sorted)."""
    words = {tuple(w): c for w, c in counts.items()}
    merges = []
    for _ in range(n_merges):
        pairs = Counter()
        for w, c in words.items():
            for p in zip(w, w[1:]):
                pairs[p] += c
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        if pairs[best] < 2:
            break
        merges.append(best)
        new = {}
        for w, c in words.items():
            out, i = [], 0
            while i < len(w):
                if i < len(w) - 1 and (w[i], w[i + 1]) == best:
                    out.append(w[i] + w[i + 1])
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            new[tuple(out)] = new.get(tuple(out), 0) + c
        words = new
    return merges


def test_incremental_pair_counts_match_recounting_from_scratch():
    rng = np.random.default_rng(0)
    letters = np.array(list("abcde"))
    counts = Counter({"".join(rng.choice(letters, rng.integers(1, 9))): int(rng.integers(1, 30)) for _ in range(300)})
    alphabet = sorted({c for w in counts for c in w})
    assert _learn_merges(counts, alphabet, 60, 2) == _naive_merges(counts, 60)


def test_encoding_applies_the_merges_in_learned_order():
    tok = BPETokenizer.train(["the theatre, then the thesis; other mothers"] * 3, vocab_size=60)
    for word in ["▁theather", "mother", "▁thethe", "xthe"]:
        symbols = list(word)
        for a, b in tok.merges:              # apply every merge in order, as training did
            i, out = 0, []
            while i < len(symbols):
                if i < len(symbols) - 1 and symbols[i] == a and symbols[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(symbols[i])
                    i += 1
            symbols = out
        expected = [tok.token_to_id.get(s, tok.unk_id) for s in symbols]
        assert tok._bpe(word) == expected


@pytest.mark.parametrize("text", ["The film's 2 hours  long,\n\tand dull!", "  leading spaces", "trailing  ",
                                  "", "naïve café — déjà vu"])
def test_decode_inverts_encode(text):
    tok = BPETokenizer.train([text, "The film is long and dull, 2 hours of it!"] * 2, vocab_size=80)
    assert tok.decode(tok.encode(text)) == text


def test_unknown_characters_become_unk_and_specials_are_skipped_on_decode():
    tok = BPETokenizer.train(CORPUS, vocab_size=40, num_sentinels=3)
    ids = tok.encode("low zoo", add_special_tokens=True)
    assert ids[0] == tok.token_id("[CLS]") and ids[-1] == tok.token_id("[SEP]")
    assert tok.unk_id in ids and tok.decode(ids) == "low oo"    # z is unseen: [UNK], dropped on decode
    assert tok.decode(ids, skip_special_tokens=False).startswith("[CLS]low")
    assert tok.sentinel_ids.tolist() == [7, 8, 9] and tok.vocab[7] == "<extra_id_0>"
    with pytest.raises(KeyError, match="no token"):
        tok.token_id("<mask>")


def test_encode_batch_pads_truncates_and_masks():
    tok = BPETokenizer.train(CORPUS, vocab_size=40)
    batch = tok.encode_batch(["low", "lower newest", ""])
    ids, mask = batch["input_ids"], batch["attention_mask"]
    assert ids.dtype == np.int64 and ids.shape == (3, batch["lengths"].max())
    assert (mask == (ids != tok.pad_id)).all() and batch["lengths"].tolist() == mask.sum(1).tolist()
    assert tok.decode(ids[1]) == "lower newest"
    fixed = tok.encode_batch(["lower newest lowest", "low"], max_length=4, padding="max_length", add_special_tokens=True)
    assert fixed["input_ids"].shape == (2, 4)
    assert fixed["input_ids"][0, -1] == tok.token_id("[SEP]")            # truncation keeps [SEP] last
    assert fixed["input_ids"][1].tolist() == [tok.token_id("[CLS]"), tok.token_to_id["lo"], tok.token_to_id["w"],
                                              tok.token_id("[SEP]")]
    with pytest.raises(ValueError, match="truncation=False"):
        tok.encode_batch(["lower newest lowest"], max_length=3, truncation=False)
    with pytest.raises(ValueError, match="padding must be"):
        tok.encode_batch(["low"], padding="left")
    with pytest.raises(ValueError, match="needs max_length"):
        tok.encode_batch(["low"], padding="max_length")


def test_saved_json_loads_to_the_same_tokenizer(tmp_path):
    tok = BPETokenizer.train(["Ünïcode text, lower case? " + SPACE_MARKER] + CORPUS, vocab_size=60,
                             lowercase=True, num_sentinels=2)
    path = tok.save(tmp_path / "tok.json")
    again = BPETokenizer.load(path)
    assert again.vocab == tok.vocab and again.merges == tok.merges and again.lowercase and again.num_sentinels == 2
    assert again.encode("Lower TEXT") == tok.encode("Lower TEXT")
    (tmp_path / "other.json").write_text('{"type": "wordpiece"}')
    with pytest.raises(ValueError, match="not a BPE"):
        BPETokenizer.load(tmp_path / "other.json")


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="smaller than the 7 special tokens"):
        BPETokenizer.train(CORPUS, vocab_size=10)
    with pytest.raises(TypeError, match="one str"):
        BPETokenizer.train("low lower", vocab_size=50)
    with pytest.raises(ValueError, match="must start with the special tokens"):
        BPETokenizer(["a", "[PAD]"], [])
    with pytest.raises(ValueError, match="not in the vocabulary"):
        BPETokenizer(list(SPECIAL_TOKENS) + ["a"], [("a", "a")])
    with pytest.raises(ValueError, match="ids must be integers"):
        BPETokenizer.train(CORPUS, vocab_size=40).decode([1000])
