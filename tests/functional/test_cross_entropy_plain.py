"""cross_entropy's common case (N×C logits, integer labels, mean): its own Function and compiled
kernels against the general NumPy path and PyTorch, and the same label errors."""
import numpy as np
import pytest

import neuronet as nt
from neuronet import functional as F
from neuronet.functional import class_loss
from neuronet.kernels import compiled
from tests.helpers import assert_close, need

SHAPES = [(64, 10), (4, 3), (256, 10), (33, 100)]  # under and over the kernel's 512 values


def _general(x, t):
    """The general path (ClassIndexNLL), the reference."""
    return class_loss._class_loss("cross_entropy", x, t, 1, None, -100, 0.0, "mean", True)


def _loss_and_grad(fn, logits, t):
    x = nt.tensor(logits, requires_grad=True)
    loss = fn(x, t)
    loss.backward()
    return loss, x.grad


def _case(shape, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape) * 3).astype(np.float32), rng.integers(0, shape[1], shape[0])


@pytest.mark.parametrize("shape", SHAPES)
def test_common_case_matches_the_general_path(shape):
    logits, t = _case(shape)
    loss, grad = _loss_and_grad(F.cross_entropy, logits, t)
    assert type(loss._creator).__name__ == "SoftmaxCrossEntropy"
    ref_loss, ref_grad = _loss_and_grad(_general, logits, t)
    assert loss.data.dtype == grad.dtype == np.float32 and loss.shape == ()
    assert_close(loss.data, ref_loss.data, rtol=1e-6)
    assert_close(grad, ref_grad, rtol=1e-6)


@pytest.mark.parametrize("shape", SHAPES)
def test_compiled_kernels_match_the_numpy_common_case(shape, kernels_on):
    logits, t = _case(shape, seed=1)
    fast = _loss_and_grad(F.cross_entropy, logits, t)
    compiled.set_numba_kernels(False)
    try:
        reference = _loss_and_grad(F.cross_entropy, logits, t)
    finally:
        compiled.set_numba_kernels(True)
    assert_close(fast[0].data, reference[0].data, rtol=1e-6)
    assert_close(fast[1], reference[1], rtol=1e-6)


@pytest.mark.parametrize("shape", SHAPES)
def test_matches_torch(shape, torch):
    logits, t = _case(shape, seed=2)
    loss, grad = _loss_and_grad(F.cross_entropy, logits, t)
    x = torch.tensor(logits, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(x, torch.tensor(t))
    expected.backward()
    assert_close(loss.data, expected.detach().numpy(), rtol=1e-6)
    assert_close(grad, x.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize("shape", [(64, 10), (4, 3)])
@pytest.mark.parametrize("bad", [10, -1])
def test_label_out_of_range_names_the_label(shape, bad):
    logits, t = _case(shape)
    t[-1] = bad if bad < 0 else shape[1]
    with pytest.raises(ValueError, match=rf"cross_entropy: target label {t[-1]} is out of range for {shape[1]} classes"):
        F.cross_entropy(nt.tensor(logits, requires_grad=True), t)


def test_compiled_forward_checks_labels_itself(kernels_on):
    """A replayed capture skips the public check: the Function's kernel must still refuse the label."""
    logits, t = _case((64, 10))
    t[5] = 12
    with pytest.raises(ValueError, match="target label 12 is out of range for 10 classes"):
        class_loss.SoftmaxCrossEntropy.apply(nt.tensor(logits), t)


@pytest.mark.parametrize("shape", [(64, 10), (4, 3)])
def test_ignored_labels_take_the_general_path(shape):
    logits, t = _case(shape)
    t[0] = -100
    loss = F.cross_entropy(nt.tensor(logits, requires_grad=True), t)
    assert type(loss._creator).__name__ == "ClassIndexNLL"
    assert_close(loss.data, _general(nt.tensor(logits[1:]), t[1:]).data, rtol=1e-6)


@pytest.mark.parametrize("kwargs", [dict(reduction="sum"), dict(label_smoothing=0.1), dict(weight=np.ones(10, np.float32))])
def test_other_options_take_the_general_path(kwargs):
    logits, t = _case((64, 10))
    assert type(F.cross_entropy(nt.tensor(logits, requires_grad=True), t, **kwargs)._creator).__name__ == "ClassIndexNLL"


def test_gradcheck_float64():
    logits, t = _case((6, 5))
    assert nt.gradcheck(lambda x: F.cross_entropy(x, t), nt.tensor(logits.astype(np.float64), requires_grad=True))


def test_kernels_module_checks_and_computes_rows():
    need("numba")
    from neuronet.kernels.softmax_ce import first_bad_label, softmax_ce_forward
    assert first_bad_label(np.array([0, 2, 3, 1]), 3) == 2
    assert first_bad_label(np.array([0, 2, 1]), 3) == -1
    x = np.array([[0.0, 0.0], [1.0, -1.0]], np.float32)
    p = np.empty_like(x)
    total, bad = softmax_ce_forward(x, np.array([1, 0]), p)
    assert bad == -1
    assert_close(total, np.log(2.0) + np.log1p(np.exp(-2.0)), rtol=1e-6)
    assert_close(p, [[0.5, 0.5], [1 / (1 + np.exp(-2.0)), 1 - 1 / (1 + np.exp(-2.0))]], rtol=1e-6)
