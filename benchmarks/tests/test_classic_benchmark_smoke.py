"""Smoke test of ``python -m benchmarks.classic``: the rows build and the parity they report holds (no timings)."""
import pytest


def test_perceptron_rows_report_identical_weights():
    pytest.importorskip("sklearn", reason="needs scikit-learn (the reference implementation): pip install scikit-learn")
    from benchmarks.classic import perceptron_rows

    rows = perceptron_rows(1)
    assert len(rows) == 6 and all(len(r) == 6 for r in rows)
    online = [r for r in rows if r[0].startswith("Perceptron online")]
    assert all("max abs Δw 0.0e+00" in r[2] for r in online)
