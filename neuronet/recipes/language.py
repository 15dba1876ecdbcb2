"""Language-model recipe ``shakespeare-lstm``: a character LSTM trained by truncated BPTT on Shakespeare.

The text (42 works, 5.06 M characters) is split by position: the last 5% of the characters is the
test part, the 5% before it the validation part, the rest the training part.  Each part is cut at
blank lines into pieces (speeches, stage directions, headings) and every piece is wrapped
``<start> … <stop>``, so one blank line becomes ``<stop><start>``.  The character vocabulary comes
from the training part only (case kept; unseen characters become ``<unk>``).

Training reads the training stream as 64 lanes of consecutive 100-character chunks (truncated
BPTT, :mod:`neuronet.data.tbptt`) with a stateful LSTM, states reset at every epoch start.  Losses
are nats per token of the stream, the ``<start>``/``<stop>`` markers included (1.5% of the
training tokens, 1.9% of the validation tokens; ``<start>`` after ``<stop>`` costs almost nothing).
"""
from __future__ import annotations

import functools
import os

from ..backend import np
from ..data.datasets import load_shakespeare
from ..data.tbptt import TBPTTLoader, tbptt_arrays
from ..data.text import PAD, START, STOP, Vocabulary
from ..models.char_lm import START_ID, CharLSTMLanguageModel, sequence_cross_entropy
from ..train.callbacks import LearningRateScheduler, ResetStatesOnEpoch, reset_states
from .registry import Recipe, register

__all__ = ["split_pieces", "encode_pieces", "decode_ids", "shakespeare_splits", "shakespeare_data",
           "stream_loss", "language_model_report", "LM_LANES", "LM_BPTT_STEPS",
           "LM_VALIDATION_FRACTION", "LM_TEST_FRACTION"]

LM_LANES = 64           # parallel lanes = batch size
LM_BPTT_STEPS = 100     # characters per chunk: how far back the gradient flows
LM_VALIDATION_FRACTION = LM_TEST_FRACTION = 0.05   # of the characters, at the end of the text


def split_pieces(text: str) -> list:
    """The text cut at blank lines into non-empty pieces (speeches, headings, stage directions)."""
    return [p.strip("\n") for p in text.split("\n\n") if p.strip()]


def encode_pieces(pieces, vocabulary: Vocabulary):
    """One int64 stream ``<start> piece <stop> <start> piece <stop> …`` (characters, case kept)."""
    if not vocabulary.start_stop:
        raise ValueError("encode_pieces: the vocabulary must reserve <start>/<stop> (start_stop=True)")
    ids = []
    for p in pieces:
        ids.extend(vocabulary.encode(list(p)))
    return np.asarray(ids, dtype=np.int64)


def decode_ids(ids, vocabulary: Vocabulary) -> str:
    """Ids back to text: ``<stop>`` becomes a blank line, ``<start>`` and ``<pad>`` vanish."""
    parts = []
    for i in ids:
        token = vocabulary.tokens[int(i)]
        parts.append("\n\n" if token == STOP else "" if token in (START, PAD) else token)
    return "".join(parts)


def shakespeare_splits(text: str | None = None, validation: float = LM_VALIDATION_FRACTION,
                       test: float = LM_TEST_FRACTION) -> dict:
    """Train/validation/test token streams split by position in the text, and the vocabulary.

    Args:
        text: the corpus (default: ``load_shakespeare()``).
        validation, test: fractions of the characters; the test part is the end of the text, the
            validation part just before it.

    Returns:
        ``{"train", "validation", "test"}`` int64 id streams and ``"vocabulary"`` (built from the
        training characters, ``<pad> <unk> <start> <stop>`` reserved).
    """
    if not (0 < validation < 1 and 0 < test < 1 and validation + test < 1):
        raise ValueError(f"shakespeare_splits: validation and test must be fractions with a sum below 1, "
                         f"received {validation}, {test}")
    text = load_shakespeare() if text is None else text
    cut_test = int(len(text) * (1 - test))
    cut_val = int(len(text) * (1 - test - validation))
    parts = {"train": text[:cut_val], "validation": text[cut_val:cut_test], "test": text[cut_test:]}
    vocabulary = Vocabulary.build([parts["train"]], start_stop=True)
    out = {name: encode_pieces(split_pieces(part), vocabulary) for name, part in parts.items()}
    out["vocabulary"] = vocabulary
    return out


