"""Tokenizer, vocabulary and padding: ids, reserved tokens, truncation sides, serialisation."""
import json

import numpy as np
import pytest

from neuronet.data.text import (PAD, START, STOP, UNK, Tokenizer, Vocabulary, pad_sequences, sequence_mask,
                                tokenize)


def test_tokenize_words_punctuation_and_case():
    assert tokenize("It's GOOD, isn't it?") == ["it's", "good", ",", "isn't", "it", "?"]
    assert tokenize("Ab c", level="char") == ["a", "b", " ", "c"]
    assert tokenize("Ab", level="char", lower=False) == ["A", "b"]


def test_tokenize_rejects_bad_input():
    with pytest.raises(TypeError, match="tokenize"):
        tokenize(3)
    with pytest.raises(ValueError, match="level"):
        tokenize("a", level="byte")


def test_vocabulary_orders_by_frequency_then_first_appearance():
    vocab = Vocabulary.build([["b", "a", "c"], ["a", "c", "d"], ["a"]])
    assert vocab.tokens == [PAD, UNK, "a", "c", "b", "d"]
    assert vocab.encode(["a", "zzz", "d"]) == [2, 1, 5]
    assert vocab.decode([2, 1, 5, 0, 0]) == ["a", UNK, "d"]


def test_vocabulary_num_words_and_min_freq():
    lists = [["x"] * 5 + ["y"] * 3 + ["z"] * 2 + ["w"]]
    assert Vocabulary.build(lists, num_words=4).tokens == [PAD, UNK, "x", "y"]
    assert Vocabulary.build(lists, min_freq=2).tokens == [PAD, UNK, "x", "y", "z"]
    with pytest.raises(ValueError, match="num_words"):
        Vocabulary.build(lists, num_words=2)
    with pytest.raises(ValueError, match="min_freq"):
        Vocabulary.build(lists, min_freq=0)


def test_start_stop_tokens_wrap_sequences():
    tok = Tokenizer(start_stop=True).fit(["good film"])
    assert tok.vocabulary.tokens[:4] == [PAD, UNK, START, STOP]
    assert tok.texts_to_sequences(["good bad film"]) == [[2, 4, 1, 5, 3]]
    assert tok.sequences_to_texts([[2, 4, 1, 5, 3, 0]]) == [f"good {UNK} film"]


def test_tokenizer_word_level_round_trip_and_unknown_words():
    tok = Tokenizer().fit(["A fine film.", "A dull film!"])
    assert tok.vocab_size == 8
    seqs = tok.texts_to_sequences(["a fine, fine film", "unseen"])
    assert seqs == [[2, 4, 1, 4, 3], [1]]
    assert tok.sequences_to_texts([[2, 4, 3, 0, 0]]) == ["a fine film"]


def test_tokenizer_char_level():
    tok = Tokenizer(level="char").fit(["abba", "cab"])
    assert tok.vocabulary.tokens == [PAD, UNK, "a", "b", "c"]
    assert tok.texts_to_sequences(["Cab!"]) == [[4, 2, 3, 1]]
    assert tok.sequences_to_texts([[4, 2, 3]]) == ["cab"]


def test_tokenizer_config_is_json_and_restores_the_same_ids():
    tok = Tokenizer(num_words=6, min_freq=1, start_stop=True).fit(["one two two three three three"])
    config = json.loads(json.dumps(tok.get_config()))
    again = Tokenizer.from_config(config)
    texts = ["three two one four"]
    assert again.texts_to_sequences(texts) == tok.texts_to_sequences(texts)
    assert again.get_config() == tok.get_config()
    assert Vocabulary.from_config(tok.vocabulary.get_config()).tokens == tok.vocabulary.tokens


def test_tokenizer_errors_name_the_method():
    with pytest.raises(RuntimeError, match="fit"):
        Tokenizer().texts_to_sequences(["a"])
    with pytest.raises(TypeError, match="list of texts"):
        Tokenizer().fit("one string")
    with pytest.raises(TypeError, match="str"):
        Tokenizer().fit(["a", 3])
    with pytest.raises(ValueError, match="level"):
        Tokenizer(level="subword")


def test_pad_sequences_post_padding_is_the_default():
    ids, lengths = pad_sequences([[5, 6, 7], [8], []], maxlen=4)
    assert ids.dtype == np.int64 and lengths.dtype == np.int64
    np.testing.assert_array_equal(ids, [[5, 6, 7, 0], [8, 0, 0, 0], [0, 0, 0, 0]])
    np.testing.assert_array_equal(lengths, [3, 1, 0])


def test_pad_sequences_truncating_and_padding_sides():
    seqs = [[1, 2, 3, 4], [9]]
    ids, lengths = pad_sequences(seqs, maxlen=2)
    np.testing.assert_array_equal(ids, [[1, 2], [9, 0]])
    np.testing.assert_array_equal(lengths, [2, 1])
    ids, _ = pad_sequences(seqs, maxlen=2, truncating="pre")
    np.testing.assert_array_equal(ids, [[3, 4], [9, 0]])
    ids, lengths = pad_sequences(seqs, maxlen=3, padding="pre", truncating="pre", value=-1)
    np.testing.assert_array_equal(ids, [[2, 3, 4], [-1, -1, 9]])
    np.testing.assert_array_equal(lengths, [3, 1])


def test_pad_sequences_default_maxlen_is_the_longest():
    ids, lengths = pad_sequences([np.array([3, 4]), np.array([5, 6, 7])])
    assert ids.shape == (2, 3)
    np.testing.assert_array_equal(lengths, [2, 3])


def test_pad_sequences_rejects_bad_input():
    with pytest.raises(ValueError, match="padding"):
        pad_sequences([[1]], padding="left")
    with pytest.raises(ValueError, match="maxlen"):
        pad_sequences([[1]], maxlen=0)
    with pytest.raises(ValueError, match="1-D"):
        pad_sequences([[[1, 2]]])
    with pytest.raises(TypeError, match="integer"):
        pad_sequences([[1.5, 2.0]])
    with pytest.raises(TypeError, match="list of sequences"):
        pad_sequences("abc")


def test_sequence_mask_matches_padding():
    ids, lengths = pad_sequences([[4, 5, 6], [7], []], maxlen=4)
    mask = sequence_mask(lengths, 4)
    np.testing.assert_array_equal(mask, ids != 0)
    assert sequence_mask([1, 3]).shape == (2, 3)
    with pytest.raises(ValueError, match="sequence_mask"):
        sequence_mask([-1, 2])
