"""Keras course code, written as a Keras user writes it, with only the import line changed (issue 15).

The data are real: scikit-learn's two moons (tabular, as pandas), its 8×8 digits as channels-last
uint8 images; each learning test states the accuracy it must reach.
"""
import numpy as np
import pytest

import neuronet.keras as keras
from neuronet.keras import layers

pd = pytest.importorskip("pandas", reason="needs pandas (course data come as DataFrames): pip install pandas")
datasets = pytest.importorskip("sklearn.datasets", reason="needs scikit-learn (the data): pip install scikit-learn")


@pytest.fixture(scope="module")
def moons():
    X, y = datasets.make_moons(500, noise=0.2, random_state=0)
    df = pd.DataFrame(X, columns=["x1", "x2"])
    labels = pd.Series(y, name="label")
    return df[:400], df[400:], labels[:400], labels[400:]


def test_course_snippet_on_pandas_data(moons):
    X_train, X_test, y_train, y_test = moons
    model = keras.Sequential([
        layers.Dense(16, activation="relu", input_shape=(2,)),
        layers.Dense(16, activation="relu"),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])
    history = model.fit(X_train, y_train, batch_size=32, epochs=50, validation_split=0.2, verbose=0)
    assert len(history.history["val_accuracy"]) == 50
    loss, accuracy = model.evaluate(X_test, y_test)            # Keras's list, unpacked
    assert accuracy >= 0.9 and loss < 0.35
    probabilities = model.predict(X_test.iloc[0:4])
    assert probabilities.shape == (4, 1) and ((probabilities > 0) & (probabilities < 1)).all()
    predicted = (probabilities[:, 0] > 0.5).astype(int)
    assert (predicted == y_test.iloc[0:4].to_numpy()).mean() >= 0.75


def test_sequential_with_add_input_and_keras_objects(moons):
    X_train, X_test, y_train, y_test = moons
    model = keras.Sequential()
    model.add(keras.Input(shape=(2,)))
    model.add(layers.Dense(32, activation="tanh"))
    model.add(layers.Dense(2, activation="softmax"))
    assert [w.shape for w in model.get_weights()] == [(2, 32), (32,), (32, 2), (2,)]  # built: Keras's layout
    assert model.count_params() == 2 * 32 + 32 + 32 * 2 + 2
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)
    model.fit(X_train.to_numpy(), y_train.to_numpy().reshape(-1, 1), epochs=40, batch_size=32,
              validation_data=(X_test, y_test), callbacks=[stop], verbose=0)
    result = model.evaluate(X_test, y_test, return_dict=True)
    assert result["accuracy"] >= 0.9
    assert model.get_layer(model.layers[1].name) is model.layers[1]


def test_functional_model_with_two_inputs_and_a_shared_layer(moons, tmp_path):
    X_train, X_test, y_train, y_test = moons
    left, right = keras.Input(shape=(2,), name="left"), keras.Input(shape=(2,), name="right")
    shared = layers.Dense(16, activation="relu", name="shared")
    merged = layers.Concatenate()([shared(left), shared(right)])
    hidden = layers.Dense(16, activation="relu")(merged)
    output = layers.Dense(1, activation="sigmoid")(hidden)
    model = keras.Model(inputs=[left, right], outputs=output)
    # one set of shared weights: 2·16+16, then (32→16) and (16→1)
    assert model.count_params() == 48 + 32 * 16 + 16 + 17
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    swapped = lambda df: df[["x2", "x1"]]  # noqa: E731  the second input sees the columns reversed
    model.fit([X_train, swapped(X_train)], y_train, epochs=30, batch_size=32, verbose=0)
    loss, accuracy = model.evaluate([X_test, swapped(X_test)], y_test)
    assert accuracy >= 0.9
    model.save(tmp_path / "moons.nnet")
    again = keras.models.load_model(tmp_path / "moons.nnet")
    np.testing.assert_array_equal(again.predict([X_test, swapped(X_test)]), model.predict([X_test, swapped(X_test)]))
    assert [layer.name for layer in again.layers] == [layer.name for layer in model.layers]


def test_channels_last_cnn_on_uint8_digits():
    digits = datasets.load_digits()
    images = np.round(digits.images * (255 / 16)).astype(np.uint8)[..., None]   # (N, 8, 8, 1), as Keras wants
    labels = digits.target
    x_train, x_test = images[:1400] / 255.0, images[1400:] / 255.0
    y_train, y_test = labels[:1400], labels[1400:]
    model = keras.Sequential([
        keras.Input(shape=(8, 8, 1)),
        layers.Conv2D(8, (3, 3), padding="same", activation="relu"),
        layers.BatchNormalization(momentum=0.9),   # Keras's 0.99 needs more than these 220 steps to settle
        layers.MaxPooling2D((2, 2)),
        layers.Conv2D(16, 3, strides=2, padding="same", activation="relu"),
        layers.Flatten(),
        layers.Dropout(0.2),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.005), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=10, batch_size=64, verbose=0)
    loss, accuracy = model.evaluate(x_test, y_test)
    assert accuracy >= 0.9                                                       # measured 0.92-0.93
    assert model.layers[0].get_weights()[0].shape == (3, 3, 1, 8)                # Keras's kernel layout
    with pytest.warns(UserWarning, match="uint8 input cast to float32 once") if _first_uint8() else _nothing():
        raw = model.predict(images[1400:1404])                                    # uint8 straight in
    assert raw.shape == (4, 10)


def _first_uint8():
    from neuronet.train import inputs
    return not inputs._noted


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_text_model_embedding_lstm_bidirectional():
    rng = np.random.default_rng(0)
    x = rng.integers(1, 20, size=(400, 12))
    y = (x == 7).any(axis=1).astype(np.int64)         # does token 7 occur anywhere in the sequence?
    model = keras.Sequential([
        layers.Embedding(20, 8),
        layers.Bidirectional(layers.LSTM(16)),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.02), loss="binary_crossentropy",
                  metrics=["accuracy"])
    model.fit(x[:300], y[:300], epochs=12, batch_size=32, verbose=0)
    loss, accuracy = model.evaluate(x[300:], y[300:])
    assert accuracy >= 0.9


def test_the_same_model_trains_in_a_pytorch_style_loop(moons):
    import neuronet as nt
    X_train, _, y_train, _ = moons
    x = nt.tensor(X_train.to_numpy().astype(np.float32))
    y = nt.tensor(y_train.to_numpy().astype(np.float32).reshape(-1, 1))
    model = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(16, activation="relu"),
                              layers.Dense(1, activation="sigmoid")])
    opt = nt.optim.Adam(model.parameters(), lr=0.02)
    first = None
    for _ in range(100):
        loss = nt.F.binary_cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        first = first if first is not None else float(loss.item())
    assert float(loss.item()) < 0.5 * first
    assert model.layers[0].weight.shape == (16, 2)                      # PyTorch's layout underneath
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], model.layers[0].weight.data.T)
