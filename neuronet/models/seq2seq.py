"""RNN encoder–decoder (seq2seq) with teacher forcing, greedy/beam decoding and optional attention.

Encoder: embedding -> LSTM/GRU (optionally bidirectional) over the source, padded steps skipped
(each source stops at its own length).  Its final state starts the decoder (the two directions'
states concatenated, so the decoder has ``units·directions`` units); its output sequence h̄_s
(the "annotations") is what attention reads, source padding masked.

Decoders (Sutskever et al. 2014; Luong et al. 2015; Bahdanau et al. 2015):

* ``attention=None``: the decoder RNN runs over the whole shifted target at once (one fused
  layer); logits = W_s h_t.
* ``"luong"`` / ``"luong-general"`` (global attention): the decoder RNN runs over the whole target
  at once, then every h_t attends afterwards: a_t = softmax(score(h_t, h̄_s)) with score h_tᵀh̄_s
  (dot) or h_tᵀW_a h̄_s (general), c_t = Σ_s a_ts h̄_s, h̃_t = tanh(W_c[c_t; h_t]), logits = W_s h̃_t.
  Luong's optional "input feeding" (h̃_{t−1} as extra decoder input) is left out: it would force
  a per-step loop, and without it the teacher-forced decoder is one fused call.
* ``"bahdanau"`` (additive): the score needs the previous decoder state,
  e_tj = vᵀ tanh(W_q s_{t−1} + W_k h̄_j), so the decoder is a per-step loop with a cell:
  c_t = Σ_j a_tj h̄_j, s_t = cell([E y_{t−1}; c_t], s_{t−1}); the output layer is Bahdanau's
  "deep output" with tanh in place of maxout: logits = W_o tanh(W_d[s_t; c_t; E y_{t−1}]).

Training is teacher forcing: ``model((src, tgt_in))`` -> logits (N, T, V) for the whole target,
with :class:`SequenceCrossEntropy` ignoring ``<pad>`` targets (the default loss of ``compile``).
Inference (:meth:`Seq2Seq.translate`) feeds the model its own tokens through
:mod:`neuronet.models.decoding` (greedy or beam search).
"""
from __future__ import annotations

from .. import backend
from ..autograd import no_grad
from ..backend import np
from ..functional.loss import cross_entropy
from ..functional.indexing import getitem
from ..functional.shape import concat, squeeze, stack, swapaxes, unsqueeze
from ..nn import GRU, LSTM, AdditiveAttention, Attention, Dense, Dropout, Embedding, GRUCell, LSTMCell
from ..nn.module import Module, register_module
from ..tensor import Tensor
from ..train import Model
from .decoding import beam_search, greedy_decode

__all__ = ["Seq2Seq", "SequenceCrossEntropy", "ATTENTIONS"]

ATTENTIONS = (None, "bahdanau", "luong", "luong-general")


@register_module
class SequenceCrossEntropy(Module):
    """Mean cross-entropy per real token of logits (N, T, V) against ids (N, T), ``ignore_index`` skipped.

    ``F.cross_entropy`` reads the classes on axis 1 (PyTorch); the logits are viewed as (N, V, T)
    for it, and its ``ignore_index`` drops padded positions from the sum and from the count.

    Example:
        >>> loss = nt.models.SequenceCrossEntropy(ignore_index=0)
        >>> targets = np.array([[4, 4, 0]])  # the padded step does not count
        >>> round(loss(nt.zeros(1, 3, 5), targets).item(), 4)  # log 5
        1.6094
    """

    def __init__(self, ignore_index: int = 0, reduction: str = "mean"):
        super().__init__()
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"SequenceCrossEntropy: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
        self.ignore_index, self.reduction = int(ignore_index), reduction

    def forward(self, logits, targets):
        if logits.ndim != 3 or tuple(targets.shape) != tuple(logits.shape[:2]):
            raise ValueError(f"SequenceCrossEntropy: expected logits (batch, time, vocab) and targets (batch, time), "
                             f"received shapes {tuple(logits.shape)} and {tuple(targets.shape)}")
        return cross_entropy(swapaxes(logits, 1, 2), targets, ignore_index=self.ignore_index, reduction=self.reduction)


