"""Embedding: a learnable lookup table from integer ids (words, tokens, categories) to vectors."""
from __future__ import annotations

from ... import backend
from ...checks import positive_int
from ...functional.embedding import embedding
from .. import init
from .base import _Layer
from ..parameter import Parameter

__all__ = ["Embedding"]


def _standard_normal(shape, dtype=None, xp=backend.np):
    return init.normal(shape, 0.0, 1.0, dtype=dtype, xp=xp)


class Embedding(_Layer):
    """Map each integer id in [0, num_embeddings) to a learned vector of ``embedding_dim`` values.

    The table is ``weight (num_embeddings, embedding_dim)`` as in ``torch.nn.Embedding``.

    Args:
        num_embeddings: size of the vocabulary.
        embedding_dim: length of each vector.
        padding_idx: an id whose vector starts at zero and never receives a gradient.
        embeddings_initializer: name or callable from ``nt.nn.init``; ``"normal"`` here means
            N(0, 1), PyTorch's default for embeddings.

    Input: integer ids of any shape S → output S + (embedding_dim,).

    Example:
        >>> emb = nt.nn.Embedding(100, 8, padding_idx=0)
        >>> emb(np.array([[0, 5, 7]])).shape, float(np.abs(emb.weight.numpy()[0]).sum())
        ((1, 3, 8), 0.0)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 embeddings_initializer="normal"):
        super().__init__()
        num_embeddings = positive_int("Embedding", "num_embeddings", num_embeddings)
        embedding_dim = positive_int("Embedding", "embedding_dim", embedding_dim)
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding: padding_idx {padding_idx} is out of range for "
                                 f"{num_embeddings} embeddings")
            padding_idx = padding_idx % num_embeddings
        self.num_embeddings, self.embedding_dim, self.padding_idx = num_embeddings, embedding_dim, padding_idx
        if isinstance(embeddings_initializer, str) and embeddings_initializer.lower() == "normal":
            initializer = _standard_normal
        else:
            initializer = init.get(embeddings_initializer)
        dtype = backend.get_default_dtype()
        table = initializer((num_embeddings, embedding_dim), dtype=dtype)
        if padding_idx is not None:
            table[padding_idx] = 0
        self.weight = Parameter(table, dtype=dtype)

    def forward(self, indices):
        try:
            return embedding(indices, self.weight, self.padding_idx)
        except (ValueError, TypeError) as e:
            raise type(e)(f"Embedding({self.num_embeddings}, {self.embedding_dim}): {e}") from None

    def infer_array(self, data):
        """``forward`` of the id array ``data`` without a graph, for ``Sequential``'s inference route
        (``nn/sequential.py``): the rows ``weight[data]`` themselves, without the layer call around
        them.  None when the call could differ — hooks, an activity regularizer, a subclass's own
        forward, ids that are not integers or out of range (the call raises its error) — so that
        the caller makes the call instead."""
        if (self._hooks is not None or self.activity_regularizer is not None
                or type(self).forward is not Embedding.forward or getattr(data, "dtype", None) is None
                or data.dtype.kind not in "iu"):
            return None
        weight = self.weight.data
        if data.size and (data.min() < 0 or data.max() >= weight.shape[0]):
            return None
        return weight[data]

    def extra_repr(self) -> str:
        pad = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{pad}"
