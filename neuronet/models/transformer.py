"""Transformer models of the curriculum: a BERT-style encoder classifier, a GPT-style decoder-only
language model, and an encoder–decoder (seq2seq) translator.

All read integer token ids with id 0 reserved for padding (``<pad>``): padded positions are
masked out of every attention (key padding mask), so they never change the other outputs.
"""
from __future__ import annotations

from .. import backend
from ..autograd import no_grad
from ..backend import np
from ..functional import linear, log_softmax
from ..functional.shape import concat, swapaxes
from ..nn import Dropout, Embedding, LayerNorm, Linear
from ..nn.layers.positional import LearnedPositionalEmbedding
from ..nn.layers.transformer import Transformer, TransformerEncoder, TransformerEncoderLayer
from ..nn.module import register_module
from ..nn.parameter import Parameter
from ..nn import init
from ..tensor import Tensor
from ..train import Model
from .decoding import beam_search, greedy_decode
from .sampling import sample_logits

__all__ = ["TransformerClassifier", "GPTLanguageModel", "Seq2SeqTransformer", "PAD_ID"]

PAD_ID = 0
# Token vectors start small (uniform ±0.05, the scale of the N(0, 0.02²) positions, as BERT/GPT-2):
# Adam moves a weight by about lr per step, so N(0, 1) word vectors of rare words would barely learn.
_EMBEDDING_INIT = "uniform"


def _ids(owner, ids, max_len=None):
    """``ids`` as an integer array (N, T), checked; returns (Tensor, array)."""
    data = ids.data if isinstance(ids, Tensor) else np.asarray(ids)
    if data.ndim != 2 or data.dtype.kind not in "iu":
        raise ValueError(f"{owner}: expected integer token ids of shape (batch, time), received shape "
                         f"{tuple(data.shape)}, dtype {data.dtype}")
    if max_len is not None and data.shape[1] > max_len:
        raise ValueError(f"{owner}: sequences may be at most max_len={max_len} tokens, received shape "
                         f"{tuple(data.shape)}")
    return (ids if isinstance(ids, Tensor) else Tensor(data)), data


def _encoder(d_model, nhead, num_layers, dim_feedforward, dropout, norm_first):
    """A stack of encoder layers; pre-norm stacks end with a LayerNorm (their residual stream is un-normalised)."""
    return TransformerEncoder(
        lambda: TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout, activation="gelu",
                                        norm_first=norm_first),
        num_layers, LayerNorm(d_model) if norm_first else None)


@register_module
class TransformerClassifier(Model):
    """BERT-style text classifier: token + learned position embeddings -> Transformer encoder ->
    pooled vector -> logits.

    Args:
        vocab_size: number of token ids (0 = padding).
        num_classes: outputs.
        d_model, nhead, num_layers, dim_feedforward: encoder size.
        max_len: longest input (without the [CLS] token).
        dropout: dropout in the encoder, on the embeddings and before the head.
        pooling: ``"cls"`` prepends a learned [CLS] vector and classifies its output (BERT);
            ``"mean"`` averages the outputs of the non-padding tokens.
        norm_first: pre-norm layers (stabler when deep) instead of the paper's post-norm.

    Input (N, T) ids right- or left-padded with 0 -> (N, num_classes) logits.

    Example:
        >>> model = nt.models.TransformerClassifier(vocab_size=100, num_classes=2, d_model=16, nhead=2, num_layers=1)
        >>> model(np.ones((4, 12), np.int64)).shape
        (4, 2)
    """

    def __init__(self, vocab_size: int, num_classes: int, d_model: int = 64, nhead: int = 4, num_layers: int = 2,
                 dim_feedforward: int = 128, max_len: int = 128, dropout: float = 0.1, pooling: str = "cls",
                 norm_first: bool = True):
        super().__init__()
        if pooling not in ("cls", "mean"):
            raise ValueError(f"TransformerClassifier: pooling must be 'cls' or 'mean', got {pooling!r}")
        self.pooling, self.max_len, self.norm_first = pooling, int(max_len), bool(norm_first)
        self.token_embedding = Embedding(vocab_size, d_model, padding_idx=PAD_ID, embeddings_initializer=_EMBEDDING_INIT)
        self.position_embedding = LearnedPositionalEmbedding(self.max_len + (pooling == "cls"), d_model)
        if pooling == "cls":
            dtype = backend.get_default_dtype()
            self.cls_token = Parameter(init.normal((1, 1, d_model), 0.0, 0.02, dtype=dtype), dtype=dtype)
        self.embedding_dropout = Dropout(dropout)
        self.encoder = _encoder(d_model, nhead, num_layers, dim_feedforward, dropout, norm_first)
        self.dropout = Dropout(dropout)
        self.head = Linear(d_model, num_classes)

    def _embed(self, ids):
        """Embedded input (N, T', E) and its key padding mask (N, T') (True = padding)."""
        ids, data = _ids("TransformerClassifier", ids, self.max_len)
        pad = backend.array_module(data).asarray(data == PAD_ID)
        x = self.token_embedding(ids)
        if self.pooling == "cls":
            n, xp = data.shape[0], backend.array_module(pad)
            x = concat([self.cls_token * xp.ones((n, 1, 1), dtype=x.dtype), x], axis=1)
            pad = xp.concatenate([xp.zeros((n, 1), dtype=bool), pad], axis=1)
        return self.embedding_dropout(self.position_embedding(x)), pad

    def _pool(self, h, pad):
        if self.pooling == "cls":
            return h[:, 0]
        keep = (~pad).astype(h.dtype)[:, :, None]
        return (h * keep).sum(axis=1) / np.maximum(keep.sum(axis=1), 1.0)

    def forward(self, ids):
        x, pad = self._embed(ids)
        return self.head(self.dropout(self._pool(self.encoder(x, src_key_padding_mask=pad), pad)))

    def attention_weights(self, ids) -> list:
        """The self-attention maps of every layer, for plotting: a list (one per layer) of float
        arrays (N, heads, T', T') where T' = T + 1 with [CLS] first when pooling='cls'."""
        was = self.training
        self.eval()
        maps = []
        try:
            with no_grad():
                x, pad = self._embed(ids)
                for layer in self.encoder.layers:
                    q = layer.norm1(x) if layer.norm_first else x
                    _, w = layer.self_attn(q, q, q, key_padding_mask=pad, need_weights=True,
                                           average_attn_weights=False)
                    maps.append(backend.to_numpy(w.data))
                    x = layer(x, src_key_padding_mask=pad)
        finally:
            self.train(was)
        return maps


