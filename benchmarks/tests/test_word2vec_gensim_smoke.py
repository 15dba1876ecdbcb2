"""Smoke test of the word2vec-vs-gensim benchmark on a small stand-in corpus (no timing assertions)."""
import numpy as np
import pytest


def test_benchmark_runs_and_renders(monkeypatch):
    pytest.importorskip("gensim", reason="needs gensim (the word2vec reference): pip install gensim")
    pytest.importorskip("threadpoolctl", reason="needs threadpoolctl: pip install threadpoolctl")
    import neuronet.recipes.word2vec as recipe
    from benchmarks import word2vec_gensim as bench

    rng = np.random.default_rng(0)
    words = ["king", "queen", "man", "woman", "men", "women", "eye", "eyes", "lord", "lords"] + [f"w{i}" for i in range(60)]
    monkeypatch.setattr(recipe, "corpus_sentences", lambda name: [list(rng.choice(words, 8)) for _ in range(300)])
    report = bench.run(epochs=1, queries=20, skip=0)
    assert report["vocabulary"] == 70 and report["analogies"]["questions"] > 0
    assert 0.0 <= report["overlap"]["neuronet_vs_gensim"]["recall_at_k"] <= 1.0
    text = bench.render(report)
    assert "speed ratio neuronet/gensim" in text and "| king |" in text
