"""The generative recipes, the example and the pictures, end to end on small subsets (an untrained
scorer stands in for the cached one, so nothing here trains the 5-minute classifier)."""
import importlib.util
import json
import os

import numpy as np
import pytest

import neuronet as nt
from neuronet.recipes import generative, recipe_names, run_recipe
from tests.helpers import need

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def small(monkeypatch):
    """Fashion-MNIST cut to 256 training and 200 test images, and an untrained LeNet-5 as the scorer."""
    need("matplotlib")
    (x, y), (xt, yt) = nt.data.load_fashion_mnist()
    data = {"x_train": x[:256], "y_train": y[:256], "x_test": xt[:200], "y_test": yt[:200],
            "class_names": list(nt.data.FASHION_MNIST_CLASSES)}
    monkeypatch.setattr(generative, "dataset_splits", lambda name: dict(data))
    clf = nt.models.lenet5(10)
    clf.predict(xt[:2])
    scorer = nt.models.SampleScorer(clf)
    monkeypatch.setattr(generative, "fashion_scorer", lambda *a, **k: scorer)
    monkeypatch.setattr(generative, "_FID_COUNT", 100)
    return data


def test_recipes_are_registered():
    assert {"fashion-ae", "fashion-dae", "fashion-conv-ae", "fashion-vae", "fashion-vae2d", "fashion-gan",
            "fashion-dcgan", "fashion-sngan"} <= set(recipe_names())


@pytest.mark.parametrize("name, files", [
    ("fashion-dae", ["reconstructions.png", "denoising.png"]),
    pytest.param("fashion-vae2d", ["samples.png", "latent_scatter.png", "latent_traversal.png", "interpolations.png"],
                 marks=pytest.mark.slow),
    ("fashion-dcgan", ["samples.png", "losses.png"]),
])
def test_recipe_runs_end_to_end(small, tmp_path, monkeypatch, name, files):
    monkeypatch.chdir(tmp_path)  # nothing may land in runs/<name>: everything goes to out
    report = run_recipe(name, epochs=1, out=str(tmp_path / name), verbose=0, print_fn=lambda *a: None)
    for f in files:
        assert (tmp_path / name / f).stat().st_size > 1000, f
    extra = report["extra"]
    if name == "fashion-vae2d":
        assert 0 < extra["test_negative_elbo_nats"] < 800 and extra["test_iw_nll_nats_k100"] < extra["test_negative_elbo_nats"] + 5
    if name == "fashion-dcgan":
        assert len(extra["fid_per_epoch"]) == 1 and extra["fid"] > extra["fid_floor_real_vs_real"]
        assert (tmp_path / name / "samples_epoch_1.png").exists()  # the per-epoch grids follow --out
    assert not (tmp_path / "runs").exists()
    json.loads((tmp_path / name / "report.json").read_text())


@pytest.mark.slow
def test_example_runs_each_kind(small, tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("generative_fashion", os.path.join(ROOT, "examples", "generative_fashion.py"))
    ex = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ex)
    monkeypatch.setattr(ex, "fashion_scorer", generative.fashion_scorer)
    monkeypatch.setattr(generative, "fashion_scorer", generative.fashion_scorer)
    monkeypatch.setattr(ex, "FID_COUNT", 100)
    monkeypatch.setattr(ex, "TEST", 200)
    out = str(tmp_path)
    rep = ex.main(["ae", "vae", "gan", "--train", "256", "--epochs", "1", "--out", out])
    assert [r["model"] for r in rep] == ["ae", "vae latent 20", "gan"]
    assert rep[0]["noise_mse"] > 0 and rep[1]["test_negative_elbo_nats"] > 0 and len(rep[2]["fid_per_epoch"]) == 1
    assert os.path.exists(os.path.join(out, "fashion-gan", "losses.png"))


def test_viz_pictures(tmp_path):
    need("matplotlib")
    from neuronet import viz
    imgs = np.random.default_rng(0).random((12, 1, 8, 8))
    assert viz.image_grid(imgs, ncols=5).shape == (3 * 9 - 1, 5 * 9 - 1)
    for path in (viz.save_image_grid(imgs, str(tmp_path / "g.png"), ncols=4, title="t"),
                 viz.save_image_rows([imgs[:4], imgs[4:8]], ["a", "b"], str(tmp_path / "r.png")),
                 viz.save_latent_scatter(np.random.default_rng(0).standard_normal((50, 2)), np.arange(50) % 3,
                                         str(tmp_path / "s.png"), class_names=["x", "y", "z"]),
                 viz.save_latent_traversal(lambda z: np.ones((len(z), 1, 8, 8)) * (z[:, :1, None, None] > 0),
                                           str(tmp_path / "t.png"), n=5),
                 viz.save_loss_curves({"d": [1, 0.8], "g": [0.5, 0.9]}, str(tmp_path / "l.png"))):
        assert os.path.getsize(path) > 500
    with pytest.raises(ValueError, match="save_image_rows"):
        viz.save_image_rows([imgs[:2], imgs[:3]], ["a", "b"], str(tmp_path / "bad.png"))
    with pytest.raises(ValueError, match="save_latent_scatter"):
        viz.save_latent_scatter(np.zeros((5, 1)), np.zeros(5), str(tmp_path / "bad.png"))
