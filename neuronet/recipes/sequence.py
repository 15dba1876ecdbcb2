"""Recurrent recipes: LSTM sentiment on Rotten Tomatoes reviews, LSTM forecasting of monthly sunspots.

``rt-sentiment-lstm``: reviews -> word ids (vocabulary of the training split only, right-padded)
-> learned embedding -> bidirectional LSTM that stops at each review's own last word -> 2 logits.
``sunspots-lstm``: the previous ``SUNSPOT_WINDOW`` months (standardised with training statistics)
-> LSTM -> the next month; the last 20% of the series, in time order, is the test part.  Its data
dict carries ``baselines``: the persistence forecast (next = last) on the same scale.
"""
from __future__ import annotations

from ..backend import np
from ..data.datasets import ROTTEN_TOMATOES_CLASSES, load_sunspots, make_windows, rotten_tomatoes_split
from ..data.text import Tokenizer, pad_sequences
from ..models.text_classifier import TextLSTMClassifier
from ..nn import LSTM, Dense
from ..train import Sequential
from .registry import Recipe, register

__all__ = ["TextLSTMClassifier", "sentiment_data", "sunspots_data", "persistence_rmse",
           "SENTIMENT_VOCAB", "SENTIMENT_MAXLEN", "SUNSPOT_WINDOW"]

SENTIMENT_VOCAB = 12_000    # ids kept, reserved <pad>=0 and <unk>=1 included
SENTIMENT_MAXLEN = 48       # tokens per review (longer reviews are cut; 99.4% fit)
SUNSPOT_WINDOW = 24         # months read per forecast


def sentiment_data(num_words: int = SENTIMENT_VOCAB, maxlen: int = SENTIMENT_MAXLEN, limit: int | None = None) -> dict:
    """The Rotten Tomatoes split as padded ids, with the tokenizer fitted on the training texts only.

    Args:
        num_words, maxlen: vocabulary size and padded length.
        limit: keep only the first ``limit`` training reviews (for quick tests); the test part is whole.

    Returns:
        The recipe data dict plus ``"tokenizer"`` and the raw ``"texts_test"``.
    """
    (texts, y_train), (texts_test, y_test) = rotten_tomatoes_split(test_size=0.2, seed=0)
    if limit is not None:
        texts, y_train = texts[:limit], y_train[:limit]
    tok = Tokenizer(num_words=num_words).fit(texts)
    x_train, _ = pad_sequences(tok.texts_to_sequences(texts), maxlen=maxlen)
    x_test, _ = pad_sequences(tok.texts_to_sequences(texts_test), maxlen=maxlen)
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test,
            "class_names": ROTTEN_TOMATOES_CLASSES, "tokenizer": tok, "texts_test": texts_test}


def persistence_rmse(x, y) -> float:
    """RMSE of the persistence forecast "next value = last value of the window" (x (N, W, 1), y (N, 1))."""
    return float(np.sqrt(np.mean((x[:, -1, :] - y) ** 2)))


def sunspots_data(window: int = SUNSPOT_WINDOW, test_fraction: float = 0.2) -> dict:
    """Monthly sunspot windows -> next month, chronological split, standardised with training statistics.

    Returns:
        The recipe data dict (x (N, window, 1) float32, y (N, 1) float32, ``class_names`` None) plus
        ``"mean"``/``"std"`` (to convert back to sunspot numbers) and ``"baselines"``:
        ``{"persistence_rmse": ...}`` on the test part, in standardised units.
    """
    series, _ = load_sunspots(monthly=True)
    cut = int(round(series.size * (1 - test_fraction)))
    mean, std = float(series[:cut].mean()), float(series[:cut].std())
    scaled = ((series - mean) / std).astype(np.float32)
    x_train, y_train = make_windows(scaled[:cut], window)
    x_test, y_test = make_windows(scaled[cut - window:], window)   # test targets are the months after the cut
    y_train, y_test = y_train[:, None], y_test[:, None]
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test, "class_names": None,
            "mean": mean, "std": std, "test_fraction": test_fraction,
            "baselines": {"persistence_rmse": persistence_rmse(x_test, y_test)}}


register(Recipe(
    name="rt-sentiment-lstm",
    description="Rotten Tomatoes fresh/rotten reviews: word ids (12k vocabulary from the training split, "
                "48 tokens) -> embedding 64 -> bidirectional LSTM 64 at each review's length -> dense 2; "
                "dropout 0.5, Adam lr 3e-3, batch 64, 2 epochs (best on a 10% validation split, two seeds)",
    data=sentiment_data, model=lambda: TextLSTMClassifier(SENTIMENT_VOCAB, 2),
    optimizer="adam", lr=3e-3, epochs=2, batch_size=64, validation_split=0.0,
    target=">= 75% test accuracy",
    kind="text", dataset="rotten-tomatoes", train_time="6.3 s", reported="76.5 % test accuracy"))

register(Recipe(
    name="sunspots-lstm",
    description=f"monthly sunspots: the previous {SUNSPOT_WINDOW} months (standardised) -> LSTM 32 -> "
                "dense 1 forecasts the next month; last 20% of 1749-2009 held out; Adam lr 1e-3, batch 32, 20 epochs",
    data=sunspots_data, model=lambda: Sequential([LSTM(32), Dense(1)]),
    loss="mse", metrics=["rmse", "mae"], optimizer="adam", lr=1e-3, epochs=20, batch_size=32,
    validation_split=0.0, target="test RMSE below the persistence forecast's",
    kind="series", dataset="sunspots", train_time="14 s", reported="test RMSE 17.9 sunspots (persistence 19.5)"))
