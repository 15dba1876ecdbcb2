"""The live progress bar: each epoch ends with one full line, whatever the terminal's width."""
import io
import os
import shutil

import numpy as np
import pytest

import neuronet as nt
from neuronet.train import ProgressBar

pytest.importorskip("tqdm")


class Terminal(io.StringIO):
    def isatty(self):
        return True


def fit_on_terminal(monkeypatch, columns):
    monkeypatch.setattr(shutil, "get_terminal_size", lambda *a, **k: os.terminal_size((columns, 24)))
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 4)).astype(np.float32), np.arange(64) % 2
    model = nt.Sequential([nt.nn.Dense(8, activation="relu"), nt.nn.Dense(2)])
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    stream = Terminal()
    bar = ProgressBar(verbose=1, stream=stream)
    model.fit(x, y, epochs=2, batch_size=16, verbose=0, validation_split=0.25, callbacks=[bar])
    return stream.getvalue()


@pytest.mark.parametrize("columns", [30, 0])
def test_every_metric_reaches_the_screen_at_the_end_of_an_epoch(monkeypatch, columns):
    text = fit_on_terminal(monkeypatch, columns)
    finals = [line for line in text.replace("\r", "\n").splitlines() if line.startswith("Epoch 2/2 - ")]
    assert len(finals) == 1
    for name in ("loss:", "accuracy:", "val_loss:", "val_accuracy:", "samples/s"):
        assert name in finals[0], finals[0]
    assert "\n\n" not in text     # a width read as 0 must not print empty lines