@functools.lru_cache(maxsize=1)
def _cached_splits() -> dict:
    return shakespeare_splits()


def shakespeare_data(splits: dict | None = None, lanes: int = LM_LANES, bptt_steps: int = LM_BPTT_STEPS,
                     test_lanes: int = LM_LANES) -> dict:
    """The recipe data: truncated-BPTT arrays of the training and test streams.

    ``x_train``/``y_train`` are :func:`tbptt_arrays` with ``lanes`` lanes (fit them with
    ``batch_size=lanes, shuffle=False``); ``x_test``/``y_test`` have ``test_lanes`` lanes so that
    evaluating them in batches of ``test_lanes`` carries each lane's state from chunk to chunk.
    The dict also holds the id streams (``"validation_ids"``, ``"test_ids"``) and ``"vocabulary"``.
    """
    splits = _cached_splits() if splits is None else splits
    x_train, y_train = tbptt_arrays(splits["train"], lanes, bptt_steps)
    x_test, y_test = tbptt_arrays(splits["test"], test_lanes, bptt_steps)
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test, "class_names": None,
            "validation_ids": splits["validation"], "test_ids": splits["test"],
            "vocabulary": splits["vocabulary"], "lanes": lanes, "bptt_steps": bptt_steps,
            "validation_fraction": LM_VALIDATION_FRACTION, "test_fraction": LM_TEST_FRACTION}


class _ValidationStream:
    """The validation stream of the cached splits as a TBPTT loader, built on first iteration."""

    def __iter__(self):
        return iter(TBPTTLoader(_cached_splits()["validation"], LM_LANES, LM_BPTT_STEPS))


def stream_loss(model, ids, lanes: int, bptt_steps: int) -> float:
    """Mean loss in nats per token over a whole stream read in ``lanes`` lanes with carried states."""
    reset_states(model)
    loss = model.evaluate(TBPTTLoader(ids, lanes, bptt_steps))["loss"]
    reset_states(model)
    return float(loss)


def language_model_report(model, data: dict, out_dir: str, length: int = 500, temperature: float = 0.8) -> dict:
    """Validation and test loss (nats/char, whole streams, 64 lanes) and a sample written to ``sample.txt``."""
    lanes, steps = data["lanes"], data["bptt_steps"]
    val = stream_loss(model, data["validation_ids"], lanes, steps)
    test = stream_loss(model, data["test_ids"], lanes, steps)
    ids = model.generate(prime=[START_ID], length=length, temperature=temperature, stop_id=None)
    sample = decode_ids(ids, data["vocabulary"])
    path = os.path.join(out_dir, "sample.txt")
    with open(path, "w") as f:
        f.write(sample)
    return {"validation_nats_per_char": round(val, 4), "test_nats_per_char": round(test, 4),
            "sample_path": path, "sample_start": sample[:300]}


def _model():
    vocabulary = _cached_splits()["vocabulary"]
    return CharLSTMLanguageModel(len(vocabulary), embedding_dim=64, units=512, num_layers=1, dropout=0.0,
                                 stateful=True)


register(Recipe(
    name="shakespeare-lstm",
    description="character LSTM language model on Shakespeare (last 5% test, previous 5% validation, "
                "pieces between blank lines wrapped <start>...<stop>): embedding 64 -> LSTM 512 -> dense; "
                "truncated BPTT over 64 lanes x 100 characters with a stateful LSTM (states reset each epoch); "
                "Adam lr 3e-3 in epoch 1, lr/3 in epoch 2, 2 epochs over the whole training part (4.54 M tokens each)",
    data=shakespeare_data, model=_model, loss=sequence_cross_entropy, metrics=[],
    optimizer="adam", lr=3e-3, epochs=2, batch_size=LM_LANES, validation_split=0.0,
    target="<= 1.6 nats/char validation loss",
    callbacks=lambda epochs, lr: [ResetStatesOnEpoch(), LearningRateScheduler(lambda epoch: lr if epoch == 0 else lr / 3)],
    fit_options={"shuffle": False, "validation_data": _ValidationStream()}, eval_batch_size=LM_LANES,
    report=language_model_report,
    kind="characters", dataset="shakespeare", train_time="642 s (one shared core)",
    reported="1.51 nats/char validation, 1.44 test"))
