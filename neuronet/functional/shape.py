"""Shape and indexing ops (reshape, transpose, concat, getitem, gather, pad, ...), each with its derivative.

Most of these only move elements around, so their backward moves the gradient back: reshape's
backward is a reshape, transpose's the inverse permutation, a basic slice's an assignment into
zeros.  Only ops that can read one element several times (fancy indexing, gather, repeat,
non-constant padding) scatter-add their gradient.
"""
from __future__ import annotations

from ..autograd import Function, unbroadcast
from ..backend import array_module, np

__all__ = [
    "reshape", "transpose", "permute", "swapaxes", "squeeze", "unsqueeze", "expand", "broadcast_to",
    "concat", "cat", "stack", "split", "pad", "repeat", "tile", "flatten",
]


def _scatter_add(xp, target, index, values):
    """target[index] += values, accumulating repeated indices (``add.at``; CuPy before 13 has only
    ``cupyx.scatter_add``, which later versions deprecate)."""
    at = getattr(xp.add, "at", None)
    if at is not None:
        at(target, index, values)
    else:  # pragma: no cover - old CuPy only
        import cupyx
        cupyx.scatter_add(target, index, values)


def _axis(fn, axis, ndim):
    if not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{fn}: axis must be an int, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{fn}: axis {axis} is out of range for an input with {ndim} dimensions")
    return axis % ndim


