"""Losses: float64 gradient checks, PyTorch parity for every reduction and option, Keras formulas,
stability at logits ±1e4, and error messages."""
import numpy as np
import pytest

import neuronet as nt
from neuronet.functional import loss as L
from tests.helpers import assert_close, check_grad, check_parity

REDUCTIONS = ["mean", "sum", "none"]
SHAPES = [(6,), (4, 3), (2, 3, 4)]


def f32(*arrays):
    return [np.asarray(a, np.float32) for a in arrays]


# --- regression and binary losses ----------------------------------------------------------------

def regression_pair(rng, shape):
    """Input and target whose differences avoid the kinks of l1 (0) and huber (±delta)."""
    y = rng.standard_normal(shape)
    d = rng.uniform(0.1, 0.9, shape) * rng.choice([-1.0, 1.0], shape)
    d[..., ::2] *= 3.0  # some beyond delta=1 (huber's linear part), some inside
    return y + d, y


# (neuronet loss, torch loss as a function of the torch module)
POINTWISE = {
    "mse": (L.mse_loss, lambda torch: torch.nn.functional.mse_loss),
    "l1": (L.l1_loss, lambda torch: torch.nn.functional.l1_loss),
    "huber": (L.huber_loss, lambda torch: torch.nn.functional.huber_loss),
    "huber_delta": (lambda x, y, reduction: L.huber_loss(x, y, reduction, delta=0.5),
                    lambda torch: lambda x, y, reduction: torch.nn.functional.huber_loss(
                        x, y, reduction=reduction, delta=0.5)),
}


@pytest.mark.parametrize("name", sorted(POINTWISE))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_regression_losses_grad(name, reduction, shape, rng):
    ours, _ = POINTWISE[name]
    x, y = regression_pair(rng, shape)
    check_grad(lambda a, b: ours(a, b, reduction=reduction), x, y)


@pytest.mark.parametrize("name", sorted(POINTWISE))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_regression_losses(name, reduction, shape, rng, torch):
    ours, theirs = POINTWISE[name]
    theirs = theirs(torch)
    x, y = regression_pair(rng, shape)
    check_parity(lambda a, b: ours(a, b, reduction=reduction), lambda a, b: theirs(a, b, reduction=reduction),
                 *f32(x, y))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_rmse_grad(reduction, shape, rng):
    x, y = regression_pair(rng, shape)
    check_grad(lambda a, b: L.rmse(a, b, reduction), x, y)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES)
def test_rmse(reduction, shape, rng, torch, TF):
    x, y = regression_pair(rng, shape)
    torch_rmse = {"mean": lambda a, b: torch.sqrt(TF.mse_loss(a, b)),
                  "sum": lambda a, b: torch.sqrt(TF.mse_loss(a, b, reduction="sum")),
                  "none": lambda a, b: torch.abs(a - b)}[reduction]
    check_parity(lambda a, b: L.rmse(a, b, reduction), torch_rmse, *f32(x, y))
    assert L.mae is L.l1_loss


def test_rmse_gradient_is_zero_at_zero_error():
    x = nt.tensor(np.ones(3), requires_grad=True)
    L.rmse(x, nt.tensor(np.ones(3))).backward()
    np.testing.assert_array_equal(x.grad, np.zeros(3))


def _bce_inputs(rng, shape, weighted):
    p = rng.uniform(0.05, 0.95, shape)  # away from the clip at 1e-7
    y = rng.uniform(0, 1, shape)
    w = rng.uniform(0.5, 2.0, shape[-1:]) if weighted else None
    return p, y, w


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy_grad(reduction, shape, weighted, rng):
    p, y, w = _bce_inputs(rng, shape, weighted)
    check_grad(lambda a, b: L.binary_cross_entropy(a, b, w, reduction), p, y)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy(reduction, shape, weighted, rng, torch, TF):
    p, y, w = _bce_inputs(rng, shape, weighted)
    w32 = None if w is None else w.astype(np.float32)
    check_parity(lambda a, b: L.binary_cross_entropy(a, b, w32, reduction),
                 lambda a, b: TF.binary_cross_entropy(a, b, None if w is None else torch.tensor(w32), reduction=reduction),
                 *f32(p, y), requires_grad=[True, False])


