"""Models trained and saved by Keras 3 (torch backend) load into neuronet and predict the same."""
import os

import numpy as np
import pytest

from tests.helpers import need

os.environ.setdefault("KERAS_BACKEND", "torch")
need("h5py")
keras = need("keras")
if keras.backend.backend() != "torch":
    pytest.skip("these tests run Keras on its torch backend (KERAS_BACKEND=torch)", allow_module_level=True)

from neuronet.keras.archive import load_keras_model  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Keras's torch backend and NumPy 2
layers = keras.layers
rng = np.random.default_rng(0)


def images(*shape):
    return rng.random((16, *shape), dtype=np.float32)


def tokens(t, vocab=20):
    return rng.integers(0, vocab, (16, t))


CASES = {
    "dense": (lambda: keras.Sequential([keras.Input((6,)), layers.Dense(8, activation="relu"),
                                        layers.Dropout(0.2), layers.Dense(5, activation="tanh"),
                                        layers.Dense(3, activation="softmax")]), lambda: images(6)),
    "cnn": (lambda: keras.Sequential([keras.Input((12, 12, 3)), layers.Conv2D(4, 3, padding="same", activation="relu"),
                                      layers.BatchNormalization(), layers.MaxPooling2D(), layers.Conv2D(6, 3, strides=2,
                                      padding="same"), layers.Activation("relu"), layers.AveragePooling2D(2),
                                      layers.Flatten(), layers.Dense(4)]), lambda: images(12, 12, 3)),
    "cnn-global": (lambda: keras.Sequential([keras.Input((9, 9, 2)), layers.Conv2D(3, 3, dilation_rate=2),
                                             layers.GlobalAveragePooling2D(), layers.Dense(2)]), lambda: images(9, 9, 2)),
    "conv1d": (lambda: keras.Sequential([keras.Input((10, 3)), layers.Conv1D(4, 3, padding="same", activation="relu"),
                                         layers.MaxPooling1D(2), layers.GlobalMaxPooling1D(), layers.Dense(2)]),
               lambda: images(10, 3)),
    "lstm": (lambda: keras.Sequential([keras.Input((7,)), layers.Embedding(20, 4),
                                       layers.LSTM(6, return_sequences=True), layers.LSTM(5), layers.Dense(2)]),
             lambda: tokens(7)),
    "gru-simplernn": (lambda: keras.Sequential([keras.Input((7, 3)), layers.GRU(5, return_sequences=True),
                                                layers.GRU(4, reset_after=False, return_sequences=True),
                                                layers.SimpleRNN(3), layers.Dense(2)]), lambda: images(7, 3)),
    "bidirectional": (lambda: keras.Sequential([keras.Input((6,)), layers.Embedding(20, 4),
                                                layers.Bidirectional(layers.LSTM(5, return_sequences=True)),
                                                layers.Bidirectional(layers.GRU(3), merge_mode="sum"),
                                                layers.LayerNormalization(), layers.Dense(2)]), lambda: tokens(6)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_keras_model_trained_and_saved_predicts_the_same_in_neuronet(tmp_path, name):
    make, data = CASES[name]
    keras.utils.set_random_seed(0)
    model = make()
    x = data()
    y = rng.random((len(x), model.output_shape[-1]), dtype=np.float32)
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)          # trained: batch norm statistics moved
    model.save(tmp_path / "m.keras")
    want = model.predict(x, verbose=0)
    ours = load_keras_model(tmp_path / "m.keras")
    np.testing.assert_allclose(ours.predict(x), want, rtol=1e-4, atol=1e-5)


def test_an_unsupported_layer_is_named(tmp_path):
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3), layers.GaussianNoise(0.1)])
    model.save(tmp_path / "m.keras")
    with pytest.raises(ValueError, match=r"layer 'gaussian_noise' \(GaussianNoise\): has no neuronet counterpart"):
        load_keras_model(tmp_path / "m.keras")


def test_not_an_archive(tmp_path):
    (tmp_path / "m.keras").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a readable Keras archive"):
        load_keras_model(tmp_path / "m.keras")
    with pytest.raises(ValueError, match=r"is not a Keras 3 archive \(\.keras\)"):
        load_keras_model(tmp_path / "m.h5")


def test_a_functional_model_with_two_inputs_two_outputs_and_a_shared_layer(tmp_path):
    keras.utils.set_random_seed(0)
    a, b = keras.Input((5,), name="a"), keras.Input((5,), name="b")
    shared = layers.Dense(4, activation="relu")
    merged = layers.Concatenate()([shared(a), shared(b)])
    total = layers.Add()([shared(a), shared(b)])
    model = keras.Model([a, b], [layers.Dense(2, activation="softmax")(merged), layers.Dense(1)(total)])
    xa, xb = rng.random((16, 5), dtype=np.float32), rng.random((16, 5), dtype=np.float32)
    model.compile(optimizer="adam", loss=["sparse_categorical_crossentropy", "mse"])
    model.fit([xa, xb], [rng.integers(0, 2, 16), rng.random((16, 1), dtype=np.float32)], epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    want = model.predict([xa, xb], verbose=0)
    ours = load_keras_model(tmp_path / "m.keras").predict([xa, xb])
    for o, w in zip(ours, want):
        np.testing.assert_allclose(o, w, rtol=1e-4, atol=1e-5)
