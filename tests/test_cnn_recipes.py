"""Convolutional recipes: registration, the CIFAR-10 recipes end to end on the CIFAR fixtures (both
file formats), the clear error when CIFAR-10 is missing, and the fashion-cnn model on a slice."""
import json
from pathlib import Path

import numpy as np
import pytest

import neuronet as nt
from neuronet.data import DatasetNotFoundError
from neuronet.recipes import cnn, get_recipe, recipe_names, run_recipe
from neuronet.recipes.datasets import CIFAR10_ENV, cifar10_folder, dataset_splits
from tests.data.conftest import ensure_dataset  # noqa: F401  (fixture: fetch the data when missing)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CIFAR_RECIPES = ("cifar10-model1", "cifar10-model2", "cifar10-model3")


def test_recipes_are_registered():
    for name in (*CIFAR_RECIPES, "fashion-cnn", "fashion-lenet"):
        assert name in recipe_names()
    for name in CIFAR_RECIPES:
        recipe = get_recipe(name)
        assert recipe.data is cnn.cifar10_data and recipe.report is cnn.data_source_report
        assert recipe.validation_split > 0 and recipe.callbacks is not None
    assert get_recipe("fashion-cnn").model is cnn.fashion_cnn


@pytest.mark.parametrize("name, params", [("cifar10-model1", 3_426_250), ("cifar10-model2", 62_006),
                                          ("cifar10-model3", 5_852_170)])
def test_cifar_recipe_runs_end_to_end_on_the_fixture(name, params, monkeypatch, tmp_path):
    folder = FIXTURES / ("cifar_py" if name == "cifar10-model3" else "cifar_bin")
    monkeypatch.setenv(CIFAR10_ENV, str(folder))
    lines = []
    report = run_recipe(name, epochs=1, batch_size=2, out=str(tmp_path), verbose=0, print_fn=lines.append)
    assert report["params"] == params and report["epochs"] == 1
    assert report["extra"] == {"data_folder": str(folder)}
    assert report["class_names"] == list(nt.data.CIFAR10_CLASSES)
    cm = np.array(report["confusion_matrix"])
    assert cm.shape == (10, 10) and cm.sum() == 1 and cm[6].sum() == 1  # the one test image is a frog (6)
    assert report["test"]["accuracy"] in (0.0, 1.0) and np.isfinite(report["test"]["loss"])
    assert json.loads((tmp_path / "report.json").read_text())["test"] == report["test"]
    assert (tmp_path / "model.safetensors").stat().st_size > params * 4  # float32 weights
    assert any(line.startswith("test: accuracy") or line.startswith("test: loss") for line in lines)


def test_cifar_folder_defaults_to_the_cache(monkeypatch, tmp_path):
    monkeypatch.delenv(CIFAR10_ENV, raising=False)
    monkeypatch.setenv("NEURONET_DATA", str(tmp_path))
    assert cifar10_folder() == tmp_path / "cifar-10-batches-py"
    with pytest.raises(DatasetNotFoundError, match="cifar-10-batches-py") as info:
        run_recipe("cifar10-model2", epochs=1, out=str(tmp_path / "run"), verbose=0, print_fn=lambda *a: None)
    message = str(info.value)
    assert str(tmp_path / "cifar-10-batches-py") in message and CIFAR10_ENV in message
    assert "test_batch.bin" in message and "data_batch_1" in message and "cannot download" in message


def test_cifar_missing_from_the_named_folder(monkeypatch, tmp_path):
    monkeypatch.setenv(CIFAR10_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(DatasetNotFoundError, match=f"looked in {tmp_path / 'nowhere'}"):
        dataset_splits("cifar10")


def test_fashion_cnn_builds_on_fashion_images_and_trains():
    nt.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((64, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, 64)
    model = cnn.fashion_cnn()
    model.compile(optimizer="adam", loss="cross_entropy", learning_rate=2e-3)
    assert model.predict(x[:2]).shape == (2, 10)
    # 2×(conv + BN + conv) for 1→16→16 and 16→32→32 (out·in·9 + out, 2·out), then dense 32·7·7 → 256 → 10
    assert model.count_params() == (160 + 32 + 2320) + (4640 + 64 + 9248) + (1568 * 256 + 256) + (256 * 10 + 10)
    history = model.fit(x[:16], y[:16], epochs=6, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]  # it can memorise 16 images


def test_fashion_cnn_learns_a_slice_of_fashion_mnist(ensure_dataset):
    ensure_dataset("fashion-mnist")
    nt.manual_seed(0)
    data = dataset_splits("fashion-mnist-images")
    model = cnn.fashion_cnn()
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"], learning_rate=2e-3)
    model.fit(data["x_train"][:512], data["y_train"][:512], epochs=1, batch_size=32, verbose=0)
    assert model.evaluate(data["x_test"][:300], data["y_test"][:300])["accuracy"] > 0.4  # chance is 0.1
