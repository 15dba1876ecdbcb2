"""neuronet.keras layers against Keras 3 itself (torch backend): Keras's weights loaded with
``set_weights`` give Keras's outputs, and ``get_weights`` gives them back in Keras's layout.

Skips without keras (a test-only dependency: ``pip install keras``, run with the pinned torch)."""
import os

import numpy as np
import pytest

import neuronet as nt
import neuronet.keras as nkeras
from neuronet.keras import layers as nl

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras", reason="needs keras 3 (the parity oracle): pip install keras")
if keras.backend.backend() != "torch":  # pragma: no cover - another backend was chosen before this module
    pytest.skip("the Keras parity tests run on Keras's torch backend (KERAS_BACKEND=torch)", allow_module_level=True)


def _np(t):
    return keras.ops.convert_to_numpy(t)


def _rand(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


CASES = [
    ("Dense", lambda L: L.Dense(5, activation="relu"), (4, 7)),
    ("Conv2D same", lambda L: L.Conv2D(4, 3, padding="same"), (2, 7, 6, 3)),
    ("Conv2D same stride 2", lambda L: L.Conv2D(4, 3, strides=2, padding="same", activation="tanh"), (2, 7, 6, 3)),
    ("Conv2D valid stride 2", lambda L: L.Conv2D(4, (3, 2), strides=2), (2, 8, 7, 3)),
    ("Conv1D", lambda L: L.Conv1D(4, 3, padding="same"), (2, 9, 3)),
    ("MaxPooling2D", lambda L: L.MaxPooling2D((2, 2)), (2, 6, 6, 3)),
    ("AveragePooling2D", lambda L: L.AveragePooling2D(2, strides=1), (2, 5, 5, 3)),
    ("GlobalAveragePooling2D", lambda L: L.GlobalAveragePooling2D(), (2, 5, 4, 3)),
    ("GlobalMaxPooling1D", lambda L: L.GlobalMaxPooling1D(), (2, 5, 3)),
    ("Flatten", lambda L: L.Flatten(), (2, 3, 4, 2)),
    ("BatchNormalization 4-D", lambda L: L.BatchNormalization(), (4, 3, 3, 5)),
    ("BatchNormalization 2-D", lambda L: L.BatchNormalization(epsilon=1e-5), (6, 5)),
    ("LSTM sequences", lambda L: L.LSTM(6, return_sequences=True), (3, 5, 4)),
    ("GRU", lambda L: L.GRU(6), (3, 5, 4)),
    ("SimpleRNN", lambda L: L.SimpleRNN(6, return_sequences=True), (3, 5, 4)),
    ("Bidirectional LSTM", lambda L: L.Bidirectional(L.LSTM(4)), (3, 5, 4)),
    ("LayerNormalization", lambda L: L.LayerNormalization(), (3, 6)),
]


@pytest.mark.parametrize("make, shape", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_layer_matches_keras_with_keras_weights(make, shape):
    x = _rand(shape)
    theirs = make(keras.layers)
    want = _np(theirs(x, training=False))
    weights = [np.asarray(w) for w in theirs.get_weights()]
    if "BatchNormalization" in type(theirs).__name__:  # moving statistics that are not 0 and 1
        rng = np.random.default_rng(1)
        weights = [rng.normal(size=w.shape).astype(np.float32) if i < 3 else rng.uniform(0.5, 2, w.shape).astype(
            np.float32) for i, w in enumerate(weights)]
        theirs.set_weights(weights)
        want = _np(theirs(x, training=False))
    ours = make(nl)
    ours.eval()
    ours(nt.tensor(x))  # build
    ours.set_weights(weights)
    got = ours(nt.tensor(x)).data
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    for mine, keras_w in zip(ours.get_weights(), weights):
        np.testing.assert_allclose(mine, keras_w, rtol=1e-6, atol=1e-6)


def test_batch_normalization_training_output_matches_keras():
    x = _rand((8, 3, 3, 4))
    theirs, ours = keras.layers.BatchNormalization(), nl.BatchNormalization()
    want = _np(theirs(x, training=True))
    got = ours(nt.tensor(x)).data
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    # moving mean after one step: Keras's momentum 0.99 keeps 99 % of the old value
    np.testing.assert_allclose(ours.get_weights()[2], np.asarray(theirs.get_weights()[2]), rtol=1e-5, atol=1e-6)


def test_embedding_matches_keras():
    ids = np.random.default_rng(0).integers(0, 10, size=(3, 5))
    theirs = keras.layers.Embedding(10, 4)
    want = _np(theirs(ids))
    ours = nl.Embedding(10, 4)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours(nt.tensor(ids)).data, want, rtol=1e-6)


def test_a_whole_keras_cnn_loads_its_weights_and_predicts_the_same():
    def build(k, L):
        return k.Sequential([k.Input(shape=(8, 8, 1)), L.Conv2D(4, 3, padding="same", activation="relu"),
                             L.MaxPooling2D(), L.Conv2D(6, 3, strides=2, padding="same"), L.Flatten(),
                             L.Dense(10, activation="softmax")])
    theirs, ours = build(keras, keras.layers), build(nkeras, nl)
    x = _rand((5, 8, 8, 1))
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours.predict(x), theirs.predict(x, verbose=0), rtol=1e-4, atol=1e-6)
    assert theirs.count_params() == ours.count_params()
