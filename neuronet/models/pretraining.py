"""Pre-training a Transformer encoder with masked language modelling, and handing it to a classifier.

:class:`MaskedLanguageModel` is BERT's pre-training network at the project's size: the embeddings
and encoder of :class:`~neuronet.models.TransformerClassifier` (same attribute names, so the weights
carry over one to one), then BERT's MLM head — Linear, GELU, LayerNorm, and an output layer that
reuses the token embedding matrix (logits = h Eᵀ + b).  :func:`transfer_encoder` copies the
pre-trained embeddings and encoder into a classifier; :func:`lm_cross_entropy` is the loss of all
three objectives in :mod:`neuronet.data.collators` (mean over the labelled positions only).
"""
from __future__ import annotations

from .. import backend
from ..functional import cross_entropy, gelu, linear
from ..functional.shape import reshape
from ..nn import Dropout, Embedding, LayerNorm, Linear
from ..nn.layers.positional import LearnedPositionalEmbedding
from ..nn.module import register_module
from ..nn.parameter import Parameter
from ..tensor import Tensor
from ..train import Model
from .transformer import _EMBEDDING_INIT, PAD_ID, _encoder, _ids

__all__ = ["MaskedLanguageModel", "lm_cross_entropy", "transfer_encoder", "ENCODER_PREFIXES"]

ENCODER_PREFIXES = ("token_embedding.", "position_embedding.", "encoder.")
"""The parameters a pre-trained encoder hands to a classifier (the heads stay behind)."""


def lm_cross_entropy(logits, labels, ignore_index: int = -100):
    """Mean cross-entropy (nats per token) of logits (N, T, V) against labels (N, T), over the
    positions whose label is not ``ignore_index`` (the chosen tokens of masked LM, the real
    tokens of causal LM and span corruption).  Logits (K, V) computed at the K labelled positions
    only (``MaskedLanguageModel((ids, positions))``) take labels (K,) or the full (N, T) labels.

    Example:
        >>> labels = np.array([[2, -100, 1]])  # -100: a position that is not scored
        >>> nt.models.lm_cross_entropy(nt.zeros(1, 3, 4), labels)  # uniform logits: log 4 nats per token
        tensor(1.3863)
        >>> nt.models.lm_cross_entropy(nt.zeros(2, 4), labels)  # logits at the 2 labelled positions only
        tensor(1.3863)
    """
    shape = tuple(logits.shape)
    target = labels.data if isinstance(labels, Tensor) else backend.np.asarray(labels)
    if len(shape) == 2 and target.ndim == 2:      # logits at the labelled positions only, in row-major order
        target = target[target != ignore_index]
    if len(shape) not in (2, 3) or tuple(target.shape) != shape[:-1]:
        raise ValueError(f"lm_cross_entropy: expected logits (batch, time, vocab) and labels (batch, time), or "
                         f"(K, vocab) and (K,), received {shape} and {tuple(target.shape)}")
    if len(shape) == 3:
        logits, target = reshape(logits, shape[0] * shape[1], shape[2]), target.reshape(-1)
    # a batch without a labelled position (a short batch of masked LM) scores 0, not PyTorch's nan of 0/0
    reduction = "mean" if (target != ignore_index).any() else "sum"
    return cross_entropy(logits, target, ignore_index=ignore_index, reduction=reduction)


