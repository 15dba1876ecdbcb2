"""The energy-based examples and recipes run on small settings and learn what they claim."""

import numpy as np
import pytest

from neuronet.recipes import get_recipe, run_recipe

from tests.helpers import load_example as load


def test_hopfield_example(tmp_path):
    r = load("hopfield_memory").main(sizes=(100,), loads=np.array([0.05, 0.1, 0.25]), trials=1, out=str(tmp_path),
                                     plots=False)
    assert 0.1 < r["capacity"][100]["collapse_load_overlap_0.9"] < 0.25
    for dataset in ("mnist", "fashion"):
        assert r["recall"][f"{dataset}-pseudo_inverse"]["mean_overlap"] > 0.98
        assert r["recall"][f"{dataset}-modern"]["equals_attention"]


def test_rbm_ais_example(tmp_path):
    r = load("rbm_mnist_ais").main(hidden=8, epochs=1, ais_runs=20, n_betas=300, check_hidden=6, out=str(tmp_path),
                                   plots=False, train_rows=500)
    for method in ("CD-1", "CD-10", "PCD"):
        assert np.isfinite(r[method]["test_ll"]) and r[method]["test_ll"] < 0
    assert (tmp_path / "results.json").exists()


def test_dbn_example_and_recipes(tmp_path):
    r = load("dbn_fashion_few_labels").main(seeds=(0,), hidden=(16,), pretrain_epochs=1, epochs=1, pretrain_rows=500,
                                            test_rows=500, out=str(tmp_path), plots=False)
    assert 0 <= r["pretrained_mean"] <= 1 and 0 <= r["random_mean"] <= 1
    data = get_recipe("mlp-fashion-1pct").data()
    assert data["x_train"].shape == (600, 784) and np.bincount(data["y_train"]).tolist() == [60] * 10
    assert data["x_unlabelled"].shape == (60000, 784) and data["x_test"].shape == (10000, 784)


@pytest.mark.slow
def test_pretraining_helps_with_one_percent_of_the_labels(tmp_path):
    pretrained = run_recipe("dbn-fashion-1pct", out=str(tmp_path / "dbn"), verbose=0, print_fn=lambda *a: None)
    scratch = run_recipe("mlp-fashion-1pct", out=str(tmp_path / "mlp"), verbose=0, print_fn=lambda *a: None)
    assert pretrained["test"]["accuracy"] > scratch["test"]["accuracy"]


def test_boltzmann_parity_example():
    """Uniform over even-parity 3-bit vectors: a fully visible machine stays at KL = log 2, four
    hidden units get KL < 0.3 (measured 0.05-0.15 over seeds at 4,000 steps)."""
    r = load("boltzmann_parity").main(seeds=(0,), steps=2500)
    assert r[0][0] > 0.6 and r[4][0] < 0.3
