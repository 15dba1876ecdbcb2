"""Text classifier: token ids -> Embedding -> (bidirectional) LSTM at each text's own length -> logits.

Used by the ``rt-sentiment-lstm`` recipe; it lives with the ready models (not in the recipe) so that
``nt.load_model`` finds the class in any program that imports neuronet.
"""
from __future__ import annotations

from .. import backend
from ..backend import np
from ..nn import LSTM, Dense, Dropout, Embedding
from ..nn.module import register_module
from ..tensor import Tensor
from ..train import Model

__all__ = ["TextLSTMClassifier"]


@register_module
class TextLSTMClassifier(Model):
    """Token ids (N, T), right-padded with 0 -> Embedding -> (Bi)LSTM at each text's own length -> logits.

    The lengths are computed from the ids (the number of non-zero ids, at least 1), so the
    Keras-style ``fit``/``predict`` work on plain id arrays and padding never reaches the LSTM.

    The embedding starts at Keras's uniform(±0.05) rather than N(0, 1): small vectors keep the LSTM
    gates out of saturation at the start, so the model learns from far fewer reviews.

    Args:
        vocab_size: number of ids (``Tokenizer.vocab_size``).
        num_classes: outputs (logits).
        embedding_dim, units: embedding width and LSTM state size.
        bidirectional: read each text both ways and concatenate the two final states.
        dropout: dropout rate on the embeddings and on the final state.

    Example:
        >>> model = nt.models.TextLSTMClassifier(vocab_size=100, num_classes=2, embedding_dim=8, units=8)
        >>> model(np.array([[5, 6, 7, 0, 0], [8, 9, 0, 0, 0]])).shape  # padding (0) is masked
        (2, 2)
    """

    def __init__(self, vocab_size: int, num_classes: int, embedding_dim: int = 64, units: int = 64,
                 bidirectional: bool = True, dropout: float = 0.5):
        super().__init__()
        self.embedding = Embedding(vocab_size, embedding_dim, padding_idx=0, embeddings_initializer="uniform")
        self.embedding_dropout = Dropout(dropout)
        self.lstm = LSTM(units, bidirectional=bidirectional)
        self.dropout = Dropout(dropout)
        self.classifier = Dense(num_classes)

    def forward(self, ids):
        data = ids.data if isinstance(ids, Tensor) else ids
        if data.ndim != 2 or data.dtype.kind not in "iu":
            raise ValueError(f"TextLSTMClassifier: expected integer token ids of shape (batch, time), received "
                             f"shape {tuple(data.shape)}, dtype {data.dtype}")
        lengths = np.maximum(backend.to_numpy(data != 0).sum(axis=1), 1)
        x = self.embedding_dropout(self.embedding(ids))
        return self.classifier(self.dropout(self.lstm(x, lengths=lengths)))
