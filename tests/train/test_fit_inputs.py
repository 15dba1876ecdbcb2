"""fit/evaluate/predict never train silently wrong: one-shot iterators, empty epochs, bad loss weights,
1-D or tuple x, bad batch sizes, callbacks given alone or needing validation data (issue 14)."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.train.callbacks import (Callback, CSVLogger, EarlyStopping, LambdaCallback, ModelCheckpoint,
                                ReduceLROnPlateau, TerminateOnNaN)
from neuronet.data import DataLoader
from neuronet.nn import Conv2D, Dense, Embedding


def blobs(n=64, classes=3, features=4, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    x = (rng.normal(0, 3, (classes, features))[y] + rng.normal(0, 1, (n, features))).astype(np.float32)
    return x, y.astype(np.int64)


def model(last=3):
    nt.manual_seed(0)
    m = nt.Sequential([Dense(8, activation="relu"), Dense(last)])
    m.compile(optimizer="sgd", loss="cross_entropy", metrics=["accuracy"], learning_rate=0.05)
    return m


def batches(x, y, size=16):
    for i in range(0, len(x), size):
        yield x[i:i + size], y[i:i + size]


class Steps(Callback):
    """Counts training steps per epoch."""

    def __init__(self):
        super().__init__()
        self.per_epoch = []

    def on_epoch_begin(self, epoch, logs=None):
        self.per_epoch.append(0)

    def on_train_batch_end(self, batch, logs=None):
        self.per_epoch[-1] += 1


def unbuilt(m):
    return [type(layer).__name__ for layer in m.modules() if not layer.built]


# --- 1. one-shot iterables and epochs without batches -----------------------------------------------
@pytest.mark.parametrize("one_shot", [lambda x, y: batches(x, y),
                                      lambda x, y: iter(DataLoader((x, y), batch_size=16))],
                         ids=["generator", "iter(DataLoader)"])
def test_one_shot_iterator_trains_every_batch_once_then_a_second_epoch_raises(one_shot):
    x, y = blobs()
    m, steps = model(), Steps()
    with pytest.raises(ValueError, match=r"fit: epoch 2 of 3 got no training batches from x \(a one-shot .*"
                                         r"used up by one pass.*DataLoader, a list of batches"):
        m.fit(one_shot(x, y), epochs=3, verbose=0, callbacks=[steps])
    assert steps.per_epoch == [4, 0]                    # the shape probe's batch was not lost
    assert len(m.history.history["loss"]) == 1 and m.history.history["loss"][0] > 0.05  # no row of zeros
    one = model().fit(one_shot(x, y), epochs=1, verbose=0)
    assert len(one.history["loss"]) == 1


def test_one_shot_iterator_trains_like_the_same_batches_in_a_list():
    x, y = blobs()
    a, b = model(), model()
    a.fit(batches(x, y), epochs=1, verbose=0, seed=1)
    b.fit(list(batches(x, y)), epochs=1, verbose=0, seed=1)
    np.testing.assert_array_equal(a.predict(x), b.predict(x))


@pytest.mark.parametrize("make", [lambda x, y: DataLoader((x, y), batch_size=16, shuffle=True),
                                  lambda x, y: list(batches(x, y))], ids=["DataLoader", "list of batches"])
def test_re_iterable_loaders_train_every_epoch(make):
    x, y = blobs()
    m, steps = model(), Steps()
    hist = m.fit(make(x, y), epochs=3, verbose=0, callbacks=[steps], validation_data=make(x, y))
    assert steps.per_epoch == [4, 4, 4]
    assert min(hist.history["loss"]) > 0.01 and min(hist.history["val_loss"]) > 0.01
    assert m.evaluate(make(x, y))["loss"] == pytest.approx(m.evaluate(x, y)["loss"], rel=1e-5)


def test_a_loader_without_batches_is_an_error():
    x, y = blobs()
    with pytest.raises(ValueError, match=r"fit: x \(a DataLoader\) yielded no batches"):
        model().fit(DataLoader((x, y), batch_size=100, drop_last=True), verbose=0)
    with pytest.raises(ValueError, match=r"evaluate: x \(a one-shot list_iterator\) yielded no batches"):
        model().evaluate(iter([]))


class Empty:
    """A re-iterable without batches (and without __len__)."""

    def __iter__(self):
        return iter(())


def test_validation_data_without_batches_is_an_error_not_zeros():
    x, y = blobs()
    m = model()
    with pytest.raises(ValueError, match=r"fit: validation_data \(a Empty\) at epoch 1 yielded no batches"):
        m.fit(x, y, epochs=2, verbose=0, validation_data=Empty())
    assert "val_loss" not in m.history.history
    with pytest.raises(ValueError, match=r"validation_data \(a DataLoader\) has no batches"):
        model().fit(x, y, verbose=0, validation_data=DataLoader((x, y), batch_size=100, drop_last=True))


def test_one_shot_validation_data_is_refused_for_several_epochs():
    x, y = blobs()
    m = model()
    with pytest.raises(ValueError, match=r"validation_data \(a one-shot generator\) would be used up by the first "
                                         r"of the 2 epochs"):
        m.fit(x, y, epochs=2, verbose=0, validation_data=batches(x, y))
    assert getattr(m, "epochs_done", 0) == 0
    hist = model().fit(x, y, epochs=1, verbose=0, validation_data=batches(x, y))   # one epoch: fine
    assert hist.history["val_loss"][0] > 0.01


# --- 2. loss weights --------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, match", [
    ({"sample_weight": np.r_[np.ones(63), np.nan]},
     r"sample_weight must be finite and non-negative, got nan at sample 63"),
    ({"sample_weight": np.r_[np.ones(10), np.inf, np.ones(53)]}, r"sample_weight .* got inf at sample 10"),
    ({"sample_weight": np.r_[-1.0, np.ones(63)]}, r"sample_weight .* got -1.0 at sample 0"),
    ({"class_weight": {0: 1.0, 1: float("nan"), 2: 1.0}}, r"class_weight must be finite and non-negative, got nan "
                                                          r"for class 1"),
    ({"class_weight": {0: 1.0, 1: 1.0, 2: -0.5}}, r"class_weight .* got -0.5 for class 2"),
    ({"class_weight": {0: float("inf"), 1: 1.0, 2: 1.0}}, r"class_weight .* got inf for class 0"),
])
@pytest.mark.parametrize("call", ["fit", "train_on_batch"])
def test_nan_inf_or_negative_loss_weights_are_refused(kwargs, match, call):
    x, y = blobs()
    m = model()
    m.predict(x[:2])
    before = {k: v.copy() for k, v in m.state_dict().items()}
    with pytest.raises(ValueError, match=f"{call}: {match}"):
        if call == "fit":
            m.fit(x, y, verbose=0, **kwargs)
        else:
            m.train_on_batch(x, y, **kwargs)
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v, before[k])


def test_zero_weights_are_allowed():
    x, y = blobs()
    w = np.ones(64)
    w[:10] = 0
    model().fit(x, y, verbose=0, sample_weight=w, class_weight={0: 0.0, 1: 1.0, 2: 2.0})


# --- 3. 1-D x and failed first calls ---------------------------------------------------------------------
@pytest.mark.parametrize("last", [3, 2])   # 2: the output of the 2-sample probe has 2 rows by chance
@pytest.mark.parametrize("call", ["fit", "evaluate", "predict"])
def test_1d_x_is_refused_and_leaves_the_model_unbuilt(call, last):
    x, y = blobs(classes=last)
    m = model(last)
    with pytest.raises(ValueError, match=rf"Sequential.{call}: x of shape \(64,\) is 1-D: one number per sample.*"
                                         r"Expected input of shape \(batch, features\).*x.reshape\(-1, 1\)"):
        if call == "predict":
            m.predict(x[:, 0])
        else:
            getattr(m, call)(x[:, 0], y, **({"verbose": 0} if call == "fit" else {}))
    assert unbuilt(m) == ["Dense", "Dense"]
    m.fit(x, y, verbose=0)                       # the model still takes the right shape afterwards
    assert m.predict(x).shape == (64, last) and m[0].in_features == 4
    with pytest.raises(ValueError, match=r"expected input of shape \(batch, 4,\), got \(64,\)"):
        m.predict(x[:, 0])


def test_1d_x_that_needs_one_feature_gets_the_reshape_hint_once_built():
    x, y = blobs(features=1)
    m = model()
    m.fit(x, y, verbose=0)
    with pytest.raises(ValueError, match=r"got \(64,\); a 1-D x holds one number per sample: pass x.reshape\(-1, 1\)"):
        m.predict(x[:, 0])


def test_1d_integer_ids_still_work_for_an_embedding_model():
    m = nt.Sequential([Embedding(10, 4), Dense(3)])
    m.compile(optimizer="sgd", loss="cross_entropy")
    ids = np.arange(20) % 10
    m.fit(ids, ids % 3, verbose=0)
    assert m.predict(ids).shape == (20, 3)


def test_a_failed_probe_puts_lazy_layers_back():
    x, y = blobs()
    m = nt.Sequential([Dense(8), Conv2D(2, 3)])          # Dense builds, then Conv2D refuses a 2-D input
    m.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"Sequential.predict: the model cannot take x of shape \(64, 4\): Conv2D"):
        m.predict(x)
    assert unbuilt(m) == ["Dense", "Conv2D"] and m[0].in_features is None
    assert getattr(m, "_input_spec", None) is None
    assert m.predict(np.zeros((2, 1, 5, 6), np.float32)).shape == (2, 2, 3, 6)   # builds for the right shape


# --- 4. batch_size ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [0, -4, 2.5, True, "8"])
@pytest.mark.parametrize("call", ["fit", "evaluate", "predict"])
def test_batch_size_is_checked_the_same_way_everywhere(call, bad):
    x, y = blobs()
    m = model()
    args = (x,) if call == "predict" else (x, y)
    with pytest.raises(ValueError, match=rf"^{call}: batch_size must be a positive integer, got {bad!r}$"):
        getattr(m, call)(*args, batch_size=bad, **({"verbose": 0} if call == "fit" else {}))
    assert unbuilt(m) == ["Dense", "Dense"]


def test_batch_size_none_and_numpy_integers_are_accepted():
    x, y = blobs()
    m = model()
    m.fit(x, y, batch_size=None, verbose=0)
    m.fit(x, y, batch_size=np.int64(16), epochs=np.int32(1), verbose=0)
    assert m.predict(x, batch_size=None).shape == (64, 3)
    assert m.evaluate(x, y, batch_size=np.int64(7))["loss"] > 0


# --- 5. a tuple x for a single-input model ----------------------------------------------------------------
def test_tuple_x_for_a_single_input_model_says_how_many_inputs():
    x, y = blobs()
    m = model()
    with pytest.raises(ValueError, match=r"Sequential.fit: the model takes 1 input, got 2 \(x is a tuple of 2 arrays"
                                         r".*not fit\(\(x, y\)\)"):
        m.fit((x, y))
    with pytest.raises(ValueError, match=r"Sequential.predict: the model takes 1 input, got 3.*pass one array as x"):
        m.predict((x, x, x))
    assert unbuilt(m) == ["Dense", "Dense"]
    m.fit(x, y, verbose=0)
    with pytest.raises(ValueError, match=r"Sequential.evaluate: the model takes 1 input, got 2"):
        m.evaluate((x, x), y)


def test_tuple_x_still_feeds_a_two_input_model():
    class Two(nt.Model):
        def __init__(self):
            super().__init__()
            self.a, self.b = Dense(3), Dense(3)

        def forward(self, u, v):
            return self.a(u) + self.b(v)

    x, y = blobs()
    m = Two()
    m.compile(optimizer="sgd", loss="cross_entropy")
    with pytest.raises(ValueError, match=r"Two.fit: the model takes 2 inputs, got 1"):
        m.fit(x, y, verbose=0)
    m.fit((x, x[:, :2]), y, verbose=0)
    assert m.predict((x, x[:, :2])).shape == (64, 3)


# --- 6. callbacks= one Callback ---------------------------------------------------------------------------
def test_one_callback_alone_is_taken_as_a_list_of_one():
    x, y = blobs()
    steps = Steps()
    model().fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=steps)
    assert steps.per_epoch == [4, 4]


@pytest.mark.parametrize("bad, match", [
    ([EarlyStopping], r"fit: callbacks\[0\] is a type, not a Callback; pass an instance: EarlyStopping\(...\)"),
    ([TerminateOnNaN(), print], r"fit: callbacks\[1\] .* LambdaCallback"),
    ("EarlyStopping", r"fit: callbacks must be a list of Callback objects, got str"),
])
def test_callbacks_that_are_not_callbacks_are_refused_with_the_fix(bad, match):
    x, y = blobs()
    with pytest.raises(TypeError, match=match):
        model().fit(x, y, verbose=0, callbacks=bad)


# --- 7. callbacks that need validation values ------------------------------------------------------------
@pytest.mark.parametrize("make, match", [
    (lambda d: ModelCheckpoint(str(d / "{val_loss:.3f}.safetensors")), r"ModelCheckpoint filepath .* \(field "
                                                                         r"\{val_loss\}\) needs validation values"),
    (lambda d: ModelCheckpoint(str(d / "best.nnet"), monitor="val_loss", save_best_only=True),
     r"ModelCheckpoint monitor='val_loss' needs validation values"),
    (lambda d: EarlyStopping(monitor="val_accuracy"), r"EarlyStopping monitor='val_accuracy' needs validation"),
    (lambda d: ReduceLROnPlateau(), r"ReduceLROnPlateau monitor='val_loss' needs validation"),
])
def test_callbacks_needing_validation_fail_before_the_first_epoch(tmp_path, make, match):
    x, y = blobs()
    m, steps = model(), Steps()
    log = tmp_path / "log.csv"
    log.write_text("epoch,loss\n0,1.0\n")
    with pytest.raises(ValueError, match=rf"^fit: {match}.*validation_split=0.1"):
        m.fit(x, y, epochs=2, verbose=0, callbacks=[CSVLogger(log), steps, make(tmp_path)])
    assert steps.per_epoch == [] and getattr(m, "epochs_done", 0) == 0
    assert log.read_text() == "epoch,loss\n0,1.0\n"        # no hook ran: the log was not even truncated
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv"]
    hist = model().fit(x, y, epochs=2, verbose=0, callbacks=[make(tmp_path)], validation_split=0.25)
    assert len(hist.history["val_loss"]) >= 1


def test_checkpoint_of_training_values_needs_no_validation(tmp_path):
    x, y = blobs()
    model().fit(x, y, epochs=2, verbose=0, callbacks=[ModelCheckpoint(str(tmp_path / "{epoch}-{loss:.2f}.nnet")),
                                                      LambdaCallback(on_epoch_end=lambda e, logs: None)])
    assert len(list(tmp_path.iterdir())) == 2
