"""The energy-model pictures write PNG files and refuse shapes that do not fit."""
import numpy as np
import pytest

from neuronet.models.energy import RBM, Hopfield, capacity_curve, flip_bits
from neuronet.viz import save_capacity_curve, save_image_panels, save_rbm_filters, save_recall_steps
from tests.helpers import need

PNG = b"\x89PNG\r\n\x1a\n"


def is_png(path):
    with open(path, "rb") as f:
        return f.read(8) == PNG


def test_rbm_filters_gibbs_chain_recall_and_capacity_pictures(tmp_path):
    need("matplotlib")
    rbm = RBM(6, n_visible=16, seed=0)
    assert is_png(save_rbm_filters(rbm.weight, str(tmp_path / "filters.png"), image_shape=(4, 4)))
    chain = np.stack([rbm.gibbs(np.zeros((3, 16)), s) for s in range(4)], axis=1)  # (chains, steps, pixels)
    assert is_png(save_image_panels(chain, str(tmp_path / "chain.png"), image_shape=(4, 4), row_labels="abc"))
    patterns = np.where(np.random.default_rng(0).random((2, 16)) < 0.5, -1.0, 1.0)
    _, history = Hopfield().store(patterns).recall(flip_bits(patterns, 0.2), return_history=True)
    assert is_png(save_recall_steps(history["states"], history["energy"], str(tmp_path / "recall.png"), (4, 4),
                                    target=patterns))
    curve = capacity_curve(40, [0.05, 0.2], trials=1)
    assert is_png(save_capacity_curve([curve], str(tmp_path / "capacity.png")))


def test_shapes_that_do_not_fit_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r"save_image_panels: images of 10 pixels do not fit image_shape \(3, 3\)"):
        save_image_panels(np.zeros((2, 10)), str(tmp_path / "x.png"), image_shape=(3, 3))
    with pytest.raises(ValueError, match="save_recall_steps: expected states"):
        save_recall_steps(np.zeros((2, 1, 9)), np.zeros((2, 1)), str(tmp_path / "x.png"), (2, 2))
    with pytest.raises(ValueError, match="save_capacity_curve"):
        save_capacity_curve([], str(tmp_path / "x.png"))
