"""The `neuronet` command end to end on small data."""
import json

import numpy as np

from neuronet.cli import main


def test_recipes_lists_the_course_experiments(capsys):
    assert main(["recipes"]) == 0
    out = capsys.readouterr().out
    for name in ("xor", "iris", "digits-mlp", "fashion-mlp"):
        assert name in out


def test_train_xor_writes_model_curves_and_report(tmp_path, capsys):
    assert main(["train", "xor", "--out", str(tmp_path), "--quiet"]) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["test"]["accuracy"] == 1.0
    assert (tmp_path / "model.safetensors").exists()
    assert (tmp_path / "training_curves.png").read_bytes()[:4] == b"\x89PNG"
    out = capsys.readouterr().out
    assert "confusion matrix" in out and "test: loss" in out


def test_iris_train_evaluate_predict(tmp_path, capsys):
    assert main(["train", "iris", "--out", str(tmp_path), "--quiet"]) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["test"]["accuracy"] >= 0.96
    capsys.readouterr()
    assert main(["evaluate", str(tmp_path / "model.safetensors"), "iris"]) == 0
    out = capsys.readouterr().out
    assert f"accuracy {report['test']['accuracy']:.4f}" in out
    x = np.array([[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]], dtype=np.float32)
    np.save(tmp_path / "x.npy", x)
    assert main(["predict", str(tmp_path / "model.safetensors"), str(tmp_path / "x.npy"),
                 "--output", str(tmp_path / "p.npy")]) == 0
    assert np.load(tmp_path / "p.npy").shape == (2, 3)


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
