"""Loss modules: PyTorch parity with options, Keras-named modules, get_loss, configs."""
import numpy as np
import pytest

import neuronet as nt
from neuronet import nn
from tests.helpers import assert_close, check_parity


def test_regression_modules(rng, torch):
    TNN = torch.nn
    x, y = rng.standard_normal((6, 3)).astype(np.float32), rng.standard_normal((6, 3)).astype(np.float32)
    for reduction in ("mean", "sum", "none"):
        for ours, theirs in ((nn.MSELoss(reduction), TNN.MSELoss(reduction=reduction)),
                             (nn.L1Loss(reduction), TNN.L1Loss(reduction=reduction)),
                             (nn.MAELoss(reduction), TNN.L1Loss(reduction=reduction)),
                             (nn.HuberLoss(reduction, delta=0.7), TNN.HuberLoss(reduction=reduction, delta=0.7))):
            check_parity(ours, theirs, x, y)
    check_parity(nn.RMSELoss(), lambda a, b: torch.sqrt(TNN.MSELoss()(a, b)), x, y)


def test_binary_modules(rng, torch):
    TNN = torch.nn
    p = rng.uniform(0.05, 0.95, (6, 3)).astype(np.float32)
    logits = (rng.standard_normal((6, 3)) * 3).astype(np.float32)
    y = rng.integers(0, 2, (6, 3)).astype(np.float32)
    w = rng.uniform(0.5, 2, 3).astype(np.float32)
    check_parity(nn.BCELoss(weight=w), TNN.BCELoss(weight=torch.tensor(w)), p, y, requires_grad=[True, False])
    check_parity(nn.BCEWithLogitsLoss(pos_weight=w, reduction="sum"),
                 TNN.BCEWithLogitsLoss(pos_weight=torch.tensor(w), reduction="sum"), logits, y)
    check_parity(nn.HingeLoss(), lambda a, b: torch.clamp(1 - a * b, min=0).mean(), logits, 2 * y - 1)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_and_nll_modules(reduction, rng, torch):
    TNN = torch.nn
    x = (rng.standard_normal((8, 5, 2)) * 2).astype(np.float32)
    t = rng.integers(0, 5, (8, 2))
    t[0, 0] = 3
    w = rng.uniform(0.5, 2, 5).astype(np.float32)
    ours = nn.CrossEntropyLoss(weight=nt.tensor(w), ignore_index=3, reduction=reduction, label_smoothing=0.1)
    theirs = TNN.CrossEntropyLoss(weight=torch.tensor(w), ignore_index=3, reduction=reduction, label_smoothing=0.1)
    check_parity(ours, theirs, x, t)
    logp = torch.log_softmax(torch.tensor(x), 1).numpy()
    check_parity(nn.NLLLoss(weight=w, ignore_index=3, reduction=reduction),
                 TNN.NLLLoss(weight=torch.tensor(w), ignore_index=3, reduction=reduction), logp, t)


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides the total loss")
@pytest.mark.parametrize("reduction", ["mean", "batchmean", "sum", "none"])
def test_kl_div_module(reduction, rng, torch):
    TNN = torch.nn
    x = np.log(rng.dirichlet(np.ones(4), 5)).astype(np.float32)
    t = np.log(rng.dirichlet(np.ones(4), 5)).astype(np.float32)
    check_parity(nn.KLDivLoss(reduction, log_target=True), TNN.KLDivLoss(reduction=reduction, log_target=True), x, t)


