"""L1, L2 and L1L2 penalties: values, gradient checks, PyTorch parity, config and names."""
import numpy as np
import pytest

import neuronet as nt
import neuronet.optim as optim
from tests.helpers import assert_close, check_grad, check_parity

SHAPES = [(5,), (3, 4), (2, 3, 2)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("reg", [optim.L1(0.3), optim.L2(0.2), optim.L1L2(0.1, 0.05)], ids=repr)
def test_gradcheck(shape, reg):
    rng = np.random.default_rng(0)
    w = rng.standard_normal(shape)
    w[np.abs(w) < 0.05] = 0.3  # keep central differences away from the kink of |w|
    check_grad(reg, w)


TORCH_PENALTIES = [
    (optim.L1(0.3), lambda t: 0.3 * t.abs().sum()),
    (optim.L2(0.2), lambda t: 0.2 * (t * t).sum()),
    (optim.L1L2(0.1, 0.05), lambda t: 0.1 * t.abs().sum() + 0.05 * (t * t).sum()),
]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("reg, torch_penalty", TORCH_PENALTIES, ids=["l1", "l2", "l1l2"])
def test_parity_with_torch(shape, reg, torch_penalty, torch):
    """Value and gradient agree with the same penalty written in PyTorch (skips without torch)."""
    w = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    w.reshape(-1)[0] = 0.0          # at an exact zero both take 0 as the subgradient of |w|
    check_parity(reg, torch_penalty, w)


def test_one_sgd_step_with_a_kernel_regularizer_matches_torch(torch):
    """A Dense layer's kernel penalty reaches the optimizer: one SGD step with cross-entropy + l1·Σ|W| + l2·ΣW²
    (the bias unpenalised) moves the weights as PyTorch's does from the same start."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((16, 5)).astype(np.float32)
    y = rng.integers(0, 3, 16)
    model = nt.Sequential([nt.nn.Dense(3, kernel_regularizer=optim.L1L2(0.1, 0.05))])
    model.compile(optimizer="sgd", loss="cross_entropy", learning_rate=0.5)
    model.predict(x[:1])                                            # builds the layer
    w0, b0 = model[0].weight.data.copy(), model[0].bias.data.copy()
    logs = model.train_on_batch(x, y)

    tw, tb = torch.tensor(w0, requires_grad=True), torch.tensor(b0, requires_grad=True)
    data_loss = torch.nn.functional.cross_entropy(torch.tensor(x) @ tw.T + tb, torch.tensor(y))
    penalty = 0.1 * tw.abs().sum() + 0.05 * (tw * tw).sum()
    (data_loss + penalty).backward()
    with torch.no_grad():
        tw -= 0.5 * tw.grad
        tb -= 0.5 * tb.grad
    assert logs["reg_loss"] == pytest.approx(penalty.item(), rel=1e-5)
    assert logs["loss"] == pytest.approx((data_loss + penalty).item(), rel=1e-5)
    assert_close(model[0].weight.data, tw.detach().numpy(), 1e-5, what="kernel after one step")
    assert_close(model[0].bias.data, tb.detach().numpy(), 1e-5, what="bias after one step")
    assert not np.allclose(model[0].weight.data, w0)


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
