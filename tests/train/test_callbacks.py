"""Callbacks: early stopping, checkpoints, schedules, NaN termination, CSV logging."""
import csv
import math

import numpy as np
import pytest

import neuronet as nt
from neuronet.train import (CSVLogger, EarlyStopping, LambdaCallback, LearningRateScheduler, ModelCheckpoint,
                            ReduceLROnPlateau, TerminateOnNaN)
from tests.train.test_model import blobs, small_model


def compiled(lr=0.05, optimizer="sgd"):
    model = small_model()
    model.compile(optimizer=optimizer, loss="cross_entropy", metrics=["accuracy"], learning_rate=lr)
    return model


def test_early_stopping_stops_and_restores_best():
    x, y = blobs()
    model = compiled()
    seen = []
    # a monitored value that improves twice and then gets worse every epoch
    fake = iter([3.0, 2.0, 1.0, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5])
    weights_at = {}

    def inject(epoch, logs):
        logs["score"] = next(fake)
        weights_at[epoch] = model[0].weight.data.copy()
        seen.append(epoch)

    stop = EarlyStopping(monitor="score", patience=2, restore_best_weights=True)
    model.fit(x, y, epochs=10, verbose=0, callbacks=[LambdaCallback(on_epoch_end=inject), stop])
    assert seen == [0, 1, 2, 3, 4]  # best at epoch 2, then 2 epochs without improvement
    assert stop.stopped_epoch == 4 and stop.best_epoch == 2
    np.testing.assert_array_equal(model[0].weight.data, weights_at[2])


def test_model_checkpoint_best_only(tmp_path):
    x, y = blobs()
    model = compiled()
    path = tmp_path / "best-{epoch:02d}.safetensors"
    model.fit(x, y, epochs=3, verbose=0, validation_split=0.2,
              callbacks=[ModelCheckpoint(str(path), monitor="val_loss", save_best_only=True)])
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files and all(f.startswith("best-") and f.endswith(".safetensors") for f in files)
    loaded = nt.load_model(tmp_path / files[-1])
    assert loaded.predict(x[:5]).shape == (5, 3)


def test_learning_rate_scheduler_keras_callable():
    x, y = blobs(64)
    model = compiled(lr=0.1)
    hist = model.fit(x, y, epochs=3, verbose=0, callbacks=[LearningRateScheduler(lambda epoch, lr: lr * 0.5)])
    assert hist.history["lr"] == pytest.approx([0.05, 0.025, 0.0125])


def test_reduce_lr_on_plateau():
    x, y = blobs(64)
    model = compiled(lr=0.1)
    hist = model.fit(x, y, epochs=4, verbose=0,
                     callbacks=[LambdaCallback(on_epoch_end=lambda e, logs: logs.update(flat=1.0)),
                                ReduceLROnPlateau(monitor="flat", factor=0.5, patience=1)])
    assert hist.history["lr"] == pytest.approx([0.1, 0.1, 0.05, 0.025])  # the rate each epoch trained with


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_terminate_on_nan():
    x, y = blobs()
    x = x * 1e30
    model = compiled(lr=1e10)
    hist = model.fit(x, y, epochs=5, verbose=0, callbacks=[TerminateOnNaN()])
    assert len(hist.history["loss"]) == 1 and not math.isfinite(hist.history["loss"][0])


def test_csv_logger(tmp_path):
    x, y = blobs(64)
    model = compiled()
    model.fit(x, y, epochs=2, verbose=0, callbacks=[CSVLogger(tmp_path / "log.csv")])
    rows = list(csv.DictReader(open(tmp_path / "log.csv")))
    assert [r["epoch"] for r in rows] == ["0", "1"] and {"loss", "accuracy"} <= set(rows[0])


def test_progress_lines_when_not_a_terminal(capsys):
    x, y = blobs(64)
    model = compiled()
    model.fit(x, y, epochs=2, verbose=1)
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 2 and out[0].startswith("Epoch 1/2 - loss:") and "samples/s" in out[0]