def _bce_logits_inputs(rng, shape, options):
    x = rng.standard_normal(shape) * 3
    y = rng.uniform(0, 1, shape)
    w = rng.uniform(0.5, 2.0, shape) if options in ("weight", "both") else None
    pw = rng.uniform(0.5, 3.0, shape[-1:]) if options in ("pos_weight", "both") else None
    return x, y, w, pw


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("options", ["plain", "weight", "pos_weight", "both"])
def test_binary_cross_entropy_with_logits_grad(reduction, shape, options, rng):
    x, y, w, pw = _bce_logits_inputs(rng, shape, options)
    check_grad(lambda a, b: L.binary_cross_entropy_with_logits(a, b, w, reduction, pw), x, y)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("options", ["plain", "weight", "pos_weight", "both"])
def test_binary_cross_entropy_with_logits(reduction, shape, options, rng, torch, TF):
    x, y, w, pw = _bce_logits_inputs(rng, shape, options)
    w32, pw32 = [None if a is None else a.astype(np.float32) for a in (w, pw)]
    tt = lambda a: None if a is None else torch.tensor(a)  # noqa: E731
    check_parity(lambda a, b: L.binary_cross_entropy_with_logits(a, b, w32, reduction, pw32),
                 lambda a, b: TF.binary_cross_entropy_with_logits(a, b, tt(w32), reduction=reduction, pos_weight=tt(pw32)),
                 *f32(x, y))


def _hinge_inputs(rng):
    y = rng.choice([-1.0, 1.0], (5, 3))
    s = y * rng.uniform(-2, 3, (5, 3))
    s[np.abs(1 - y * s) < 0.05] += 0.2  # away from the kink at y·s = 1
    return s, y


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_hinge_grad(reduction, rng):
    s, y = _hinge_inputs(rng)
    check_grad(lambda a, b: L.hinge_loss(a, b, reduction), s, y, requires_grad=[True, False])  # labels stay ±1


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_hinge(reduction, rng, torch):
    s, y = _hinge_inputs(rng)

    def torch_hinge(a, b):
        per = torch.clamp(1 - a * b, min=0)
        return {"mean": per.mean(), "sum": per.sum(), "none": per}[reduction]
    check_parity(lambda a, b: L.hinge_loss(a, b, reduction), torch_hinge, *f32(s, y))


def test_hinge_rejects_zero_one_labels():
    with pytest.raises(ValueError, match=r"hinge_loss: target labels must be -1 or 1, got 0.0; for 0/1 labels pass 2\*y - 1"):
        L.hinge_loss(nt.tensor([0.5, 1.0]), nt.tensor([0.0, 1.0]))


# --- cross-entropy family ------------------------------------------------------------------------

CE_CASES = [
    # (input shape, options)
    ((5, 4), {}),
    ((5, 4), {"weight": True}),
    ((5, 4), {"ignore_index": 1}),
    ((6, 4), {"label_smoothing": 0.2}),
    ((6, 4), {"weight": True, "ignore_index": 2, "label_smoothing": 0.15}),
    ((2, 4, 3), {"weight": True}),  # class axis 1 with an extra dimension
    ((2, 3, 2, 2), {"label_smoothing": 0.1, "ignore_index": 0}),
    ((4,), {"label_smoothing": 0.1}),  # unbatched
]


def ce_inputs(rng, shape, options):
    c = shape[1] if len(shape) > 1 else shape[0]
    x = rng.standard_normal(shape) * 2
    t_shape = shape[:1] + shape[2:] if len(shape) > 1 else ()
    t = rng.integers(0, c, t_shape)
    w = rng.uniform(0.5, 2.0, c) if options.get("weight") else None
    kw = {"ignore_index": options.get("ignore_index", -100), "label_smoothing": options.get("label_smoothing", 0.0)}
    return x, np.asarray(t, np.int64), w, kw