@register_module
class GPTLanguageModel(Model):
    """GPT-style decoder-only language model: token + learned position embeddings -> pre-norm
    Transformer layers with causal self-attention -> LayerNorm -> next-token logits.

    The layers are :class:`~neuronet.nn.TransformerEncoderLayer` run with ``is_causal=True``: a
    decoder without cross-attention is exactly an encoder whose position t sees only 0…t.

    Args:
        vocab_size: number of token ids V.
        d_model, nhead, num_layers, dim_feedforward: model size.
        max_len: context length (longest input; ``generate`` crops to the last ``max_len`` ids).
        dropout: dropout in the layers and on the embeddings.
        tie_weights: the output head reuses the token embedding matrix (logits = h Eᵀ, as GPT-2):
            fewer parameters and usually better on small data.  False: a separate ``head`` Linear.

    Input (N, T) ids -> logits (N, T, V); train with ``sequence_cross_entropy`` on ids shifted by one.

    Example:
        >>> gpt = nt.models.GPTLanguageModel(vocab_size=50, d_model=16, nhead=2, num_layers=1, max_len=32)
        >>> gpt(np.ones((2, 10), np.int64)).shape
        (2, 10, 50)
    """

    def __init__(self, vocab_size: int, d_model: int = 64, nhead: int = 4, num_layers: int = 2,
                 dim_feedforward: int = 256, max_len: int = 128, dropout: float = 0.1, tie_weights: bool = True):
        super().__init__()
        self.vocab_size, self.max_len, self.tie_weights = int(vocab_size), int(max_len), bool(tie_weights)
        self.token_embedding = Embedding(vocab_size, d_model, embeddings_initializer=_EMBEDDING_INIT)
        self.position_embedding = LearnedPositionalEmbedding(self.max_len, d_model)
        self.embedding_dropout = Dropout(dropout)
        self.decoder = _encoder(d_model, nhead, num_layers, dim_feedforward, dropout, norm_first=True)
        if not self.tie_weights:
            self.head = Linear(d_model, vocab_size)

    def forward(self, ids):
        ids, _ = _ids("GPTLanguageModel", ids, self.max_len)
        x = self.embedding_dropout(self.position_embedding(self.token_embedding(ids)))
        h = self.decoder(x, is_causal=True)
        # tied: logits = h Eᵀ through the fused F.linear (`h @ swapaxes(E)` broadcasts a batched matmul, ~20× slower)
        return linear(h, self.token_embedding.weight) if self.tie_weights else self.head(h)

    def generate(self, prompt_ids, max_new_tokens: int, temperature: float = 1.0, top_k: int | None = None,
                 greedy: bool = False, stop_id: int | None = None, rng=None):
        """Extend ``prompt_ids`` one token at a time (the context is cropped to the last ``max_len`` ids).

        Args:
            prompt_ids: 1-D ids (one prompt) or (N, T) ids (N prompts of one length).
            max_new_tokens: the most tokens added.
            temperature, top_k, greedy, rng: passed to :func:`neuronet.models.sample_logits`.
            stop_id: a row is finished once it draws this id (kept); finished rows are padded
                with it, and generation ends when every row has finished.

        Returns:
            int64 array: the prompt followed by the new ids, (T + new,) or (N, T + new).
        """
        ids = np.asarray(prompt_ids)
        single = ids.ndim == 1
        ids = ids[None] if single else ids
        if ids.ndim != 2 or ids.shape[1] == 0 or ids.dtype.kind not in "iu" or ids.min() < 0 \
                or ids.max() >= self.vocab_size:
            raise ValueError(f"GPTLanguageModel.generate: prompt_ids must be non-empty integer ids in "
                             f"[0, {self.vocab_size - 1}] of shape (T,) or (N, T), received shape {ids.shape}")
        if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, (int, np.integer)) or max_new_tokens < 0:
            raise ValueError(f"GPTLanguageModel.generate: max_new_tokens must be a non-negative integer, "
                             f"received {max_new_tokens!r}")
        ids = ids.astype(np.int64)
        done = np.zeros(ids.shape[0], dtype=bool)
        was = self.training
        self.eval()
        try:
            with no_grad():
                for _ in range(max_new_tokens):
                    logits = self(Tensor(ids[:, -self.max_len:]))
                    token = sample_logits(logits.data[:, -1], temperature, top_k, greedy, rng)
                    if stop_id is not None:
                        token = np.where(done, stop_id, token)
                        done |= token == stop_id
                    ids = np.concatenate([ids, token[:, None]], axis=1)
                    if done.all():
                        break
        finally:
            self.train(was)
        return ids[0] if single else ids


