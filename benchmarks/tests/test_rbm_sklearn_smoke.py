"""Smoke test of the RBM-vs-scikit-learn benchmark: one tiny run writes a complete report (no timing assertions)."""
import json

import pytest

from benchmarks import rbm_sklearn

pytest.importorskip("sklearn")
pytest.importorskip("threadpoolctl")


def test_tiny_run_reports_both_libraries(tmp_path, capsys):
    path = tmp_path / "rbm.json"
    assert rbm_sklearn.main(["--hidden", "4", "--epochs", "1", "--batch", "100", "--json", str(path)]) == 0
    report = json.loads(path.read_text())
    run = report["runs"][0]
    assert set(run) == {"seed", "neuronet", "sklearn"} and report["speed_ratio"] > 0
    assert run["neuronet"]["test_pll"] < 0 and run["sklearn"]["test_pll"] < 0
    assert "training speed ratio" in capsys.readouterr().out
