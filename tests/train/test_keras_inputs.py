"""Keras-style inputs to fit/evaluate/predict (issue 15): pandas and lists, labels in the shapes Keras
accepts, uint8 images cast once, one input dtype rule for every layer, evaluate(return_dict=),
fit(steps_per_epoch=, validation_freq=)."""
import warnings

import numpy as np
import pytest

import neuronet as nt
from neuronet.nn import Conv2D, Dense, Embedding, Flatten, LSTM
from neuronet.train import inputs
from neuronet.train.callbacks import Callback

pd = pytest.importorskip("pandas", reason="needs pandas (DataFrame inputs): pip install pandas")


def blobs(n=64, classes=3, features=4, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    x = (rng.normal(0, 3, (classes, features))[y] + rng.normal(0, 1, (n, features))).astype(np.float32)
    return x, y.astype(np.int64)


def model(last=3, loss="cross_entropy", activation=None, metrics=("accuracy",)):
    nt.manual_seed(0)
    m = nt.Sequential([Dense(8, activation="relu"), Dense(last, activation=activation)])
    m.compile(optimizer="sgd", loss=loss, metrics=list(metrics), learning_rate=0.05)
    return m


class Steps(Callback):
    def __init__(self):
        super().__init__()
        self.per_epoch = []

    def on_epoch_begin(self, epoch, logs=None):
        self.per_epoch.append(0)

    def on_train_batch_end(self, batch, logs=None):
        self.per_epoch[-1] += 1


# --- pandas and lists ----------------------------------------------------------------------------
def test_pandas_frames_and_series_train_like_their_arrays():
    x, y = blobs()
    df, s = pd.DataFrame(x, columns=list("abcd")), pd.Series(y)
    a, b = model(), model()
    ha = a.fit(df, s, epochs=3, verbose=0, seed=1, validation_split=0.25)
    hb = b.fit(x, y, epochs=3, verbose=0, seed=1, validation_split=0.25)
    assert ha.history == hb.history
    np.testing.assert_array_equal(a.predict(df.iloc[0:4]), b.predict(x[0:4]))
    assert a.evaluate(df, s) == b.evaluate(x, y)


def test_a_dataframe_with_text_columns_is_refused_with_the_fix():
    x, y = blobs()
    df = pd.DataFrame(x, columns=list("abcd"))
    df["city"] = "Paris"
    with pytest.raises(TypeError, match="DataFrame holds non-numeric columns; encode them as numbers"):
        model().fit(df, y, verbose=0)


def test_lists_of_numbers_and_a_list_of_arrays_for_two_inputs():
    x, y = blobs()
    m = model()
    m.fit(x.tolist(), y.tolist(), epochs=1, verbose=0)
    assert m.predict(x[:3].tolist()).shape == (3, 3)

    class Two(nt.Model):
        def __init__(self):
            super().__init__()
            self.a, self.b = Dense(3), Dense(3)

        def forward(self, p, q):
            return self.a(p) + self.b(q)
    two = Two().compile(optimizer="sgd", loss="cross_entropy")
    two.fit([x[:, :2], x[:, 2:]], y, epochs=1, verbose=0)          # Keras's list, one array per input
    assert two.predict([x[:5, :2], x[:5, 2:]]).shape == (5, 3)


# --- labels in Keras's shapes ----------------------------------------------------------------------
@pytest.mark.parametrize("loss, last, activation, make_y, same_as", [
    ("sparse_categorical_crossentropy", 3, "softmax", lambda y: y.reshape(-1, 1), lambda y: y),
    ("sparse_categorical_crossentropy", 3, "softmax", lambda y: y.astype(np.float64), lambda y: y),
    ("binary_crossentropy", 1, "sigmoid", lambda y: (y > 0), lambda y: (y > 0).astype(np.float32).reshape(-1, 1)),
    ("binary_crossentropy", 1, "sigmoid", lambda y: (y > 0).astype(np.int64),
     lambda y: (y > 0).astype(np.float32).reshape(-1, 1)),
    ("mse", 1, None, lambda y: y.astype(np.float32), lambda y: y.astype(np.float32).reshape(-1, 1)),
    ("bce_with_logits", 1, None, lambda y: (y > 1).astype(np.float32),
     lambda y: (y > 1).astype(np.float32).reshape(-1, 1)),
], ids=["sparse (N,1)", "sparse float labels", "bce bool (N,)", "bce int (N,)", "mse (N,)", "bce logits (N,)"])
def test_keras_label_shapes_train_as_the_canonical_ones(loss, last, activation, make_y, same_as):
    x, y = blobs()
    metrics = ("accuracy",) if "mse" not in loss else ("mae",)
    a, b = model(last, loss, activation, metrics), model(last, loss, activation, metrics)
    ha = a.fit(x, make_y(y), epochs=2, verbose=0, seed=3)
    hb = b.fit(x, same_as(y), epochs=2, verbose=0, seed=3)
    assert ha.history == hb.history
    assert a.evaluate(x, make_y(y)) == b.evaluate(x, same_as(y))


def test_pytorch_cross_entropy_keeps_refusing_float_labels():
    x, y = blobs()
    with pytest.raises(TypeError, match=r"takes integer class labels, got y of dtype float64"):
        model().fit(x, y.astype(np.float64), verbose=0)


def test_labels_that_fit_no_rule_still_fail_with_the_loss_message():
    x, y = blobs()
    with pytest.raises(ValueError, match="target must hold class indices of shape"):
        model(3, "sparse_categorical_crossentropy", "softmax").fit(x, np.stack([y, y], 1), verbose=0)


# --- input dtypes ----------------------------------------------------------------------------------
def test_uint8_images_are_cast_once_with_one_note_and_predict_like_floats():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(6, 1, 5, 5)).astype(np.uint8)
    nt.manual_seed(0)
    m = nt.Sequential([Conv2D(2, 3), Flatten(), Dense(2)])
    old = inputs._noted
    inputs._noted = False
    try:
        with pytest.warns(UserWarning, match=r"uint8 input cast to float32 once at the input \(values are not "
                                             r"rescaled: divide images by 255"):
            got = m.predict(images)
        with warnings.catch_warnings():
            warnings.simplefilter("error")            # one note per process, not one per call
            again = m.predict(images)
    finally:
        inputs._noted = old
    np.testing.assert_array_equal(got, m.predict(images.astype(np.float32)))
    np.testing.assert_array_equal(got, again)
    assert m._input_spec[0][1] == np.dtype(np.float32).str


