"""The graph and memory examples run and learn what they claim."""

import pytest

from tests.helpers import load_example as load


def test_karate_example(tmp_path):
    pytest.importorskip("networkx", reason="load_karate builds the graph with networkx: pip install networkx")
    assert load("karate_gcn").main(plot=None) >= 0.9


@pytest.mark.slow
def test_ntm_copy_example_runs(tmp_path):
    pytest.importorskip("matplotlib", reason="the example draws the memory access")
    history, errors = load("ntm_copy").main(steps=2, plot=str(tmp_path / "m.png"), max_len=3)
    assert len(history) == 2 and set(errors) == {3, 6} and (tmp_path / "m.png").exists()
