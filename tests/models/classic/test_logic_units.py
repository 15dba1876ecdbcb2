"""McCulloch–Pitts units: the courses' gates, no single unit for XOR (by grid search), the two-layer XOR."""
import numpy as np
import pytest

from neuronet.models.classic import (LOGIC_GATES, TRUTH_TABLES, MPNetwork, MPUnit, logic_gate, search_single_unit,
                                     truth_table, xor_network)


@pytest.mark.parametrize("gate", sorted(LOGIC_GATES))
def test_gate_truth_tables(gate):
    weights, theta = LOGIC_GATES[gate]
    x = truth_table(len(weights))
    expected = [int(sum(w * xi for w, xi in zip(weights, row)) >= theta) for row in x.tolist()]  # Σ wᵢxᵢ ≥ θ
    assert logic_gate(gate)(x).tolist() == expected == list(TRUTH_TABLES[gate])


def test_no_single_unit_computes_xor_but_two_layers_do():
    solutions, tried = search_single_unit("XOR")
    assert tried == 13 ** 3 and len(solutions) == 0
    assert len(search_single_unit("XNOR")[0]) == 0
    and_solutions, _ = search_single_unit("AND")
    assert len(and_solutions) > 0
    for w1, w2, theta in and_solutions:   # each one really computes AND
        assert MPUnit([w1, w2], theta)(truth_table(2)).tolist() == [0, 0, 0, 1]
    assert xor_network()(truth_table(2)).tolist() == [0, 1, 1, 0]
    assert xor_network()([1, 0]) == 1


def test_absolute_inhibition_and_networks():
    unit = MPUnit([1, 1, 1], 1, inhibitory=[False, False, True])
    assert unit(truth_table(3)).tolist() == [0, 0, 1, 0, 1, 0, 1, 0]
    net = MPNetwork([[logic_gate("NOT")], [logic_gate("NOT")]])
    assert net(np.array([[0], [1]])).tolist() == [0, 1]


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="MPUnit: expected binary inputs of shape \\(samples, 2\\)"):
        logic_gate("AND")(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="binary"):
        logic_gate("AND")(np.array([[0.5, 1]]))
    with pytest.raises(ValueError, match="xor_network"):
        logic_gate("XOR")
    with pytest.raises(ValueError, match="2\\^n"):
        search_single_unit([0, 1, 1])
