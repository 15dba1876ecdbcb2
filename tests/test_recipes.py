"""Learning tests: the course recipes reach their stated accuracy on real data."""
import json

import pytest

from neuronet.recipes import get_recipe, recipe_names, run_recipe


@pytest.mark.parametrize("name, target", [("xor", 1.0), ("iris", 0.96), ("digits-mlp", 0.97)])
def test_recipe_reaches_its_target(name, target, tmp_path):
    report = run_recipe(name, out=str(tmp_path), verbose=0, print_fn=lambda *a: None)
    assert report["test"]["accuracy"] >= target
    saved = json.loads((tmp_path / "report.json").read_text())
    assert saved["test"] == report["test"]
    cm = report["confusion_matrix"]  # its diagonal is the accuracy
    assert sum(cm[i][i] for i in range(len(cm))) / sum(map(sum, cm)) == pytest.approx(report["test"]["accuracy"])


def test_every_recipe_is_described():
    for name in recipe_names():
        r = get_recipe(name)
        assert r.description and r.epochs > 0 and r.batch_size > 0
