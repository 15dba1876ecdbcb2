"""Sequence recipes: registration, the padding-aware text classifier, and quick learning runs on real data."""
import numpy as np
import pytest

import neuronet as nt
import neuronet.recipes.sequence as seq
from neuronet.recipes import get_recipe
from tests.data.conftest import ensure_dataset  # noqa: F401  (fixture: fetch the data when missing)
from tests.helpers import assert_close


def test_recipes_are_registered():
    assert get_recipe("rt-sentiment-lstm").loss == "cross_entropy"
    sun = get_recipe("sunspots-lstm")
    assert sun.loss == "mse" and "rmse" in sun.metrics


def test_text_classifier_ignores_padding():
    nt.manual_seed(0)
    model = seq.TextLSTMClassifier(20, 3, embedding_dim=4, units=5)
    model.eval()
    short = np.array([[3, 7, 2, 0, 0], [5, 0, 0, 0, 0]], dtype=np.int64)
    longer = np.concatenate([short, np.zeros((2, 4), dtype=np.int64)], axis=1)
    a = model(nt.tensor(short)).numpy()
    b = model(nt.tensor(longer)).numpy()
    assert_close(a, b, rtol=1e-6)
    alone = model(nt.tensor(np.array([[5]], dtype=np.int64))).numpy()
    assert_close(a[1:], alone, rtol=1e-6)


def test_text_classifier_rejects_float_input():
    model = seq.TextLSTMClassifier(20, 2, embedding_dim=4, units=3, bidirectional=False)
    with pytest.raises(ValueError, match="TextLSTMClassifier"):
        model(nt.tensor(np.zeros((2, 3), dtype=np.float32)))


def test_text_classifier_saves_and_loads(tmp_path):
    nt.manual_seed(0)
    model = seq.TextLSTMClassifier(20, 2, embedding_dim=4, units=3, bidirectional=False)
    model.compile(optimizer="adam", loss="cross_entropy")
    ids = np.array([[4, 9, 1, 0], [7, 0, 0, 0]], dtype=np.int64)
    model.fit(ids, np.array([1, 0]), epochs=1, batch_size=2, verbose=0)
    model.save(tmp_path / "text.safetensors")
    again = nt.load_model(tmp_path / "text.safetensors")
    assert isinstance(again, seq.TextLSTMClassifier) and again.lstm.bidirectional is False
    assert_close(again.predict(ids), model.predict(ids), rtol=1e-6)


@pytest.fixture(scope="module")
def sentiment(ensure_dataset):
    ensure_dataset("rotten-tomatoes")
    return seq.sentiment_data(num_words=3000, maxlen=24, limit=3000)


def test_sentiment_vocabulary_comes_from_the_training_split(sentiment):
    tok = sentiment["tokenizer"]
    assert tok.vocab_size == 3000 and sentiment["x_train"].shape == (3000, 24)
    assert sentiment["x_test"].dtype == np.int64 and sentiment["x_test"].shape[0] == 2562
    assert (sentiment["x_train"] < 3000).all() and (sentiment["x_train"][:, 0] > 0).all()


def test_sentiment_lstm_learns_on_a_subset(sentiment):
    nt.manual_seed(0)
    model = seq.TextLSTMClassifier(3000, 2, embedding_dim=32, units=32)
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"], learning_rate=3e-3)
    model.fit(sentiment["x_train"], sentiment["y_train"], epochs=4, batch_size=64, verbose=0)
    majority = max(sentiment["y_test"].mean(), 1 - sentiment["y_test"].mean())
    accuracy = model.evaluate(sentiment["x_test"], sentiment["y_test"], batch_size=1000)["accuracy"]
    assert accuracy > majority + 0.06, (accuracy, majority)


@pytest.fixture(scope="module")
def sunspots(ensure_dataset):
    ensure_dataset("timeseries")
    return seq.sunspots_data()


def test_sunspots_split_uses_training_statistics_only(sunspots):
    raw, _ = nt.data.load_sunspots()
    cut = int(round(raw.size * 0.8))
    assert_close(sunspots["mean"], float(raw[:cut].mean()), rtol=1e-6)
    assert sunspots["x_train"].shape[1:] == (seq.SUNSPOT_WINDOW, 1) and sunspots["y_train"].shape[1] == 1
    assert sunspots["x_train"].shape[0] + seq.SUNSPOT_WINDOW == cut
    assert sunspots["x_test"].shape[0] == raw.size - cut
    # the first test target is the first month after the cut
    assert_close(sunspots["y_test"][0, 0] * sunspots["std"] + sunspots["mean"], raw[cut], rtol=1e-5)


def test_sunspots_lstm_learns_close_to_persistence(sunspots):
    nt.manual_seed(0)
    model = nt.Sequential([nt.nn.LSTM(16), nt.nn.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["rmse"], learning_rate=3e-3)
    model.fit(sunspots["x_train"], sunspots["y_train"], epochs=4, batch_size=32, verbose=0)
    rmse = model.evaluate(sunspots["x_test"], sunspots["y_test"], batch_size=1000)["rmse"]
    predict_mean = float(sunspots["y_test"].std())
    assert rmse < 0.6 * predict_mean and rmse < 1.15 * sunspots["baselines"]["persistence_rmse"], rmse
