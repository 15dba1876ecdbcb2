"""The neuronet.keras surface beyond the course snippets: graph checks, saving, weights in Keras's
layout, several outputs, subclassing, clear errors."""
import numpy as np
import pytest

import neuronet as nt
import neuronet.keras as keras
from neuronet.keras import layers


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, (x[:, 0] + x[:, 1] > 0).astype(np.int64)


def test_layers_take_keras_common_arguments_and_refuse_unknown_ones():
    d = layers.Dense(3, name="hidden", trainable=False, input_shape=(4,))
    assert d.name == "hidden" and d.trainable is False and d.keras_input_shape == (4,)
    assert layers.Dense(2).name != layers.Dense(2).name            # dense_1, dense_2, ... as Keras
    with pytest.raises(TypeError, match=r"Dense: unexpected argument\(s\) \['unitz'\]"):
        layers.Dense(3, unitz=4)
    with pytest.raises(ValueError, match="MaxPooling2D: padding='same' is not supported"):
        layers.MaxPooling2D(padding="same")
    with pytest.raises(ValueError, match="Embedding: mask_zero=True is not supported"):
        layers.Embedding(10, 3, mask_zero=True)


def test_functional_graph_errors_name_the_layer_and_the_input():
    a, b = keras.Input(shape=(4,), name="a"), keras.Input(shape=(3,), name="b")
    with pytest.raises(ValueError, match=r"Add: the inputs must have the same shape"):
        layers.Add()([layers.Dense(2)(a), layers.Dense(3)(b)])
    out = layers.Dense(1)(layers.Concatenate()([a, b]))
    with pytest.raises(ValueError, match=r"reads Input 'b', which is not among the model's inputs \['a'\]"):
        keras.Model(a, out)
    with pytest.raises(ValueError, match="give both inputs and outputs"):
        keras.Model(inputs=a)
    model = keras.Model([a, b], out)
    with pytest.raises(ValueError, match=r"expected 2 inputs \(a, b\), got 1"):
        model(nt.tensor(np.ones((2, 4), np.float32)))


def test_functional_model_with_two_outputs_predicts_a_list_and_trains_both(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 4)).astype(np.float32)
    classes = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    amount = (2 * x[:, 2] - x[:, 3]).astype(np.float32)
    inp = keras.Input(shape=(4,))
    h = layers.Dense(16, activation="relu")(inp)
    model = keras.Model(inp, [layers.Dense(2, activation="softmax", name="cls")(h), layers.Dense(1, name="reg")(h)])
    first, second = model.predict(x)
    assert first.shape == (300, 2) and second.shape == (300, 1)
    a, b = model(nt.tensor(x))                          # PyTorch-style: a list of tensors
    np.testing.assert_allclose(a.data, first, rtol=1e-6)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.02),
                  loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"}, loss_weights={"cls": 1.0, "reg": 0.5},
                  metrics={"cls": ["accuracy"], "reg": ["mae"]})
    history = model.fit(x, [classes, amount], epochs=30, verbose=0, validation_split=0.2)
    assert history.history["val_cls_accuracy"][-1] >= 0.9 and history.history["val_reg_mae"][-1] < 0.3
    logs = model.evaluate(x, {"cls": classes, "reg": amount}, return_dict=True)
    # the loss is the weighted sum of the outputs' losses
    probs, pred = model.predict(x)
    ce = -np.log(np.clip(probs[np.arange(300), classes], 1e-7, 1)).mean()
    assert logs["loss"] == pytest.approx(ce + 0.5 * ((pred[:, 0] - amount) ** 2).mean(), rel=1e-4)
    with pytest.raises(ValueError, match=r"this model has 2 outputs \['cls', 'reg'\]; pass y as a list of 2 arrays"):
        model.fit(x, classes, verbose=0)
    with pytest.raises(ValueError, match=r"loss names \['clz'\], which are not outputs"):
        model.compile(loss={"clz": "mse", "reg": "mse"})
    model.save(tmp_path / "two.nnet")
    again = nt.load_model(tmp_path / "two.nnet")
    for p, q in zip(again.predict(x), model.predict(x)):
        np.testing.assert_array_equal(p, q)
    assert again.evaluate(x, [classes, amount]) == pytest.approx(logs["loss"], rel=1e-6)   # re-compiled


def test_a_model_is_a_layer_of_a_bigger_functional_model():
    inner_in = keras.Input(shape=(4,))
    inner = keras.Model(inner_in, layers.Dense(3, activation="relu")(inner_in), name="encoder")
    outer_in = keras.Input(shape=(4,))
    outer = keras.Model(outer_in, layers.Dense(1)(inner(outer_in)))
    x, _ = data()
    assert outer.predict(x).shape == (64, 1)
    assert outer.count_params() == 4 * 3 + 3 + 3 + 1


