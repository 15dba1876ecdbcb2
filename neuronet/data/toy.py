"""Small synthetic problems from the course: logic gates, XOR, spirals, moons, circles, sine sequences.

All generators return float32 inputs; classification labels are int64 class indices except the
logic gates, whose targets are float32 columns ready for a sigmoid output.  Randomness comes from
``seed`` or, when it is None, neuronet's generator (``nt.manual_seed``).
"""
from __future__ import annotations

import numpy as np

from .. import backend

__all__ = ["logic_gate", "xor", "two_spirals", "moons", "circles", "sine_sequences", "LOGIC_GATES"]

_INPUTS2 = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
LOGIC_GATES = {
    "and": (_INPUTS2, [0, 0, 0, 1]),
    "or": (_INPUTS2, [0, 1, 1, 1]),
    "nand": (_INPUTS2, [1, 1, 1, 0]),
    "nor": (_INPUTS2, [1, 0, 0, 0]),
    "xor": (_INPUTS2, [0, 1, 1, 0]),
    "xnor": (_INPUTS2, [1, 0, 0, 1]),
    "not": (np.array([[0], [1]], dtype=np.float32), [1, 0]),
}
"""Truth tables: gate name -> (inputs, outputs)."""


def logic_gate(name: str, bipolar: bool = False):
    """The truth table of a logic gate (AND, OR, NAND, NOR, XOR, XNOR, NOT) as a tiny data set.

    Args:
        name: the gate, any case.
        bipolar: code false/true as -1/+1 (for the perceptron rule, ADALINE, hinge loss)
            instead of 0/1, in inputs and targets.

    Returns:
        ``(x, y)``: x float32 (4, 2) ((2, 1) for NOT), y float32 (4, 1) ((2, 1) for NOT).

    Example:
        >>> x, y = nt.data.logic_gate("and")
        >>> y.ravel().tolist()
        [0.0, 0.0, 0.0, 1.0]
    """
    key = str(name).lower()
    if key not in LOGIC_GATES:
        raise ValueError(f"logic_gate: unknown gate {name!r}, expected one of {sorted(LOGIC_GATES)}")
    x, y = LOGIC_GATES[key]
    x, y = x.copy(), np.array(y, dtype=np.float32).reshape(-1, 1)
    if bipolar:
        x, y = 2 * x - 1, 2 * y - 1
    return x, y


def xor(bipolar: bool = False):
    """The XOR truth table, the classic problem a single neuron cannot solve: ``logic_gate("xor")``.

    Example:
        >>> x, y = nt.data.xor()
        >>> x.tolist(), y.ravel().tolist()
        ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0.0, 1.0, 1.0, 0.0])
    """
    return logic_gate("xor", bipolar)


def _check_n(where: str, n, minimum: int = 2) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < minimum:
        raise ValueError(f"{where}: n must be an int >= {minimum}, got {n!r}")
    return int(n)


def _noise(where, noise) -> float:
    """The noise std: a finite number >= 0 (NumPy's own 'scale < 0' would name no function)."""
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.integer, np.floating)) \
            or not np.isfinite(noise) or noise < 0:
        raise ValueError(f"{where}: noise must be a finite number >= 0, got {noise!r}")
    return float(noise)


def _finish(x, y, noise, shuffle, rng, where="toy"):
    noise = _noise(where, noise)
    if noise:
        x = x + rng.normal(0.0, noise, size=x.shape)
    if shuffle:
        perm = rng.permutation(len(y))
        x, y = x[perm], y[perm]
    return x.astype(np.float32), y.astype(np.int64)


def two_spirals(n: int = 200, noise: float = 0.0, turns: float = 1.5, shuffle: bool = True, seed=None):
    """Two interleaved spirals (class 0 and its point reflection, class 1), hard for linear models.

    Args:
        n: total points (class 0 gets ``n // 2``). noise: std of Gaussian noise added to x.
        turns: how many turns each spiral makes. shuffle: mix the two classes' rows.

    Returns:
        ``(x, y)``: x float32 (n, 2) within about [-1, 1], y int64 (n,) in {0, 1}.

    Example:
        >>> x, y = nt.data.two_spirals(200, seed=0)
        >>> x.shape, np.bincount(y.ravel().astype(int)).tolist()
        ((200, 2), [100, 100])
    """
    n = _check_n("two_spirals", n)
    rng = backend.generator(seed)
    sizes = (n // 2, n - n // 2)
    t = np.concatenate([np.linspace(0.05, 1.0, s) for s in sizes])
    angle = 2 * np.pi * turns * t
    sign = np.repeat([1.0, -1.0], sizes)
    x = sign[:, None] * np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1)
    return _finish(x, np.repeat([0, 1], sizes), noise, shuffle, rng, "two_spirals")


