"""The shakespeare-lstm recipe: splits by position, <start>/<stop> pieces, TBPTT data, a short learning run."""
import os

import numpy as np
import pytest

import neuronet as nt
from neuronet.data.tbptt import TBPTTLoader
from neuronet.train.callbacks import ResetStatesOnEpoch
from neuronet.models import START_ID, STOP_ID, CharLSTMLanguageModel, sequence_cross_entropy
from neuronet.recipes import get_recipe
from neuronet.recipes import language as lang
from tests.data.conftest import ensure_dataset, small_splits  # noqa: F401  (fixtures: the data, fetched when missing)

TOY = "ALPHA.\nTo be, or not.\n\nBETA.\nThat is all.\n\n\nGAMMA.\nZz!"


def test_pieces_are_wrapped_in_start_and_stop_and_decode_back():
    pieces = lang.split_pieces(TOY)
    assert pieces == ["ALPHA.\nTo be, or not.", "BETA.\nThat is all.", "GAMMA.\nZz!"]
    splits = lang.shakespeare_splits(TOY * 20, validation=0.1, test=0.1)
    vocab = splits["vocabulary"]
    ids = lang.encode_pieces(pieces, vocab)
    assert ids[0] == START_ID and ids[-1] == STOP_ID and (ids == START_ID).sum() == 3 == (ids == STOP_ID).sum()
    assert lang.decode_ids(ids, vocab) == "\n\n".join(pieces) + "\n\n"


def test_split_by_position_and_vocabulary_from_training_part_only():
    text = "abc abc\n\nabc\n\n" * 45 + "xyz\n\nq"
    splits = lang.shakespeare_splits(text, validation=0.05, test=0.05)
    vocab = splits["vocabulary"]
    assert "x" not in vocab and "a" in vocab and "\n" in vocab
    cut = int(len(text) * 0.95)
    assert lang.decode_ids(splits["test"], vocab).replace("<unk>", "?") == \
        "".join(c if c in vocab.ids else "?" for c in text[cut:]).strip("\n") + "\n\n"
    assert sum(len(splits[k]) for k in ("train", "validation", "test")) > len(text) * 0.9
    with pytest.raises(ValueError, match="shakespeare_splits"):
        lang.shakespeare_splits(text, validation=0.6, test=0.5)


def test_recipe_is_registered_for_stateful_tbptt():
    recipe = get_recipe("shakespeare-lstm")
    assert recipe.loss is sequence_cross_entropy and recipe.batch_size == lang.LM_LANES
    assert recipe.fit_options["shuffle"] is False and recipe.validation_split == 0.0
    assert any(isinstance(c, ResetStatesOnEpoch) for c in recipe.callbacks(2, 2e-3))


def test_data_arrays_are_tbptt_batches(small_splits):
    data = lang.shakespeare_data(small_splits, lanes=8, bptt_steps=20, test_lanes=5)
    x, y = data["x_train"], data["y_train"]
    assert x.shape[1] == 20 and x.shape[0] % 8 == 0 and x.dtype == np.int64
    assert (x[8:, 0] == y[:-8, -1]).all()           # row i of batch k+1 continues row i of batch k
    assert data["x_test"].shape[0] % 5 == 0 and data["vocabulary"].start_stop


def test_short_training_learns_and_reports(small_splits, tmp_path):
    nt.manual_seed(0)
    data = lang.shakespeare_data(small_splits, lanes=16, bptt_steps=50, test_lanes=4)
    vocab = data["vocabulary"]
    model = CharLSTMLanguageModel(len(vocab), embedding_dim=16, units=64, stateful=True)
    model.compile(optimizer="adam", loss=sequence_cross_entropy, learning_rate=1e-2)
    before = lang.stream_loss(model, data["validation_ids"], 16, 50)
    model.fit(data["x_train"], data["y_train"], batch_size=16, shuffle=False, epochs=2, verbose=0,
              callbacks=[ResetStatesOnEpoch()], validation_data=TBPTTLoader(data["validation_ids"], 16, 50))
    report = lang.language_model_report(model, data, str(tmp_path), length=120)
    assert before > 4.0                              # ~ln(vocabulary size) untrained
    assert report["validation_nats_per_char"] < 2.4  # measured 2.04; unigram entropy of the characters 3.40
    assert report["test_nats_per_char"] < 2.5      # measured 2.06
    sample = open(report["sample_path"]).read()
    assert os.path.basename(report["sample_path"]) == "sample.txt" and sample.startswith(report["sample_start"])
    assert 80 <= len(sample) <= 240 and " " in sample