def test_subclassed_model_with_call():
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(16, activation="relu")
            self.out = layers.Dense(2, activation="softmax")

        def call(self, x):
            return self.out(self.hidden(x))
    x, y = data(200)
    net = Net()
    net.compile(optimizer=keras.optimizers.Adam(learning_rate=0.02), loss="sparse_categorical_crossentropy",
                metrics=["accuracy"])
    net.fit(x, y, epochs=20, verbose=0)
    loss, acc = net.evaluate(x, y)
    assert acc >= 0.95


def test_get_weights_set_weights_round_trip_and_errors():
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3), layers.BatchNormalization(),
                              layers.Dense(2)])
    weights = model.get_weights()
    assert [w.shape for w in weights] == [(4, 3), (3,), (3,), (3,), (3,), (3,), (3, 2), (2,)]
    new = [w + 1 for w in weights]
    model.set_weights(new)
    for got, want in zip(model.get_weights(), new):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(model.layers[0].weight.data, new[0].T)    # PyTorch layout underneath
    with pytest.raises(ValueError, match="set_weights: the model has 8 weight arrays, got 7"):
        model.set_weights(new[:-1])
    with pytest.raises(ValueError, match=r"set_weights: weight expects shape \(4, 3\) in Keras's layout, got \(3, 4\)"):
        model.layers[0].set_weights([new[0].T, new[1]])
    with pytest.raises(ValueError, match=r"get_layer: no layer named 'nope'"):
        model.get_layer("nope")
    assert model.get_layer(index=0) is model.layers[0]


def test_keras_sequential_saves_compile_settings_and_loads_again(tmp_path):
    x, y = data()
    model = keras.Sequential([layers.Dense(8, activation="relu", input_shape=(4,)),
                              layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss=keras.losses.BinaryCrossentropy(),
                  metrics=["accuracy"])
    model.fit(x, y, epochs=2, verbose=0)
    model.save(tmp_path / "m.nnet")
    again = keras.models.load_model(tmp_path / "m.nnet")
    assert type(again) is keras.Sequential
    np.testing.assert_array_equal(again.predict(x), model.predict(x))
    assert again.evaluate(x, y) == model.evaluate(x, y)                  # re-compiled: loss and accuracy
    assert again.optimizer.param_groups[0]["lr"] == 0.01
    again.fit(x, y, epochs=3, initial_epoch=2, verbose=0)                # resumes


def test_keras_losses_take_y_true_first_and_compile_takes_them():
    y_true = np.array([[1.0], [0.0]], np.float32)
    y_pred = nt.tensor(np.array([[0.9], [0.2]], np.float32))
    want = -(np.log(0.9) + np.log(0.8)) / 2
    assert keras.losses.BinaryCrossentropy()(y_true, y_pred).item() == pytest.approx(want, rel=1e-5)
    per_sample = keras.losses.binary_crossentropy(nt.tensor(y_true), y_pred)
    np.testing.assert_allclose(per_sample.data, [-np.log(0.9), -np.log(0.8)], rtol=1e-5)
    smooth = keras.losses.BinaryCrossentropy(label_smoothing=0.1)
    model = keras.Sequential([layers.Dense(1, activation="sigmoid")])
    model.compile(loss=smooth)
    assert type(model.loss_fn).__name__ == "BinaryCrossentropy" and model.loss_fn.label_smoothing == 0.1


def test_keras_optimizer_names_get_keras_defaults():
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(1)])
    model.compile(optimizer="rmsprop", loss="mse")
    model._make_optimizer()
    group = model.optimizer.param_groups[0]
    assert group["lr"] == 0.001 and group["alpha"] == 0.9 and group["eps"] == 1e-7   # Keras's RMSprop
    with pytest.raises(ValueError, match="learning_rate must be a positive number"):
        keras.optimizers.SGD(learning_rate=0)


def test_channels_first_data_format_skips_the_transposes():
    x = np.random.default_rng(0).normal(size=(2, 3, 6, 6)).astype(np.float32)
    first, last = layers.Conv2D(4, 3, data_format="channels_first"), layers.Conv2D(4, 3)
    a = first(nt.tensor(x)).data
    last(nt.tensor(x.transpose(0, 2, 3, 1)))
    last.set_weights(first.get_weights())
    b = last(nt.tensor(x.transpose(0, 2, 3, 1))).data
    np.testing.assert_allclose(a, b.transpose(0, 3, 1, 2), rtol=1e-5, atol=1e-6)


