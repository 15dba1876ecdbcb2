"""Positional encodings: attention is blind to order, so each position gets a code added to
(or appended to) its vector — sinusoidal (fixed), learned, one-hot — and the token + position
embedding of GPT/BERT-style models.

Every layer takes a batch (N, T, ...) and works for any T up to ``max_len``.
"""
from __future__ import annotations

from ... import backend
from ...checks import positive_int
from ...functional.math import add
from ...functional.indexing import getitem
from ...functional.shape import concat
from ...tensor import Tensor
from .. import init
from .base import _Layer
from ..parameter import Parameter
from .embedding import Embedding

__all__ = [
    "sinusoidal_encoding", "SinusoidalPositionalEncoding", "LearnedPositionalEmbedding",
    "OneHotPositionalEncoding", "PositionalEmbedding",
]


def sinusoidal_encoding(max_len: int, d_model: int, dtype=None, xp=backend.np):
    """The table PE (max_len, d_model) of Vaswani et al.:
    PE(pos, 2i) = sin(pos / 10000^{2i/d}),  PE(pos, 2i+1) = cos(pos / 10000^{2i/d}).

    Each pair of columns is a sinusoid of its own wavelength (2π … 10000·2π), so relative
    offsets are linear maps of the codes.

    Example:
        >>> pe = nt.nn.sinusoidal_encoding(50, 16)
        >>> pe.shape, pe[0, :4].tolist()  # position 0: sin 0 = 0, cos 0 = 1
        ((50, 16), [0.0, 1.0, 0.0, 1.0])
    """
    positive_int("sinusoidal_encoding", "max_len", max_len)
    positive_int("sinusoidal_encoding", "d_model", d_model)
    pos = xp.arange(max_len, dtype=xp.float64)[:, None]
    angle = pos / 10000.0 ** (xp.arange(0, d_model, 2, dtype=xp.float64) / d_model)  # (max_len, ⌈d/2⌉)
    pe = xp.zeros((max_len, d_model))
    pe[:, 0::2] = xp.sin(angle)
    pe[:, 1::2] = xp.cos(angle[:, : d_model // 2])
    return pe.astype(dtype or backend.get_default_dtype())


def _length(layer, x, max_len, min_ndim=3):
    shape = tuple(x.shape)
    if len(shape) != min_ndim or shape[1] > max_len:  # other ranks failed later inside add/concat
        raise ValueError(f"{layer}: expected input (batch, T{', features' if min_ndim == 3 else ''}) with "
                         f"T <= max_len={max_len}, received shape {shape}")
    return shape[1]


class SinusoidalPositionalEncoding(_Layer):
    """Add the fixed sinusoidal code of each position to the input (no parameters).

    Args:
        max_len: longest sequence the layer accepts.
        d_model: feature size of the input.

    Input (N, T, d_model) → same shape.  The table is ``pe (max_len, d_model)``, a
    non-persistent buffer (recomputed, never saved).

    Example:
        >>> pe = nt.nn.SinusoidalPositionalEncoding(50, 16)
        >>> pe(nt.zeros(2, 10, 16)).shape, pe.count_params()  # fixed, nothing to learn
        ((2, 10, 16), 0)
    """

    def __init__(self, max_len: int, d_model: int):
        super().__init__()
        self.max_len = positive_int("SinusoidalPositionalEncoding", "max_len", max_len)
        self.d_model = positive_int("SinusoidalPositionalEncoding", "d_model", d_model)
        self.register_buffer("pe", sinusoidal_encoding(max_len, d_model), persistent=False)

    def forward(self, x):
        t = _length(f"SinusoidalPositionalEncoding({self.max_len}, {self.d_model})", x, self.max_len)
        if x.shape[-1] != self.d_model:
            raise ValueError(f"SinusoidalPositionalEncoding({self.max_len}, {self.d_model}): expected "
                             f"{self.d_model} features, received shape {tuple(x.shape)}")
        return add(x, self.pe[:t].astype(x.dtype, copy=False))

    def extra_repr(self) -> str:
        return f"max_len={self.max_len}, d_model={self.d_model}"


class LearnedPositionalEmbedding(_Layer):
    """Add a learned vector per position to the input (BERT/GPT-2 style): ``weight (max_len, d_model)``,
    initialised N(0, 0.02²).

    Input (N, T, d_model) → same shape.

    Example:
        >>> pe = nt.nn.LearnedPositionalEmbedding(50, 16)
        >>> pe(nt.zeros(2, 10, 16)).shape, pe.count_params()
        ((2, 10, 16), 800)
    """

    def __init__(self, max_len: int, d_model: int):
        super().__init__()
        self.max_len = positive_int("LearnedPositionalEmbedding", "max_len", max_len)
        self.d_model = positive_int("LearnedPositionalEmbedding", "d_model", d_model)
        dtype = backend.get_default_dtype()
        self.weight = Parameter(init.normal((max_len, d_model), 0.0, 0.02, dtype=dtype), dtype=dtype)

    def forward(self, x):
        t = _length(f"LearnedPositionalEmbedding({self.max_len}, {self.d_model})", x, self.max_len)
        if x.shape[-1] != self.d_model:
            raise ValueError(f"LearnedPositionalEmbedding({self.max_len}, {self.d_model}): expected "
                             f"{self.d_model} features, received shape {tuple(x.shape)}")
        return add(x, getitem(self.weight, slice(0, t)))

    def extra_repr(self) -> str:
        return f"max_len={self.max_len}, d_model={self.d_model}"


class OneHotPositionalEncoding(_Layer):
    """Append the one-hot code of each position (a 1 in column t of ``max_len`` columns) to its features.

    Input (N, T, d) → (N, T, d + max_len).  The simplest encoding: exact, but it neither
    generalises past ``max_len`` nor says that positions 3 and 4 are close.

    Example:
        >>> nt.nn.OneHotPositionalEncoding(10)(nt.zeros(2, 10, 3)).shape  # 3 features + 10 position columns
        (2, 10, 13)
    """

    def __init__(self, max_len: int):
        super().__init__()
        self.max_len = positive_int("OneHotPositionalEncoding", "max_len", max_len)

    def forward(self, x):
        t = _length(f"OneHotPositionalEncoding({self.max_len})", x, self.max_len)
        xp = backend.array_module(x.data)
        codes = xp.broadcast_to(xp.eye(t, self.max_len, dtype=x.dtype), (x.shape[0], t, self.max_len))
        return concat([x, Tensor(codes)], axis=-1)

    def extra_repr(self) -> str:
        return f"max_len={self.max_len}"


class PositionalEmbedding(_Layer):
    """Token embedding plus learned position embedding: the input layer of GPT/BERT-style models
    (Keras-NLP's ``TokenAndPositionEmbedding``).

    Args:
        vocab_size: number of token ids.
        max_len: longest sequence.
        dim: vector size.

    Input integer ids (N, T) → (N, T, dim).  Sub-modules ``token_embedding`` (``Embedding``)
    and ``position_embedding`` (``LearnedPositionalEmbedding``).

    Example:
        >>> emb = nt.nn.PositionalEmbedding(vocab_size=100, max_len=32, dim=16)
        >>> emb(np.array([[1, 2, 3]])).shape
        (1, 3, 16)
    """

    def __init__(self, vocab_size: int, max_len: int, dim: int):
        super().__init__()
        self.token_embedding = Embedding(vocab_size, dim)
        self.position_embedding = LearnedPositionalEmbedding(max_len, dim)

    def forward(self, ids):
        _length(f"PositionalEmbedding(max_len={self.position_embedding.max_len})", ids,
                self.position_embedding.max_len, min_ndim=2)
        return self.position_embedding(self.token_embedding(ids))
