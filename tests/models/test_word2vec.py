"""word2vec: gensim's corpus formulas, the pairs of the dynamic window, learning on a tiny corpus,
analogies and neighbours against gensim's KeyedVectors, the compiled scatter against NumPy, save/load."""
import numpy as np
import pytest

from neuronet.models.word2vec import Word2Vec, keep_probabilities, noise_distribution, neighbour_overlap
from neuronet.models.word2vec import sampling as S
from tests.helpers import kernels_set, need


def zipf_corpus(n_sentences=400, vocab=300, seed=0):
    """Sentences of words w0..w{vocab-1} drawn with Zipf frequencies (many ties among rare words)."""
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, vocab + 1)
    p /= p.sum()
    return [[f"w{i}" for i in rng.choice(vocab, size=int(rng.integers(3, 15)), p=p)] for _ in range(n_sentences)]


def topic_corpus(n_sentences=600, topics=4, words_per_topic=8, length=8, seed=0):
    """Each sentence draws its words from one topic: words of a topic co-occur, others never do."""
    rng = np.random.default_rng(seed)
    t = rng.integers(0, topics, n_sentences)
    return [[f"t{k}w{j}" for j in rng.integers(0, words_per_topic, length)] for k in t]


@pytest.mark.parametrize("sample", [1e-3, 1e-2, 0.0])
def test_vocabulary_subsampling_and_noise_match_gensim(sample):
    gensim = need("gensim")
    corpus = zipf_corpus()
    ref = gensim.models.Word2Vec(vector_size=8, min_count=3, sample=sample, ns_exponent=0.75, workers=1, seed=0)
    ref.build_vocab(corpus)
    words, counts = S.build_vocab(corpus, min_count=3)
    assert words == list(ref.wv.index_to_key)  # falling count, ties first-seen last
    assert counts.tolist() == [ref.wv.get_vecattr(w, "count") for w in words]
    # gensim keeps a word when its sample_int > a random uint32: P(keep) = sample_int / 2^32
    gensim_keep = np.array([ref.wv.get_vecattr(w, "sample_int") for w in words], dtype=np.float64) / 2**32
    np.testing.assert_allclose(keep_probabilities(counts, sample), gensim_keep, atol=1e-9)
    # gensim's cumulative table (integers up to 2^31 - 1) → the probability of each noise word
    cum = np.asarray(ref.cum_table, dtype=np.float64)
    gensim_noise = np.diff(np.concatenate([[0.0], cum])) / cum[-1]
    np.testing.assert_allclose(noise_distribution(counts, 0.75), gensim_noise, atol=1e-8)


def test_subsampling_formula_by_hand():
    counts = np.array([1000, 100, 10, 1])
    t = 1e-2 * counts.sum()  # 11.11
    expected = np.minimum(1, (np.sqrt(counts / t) + 1) * t / counts)
    np.testing.assert_allclose(keep_probabilities(counts, 1e-2), expected)
    assert keep_probabilities(counts, 1e-2)[-1] == 1.0 and keep_probabilities(counts, 1e-2)[0] < 0.15


def test_skipgram_pairs_are_the_dynamic_window_of_each_centre():
    window = 3
    sent = np.array([0] * 7 + [1] * 2 + [2] * 5)
    ids = np.arange(len(sent)) + 100
    centre, context = S.skipgram_pairs(ids, sent, window, np.random.default_rng(5))
    b = np.random.default_rng(5).integers(1, window + 1, size=len(sent))  # the same draws
    expected = [(ids[i], ids[j]) for i in range(len(sent)) for j in range(i - b[i], i + b[i] + 1)
                if j != i and 0 <= j < len(sent) and sent[j] == sent[i]]
    got = list(zip(centre.tolist(), context.tolist()))
    assert sorted(got) == sorted(expected)
    assert list(centre) == sorted(centre)  # corpus order
    targets, ctx = S.cbow_contexts(ids, sent, window, np.random.default_rng(5))
    for t, row in zip(targets, ctx):  # the same windows, one row per centre
        assert sorted(row[row >= 0].tolist()) == sorted(c for ce, c in expected if ce == t)


def test_noise_draws_follow_the_distribution():
    p = noise_distribution(np.array([500, 100, 20, 4]))
    draws = S.draw_noise(np.cumsum(p), (200_000,), np.random.default_rng(0))
    np.testing.assert_allclose(np.bincount(draws, minlength=4) / draws.size, p, atol=4e-3)


@pytest.mark.parametrize("sg", [1, 0])
def test_words_of_a_topic_end_up_closer_than_other_words(sg):
    corpus = topic_corpus()
    model = Word2Vec(vector_size=16, window=3, min_count=1, sg=sg, negative=5, sample=0, epochs=8,
                     batch_size=256, seed=0).fit(corpus)
    unit = model.vectors / np.linalg.norm(model.vectors, axis=1, keepdims=True)
    topic = np.array([int(w[1]) for w in model.words])
    cos = unit @ unit.T
    same = topic[:, None] == topic[None, :]
    off_diag = ~np.eye(len(topic), dtype=bool)
    within, across = cos[same & off_diag].mean(), cos[~same].mean()
    assert within > 0.8 and within - across > 0.4, (within, across)  # random 16-D vectors: both ≈ 0
    hits = [sum(w[:2] == q[:2] for w, _ in model.most_similar(q, topn=5)) for q in model.words]
    assert np.mean(hits) / 5 >= 0.95
    assert model.history[-1] < model.history[0]