def test_keras_named_modules_match_keras_formulas(rng):
    eps = 1e-7
    probs = rng.dirichlet(np.ones(4), 6)
    labels = rng.integers(0, 4, 6)
    onehot = np.eye(4)[labels]
    per_sample = -np.log(np.clip(probs[np.arange(6), labels], eps, 1 - eps))
    assert nn.CategoricalCrossentropy()(nt.tensor(probs), nt.tensor(onehot)).item() == pytest.approx(per_sample.mean())
    assert nn.SparseCategoricalCrossentropy()(nt.tensor(probs), nt.tensor(labels)).item() == pytest.approx(per_sample.mean())
    none = nn.SparseCategoricalCrossentropy(reduction="none")(nt.tensor(probs), nt.tensor(labels))
    assert_close(none.numpy(), per_sample, 1e-12)
    logits = rng.standard_normal((6, 4))
    lsm = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    smooth = onehot * 0.9 + 0.1 / 4
    cce = nn.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)(nt.tensor(logits), nt.tensor(onehot))
    assert cce.item() == pytest.approx(-(smooth * lsm).sum(1).mean())
    y = rng.integers(0, 2, (6, 2)).astype(np.float64)
    p = rng.uniform(0.05, 0.95, (6, 2))
    bce = -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(-1)
    assert_close(nn.BinaryCrossentropy(reduction="none")(nt.tensor(p), nt.tensor(y)).numpy(), bce, 1e-12)
    assert nn.BinaryCrossentropy(from_logits=True)(nt.tensor(np.log(p / (1 - p))), nt.tensor(y)).item() == \
        pytest.approx(bce.mean())


def test_get_loss():
    expected = {
        "mse": nn.MSELoss, "mean_squared_error": nn.MSELoss, "mae": nn.L1Loss, "l1": nn.L1Loss,
        "mean_absolute_error": nn.L1Loss, "rmse": nn.RMSELoss, "huber": nn.HuberLoss, "bce": nn.BCELoss,
        "binary_cross_entropy": nn.BCELoss, "binary_crossentropy": nn.BinaryCrossentropy,
        "bce_with_logits": nn.BCEWithLogitsLoss, "hinge": nn.HingeLoss, "cross_entropy": nn.CrossEntropyLoss,
        "categorical_crossentropy": nn.CategoricalCrossentropy,
        "sparse_categorical_crossentropy": nn.SparseCategoricalCrossentropy, "nll": nn.NLLLoss,
        "kl_div": nn.KLDivLoss, "kld": nn.KLDivLoss,
    }
    for name, cls in expected.items():
        assert type(nn.get_loss(name)) is cls
    loss = nn.MSELoss()
    assert nn.get_loss(loss) is loss
    assert type(nn.get_loss(nn.HuberLoss)) is nn.HuberLoss
    fn = lambda a, b: a  # noqa: E731
    assert nn.get_loss(fn) is fn
    with pytest.raises(ValueError, match=r"get_loss: unknown loss 'msqe'; known names: .*cross_entropy.*mse"):
        nn.get_loss("msqe")
    with pytest.raises(TypeError, match="get_loss"):
        nn.get_loss(3)


def test_reduction_is_settable_and_validated(rng):
    loss = nn.MSELoss()
    x, y = nt.tensor(rng.standard_normal((4, 2))), nt.tensor(rng.standard_normal((4, 2)))
    loss.reduction = "none"
    assert loss(x, y).shape == (4, 2)
    with pytest.raises(ValueError, match="MSELoss: reduction must be one of 'mean', 'sum', 'none', got 'avg'"):
        nn.MSELoss("avg")
    assert nn.KLDivLoss("batchmean").reduction == "batchmean"


def test_weights_are_buffers_and_configs_round_trip():
    loss = nn.CrossEntropyLoss(weight=nt.tensor([1.0, 2.0, 3.0]), ignore_index=1, label_smoothing=0.2)
    assert list(loss.state_dict()) == ["weight"]
    rebuilt = nn.Module.from_config(loss.get_config())
    np.testing.assert_array_equal(rebuilt.weight, [1.0, 2.0, 3.0])
    assert rebuilt.ignore_index == 1 and rebuilt.label_smoothing == 0.2
    for loss in (nn.HuberLoss(delta=2.0), nn.CategoricalCrossentropy(from_logits=True), nn.BCEWithLogitsLoss(pos_weight=[2.0])):
        assert nn.Module.from_config(loss.get_config()).get_config() == loss.get_config()
