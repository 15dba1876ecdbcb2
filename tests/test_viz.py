"""save_heatmap writes a labelled PNG and refuses labels that do not fit the values."""
import numpy as np
import pytest

from neuronet.viz import save_heatmap
from tests.helpers import need


def test_writes_a_png(tmp_path):
    need("matplotlib")
    path = save_heatmap(np.eye(3)[:2], ["a", "b"], [1, 2, 3], str(tmp_path / "map.png"), title="t", vmin=0, vmax=1)
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_label_counts_must_match_the_values(tmp_path):
    with pytest.raises(ValueError, match=r"save_heatmap: values of shape \(2, 3\) do not match 3 row labels"):
        save_heatmap(np.zeros((2, 3)), ["a", "b", "c"], [1, 2, 3], str(tmp_path / "x.png"))
