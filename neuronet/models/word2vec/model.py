"""word2vec (Mikolov et al. 2013): skip-gram and CBOW with negative sampling, trained as gensim trains them.

Two embedding tables: input vectors (the word vectors users keep, gensim's ``wv.vectors``/``syn0``,
initialised uniform(−0.5, 0.5)/dim) and output vectors (``syn1neg``, initialised to zero).  Each
epoch subsamples frequent words, draws each centre word's window from 1..window, and walks the
(input, output) pairs in corpus order in minibatches: the loss of a whole minibatch is one
:func:`~neuronet.functional.word2vec.negative_sampling_loss` call, its gradients land on the
gathered rows, and plain SGD adds −lr·gradient back into the rows of the two tables (a sparse
update: only the rows the batch touched).  With numba installed, float32 steps run as one compiled
kernel (``kernels/word2vec.py``) that does the same arithmetic without the gathered copies.  The
learning rate falls linearly from ``alpha`` to ``min_alpha`` over all epochs.

Differences from gensim, on purpose: pairs are updated a minibatch at a time (gensim updates after
every pair, one thread); the sigmoid is exact (gensim reads a 1,000-entry table and skips scores
beyond ±6); skip-gram feeds the centre word's input vector and predicts each context word (gensim
feeds the context word's and predicts the centre: the same pairs, reversed).  CBOW follows
word2vec.c and gensim (``cbow_mean=1``): the input is the mean of the context vectors and each
context word receives the whole gradient of that mean's input, not 1/count of it.
"""
from __future__ import annotations

import json

from ...backend import np
from ...functional.word2vec import negative_sampling_loss
from ...tensor import Tensor
from . import sampling as S

__all__ = ["Word2Vec"]


def _scatter_add(table, index, rows) -> None:
    """table[index[k]] += rows[k]; repeated indices add up (``np.add.at`` on flat positions)."""
    from ...functional.embedding import _scatter_add_rows
    _scatter_add_rows(np, table, index, rows)


