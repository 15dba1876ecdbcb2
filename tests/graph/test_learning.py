"""Learning tests on real graphs: karate club (one labelled member per club), Drosophila cell types
against the degree baseline, BA-2Motifs graph classification; the models save and load."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.recipes import graph as recipes


def test_karate_gcn_labels_at_least_90_percent_of_the_unlabelled_members(tmp_path):
    pytest.importorskip("networkx", reason="load_karate builds the graph with networkx: pip install networkx")
    data = recipes.karate_data()
    for seed in (0, 1):
        nt.manual_seed(seed)
        model = nt.models.NodeClassifier(2, "karate", conv="gcn", hidden=16, dropout=0.5)
        model.compile(optimizer="adam", loss="cross_entropy", learning_rate=0.01)
        model.fit(data["x_train"], data["y_train"], epochs=200, batch_size=2, verbose=0)
        acc = (model.predict(data["x_test"]).argmax(axis=1) == data["y_test"]).mean()
        assert acc >= 0.9, (seed, acc)
    model.save(str(tmp_path / "karate.safetensors"))
    loaded = nt.load_model(str(tmp_path / "karate.safetensors"))
    np.testing.assert_allclose(loaded.predict(data["x_test"]), model.predict(data["x_test"]), atol=1e-6)
    assert model.embed().shape == (34, 16)


def test_drosophila_sage_beats_logistic_regression_on_degree(ensure_dataset):
    ensure_dataset("drosophila")
    data = recipes.drosophila_data(seed=0)
    nt.manual_seed(0)
    model = nt.models.NodeClassifier(4, "drosophila-left", conv="sage", hidden=32, dropout=0.2, standardize=True)
    model.compile(optimizer="adam", loss="cross_entropy", learning_rate=0.01)
    model.fit(data["x_train"], data["y_train"], epochs=150, batch_size=256, verbose=0)
    acc = (model.predict(data["x_test"]).argmax(axis=1) == data["y_test"]).mean()
    base = data["baselines"]["logistic_regression_on_degree"]
    assert 0.8 <= base < 0.95 and acc >= 0.95 and acc > base + 0.05, (acc, base)


def test_gin_classifies_ba2motifs():
    gs = nt.data.graphs.make_motif_graphs(300, seed=3)
    y = np.array([int(g.y) for g in gs])
    nt.manual_seed(0)
    model = nt.models.GraphClassifier(2, gs, hidden=16, layers=3, pool="add")
    model.compile(optimizer="adam", loss="cross_entropy", learning_rate=0.005)
    model.fit(np.arange(200), y[:200], epochs=10, batch_size=32, verbose=0)
    acc = (model.predict(np.arange(200, 300)).argmax(axis=1) == y[200:]).mean()
    assert acc >= 0.95, acc


def test_gat_node_classifier_learns_karate():
    pytest.importorskip("networkx", reason="load_karate builds the graph with networkx: pip install networkx")
    data = recipes.karate_data()
    nt.manual_seed(1)
    model = nt.models.NodeClassifier(2, "karate", conv="gat", hidden=8, heads=4, dropout=0.5)
    model.compile(optimizer="adam", loss="cross_entropy", learning_rate=0.01)
    model.fit(data["x_train"], data["y_train"], epochs=100, batch_size=2, verbose=0)
    assert (model.predict(data["x_test"]).argmax(axis=1) == data["y_test"]).mean() >= 0.8


def test_model_inputs_are_checked():
    gs = nt.data.graphs.make_motif_graphs(4)
    model = nt.models.GraphClassifier(2, gs)
    with pytest.raises(ValueError, match=r"GraphClassifier: ids must lie in \[0, 4\)"):
        model(np.array([0, 7]))
    with pytest.raises(ValueError, match="unknown graph 'cora'"):
        nt.models.NodeClassifier(2, "cora")


def test_embedding_plot(tmp_path):
    pytest.importorskip("matplotlib", reason="plots need matplotlib")
    pts = np.random.default_rng(0).normal(size=(10, 5))
    path = nt.viz.save_embedding(pts, np.arange(10) % 2, str(tmp_path / "e.png"), edges=np.array([[0, 1], [2, 3]]),
                                 highlight=[0], annotate=True)
    assert open(path, "rb").read(4) == b"\x89PNG"
    assert nt.viz.project_2d(pts).shape == (10, 2)