@pytest.mark.parametrize("shape,options", CE_CASES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_class_indices_grad(shape, options, reduction, rng):
    x, t, w, kw = ce_inputs(rng, shape, options)
    check_grad(lambda a, b: L.cross_entropy(a, b, w, reduction=reduction, **kw), x, t)


@pytest.mark.parametrize("shape,options", CE_CASES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_class_indices(shape, options, reduction, rng, torch, TF):
    x, t, w, kw = ce_inputs(rng, shape, options)
    w32 = None if w is None else w.astype(np.float32)
    check_parity(lambda a, b: L.cross_entropy(a, b, w32, reduction=reduction, **kw),
                 lambda a, b: TF.cross_entropy(a, b, None if w is None else torch.tensor(w32), reduction=reduction, **kw),
                 x.astype(np.float32), t)


def _probability_target_inputs(rng, shape, options):
    c = shape[1] if len(shape) > 1 else shape[0]
    x = rng.standard_normal(shape) * 2
    t = rng.uniform(0.1, 1, shape)
    t = t / t.sum(axis=1 if len(shape) > 1 else 0, keepdims=True)
    w = rng.uniform(0.5, 2.0, c) if options.get("weight") else None
    ls = options.get("label_smoothing", 0.0)
    return x, t, w, ls


PROBABILITY_TARGET_OPTIONS = [{}, {"weight": True}, {"label_smoothing": 0.2}, {"weight": True, "label_smoothing": 0.1}]


@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (4,)])
@pytest.mark.parametrize("options", PROBABILITY_TARGET_OPTIONS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_probability_targets_grad(shape, options, reduction, rng):
    x, t, w, ls = _probability_target_inputs(rng, shape, options)
    check_grad(lambda a, b: L.cross_entropy(a, b, w, reduction=reduction, label_smoothing=ls), x, t)


@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (4,)])
@pytest.mark.parametrize("options", PROBABILITY_TARGET_OPTIONS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_probability_targets(shape, options, reduction, rng, torch, TF):
    x, t, w, ls = _probability_target_inputs(rng, shape, options)
    w32 = None if w is None else w.astype(np.float32)
    check_parity(lambda a, b: L.cross_entropy(a, b, w32, reduction=reduction, label_smoothing=ls),
                 lambda a, b: TF.cross_entropy(a, b, None if w is None else torch.tensor(w32), reduction=reduction,
                                               label_smoothing=ls),
                 *f32(x, t))


NLL_CASES = [c for c in CE_CASES if "label_smoothing" not in c[1]]


def _nll_inputs(rng, shape, options):
    x, t, w, kw = ce_inputs(rng, shape, options)
    kw.pop("label_smoothing")
    logp = x - np.log(np.exp(x).sum(axis=1 if len(shape) > 1 else 0, keepdims=True))
    return logp, t, w, kw


@pytest.mark.parametrize("shape,options", NLL_CASES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_grad(shape, options, reduction, rng):
    logp, t, w, kw = _nll_inputs(rng, shape, options)
    check_grad(lambda a, b: L.nll_loss(a, b, w, reduction=reduction, **kw), logp, t)


@pytest.mark.parametrize("shape,options", NLL_CASES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss(shape, options, reduction, rng, torch, TF):
    logp, t, w, kw = _nll_inputs(rng, shape, options)
    w32 = None if w is None else w.astype(np.float32)
    check_parity(lambda a, b: L.nll_loss(a, b, w32, reduction=reduction, **kw),
                 lambda a, b: TF.nll_loss(a, b, None if w is None else torch.tensor(w32), reduction=reduction, **kw),
                 logp.astype(np.float32), t)


def test_cross_entropy_is_stable_at_huge_logits(TF):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4], [1e4, 1e4, -1e4]], np.float32)
    t = np.array([1, 2, 0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for ls in (0.0, 0.1):
            check_parity(lambda a, b: L.cross_entropy(a, b, label_smoothing=ls),
                         lambda a, b: TF.cross_entropy(a, b, label_smoothing=ls), x, t)
        check_parity(L.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits,
                     x.reshape(-1), (np.arange(9) % 2).astype(np.float32))
    loss = L.cross_entropy(nt.tensor(x.astype(np.float64)), nt.tensor(t))
    assert loss.item() == pytest.approx((2e4 + 0.0 + np.log(2)) / 3, rel=1e-12)


def _kl_div_inputs(rng, log_target):
    x = np.log(rng.dirichlet(np.ones(4), 5))
    t = rng.dirichlet(np.ones(4), 5)
    if log_target:
        t = np.log(t)
    return x, t


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides the total loss")
@pytest.mark.parametrize("reduction", ["mean", "batchmean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_grad(reduction, log_target, rng):
    x, t = _kl_div_inputs(rng, log_target)
    check_grad(lambda a, b: L.kl_div(a, b, reduction, log_target), x, t)


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides the total loss")
@pytest.mark.parametrize("reduction", ["mean", "batchmean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target, rng, TF):
    x, t = _kl_div_inputs(rng, log_target)
    check_parity(lambda a, b: L.kl_div(a, b, reduction, log_target),
                 lambda a, b: TF.kl_div(a, b, reduction=reduction, log_target=log_target), *f32(x, t))


def test_kl_div_zero_target_contributes_zero():
    x = nt.tensor(np.log([0.5, 0.5]))
    assert L.kl_div(x, nt.tensor([1.0, 0.0]), "sum").item() == pytest.approx(np.log(2))


# --- Keras-named losses against a NumPy transcription of Keras's formulas --------------------------

EPS = 1e-7


def keras_categorical(y_true, y_pred, from_logits=False, ls=0.0):
    c = y_true.shape[-1]
    y_true = y_true * (1 - ls) + ls / c
    if from_logits:
        log_prob = y_pred - y_pred.max(-1, keepdims=True)
        log_prob = log_prob - np.log(np.exp(log_prob).sum(-1, keepdims=True))
    else:
        out = y_pred / y_pred.sum(-1, keepdims=True)
        log_prob = np.log(np.clip(out, EPS, 1 - EPS))
    return -(y_true * log_prob).sum(-1)


def keras_binary(y_true, y_pred, from_logits=False, ls=0.0):
    y_true = y_true * (1 - ls) + 0.5 * ls
    if from_logits:  # Keras's TF/torch backends: sigmoid_cross_entropy_with_logits
        x = y_pred
        per = np.maximum(x, 0) - x * y_true + np.log1p(np.exp(-np.abs(x)))
    else:
        out = np.clip(y_pred, EPS, 1 - EPS)
        per = -(y_true * np.log(out) + (1 - y_true) * np.log(1 - out))
    return per.mean(-1)


def reduce_np(per, reduction):
    return {"mean": per.mean(), "sum": per.sum(), "none": per}[reduction]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("ls", [0.0, 0.1])
@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4)])
def test_categorical_crossentropy_matches_keras(reduction, from_logits, ls, shape, rng):
    y_true = np.eye(shape[-1])[rng.integers(0, shape[-1], shape[:-1])]
    y_pred = rng.standard_normal(shape) if from_logits else rng.uniform(0.05, 1.0, shape)  # unnormalised on purpose
    fn = lambda p, t: L.categorical_crossentropy(p, t, from_logits, ls, reduction=reduction)  # noqa: E731
    out = fn(nt.tensor(y_pred), nt.tensor(y_true))
    assert_close(out.numpy(), reduce_np(keras_categorical(y_true, y_pred, from_logits, ls), reduction), 1e-12)
    check_grad(fn, y_pred, y_true)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_categorical_crossentropy_matches_keras(reduction, from_logits, rng):
    labels = rng.integers(0, 4, (2, 5))
    y_pred = rng.standard_normal((2, 5, 4)) if from_logits else rng.dirichlet(np.ones(4), (2, 5))
    fn = lambda p, t: L.sparse_categorical_crossentropy(p, t, from_logits, reduction=reduction)  # noqa: E731
    out = fn(nt.tensor(y_pred), nt.tensor(labels))
    expected = reduce_np(keras_categorical(np.eye(4)[labels], y_pred, from_logits), reduction)
    assert_close(out.numpy(), expected, 1e-12)
    check_grad(fn, y_pred, labels)


def test_sparse_categorical_crossentropy_takes_a_class_axis_and_a_list_of_labels(rng):
    """Labels made one-hot inside the loss's Function, at any class axis; a plain list as Keras takes."""
    labels = rng.integers(0, 3, (2, 4))
    y_pred = np.ascontiguousarray(rng.dirichlet(np.ones(3), (2, 4)).transpose(0, 2, 1))  # classes on axis 1
    sparse = L.sparse_categorical_crossentropy(nt.tensor(y_pred), labels.tolist(), axis=1)
    dense = L.categorical_crossentropy(nt.tensor(y_pred), nt.tensor(np.eye(3)[labels].transpose(0, 2, 1)), axis=1)
    assert_close(sparse.numpy(), dense.numpy(), 1e-12)
    check_grad(lambda p, t: L.sparse_categorical_crossentropy(p, t, axis=1, reduction="none"), y_pred, labels)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("ls", [0.0, 0.2])
def test_binary_crossentropy_matches_keras(reduction, from_logits, ls, rng):
    y_true = rng.integers(0, 2, (6, 3)).astype(np.float64)
    y_pred = rng.standard_normal((6, 3)) * 2 if from_logits else rng.uniform(0.05, 0.95, (6, 3))
    fn = lambda p, t: L.binary_crossentropy(p, t, from_logits, ls, reduction)  # noqa: E731
    out = fn(nt.tensor(y_pred), nt.tensor(y_true))
    assert out.shape == ((6,) if reduction == "none" else ())
    assert_close(out.numpy(), reduce_np(keras_binary(y_true, y_pred, from_logits, ls), reduction), 1e-12)
    check_grad(fn, y_pred, y_true)


def test_keras_probability_losses_clip_like_keras():
    """A zero probability on the true class costs -log(1e-7), as in Keras, not inf."""
    p = nt.tensor(np.array([[0.0, 1.0]]), requires_grad=True)
    loss = L.categorical_crossentropy(p, nt.tensor(np.array([[1.0, 0.0]])))
    assert loss.item() == pytest.approx(-np.log(EPS))
    loss.backward()
    assert np.isfinite(p.grad).all()
    assert L.binary_crossentropy(nt.tensor([0.0]), nt.tensor([1.0])).item() == pytest.approx(-np.log(EPS))


# --- validation ----------------------------------------------------------------------------------

def test_label_out_of_range_is_named():
    x = nt.tensor(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"cross_entropy: target label 7 is out of range for 4 classes"):
        L.cross_entropy(x, nt.tensor([0, 7, 1]))
    with pytest.raises(ValueError, match=r"nll_loss: target label -2 is out of range for 4 classes"):
        L.nll_loss(x, nt.tensor([0, -2, 1]))
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy: target label 4 is out of range for 4"):
        L.sparse_categorical_crossentropy(nt.tensor(np.full((3, 4), 0.25)), nt.tensor([0, 4, 1]))


def test_class_target_dtype_and_shape_errors():
    x = nt.tensor(np.zeros((3, 4)))
    with pytest.raises(TypeError, match="cross_entropy: class-index targets must be integers, got dtype float32"):
        L.cross_entropy(x, nt.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"cross_entropy: target must hold class indices of shape \(3,\) or "
                                         r"probabilities of the input's shape \(3, 4\), got shape \(2,\)"):
        L.cross_entropy(x, nt.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"cross_entropy: weight must have shape \(4,\)"):
        L.cross_entropy(x, nt.tensor([0, 1, 2]), weight=np.ones(3))


@pytest.mark.parametrize("fn", [L.mse_loss, L.l1_loss, L.huber_loss, L.rmse, L.binary_cross_entropy,
                                L.binary_cross_entropy_with_logits, L.kl_div])
def test_shape_mismatch_and_bad_reduction(fn):
    name = fn.__name__
    with pytest.raises(ValueError, match=rf"{name}: input shape \(3, 1\) and target shape \(3,\) must match"):
        fn(nt.tensor(np.full((3, 1), 0.5)), nt.tensor(np.full(3, 0.5)))
    with pytest.raises(ValueError, match=rf"{name}: reduction must be one of"):
        fn(nt.tensor(np.full(3, 0.5)), nt.tensor(np.full(3, 0.5)), reduction="avg")


def test_bce_rejects_non_probabilities():
    with pytest.raises(ValueError, match="binary_cross_entropy: input must be probabilities in \\[0, 1\\]"):
        L.binary_cross_entropy(nt.tensor([1.5, 0.2]), nt.tensor([1.0, 0.0]))


def test_losses_keep_float32(rng):
    x = nt.tensor(rng.standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    y = nt.tensor(rng.uniform(0, 1, (4, 3)).astype(np.float32))
    for loss in (L.mse_loss(x, y), L.binary_cross_entropy_with_logits(x, y), L.cross_entropy(x, y),
                 L.cross_entropy(x, nt.tensor([0, 1, 2, 0])), L.rmse(x, y)):
        assert loss.dtype == np.float32
        loss.backward()
        assert x.grad.dtype == np.float32
        x.grad = None
