"""callbacks.TensorBoard: the event files it writes, read back record by record."""
import struct

import numpy as np
import pytest

import neuronet as nt
from tests.helpers import need


def read_events(folder):
    """Every Event in the TFRecord files of ``folder``: 8-byte length, 4-byte CRC, the record, 4-byte CRC."""
    need("tensorboardX")
    from tensorboardX.proto import event_pb2
    events = []
    for path in sorted(folder.glob("events.out.tfevents.*")):
        data = path.read_bytes()
        pos = 0
        while pos < len(data):
            (length,) = struct.unpack("<Q", data[pos:pos + 8])
            events.append(event_pb2.Event.FromString(data[pos + 12:pos + 12 + length]))
            pos += 12 + length + 4
    return events


def scalars(folder):
    out = {}
    for e in read_events(folder):
        for v in e.summary.value:
            if v.HasField("simple_value"):
                out.setdefault(v.tag, []).append((e.step, v.simple_value))
    return out


def _fit(log_dir, epochs=3, **options):
    x, y = nt.data.load_iris()
    model = nt.Sequential([nt.nn.Dense(8, activation="relu"), nt.nn.Dense(3)])
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"], learning_rate=0.01)
    history = model.fit(x, y, epochs=epochs, batch_size=50, validation_split=0.2, verbose=0,
                        callbacks=[nt.callbacks.TensorBoard(log_dir, **options)])
    return model, history


def test_epoch_losses_and_metrics_for_train_and_validation(tmp_path):
    need("tensorboardX")
    _, history = _fit(tmp_path)
    train, val = scalars(tmp_path / "train"), scalars(tmp_path / "validation")
    for name in ("loss", "accuracy"):
        assert [s for s, _ in train[f"epoch_{name}"]] == [0, 1, 2]
        np.testing.assert_allclose([v for _, v in train[f"epoch_{name}"]], history.history[name], rtol=1e-6)
        np.testing.assert_allclose([v for _, v in val[f"epoch_{name}"]], history.history[f"val_{name}"], rtol=1e-6)
    assert "batch_loss" not in train


def test_batch_losses_and_weight_histograms(tmp_path):
    need("tensorboardX")
    model, _ = _fit(tmp_path, epochs=2, update_freq="batch", histogram_freq=1)
    train = scalars(tmp_path / "train")
    assert [s for s, _ in train["batch_loss"]] == list(range(1, 7))      # 120 samples / 50 -> 3 batches per epoch
    histograms = {(v.tag, e.step): v.histo for e in read_events(tmp_path / "train") for v in e.summary.value
                  if v.HasField("histo")}
    names = [n for n, _ in model.named_parameters()]
    assert set(histograms) == {(n, epoch) for n in names for epoch in (0, 1)}
    weight = dict(model.named_parameters())[names[0]].data
    last = histograms[(names[0], 1)]
    assert last.num == weight.size and last.min == pytest.approx(weight.min()) and last.max == pytest.approx(weight.max())


def test_bad_arguments_name_the_callback():
    need("tensorboardX")
    with pytest.raises(ValueError, match="TensorBoard: update_freq must be"):
        nt.callbacks.TensorBoard("x", update_freq="sometimes")
    with pytest.raises(ValueError, match="TensorBoard: histogram_freq must be"):
        nt.callbacks.TensorBoard("x", histogram_freq=-1)


def test_cli_train_writes_tensorboard_events(tmp_path, capsys):
    need("tensorboardX")
    from neuronet.cli import main
    assert main(["train", "xor", "--epochs", "3", "--out", str(tmp_path / "run"), "--quiet",
                 "--tensorboard", str(tmp_path / "tb")]) == 0
    assert [s for s, _ in scalars(tmp_path / "tb" / "train")["epoch_loss"]] == [0, 1, 2]
