"""Arabic → Roman numerals: the course's sequence-to-sequence task, as padded id arrays.

A number 1–3999 is read as its decimal digits ("1994") and written as its Roman numeral in the
standard subtractive form ("MCMXCIV").  Both sides are character sequences over small
vocabularies (:class:`~neuronet.data.text.Vocabulary` with ``<pad>`` = 0, ``<unk>`` = 1,
``<start>`` = 2, ``<stop>`` = 3).  :func:`numeral_pairs` gives the three arrays teacher forcing
needs; :func:`numerals_split` holds whole numbers out, so test numbers are never seen in training.
"""
from __future__ import annotations

import re

from ..backend import np
from .text import Vocabulary

__all__ = ["to_roman", "from_roman", "ARABIC_VOCAB", "ROMAN_VOCAB", "PAD_ID", "START_ID", "STOP_ID",
           "MAX_NUMBER", "SOURCE_LENGTH", "TARGET_LENGTH", "encode_numbers", "decode_roman",
           "numeral_pairs", "numerals_split"]

MAX_NUMBER = 3999
PAD_ID, START_ID, STOP_ID = 0, 2, 3
ARABIC_VOCAB = Vocabulary(Vocabulary.reserved_tokens(True) + list("0123456789"), start_stop=True)
ROMAN_VOCAB = Vocabulary(Vocabulary.reserved_tokens(True) + list("IVXLCDM"), start_stop=True)
SOURCE_LENGTH = 4          # digits of 3999
TARGET_LENGTH = 16         # MMMDCCCLXXXVIII (3888, 15 letters) + <stop>

