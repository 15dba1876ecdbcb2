"""Occlusion (Zeiler & Fergus 2014): cover a window of the input with a baseline and watch the output drop."""
from __future__ import annotations

import itertools

import numpy as np

from ._model import as_batch, model_outputs

__all__ = ["occlusion"]


def _window_starts(where, size, window, stride):
    if window < 1 or window > size:
        raise ValueError(f"{where}: window {window} does not fit an input axis of size {size}")
    if stride < 1:
        raise ValueError(f"{where}: strides must be >= 1, got {stride}")
    return range(0, size - window + 1, stride)


def occlusion(model, x, window, target=None, strides=1, baseline=0.0, batch_size: int = 64) -> np.ndarray:
    """Each feature's attribution: f(x) − f(x with a window around it set to ``baseline``), averaged
    over every window position that covers the feature (Captum's ``Occlusion``).

    Args:
        window: the sliding window's shape over one sample's axes, e.g. ``(1, 4, 4)`` for (C, H, W) images.
        strides: step of the window per axis (an int for all axes).
        baseline: what covers the window (a number, or an array of one sample's shape).
        batch_size: window positions evaluated per forward pass (each on the whole batch).

    Features no window covers get 0.

    Example:
        >>> model = nt.nn.Linear(4, 1, bias=False)
        >>> _ = nt.nn.init.ones_(model.weight)
        >>> nt.interpret.occlusion(model, np.array([[1.0, 2.0, 3.0, 4.0]], np.float32), window=(1,))  # f(x) - f(x with x_i = 0)
        array([[1., 2., 3., 4.]], dtype=float32)
    """
    where = "occlusion"
    x = as_batch(where, x)
    shape = x.shape[1:]
    window = (window,) * len(shape) if isinstance(window, int) else tuple(window)
    strides = (strides,) * len(shape) if isinstance(strides, int) else tuple(strides)
    if len(window) != len(shape) or len(strides) != len(shape):
        raise ValueError(f"{where}: window {window} and strides {strides} need one entry per sample axis "
                         f"{shape} (input {x.shape})")
    starts = [_window_starts(where, s, w, st) for s, w, st in zip(shape, window, strides)]
    positions = list(itertools.product(*starts))
    base = np.broadcast_to(np.asarray(baseline, dtype=x.dtype), shape)
    n = x.shape[0]
    tgt = None if target is None else np.broadcast_to(np.asarray(target).reshape(-1), (n,))
    fx = model_outputs(where, model, x, tgt)
    total = np.zeros(x.shape, dtype=np.float64)
    counts = np.zeros(shape, dtype=np.float64)
    for first in range(0, len(positions), batch_size):
        chunk = positions[first:first + batch_size]
        masks = np.zeros((len(chunk),) + shape, dtype=bool)
        for i, pos in enumerate(chunk):                      # one window per position (kernel offsets)
            masks[(i,) + tuple(slice(p, p + w) for p, w in zip(pos, window))] = True
        covered = np.where(masks[:, None], base, x[None])   # (P, N, ...)
        t = None if tgt is None else np.tile(tgt, len(chunk))
        f = model_outputs(where, model, covered.reshape((-1,) + shape), t).reshape(len(chunk), n)
        drop = (fx[None] - f).reshape((len(chunk), n) + (1,) * len(shape))
        total += (drop * masks[:, None]).sum(axis=0)
        counts += masks.sum(axis=0)
    return (total / np.maximum(counts, 1)).astype(x.dtype)