class Word2Vec:
    """Word vectors from raw sentences: skip-gram (``sg=1``) or CBOW (``sg=0``) with negative sampling.

    Args:
        vector_size: dimension of the vectors.
        window: the largest distance between a centre word and a context word (each centre draws
            its own window from 1..window).
        min_count: words seen fewer times are dropped before training.
        sg: 1 skip-gram (the centre word predicts each context word), 0 CBOW (the context mean
            predicts the centre word).
        negative: noise words per true word.
        sample: subsampling threshold (gensim's ``sample``; 0 turns it off).
        ns_exponent: the noise distribution is unigram^ns_exponent.
        alpha, min_alpha: the learning rate falls linearly from ``alpha`` to ``min_alpha``.
        epochs: passes over the corpus.
        batch_size: (input, output) pairs per SGD step (skip-gram) or centre words (CBOW).
        max_vocab: keep at most this many of the most frequent words.
        seed: seeds the initial vectors, the subsampling, windows and noise draws.

    Example:
        >>> from neuronet.models.word2vec import Word2Vec
        >>> topics = [["cat", "dog", "pet", "fur"], ["car", "bus", "road", "wheel"]]
        >>> rng = np.random.default_rng(0)
        >>> sentences = [list(rng.choice(topics[i % 2], 6)) for i in range(400)]   # two topics, never mixed
        >>> model = Word2Vec(vector_size=16, window=3, min_count=1, epochs=3, seed=0).fit(sentences)
        >>> sorted(word for word, cosine in model.most_similar("cat", topn=3))     # its own topic
        ['dog', 'fur', 'pet']
        >>> bool(model.similarity("cat", "dog") > model.similarity("cat", "car"))
        True
    """

    def __init__(self, vector_size: int = 100, window: int = 5, min_count: int = 5, sg: int = 1,
                 negative: int = 5, sample: float = 1e-3, ns_exponent: float = 0.75, alpha: float = 0.025,
                 min_alpha: float = 1e-4, epochs: int = 5, batch_size: int = 1024, max_vocab: int | None = None,
                 seed: int = 0):
        for name, value in (("vector_size", vector_size), ("window", window), ("min_count", min_count),
                            ("negative", negative), ("epochs", epochs), ("batch_size", batch_size)):
            if not isinstance(value, (int, np.integer)) or value < (0 if name == "epochs" else 1):
                raise ValueError(f"Word2Vec: {name} must be a positive integer, got {value!r}")
        if sg not in (0, 1):
            raise ValueError(f"Word2Vec: sg must be 1 (skip-gram) or 0 (CBOW), got {sg!r}")
        if not 0 < min_alpha <= alpha:
            raise ValueError(f"Word2Vec: need 0 < min_alpha <= alpha, got alpha={alpha}, min_alpha={min_alpha}")
        self.config = dict(vector_size=int(vector_size), window=int(window), min_count=int(min_count), sg=int(sg),
                           negative=int(negative), sample=float(sample), ns_exponent=float(ns_exponent),
                           alpha=float(alpha), min_alpha=float(min_alpha), epochs=int(epochs),
                           batch_size=int(batch_size), max_vocab=max_vocab, seed=int(seed))
        self.words: list = []
        self.index: dict = {}
        self.counts = None
        self.input_vectors = None   # (V, D): the word vectors
        self.output_vectors = None  # (V, D): the context / negative-sampling vectors
        self.history: list = []     # mean loss per pair, one entry per epoch
        self._normed = None

    # ---------------------------------------------------------------- vocabulary
    def build_vocab(self, sentences) -> "Word2Vec":
        """Count the words, keep those with ``min_count``, initialise both tables."""
        sentences = _as_token_lists(sentences)
        c = self.config
        self.words, self.counts = S.build_vocab(sentences, c["min_count"], c["max_vocab"])
        self.index = {w: i for i, w in enumerate(self.words)}
        rng = np.random.default_rng(c["seed"])
        v, d = len(self.words), c["vector_size"]
        self.input_vectors = ((rng.random((v, d), dtype=np.float32) - 0.5) / d).astype(np.float32)
        self.output_vectors = np.zeros((v, d), dtype=np.float32)
        self._normed = None
        return self

    @property
    def vectors(self) -> np.ndarray:
        """The word vectors (V, D), row i for ``words[i]``."""
        self._check_trained("vectors")
        return self.input_vectors

    # ---------------------------------------------------------------- training
    def fit(self, sentences, epochs: int | None = None, verbose: int = 0) -> "Word2Vec":
        """Build the vocabulary (if not built) and train.

        Args:
            sentences: an iterable of token lists, or of strings (split by
                :func:`~neuronet.models.word2vec.sampling.text_to_sentences`' word rule), or one str.
            epochs: override the constructor's.
            verbose: 1 prints each epoch's mean loss.
        """
        sentences = _as_token_lists(sentences)
        if not self.words:
            self.build_vocab(sentences)
        c = self.config
        epochs = c["epochs"] if epochs is None else int(epochs)
        ids, sent = S.encode(sentences, self.index)
        keep = S.keep_probabilities(self.counts, c["sample"])
        cumulative = np.cumsum(S.noise_distribution(self.counts, c["ns_exponent"]))
        rng = np.random.default_rng(c["seed"] + 1)
        for epoch in range(epochs):
            kept_ids, kept_sent = S.subsample(ids, sent, keep, rng)
            if c["sg"]:
                inputs, targets = S.skipgram_pairs(kept_ids, kept_sent, c["window"], rng)
            else:
                targets, inputs = S.cbow_contexts(kept_ids, kept_sent, c["window"], rng)
            total, n = 0.0, len(targets)
            for start in range(0, n, c["batch_size"]):
                progress = (epoch + start / max(n, 1)) / epochs
                lr = c["alpha"] - (c["alpha"] - c["min_alpha"]) * progress
                stop = start + c["batch_size"]
                total += self._step(inputs[start:stop], targets[start:stop], cumulative, lr, rng)
            self.history.append(total / max(n, 1))
            if verbose:
                print(f"word2vec epoch {epoch + 1}/{epochs}: {n} {'pairs' if c['sg'] else 'centre words'}, "
                      f"loss {self.history[-1]:.4f}")
        self._normed = None
        return self

    def _step(self, inputs, targets, cumulative, lr: float, rng) -> float:
        """One SGD step on a minibatch; returns the summed loss.  The NumPy path (the reference): gather the
        rows, the loss Function's forward and backward, scatter −lr·gradient back."""
        k = self.config["negative"]
        noise = S.draw_noise(cumulative, (len(targets), k), rng)
        from ...kernels.compiled import kernel_arrays
        if kernel_arrays(self.input_vectors, self.output_vectors):  # the same step, compiled (kernels/word2vec.py)
            from ...kernels.word2vec import sgns_step
            rows = inputs[:, None] if inputs.ndim == 1 else inputs
            return float(sgns_step(self.input_vectors, self.output_vectors, np.ascontiguousarray(rows),
                                   np.ascontiguousarray(targets), noise, lr))
        mask = (noise != targets[:, None]).astype(np.float32)   # gensim skips a noise word equal to the target
        if inputs.ndim == 1:                                      # skip-gram: the centre word's vector
            h = self.input_vectors[inputs]
        else:                                                     # CBOW: the mean of the context vectors
            present = inputs >= 0
            rows = self.input_vectors[np.where(present, inputs, 0)] * present[:, :, None]
            h = rows.sum(axis=1) / present.sum(axis=1, keepdims=True)
        u = Tensor(h, requires_grad=True)
        v = Tensor(self.output_vectors[targets], requires_grad=True)
        n = Tensor(self.output_vectors[noise], requires_grad=True)
        loss = negative_sampling_loss(u, v, n, mask)
        loss.backward()
        out_index = np.concatenate([targets, noise.reshape(-1)])
        out_rows = np.concatenate([v.grad, n.grad.reshape(-1, v.grad.shape[1])])
        out_rows *= -lr
        _scatter_add(self.output_vectors, out_index, out_rows)
        gu = u.grad * np.float32(-lr)
        if inputs.ndim == 1:
            _scatter_add(self.input_vectors, inputs, gu)
        else:  # word2vec.c / gensim: every context word takes the full gradient of the mean
            slot_row, slot = np.nonzero(present)
            _scatter_add(self.input_vectors, inputs[slot_row, slot], gu[slot_row])
        return float(loss.data)

    # ---------------------------------------------------------------- queries
    def _check_trained(self, who: str) -> None:
        if self.input_vectors is None:
            raise ValueError(f"Word2Vec.{who}: the model has no vocabulary yet; call fit(sentences) first")

    def _unit(self) -> np.ndarray:
        if self._normed is None:
            v = self.vectors.astype(np.float32)
            self._normed = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
        return self._normed

    def _id(self, word: str, who: str) -> int:
        self._check_trained(who)
        if word not in self.index:
            raise KeyError(f"Word2Vec.{who}: {word!r} is not in the vocabulary ({len(self.words)} words, "
                           f"min_count={self.config['min_count']})")
        return self.index[word]

    def __contains__(self, word) -> bool:
        return word in self.index

    def __getitem__(self, word: str) -> np.ndarray:
        return self.vectors[self._id(word, "__getitem__")]

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two words' vectors."""
        unit = self._unit()
        return float(unit[self._id(a, "similarity")] @ unit[self._id(b, "similarity")])

    def _nearest(self, query, exclude, topn: int) -> list:
        unit = self._unit()
        q = query / max(float(np.linalg.norm(query)), 1e-12)
        scores = unit @ q
        scores[list(exclude)] = -np.inf
        top = np.argsort(-scores, kind="stable")[:topn]
        return [(str(self.words[i]), float(scores[i])) for i in top]  # plain str, not NumPy's str_

    def most_similar(self, word, topn: int = 10) -> list:
        """The ``topn`` words of highest cosine similarity to ``word`` (a str, or a vector), as (word, cosine)."""
        if isinstance(word, str):
            i = self._id(word, "most_similar")
            return self._nearest(self._unit()[i], [i], topn)
        self._check_trained("most_similar")
        return self._nearest(np.asarray(word, dtype=np.float32), [], topn)

    def analogy(self, a: str, b: str, c: str, topn: int = 1) -> list:
        """a is to b as c is to ?: 3CosAdd, argmax_x cos(x, b̂ − â + ĉ) over unit vectors, a, b and c excluded
        (what gensim's ``most_similar(positive=[b, c], negative=[a])`` computes)."""
        unit = self._unit()
        ia, ib, ic = (self._id(w, "analogy") for w in (a, b, c))
        return self._nearest(unit[ib] - unit[ia] + unit[ic], [ia, ib, ic], topn)

    def evaluate_analogies(self, questions) -> dict:
        """Accuracy on (a, b, c, d) questions "a : b :: c : d" (top-1 3CosAdd); questions with a word
        outside the vocabulary are counted as skipped, as gensim's ``evaluate_word_analogies`` does."""
        tried = correct = skipped = 0
        wrong = []
        for q in questions:
            if not all(w in self.index for w in q):
                skipped += 1
                continue
            tried += 1
            guess = self.analogy(*q[:3])[0][0]
            if guess == q[3]:
                correct += 1
            else:
                wrong.append((*q, guess))
        return {"tried": tried, "correct": correct, "skipped": skipped,
                "accuracy": correct / tried if tried else float("nan"), "wrong": wrong}

    # ---------------------------------------------------------------- save / load
    def save(self, path) -> None:
        """Both tables in a safetensors (or npz) file; words, counts and settings in its metadata (no pickle)."""
        from ...io import save
        self._check_trained("save")
        save({"input_vectors": self.input_vectors, "output_vectors": self.output_vectors,
              "counts": self.counts}, path,
             metadata={"word2vec_words": json.dumps(self.words), "word2vec_config": json.dumps(self.config),
                       "word2vec_history": json.dumps(self.history)})

    @classmethod
    def load(cls, path) -> "Word2Vec":
        """A model written by :meth:`save`."""
        from ...io import load, load_metadata
        meta = load_metadata(path)
        if "word2vec_words" not in meta:
            raise ValueError(f"Word2Vec.load: {path} was not written by Word2Vec.save (no word list in its metadata)")
        arrays = load(path)
        model = cls(**json.loads(meta["word2vec_config"]))
        model.words = json.loads(meta["word2vec_words"])
        model.index = {w: i for i, w in enumerate(model.words)}
        model.counts = np.asarray(arrays["counts"])
        model.input_vectors = np.asarray(arrays["input_vectors"])
        model.output_vectors = np.asarray(arrays["output_vectors"])
        model.history = json.loads(meta.get("word2vec_history", "[]"))
        if model.input_vectors.shape != (len(model.words), model.config["vector_size"]):
            raise ValueError(f"Word2Vec.load: {path} has input vectors of shape {model.input_vectors.shape} "
                             f"for {len(model.words)} words of dimension {model.config['vector_size']}")
        return model

    def __repr__(self) -> str:
        c = self.config
        return (f"Word2Vec({'skip-gram' if c['sg'] else 'CBOW'}, {len(self.words)} words, "
                f"dim {c['vector_size']}, window {c['window']}, negative {c['negative']})")


def _as_token_lists(sentences) -> list:
    """Token lists from token lists, strings, or one str (split into sentences)."""
    if isinstance(sentences, str):
        return S.text_to_sentences(sentences)
    out = []
    for s in sentences:
        if isinstance(s, str):
            out.append(S.WORD_RE.findall(s.lower()))
        elif isinstance(s, (list, tuple)) and all(isinstance(w, str) for w in s):
            out.append(list(s))
        else:
            raise TypeError(f"Word2Vec.fit: each sentence must be a str or a list of str tokens, "
                            f"got {type(s).__name__}")
    if not out:
        raise ValueError("Word2Vec.fit: no sentences given")
    return out
