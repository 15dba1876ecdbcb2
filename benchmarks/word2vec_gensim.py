"""neuronet's word2vec against gensim's Word2Vec: same corpus, same settings, one thread each.

    python -m benchmarks.word2vec_gensim                         # Shakespeare, skip-gram, 5 epochs
    python -m benchmarks.word2vec_gensim --sg 0 --corpus rotten-tomatoes --json bench-results/w2v.json

Both get the same token lists (``neuronet.recipes.word2vec.corpus_sentences``) and the same settings:
dimension 100, window 5, min_count 5, 5 noise words, sample 1e-3, unigram^0.75 noise, alpha 0.025 →
1e-4.  gensim runs its compiled (Cython/BLAS) loop with ``workers=1``; neuronet runs its NumPy
minibatch SGD (numba scatter when numba is installed) with BLAS limited to 1 thread.  Training time
excludes building the vocabulary in both.  Speed ratio = neuronet seconds / gensim seconds (> 1:
neuronet slower).

Quality without aligning the spaces: for the 200 most frequent words (after the 50 most frequent,
mostly function words), the overlap of the two top-10 cosine neighbour lists (recall@10 and mean
Jaccard).  The yardstick is gensim against gensim with another seed: two runs of the same code
differ that much by chance alone.  Analogy accuracy (3CosAdd, top-1) on the gender and plural
questions whose words are all in the vocabulary — few, on a small corpus: treat as indicative.
"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

SETTINGS = dict(vector_size=100, window=5, min_count=5, negative=5, sample=1e-3, ns_exponent=0.75,
                alpha=0.025, min_alpha=1e-4)
TABLE_WORDS = ["king", "love", "night", "sword", "father", "death", "gold", "eye"]


def _gensim_model(gensim, sentences, sg, epochs, seed):
    model = gensim.models.Word2Vec(sg=sg, epochs=epochs, workers=1, seed=seed, hs=0, cbow_mean=1, **SETTINGS)
    model.build_vocab(sentences)
    t = time.perf_counter()
    model.train(sentences, total_examples=model.corpus_count, epochs=epochs)
    return model, time.perf_counter() - t


def run(corpus="shakespeare", sg=1, epochs=5, batch_size=1024, seed=0, queries=200, skip=50) -> dict:
    import gensim
    from threadpoolctl import threadpool_limits

    from benchmarks.blas_info import describe_numpy, machine, numpy_blas
    from neuronet.kernels.compiled import describe as describe_kernels
    from neuronet.models.word2vec import Word2Vec, analogy_questions, neighbour_overlap
    from neuronet.models.word2vec.compare import top_neighbours
    from neuronet.recipes.word2vec import corpus_sentences

    load_before = os.getloadavg()
    sentences = corpus_sentences(corpus)
    tokens = sum(len(s) for s in sentences)
    with threadpool_limits(limits=1, user_api="blas"):
        ours = Word2Vec(sg=sg, epochs=epochs, batch_size=batch_size, seed=seed, **SETTINGS).build_vocab(sentences)
        t = time.perf_counter()
        ours.fit(sentences)
        t_ours = time.perf_counter() - t
    ref, t_ref = _gensim_model(gensim, sentences, sg, epochs, seed)
    ref2, t_ref2 = _gensim_model(gensim, sentences, sg, epochs, seed + 1)
    ref_words, ref_vectors = list(ref.wv.index_to_key), ref.wv.vectors
    q = ours.words[skip:skip + queries]
    overlap = {
        "neuronet_vs_gensim": neighbour_overlap(ours.words, ours.vectors, ref_words, ref_vectors, queries=q),
        "gensim_vs_gensim_other_seed": neighbour_overlap(ref_words, ref_vectors, list(ref2.wv.index_to_key),
                                                         ref2.wv.vectors, queries=q),
    }
    questions = analogy_questions(vocabulary=set(ours.words) & set(ref_words))
    ours_analogies = ours.evaluate_analogies(questions)
    ref_correct = sum(ref.wv.most_similar(positive=[b, c], negative=[a], topn=1)[0][0] == d for a, b, c, d in questions)
    words = [w for w in TABLE_WORDS if w in ours.index and w in ref.wv.key_to_index]
    table = {"neuronet": {w: [x for x, _ in ours.most_similar(w, 8)] for w in words},
             "gensim": top_neighbours(ref_words, ref_vectors, words, 8)}
    return {"corpus": corpus, "sentences": len(sentences), "tokens": tokens, "vocabulary": len(ours.words),
            "model": "skip-gram" if sg else "CBOW", "epochs": epochs, "settings": SETTINGS,
            "neuronet_batch_pairs": batch_size, "seed": seed,
            "seconds": {"neuronet": t_ours, "gensim": t_ref, "gensim_other_seed": t_ref2},
            "words_per_second": {"neuronet": tokens * epochs / t_ours, "gensim": tokens * epochs / t_ref},
            "speed_ratio": t_ours / t_ref, "overlap": overlap,
            "analogies": {"questions": len(questions), "neuronet_correct": ours_analogies["correct"],
                          "gensim_correct": int(ref_correct)},
            "neighbours": table, "final_loss_per_pair": ours.history[-1],
            "gensim": gensim.__version__, "machine": machine(), "numpy_blas": describe_numpy(numpy_blas()),
            "kernels": describe_kernels(), "load_before": load_before, "load_after": os.getloadavg()}


def render(r: dict) -> str:
    o = r["overlap"]
    a = r["analogies"]
    lines = [f"{r['model']} on {r['corpus']}: {r['sentences']:,} sentences, {r['tokens']:,} tokens, "
             f"{r['vocabulary']:,} words (min_count {r['settings']['min_count']}), {r['epochs']} epochs; "
             f"gensim {r['gensim']} workers=1; neuronet minibatch {r['neuronet_batch_pairs']} pairs, BLAS 1 thread, "
             f"{r['kernels']}",
             f"machine: {r['machine']['cpu']} ({r['machine']['logical_cpus']} CPUs); NumPy BLAS {r['numpy_blas']}; "
             f"load average before {', '.join(f'{v:.2f}' for v in r['load_before'])}, after "
             f"{', '.join(f'{v:.2f}' for v in r['load_after'])}", "",
             "| | neuronet | gensim |", "|---|---:|---:|",
             f"| training seconds | {r['seconds']['neuronet']:.1f} | {r['seconds']['gensim']:.1f} |",
             f"| words/s | {r['words_per_second']['neuronet']:,.0f} | {r['words_per_second']['gensim']:,.0f} |",
             f"| analogies correct (of {a['questions']}) | {a['neuronet_correct']} | {a['gensim_correct']} |", "",
             f"speed ratio neuronet/gensim: {r['speed_ratio']:.1f}×",
             f"top-10 neighbour overlap over {o['neuronet_vs_gensim']['queries']} frequent words: neuronet vs gensim "
             f"recall@10 {o['neuronet_vs_gensim']['recall_at_k']:.3f} (Jaccard {o['neuronet_vs_gensim']['jaccard']:.3f}); "
             f"gensim vs gensim (other seed) recall@10 {o['gensim_vs_gensim_other_seed']['recall_at_k']:.3f} "
             f"(Jaccard {o['gensim_vs_gensim_other_seed']['jaccard']:.3f})", "",
             "| word | neuronet nearest | gensim nearest |", "|---|---|---|"]
    for w, ns in r["neighbours"]["neuronet"].items():
        lines.append(f"| {w} | {', '.join(ns)} | {', '.join(r['neighbours']['gensim'][w])} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", default="shakespeare", help="shakespeare, rotten-tomatoes or bbc-news")
    p.add_argument("--sg", type=int, default=1, help="1 skip-gram, 0 CBOW")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=1024)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json")
    a = p.parse_args(argv)
    report = run(a.corpus, a.sg, a.epochs, a.batch_size, a.seed)
    print(render(report))
    if a.json:
        os.makedirs(os.path.dirname(a.json) or ".", exist_ok=True)
        with open(a.json, "w") as f:
            json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
