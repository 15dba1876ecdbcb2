"""Toy problems: truth tables, spirals, moons, circles (vs scikit-learn), sine sequences."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.data import circles, logic_gate, moons, sine_sequences, two_spirals, xor
from tests.helpers import need


@pytest.mark.parametrize("gate, outputs", [
    ("and", [0, 0, 0, 1]), ("OR", [0, 1, 1, 1]), ("nand", [1, 1, 1, 0]), ("nor", [1, 0, 0, 0]),
    ("xor", [0, 1, 1, 0]), ("xnor", [1, 0, 0, 1]), ("not", [1, 0]),
])
def test_truth_tables_follow_boolean_logic(gate, outputs):
    x, y = logic_gate(gate)
    assert x.dtype == np.float32 and y.dtype == np.float32 and y.shape == (len(outputs), 1)
    a = x.astype(bool)
    logic = {"and": lambda: a[:, 0] & a[:, 1], "or": lambda: a[:, 0] | a[:, 1], "nand": lambda: ~(a[:, 0] & a[:, 1]),
             "nor": lambda: ~(a[:, 0] | a[:, 1]), "xor": lambda: a[:, 0] ^ a[:, 1],
             "xnor": lambda: ~(a[:, 0] ^ a[:, 1]), "not": lambda: ~a[:, 0]}[gate.lower()]()
    assert np.array_equal(y.ravel(), logic.astype(np.float32)) and y.ravel().tolist() == outputs


def test_xor_bipolar_and_unknown_gate():
    x, y = xor(bipolar=True)
    assert set(np.unique(x)) == {-1.0, 1.0} and y.ravel().tolist() == [-1, 1, 1, -1]
    x0, _ = xor()
    x0[0, 0] = 5                                                   # a copy, the table is not changed
    assert xor()[0][0, 0] == 0
    with pytest.raises(ValueError, match="unknown gate 'maybe'"):
        logic_gate("maybe")


def test_moons_and_circles_match_sklearn_without_noise():
    sk = need("sklearn.datasets")
    for n in (100, 101):
        x, y = moons(n, shuffle=False)
        sx, sy = sk.make_moons(n, shuffle=False)
        assert np.allclose(x, sx, atol=1e-6) and np.array_equal(y, sy) and x.dtype == np.float32
        x, y = circles(n, factor=0.5, shuffle=False)
        sx, sy = sk.make_circles(n, factor=0.5, shuffle=False)
        assert np.allclose(x, sx, atol=1e-6) and np.array_equal(y, sy) and y.dtype == np.int64


@pytest.mark.parametrize("make", [moons, circles, two_spirals])
def test_generators_seeded_shapes_and_noise(make):
    x, y = make(60, noise=0.1, seed=3)
    assert x.shape == (60, 2) and y.shape == (60,) and np.bincount(y).tolist() == [30, 30]
    x2, y2 = make(60, noise=0.1, seed=3)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    assert not np.array_equal(x, make(60, noise=0.1, seed=4)[0])
    nt.manual_seed(7)
    a = make(60, noise=0.1)[0]
    nt.manual_seed(7)
    assert np.array_equal(a, make(60, noise=0.1)[0])
    clean = make(60, shuffle=False)[0]
    noisy = make(60, noise=0.1, shuffle=False, seed=0)[0]
    assert 0.05 < np.std(noisy - clean) < 0.15
    with pytest.raises(ValueError, match="n must be an int >= 2"):
        make(1)


def test_two_spirals_classes_are_point_reflections():
    x, y = two_spirals(40, shuffle=False)
    assert np.allclose(x[y == 1], -x[y == 0])
    assert np.abs(x).max() <= 1.0


def test_sine_sequences_targets():
    x, y = sine_sequences(8, 20, seed=0)
    assert x.shape == (8, 20, 1) and y.shape == (8, 1) and x.dtype == np.float32
    xs, ys = sine_sequences(8, 20, target="sequence", seed=0)
    assert np.array_equal(xs, x) and ys.shape == (8, 20, 1)
    assert np.allclose(ys[:, :-1], x[:, 1:]) and np.allclose(ys[:, -1], y)   # shifted one step ahead
    _, freq = sine_sequences(8, 20, target="frequency", freq_range=(0.05, 0.06), seed=0)
    assert freq.shape == (8, 1) and (0.05 <= freq).all() and (freq <= 0.06).all()
    with pytest.raises(ValueError, match="target must be"):
        sine_sequences(target="classify")
