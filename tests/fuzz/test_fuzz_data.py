"""Fuzzing ``neuronet.data`` outside the loaders: transforms (augmentation), splits and cross-validation,
text (tokenize, Vocabulary, Tokenizer, pad_sequences, sequence_mask), the toy data sets and the Roman
numerals.  Random sizes (0 included), dtypes, edge values and arguments give a result of the promised
shape (finite where the data is) or a ValueError/TypeError naming the function or class."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import neuronet as nt
from neuronet.data import numerals, splits, text, toy, transforms

from ._common import REALS, attempt, failed, finite, real_arrays

_TRANSFORMS = {
    "RandomHorizontalFlip": lambda d: transforms.RandomHorizontalFlip(d.draw(st.sampled_from([0.5, 1.0, 0.0, -1, 2, "a"]))),
    "RandomVerticalFlip": lambda d: transforms.RandomVerticalFlip(d.draw(st.sampled_from([0.5, 1.0, -1]))),
    "RandomCrop": lambda d: transforms.RandomCrop(d.draw(st.sampled_from([2, 4, 5, (2, 3), 0, -1, 2.5])),
                                                  padding=d.draw(st.sampled_from([0, 1, -1, 10]))),
    "RandomRotation": lambda d: transforms.RandomRotation(d.draw(st.sampled_from([10, 0, -5, 360, float("nan"), "a"]))),
    "RandomZoom": lambda d: transforms.RandomZoom(d.draw(st.sampled_from([0.1, (0.5, 2.0), -1.0, 2.0, (2.0, 0.5)]))),
    "RandomTranslation": lambda d: transforms.RandomTranslation(d.draw(st.sampled_from([0.1, 0.5, -0.1, 2.0]))),
    "GaussianNoise": lambda d: transforms.GaussianNoise(d.draw(st.sampled_from([0.1, 0.0, -1.0, float("inf")]))),
    "Normalize": lambda d: transforms.Normalize(d.draw(st.sampled_from([0.5, [0.5, 0.5, 0.5], [0.1]])),
                                                d.draw(st.sampled_from([0.2, 0.0, [1, 1, 1], -1.0]))),
}


def test_every_transform_is_fuzzed():
    names = {n for n in transforms.__all__ if n not in ("BatchTransform", "Compose")}
    assert names - set(_TRANSFORMS) == set()


@pytest.mark.parametrize("name", sorted(_TRANSFORMS))
@given(data=st.data())
def test_transforms(name, data):
    """A batch of images of any size (empty batches and 1x1 images included) and dtype: an array of the
    same batch size, finite for finite data, or a named error from the constructor or the call."""
    nt.manual_seed(0)
    shape = data.draw(st.sampled_from([(0, 1, 4, 4), (2, 1, 4, 4), (2, 3, 1, 1), (2, 4, 4), (2,), (2, 1, 0, 4),
                                       (1, 1, 5, 7), (2, 3, 8, 8)]))
    x = data.draw(real_arrays(shape=shape, dtypes=REALS, bound=1e6))
    t = attempt(_TRANSFORMS[name], data, names=(name,))
    if failed(t):
        return
    y = attempt(t, x, names=(name, type(t).__name__))
    if failed(y):
        return
    y = np.asarray(y.data if isinstance(y, nt.Tensor) else y)
    assert y.shape[0] == x.shape[0]
    if x.dtype.kind in "iuf" and np.isfinite(x.astype(np.float64)).all() and name != "Normalize":
        assert finite(y), f"{name} of finite {x!r} gave {y!r}"


@given(data=st.data())
def test_splits(data):
    """train_test_split/holdout and the cross-validation splitters on 0..10 samples with any test size
    and fold count: disjoint index sets covering the data, or a named error."""
    n = data.draw(st.integers(0, 10))
    x = np.arange(2 * n, dtype=np.float32).reshape(n, 2)
    y = np.asarray(data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)), np.int64)
    size = data.draw(st.sampled_from([0.25, 0, 1, 1.5, -0.1, 3, 0.0, float("nan"), "a", None]))
    r = attempt(splits.train_test_split, x, y, test_size=size, shuffle=data.draw(st.booleans()),
                stratify=data.draw(st.sampled_from([None, y, y[:max(n - 1, 0)]])), names=("train_test_split",))
    if not failed(r):
        x_tr, x_te, y_tr, y_te = r
        assert len(x_tr) + len(x_te) == n and len(y_tr) == len(x_tr)
        assert sorted(np.concatenate([x_tr[:, 0], x_te[:, 0]]).tolist()) == x[:, 0].tolist()
    k = data.draw(st.sampled_from([2, 3, 1, 0, 11, 2.5, -1]))
    for name, splitter, args in [("KFold", lambda: splits.KFold(k, shuffle=data.draw(st.booleans())), (x,)),
                                 ("StratifiedKFold", lambda: splits.StratifiedKFold(k), (x, y)),
                                 ("TimeSeriesSplit", lambda: splits.TimeSeriesSplit(k), (x,))]:
        folds = attempt(lambda: list(splitter().split(*args)), names=(name, "KFold"))
        if failed(folds):
            continue
        for train, test in folds:
            assert not set(np.asarray(train).tolist()) & set(np.asarray(test).tolist())


_TEXTS = st.one_of(st.lists(st.text(max_size=20), max_size=4), st.text(max_size=20),
                   st.sampled_from([[b"bytes"], [None], [1, 2], [["nested"]], ["a" * 5000], []]))


@given(texts=_TEXTS, num_words=st.sampled_from([None, 0, 1, 3, 5, -1, 2.5]), data=st.data())
def test_text(texts, num_words, data):
    """Any strings (unicode, control characters, empty) or non-strings through tokenize, Tokenizer and
    pad_sequences: integer ids within the vocabulary, or a named error."""
    if isinstance(texts, str):
        attempt(text.tokenize, texts, names=("tokenize",))
        texts = [texts]
    tok = attempt(text.Tokenizer, num_words=num_words, names=("Tokenizer", "Vocabulary"))
    if failed(tok):
        return
    if failed(attempt(tok.fit_on_texts, texts, names=("Tokenizer", "Vocabulary", "tokenize"))):
        return
    seqs = attempt(tok.texts_to_sequences, texts, names=("Tokenizer", "Vocabulary", "tokenize"))
    if failed(seqs):
        return
    padded = attempt(text.pad_sequences, seqs, maxlen=data.draw(st.sampled_from([None, 0, 2, -1, 2.5])),
                     padding=data.draw(st.sampled_from(["pre", "post", "x"])),
                     truncating=data.draw(st.sampled_from(["pre", "post", "x"])),
                     value=data.draw(st.sampled_from([0, -1, 1.5, "a", 2 ** 70])), names=("pad_sequences",))
    if not failed(padded):
        ids, lengths = padded
        assert ids.shape[0] == len(seqs) == lengths.shape[0]
        mask = attempt(text.sequence_mask, lengths, data.draw(st.sampled_from([None, 0, 2, -1])), names=("sequence_mask",))
        assert failed(mask) or mask.shape[0] == len(seqs)


@given(seqs=st.lists(st.one_of(st.lists(st.integers(-3, 2 ** 70), max_size=4), st.just([1.5]), st.just(["a"])), max_size=3))
def test_pad_sequences_of_anything(seqs):
    attempt(text.pad_sequences, seqs, names=("pad_sequences",))


@given(n=st.sampled_from([0, 1, 10, -1, 2.5, True]), noise=st.sampled_from([0.0, 0.1, -1.0, float("nan"), float("inf")]),
       data=st.data())
def test_toy_data_sets(n, noise, data):
    """The toy generators: n samples of finite float32 features and int64 labels, or a named error."""
    for fn in (toy.two_spirals, toy.moons, toy.circles):
        r = attempt(fn, n, noise=noise, names=(fn.__name__,))
        if not failed(r):
            x, y = r
            assert x.shape[0] == y.shape[0] == n and finite(x) and x.dtype == np.float32
    r = attempt(toy.sine_sequences, n, data.draw(st.sampled_from([0, 1, 10, -1])), noise=noise, names=("sine_sequences",))
    if not failed(r):
        assert finite(r[0])
    attempt(toy.xor, names=("xor",))
    attempt(toy.logic_gate, data.draw(st.sampled_from(["and", "or", "xor", "nand", "bogus", 1])), names=("logic_gate",))


@given(value=st.one_of(st.integers(-5, 5000), st.sampled_from([2.5, "x", True, None])),
       roman=st.one_of(st.text(alphabet="IVXLCDMivx\x00 ", max_size=8), st.sampled_from([5, None, "MMMM", "IIII"])))
def test_roman_numerals(value, roman):
    """to_roman/from_roman round trip on 1..3999, named errors elsewhere."""
    r = attempt(numerals.to_roman, value, names=("to_roman",))
    if not failed(r):
        assert numerals.from_roman(r) == value
    attempt(numerals.from_roman, roman, names=("from_roman",))
    attempt(numerals.encode_numbers, [value] if not isinstance(value, str) else value, names=("encode_numbers",))


# --- the defects the fuzzing found ----------------------------------------------------------------------
@pytest.mark.parametrize("fn", [toy.two_spirals, toy.moons, toy.circles, lambda n, noise: toy.sine_sequences(n, 5, noise=noise)])
def test_negative_noise_is_named(fn):
    """Was: NumPy's ValueError 'scale < 0', naming no generator."""
    with pytest.raises(ValueError, match=r"^\w+: noise must be a finite number >= 0"):
        fn(10, noise=-1.0)


def test_pad_sequences_with_a_value_that_is_no_id():
    """Was: NumPy's \"invalid literal for int() with base 10: 'a'\"."""
    with pytest.raises(ValueError, match="^pad_sequences: cannot pad with value 'a'"):
        text.pad_sequences([[1, 2], [3]], value="a")


@pytest.mark.parametrize("make", [lambda: transforms.GaussianNoise(float("inf")), lambda: transforms.RandomRotation(float("inf")),
                                  lambda: transforms.Normalize(0.0, float("inf"))])
def test_infinite_transform_arguments_are_refused(make):
    """Was: GaussianNoise(std=inf) accepted, and turned every pixel into ±inf."""
    with pytest.raises(ValueError, match="must be a finite number"):
        make()