def moons(n: int = 200, noise: float = 0.0, shuffle: bool = True, seed=None):
    """Two interleaving half circles (scikit-learn's ``make_moons``: same points without noise).

    Returns:
        ``(x, y)``: x float32 (n, 2), y int64 (n,): 0 for the upper moon (``n // 2`` points), 1 the lower.

    Example:
        >>> x, y = nt.data.moons(100, noise=0.1, seed=0)
        >>> x.shape, np.bincount(y.ravel().astype(int)).tolist()
        ((100, 2), [50, 50])
    """
    n = _check_n("moons", n)
    rng = backend.generator(seed)
    n_out, n_in = n // 2, n - n // 2
    a_out, a_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    x = np.concatenate([np.stack([np.cos(a_out), np.sin(a_out)], 1),
                        np.stack([1 - np.cos(a_in), 1 - np.sin(a_in) - 0.5], 1)])
    return _finish(x, np.repeat([0, 1], (n_out, n_in)), noise, shuffle, rng, "moons")


def circles(n: int = 200, noise: float = 0.0, factor: float = 0.8, shuffle: bool = True, seed=None):
    """A circle inside a larger one (scikit-learn's ``make_circles``: same points without noise).

    Args:
        factor: radius of the inner circle, in (0, 1).

    Returns:
        ``(x, y)``: x float32 (n, 2), y int64 (n,): 0 outer circle (``n // 2`` points), 1 inner.

    Example:
        >>> x, y = nt.data.circles(100, factor=0.5, seed=0)
        >>> radius = np.linalg.norm(x, axis=1)
        >>> bool(np.allclose(radius[y.ravel() == 0], 1.0)), bool(np.allclose(radius[y.ravel() == 1], 0.5))
        (True, True)
    """
    n = _check_n("circles", n)
    if not 0.0 < factor < 1.0:
        raise ValueError(f"circles: factor must be in (0, 1), got {factor}")
    rng = backend.generator(seed)
    n_out, n_in = n // 2, n - n // 2
    a_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    a_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    x = np.concatenate([np.stack([np.cos(a_out), np.sin(a_out)], 1),
                        factor * np.stack([np.cos(a_in), np.sin(a_in)], 1)])
    return _finish(x, np.repeat([0, 1], (n_out, n_in)), noise, shuffle, rng, "circles")


def sine_sequences(n: int = 256, length: int = 50, target: str = "next", freq_range=(0.02, 0.1),
                   noise: float = 0.0, seed=None):
    """Sine waves with random frequency and phase, for recurrent networks.

    Wave ``i`` is ``sin(2*pi*f_i*t + phase_i)`` sampled at ``t = 0 .. length`` (plus Gaussian noise
    on the inputs).

    Args:
        n: number of sequences. length: time steps per input sequence.
        target: ``"next"`` (many-to-one: predict the value after the sequence),
            ``"sequence"`` (many-to-many: the sequence shifted one step ahead), or
            ``"frequency"`` (many-to-one regression of ``f_i``).
        freq_range: frequencies (cycles per step) drawn uniformly from this interval.

    Returns:
        ``(x, y)``: x float32 (n, length, 1); y float32 (n, 1), (n, length, 1) or (n, 1).

    Example:
        >>> x, y = nt.data.sine_sequences(n=8, length=20, seed=0)
        >>> x.shape, y.shape  # predict the next value of each wave
        ((8, 20, 1), (8, 1))
    """
    n = _check_n("sine_sequences", n, 1)
    length = _check_n("sine_sequences", length, 1)
    if target not in ("next", "sequence", "frequency"):
        raise ValueError(f"sine_sequences: target must be 'next', 'sequence' or 'frequency', got {target!r}")
    rng = backend.generator(seed)
    freq = rng.uniform(freq_range[0], freq_range[1], size=(n, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    wave = np.sin(2 * np.pi * freq * np.arange(length + 1) + phase)
    noise = _noise("sine_sequences", noise)
    x = wave[:, :-1] + (rng.normal(0.0, noise, size=(n, length)) if noise else 0.0)
    y = {"next": wave[:, -1:], "sequence": wave[:, 1:, None], "frequency": freq}[target]
    return x[:, :, None].astype(np.float32), y.astype(np.float32)
