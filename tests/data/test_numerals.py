"""Arabic -> Roman numerals: conversion both ways, id arrays for teacher forcing, held-out splits."""
import numpy as np
import pytest

from neuronet.data.numerals import (
    ARABIC_VOCAB, MAX_NUMBER, PAD_ID, ROMAN_VOCAB, SOURCE_LENGTH, START_ID, STOP_ID, TARGET_LENGTH, decode_roman,
    encode_numbers, from_roman, numeral_pairs, numerals_split, to_roman,
)


@pytest.mark.parametrize("n,roman", [(1, "I"), (4, "IV"), (9, "IX"), (14, "XIV"), (40, "XL"), (90, "XC"),
                                     (400, "CD"), (542, "DXLII"), (900, "CM"), (1994, "MCMXCIV"),
                                     (2024, "MMXXIV"), (3888, "MMMDCCCLXXXVIII"), (3999, "MMMCMXCIX")])
def test_known_values(n, roman):
    assert to_roman(n) == roman and from_roman(roman) == n


def test_round_trip_of_every_number_and_lengths():
    romans = [to_roman(n) for n in range(1, MAX_NUMBER + 1)]
    assert [from_roman(r) for r in romans] == list(range(1, MAX_NUMBER + 1))
    assert len(set(romans)) == MAX_NUMBER
    assert max(map(len, romans)) + 1 == TARGET_LENGTH     # the longest numeral plus <stop>


@pytest.mark.parametrize("bad", [0, -3, 4000, 10_000])
def test_to_roman_rejects_numbers_outside_the_range(bad):
    with pytest.raises(ValueError, match=r"to_roman: .*1 to 3999.*received"):
        to_roman(bad)


@pytest.mark.parametrize("bad", [2.0, "12", True, None])
def test_to_roman_rejects_non_integers(bad):
    with pytest.raises(TypeError, match="to_roman: expected an integer"):
        to_roman(bad)


@pytest.mark.parametrize("bad", ["", "IIII", "VX", "IC", "MMMM", "XM", "iv", "ABC", "CMCM", "VV", "IIV"])
def test_from_roman_is_strict(bad):
    with pytest.raises(ValueError, match="from_roman: .* standard subtractive form"):
        from_roman(bad)
    with pytest.raises(TypeError, match="from_roman: expected a str"):
        from_roman(12)


def test_vocabularies_reserve_pad_start_stop():
    for vocab in (ARABIC_VOCAB, ROMAN_VOCAB):
        assert vocab.tokens[PAD_ID] == "<pad>" and vocab.tokens[START_ID] == "<start>"
        assert vocab.tokens[STOP_ID] == "<stop>"
    assert len(ARABIC_VOCAB) == 4 + 10 and len(ROMAN_VOCAB) == 4 + 7


def test_numeral_pairs_for_teacher_forcing():
    src, tgt_in, tgt_out = numeral_pairs([542, 7, 3888])
    assert src.shape == (3, SOURCE_LENGTH) and tgt_in.shape == tgt_out.shape == (3, TARGET_LENGTH)
    assert src.dtype == tgt_in.dtype == tgt_out.dtype == np.int64
    assert ARABIC_VOCAB.decode(src[0]) == list("542") and src[1].tolist()[1:] == [PAD_ID] * 3
    assert ROMAN_VOCAB.decode(tgt_in[0]) == list("DXLII") and tgt_in[0, 0] == START_ID
    assert tgt_out[0, :6].tolist() == [ROMAN_VOCAB.ids[c] for c in "DXLII"] + [STOP_ID]
    assert (tgt_out[0, 6:] == PAD_ID).all() and (tgt_in[0, 6:] == PAD_ID).all()
    np.testing.assert_array_equal(tgt_in[:, 1:], np.where(tgt_out[:, :-1] == STOP_ID, PAD_ID, tgt_out[:, :-1]))
    assert decode_roman(tgt_out[2]) == "MMMDCCCLXXXVIII" and (tgt_out[2] != PAD_ID).all()
    assert decode_roman(tgt_in[1]) == "VII"


def test_numeral_pairs_errors():
    with pytest.raises(ValueError, match=r"numeral_pairs: numbers must lie in \[1, 3999\], received 0"):
        numeral_pairs([5, 0])
    with pytest.raises(ValueError, match="numeral_pairs: numbers must be a non-empty 1-D"):
        numeral_pairs([[1, 2]])
    with pytest.raises(ValueError, match="numeral_pairs: .* needs target_length >= 16"):
        numeral_pairs([3888], target_length=10)
    with pytest.raises(ValueError, match="encode_numbers"):
        encode_numbers([1.5])


def test_split_is_disjoint_complete_and_seeded():
    parts = numerals_split(test_fraction=0.2, seed=0)
    train, val, test = parts["train"], parts["validation"], parts["test"]
    assert len(test) == 800 and len(val) == 400 and len(train) == MAX_NUMBER - 1200
    assert not set(train) & set(test) and not set(train) & set(val) and not set(val) & set(test)
    assert sorted(np.concatenate([train, val, test]).tolist()) == list(range(1, MAX_NUMBER + 1))
    again, other = numerals_split(0.2, seed=0), numerals_split(0.2, seed=1)
    assert (again["test"] == test).all() and not (other["test"] == test).all()
    assert len(numerals_split(0.5, seed=0, validation_fraction=0.0)["validation"]) == 0


@pytest.mark.parametrize("kwargs", [{"test_fraction": 1.0}, {"test_fraction": -0.1},
                                    {"test_fraction": 0.6, "validation_fraction": 0.5}])
def test_split_errors(kwargs):
    with pytest.raises(ValueError, match="numerals_split"):
        numerals_split(**kwargs)
