"""Generic autoregressive decoding: greedy search and beam search over any step function.

Both searches drive a model through one function::

    step(tokens, state) -> (log_probs, new_state)

``tokens`` is an int64 NumPy array (B,) with the last token of each row, ``state`` whatever the
model needs to continue, and ``log_probs`` a (B, V) array of log-probabilities (log-softmax of
the logits) of the next token.  ``state`` is any nesting of tuples, lists and dicts whose leaves
are arrays (or tensors) with the batch on the leading axis, or None; the searches never look
inside, they only select rows with ``leaf[index]``.  Beam search runs all B × K beams as one
batch of B·K rows and reorders the state by row index after every step.

A recurrent decoder keeps its hidden state (and, for attention, the encoder outputs and source
mask) in ``state``.  A Transformer decoder, which needs the whole prefix, keeps the tokens so far
(B, t) in ``state`` and appends ``tokens`` to them in its step.
"""
from __future__ import annotations

from .. import backend
from ..backend import np
from ..tensor import Tensor

__all__ = ["greedy_decode", "beam_search", "select_state"]


def select_state(state, index):
    """The state with every leaf's rows picked by ``index`` (an int array over the leading axis)."""
    if state is None:
        return None
    if isinstance(state, dict):
        return {k: select_state(v, index) for k, v in state.items()}
    if isinstance(state, (tuple, list)):
        return type(state)(select_state(v, index) for v in state)
    if isinstance(state, Tensor):
        return state[index]
    xp = backend.array_module(state)
    return state[index if xp is np else xp.asarray(index)]


def _check(fn, start_ids, max_len, stop_id):
    start = np.asarray(start_ids)
    if start.ndim != 1 or start.size == 0 or start.dtype.kind not in "iu":
        raise ValueError(f"{fn}: start_ids must be a non-empty 1-D integer array (batch,), received shape "
                         f"{start.shape}, dtype {start.dtype}")
    if isinstance(max_len, bool) or not isinstance(max_len, (int, np.integer)) or max_len < 1:
        raise ValueError(f"{fn}: max_len must be a positive integer, received {max_len!r}")
    if stop_id is not None and (isinstance(stop_id, bool) or not isinstance(stop_id, (int, np.integer))):
        raise TypeError(f"{fn}: stop_id must be an integer id or None, received {stop_id!r}")
    return start.astype(np.int64)


def _log_probs(fn, out, rows):
    if not isinstance(out, tuple) or len(out) != 2:
        raise TypeError(f"{fn}: step must return (log_probs (batch, vocab), new_state), received "
                        f"{type(out).__name__}")
    lp = backend.to_numpy(out[0].data if isinstance(out[0], Tensor) else out[0])
    if lp.ndim != 2 or lp.shape[0] != rows:
        raise ValueError(f"{fn}: step must return log_probs of shape ({rows}, vocab), received shape {lp.shape}")
    return lp.astype(np.float64), out[1]


def _strip(rows, stop_id):
    """Token rows as lists, cut before the first ``stop_id``."""
    out = []
    for row in rows:
        row = [int(t) for t in row]
        if stop_id is not None and stop_id in row:
            row = row[:row.index(stop_id)]
        out.append(row)
    return out


def greedy_decode(step, start_ids, max_len: int, stop_id: int | None = None, state=None):
    """Take the most likely token at every step until ``stop_id`` or ``max_len`` tokens.

    Args:
        step: ``step(tokens (B,), state) -> (log_probs (B, V), new_state)`` (module docstring).
        start_ids: (B,) first input token of each row (usually ``<start>``).
        max_len: the most tokens generated per row (``stop_id`` included).
        stop_id: the token that ends a row (None: always ``max_len`` tokens).
        state: the initial state passed to the first step.

    Returns:
        ``(sequences, scores)``: a list of B token lists (without the start token, cut before
        ``stop_id``) and a float64 array (B,) of their summed log-probabilities (the stop
        token's included).

    Example:
        >>> table = np.log(np.array([[0.1, 0.9, 0.0], [0.1, 0.1, 0.8], [0.9, 0.05, 0.05]]) + 1e-12)  # next-token probabilities
        >>> step = lambda tokens, state: (table[tokens], state)  # a bigram "model"
        >>> sequences, scores = nt.models.greedy_decode(step, np.array([0]), max_len=5, stop_id=0)
        >>> sequences, round(float(np.exp(scores[0])), 3)  # 0 -> 1 -> 2 -> 0 (stop): 0.9 * 0.8 * 0.9
        ([[1, 2]], 0.648)
    """
    tokens = _check("greedy_decode", start_ids, max_len, stop_id)
    b = tokens.size
    done = np.zeros(b, dtype=bool)
    scores = np.zeros(b)
    out = []
    for _ in range(max_len):
        lp, state = _log_probs("greedy_decode", step(tokens, state), b)
        tokens = lp.argmax(axis=1).astype(np.int64)
        scores += np.where(done, 0.0, lp[np.arange(b), tokens])
        if stop_id is not None:
            tokens = np.where(done, stop_id, tokens)
            done |= tokens == stop_id
        out.append(tokens)
        if done.all():
            break
    return _strip(np.stack(out, axis=1), stop_id), scores