def test_a_model_with_an_embedding_keeps_uint8_token_ids():
    nt.manual_seed(0)
    m = nt.Sequential([Embedding(10, 4), LSTM(3), Dense(2)])
    ids = np.array([[1, 2, 3], [4, 5, 9]], dtype=np.uint8)
    np.testing.assert_array_equal(m.predict(ids), m.predict(ids.astype(np.int64)))


@pytest.mark.parametrize("layer, shape", [(lambda: Dense(3), (2, 4)), (lambda: Conv2D(2, 3), (2, 1, 5, 5)),
                                          (lambda: LSTM(3), (2, 4, 3))], ids=["Dense", "Conv2D", "LSTM"])
def test_every_layer_computes_float64_data_in_its_own_dtype_and_passes_the_gradient(layer, shape):
    nt.manual_seed(0)
    lay = layer()
    data = np.random.default_rng(0).normal(size=shape)
    x64 = nt.tensor(data, requires_grad=True)
    out = lay(x64)
    assert out.dtype == np.float32                          # Dense used to give float64, Conv2D to raise
    out.sum().backward()
    x32 = nt.tensor(data.astype(np.float32), requires_grad=True)
    lay(x32).sum().backward()
    assert x64.grad.dtype == np.float64
    np.testing.assert_allclose(x64.grad, x32.grad, rtol=1e-6)


# --- evaluate(return_dict=) ----------------------------------------------------------------------
def test_evaluate_returns_a_dict_by_default_and_keras_list_on_request():
    x, y = blobs()
    m = model()
    logs = m.evaluate(x, y)
    assert list(logs) == ["loss", "accuracy"]
    assert m.evaluate(x, y, return_dict=False) == [logs["loss"], logs["accuracy"]]
    bare = model(metrics=())
    assert bare.evaluate(x, y, return_dict=False) == bare.evaluate(x, y)["loss"]   # Keras: a scalar


# --- fit(steps_per_epoch=, validation_freq=) -------------------------------------------------------
def test_steps_per_epoch_runs_that_many_steps_from_a_continuing_stream():
    x, y = blobs()                                      # 64 samples: 4 batches of 16 per pass
    m, steps = model(), Steps()
    seen = []
    m.fit(x, y, batch_size=16, epochs=4, steps_per_epoch=3, verbose=0, callbacks=[steps],
          transform=lambda xb: seen.append(xb.copy()) or xb, shuffle=False)
    assert steps.per_epoch == [3, 3, 3, 3]
    assert len(seen) == 12
    np.testing.assert_array_equal(seen[3], x[48:64])     # epoch 2 goes on where epoch 1 stopped
    np.testing.assert_array_equal(seen[4], x[0:16])      # then a new pass begins


def test_steps_per_epoch_with_a_one_shot_generator_ends_when_it_runs_out():
    x, y = blobs()
    m, steps = model(), Steps()
    gen = ((x[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16))
    with pytest.raises(ValueError, match="epoch 3 of 3 got no training batches"):
        m.fit(gen, epochs=3, steps_per_epoch=3, verbose=0, callbacks=[steps])
    assert steps.per_epoch[:2] == [3, 1]


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_bad_steps_per_epoch_and_validation_freq_are_refused(bad):
    x, y = blobs()
    with pytest.raises(ValueError, match="fit: steps_per_epoch must be a positive integer"):
        model().fit(x, y, steps_per_epoch=bad, verbose=0)
    with pytest.raises(ValueError, match="fit: validation_freq must be a positive integer"):
        model().fit(x, y, validation_freq=bad, validation_split=0.2, verbose=0)


@pytest.mark.parametrize("freq, validated", [(2, [1, 3]), ([1, 4], [0, 3]), (1, [0, 1, 2, 3])])
def test_validation_freq_validates_only_at_those_epochs(freq, validated):
    x, y = blobs()
    seen = []

    class Record(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if "val_loss" in logs:
                seen.append(epoch)
    h = model().fit(x, y, epochs=4, validation_split=0.25, validation_freq=freq, verbose=0, callbacks=[Record()])
    assert seen == validated
    assert len(h.history["val_loss"]) == len(validated) and len(h.history["loss"]) == 4