def _ids(fn, a, name):
    data = a.data if isinstance(a, Tensor) else a
    if not hasattr(data, "ndim"):
        data = np.asarray(data)
    if data.ndim != 2 or data.dtype.kind not in "iu":
        raise ValueError(f"{fn}: {name} must be integer ids of shape (batch, time), received shape "
                         f"{tuple(data.shape)}, dtype {data.dtype}")
    return data


def _positive(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"Seq2Seq: {name} must be a positive integer, received {value!r}")
    return int(value)


@register_module
class Seq2Seq(Model):
    """Encoder–decoder RNN with teacher forcing and optional Bahdanau or Luong attention.

    Args:
        src_vocab, tgt_vocab: numbers of source and target token ids (reserved ids included).
        embedding_dim: width of both embeddings.
        units: encoder state size (per direction); the decoder has ``units·directions``.
        cell: ``"lstm"`` or ``"gru"``.
        attention: None, ``"bahdanau"`` (additive), ``"luong"`` (dot) or ``"luong-general"``.
        bidirectional: read the source both ways (each annotation then sees the whole source).
        attention_units: hidden size of Bahdanau's score network (default: the decoder size).
        dropout: dropout on the embeddings and before the output layer while training.
        pad_id, start_id, stop_id: the reserved target ids (source padding is ``pad_id`` too).

    Input: ``(src (N, S), tgt_in (N, T))`` integer ids, right-padded; output logits (N, T, V).

    Example:
        >>> model = nt.models.Seq2Seq(src_vocab=20, tgt_vocab=15, units=16, attention="bahdanau")
        >>> src, tgt_in = np.ones((2, 7), np.int64), np.full((2, 5), 2)
        >>> model((src, tgt_in)).shape  # teacher-forced logits
        (2, 5, 15)
    """

    def __init__(self, src_vocab: int, tgt_vocab: int, embedding_dim: int = 32, units: int = 64, cell: str = "lstm",
                 attention: str | None = None, bidirectional: bool = False, attention_units: int | None = None,
                 dropout: float = 0.0, pad_id: int = 0, start_id: int = 2, stop_id: int = 3):
        super().__init__()
        src_vocab, tgt_vocab = _positive("src_vocab", src_vocab), _positive("tgt_vocab", tgt_vocab)
        embedding_dim, units = _positive("embedding_dim", embedding_dim), _positive("units", units)
        if cell not in ("lstm", "gru"):
            raise ValueError(f"Seq2Seq: cell must be 'lstm' or 'gru', received {cell!r}")
        if attention not in ATTENTIONS:
            raise ValueError(f"Seq2Seq: attention must be one of {ATTENTIONS}, received {attention!r}")
        for name, v in (("pad_id", pad_id), ("start_id", start_id), ("stop_id", stop_id)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v < tgt_vocab:
                raise ValueError(f"Seq2Seq: {name} must be an id in [0, {tgt_vocab}), received {v!r}")
        self.src_vocab, self.tgt_vocab, self.cell, self.attention_kind = src_vocab, tgt_vocab, cell, attention
        self.pad_id, self.start_id, self.stop_id = int(pad_id), int(start_id), int(stop_id)
        self.decoder_units = units * (2 if bidirectional else 1)
        rnn = LSTM if cell == "lstm" else GRU
        self.src_embedding = Embedding(src_vocab, embedding_dim, padding_idx=pad_id, embeddings_initializer="uniform")
        self.tgt_embedding = Embedding(tgt_vocab, embedding_dim, padding_idx=pad_id, embeddings_initializer="uniform")
        self.dropout = Dropout(dropout)
        self.encoder = rnn(units, return_sequences=True, return_state=True, bidirectional=bidirectional)
        if attention == "bahdanau":
            self.decoder_cell = (LSTMCell if cell == "lstm" else GRUCell)(self.decoder_units)
            self.attention = AdditiveAttention(units=attention_units or self.decoder_units)
        else:
            self.decoder = rnn(self.decoder_units, return_sequences=True, return_state=True)
            if attention is not None:
                self.attention = Attention("dot" if attention == "luong" else "general")
        if attention is not None:
            self.combine = Dense(self.decoder_units, activation="tanh")
        self.output_layer = Dense(tgt_vocab)

    # --- training --------------------------------------------------------------------------------
    def compile(self, optimizer="adam", loss=None, metrics=None, learning_rate=None, clipnorm=None, clipvalue=None):
        """As :meth:`Model.compile`; the loss defaults to :class:`SequenceCrossEntropy` ignoring ``pad_id``."""
        loss = SequenceCrossEntropy(self.pad_id) if loss is None else loss
        return super().compile(optimizer, loss, metrics, learning_rate, clipnorm, clipvalue)

    def forward(self, src, tgt_in=None):
        """Teacher forcing: logits (N, T, V) of every next target token given the true previous ones."""
        if tgt_in is None and isinstance(src, (tuple, list)) and len(src) == 2:
            src, tgt_in = src
        if tgt_in is None:
            raise ValueError("Seq2Seq: forward needs (src (N, S), tgt_in (N, T)); received only the source")
        return self._teacher_forced(src, tgt_in)[0]

    def _encode(self, src):
        """(annotations (N, S, D), source mask (N, S) bool array, decoder initial states)."""
        data = _ids("Seq2Seq", src, "src")
        if data.size and (int(data.max()) >= self.src_vocab or int(data.min()) < 0):
            raise ValueError(f"Seq2Seq: source ids must lie in [0, {self.src_vocab}), received ids from "
                             f"{int(data.min())} to {int(data.max())}")
        mask = data != self.pad_id
        lengths = np.maximum(backend.to_numpy(mask).sum(axis=1), 1)   # an all-padding source reads one step
        enc, *states = self.encoder(self.dropout(self.src_embedding(Tensor(data))), lengths=lengths)
        if self.encoder.bidirectional:   # (2, N, H) -> (N, 2H): both directions start the decoder
            states = [concat([getitem(s, 0), getitem(s, 1)], axis=1) for s in states]
        return enc, mask, states

    def _teacher_forced(self, src, tgt_in, need_weights=False):
        tgt = _ids("Seq2Seq", tgt_in, "tgt_in")
        src_data = _ids("Seq2Seq", src, "src")
        if tgt.shape[0] != src_data.shape[0]:
            raise ValueError(f"Seq2Seq: src and tgt_in must have the same batch size, received shapes "
                             f"{tuple(src_data.shape)} and {tuple(tgt.shape)}")
        enc, mask, states = self._encode(src_data)
        emb = self.dropout(self.tgt_embedding(Tensor(tgt)))
        if self.attention_kind == "bahdanau":
            feats, weights, state = [], [], states if self.cell == "lstm" else states[0]
            for t in range(tgt.shape[1]):
                feat, state, w = self._bahdanau_step(getitem(emb, (slice(None), t)), state, enc, mask)
                feats.append(feat)
                weights.append(w)
            hidden, weights = stack(feats, axis=1), concat(weights, axis=1)
        else:
            hidden, weights = self._luong(emb, states, enc, mask)
        logits = self.output_layer(self.dropout(hidden))
        return logits, (weights if need_weights else None)

    def _luong(self, emb, states, enc, mask):
        """Decoder RNN over the whole target at once, then (Luong) every step attends: (features, weights)."""
        dec, *_ = self.decoder(emb, initial_state=states)
        if self.attention_kind is None:
            return dec, None
        context, weights = self.attention([dec, enc], mask=[None, mask], return_attention_scores=True)
        return self.combine(concat([context, dec], axis=2)), weights

    def _bahdanau_step(self, y_emb, state, enc, mask):
        """One Bahdanau step from the previous state: (deep-output features, new state, weights (N, 1, S))."""
        h = state[0] if self.cell == "lstm" else state
        context, weights = self.attention([unsqueeze(h, 1), enc], mask=[None, mask], return_attention_scores=True)
        context = squeeze(context, 1)
        state = self.decoder_cell(concat([y_emb, context], axis=1), state)
        h = state[0] if self.cell == "lstm" else state
        return self.combine(concat([h, context, y_emb], axis=1)), state, weights

    # --- inference -------------------------------------------------------------------------------
    def _step(self, tokens, state):
        """decoding.step: next-token log-probabilities (B, V), ``pad_id`` and ``start_id`` excluded,
        and the next state (a dict of arrays)."""
        xp = backend.array_module(state["enc"])
        y = self.tgt_embedding(Tensor(xp.asarray(tokens)))
        enc, mask = Tensor(state["enc"]), state["mask"]
        rec = [Tensor(state["h"])] + ([Tensor(state["c"])] if self.cell == "lstm" else [])
        if self.attention_kind == "bahdanau":
            feat, new, _ = self._bahdanau_step(y, rec if self.cell == "lstm" else rec[0], enc, mask)
            new = list(new) if self.cell == "lstm" else [new]
        else:
            dec, *new = self.decoder(unsqueeze(y, 1), initial_state=rec)
            if self.attention_kind is None:
                feat = squeeze(dec, 1)
            else:
                context = self.attention([dec, enc], mask=[None, mask])
                feat = squeeze(self.combine(concat([context, dec], axis=2)), 1)
        logits = backend.to_numpy(self.output_layer(feat).data).astype(np.float64)
        logits[:, [self.pad_id, self.start_id]] = -np.inf       # never targets: never generated
        peak = logits.max(axis=1, keepdims=True)
        log_probs = logits - peak - np.log(np.exp(logits - peak).sum(axis=1, keepdims=True))
        out = dict(state, h=new[0].data)
        if self.cell == "lstm":
            out["c"] = new[1].data
        return log_probs, out

    def translate(self, src_ids, max_len: int = 32, beam_width: int = 1, length_penalty: float = 0.0,
                  batch_size: int = 256):
        """Decode the target of every source (greedy with ``beam_width=1``, beam search otherwise).

        Args:
            src_ids: (N, S) source ids, right-padded with ``pad_id``.
            max_len: the most target tokens per source (``stop_id`` included).
            beam_width: beams per source (see :func:`~neuronet.models.decoding.beam_search`).
            length_penalty: GNMT's α for ranking finished beams.
            batch_size: sources decoded together.

        Returns:
            A list of N target id lists (no ``start_id``, cut before ``stop_id``).
        """
        src = _ids("Seq2Seq.translate", src_ids, "src_ids")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"Seq2Seq.translate: batch_size must be a positive integer, received {batch_size!r}")
        first = next(self.parameters(), None)
        device = first.device if first is not None else "cpu"
        was = self.training
        self.eval()
        out = []
        try:
            with no_grad():
                for start in range(0, src.shape[0], batch_size):
                    part = backend.to_device(src[start:start + batch_size], device)
                    enc, mask, states = self._encode(part)
                    state = {"enc": enc.data, "mask": mask, "h": states[0].data}
                    if self.cell == "lstm":
                        state["c"] = states[1].data
                    starts = np.full(part.shape[0], self.start_id, dtype=np.int64)
                    if beam_width == 1:
                        seqs, _ = greedy_decode(self._step, starts, max_len, self.stop_id, state=state)
                    else:
                        seqs, _ = beam_search(self._step, starts, beam_width, max_len, self.stop_id, state=state,
                                              length_penalty=length_penalty)
                    out.extend(seqs)
        finally:
            self.train(was)
        return out

    def attention_weights(self, src_ids, target_ids):
        """Attention weights (N, T+1, S) while the decoder writes ``target_ids`` (teacher forced).

        Row t holds the weights over the source positions used to produce target token t; the
        last row is the one that produces ``stop_id``.  Feeding the decoder its own translation
        (``translate``'s output) reproduces exactly the weights of greedy decoding.

        Args:
            src_ids: (N, S) source ids.
            target_ids: a list of N target id lists (no start or stop ids), or an (N, T) array
                right-padded with ``pad_id``.
        """
        if self.attention_kind is None:
            raise ValueError("Seq2Seq.attention_weights: this model has no attention (attention=None)")
        src = _ids("Seq2Seq.attention_weights", src_ids, "src_ids")
        rows = [[int(t) for t in r if int(t) != self.pad_id] for r in target_ids]
        if len(rows) != src.shape[0]:
            raise ValueError(f"Seq2Seq.attention_weights: {src.shape[0]} sources but {len(rows)} targets")
        tgt_in = np.full((len(rows), max(map(len, rows)) + 1), self.pad_id, dtype=np.int64)
        for i, r in enumerate(rows):
            tgt_in[i, :len(r) + 1] = [self.start_id, *r]
        was = self.training
        self.eval()
        try:
            with no_grad():
                first = next(self.parameters())
                _, weights = self._teacher_forced(backend.to_device(src, first.device),
                                                  backend.to_device(tgt_in, first.device), need_weights=True)
        finally:
            self.train(was)
        return backend.to_numpy(weights.data)
