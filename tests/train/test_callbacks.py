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
    # noisy labels, few samples and a large step: the validation loss goes up and down, and its
    # minimum is not at the last epoch (seed 0: lowest at epoch 6 of 8)
    x, y = blobs(80)
    rng = np.random.default_rng(1)
    y = np.where(rng.random(80) < 0.3, rng.integers(0, 3, 80), y)
    model = compiled(lr=0.5)
    val_loss, weights = [], []

    def record(epoch, logs):
        val_loss.append(logs["val_loss"])
        weights.append({k: v.copy() for k, v in model.state_dict().items()})

    per_epoch = tmp_path / "per-epoch" / "best-{epoch:02d}.safetensors"
    single = tmp_path / "best.safetensors"
    model.fit(x, y, epochs=8, batch_size=8, verbose=0, validation_split=0.5,
              callbacks=[LambdaCallback(on_epoch_end=record),
                         ModelCheckpoint(str(per_epoch), monitor="val_loss", save_best_only=True),
                         ModelCheckpoint(str(single), monitor="val_loss", save_best_only=True)])
    best = int(np.argmin(val_loss))
    improved = [e for e in range(8) if val_loss[e] < min(val_loss[:e], default=np.inf)]
    assert best != 7 and len(improved) < 8          # the data does its job: not every epoch is an improvement
    # one file per improvement of the running minimum, holding that epoch's weights
    files = sorted(p.name for p in per_epoch.parent.iterdir())
    assert files == [f"best-{e + 1:02d}.safetensors" for e in improved]
    for e in improved:
        saved = nt.load_model(per_epoch.parent / f"best-{e + 1:02d}.safetensors").state_dict()
        for k, v in weights[e].items():
            np.testing.assert_array_equal(saved[k], v, err_msg=f"epoch {e}: {k}")
    # the single file was last written at the best epoch: it holds those weights, not the final ones
    loaded = nt.load_model(single)
    for k, v in weights[best].items():
        np.testing.assert_array_equal(loaded.state_dict()[k], v, err_msg=k)
    assert not np.array_equal(loaded.state_dict()["0.weight"], model.state_dict()["0.weight"])
    assert loaded.evaluate(x[40:], y[40:])["loss"] == pytest.approx(val_loss[best], rel=1e-5)


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
    hist = model.history.history
    with open(tmp_path / "log.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["0", "1"] and {"loss", "accuracy"} <= set(rows[0])
    for key in ("loss", "accuracy"):                # the logged numbers are the history's
        assert [float(r[key]) for r in rows] == pytest.approx(hist[key], rel=1e-6)


def test_progress_lines_when_not_a_terminal(capsys):
    x, y = blobs(64)
    model = compiled()
    model.fit(x, y, epochs=2, verbose=1)
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 2 and out[0].startswith("Epoch 1/2 - loss:") and "samples/s" in out[0]
