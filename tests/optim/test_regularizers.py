"""L1, L2 and L1L2 penalties: values, gradient checks, PyTorch parity, config and names."""
import numpy as np
import pytest

import neuronet as nt
import neuronet.optim as optim
from tests.helpers import check_grad, check_parity

SHAPES = [(5,), (3, 4), (2, 3, 2)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("reg", [optim.L1(0.3), optim.L2(0.2), optim.L1L2(0.1, 0.05)], ids=repr)
def test_gradcheck(shape, reg):
    rng = np.random.default_rng(0)
    w = rng.standard_normal(shape)
    w[np.abs(w) < 0.05] = 0.3  # keep central differences away from the kink of |w|
    check_grad(reg, w)


@pytest.mark.parametrize("shape", SHAPES)
def test_parity_with_torch(shape):
    torch = pytest.importorskip("torch")
    w = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    check_parity(optim.L1(0.3), lambda t: 0.3 * t.abs().sum(), w)
    check_parity(optim.L2(0.2), lambda t: 0.2 * (t * t).sum(), w)
    check_parity(optim.L1L2(0.1, 0.05), lambda t: 0.1 * t.abs().sum() + 0.05 * (t * t).sum(), w)
    assert torch is not None


def test_values_follow_keras_no_half_in_l2():
    w = nt.tensor(np.array([1.0, -2.0, 3.0], np.float32), requires_grad=True)
    assert optim.L1(0.1)(w).item() == pytest.approx(0.6)
    assert optim.L2(0.1)(w).item() == pytest.approx(1.4)  # 0.1 * (1 + 4 + 9), not halved
    penalty = optim.get_regularizer("l1_l2")(w)
    assert penalty.dtype == np.float32 and penalty.shape == ()
    assert penalty.item() == pytest.approx(0.01 * 6 + 0.01 * 14)
    penalty.backward()
    np.testing.assert_allclose(w.grad, 0.01 * np.sign(w.data) + 0.02 * w.data, rtol=1e-6)


def test_names_configs_and_errors():
    assert isinstance(optim.get_regularizer("L2"), optim.L2) and optim.get_regularizer("l2").l2 == 0.01
    assert optim.get_regularizer("l1").get_config() == {"l1": 0.01}
    assert optim.get_regularizer("l1l2").get_config() == {"l1": 0.01, "l2": 0.01}
    reg = optim.L2(1e-4)
    assert optim.get_regularizer(reg) is reg and optim.get_regularizer(None) is None
    again = optim.get_regularizer({"class_name": "L2", "config": reg.get_config()})
    assert isinstance(again, optim.L2) and again.l2 == 1e-4
    with pytest.raises(ValueError, match="get_regularizer: unknown regularizer 'l3'; known names: l1, l2"):
        optim.get_regularizer("l3")
    with pytest.raises(ValueError, match="L1: l1 must be a number >= 0, got -0.1"):
        optim.L1(-0.1)
    with pytest.raises(TypeError, match="get_regularizer: expected a name"):
        optim.get_regularizer(3)
