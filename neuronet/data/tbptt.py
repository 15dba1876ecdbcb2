"""Truncated back-propagation through time (truncated BPTT) over one long token stream.

A language model cannot back-propagate through five million characters, and cutting the text into
independent windows throws away every context longer than a window.  Truncated BPTT keeps both
cheap and long: the stream is cut into ``batch_size`` parallel *lanes* (lane i is the i-th
contiguous stretch of the text) and each lane is read in consecutive chunks of ``bptt_steps``
tokens.  Batch k holds chunk k of every lane, so row i of batch k+1 continues row i of batch k.
A ``stateful=True`` recurrent layer carries its final state from one batch into the next (the
*forward* pass sees the whole lane) while the gradient stops at each chunk boundary, because the
carried state is stored detached from the graph (``_Recurrent.forward`` keeps ``Tensor(s.data)``).

``TBPTTLoader`` is a re-iterable of ``(x, y)`` batches (y = x shifted by one token) that
``Model.fit(loader)`` and ``Model.evaluate(loader)`` accept; ``tbptt_arrays`` lays the same
batches out as two arrays for ``fit(x, y, batch_size=lanes, shuffle=False)``.
The callback ``nt.callbacks.ResetStatesOnEpoch`` forgets the carried states at the start of each
epoch, after the last training batch (so validation starts from zero states) and at the end of
training; ``nt.callbacks.reset_states(model)`` does it by hand.  (Both live in ``neuronet.train``,
which sits above ``data`` in the house.)

Example::

    loader = TBPTTLoader(ids, batch_size=64, bptt_steps=100)
    model.fit(loader, epochs=3, callbacks=[nt.callbacks.ResetStatesOnEpoch()])
"""
from __future__ import annotations

from ..backend import np
from ..checks import positive_int

__all__ = ["TBPTTLoader", "tbptt_arrays", "tbptt_layout"]


def tbptt_layout(ids, batch_size: int, bptt_steps: int, where: str = "tbptt_layout"):
    """Cut a token stream into lanes: ``(x_lanes, y_lanes)`` of shape (batch_size, chunks·bptt_steps).

    Lane i is ``ids[i·L : (i+1)·L]`` with ``L = (len(ids) − 1) // batch_size`` rounded down to whole
    chunks; its targets are the same stretch shifted by one token.  The tail that does not fill a
    whole chunk in every lane is dropped (at most ``batch_size·bptt_steps`` tokens).

    Raises:
        ValueError: ids not a 1-D integer sequence, or too short for one chunk per lane.

    Example:
        >>> x_lanes, y_lanes = nt.data.tbptt.tbptt_layout(np.arange(21), batch_size=2, bptt_steps=5)
        >>> x_lanes.shape, x_lanes[:, 0].tolist(), y_lanes[:, 0].tolist()  # lane b continues where lane b-1 stops
        ((2, 10), [0, 10], [1, 11])
    """
    batch_size = positive_int(where, "batch_size", batch_size)
    bptt_steps = positive_int(where, "bptt_steps", bptt_steps)
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise ValueError(f"{where}: expected a 1-D stream of integer token ids, received shape {ids.shape}, "
                         f"dtype {ids.dtype}")
    lane = (ids.size - 1) // batch_size // bptt_steps * bptt_steps
    if lane == 0:
        raise ValueError(f"{where}: a stream of {ids.size} tokens is too short for {batch_size} lanes of at least "
                         f"one chunk of {bptt_steps} steps (needs {batch_size * bptt_steps + 1} tokens)")
    starts = np.arange(batch_size)[:, None] * ((ids.size - 1) // batch_size)
    index = starts + np.arange(lane)[None, :]
    ids = ids.astype(np.int64, copy=False)
    return ids[index], ids[index + 1]


class TBPTTLoader:
    """Batches of consecutive chunks of ``batch_size`` parallel lanes of one token stream.

    Iterating yields ``(x, y)`` int64 arrays of shape (batch_size, bptt_steps) in order (no
    shuffling: the order is what carries the state); row i of batch k+1 continues row i of batch k.

    Args:
        ids: 1-D integer token ids (the whole training text, say).
        batch_size: number of lanes (rows per batch).
        bptt_steps: tokens per chunk: the length the gradient flows back through.
        max_batches: read only the first ``max_batches`` chunks of every lane per pass (None: all).

    Example:
        >>> loader = nt.data.TBPTTLoader(np.arange(101), batch_size=2, bptt_steps=10)
        >>> x, y = next(iter(loader))
        >>> len(loader), x.shape, x[0, :3].tolist(), y[0, :3].tolist()  # y is x shifted by one token
        (5, (2, 10), [0, 1, 2], [1, 2, 3])
    """

    def __init__(self, ids, batch_size: int, bptt_steps: int, max_batches: int | None = None):
        self.x_lanes, self.y_lanes = tbptt_layout(ids, batch_size, bptt_steps, "TBPTTLoader")
        self.batch_size, self.bptt_steps = int(batch_size), int(bptt_steps)
        chunks = self.x_lanes.shape[1] // self.bptt_steps
        self.max_batches = chunks if max_batches is None else min(
            chunks, positive_int("TBPTTLoader", "max_batches", max_batches))

    def __len__(self) -> int:
        return self.max_batches

    @property
    def tokens_per_pass(self) -> int:
        """Number of predicted tokens in one pass over the loader."""
        return self.max_batches * self.batch_size * self.bptt_steps

    def __iter__(self):
        t = self.bptt_steps
        for k in range(self.max_batches):
            yield self.x_lanes[:, k * t:(k + 1) * t], self.y_lanes[:, k * t:(k + 1) * t]

    def __repr__(self) -> str:
        return (f"TBPTTLoader({self.batch_size} lanes of {self.x_lanes.shape[1]} tokens, bptt_steps={self.bptt_steps}, "
                f"{self.max_batches} batches)")


def tbptt_arrays(ids, batch_size: int, bptt_steps: int):
    """The batches of :class:`TBPTTLoader` stacked into arrays for ``fit(x, y, batch_size=batch_size,
    shuffle=False)``: rows ``k·batch_size … (k+1)·batch_size − 1`` are batch k.

    Returns:
        ``(x, y)`` int64 arrays of shape (chunks·batch_size, bptt_steps).

    Example:
        >>> x, y = nt.data.tbptt_arrays(np.arange(101), batch_size=2, bptt_steps=10)
        >>> x.shape, y.shape  # 5 batches of 2 lanes, stacked in order
        ((10, 10), (10, 10))
    """
    x, y = tbptt_layout(ids, batch_size, bptt_steps, "tbptt_arrays")

    def stack(lanes):  # (B, K·T) -> (K, B, T) -> (K·B, T)
        b = lanes.shape[0]
        return lanes.reshape(b, -1, bptt_steps).transpose(1, 0, 2).reshape(-1, bptt_steps)
    return stack(x), stack(y)
