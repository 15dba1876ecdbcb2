"""`neuronet train shakespeare-word2vec` end to end on a small stand-in corpus (the real run is the README's)."""
import json

import numpy as np
import pytest

import neuronet.recipes.word2vec as recipe
from neuronet.cli import main
from tests.helpers import need


def _small_corpus(name="shakespeare"):
    rng = np.random.default_rng(0)
    groups = [["king", "queen", "prince", "duke", "lord", "lady"], ["father", "mother", "son", "daughter"],
              ["sword", "battle", "soldier", "war"], ["man", "woman", "men", "women", "eye", "eyes"]]
    return [list(rng.choice(g, 6)) for g in (groups[i % 4] for i in range(800))]


def test_recipe_writes_model_report_and_picture(tmp_path, monkeypatch, capsys):
    need("matplotlib")
    monkeypatch.setattr(recipe, "corpus_sentences", _small_corpus)
    out = tmp_path / "run"
    assert main(["train", "shakespeare-word2vec", "--epochs", "2", "--out", str(out), "--quiet"]) == 0
    report = json.loads((out / "report.json").read_text())
    assert report["vocabulary"] == 20 and len(report["loss_per_epoch"]) == 2
    assert report["analogies"]["tried"] > 0 and (out / "embedding.png").exists()
    assert len(report["neighbours"]["king"]) == 8
    from neuronet.models.word2vec import Word2Vec
    assert len(Word2Vec.load(out / "word2vec.safetensors").words) == 20


def test_unknown_corpus_is_named():
    with pytest.raises(ValueError, match="corpus_sentences: unknown corpus 'wiki'"):
        recipe.corpus_sentences("wiki")


def test_word_embedding_plot_checks_its_input(tmp_path):
    need("matplotlib")
    import neuronet as nt
    fig = nt.viz.plot_word_embedding(np.random.default_rng(0).standard_normal((5, 4)), list("abcde"),
                                     tmp_path / "p.png", groups=[0, 0, 1, 1, 1], group_names=["x", "y"])
    assert fig is not None and (tmp_path / "p.png").exists()
    with pytest.raises(ValueError, match=r"plot_word_embedding: expected vectors \(N, D\) and N words"):
        nt.viz.plot_word_embedding(np.zeros((5, 4)), list("abc"))
