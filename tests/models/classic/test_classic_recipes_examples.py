"""The classic recipes run through ``run_recipe`` and the CLI path, the pictures are written, the examples learn."""
import json
from pathlib import Path

import numpy as np
import pytest

from neuronet.models.classic import SOM, Perceptron
from neuronet.recipes import get_recipe, run_recipe
from tests.helpers import load_example as load, need


def test_logic_recipe_runs_and_writes_its_report(tmp_path):
    report = run_recipe("logic-units", out=str(tmp_path), print_fn=lambda *a: None)
    assert report["results"]["xor_single_unit_solutions"] == 0
    assert all(report["results"]["gates_correct"].values())
    assert json.loads((tmp_path / "report.json").read_text())["results"]["xor_two_layer_output"] == [0, 1, 1, 0]


def test_perceptron_and_oja_recipes(tmp_path):
    need("matplotlib")
    r = run_recipe("perceptron-iris", out=str(tmp_path), print_fn=lambda *a: None)["results"]
    assert r["separable_mistakes_per_epoch"][-1] == 0 and r["separable_converged_epoch"] <= 20
    assert r["adaline_batch_test_accuracy"] >= 0.9
    assert (tmp_path / "perceptron_boundaries.png").stat().st_size > 1000
    o = get_recipe("oja-iris").run(out=str(tmp_path / "oja-iris"), print_fn=lambda *a: None)["results"]
    assert min(o["sanger_online_cosines_pc1_pc2"] + o["sanger_batch_cosines_pc1_pc2"]) > 0.999


def test_esn_example_beats_persistence_as_the_readme_says(tmp_path):
    r = load("classic_esn_sunspots").main(str(tmp_path))
    assert r["test_rmse_sunspots"] <= 18.05 + 0.3 < r["persistence_rmse_sunspots"] and r["test_months"] == 625
    assert r["chosen"] == {"leak_rate": 0.3, "input_scaling": 0.5, "ridge": 1.0}


def test_readme_figures_of_the_quick_recipes(tmp_path):
    r = get_recipe("perceptron-iris").run(out=str(tmp_path / "perceptron-iris"), print_fn=lambda *a: None)["results"]
    assert r["separable_mistakes_per_epoch"] == [4, 2, 2, 5, 2, 2, 0]
    assert r["adaline_batch_test_accuracy"] >= 0.967 - 0.005 and r["adaline_online_test_accuracy"] >= 0.933 - 0.005
    s = get_recipe("som-digits").run(out=str(tmp_path / "som-digits"), print_fn=lambda *a: None)["results"]
    assert s["label_purity"] >= 0.964 - 0.005 and s["quantization_error"] <= 1.170 + 0.01


@pytest.mark.slow  # about 15 s: 20 epochs of joint gradient training of the RBF network
def test_readme_figures_of_rbf_elm_digits():
    r = get_recipe("rbf-elm-digits").run(out=str(tmp_path / "rbf-elm-digits"), print_fn=lambda *a: None)["results"]
    assert r["rbf_closed_form_test_accuracy"] >= 0.9944 - 0.005
    assert r["rbf_gradient_tuned_test_accuracy"] >= 0.9944 - 0.005 and r["elm_test_accuracy"] >= 0.9861 - 0.005


def test_pictures(tmp_path):
    need("matplotlib")
    from neuronet.viz import save_decision_boundaries, save_prediction_vs_truth, save_som_maps
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 2))
    y = (x[:, 0] + x[:, 1] > 0).astype(int)
    p = Perceptron(epochs=5).fit(x, y)
    assert Path(save_decision_boundaries(p.history["weights"], x, y, str(tmp_path / "b.png"))).stat().st_size > 1000
    for topology in ("hexagonal", "rectangular"):
        som = SOM(4, 5, topology=topology, seed=0).fit(rng.normal(size=(50, 3)), epochs=2)
        path = save_som_maps(som, rng.normal(size=(50, 3)), str(tmp_path / f"{topology}.png"), y=rng.integers(0, 3, 50))
        assert Path(path).stat().st_size > 1000
    t = np.sin(np.arange(50) / 5)
    assert Path(save_prediction_vs_truth(t, {"a": t + 0.1}, str(tmp_path / "s.png"), split=25)).stat().st_size > 1000
    with pytest.raises(ValueError, match="save_decision_boundaries: expected 2-D inputs of shape \\(N, 2\\)"):
        save_decision_boundaries(p.history["weights"], np.ones((3, 3)), [0, 1, 0], str(tmp_path / "x.png"))
    with pytest.raises(ValueError, match="prediction 'a' has shape"):
        save_prediction_vs_truth(t, {"a": t[:3]}, str(tmp_path / "x.png"))


def test_examples_learn(tmp_path):
    assert load("classic_logic_units").main() == (0, [0, 1, 1, 0])
    converged, gap, acc = load("classic_perceptron_adaline").main(str(tmp_path))
    assert converged is not None and gap < 1e-6 and acc >= 0.98
    assert (load("classic_hebb_oja").main(epochs=8) > 0.95).all()    # 30 epochs (the default): > 0.9997
    results = load("classic_som").main(str(tmp_path))
    assert all(purity > 0.9 for _, _, purity in results.values())
    accs, rmses = load("classic_rbf_elm").main(gradient_epochs=2, centre_counts=(30,))
    assert min(accs.values()) >= 0.95 and rmses["elm"] < rmses["persistence"]
