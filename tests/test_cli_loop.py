"""`neuronet train` then `predict`/`evaluate` on what it saved, for every kind of recipe.

CI covers one recipe of each kind (cnn/images, text LSTM, series, character language model,
numerals, attention; mlp/features is tests/test_cli.py's iris) with one epoch on 64 samples
(``--limit``); the slow test runs every recipe that has its data on this machine.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from neuronet.cli import build_parser, main
from neuronet.recipes import get_recipe, recipe_names
from neuronet.recipes.preprocessing import load_preprocessing
from tests.data.conftest import ensure_dataset  # noqa: F401  (fixture: fetch the data when missing)

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 64
DATASET_OF = {"fashion-mnist": "fashion-mnist", "fashion-mnist-images": "fashion-mnist", "digits": None,
              "iris": None, "xor": None, "rotten-tomatoes": "rotten-tomatoes", "sunspots": "timeseries",
              "shakespeare": "shakespeare", "numerals": None, "cifar10": None}


def _train(recipe, out, capsys, *extra):
    assert main(["train", recipe, "--epochs", "1", "--limit", str(LIMIT), "--out", str(out), "--quiet", *extra]) == 0
    capsys.readouterr()
    return json.loads((out / "report.json").read_text())


def _run(capsys, *argv):
    assert main(list(argv)) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def _predict_and_check(recipe, out, tmp_path, capsys):
    """Predict on inputs of the recipe's kind; returns the printed lines."""
    model = str(out / "model.safetensors")
    kind = get_recipe(recipe).kind
    info = load_preprocessing(out / "preprocessing.json")
    if kind in ("features", "images"):
        from neuronet.recipes.datasets import dataset_splits
        x = dataset_splits(get_recipe(recipe).dataset)["x_test"][:3]
        n = len(x)
        if kind == "images":                        # raw 0-255 pixels are scaled like the training images
            np.save(tmp_path / "x.npy", np.round(x * 255).astype(np.uint8))
            lines = _run(capsys, "predict", model, str(tmp_path / "x.npy")).splitlines()
        else:
            np.savetxt(tmp_path / "x.csv", x.reshape(n, -1), delimiter=",",
                       header=",".join(f"f{i}" for i in range(x[0].size)), comments="")
            lines = _run(capsys, "predict", model, str(tmp_path / "x.csv")).splitlines()
        assert len(lines) == n and all(any(c in line for c in info["class_names"]) for line in lines)
    elif kind == "text":
        lines = _run(capsys, "predict", model, "--text", "a joyless, tedious film",
                     "--text", "a wonderful, moving story").splitlines()
        assert len(lines) == 2 and all(("fresh" in line and "rotten" in line) for line in lines)
        assert "'a joyless, tedious film' ->" in lines[0]
    elif kind == "series":
        from neuronet.data.datasets import load_sunspots
        (tmp_path / "s.csv").write_text("month,sunspots\n" + "\n".join(f"{i},{v}" for i, v in
                                                                      enumerate(load_sunspots()[0][-30:])))
        lines = _run(capsys, "predict", model, str(tmp_path / "s.csv"), "--steps", "2").splitlines()
        assert lines[0].startswith("forecast after the last 24 of 30 values")
        assert [line.split(":")[0] for line in lines[1:]] == ["+1", "+2"]
        assert all(np.isfinite(float(line.split(":")[1])) for line in lines[1:])
    elif kind == "numerals":
        lines = _run(capsys, "predict", model, "--text", "1994 3888").splitlines()
        assert [line.split(" -> ")[0] for line in lines] == ["1994", "3888"]
        assert all(set(line.split(" -> ")[1]) <= set("IVXLCDM") for line in lines)
    elif kind == "characters":
        lines = _run(capsys, "predict", model, "--text", "ROMEO.", "--length", "20").splitlines()
        assert lines[0].startswith("ROMEO.")
    elif kind == "generative":                       # reconstructions: their error, and the arrays with --output
        from neuronet.recipes.datasets import dataset_splits
        np.save(tmp_path / "x.npy", dataset_splits(get_recipe(recipe).dataset)["x_test"][:3])
        lines = _run(capsys, "predict", model, str(tmp_path / "x.npy")).splitlines()
        assert [line.split(":")[0] for line in lines] == ["image 0", "image 1", "image 2"]
        assert all("reconstruction error (MSE)" in line for line in lines)
        _run(capsys, "predict", model, str(tmp_path / "x.npy"), "--output", str(tmp_path / "r.npy"))
        assert np.load(tmp_path / "r.npy").shape == (3, 1, 28, 28)
    return lines


