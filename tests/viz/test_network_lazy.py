"""plot_network on a model whose lazy layers are not all built (found by the docstring examples)."""
import numpy as np
import pytest

import neuronet as nt
from tests.helpers import need


def test_plot_network_builds_lazy_layers_from_x(tmp_path):
    """Given x, the layers are built first: every Dense layer is drawn (it failed with 'could not follow')."""
    need("matplotlib")
    model = nt.Sequential([nt.nn.Dense(3, activation="tanh", in_features=2), nt.nn.Dense(1)])
    fig = nt.viz.plot_network(model, tmp_path / "net.png", x=np.array([1.0, -1.0]))
    assert (tmp_path / "net.png").stat().st_size > 0 and fig is not None
    assert model.unbuilt_modules() == []


def test_plot_network_names_unbuilt_layers():
    """Without x, an unbuilt layer is named in the error instead of being left out of the drawing."""
    need("matplotlib")
    model = nt.Sequential([nt.nn.Dense(3, in_features=2), nt.nn.Dense(1)])
    with pytest.raises(ValueError, match=r"plot_network: Sequential has layers not built yet \(1\)"):
        nt.viz.plot_network(model)
