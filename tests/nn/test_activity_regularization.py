"""activity_regularizer= and ActivityRegularization: the penalty reaches the loss Model.fit minimises,
Keras's values (÷ batch), training mode only, and the noise layers."""
import numpy as np
import pytest

import neuronet as nt


def test_activity_l1_value_matches_keras_convention():
    layer = nt.nn.ActivityRegularization(l1=0.1, l2=0.2)
    x = np.array([[1.0, -2.0], [3.0, 0.5]], np.float32)
    layer(nt.tensor(x))
    expected = (0.1 * np.abs(x).sum() + 0.2 * (x ** 2).sum()) / 2  # Keras 3 divides by the batch size
    assert np.isclose(float(layer.activity_loss.item()), expected)
    layer.eval()
    layer(nt.tensor(x))
    assert layer.activity_loss is None


def test_plain_callable_is_divided_by_batch():
    layer = nt.nn.Dense(3, activity_regularizer=nt.optim.L1(0.5), in_features=2)
    y = layer(nt.tensor(np.ones((4, 2), np.float32)))
    assert np.isclose(float(layer.activity_loss.item()), 0.5 * np.abs(y.numpy()).sum() / 4)


def test_activity_penalty_enters_fit_loss_and_its_gradient():
    x = np.random.default_rng(0).random((32, 4)).astype(np.float32)
    reg = nt.nn.SparsityKL(0.05, 2.0)
    model = nt.Sequential([nt.nn.Dense(6, activation="sigmoid", activity_regularizer=reg, in_features=4),
                           nt.nn.Dense(4, in_features=6)])
    model.compile("sgd", loss="mse", learning_rate=0.0)
    logs = model.train_on_batch(x, x)
    h = 1 / (1 + np.exp(-(x @ model[0].weight.numpy().T + model[0].bias.numpy())))
    rh = h.mean(0)
    kl = 2.0 * (0.05 * np.log(0.05 / rh) + 0.95 * np.log(0.95 / (1 - rh))).sum()
    assert np.isclose(logs["reg_loss"], kl, rtol=1e-5)
    mse = float(model.evaluate(x, x)["loss"])
    assert np.isclose(logs["loss"], mse + kl, rtol=1e-5)


def test_sparse_kl_drives_mean_activation_toward_rho():
    x = nt.data.load_mnist_5k()[0][:1000].reshape(1000, -1)
    model = nt.Sequential([nt.nn.Dense(64, activation="sigmoid", activity_regularizer=nt.nn.SparsityKL(0.05, 3.0)),
                           nt.nn.Dense(784, activation="sigmoid")])
    model.compile("adam", loss="mse", learning_rate=3e-3)
    model.fit(x, x, epochs=6, batch_size=50, verbose=0, seed=0)
    h = 1 / (1 + np.exp(-(x @ model[0].weight.numpy().T + model[0].bias.numpy())))
    assert h.mean() < 0.1  # unpenalised sigmoid codes sit near 0.5; the KL pulls them to ρ = 0.05


def test_bad_activity_regularizer_names_it():
    with pytest.raises(ValueError, match="activity_regularizer"):
        nt.nn.Dense(3, activity_regularizer="l3")
    with pytest.raises(ValueError, match="SparsityKL: rho"):
        nt.nn.SparsityKL(rho=0.0)
    with pytest.raises(ValueError, match="Corruption: kind"):
        nt.nn.Corruption("blur")


def test_noise_layers_only_in_training():
    layer = nt.nn.GaussianNoise(0.5)
    x = nt.tensor(np.zeros((50, 40), np.float32))
    assert abs(layer(x).numpy().std() - 0.5) < 0.03
    layer.eval()
    assert (layer(x).numpy() == 0).all()
    conv = nt.nn.Conv2D(2, 3, activity_regularizer="l2")
    conv(nt.tensor(np.ones((2, 1, 5, 5), np.float32)))
    assert conv.activity_loss is not None
