"""word2vec: skip-gram and CBOW with negative sampling (``Word2Vec``), the corpus sampling gensim uses
(``sampling``), and comparisons of two embeddings (``compare``)."""
from .model import Word2Vec
from .sampling import text_to_sentences, build_vocab, keep_probabilities, noise_distribution
from .compare import neighbour_overlap, analogy_questions

__all__ = ["Word2Vec", "text_to_sentences", "build_vocab", "keep_probabilities", "noise_distribution",
           "neighbour_overlap", "analogy_questions"]
