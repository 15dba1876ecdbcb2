"""The `neuronet` command end to end on small data."""
import json

import numpy as np
import pytest

import neuronet as nt
from neuronet.cli import main
from neuronet.recipes.datasets import dataset_splits
from tests.helpers import need


def test_recipes_lists_the_course_experiments(capsys):
    assert main(["recipes"]) == 0
    out = capsys.readouterr().out
    for name in ("xor", "iris", "digits-mlp", "fashion-mlp"):
        assert name in out


def test_train_xor_writes_model_and_report(tmp_path, capsys):
    assert main(["train", "xor", "--out", str(tmp_path), "--quiet"]) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["test"]["accuracy"] == 1.0
    assert (tmp_path / "model.safetensors").exists()
    out = capsys.readouterr().out
    assert "confusion matrix" in out and "test: loss" in out


def test_train_xor_writes_training_curves(tmp_path):
    need("matplotlib")
    assert main(["train", "xor", "--out", str(tmp_path), "--quiet"]) == 0
    assert (tmp_path / "training_curves.png").read_bytes()[:4] == b"\x89PNG"


def test_iris_train_evaluate_predict(tmp_path, capsys):
    assert main(["train", "iris", "--out", str(tmp_path), "--quiet"]) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["test"]["accuracy"] >= 0.96
    capsys.readouterr()
    assert main(["evaluate", str(tmp_path / "model.safetensors"), "iris"]) == 0
    out = capsys.readouterr().out
    assert f"accuracy {report['test']['accuracy']:.4f}" in out
    # predict on the recipe's held-out test flowers: the same numbers as the saved model's own predict,
    # and the same accuracy as the report's test evaluation
    split = dataset_splits("iris")
    x, y = split["x_test"], split["y_test"]
    expected = nt.load_model(tmp_path / "model.safetensors").predict(x)
    np.save(tmp_path / "x.npy", x)
    assert main(["predict", str(tmp_path / "model.safetensors"), str(tmp_path / "x.npy"),
                 "--output", str(tmp_path / "p.npy")]) == 0
    pred = np.load(tmp_path / "p.npy")
    assert pred.shape == (len(y), 3) == expected.shape
    np.testing.assert_allclose(pred, expected, rtol=1e-6, atol=1e-6)
    assert (pred.argmax(1) == y).mean() == pytest.approx(report["test"]["accuracy"])
    # a CSV input without --output prints one row per sample with its class name, probability and number
    np.savetxt(tmp_path / "x.csv", x[:5], delimiter=",")
    capsys.readouterr()
    assert main(["predict", str(tmp_path / "model.safetensors"), str(tmp_path / "x.csv")]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [int(line.rsplit("[class ", 1)[1].rstrip("]")) for line in lines] == expected[:5].argmax(1).tolist()
    names = ("setosa", "versicolor", "virginica")
    assert [line.split(": ")[1].split(" (p = ")[0] for line in lines] == [names[k] for k in expected[:5].argmax(1)]


def test_unknown_recipe_is_a_clear_error(capsys):
    assert main(["train", "no-such-recipe"]) == 2
    assert "unknown recipe 'no-such-recipe'" in capsys.readouterr().err


def test_info_reports_versions(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "neuronet" in out and "numpy" in out


def test_data_list(capsys):
    assert main(["data", "list"]) == 0
    out = capsys.readouterr().out
    assert "fashion-mnist" in out and "iris" in out