def _evaluate_and_check(recipe, out, report, capsys):
    r = get_recipe(recipe)
    text = _run(capsys, "evaluate", str(out / "model.safetensors"), "--limit", str(LIMIT))
    assert f"recipe {recipe} ({r.kind}), scored on {r.dataset}" in text
    if r.kind in ("features", "images", "text"):
        info = load_preprocessing(out / "preprocessing.json")
        assert "confusion matrix" in text and all(n in text for n in info["class_names"])
        # the same test samples as the run's own test evaluation: the same accuracy
        assert f"accuracy {report['test']['accuracy']:.4f}" in text
    elif r.kind == "series":                      # sunspot units, and the report's standardised RMSE
        assert "sunspots" in text and "persistence" in text
        assert f"rmse {report['test']['rmse']:.4f}" in text
        rmse_units = float(text.split("rmse ")[1].split(" sunspots")[0])
        assert rmse_units == pytest.approx(report["test_in_data_units"]["rmse"], abs=0.01)
    elif r.kind == "characters":
        assert "nats/char" in text
    elif r.kind == "numerals":
        assert f"on {LIMIT} held-out numbers" in text
    elif r.kind == "generative":                  # the reconstruction loss of the run's own test evaluation
        assert "(reconstructing them)" in text
        assert f"loss {report['test']['loss']:.4f}" in text


KIND_RECIPES = ["fashion-lenet", "rt-sentiment-lstm", "sunspots-lstm", "shakespeare-lstm", "numerals-transformer",
                "rt-sentiment-transformer", "fashion-ae"]


@pytest.mark.parametrize("recipe", KIND_RECIPES)
def test_train_then_predict_and_evaluate(recipe, tmp_path, capsys, ensure_dataset):
    fetch = DATASET_OF[get_recipe(recipe).dataset]
    if fetch:
        ensure_dataset(fetch)
    out = tmp_path / "run"
    report = _train(recipe, out, capsys)
    assert report["limit"] == LIMIT and "extra" not in report
    info = load_preprocessing(out / "preprocessing.json")
    assert info["recipe"] == recipe and info["kind"] == get_recipe(recipe).kind
    _predict_and_check(recipe, out, tmp_path, capsys)
    _evaluate_and_check(recipe, out, report, capsys)


