"""``keras.utils``: ``to_categorical``, ``pad_sequences``, ``set_random_seed``."""
from __future__ import annotations

from ..backend import np

__all__ = ["to_categorical", "pad_sequences", "set_random_seed"]


def to_categorical(x, num_classes=None):
    """Integer labels → one-hot rows (float32), as ``keras.utils.to_categorical``; a trailing axis
    of size 1 is dropped first, as Keras does.

    Example:
        >>> nt.keras.utils.to_categorical([0, 2], num_classes=3).tolist()
        [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    y = np.asarray(x)
    if y.dtype.kind == "f" and not np.all(y == np.round(y)):
        raise ValueError("to_categorical: labels must be whole numbers")
    y = y.astype(np.int64)
    if y.ndim > 1 and y.shape[-1] == 1:
        y = y[..., 0]
    if y.size and y.min() < 0:
        raise ValueError(f"to_categorical: labels must be >= 0, got {int(y.min())}")
    n = int(y.max()) + 1 if num_classes is None else int(num_classes)
    if y.size and y.max() >= n:
        raise ValueError(f"to_categorical: label {int(y.max())} does not fit num_classes={n}")
    return (y[..., None] == np.arange(n)).astype(np.float32)


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """Lists of token ids → one (N, maxlen) array, padded and truncated at the start ('pre', Keras's
    default) or the end ('post').

    Example:
        >>> nt.keras.utils.pad_sequences([[1, 2, 3], [4]], maxlen=2).tolist()  # Keras pads and cuts at the front
        [[2, 3], [0, 4]]
    """
    for name, v in (("padding", padding), ("truncating", truncating)):
        if v not in ("pre", "post"):
            raise ValueError(f"pad_sequences: {name} must be 'pre' or 'post', got {v!r}")
    seqs = [np.asarray(s) for s in sequences]
    lengths = [len(s) for s in seqs]
    maxlen = max(lengths, default=0) if maxlen is None else int(maxlen)
    out = np.full((len(seqs), maxlen), value, dtype=dtype)
    for i, s in enumerate(seqs):  # preprocessing of ragged lists: one copy per sequence
        s = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        if maxlen and len(s):
            if padding == "post":
                out[i, :len(s)] = s
            else:
                out[i, maxlen - len(s):] = s
    return out


def set_random_seed(seed):
    """Seed neuronet's shared generator (``nt.manual_seed``).

    Example:
        >>> nt.keras.utils.set_random_seed(7); a = nt.rand(2).tolist()
        >>> nt.keras.utils.set_random_seed(7); a == nt.rand(2).tolist()
        True
    """
    from ..backend import manual_seed
    manual_seed(seed)