@register_module
class MaskedLanguageModel(Model):
    """BERT-style masked language model: token + learned position embeddings -> Transformer encoder
    -> MLM head (Linear, GELU, LayerNorm, tied output) -> logits over the vocabulary at every position.

    Args:
        vocab_size: number of token ids (0 = padding, masked out of attention).
        d_model, nhead, num_layers, dim_feedforward, dropout, norm_first: encoder size, as
            :class:`~neuronet.models.TransformerClassifier` (use the same values to transfer).
        max_len: longest input.

    Input (N, T) ids -> logits (N, T, vocab_size); train with :func:`lm_cross_entropy` on the labels
    of a :class:`~neuronet.data.collators.MaskedLMCollator`.

    Example:
        >>> mlm = nt.models.MaskedLanguageModel(vocab_size=20, d_model=16, nhead=2, num_layers=1, max_len=8)
        >>> ids = np.random.randint(1, 20, size=(2, 8))  # 2 sequences of 8 token ids (0 is padding)
        >>> mlm(ids).shape  # logits over the vocabulary at every position
        (2, 8, 20)
        >>> mlm(ids, positions=ids > 10).shape  # or only at the masked positions (here 6 of them)
        (6, 20)

    Pre-training, then handing the encoder to a classifier::

        mlm = MaskedLanguageModel(tok.vocab_size, d_model=64, nhead=4, num_layers=2, max_len=48)
        mlm.compile(optimizer="adam", loss=lm_cross_entropy)
        mlm.fit(CollatedLoader(ids, MaskedLMCollator.from_tokenizer(tok), batch_size=64), epochs=5)
        clf = TransformerClassifier(tok.vocab_size, 2, d_model=64, nhead=4, num_layers=2, max_len=48, pooling="mean")
        transfer_encoder(mlm, clf)
    """

    def __init__(self, vocab_size: int, d_model: int = 64, nhead: int = 4, num_layers: int = 2,
                 dim_feedforward: int = 128, max_len: int = 128, dropout: float = 0.1, norm_first: bool = True):
        super().__init__()
        self.vocab_size, self.max_len, self.norm_first = int(vocab_size), int(max_len), bool(norm_first)
        self.token_embedding = Embedding(vocab_size, d_model, padding_idx=PAD_ID, embeddings_initializer=_EMBEDDING_INIT)
        self.position_embedding = LearnedPositionalEmbedding(self.max_len, d_model)
        self.embedding_dropout = Dropout(dropout)
        self.encoder = _encoder(d_model, nhead, num_layers, dim_feedforward, dropout, norm_first)
        self.mlm_dense = Linear(d_model, d_model)
        self.mlm_norm = LayerNorm(d_model)
        dtype = backend.get_default_dtype()
        self.mlm_bias = Parameter(backend.np.zeros(self.vocab_size, dtype=dtype), dtype=dtype)

    def encode(self, ids):
        """The encoder's output (N, T, E) (padding masked out of attention)."""
        ids, data = _ids("MaskedLanguageModel", ids, self.max_len)
        pad = backend.array_module(data).asarray(data == PAD_ID)
        x = self.embedding_dropout(self.position_embedding(self.token_embedding(ids)))
        return self.encoder(x, src_key_padding_mask=pad)

    def forward(self, ids, positions=None):
        """Logits (N, T, V) at every position; with ``positions`` (a boolean (N, T) mask, or a pair
        ``(ids, positions)`` as a compact :class:`~neuronet.data.collators.MaskedLMCollator` yields),
        logits (K, V) only at the K marked positions, in row-major order — BERT's trick: the vocabulary
        projection and its loss then cost 15 % of the full ones."""
        if positions is None and isinstance(ids, (tuple, list)):
            if len(ids) != 2:
                raise ValueError("MaskedLanguageModel: call with ids, or with (ids, positions)")
            ids, positions = ids
        h = self.encode(ids)
        if positions is not None:
            mask = backend.np.asarray(positions.data if isinstance(positions, Tensor) else positions)
            if mask.dtype != bool or mask.shape != tuple(h.shape[:2]):
                raise ValueError(f"MaskedLanguageModel: positions must be a boolean mask of the ids' shape "
                                 f"{tuple(h.shape[:2])}, received {mask.shape}, dtype {mask.dtype}")
            h = reshape(h, mask.size, h.shape[2])[backend.np.flatnonzero(mask)]
        h = self.mlm_norm(gelu(self.mlm_dense(h)))
        # F.linear (h Eᵀ + b in one fused Function): `h @ swapaxes(E)` on (N, T, E) is ~20× slower (NumPy's
        # broadcast batched matmul and its backward)
        return linear(h, self.token_embedding.weight, self.mlm_bias)


def transfer_encoder(source, target, prefixes=ENCODER_PREFIXES) -> list:
    """Copy the pre-trained embeddings and encoder of ``source`` into ``target`` (in place).

    Both must name these parameters alike (``MaskedLanguageModel`` and ``TransformerClassifier``
    with ``pooling="mean"`` do) and have the same shapes; the target's head keeps its fresh weights.

    Returns:
        The names of the copied parameters.

    Example:
        >>> size = dict(d_model=16, nhead=2, num_layers=1, max_len=8)
        >>> mlm = nt.models.MaskedLanguageModel(20, **size)  # pre-trained with masked LM
        >>> clf = nt.models.TransformerClassifier(20, 2, pooling="mean", **size)
        >>> copied = nt.models.transfer_encoder(mlm, clf)
        >>> len(copied), np.array_equal(clf.token_embedding.weight.numpy(), mlm.token_embedding.weight.numpy())
        (16, True)
    """
    src = {k: v for k, v in source.state_dict().items() if k.startswith(tuple(prefixes))}
    dst = target.state_dict()
    if not src:
        raise ValueError(f"transfer_encoder: {type(source).__name__} has no parameters under {prefixes}")
    missing = sorted(set(src) - set(dst))
    if missing:
        raise ValueError(f"transfer_encoder: {type(target).__name__} has no parameters {missing[:4]} "
                         f"(build it with the same number of layers)")
    for k, v in src.items():
        if tuple(v.shape) != tuple(dst[k].shape):
            raise ValueError(f"transfer_encoder: {k} is {tuple(v.shape)} in {type(source).__name__} but "
                             f"{tuple(dst[k].shape)} in {type(target).__name__} (same d_model, max_len and "
                             f"vocabulary needed; use pooling='mean', since 'cls' adds a position)")
    dst.update(src)
    target.load_state_dict(dst)
    return sorted(src)