_VALUES = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
_STRICT = re.compile(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")


def _check_number(fn, n) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{fn}: expected an integer in [1, {MAX_NUMBER}], received {type(n).__name__} {n!r}")
    if not 1 <= n <= MAX_NUMBER:
        raise ValueError(f"{fn}: Roman numerals cover 1 to {MAX_NUMBER} (no zero, no bar for 4000+), received {n}")
    return int(n)


def to_roman(n: int) -> str:
    """The standard (subtractive) Roman numeral of ``n`` in [1, 3999], e.g. 1994 -> 'MCMXCIV'.

    Example:
        >>> nt.data.numerals.to_roman(1994), nt.data.numerals.to_roman(3999)
        ('MCMXCIV', 'MMMCMXCIX')
    """
    n = _check_number("to_roman", n)
    out = []
    for value, letters in _VALUES:
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


def from_roman(s: str) -> int:
    """The number of a Roman numeral in standard form; non-standard forms ('IIII', 'IC', 'VX') are rejected.

    Example:
        >>> nt.data.numerals.from_roman("MCMXCIV")
        1994
    """
    if not isinstance(s, str):
        raise TypeError(f"from_roman: expected a str, received {type(s).__name__}")
    if not s or not _STRICT.fullmatch(s):
        raise ValueError(f"from_roman: {s!r} is not a Roman numeral in standard subtractive form (1 to {MAX_NUMBER})")
    total, i = 0, 0
    for value, letters in _VALUES:
        while s.startswith(letters, i):
            total, i = total + value, i + len(letters)
    return total


def _numbers(fn, numbers):
    arr = np.asarray(numbers)
    if arr.ndim != 1 or arr.size == 0 or arr.dtype.kind not in "iu":
        raise ValueError(f"{fn}: numbers must be a non-empty 1-D sequence of integers, received shape "
                         f"{arr.shape}, dtype {arr.dtype}")
    bad = arr[(arr < 1) | (arr > MAX_NUMBER)]
    if bad.size:
        raise ValueError(f"{fn}: numbers must lie in [1, {MAX_NUMBER}], received {int(bad[0])}")
    return arr.astype(np.int64)


def encode_numbers(numbers, length: int = SOURCE_LENGTH):
    """Decimal digits as ids (N, length), right-padded with ``<pad>`` = 0: the encoder's input.

    Example:
        >>> nt.data.numerals.encode_numbers([42, 1994]).shape
        (2, 4)
    """
    arr = _numbers("encode_numbers", numbers)
    out = np.zeros((arr.size, length), dtype=np.int64)
    for i, n in enumerate(arr.tolist()):
        ids = [ARABIC_VOCAB.ids[d] for d in str(n)]
        out[i, :len(ids)] = ids
    return out


def decode_roman(ids) -> str:
    """Roman-side ids back to text, up to the first ``<stop>`` (``<pad>``/``<start>`` dropped).

    Example:
        >>> _, _, targets = nt.data.numerals.numeral_pairs([14])
        >>> nt.data.numerals.decode_roman(targets[0])
        'XIV'
    """
    ids = [int(i) for i in ids]
    if STOP_ID in ids:
        ids = ids[:ids.index(STOP_ID)]
    return "".join(ROMAN_VOCAB.decode(ids))


def numeral_pairs(numbers, source_length: int = SOURCE_LENGTH, target_length: int = TARGET_LENGTH):
    """Encoder ids, decoder inputs and decoder targets for teacher forcing.

    Args:
        numbers: integers in [1, 3999].

    Returns:
        ``(source (N, S), decoder_input (N, T), decoder_target (N, T))`` int64 arrays, right-padded
        with 0: the source holds the digits; the decoder input is ``<start>`` followed by the Roman
        letters, the target is the letters followed by ``<stop>`` (the input shifted by one).

    Example:
        >>> src, dec_in, dec_out = nt.data.numerals.numeral_pairs([14, 2024])
        >>> src.shape, dec_in.shape, dec_out.shape  # teacher forcing: dec_in is dec_out shifted right
        ((2, 4), (2, 16), (2, 16))
    """
    arr = _numbers("numeral_pairs", numbers)
    src = encode_numbers(arr, source_length)
    tgt_in = np.zeros((arr.size, target_length), dtype=np.int64)
    tgt_out = np.zeros((arr.size, target_length), dtype=np.int64)
    for i, n in enumerate(arr.tolist()):
        letters = [ROMAN_VOCAB.ids[c] for c in to_roman(n)]
        if len(letters) + 1 > target_length:
            raise ValueError(f"numeral_pairs: {n} = {to_roman(n)} needs target_length >= {len(letters) + 1}, "
                             f"received {target_length}")
        tgt_in[i, :len(letters) + 1] = [START_ID, *letters]
        tgt_out[i, :len(letters) + 1] = [*letters, STOP_ID]
    return src, tgt_in, tgt_out


def numerals_split(test_fraction: float = 0.2, seed: int = 0, validation_fraction: float = 0.1) -> dict:
    """Split the numbers 1–3999 at random into disjoint train / validation / test sets.

    Held-out numbers are never seen in training, so exact match on them measures whether the
    model learned the rule rather than memorised the pairs.

    Returns:
        ``{"train", "validation", "test"}``: sorted int64 arrays of numbers.

    Example:
        >>> split = nt.data.numerals.numerals_split(test_fraction=0.2, seed=0)
        >>> sorted(split), sum(len(v) for v in split.values())
        (['test', 'train', 'validation'], 3999)
    """
    for name, v in (("test_fraction", test_fraction), ("validation_fraction", validation_fraction)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v < 1:
            raise ValueError(f"numerals_split: {name} must be a fraction in [0, 1), received {v!r}")
    if test_fraction + validation_fraction >= 1:
        raise ValueError(f"numerals_split: test_fraction + validation_fraction must be below 1, received "
                         f"{test_fraction} + {validation_fraction}")
    order = np.random.default_rng(seed).permutation(np.arange(1, MAX_NUMBER + 1))
    n_test = int(round(MAX_NUMBER * test_fraction))
    n_val = int(round(MAX_NUMBER * validation_fraction))
    return {"test": np.sort(order[:n_test]), "validation": np.sort(order[n_test:n_test + n_val]),
            "train": np.sort(order[n_test + n_val:])}