@register_module
class Seq2SeqTransformer(Model):
    """Encoder–decoder Transformer (Vaswani et al.) for sequence-to-sequence tasks: source and
    target token + learned position embeddings around :class:`~neuronet.nn.Transformer`, then a
    Linear to target-vocabulary logits.

    Args:
        src_vocab, tgt_vocab: vocabulary sizes (id 0 = padding in both).
        d_model, nhead, num_encoder_layers, num_decoder_layers, dim_feedforward: model size.
        max_len: longest source and longest target.
        dropout: dropout in the layers and on the embeddings.

    Call ``model((src, tgt_in))`` or ``model(src, tgt_in)`` with src (N, S) and the decoder input
    tgt_in (N, T) (the target shifted right, starting with ``<start>``) -> logits (N, T, tgt_vocab).
    Source padding is masked in the encoder and in cross-attention, target padding and the future
    in the decoder's self-attention.  ``fit`` takes ``x=(src, tgt_in)``, ``y=tgt_out``.

    Example:
        >>> model = nt.models.Seq2SeqTransformer(src_vocab=20, tgt_vocab=15, d_model=16, nhead=2,
        ...                                      num_encoder_layers=1, num_decoder_layers=1)
        >>> model(np.ones((2, 7), np.int64), np.full((2, 5), 2)).shape
        (2, 5, 15)
    """

    def __init__(self, src_vocab: int, tgt_vocab: int, d_model: int = 64, nhead: int = 4,
                 num_encoder_layers: int = 2, num_decoder_layers: int = 2, dim_feedforward: int = 128,
                 max_len: int = 64, dropout: float = 0.1):
        super().__init__()
        self.max_len = int(max_len)
        self.src_embedding = Embedding(src_vocab, d_model, padding_idx=PAD_ID, embeddings_initializer=_EMBEDDING_INIT)
        self.tgt_embedding = Embedding(tgt_vocab, d_model, padding_idx=PAD_ID, embeddings_initializer=_EMBEDDING_INIT)
        self.src_position = LearnedPositionalEmbedding(self.max_len, d_model)
        self.tgt_position = LearnedPositionalEmbedding(self.max_len, d_model)
        self.embedding_dropout = Dropout(dropout)
        self.transformer = Transformer(d_model, nhead, num_encoder_layers, num_decoder_layers, dim_feedforward,
                                       dropout, norm_first=True)
        self.generator = Linear(d_model, tgt_vocab)

    def encode(self, src):
        """Encoder output (N, S, E) and the source padding mask (N, S)."""
        src, data = _ids("Seq2SeqTransformer", src, self.max_len)
        pad = data == PAD_ID
        x = self.embedding_dropout(self.src_position(self.src_embedding(src)))
        return self.transformer.encoder(x, src_key_padding_mask=pad), pad

    def decode(self, tgt_in, memory, src_pad):
        """Target logits (N, T, V) from the decoder input and the encoder output."""
        tgt_in, data = _ids("Seq2SeqTransformer", tgt_in, self.max_len)
        y = self.embedding_dropout(self.tgt_position(self.tgt_embedding(tgt_in)))
        h = self.transformer.decoder(y, memory, tgt_key_padding_mask=data == PAD_ID,
                                     memory_key_padding_mask=src_pad, tgt_is_causal=True)
        return self.generator(h)

    def forward(self, src, tgt_in=None):
        if tgt_in is None:
            if not isinstance(src, (tuple, list)) or len(src) != 2:
                raise ValueError("Seq2SeqTransformer: call with (src, tgt_in) — source ids and decoder input ids")
            src, tgt_in = src
        memory, pad = self.encode(src)
        return self.decode(tgt_in, memory, pad)

    def cross_attention_weights(self, src, tgt_in, layer: int = -1, average_heads: bool = True):
        """The decoder's attention over the source while it reads ``tgt_in`` (teacher forced), for heat maps.

        Row t holds the weights over the source positions used to produce target token t (the
        output at decoder input t); padded source positions get weight 0.  Feeding ``<start>``
        followed by ``translate``'s output reproduces the weights of greedy decoding.

        Args:
            src: (N, S) source ids.
            tgt_in: (N, T) decoder input ids (``<start>`` first, right-padded with 0).
            layer: which decoder layer's cross-attention (default the last).
            average_heads: average over the heads -> (N, T, S); False -> (N, heads, T, S).

        Returns:
            A float NumPy array (N, T, S) (or (N, heads, T, S)); each row sums to 1.
        """
        owner = "Seq2SeqTransformer.cross_attention_weights"
        src, src_data = _ids(owner, src, self.max_len)
        tgt_in, tgt_data = _ids(owner, tgt_in, self.max_len)
        if src_data.shape[0] != tgt_data.shape[0]:
            raise ValueError(f"{owner}: src and tgt_in need the same batch size, received shapes "
                             f"{tuple(src_data.shape)} and {tuple(tgt_data.shape)}")
        layers = list(self.transformer.decoder.layers)
        if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not -len(layers) <= layer < len(layers):
            raise ValueError(f"{owner}: layer must be an integer in [{-len(layers)}, {len(layers) - 1}], "
                             f"received {layer!r}")
        last = int(layer) % len(layers)
        was = self.training
        self.eval()
        try:
            with no_grad():
                memory, src_pad = self.encode(src)
                tgt_pad = tgt_data == PAD_ID
                y = self.tgt_position(self.tgt_embedding(tgt_in))
                for dec in layers[:last]:
                    y = dec(y, memory, tgt_key_padding_mask=tgt_pad, memory_key_padding_mask=src_pad,
                            tgt_is_causal=True)
                dec = layers[last]      # its self-attention block (pre-norm), then cross-attention with weights
                y = y + dec._sa_block(dec.norm1(y), None, tgt_pad, True)
                _, weights = dec.multihead_attn(dec.norm2(y), memory, memory, key_padding_mask=src_pad,
                                                need_weights=True, average_attn_weights=average_heads)
        finally:
            self.train(was)
        return backend.to_numpy(weights.data)

    def translate(self, src, max_len: int, start_id: int, stop_id: int | None = None, beam_width: int = 1,
                  length_penalty: float = 0.0) -> list:
        """Decode each source row: greedy (``beam_width=1``) or beam search, via
        :mod:`neuronet.models.decoding`; the decoder re-reads the whole prefix at every step.

        Returns:
            A list of N token lists (without ``start_id``, cut before ``stop_id``).
        """
        _, data = _ids("Seq2SeqTransformer.translate", src, self.max_len)
        limit = min(int(max_len), self.max_len)
        was = self.training
        self.eval()
        try:
            with no_grad():
                memory, pad = self.encode(Tensor(data.astype(np.int64)))

                def step(tokens, state):
                    mem, src_pad, prefix = state
                    prefix = np.concatenate([prefix, tokens[:, None]], axis=1)
                    logits = self.decode(Tensor(prefix), Tensor(mem), src_pad)
                    return log_softmax(logits[:, -1], axis=-1).data, (mem, src_pad, prefix)

                start = np.full(data.shape[0], start_id, dtype=np.int64)
                state = (memory.data, pad, np.zeros((data.shape[0], 0), dtype=np.int64))
                if beam_width == 1:
                    seqs, _ = greedy_decode(step, start, limit, stop_id, state)
                else:
                    seqs, _ = beam_search(step, start, beam_width, limit, stop_id, state, length_penalty)
        finally:
            self.train(was)
        return seqs
