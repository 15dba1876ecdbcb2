"""Comparing two sets of word vectors, and analogy questions a small corpus can ask.

``neighbour_overlap`` measures how alike two embeddings of the same vocabulary are without aligning
them: for each query word, the overlap of the two top-k cosine neighbour lists (recall@k = |A∩B|/k
and Jaccard |A∩B|/|A∪B|), averaged over the queries.  Two gensim runs that differ only in their
seed are the yardstick: no implementation can agree with gensim more than gensim agrees with itself.
"""
from __future__ import annotations

from itertools import permutations

from ...backend import np

__all__ = ["top_neighbours", "neighbour_overlap", "analogy_questions", "GENDER_PAIRS", "PLURAL_PAIRS"]


def top_neighbours(words, vectors, queries, topn: int = 10) -> dict:
    """{query: [topn nearest words by cosine, itself excluded]} for vectors (V, D) in ``words`` order."""
    words = list(words)
    index = {w: i for i, w in enumerate(words)}
    v = np.asarray(vectors, dtype=np.float32)
    unit = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
    q = np.array([index[w] for w in queries])
    scores = unit[q] @ unit.T
    scores[np.arange(len(q)), q] = -np.inf
    top = np.argsort(-scores, axis=1, kind="stable")[:, :topn]
    return {w: [words[j] for j in row] for w, row in zip(queries, top)}


def neighbour_overlap(words_a, vectors_a, words_b, vectors_b, queries=None, topn: int = 10,
                      n_queries: int = 200) -> dict:
    """Mean recall@k and Jaccard of the two embeddings' top-k neighbour lists, over ``queries``
    (default: the ``n_queries`` most frequent words both have — both lists must be in frequency order).

    Neighbours are searched in each embedding's own vocabulary restricted to the words they share.

    Example:
        >>> words, a = ["king", "queen", "man", "woman", "apple", "pear"], np.random.randn(6, 8)
        >>> nt.models.word2vec.neighbour_overlap(words, a, words, 3 * a, topn=2)  # cosine ignores the scale
        {'queries': 6, 'topn': 2, 'shared_vocabulary': 6, 'recall_at_k': 1.0, 'jaccard': 1.0}
        >>> nt.models.word2vec.neighbour_overlap(words, a, words, np.random.randn(6, 8), topn=2)["recall_at_k"]
        0.25
    """
    shared = [w for w in words_a if w in set(words_b)]
    if queries is None:
        queries = shared[:n_queries]
    ia = {w: i for i, w in enumerate(words_a)}
    ib = {w: i for i, w in enumerate(words_b)}
    va = np.asarray(vectors_a)[[ia[w] for w in shared]]
    vb = np.asarray(vectors_b)[[ib[w] for w in shared]]
    na, nb = top_neighbours(shared, va, queries, topn), top_neighbours(shared, vb, queries, topn)
    recall, jaccard = [], []
    for w in queries:
        a, b = set(na[w]), set(nb[w])
        recall.append(len(a & b) / topn)
        jaccard.append(len(a & b) / len(a | b))
    return {"queries": len(queries), "topn": topn, "shared_vocabulary": len(shared),
            "recall_at_k": float(np.mean(recall)), "jaccard": float(np.mean(jaccard))}


GENDER_PAIRS = [("king", "queen"), ("man", "woman"), ("he", "she"), ("his", "her"), ("lord", "lady"),
                ("father", "mother"), ("son", "daughter"), ("brother", "sister"), ("husband", "wife"),
                ("boy", "girl"), ("sir", "madam"), ("duke", "duchess"), ("prince", "princess"),
                ("uncle", "aunt"), ("master", "mistress"), ("gentleman", "gentlewoman"), ("nephew", "niece"),
                ("men", "women"), ("kings", "queens"), ("lords", "ladies"), ("sons", "daughters"),
                ("brothers", "sisters"), ("actor", "actress"), ("hero", "heroine")]
"""Male : female pairs (the "family" section of Mikolov's analogy set, with Shakespeare's words)."""

PLURAL_PAIRS = [("lord", "lords"), ("king", "kings"), ("eye", "eyes"), ("hand", "hands"), ("friend", "friends"),
                ("word", "words"), ("man", "men"), ("woman", "women"), ("heart", "hearts"), ("day", "days"),
                ("thing", "things"), ("year", "years"), ("soldier", "soldiers"), ("enemy", "enemies"),
                ("brother", "brothers"), ("son", "sons"), ("tear", "tears"), ("hour", "hours"),
                ("film", "films"), ("movie", "movies"), ("character", "characters"), ("story", "stories"),
                ("child", "children"), ("life", "lives"), ("company", "companies"), ("country", "countries"),
                ("government", "governments"), ("market", "markets"), ("player", "players")]
"""Singular : plural pairs (the "gram8-plural" section of Mikolov's set)."""


def analogy_questions(pairs=None, vocabulary=None) -> list:
    """Every "a : b :: c : d" question from two different pairs (a, b), (c, d) of one relation
    (default: the gender and plural pairs), optionally only those whose four words are in ``vocabulary``.

    Example:
        >>> nt.models.word2vec.analogy_questions([("king", "queen"), ("man", "woman"), ("boy", "girl")])[:2]
        [('king', 'queen', 'man', 'woman'), ('king', 'queen', 'boy', 'girl')]
        >>> len(nt.models.word2vec.analogy_questions(vocabulary={"king", "queen", "man", "woman", "kings", "queens"}))
        6
    """
    families = [GENDER_PAIRS, PLURAL_PAIRS] if pairs is None else [pairs]
    out = []
    for fam in families:
        for (a, b), (c, d) in permutations(fam, 2):
            q = (a, b, c, d)
            if vocabulary is None or all(w in vocabulary for w in q):
                out.append(q)
    return out