@pytest.mark.parametrize("sg", [1, 0])
def test_compiled_step_agrees_with_the_numpy_reference(sg):
    need("numba")
    corpus = topic_corpus(n_sentences=100)
    models = []
    for compiled in (False, True):
        with kernels_set(compiled):
            models.append(Word2Vec(vector_size=8, window=2, min_count=1, sg=sg, epochs=2, batch_size=64).fit(corpus))
    ref, fast = models
    np.testing.assert_allclose(fast.vectors, ref.vectors, rtol=0, atol=2e-6)
    np.testing.assert_allclose(fast.output_vectors, ref.output_vectors, rtol=0, atol=2e-6)
    np.testing.assert_allclose(fast.history, ref.history, rtol=1e-5)


def _with_vectors(words, vectors):
    model = Word2Vec(vector_size=vectors.shape[1], min_count=1)
    model.words, model.index = list(words), {w: i for i, w in enumerate(words)}
    model.counts = np.ones(len(words), dtype=np.int64)
    model.input_vectors = vectors.astype(np.float32)
    model.output_vectors = np.zeros_like(model.input_vectors)
    return model


def test_analogy_similarity_and_neighbours_match_gensim_keyedvectors():
    gensim = need("gensim")
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(60)]
    vectors = rng.standard_normal((60, 10)).astype(np.float32)
    model = _with_vectors(words, vectors)
    kv = gensim.models.KeyedVectors(10)
    kv.add_vectors(words, vectors)
    for a, b, c in [("w1", "w2", "w3"), ("w10", "w0", "w33"), ("w59", "w7", "w8")]:
        ours = model.analogy(a, b, c, topn=5)
        ref = kv.most_similar(positive=[b, c], negative=[a], topn=5)
        assert [w for w, _ in ours] == [w for w, _ in ref]
    assert [w for w, _ in model.most_similar("w4", 7)] == [w for w, _ in kv.most_similar("w4", topn=7)]
    assert model.similarity("w4", "w9") == pytest.approx(float(kv.similarity("w4", "w9")), abs=1e-6)


def test_evaluate_analogies_and_neighbour_overlap():
    # a perfect 2-relation geometry: b = a + r for every pair
    rng = np.random.default_rng(1)
    base = rng.standard_normal((4, 12))
    r = rng.standard_normal(12) * 0.8
    words = ["a0", "a1", "a2", "a3", "b0", "b1", "b2", "b3"]
    model = _with_vectors(words, np.vstack([base, base + r]))
    questions = [(f"a{i}", f"b{i}", f"a{j}", f"b{j}") for i in range(4) for j in range(4) if i != j]
    result = model.evaluate_analogies(questions + [("a0", "b0", "zz", "b1")])
    assert result["tried"] == 12 and result["skipped"] == 1 and result["accuracy"] == 1.0
    same = neighbour_overlap(words, model.vectors, words, model.vectors, topn=3)
    assert same["recall_at_k"] == 1.0 and same["jaccard"] == 1.0
    other = neighbour_overlap(words, model.vectors, words, rng.standard_normal((8, 12)), topn=3)
    assert other["recall_at_k"] < 1.0


def test_save_and_load_round_trip(tmp_path):
    model = Word2Vec(vector_size=8, window=2, min_count=1, epochs=1).fit(topic_corpus(n_sentences=50))
    path = tmp_path / "w2v.safetensors"
    model.save(path)
    back = Word2Vec.load(path)
    assert back.words == model.words and back.config == model.config
    np.testing.assert_array_equal(back.vectors, model.vectors)
    np.testing.assert_array_equal(back.output_vectors, model.output_vectors)
    assert back.most_similar("t0w0", 3) == model.most_similar("t0w0", 3)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="Word2Vec: window must be a positive integer"):
        Word2Vec(window=0)
    with pytest.raises(ValueError, match="sg must be 1"):
        Word2Vec(sg=2)
    with pytest.raises(ValueError, match="no word occurs min_count=5"):
        Word2Vec(min_count=5).fit([["a", "b"]])
    with pytest.raises(TypeError, match="each sentence must be a str or a list of str"):
        Word2Vec().fit([[1, 2]])
    with pytest.raises(ValueError, match="call fit"):
        Word2Vec().most_similar("a")
    model = Word2Vec(vector_size=4, min_count=1, epochs=1).fit(["a b c a b", "c a b"])
    with pytest.raises(KeyError, match="'zebra' is not in the vocabulary"):
        model.similarity("a", "zebra")


def test_text_to_sentences():
    text = "To be, or not to be: that is the question.\n\nWhether 'tis nobler! Ay"
    assert S.text_to_sentences(text) == [["to", "be", "or", "not", "to", "be"], ["that", "is", "the", "question"],
                                         ["whether", "tis", "nobler"]]
