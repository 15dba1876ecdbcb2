"""Character-level LSTM language model: predict each next character, then write new text one
character at a time.

The vocabulary reserves ``<pad>`` = 0, ``<unk>`` = 1, ``<start>`` = 2 and ``<stop>`` = 3
(:class:`neuronet.data.text.Vocabulary` with ``start_stop=True``); a text is a stream of pieces
(speeches, paragraphs, works) each wrapped ``<start> … <stop>``, so the model learns where a piece
begins and when to end it.  Generation starts from ``<start>`` (or a prime text), samples with
:func:`neuronet.models.sample_logits` and stops at ``<stop>`` or after ``length`` characters.
"""
from __future__ import annotations

from ..autograd import no_grad
from ..backend import np
from ..functional import sparse_categorical_crossentropy
from ..nn import LSTM, Dense, Dropout, Embedding
from ..nn.module import register_module
from ..tensor import Tensor
from ..train import Model
from .sampling import sample_logits

__all__ = ["CharLSTMLanguageModel", "sequence_cross_entropy", "START_ID", "STOP_ID"]

START_ID, STOP_ID = 2, 3  # ids of <start> and <stop> in a Vocabulary built with start_stop=True


def sequence_cross_entropy(logits, targets):
    """Mean cross-entropy in nats per token of logits (N, T, V) against integer targets (N, T).

    The class axis is the last one (Keras's ``sparse_categorical_crossentropy`` from logits);
    ``F.cross_entropy`` follows PyTorch and would read axis 1 (time) as the classes.

    Example:
        >>> logits = nt.zeros(2, 5, 10)  # uniform over 10 tokens
        >>> round(nt.models.sequence_cross_entropy(logits, np.ones((2, 5), np.int64)).item(), 4)  # log 10 nats per token
        2.3026
    """
    if tuple(targets.shape) != tuple(logits.shape[:-1]):
        raise ValueError(f"sequence_cross_entropy: targets must have shape {tuple(logits.shape[:-1])} (the logits' "
                         f"(batch, time)), received {tuple(targets.shape)}")
    return sparse_categorical_crossentropy(logits, targets, from_logits=True)


@register_module
class CharLSTMLanguageModel(Model):
    """Embedding -> ``num_layers`` LSTM layers (dropout after each) -> Dense: next-token logits.

    Args:
        vocab_size: number of token ids V (reserved ids included).
        embedding_dim: width of the learned character vectors.
        units: LSTM state size.
        num_layers: stacked LSTM layers.
        dropout: dropout rate on each LSTM layer's output sequence (training only).
        stateful: the LSTMs carry their final states into the next call (truncated BPTT with
            :class:`neuronet.data.tbptt.TBPTTLoader`); the carried states are detached, so the
            gradient stops at the call boundary.

    Input (N, T) integer ids; output logits (N, T, V).

    Example:
        >>> lm = nt.models.CharLSTMLanguageModel(vocab_size=30, embedding_dim=8, units=16)
        >>> lm(np.zeros((2, 12), np.int64)).shape  # next-character logits at every step
        (2, 12, 30)
    """

    def __init__(self, vocab_size: int, embedding_dim: int = 64, units: int = 256, num_layers: int = 1,
                 dropout: float = 0.0, stateful: bool = False):
        super().__init__()
        for name, v in (("vocab_size", vocab_size), ("embedding_dim", embedding_dim), ("units", units),
                        ("num_layers", num_layers)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"CharLSTMLanguageModel: {name} must be a positive integer, received {v!r}")
        self.vocab_size, self.num_layers = int(vocab_size), int(num_layers)
        self.embedding = Embedding(self.vocab_size, embedding_dim, embeddings_initializer="uniform")
        for i in range(self.num_layers):
            self.add_module(f"lstm{i}", LSTM(units, return_sequences=True, return_state=True, stateful=stateful))
            self.add_module(f"dropout{i}", Dropout(dropout))
        self.head = Dense(self.vocab_size)

    def _lstms(self):
        return [getattr(self, f"lstm{i}") for i in range(self.num_layers)]

    def _check_ids(self, ids):
        data = ids.data if isinstance(ids, Tensor) else np.asarray(ids)
        if data.ndim != 2 or data.dtype.kind not in "iu":
            raise ValueError(f"CharLSTMLanguageModel: expected integer token ids of shape (batch, time), received "
                             f"shape {tuple(data.shape)}, dtype {data.dtype}")
        return ids if isinstance(ids, Tensor) else Tensor(data)

    def _run(self, ids, states=None):
        """Logits (N, T, V) and the final [h, c] of every layer, starting from ``states`` (None: the
        layers' own — zeros, or the carried states of a stateful model)."""
        h = self.embedding(self._check_ids(ids))
        finals = []
        for i, lstm in enumerate(self._lstms()):
            h, hn, cn = lstm(h, initial_state=None if states is None else states[i])
            finals.append([hn, cn])
            h = getattr(self, f"dropout{i}")(h)
        return self.head(h), finals

    def forward(self, ids):
        return self._run(ids)[0]

    def generate(self, prime=None, length: int = 200, temperature: float = 1.0, top_k: int | None = None,
                 stop_id: int | None = STOP_ID, greedy: bool = False, rng=None, vocabulary=None) -> list:
        """Sample a continuation one token at a time, carrying the LSTM states (the prefix is read once).

        Args:
            prime: token ids to start from (a list or 1-D array), or a text (with ``vocabulary``),
                read as ``<start>`` followed by its characters; None starts from ``<start>``.
            length: most tokens to generate.
            temperature, top_k, greedy, rng: passed to :func:`neuronet.models.sample_logits`.
            stop_id: generation ends after this id is drawn (it is included in the result);
                None never stops early.
            vocabulary: the :class:`~neuronet.data.text.Vocabulary` that encodes a text prime.

        Returns:
            The generated ids (a list of int), without the prime.

        The states a stateful model carries for training are left untouched.
        """
        if isinstance(prime, str):
            if vocabulary is None:
                raise ValueError("CharLSTMLanguageModel.generate: a text prime needs vocabulary= to encode it")
            prime = [START_ID] + [vocabulary.ids.get(c, 1) for c in prime]
        prime = [START_ID] if prime is None else [int(i) for i in np.asarray(prime).reshape(-1)]
        if not prime or min(prime) < 0 or max(prime) >= self.vocab_size:
            raise ValueError(f"CharLSTMLanguageModel.generate: prime must be a non-empty list of ids in "
                             f"[0, {self.vocab_size - 1}], received {prime[:10]}")
        if isinstance(length, bool) or not isinstance(length, (int, np.integer)) or length < 0:
            raise ValueError(f"CharLSTMLanguageModel.generate: length must be a non-negative integer, received {length!r}")
        lstms = self._lstms()
        carried = [lstm.states for lstm in lstms]
        was = self.training
        self.eval()
        out = []
        try:
            for lstm in lstms:
                lstm.states = None
            with no_grad():
                logits, states = self._run(np.asarray([prime], dtype=np.int64))
                for _ in range(length):
                    token = sample_logits(logits.data[:, -1], temperature, top_k, greedy, rng)
                    out.append(int(token[0]))
                    if stop_id is not None and out[-1] == stop_id:
                        break
                    logits, states = self._run(np.asarray([[out[-1]]], dtype=np.int64), states)
        finally:
            for lstm, s in zip(lstms, carried):
                lstm.states = s
            self.train(was)
        return out