def _shape_args(shape):
    """Accept f(x, 2, 3) and f(x, (2, 3)) alike."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _ints(fn, what, values) -> tuple:
    """``values`` as a tuple of ints, or a TypeError naming ``fn`` (floats, strings: NumPy's own error
    would not say which function was given them)."""
    if not all(isinstance(v, (int, np.integer)) for v in values):
        raise TypeError(f"{fn}: {what} must be integers, got {tuple(values)!r}")
    return tuple(int(v) for v in values)


# --- reshape family -----------------------------------------------------------------------------

class Reshape(Function):
    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        try:
            return x.reshape(self.shape)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {tuple(x.shape)} ({x.size} elements) "
                             f"into shape {self.shape}") from None

    def backward(self, gy):
        return gy.reshape(self.in_shape)  # a reshape only renames positions


def reshape(x, *shape):
    """The same elements in a new shape (one dimension may be -1); ``reshape(x, 2, 3)`` or ``(x, (2, 3))``.

    Example:
        >>> F.reshape(nt.arange(6), 2, -1).shape, F.reshape(nt.arange(6), (3, 2)).shape
        ((2, 3), (3, 2))
    """
    return Reshape.apply(x, shape=_ints("reshape", "the sizes of the shape", _shape_args(shape)))


def flatten(x, start_dim: int = 1, end_dim: int = -1):
    """Merge dimensions ``start_dim..end_dim`` into one (PyTorch semantics; default keeps the batch axis).

    Example:
        >>> F.flatten(nt.zeros(8, 3, 4, 4)).shape  # keeps the batch axis
        (8, 48)
    """
    shape = x.shape
    if len(shape) == 0:
        return reshape(x, 1)
    s, e = _axis("flatten", start_dim, len(shape)), _axis("flatten", end_dim, len(shape))
    if s > e:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    merged = 1
    for n in shape[s:e + 1]:
        merged *= n
    return reshape(x, tuple(shape[:s]) + (merged,) + tuple(shape[e + 1:]))  # not -1: an empty batch has any


def squeeze(x, axis=None, *, dim=None):
    """Drop axes of length 1 (all of them when ``axis`` is None); naming an axis longer than 1 is an error.

    Example:
        >>> F.squeeze(nt.zeros(1, 3, 1)).shape, F.squeeze(nt.zeros(1, 3, 1), dim=0).shape
        ((3,), (3, 1))
    """
    axis = dim if dim is not None else axis
    shape = x.shape
    if axis is None:
        return reshape(x, tuple(n for n in shape if n != 1))
    if not isinstance(axis, (int, np.integer, tuple, list)):
        raise TypeError(f"squeeze: axis must be None, an int or a tuple of ints, got {axis!r}")
    axes = {_axis("squeeze", a, len(shape)) for a in ((axis,) if isinstance(axis, (int, np.integer)) else axis)}
    for a in axes:
        if shape[a] != 1:
            raise ValueError(f"squeeze: axis {a} has length {shape[a]}, expected 1 (input shape {tuple(shape)})")
    return reshape(x, tuple(n for i, n in enumerate(shape) if i not in axes))


def unsqueeze(x, axis: int | None = None, *, dim: int | None = None):
    """Insert an axis of length 1 at ``axis`` (negative counts from the end of the result).

    Example:
        >>> F.unsqueeze(nt.zeros(3), 0).shape, F.unsqueeze(nt.zeros(3), dim=-1).shape
        ((1, 3), (3, 1))
    """
    axis = dim if dim is not None else axis
    if axis is None:
        raise TypeError("unsqueeze: missing the axis argument")
    shape = tuple(x.shape)
    a = _axis("unsqueeze", axis, len(shape) + 1)
    return reshape(x, shape[:a] + (1,) + shape[a:])


# --- axis order ---------------------------------------------------------------------------------

class Transpose(Function):
    def __init__(self, axes):
        self.axes = axes

    def forward(self, x):
        return x.transpose(self.axes)

    def backward(self, gy):
        # the inverse permutation puts every gradient back where its element came from
        inverse = [0] * len(self.axes)
        for i, a in enumerate(self.axes):
            inverse[a] = i
        return gy.transpose(inverse)


def transpose(x, axes=None, *, _fn="transpose"):
    """Permute axes like ``numpy.transpose``: reverse them when ``axes`` is None.

    Example:
        >>> F.transpose(nt.zeros(2, 3, 4)).shape, F.transpose(nt.zeros(2, 3, 4), (0, 2, 1)).shape
        ((4, 3, 2), (2, 4, 3))
    """
    ndim = x.ndim
    if axes is None:
        axes = tuple(range(ndim - 1, -1, -1))
    else:
        axes = tuple(_axis(_fn, a, ndim) for a in axes)
        if sorted(axes) != list(range(ndim)):
            raise ValueError(f"{_fn}: axes {axes} are not a permutation of the {ndim} axes of shape {x.shape}")
    return Transpose.apply(x, axes=axes)


def permute(x, *dims):
    """Reorder the axes (PyTorch's ``permute``): ``permute(x, 0, 2, 1)`` or ``permute(x, (0, 2, 1))``.

    Example:
        >>> F.permute(nt.zeros(2, 3, 4), 2, 0, 1).shape
        (4, 2, 3)
    """
    return transpose(x, _shape_args(dims), _fn="permute")


def swapaxes(x, axis1: int, axis2: int):
    """Exchange two axes (``numpy.swapaxes``, PyTorch's ``transpose(dim0, dim1)``).

    Example:
        >>> F.swapaxes(nt.zeros(2, 3, 4), 0, 2).shape
        (4, 3, 2)
    """
    ndim = x.ndim
    a, b = _axis("swapaxes", axis1, ndim), _axis("swapaxes", axis2, ndim)
    axes = list(range(ndim))
    axes[a], axes[b] = b, a
    return Transpose.apply(x, axes=tuple(axes))


# --- broadcasting -------------------------------------------------------------------------------

class BroadcastTo(Function):
    def __init__(self, shape):
        self.shape = shape

    def forward(self, x):
        self.in_shape = x.shape
        return array_module(x).broadcast_to(x, self.shape)

    def backward(self, gy):
        return unbroadcast(gy, self.in_shape)  # each copy contributes: sum over the broadcast axes


def broadcast_to(x, shape):
    """A read-only broadcast view of ``x`` with ``shape`` (NumPy rules); gradients sum back.

    Example:
        >>> x = nt.tensor([1.0, 2.0], requires_grad=True)
        >>> F.broadcast_to(x, (3, 2)).sum().backward()
        >>> x.grad  # summed over the broadcast rows
        array([3., 3.], dtype=float32)
    """
    shape = _ints("broadcast_to", "the sizes of the shape", _shape_args((shape,)))
    xs = tuple(x.shape)
    ok = (all(n >= 0 for n in shape) and len(shape) >= len(xs)
          and all(a == b or a == 1 for a, b in zip(xs[::-1], shape[::-1])))
    if not ok:
        raise ValueError(f"broadcast_to: cannot broadcast shape {xs} to {shape}")
    return BroadcastTo.apply(x, shape=shape)


def expand(x, *shape):
    """Broadcast to ``shape`` where -1 keeps that dimension (PyTorch's ``expand``).

    Example:
        >>> F.expand(nt.zeros(3, 1), -1, 4).shape
        (3, 4)
    """
    shape = _ints("expand", "the sizes of the shape", _shape_args(shape))
    xs = tuple(x.shape)
    if len(shape) < len(xs):
        raise ValueError(f"expand: target shape {shape} has fewer dimensions than the input shape {xs}")
    lead = len(shape) - len(xs)
    full = []
    for i, n in enumerate(shape):
        if n == -1:
            if i < lead:
                raise ValueError(f"expand: -1 is not allowed for the new leading dimension {i} in {shape}")
            n = xs[i - lead]
        full.append(n)
    try:
        return broadcast_to(x, tuple(full))
    except ValueError:
        raise ValueError(f"expand: cannot expand shape {xs} to {shape} (only length-1 axes can grow)") from None


# --- joining and splitting ----------------------------------------------------------------------

class Concat(Function):
    def __init__(self, axis):
        self.axis = axis

    def forward(self, *xs):
        self.bounds = [0]
        for x in xs:
            self.bounds.append(self.bounds[-1] + x.shape[self.axis])
        return array_module(*xs).concatenate(xs, axis=self.axis)

    def backward(self, gy):
        # each input receives its own slice of the gradient
        lead = (slice(None),) * self.axis
        return tuple(gy[lead + (slice(s, e),)] if need else None
                     for s, e, need in zip(self.bounds[:-1], self.bounds[1:], self.needs_grad))


def _check_same(fn, tensors, skip_axis=None):
    if not tensors:
        raise ValueError(f"{fn}: expected a non-empty sequence of tensors")
    first = tuple(tensors[0].shape)
    for i, t in enumerate(tensors[1:], 1):
        s = tuple(t.shape)
        same = len(s) == len(first) and all(a == b for k, (a, b) in enumerate(zip(s, first)) if k != skip_axis)
        if not same:
            what = "except along axis %d" % skip_axis if skip_axis is not None else "exactly"
            raise ValueError(f"{fn}: all tensors must have the same shape {what}; tensor 0 has shape {first}, "
                             f"tensor {i} has shape {s}")


def concat(tensors, axis: int = 0, *, dim: int | None = None):
    """Join tensors along an existing axis (``cat`` and ``dim=`` as in PyTorch).

    Example:
        >>> nt.cat([nt.ones(2, 3), nt.zeros(1, 3)]).shape
        (3, 3)
        >>> nt.cat([nt.ones(2, 3), nt.zeros(2, 1)], dim=1).shape
        (2, 4)
    """
    tensors = list(tensors)
    axis = dim if dim is not None else axis
    if not tensors:
        raise ValueError("concat: expected a non-empty sequence of tensors")
    if tensors[0].ndim == 0:
        raise ValueError("concat: cannot concatenate 0-d tensors; use stack")
    axis = _axis("concat", axis, tensors[0].ndim)
    _check_same("concat", tensors, skip_axis=axis)
    return Concat.apply(*tensors, axis=axis)


cat = concat


class Stack(Function):
    def __init__(self, axis):
        self.axis = axis

    def forward(self, *xs):
        return array_module(*xs).stack(xs, axis=self.axis)

    def backward(self, gy):
        # input i is slice i of the output along the new axis
        lead = (slice(None),) * self.axis
        return tuple(gy[lead + (i,)] if need else None for i, need in enumerate(self.needs_grad))


def stack(tensors, axis: int = 0, *, dim: int | None = None):
    """Join tensors of identical shape along a new axis.

    Example:
        >>> nt.stack([nt.ones(2, 3), nt.zeros(2, 3)]).shape
        (2, 2, 3)
    """
    tensors = list(tensors)
    axis = dim if dim is not None else axis
    _check_same("stack", tensors)
    axis = _axis("stack", axis, tensors[0].ndim + 1)
    return Stack.apply(*tensors, axis=axis)


class Split(Function):
    def __init__(self, bounds, axis):
        self.bounds, self.axis = bounds, axis

    def forward(self, x):
        lead = (slice(None),) * self.axis
        return tuple(x[lead + (slice(s, e),)] for s, e in zip(self.bounds[:-1], self.bounds[1:]))

    def backward(self, *gys):
        # the pieces' gradients (zeros for unused pieces) concatenated back in order
        return array_module(gys[0]).concatenate(gys, axis=self.axis)


def split(x, sections, axis: int = 0, *, dim: int | None = None):
    """Cut ``x`` along ``axis`` into pieces.

    Args:
        sections: an int ``n`` gives ``n`` equal pieces (as ``numpy.split``; the length must
            divide evenly); a list of ints gives the size of each piece (as ``torch.split`` with
            a list; the sizes must add up to the length).  Note: ``torch.split(x, 2)`` means pieces
            *of size* 2; here write ``split(x, [2, 2, ...])`` for that.

    Returns:
        A tuple of tensors (views of ``x``).

    Example:
        >>> [p.shape for p in F.split(nt.zeros(6, 2), 3)]  # 3 equal pieces (numpy.split)
        [(2, 2), (2, 2), (2, 2)]
        >>> [p.shape for p in F.split(nt.zeros(5, 2), [1, 4])]  # sizes
        [(1, 2), (4, 2)]
    """
    axis = _axis("split", dim if dim is not None else axis, x.ndim)
    n = x.shape[axis]
    if isinstance(sections, (int, np.integer)):
        if sections <= 0 or n % sections:
            raise ValueError(f"split: axis {axis} of length {n} cannot be cut into {sections} equal pieces")
        sizes = [n // sections] * int(sections)
    else:
        sizes = [int(s) for s in sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise ValueError(f"split: piece sizes {sizes} must be non-negative and add up to {n}, "
                             f"the length of axis {axis}")
    bounds = [0]
    for s in sizes:
        bounds.append(bounds[-1] + s)
    return Split.apply(x, bounds=bounds, axis=axis)


# --- padding and repetition ---------------------------------------------------------------------

_PAD_MODES = {"constant": "constant", "zeros": "constant", "reflect": "reflect",
              "edge": "edge", "replicate": "edge", "wrap": "wrap", "circular": "wrap"}


class Pad(Function):
    def __init__(self, widths, mode, value):
        self.widths, self.mode, self.value = widths, mode, value

    def forward(self, x):
        xp = array_module(x)
        self.shape = x.shape
        if not self.widths:  # a 0-d input has no axis to pad (NumPy refuses an empty pad_width)
            return x.copy()
        if self.mode == "constant":
            return xp.pad(x, self.widths, mode="constant", constant_values=self.value)
        return xp.pad(x, self.widths, mode=self.mode)

    def backward(self, gy):
        # constant: crop the padding off; other modes: each padded copy adds to its source element
        xp = array_module(gy)
        inner = tuple(slice(b, b + n) for (b, _), n in zip(self.widths, self.shape))
        if self.mode == "constant":
            return gy[inner]
        g = gy
        for axis, ((b, a), n) in enumerate(zip(self.widths, self.shape)):
            if b == 0 and a == 0:
                continue
            source = xp.pad(xp.arange(n), (b, a), mode=self.mode)  # where each padded position reads from
            shape = list(g.shape)
            shape[axis] = n
            out = xp.zeros(shape, dtype=g.dtype)
            _scatter_add(xp, out, (slice(None),) * axis + (source,), g)
            g = out
        return g


def pad(x, pad_width, mode: str = "constant", value=0):
    """Pad ``x`` with NumPy-style widths.

    Args:
        pad_width: an int (every side of every axis), a pair ``(before, after)`` for every axis,
            or one pair per axis ``((b0, a0), (b1, a1), ...)`` — ``numpy.pad``'s convention.
            PyTorch's ``F.pad(x, (left, right, top, bottom))`` lists the last axis first; write
            it here as ``pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))``.
        mode: 'constant' (alias 'zeros'), 'reflect', 'edge' (alias 'replicate'), 'wrap' (alias 'circular').
        value: the fill value for mode 'constant'.

    Example:
        >>> F.pad(nt.ones(2, 2), ((1, 1), (0, 2))).shape
        (4, 4)
    """
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: unknown mode {mode!r}; expected one of {sorted(_PAD_MODES)}")
    mode = _PAD_MODES[mode]
    shape = tuple(x.shape)
    ndim = len(shape)
    if isinstance(pad_width, (int, np.integer)):
        widths = ((int(pad_width), int(pad_width)),) * ndim
    else:
        pw = tuple(pad_width)
        if len(pw) == 2 and all(isinstance(w, (int, np.integer)) for w in pw):
            widths = ((int(pw[0]), int(pw[1])),) * ndim
        elif len(pw) == ndim and all(isinstance(w, (tuple, list)) and len(w) == 2 for w in pw):
            widths = tuple((int(b), int(a)) for b, a in pw)
        else:
            raise ValueError(f"pad: pad_width {pad_width!r} must be an int, a pair (before, after), or "
                             f"{ndim} pairs for input shape {shape} (NumPy convention, not F.pad's flat list)")
    if any(b < 0 or a < 0 for b, a in widths):
        raise ValueError(f"pad: pad widths must be non-negative, got {widths}")
    if mode == "reflect" and any(max(b, a) >= n and (b or a) for (b, a), n in zip(widths, shape)):
        raise ValueError(f"pad: reflect padding {widths} must be shorter than each padded axis of shape {shape}")
    if mode in ("edge", "wrap") and any((b or a) and n == 0 for (b, a), n in zip(widths, shape)):
        raise ValueError(f"pad: mode {mode!r} cannot pad an empty axis (shape {shape})")
    return Pad.apply(x, widths=widths, mode=mode, value=value)


class Repeat(Function):
    def __init__(self, repeats, axis):
        self.repeats, self.axis = repeats, axis

    def forward(self, x):
        self.shape = x.shape
        xp = array_module(x)
        r = self.repeats if isinstance(self.repeats, int) else xp.asarray(self.repeats, dtype=np.int64)  # [] too
        return xp.repeat(x, r, axis=self.axis)

    def backward(self, gy):
        # every copy of an element adds its gradient to that element
        xp = array_module(gy)
        axis, r = self.axis, self.repeats
        if axis is None:  # NumPy repeats the flattened input
            g, axis, n = gy, 0, int(np.prod(self.shape))
        else:
            g, n = gy, self.shape[axis]
        if isinstance(r, int):
            split_shape = g.shape[:axis] + (n, r) + g.shape[axis + 1:]
            return g.reshape(split_shape).sum(axis=axis + 1).reshape(self.shape)
        source = xp.repeat(xp.arange(n), xp.asarray(r, dtype=np.int64))
        shape = list(g.shape)
        shape[axis] = n
        out = xp.zeros(shape, dtype=g.dtype)
        _scatter_add(xp, out, (slice(None),) * axis + (source,), g)
        return out.reshape(self.shape)


def repeat(x, repeats, axis: int | None = None):
    """Repeat each element ``repeats`` times along ``axis`` (``numpy.repeat``; flattened when axis is None).

    Example:
        >>> F.repeat(nt.tensor([1, 2]), 2).tolist()
        [1, 1, 2, 2]
    """
    if axis is not None:
        axis = _axis("repeat", axis, x.ndim)
    if isinstance(repeats, (int, np.integer)):
        repeats = int(repeats)
        if repeats < 0:
            raise ValueError(f"repeat: repeats must be non-negative, got {repeats}")
    else:
        repeats = list(_ints("repeat", "repeats", tuple(repeats)))
        n = x.size if axis is None else x.shape[axis]
        if len(repeats) != n or any(r < 0 for r in repeats):
            raise ValueError(f"repeat: expected {n} non-negative repeat counts, got {repeats}")
    return Repeat.apply(x, repeats=repeats, axis=axis)


class Tile(Function):
    def __init__(self, reps):
        self.reps = reps

    def forward(self, x):
        self.shape = x.shape
        return array_module(x).tile(x, self.reps)

    def backward(self, gy):
        # split every axis into (copy, element) and sum over the copies
        d = len(self.reps)
        padded = (1,) * (d - len(self.shape)) + tuple(self.shape)
        split_shape = []
        for r, n in zip(self.reps, padded):
            split_shape += [r, n]
        return gy.reshape(split_shape).sum(axis=tuple(range(0, 2 * d, 2))).reshape(self.shape)


def tile(x, reps):
    """Repeat the whole tensor ``reps`` times along each axis (``numpy.tile``).

    Example:
        >>> F.tile(nt.tensor([1, 2]), 2).tolist()
        [1, 2, 1, 2]
    """
    reps = _ints("tile", "reps", (reps,) if isinstance(reps, (int, np.integer)) else tuple(reps))
    if any(r < 0 for r in reps):
        raise ValueError(f"tile: repetitions must be non-negative, got {reps}")
    reps = (1,) * (x.ndim - len(reps)) + reps
    return Tile.apply(x, reps=reps)