def _length_norm(lengths, alpha):
    """GNMT's length penalty lp(L) = ((5 + L) / 6)^α; scores are divided by it (α = 0: none)."""
    return ((5.0 + lengths) / 6.0) ** alpha


def beam_search(step, start_ids, beam_width: int, max_len: int, stop_id: int | None = None, state=None,
                length_penalty: float = 0.0, return_all: bool = False):
    """Keep the ``beam_width`` most likely prefixes of each row; return the best finished one.

    All B × K beams run as one batch of B·K rows.  At every step each live beam is extended by
    every token, and the K highest summed log-probabilities over the K·V candidates of a row
    survive; the state rows follow their beams.  A beam that emitted ``stop_id`` is finished: it
    keeps its score and its slot (extended only by ``stop_id`` at no cost).  The search ends when
    every beam of every row is finished or after ``max_len`` tokens.  Finished hypotheses are
    ranked by score / lp(length), lp(L) = ((5 + L) / 6)^length_penalty (Wu et al., 2016), L
    counting the stop token; ``length_penalty=0`` ranks by the plain log-probability.  With
    ``beam_width=1`` this is exactly :func:`greedy_decode`.

    Args:
        step, start_ids, max_len, stop_id, state: as :func:`greedy_decode`; ``state`` holds B
            rows and is repeated K times here.
        beam_width: K, beams per row.
        length_penalty: α ≥ 0; larger values favour longer outputs.
        return_all: also return every row's K hypotheses, best first.

    Returns:
        ``(sequences, scores)`` as :func:`greedy_decode` (scores are summed log-probabilities,
        not length-normalised); with ``return_all`` a third item: for each row a list of K
        ``(tokens, score)`` pairs, best first.

    Example:
        >>> table = np.log(np.array([[0.1, 0.5, 0.4], [1.0, 1e-9, 1e-9], [1e-9, 1e-9, 1.0]]))
        >>> step = lambda tokens, state: (table[tokens], state)
        >>> nt.models.greedy_decode(step, np.array([0]), max_len=3)[0]  # greedy takes 1, then must emit 0s
        [[1, 0, 1]]
        >>> seqs, scores = nt.models.beam_search(step, np.array([0]), beam_width=2, max_len=3)
        >>> seqs, round(float(np.exp(scores[0])), 2)  # the beam finds 2, 2, 2 (p = 0.4) over 1, 0, 1 (0.25)
        ([[2, 2, 2]], 0.4)
    """
    tokens = _check("beam_search", start_ids, max_len, stop_id)
    if isinstance(beam_width, bool) or not isinstance(beam_width, (int, np.integer)) or beam_width < 1:
        raise ValueError(f"beam_search: beam_width must be a positive integer, received {beam_width!r}")
    if isinstance(length_penalty, bool) or not isinstance(length_penalty, (int, float)) or length_penalty < 0:
        raise ValueError(f"beam_search: length_penalty must be a number >= 0, received {length_penalty!r}")
    b, k = tokens.size, int(beam_width)
    rows = b * k
    state = select_state(state, np.repeat(np.arange(b), k))
    tokens = np.repeat(tokens, k)
    scores = np.tile(np.r_[0.0, np.full(k - 1, -np.inf)], b)   # only the first copy of each row is live at first
    done = np.zeros(rows, dtype=bool)
    lengths = np.zeros(rows)
    history = np.zeros((rows, 0), dtype=np.int64)
    for _ in range(max_len):
        lp, state = _log_probs("beam_search", step(tokens, state), rows)
        v = lp.shape[1]
        if stop_id is not None and done.any():   # a finished beam continues only with stop, at no cost
            lp[done] = -np.inf
            lp[done, stop_id] = 0.0
        cand = (scores[:, None] + lp).reshape(b, k * v)
        if k == 1:    # arg-max takes the first of equal scores, exactly as greedy decoding does
            top = cand.argmax(axis=1)[:, None]
        else:
            top = np.argpartition(-cand, k - 1, axis=1)[:, :k] if k < k * v else np.tile(np.arange(k * v), (b, 1))
        order = np.argsort(-np.take_along_axis(cand, top, axis=1), axis=1, kind="stable")
        top = np.take_along_axis(top, order, axis=1)                          # (B, K), best first
        parent = (np.arange(b)[:, None] * k + top // v).reshape(-1)
        tokens = (top % v).reshape(-1).astype(np.int64)
        scores = np.take_along_axis(cand, top, axis=1).reshape(-1)
        history = np.concatenate([history[parent], tokens[:, None]], axis=1)
        state = select_state(state, parent)
        was_done = done[parent]
        lengths = lengths[parent] + ~was_done
        done = was_done | (tokens == stop_id) if stop_id is not None else was_done
        if done.all():
            break
    ranked = (scores / _length_norm(lengths, float(length_penalty))).reshape(b, k)
    ranked = np.where(np.isfinite(ranked), ranked, -np.inf)
    best = np.argsort(-ranked, axis=1, kind="stable")
    seqs = _strip(history, stop_id)
    pick = np.arange(b) * k + best[:, 0]
    result = ([seqs[i] for i in pick], scores[pick])
    if not return_all:
        return result
    every = [[(seqs[r * k + j], float(scores[r * k + j])) for j in best[r]] for r in range(b)]
    return (*result, every)