def test_utils_to_categorical_and_pad_sequences():
    np.testing.assert_array_equal(keras.utils.to_categorical(np.array([[2], [0]]), 4),
                                  [[0, 0, 1, 0], [1, 0, 0, 0]])
    with pytest.raises(ValueError, match="label 3 does not fit num_classes=3"):
        keras.utils.to_categorical([3], num_classes=3)
    seqs = [[1, 2, 3], [4], []]
    np.testing.assert_array_equal(keras.utils.pad_sequences(seqs), [[1, 2, 3], [0, 0, 4], [0, 0, 0]])
    np.testing.assert_array_equal(keras.utils.pad_sequences(seqs, maxlen=2, padding="post", truncating="post"),
                                  [[1, 2], [4, 0], [0, 0]])
    np.testing.assert_array_equal(keras.utils.pad_sequences(seqs, maxlen=2), [[2, 3], [0, 4], [0, 0]])


def test_fashion_mnist_comes_as_keras_gives_it():
    from neuronet.data.datasets.fetch import is_cached
    if not is_cached("fashion-mnist"):
        pytest.skip("needs the Fashion-MNIST cache: neuronet data fetch fashion-mnist")
    (x, y), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
    assert x.shape == (60000, 28, 28) and x.dtype == np.uint8 and x.max() == 255
    assert x_test.shape == (10000, 28, 28) and list(y[:5]) == [9, 0, 0, 3, 0]
    with pytest.raises(ValueError, match="full MNIST cannot be downloaded here"):
        keras.datasets.mnist.load_data()


def test_a_layer_that_does_not_fit_is_refused_at_add_and_not_kept():
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3)])
    with pytest.raises(ValueError, match=r"Sequential.add: .*Conv2D.*expected a 4-D input of shape \(N, H, W, C\)"):
        model.add(layers.Conv2D(2, 3))
    assert len(model.layers) == 1 and model.predict(np.ones((1, 4), np.float32)).shape == (1, 3)
    with pytest.raises(TypeError, match=r"Model: unexpected argument\(s\) \['outputz'\]"):
        keras.Model(outputz=1)


def test_importing_neuronet_keras_leaves_neuronets_own_class_names_alone(tmp_path):
    """keras.Sequential/keras.Model were registered under the short names "Sequential"/"Model", so
    after ``import neuronet.keras`` a plain nt.Sequential saved its class by full path and a file
    naming "Sequential" loaded as a keras.Sequential (whose evaluate returns a list)."""
    import neuronet as nt
    plain = nt.Sequential([nt.nn.Dense(2)])
    plain.build((None, 3))
    assert plain.get_config()["class"] == "Sequential"
    plain.save(tmp_path / "plain.nnet")
    assert type(nt.load_model(tmp_path / "plain.nnet")) is nt.Sequential
    k = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    k.save(tmp_path / "k.nnet")
    assert type(nt.load_model(tmp_path / "k.nnet")) is keras.Sequential


def _jit_compile_history(**compile_args):
    nt.manual_seed(0)
    model = keras.Sequential([keras.Input(shape=(6,)), layers.Dense(8, activation="relu"), layers.Dense(3)])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"], **compile_args)
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((40, 6)).astype(np.float32), rng.integers(0, 3, 40)
    history = model.fit(x, y, batch_size=8, epochs=3, verbose=0, shuffle=False)
    return model, history.history["loss"], [w.copy() for w in model.get_weights()]


def test_jit_compile_true_captures_the_step_with_eager_results_to_the_bit():
    eager, eager_loss, eager_weights = _jit_compile_history()
    jitted, jit_loss, jit_weights = _jit_compile_history(jit_compile=True)
    assert eager._jit_steps is None and jitted._jit_steps is not None
    assert jit_loss == eager_loss
    assert all(np.array_equal(a, b) for a, b in zip(jit_weights, eager_weights))
    assert jitted._jit_steps["train"].calls["replay"] > 0  # the captured step was replayed, not only recorded


def test_jit_compile_auto_false_and_run_eagerly_stay_eager():
    for args in ({"jit_compile": "auto"}, {"jit_compile": False}, {"jit_compile": True, "run_eagerly": True}):
        model, _, _ = _jit_compile_history(**args)
        assert model._jit_steps is None, args


def test_jit_compile_takes_only_keras_values():
    model = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(1)])
    with pytest.raises(ValueError, match="jit_compile must be True, False or 'auto', got 'xla'"):
        model.compile(optimizer="sgd", loss="mse", jit_compile="xla")
