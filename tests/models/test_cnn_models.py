"""The course CNNs build for both CIFAR (3×32×32) and (Fashion-)MNIST (1×28×28) inputs."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.models import cifar_model1, cifar_model2, cifar_model3, compact_cnn, lenet5, resnet
from neuronet.nn import BatchNorm2D, Conv2D, Dense, Dropout, MaxPool2D


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


def _model3_params(channels: int, flat: int) -> int:
    """Model 3's parameters by hand: conv k×k = out·in·9 + out, BatchNorm = 2·channels, dense = out·in + out."""
    def conv(cin, cout):
        return cout * cin * 9 + cout
    convs = conv(channels, 32) + conv(32, 64) + conv(64, 128) + conv(128, 128) + conv(128, 256) + conv(256, 256)
    batchnorms = 2 * (32 + 128 + 256)
    dense = (flat * 1024 + 1024) + (1024 * 512 + 512) + (512 * 10 + 10)
    return convs + batchnorms + dense


@pytest.mark.parametrize("shape, flat", [((3, 32, 32), 256 * 4 * 4), ((1, 28, 28), 256 * 3 * 3)])
def test_cifar_model3_shapes_and_parameter_count(shape, flat):
    model = cifar_model3(10)
    assert model.predict(np.zeros((2, *shape), np.float32)).shape == (2, 10)
    assert model.count_params() == _model3_params(shape[0], flat)
    layers = list(model)
    assert [m.filters for m in layers if isinstance(m, Conv2D)] == [32, 64, 128, 128, 256, 256]
    assert sum(isinstance(m, MaxPool2D) for m in layers) == 3 and sum(isinstance(m, BatchNorm2D) for m in layers) == 3
    assert all(m.rate == 0.05 for m in layers if isinstance(m, Dropout))
    assert [m.units for m in layers if isinstance(m, Dense)] == [1024, 512, 10]
    first_dense = next(m for m in layers if isinstance(m, Dense))
    assert first_dense.weight.shape == (1024, flat)


def test_cifar_model3_parameter_formula_total():
    assert _model3_params(3, 4096) == 5_852_170  # 1,126,080 in the convs, 832 in BatchNorm, 4,725,258 dense


def test_cifar_model3_training_step_reduces_loss():
    rng = np.random.default_rng(0)
    x = rng.random((8, 3, 32, 32), dtype=np.float32)
    y = np.arange(8) % 10
    model = cifar_model3(10)
    model.compile(optimizer="adam", loss="cross_entropy", learning_rate=1e-3)
    # one batch per epoch: each epoch's loss is measured just before that epoch's single step
    losses = model.fit(x, y, epochs=2, batch_size=8, verbose=0).history["loss"]
    assert losses[1] < losses[0]


def test_compact_cnn_shapes_and_bad_filters():
    model = compact_cnn(10, filters=(8, 16), dense=32)
    assert model.predict(np.zeros((2, 1, 28, 28), np.float32)).shape == (2, 10)
    assert model[-2].rate == 0.25 and model[-1].units == 10
    with pytest.raises(ValueError, match="compact_cnn: filters"):
        compact_cnn(10, filters=())


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
