"""The Keras-style Model API: compile, fit, evaluate, predict, save/load, bad input."""
import os

import numpy as np
import pytest

import neuronet as nt
from neuronet.nn import Dense, Dropout
from tests.helpers import need


def xor_data():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([0, 1, 1, 0], dtype=np.int64)
    return x, y


def blobs(n=300, classes=3, features=4, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 3, (classes, features))
    y = rng.integers(0, classes, n)
    x = (centers[y] + rng.normal(0, 1, (n, features))).astype(np.float32)
    return x, y.astype(np.int64)


def small_model(classes=3, dropout=0.0):
    layers = [Dense(16, activation="relu")]
    if dropout:
        layers.append(Dropout(dropout))
    layers.append(Dense(classes))
    return nt.Sequential(layers)


def test_xor_sequential_fit_reaches_full_accuracy():
    x, y = xor_data()
    model = nt.Sequential([Dense(8, activation="tanh"), Dense(2)])
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"], learning_rate=0.05)
    hist = model.fit(x, y, batch_size=4, epochs=300, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    assert (model.predict(x).argmax(1) == y).all()
    assert model.evaluate(x, y)["accuracy"] == 1.0


def test_fit_logs_validation_and_metrics():
    x, y = blobs()
    model = small_model()
    model.compile(optimizer="sgd", loss="cross_entropy", metrics=["accuracy"], learning_rate=0.05)
    hist = model.fit(x, y, epochs=3, batch_size=32, validation_split=0.2, verbose=0)
    assert set(hist.history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(hist.history["loss"]) == 3 and hist.epoch == [0, 1, 2]
    # validation numbers are those evaluate gives on the held-out tail
    val = model.evaluate(x[240:], y[240:])
    assert val["loss"] == pytest.approx(hist.history["val_loss"][-1], rel=1e-5)


def test_predict_is_eval_mode_and_batched():
    x, y = blobs(100)
    model = small_model(dropout=0.5)
    model.compile(loss="cross_entropy")
    p1 = model.predict(x, batch_size=7)
    p2 = model.predict(x, batch_size=100)
    assert p1.shape == (100, 3) and isinstance(p1, np.ndarray)
    np.testing.assert_allclose(p1, p2, rtol=1e-6)
    assert model.training  # predict restores the mode


def test_subclassed_model_trains():
    class Net(nt.Model):
        def __init__(self, hidden=16):
            super().__init__()
            self.hidden = Dense(hidden, activation="relu")
            self.out = Dense(3)

        def forward(self, x):
            return self.out(self.hidden(x))

    x, y = blobs()
    model = Net()
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"], learning_rate=0.01)
    model.fit(x, y, epochs=20, verbose=0)
    assert model.evaluate(x, y)["accuracy"] > 0.9


def test_train_on_batch_returns_logs():
    x, y = blobs(64)
    model = small_model()
    model.compile(optimizer="sgd", loss="cross_entropy", metrics=["accuracy"])
    model.predict(x[:1])                                   # build, so the weights before the step are known
    before = model.predict(x).astype(np.float64)
    w0 = model[0].weight.data.copy()
    logs = model.train_on_batch(x, y)
    assert set(logs) == {"loss", "accuracy"}
    # the logs describe the batch as the model saw it before the step
    assert logs["loss"] == pytest.approx(_cross_entropy(before, y), rel=1e-5)
    assert logs["accuracy"] == pytest.approx((before.argmax(1) == y).mean())
    assert not np.array_equal(model[0].weight.data, w0)    # and one step was taken


def _cross_entropy(logits, y):
    """Mean cross-entropy of float64 ``logits`` (..., classes) against integer ``y`` (...)."""
    z = logits - logits.max(-1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(-1, keepdims=True))
    return float(-np.take_along_axis(log_p, y[..., None], -1).mean())


def test_regularizer_penalty_is_added_and_logged():
    x, y = blobs(64)
    model = nt.Sequential([Dense(8, kernel_regularizer="l2"), Dense(3)])
    model.compile(optimizer="sgd", loss="cross_entropy", learning_rate=0.0)
    logs = model.train_on_batch(x, y)
    w = model[0].weight.data.astype(np.float64)
    assert logs["reg_loss"] == pytest.approx(0.01 * (w ** 2).sum(), rel=1e-5)
    data_loss = model.evaluate(x, y, batch_size=64)["loss"]
    assert logs["loss"] == pytest.approx(data_loss + logs["reg_loss"], rel=1e-5)


def test_class_weight_scales_the_loss():
    x, y = blobs(60)
    model = small_model()
    model.compile(optimizer="sgd", loss="cross_entropy", learning_rate=0.0)
    base = model.train_on_batch(x, y)["loss"]
    doubled = model.train_on_batch(x, y, class_weight={0: 2.0, 1: 2.0, 2: 2.0})["loss"]
    assert doubled == pytest.approx(2 * base, rel=1e-5)
    with pytest.raises(ValueError, match="class_weight has no weight for classes"):
        model.train_on_batch(x, y, class_weight={0: 1.0})


@pytest.mark.parametrize("bad, match", [
    (lambda x, y: (x, y[:-1]), "x has 300 samples but y has 299"),
    (lambda x, y: (x[:, :3], y), r"expected input of shape \(batch, 4,\), got \(300, 3\)"),
    (lambda x, y: (x, y + 5), r"labels must lie in \[0, 2\]"),
    (lambda x, y: (np.where(np.arange(300)[:, None] == 7, np.nan, x).astype(np.float32), y), "NaN or infinity \\(first at sample 7\\)"),
    (lambda x, y: (x[:0], y[:0]), "x is empty"),
    (lambda x, y: (x.astype(str), y), "expected numbers"),
    (lambda x, y: (x, y.astype(np.float32)), "takes integer class labels"),
])
def test_bad_input_is_rejected_before_training(bad, match):
    x, y = blobs()
    model = small_model()
    model.compile(optimizer="sgd", loss="cross_entropy")
    model.predict(x[:2])  # builds for 4 features
    before = {k: v.copy() for k, v in model.state_dict().items()}
    bx, by = bad(x, y)
    with pytest.raises((ValueError, TypeError), match=match):
        model.fit(bx, by, epochs=1, verbose=0)
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


def test_not_compiled_is_a_clear_error():
    x, y = blobs(10)
    with pytest.raises(RuntimeError, match="call compile"):
        small_model().fit(x, y)


def test_save_load_round_trip(tmp_path):
    x, y = blobs()
    model = small_model()
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, verbose=0)
    path = tmp_path / "m.safetensors"
    model.save(path)
    again = nt.load_model(path)
    np.testing.assert_array_equal(again.predict(x), model.predict(x))
    assert again.evaluate(x, y) == pytest.approx(model.evaluate(x, y))
    assert [f for f in os.listdir(tmp_path)] == ["m.safetensors"]  # no temporary file left behind


def test_resume_is_bit_identical(tmp_path):
    x, y = blobs()
    nt.manual_seed(3)
    a = small_model(dropout=0.2)
    a.compile(optimizer="adam", loss="cross_entropy")
    a.fit(x, y, epochs=4, batch_size=32, verbose=0)

    nt.manual_seed(3)
    b = small_model(dropout=0.2)
    b.compile(optimizer="adam", loss="cross_entropy")
    b.fit(x, y, epochs=2, batch_size=32, verbose=0)
    b.save(tmp_path / "half.safetensors")
    nt.manual_seed(999)  # the saved generator state must win over whatever happened since
    c = nt.load_model(tmp_path / "half.safetensors")
    c.fit(x, y, epochs=4, initial_epoch=2, batch_size=32, verbose=0)
    for k, v in a.state_dict().items():
        np.testing.assert_array_equal(c.state_dict()[k], v, err_msg=k)
    assert len(c.history.history["loss"]) == 4


def test_summary_counts_parameters():
    model = nt.Sequential([Dense(64, activation="relu"), Dense(32, activation="relu"), Dense(10)])
    text = model.summary(input_shape=(784,), print_fn=None)
    assert "Total params: 52,650" in text
    assert "(None, 64)" in text and "(None, 10)" in text
    assert "Weight memory: 205.7 KiB" in text


def test_history_plot_writes_png(tmp_path):
    need("matplotlib")
    x, y = blobs(60)
    model = small_model()
    model.compile(optimizer="sgd", loss="cross_entropy", metrics=["accuracy"])
    hist = model.fit(x, y, epochs=2, validation_split=0.25, verbose=0)
    hist.plot(tmp_path / "curves.png")
    assert (tmp_path / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_fit_and_evaluate_accept_a_dataloader():
    x, y = blobs()
    loader = nt.data.DataLoader((x[:240], y[:240]), batch_size=32, shuffle=True, seed=0)
    val = nt.data.DataLoader((x[240:], y[240:]), batch_size=64)
    model = small_model()
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"], learning_rate=0.01)
    hist = model.fit(loader, epochs=5, validation_data=val, verbose=0)
    assert len(hist.history["val_accuracy"]) == 5
    assert model.evaluate(val)["accuracy"] == pytest.approx(model.evaluate(x[240:], y[240:])["accuracy"])
    assert model.evaluate(val)["accuracy"] > 0.9
    with pytest.raises(ValueError, match="y must be None"):
        model.fit(loader, y, epochs=1, verbose=0)


def test_conv_kernel_regularizer_is_added():
    x = np.random.default_rng(0).normal(size=(8, 1, 6, 6)).astype(np.float32)
    y = np.arange(8) % 2
    model = nt.Sequential([nt.nn.Conv2D(2, 3, kernel_regularizer="l1"), nt.nn.Flatten(), Dense(2)])
    model.compile(optimizer="sgd", loss="cross_entropy", learning_rate=0.0)
    logs = model.train_on_batch(x, y)
    w = model[0].weight.data.astype(np.float64)
    assert logs["reg_loss"] == pytest.approx(0.01 * np.abs(w).sum(), rel=1e-5)
    again = nt.nn.Module.from_config(model.get_config())
    assert again[0].kernel_regularizer == "l1"


def test_float64_data_trains_a_float32_model_in_float32():
    x, y = blobs(64)
    model = small_model()
    model.compile(optimizer="sgd", loss="cross_entropy")
    model.fit(x.astype(np.float64), y, epochs=1, verbose=0)
    assert model.predict(x.astype(np.float64)).dtype == np.float32
    assert all(p.dtype == np.float32 for p in model.parameters())


# --- sequence models ---------------------------------------------------------------------------

def _sequence_tagger(stateful=False):
    return nt.Sequential([nt.nn.Embedding(30, 4), nt.nn.LSTM(5, return_sequences=True, stateful=stateful),
                          nt.nn.Dense(12)])


def test_keras_sparse_loss_takes_classes_from_the_last_axis_of_sequence_outputs():
    nt.manual_seed(0)
    x = np.random.default_rng(0).integers(1, 30, size=(16, 3))   # T = 3 < V = 12 classes
    y = np.random.default_rng(1).integers(0, 12, size=(16, 3))
    model = _sequence_tagger()
    model.compile(optimizer="adam", loss=nt.nn.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    logits = model.predict(x)
    assert logits.shape == (16, 3, 12)
    # the loss reads classes from the last axis (Keras), not from axis 1 as F.cross_entropy does
    assert model.evaluate(x, y)["loss"] == pytest.approx(_cross_entropy(logits.astype(np.float64), y), rel=1e-5)
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 11\]"):
        model.fit(x, y + 12, epochs=1, batch_size=8, verbose=0)


def test_stateful_model_trains_after_the_building_probe():
    nt.manual_seed(0)
    x = np.random.default_rng(0).integers(1, 30, size=(8, 5))
    model = _sequence_tagger(stateful=True)
    model.compile(optimizer="adam", loss=nt.nn.SparseCategoricalCrossentropy(from_logits=True), learning_rate=0.05)
    built = {}
    snapshot = nt.train.LambdaCallback(
        on_train_begin=lambda logs: built.update({k: v.copy() for k, v in model.state_dict().items()}))
    hist = model.fit(x, x % 12, epochs=40, batch_size=8, shuffle=False, verbose=0,   # the probe used 2 rows
                     callbacks=[snapshot])
    lstm = model[1]
    # the carried (h, c) are the training batch's 8 rows, not the probe's 2
    assert [tuple(s.shape) for s in lstm.states[0]] == [(8, 5), (8, 5)]
    assert all(np.abs(s.numpy()).max() > 0 for s in lstm.states[0])
    lstm_keys = [k for k in built if k.startswith("1.")]
    assert len(lstm_keys) == 4
    for k in built:                                        # every weight, the LSTM's included, was trained
        assert np.abs(model.state_dict()[k] - built[k]).max() > 0.1, k
    # measured (seeds 0-4): loss 2.5 -> 0.22-0.44, training-token accuracy 0.925-0.975
    losses = hist.history["loss"]
    assert len(losses) == 40 and losses[-1] < 0.4 * losses[0]
    assert (model.predict(x, batch_size=8).argmax(-1) == x % 12).mean() >= 0.8
    with pytest.raises(ValueError, match="carries states for batch size 8"):
        model.predict(x[:3])
    lstm.reset_states()
    assert model.predict(x[:3]).shape == (3, 5, 12)


def test_sequence_models_predict_other_lengths_but_not_other_features():
    nt.manual_seed(0)
    model = nt.Sequential([nt.nn.LSTM(4), nt.nn.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.zeros((6, 7, 3), np.float32), np.zeros((6, 2), np.float32), epochs=1, verbose=0)
    assert model.predict(np.zeros((2, 11, 3), np.float32)).shape == (2, 2)
    with pytest.raises(ValueError, match=r"expected input of shape \(batch, 7, 3\), got \(2, 11, 4\)"):
        model.predict(np.zeros((2, 11, 4), np.float32))
    ids = _sequence_tagger()
    ids.compile(optimizer="adam", loss=nt.nn.SparseCategoricalCrossentropy(from_logits=True))
    ids.fit(np.ones((4, 5), np.int64), np.ones((4, 5), np.int64), epochs=1, verbose=0)
    assert ids.predict(np.ones((3, 9), np.int64)).shape == (3, 9, 12)


def test_validation_runs_between_test_hooks():
    events = []

    class Recorder(nt.train.Callback):
        def on_train_batch_end(self, batch, logs=None):
            events.append("batch")

        def on_test_begin(self, logs=None):
            events.append("test_begin")

        def on_test_end(self, logs=None):
            events.append(("test_end", sorted(logs)))

        def on_epoch_end(self, epoch, logs=None):
            events.append("epoch_end")

    model = nt.Sequential([nt.nn.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.zeros((10, 2), np.float32)
    model.fit(x, np.zeros((10, 1), np.float32), epochs=1, batch_size=4, validation_split=0.2, verbose=0,
              callbacks=[Recorder()])
    assert events == ["batch", "batch", "test_begin", ("test_end", ["loss"]), "epoch_end"]
