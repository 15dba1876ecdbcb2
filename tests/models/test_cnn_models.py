"""The course CNNs build for both CIFAR (3×32×32) and (Fashion-)MNIST (1×28×28) inputs."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.models import cifar_model1, cifar_model2, lenet5, resnet


@pytest.mark.parametrize("build, shape, params", [
    (lenet5, (1, 28, 28), 61_706),
    (lenet5, (3, 32, 32), 83_126),
    (cifar_model1, (3, 32, 32), 3_426_250),
    (cifar_model2, (3, 32, 32), 62_006),
    (cifar_model2, (1, 28, 28), 44_426),
    (resnet, (3, 32, 32), 175_258),
])
def test_builds_and_counts_parameters(build, shape, params):
    model = build(10)
    out = model.predict(np.zeros((2, *shape), np.float32))
    assert out.shape == (2, 10)
    assert model.count_params() == params


def test_lenet_learns_mnist_digits():
    x, y = nt.data.load_mnist_5k()
    x_train, x_test, y_train, y_test = nt.data.train_test_split(x, y, test_size=0.2, stratify=y, seed=0)
    model = lenet5(10)
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"], learning_rate=2e-3)
    model.fit(x_train[:2000], y_train[:2000], epochs=4, batch_size=32, verbose=0)
    assert model.evaluate(x_test, y_test)["accuracy"] > 0.9


def test_resnet_save_load_rebuilds_projection_shortcuts(tmp_path):
    x = np.random.default_rng(0).standard_normal((4, 1, 28, 28)).astype(np.float32)
    model = resnet(10, blocks=(1, 1), filters=(8, 16))
    model.compile(optimizer="adam", loss="cross_entropy")
    model.fit(x, np.arange(4) % 10, epochs=1, verbose=0)
    model.save(tmp_path / "resnet.safetensors")
    again = nt.load_model(tmp_path / "resnet.safetensors")
    assert again[4].shortcut_conv is not None  # the second stage's block projects 8 → 16 channels
    np.testing.assert_array_equal(again.predict(x), model.predict(x))
