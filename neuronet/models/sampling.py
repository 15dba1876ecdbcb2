"""Choosing the next token from a model's logits: greedy, temperature, top-k sampling.

Shared by every generating model (character LSTM, GPT-style decoder, seq2seq decoders) so that
"temperature" and "top_k" mean the same thing everywhere.
"""
from __future__ import annotations

from .. import backend
from ..backend import np

__all__ = ["sample_logits"]


def sample_logits(logits, temperature: float = 1.0, top_k: int | None = None, greedy: bool = False, rng=None):
    """Pick one token id per row of ``logits`` (N, V).

    ``greedy`` takes the arg-max.  Otherwise the logits are divided by ``temperature`` (below 1:
    sharper and more conservative, above 1: flatter and more surprising), all but the ``top_k``
    largest are dropped when ``top_k`` is given, and an id is drawn from the softmax.

    Args:
        logits: array or tensor of shape (N, V) (or (V,) for a single row).
        temperature: positive float.
        top_k: keep only the k most likely ids (None keeps all).
        greedy: arg-max instead of sampling (temperature and top_k are then irrelevant).
        rng: a NumPy ``Generator``; default neuronet's seeded generator.

    Returns:
        int64 NumPy array of shape (N,) (a Python int for a 1-D input).

    Example:
        >>> nt.models.sample_logits(np.array([[0.0, 5.0, 1.0]]), greedy=True)
        array([1])
    """
    data = backend.to_numpy(logits.data if hasattr(logits, "data") and not isinstance(logits, np.ndarray) else logits)
    single = data.ndim == 1
    if single:
        data = data[None]
    if data.ndim != 2 or data.shape[1] == 0:
        raise ValueError(f"sample_logits: expected logits of shape (batch, vocab), received shape {data.shape}")
    if greedy:
        ids = data.argmax(axis=1).astype(np.int64)
        return int(ids[0]) if single else ids
    if not temperature > 0:
        raise ValueError(f"sample_logits: temperature must be positive, received {temperature!r}")
    vocab = data.shape[1]
    if top_k is not None and not (isinstance(top_k, (int, np.integer)) and 1 <= top_k):
        raise ValueError(f"sample_logits: top_k must be a positive integer or None, received {top_k!r}")
    z = data.astype(np.float64) / temperature
    if top_k is not None and top_k < vocab:
        kth = np.partition(z, vocab - top_k, axis=1)[:, vocab - top_k][:, None]
        z = np.where(z >= kth, z, -np.inf)
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    rng = rng if rng is not None else backend.get_rng(np)
    cumulative = p.cumsum(axis=1)
    u = rng.random((p.shape[0], 1)) * cumulative[:, -1:]          # in [0, total): never past the last id
    ids = (cumulative <= u).sum(axis=1).astype(np.int64)          # first id whose cumulative mass exceeds u
    return int(ids[0]) if single else ids