def test_saved_recipe_models_load_in_a_program_that_imported_only_neuronet(tmp_path):
    """TextLSTMClassifier once gave "unknown module class": nt.load_model finds every recipe's class."""
    from neuronet.models import TextLSTMClassifier
    model = TextLSTMClassifier(50, 2, embedding_dim=4, units=4)
    model.compile(loss="cross_entropy")
    ids = np.array([[3, 4, 5, 0], [6, 7, 0, 0]])
    expected = model.predict(ids)
    model.save(tmp_path / "m.safetensors")
    np.save(tmp_path / "ids.npy", ids)
    code = (f"import numpy as np, neuronet as nt; m = nt.load_model({str(tmp_path / 'm.safetensors')!r}); "
            f"print(type(m).__name__); np.save({str(tmp_path / 'p.npy')!r}, m.predict(np.load({str(tmp_path / 'ids.npy')!r})))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "TextLSTMClassifier"
    np.testing.assert_allclose(np.load(tmp_path / "p.npy"), expected, rtol=1e-6)


def test_every_recipe_has_a_kind_dataset_time_and_figure(capsys):
    from neuronet.recipes.evaluation import EVAL_DATASETS
    out = _run(capsys, "recipes")
    for name in recipe_names():
        r = get_recipe(name)
        assert r.dataset in EVAL_DATASETS or r.kind == "experiment", name
        assert r.train_time and r.reported, name
        line = next(line for line in out.splitlines() if line.startswith(name + " "))
        assert r.train_time in line and r.reported in line
    assert "72 s" in out and "90.43 %" in out                      # fashion-lenet, from the README


def test_help_describes_every_option_and_lists_recipes_and_datasets(capsys):
    from neuronet.recipes.evaluation import EVAL_DATASETS
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices
    for command, p in sub.items():
        for action in p._actions:
            if action.dest != "help":
                assert action.help, f"neuronet {command}: option {action.dest} has no help"
    for command, names in (("train", recipe_names()), ("evaluate", EVAL_DATASETS)):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = capsys.readouterr().out
        assert all(n in text for n in names), command
    with pytest.raises(SystemExit):
        main(["predict", "--help"])
    text = capsys.readouterr().out
    assert all(kind in text for kind in ("features", "images", "text", "series", "characters", "numerals"))


def test_predict_reads_a_csv_with_a_header_and_a_label_column(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "iris", "--out", str(out), "--quiet", "--epochs", "60"]) == 0
    capsys.readouterr()
    (tmp_path / "flowers.csv").write_text("sepal_length,sepal_width,petal_length,petal_width,species\n"
                                          "5.1,3.5,1.4,0.2,0\n6.7,3.0,5.2,2.3,2\n")
    assert main(["predict", str(out / "model.safetensors"), str(tmp_path / "flowers.csv")]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert "left out the column 'species'" in captured.err
    assert lines[0].startswith("0: setosa (p = ") and lines[1].startswith("1: virginica (p = ")
    assert main(["predict", str(out / "model.safetensors"), "--text", "5.1 3.5 1.4 0.2"]) == 0
    assert capsys.readouterr().out.startswith("0: setosa")


def test_damaged_preprocessing_is_a_clear_error(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "xor", "--out", str(out), "--quiet", "--epochs", "2"]) == 0
    capsys.readouterr()
    info = json.loads((out / "preprocessing.json").read_text())
    info["kind"] = "pickle"
    (out / "preprocessing.json").write_text(json.dumps(info))
    assert main(["predict", str(out / "model.safetensors"), "--text", "0 1"]) == 2
    err = capsys.readouterr().err
    assert "preprocessing.json" in err and "'kind' must be one of" in err
    (out / "preprocessing.json").write_text("{not json")
    assert main(["evaluate", str(out / "model.safetensors"), "xor"]) == 2
    assert "not valid JSON" in capsys.readouterr().err


def test_evaluate_refuses_a_dataset_the_model_cannot_read(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "xor", "--out", str(out), "--quiet", "--epochs", "2"]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(out / "model.safetensors"), "sunspots"]) == 2
    assert "trained by recipe xor on xor" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.parametrize("recipe", recipe_names())
def test_every_recipe_trains_predicts_and_evaluates(recipe, tmp_path, capsys, ensure_dataset, monkeypatch):
    if recipe.startswith("cifar10"):      # CIFAR-10 is in no registry: the test's files in its format
        from neuronet.recipes.datasets import CIFAR10_ENV
        monkeypatch.setenv(CIFAR10_ENV, str(ROOT / "tests" / "fixtures" / "cifar_bin"))
    fetch = DATASET_OF.get(get_recipe(recipe).dataset)
    if fetch:
        ensure_dataset(fetch)
    out = tmp_path / "run"
    report = _train(recipe, out, capsys)
    if get_recipe(recipe).kind == "experiment":   # its results are the report: nothing to predict or evaluate with
        assert report
        return
    _predict_and_check(recipe, out, tmp_path, capsys)
    _evaluate_and_check(recipe, out, report, capsys)
