"""McCulloch–Pitts (1943) threshold logic: the unit, the course's logic gates, and why XOR needs two layers.

A unit fires (1) when the weighted sum of its binary inputs reaches the threshold θ and no
inhibitory input is active:  ``y = [Σ wᵢ xᵢ ≥ θ] · Π_{i inhibitory} (1 − xᵢ)``.
"""
from __future__ import annotations

import itertools

from ...backend import np

__all__ = ["MPUnit", "MPNetwork", "LOGIC_GATES", "TRUTH_TABLES", "logic_gate", "truth_table",
           "search_single_unit", "xor_network"]

#: The courses' weights and thresholds: (weights, θ).
LOGIC_GATES = {
    "NOT": ((-1,), 0),
    "AND": ((1, 1), 2),
    "OR": ((1, 1), 1),
    "NAND": ((-1, -1), -1),
    "NOR": ((-1, -1), 0),
}

#: Target outputs over the inputs in ``truth_table(n)`` order (00, 01, 10, 11 for two inputs).
TRUTH_TABLES = {
    "NOT": (1, 0), "AND": (0, 0, 0, 1), "OR": (0, 1, 1, 1), "NAND": (1, 1, 1, 0),
    "NOR": (1, 0, 0, 0), "XOR": (0, 1, 1, 0), "XNOR": (1, 0, 0, 1),
}


def truth_table(n_inputs: int):
    """All 2ⁿ binary input rows, in counting order: (2ⁿ, n) int array.

    Example:
        >>> nt.models.classic.truth_table(2).tolist()
        [[0, 0], [0, 1], [1, 0], [1, 1]]
    """
    return np.array(list(itertools.product((0, 1), repeat=n_inputs)), dtype=np.int64)


class MPUnit:
    """One McCulloch–Pitts unit: binary inputs, fixed weights, threshold θ, optional absolute inhibition.

    Args:
        weights: one weight per input (the 1943 unit has +1 excitatory synapses; any reals are accepted).
        threshold: θ; the unit fires when ``Σ wᵢ xᵢ ≥ θ``.
        inhibitory: optional boolean mask; an active inhibitory input silences the unit whatever the sum.

    Example:
        >>> unit = nt.models.classic.MPUnit(weights=[1, 1], threshold=2)  # AND
        >>> unit(np.array([[0, 0], [0, 1], [1, 1]])).tolist()
        [0, 0, 1]
    """

    def __init__(self, weights, threshold, inhibitory=None):
        self.weights = np.asarray(weights, dtype=np.float64).reshape(-1)
        self.threshold = float(threshold)
        self.inhibitory = (np.zeros(self.weights.size, dtype=bool) if inhibitory is None
                           else np.asarray(inhibitory, dtype=bool).reshape(-1))
        if self.inhibitory.size != self.weights.size:
            raise ValueError(f"MPUnit: inhibitory mask has {self.inhibitory.size} entries for "
                             f"{self.weights.size} weights")

    def __call__(self, x):
        """Outputs (samples,) in {0, 1} for binary inputs (samples, n) or one input row (n,)."""
        x = np.asarray(x)
        single = x.ndim == 1
        x2 = x[None] if single else x
        if x2.ndim != 2 or x2.shape[1] != self.weights.size:
            raise ValueError(f"MPUnit: expected binary inputs of shape (samples, {self.weights.size}), "
                             f"received shape {x.shape}")
        if not np.isin(x2, (0, 1)).all():
            raise ValueError("MPUnit: inputs must be binary (0 or 1)")
        fires = (x2 @ self.weights >= self.threshold) & ~(x2[:, self.inhibitory] > 0).any(axis=1)
        y = fires.astype(np.int64)
        return y[0] if single else y

    def __repr__(self):
        return f"MPUnit(weights={self.weights.tolist()}, threshold={self.threshold})"


class MPNetwork:
    """Layers of MP units applied in turn: each layer is a list of units reading the previous layer's outputs.

    Example:
        >>> net = nt.models.classic.xor_network()
        >>> net(nt.models.classic.truth_table(2)).tolist()
        [0, 1, 1, 0]
    """

    def __init__(self, layers):
        self.layers = [list(layer) for layer in layers]

    def __call__(self, x):
        h = np.asarray(x)
        single = h.ndim == 1
        h = h[None] if single else h
        for layer in self.layers:
            h = np.stack([unit(h) for unit in layer], axis=1)
        out = h[:, 0] if h.shape[1] == 1 else h
        return out[0] if single else out


def logic_gate(name: str) -> MPUnit:
    """The MP unit for NOT, AND, OR, NAND or NOR with the courses' weights and threshold.

    Example:
        >>> nand = nt.models.classic.logic_gate("NAND")
        >>> nand(nt.models.classic.truth_table(2)).tolist()
        [1, 1, 1, 0]
    """
    key = name.upper()
    if key not in LOGIC_GATES:
        raise ValueError(f"logic_gate: unknown gate {name!r}; expected one of {sorted(LOGIC_GATES)} "
                         "(XOR needs two layers: xor_network())")
    weights, theta = LOGIC_GATES[key]
    return MPUnit(weights, theta)


def search_single_unit(targets, weights=np.arange(-3, 3.5, 0.5), thresholds=np.arange(-3, 3.5, 0.5)):
    """Every (w₁, …, wₙ, θ) on the grid for which one MP unit reproduces ``targets``.

    The whole grid is evaluated at once: (grid points × 2ⁿ inputs) sums compared with θ.

    Args:
        targets: outputs over ``truth_table(n)`` (length 2ⁿ), or a gate name from ``TRUTH_TABLES``.
        weights, thresholds: the values tried for every weight and for θ.

    Returns:
        ``(solutions (k, n + 1), tried)``: the rows that compute ``targets`` and the number of grid points.
        For XOR ``solutions`` is empty: no line separates {01, 10} from {00, 11}.

    Example:
        >>> solutions, tried = nt.models.classic.search_single_unit([0, 0, 0, 1])  # AND
        >>> len(solutions) > 0, tried
        (True, 2197)
        >>> len(nt.models.classic.search_single_unit([0, 1, 1, 0])[0])  # XOR: no single unit on the grid
        0
    """
    t = np.asarray(TRUTH_TABLES[targets.upper()] if isinstance(targets, str) else targets, dtype=np.int64)
    n = int(round(np.log2(t.size)))
    if 2 ** n != t.size:
        raise ValueError(f"search_single_unit: targets must have 2^n entries, got {t.size}")
    x = truth_table(n).astype(np.float64)
    grid = np.stack(np.meshgrid(*([np.asarray(weights, float)] * n), np.asarray(thresholds, float),
                                indexing="ij"), axis=-1).reshape(-1, n + 1)
    out = (grid[:, :n] @ x.T >= grid[:, n:]).astype(np.int64)        # (grid, 2^n)
    return grid[(out == t).all(axis=1)], grid.shape[0]


def xor_network() -> MPNetwork:
    """XOR = AND(OR(x₁, x₂), NAND(x₁, x₂)): two MP layers with the courses' gate units.

    Example:
        >>> nt.models.classic.xor_network()(np.array([[1, 0], [1, 1]])).tolist()
        [1, 0]
    """
    return MPNetwork([[logic_gate("OR"), logic_gate("NAND")], [logic_gate("AND")]])
