"""Layer and batch normalisation: gradient checks, PyTorch parity of the functions and of the layers."""
import numpy as np
import pytest

import neuronet as nt
import neuronet.functional as F
from tests.helpers import assert_close, check_grad, check_parity, need

SHAPES = [(4, 3), (4, 3, 5), (3, 2, 4, 5)]


# --- layer_norm ---------------------------------------------------------------------------------

@pytest.mark.parametrize("shape,k", [((4, 3), 1), ((2, 3, 5), 1), ((2, 3, 4), 2), ((2, 2, 3, 3), 3)])
def test_layer_norm_gradcheck(rng, shape, k):
    norm = shape[-k:]
    x, w, b = rng.standard_normal(shape), rng.standard_normal(norm), rng.standard_normal(norm)
    check_grad(lambda x, w, b: F.layer_norm(x, norm, w, b), x, w, b)
    check_grad(lambda x: F.layer_norm(x, norm), x)


@pytest.mark.parametrize("shape", SHAPES)
def test_layer_norm_parity(rng, shape, torch):
    norm = shape[1:]
    x = (rng.standard_normal(shape) * 3 + 1).astype(np.float32)
    w, b = rng.standard_normal(norm).astype(np.float32), rng.standard_normal(norm).astype(np.float32)
    check_parity(lambda x, w, b: F.layer_norm(x, norm, w, b, eps=1e-5),
                 lambda x, w, b: torch.nn.functional.layer_norm(x, norm, w, b, eps=1e-5), x, w, b)
    check_parity(lambda x: F.layer_norm(x, shape[-1]), lambda x: torch.nn.functional.layer_norm(x, shape[-1:]), x)


def test_layer_norm_shape_errors():
    x = nt.tensor(np.zeros((2, 3, 4), np.float32))
    with pytest.raises(ValueError, match=r"layer_norm: input of shape \(2, 3, 4\) does not end with normalized_shape \(3,\)"):
        F.layer_norm(x, 3)
    with pytest.raises(ValueError, match=r"layer_norm: weight must have shape \(4,\), got \(3,\)"):
        F.layer_norm(x, 4, weight=nt.tensor(np.ones(3, np.float32)))


# --- batch_norm ---------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", SHAPES)
def test_batch_norm_gradcheck(rng, shape):
    c = shape[1]
    x, w, b = rng.standard_normal(shape), rng.standard_normal(c), rng.standard_normal(c)
    rm, rv = rng.standard_normal(c), rng.random(c) + 0.5
    check_grad(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), x, w, b)
    check_grad(lambda x: F.batch_norm(x, None, None, training=True), x)
    check_grad(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=False), x, w, b)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_parity_and_running_stats(rng, shape, training, torch):
    c = shape[1]
    x = (rng.standard_normal(shape) * 2 - 1).astype(np.float32)
    w, b = rng.standard_normal(c).astype(np.float32), rng.standard_normal(c).astype(np.float32)
    rm0, rv0 = rng.standard_normal(c).astype(np.float32), (rng.random(c) + 0.5).astype(np.float32)
    rm, rv, trm, trv = rm0.copy(), rv0.copy(), torch.tensor(rm0), torch.tensor(rv0)
    check_parity(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=training, momentum=0.3),
                 lambda x, w, b: torch.nn.functional.batch_norm(x, trm, trv, w, b, training=training, momentum=0.3),
                 x, w, b)
    assert_close(rm, trm.numpy(), what="running_mean")
    assert_close(rv, trv.numpy(), what="running_var")
    assert rm.dtype == np.float32 and rv.dtype == np.float32
    if training:
        assert not np.allclose(rv, rv0)  # the statistics moved


@pytest.mark.parametrize("shape", SHAPES + [(3, 4, 16)])  # (3, 4, 16): rows long enough for the compiled kernels
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_with_fused_relu_grad(rng, shape, training):
    c = shape[1]
    x = (rng.standard_normal(shape) * 2 - 0.5).astype(np.float32)
    w, b = rng.standard_normal(c).astype(np.float32), rng.standard_normal(c).astype(np.float32)
    rm, rv = np.zeros(c, np.float32), np.ones(c, np.float32)
    check_grad(lambda x, w, b: F.batch_norm(x, rm.astype(np.float64), rv.astype(np.float64), w, b,
                                            training=training, activation="relu"),
               *(a.astype(np.float64) for a in (x, w, b)))
    with pytest.raises(ValueError, match="batch_norm: activation must be None or 'relu', got 'tanh'"):
        F.batch_norm(nt.tensor(x), rm, rv, training=training, activation="tanh")


@pytest.mark.parametrize("shape", SHAPES + [(3, 4, 16)])  # (3, 4, 16): rows long enough for the compiled kernels
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("use_kernels", [True, False])
def test_batch_norm_with_fused_relu_parity(rng, shape, training, use_kernels, torch):
    from neuronet.kernels import compiled
    if use_kernels:
        need("numba")
    c = shape[1]
    x = (rng.standard_normal(shape) * 2 - 0.5).astype(np.float32)
    w, b = rng.standard_normal(c).astype(np.float32), rng.standard_normal(c).astype(np.float32)
    rm, rv = np.zeros(c, np.float32), np.ones(c, np.float32)
    compiled.set_numba_kernels(use_kernels)  # the _kernel_switch fixture restores the switch
    check_parity(lambda x, w, b: F.batch_norm(x, rm.copy(), rv.copy(), w, b, training=training, activation="relu"),
                 lambda x, w, b: torch.relu(torch.nn.functional.batch_norm(
                     x, torch.zeros(c), torch.ones(c), w, b, training=training)), x, w, b)


def test_batch_norm_no_grad_still_updates_running_stats(rng):
    x = rng.standard_normal((8, 3)).astype(np.float32)
    rm, rv = np.zeros(3, np.float32), np.ones(3, np.float32)
    with nt.no_grad():
        F.batch_norm(nt.tensor(x), rm, rv, training=True, momentum=1.0)
    assert_close(rm, x.mean(0))
    assert_close(rv, x.var(0, ddof=1))


def test_batch_norm_errors():
    x = nt.tensor(np.zeros((4, 3), np.float32))
    with pytest.raises(ValueError, match=r"batch_norm: running_mean must have shape \(3,\) for an input with 3 channels"):
        F.batch_norm(x, np.zeros(2, np.float32), np.ones(3, np.float32))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.batch_norm(nt.tensor(np.zeros((1, 3), np.float32)), None, None, training=True)
    with pytest.raises(ValueError, match="evaluation .* needs running_mean"):
        F.batch_norm(x, None, None, training=False)
    with pytest.raises(ValueError, match=r"batch_norm: expected input \(N, C\)"):
        F.batch_norm(nt.tensor(np.zeros(3, np.float32)), None, None, training=True)


# --- layers -------------------------------------------------------------------------------------

def _grads_match(model, tmodel, names):
    for name in names:
        ours = dict(model.named_parameters())[name].grad
        theirs = dict(tmodel.named_parameters())[name].grad.numpy()
        assert_close(ours, theirs, what=f"grad of {name}")


@pytest.mark.parametrize("shape", [(5, 4), (3, 2, 4)])
def test_layer_norm_layer_parity(rng, shape, torch):
    layer = nt.nn.LayerNorm()  # lazy: last dimension
    layer(nt.tensor(np.zeros(shape, np.float32)))
    assert layer.normalized_shape == (4,) and layer.weight.shape == (4,)
    tl = torch.nn.LayerNorm(4)
    with torch.no_grad():
        tl.weight.copy_(torch.tensor(rng.standard_normal(4).astype(np.float32)))
        tl.bias.copy_(torch.tensor(rng.standard_normal(4).astype(np.float32)))
    layer.load_state_dict({k: v.detach().numpy() for k, v in tl.state_dict().items()})
    x = rng.standard_normal(shape).astype(np.float32)
    check_parity(layer, tl, x)
    _grads_match(layer, tl, ["weight", "bias"])


def test_layer_norm_layer_options_and_errors():
    ln = nt.nn.LayerNorm((2, 3), elementwise_affine=False)
    assert ln.built and list(ln.state_dict()) == []
    y = ln(nt.tensor(np.arange(12, dtype=np.float32).reshape(2, 2, 3)))
    assert_close(y.numpy().reshape(2, -1).mean(1), np.zeros(2))
    with pytest.raises(ValueError, match=r"LayerNorm\(normalized_shape=\(2, 3\)\): expected input of shape "
                                         r"\(\.\.\., 2, 3\), received shape \(2, 3, 2\)"):
        ln(nt.tensor(np.zeros((2, 3, 2), np.float32)))


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_batch_norm_1d_layer_parity_over_steps(rng, shape, momentum, torch):
    bn = nt.nn.BatchNorm1D(momentum=momentum)  # lazy: channels from axis 1
    tbn = torch.nn.BatchNorm1d(3, momentum=momentum)
    with torch.no_grad():
        tbn.weight.copy_(torch.tensor(rng.standard_normal(3).astype(np.float32)))
        tbn.bias.copy_(torch.tensor(rng.standard_normal(3).astype(np.float32)))
    bn(nt.tensor(np.zeros(shape, np.float32)))  # builds (and counts one batch)
    bn.load_state_dict({k: v.detach().numpy() for k, v in tbn.state_dict().items()})
    for step in range(4):
        x = (rng.standard_normal(shape) * (step + 1) + step).astype(np.float32)
        bn.zero_grad()
        tbn.zero_grad()
        check_parity(bn, tbn, x)
        _grads_match(bn, tbn, ["weight", "bias"])
    state = bn.state_dict()
    for k, v in tbn.state_dict().items():
        assert_close(state[k], v.numpy(), what=k)
    assert int(bn.num_batches_tracked) == 4
    bn.eval()
    tbn.eval()
    x = rng.standard_normal(shape).astype(np.float32)
    check_parity(bn, tbn, x)
    _grads_match(bn, tbn, ["weight", "bias"])
    assert int(bn.num_batches_tracked) == 4  # evaluation leaves the statistics alone


def test_batch_norm_2d_layer_parity(rng, torch):
    bn, tbn = nt.nn.BatchNorm2D(3, momentum=0.2), torch.nn.BatchNorm2d(3, momentum=0.2)
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    check_parity(bn, tbn, x)
    assert_close(bn.running_var, tbn.running_var.numpy())


def test_batch_norm_without_running_stats_uses_batch_statistics(rng, torch):
    bn = nt.nn.BatchNorm1D(3, affine=False, track_running_stats=False).eval()
    tbn = torch.nn.BatchNorm1d(3, affine=False, track_running_stats=False).eval()
    assert list(bn.state_dict()) == [] and list(bn.parameters()) == []
    check_parity(bn, tbn, rng.standard_normal((5, 3)).astype(np.float32))


def test_batch_norm_layer_errors():
    bn = nt.nn.BatchNorm1D(3)
    with pytest.raises(ValueError, match=r"BatchNorm1D\(num_features=3\): expected input of shape \(N, 3\) or "
                                         r"\(N, 3, L\), received shape \(4, 5\)"):
        bn(nt.tensor(np.zeros((4, 5), np.float32)))
    with pytest.raises(ValueError, match=r"BatchNorm2D\(num_features=None\): expected input of shape \(N, C, H, W\)"):
        nt.nn.BatchNorm2D()(nt.tensor(np.zeros((4, 5), np.float32)))
    with pytest.raises(ValueError, match="momentum must be in"):
        nt.nn.BatchNorm1D(momentum=2)


@pytest.mark.parametrize("groups, shape", [(2, (3, 4, 5, 5)), (1, (2, 6, 7)), (6, (2, 6, 3, 3))])
def test_group_norm_matches_torch(groups, shape, torch):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape).astype(np.float32) * 2 + 1
    ours = nt.nn.GroupNorm(groups)
    ours(nt.tensor(x))
    ours.weight.data[:] = rng.standard_normal(shape[1]).astype(np.float32)
    ours.bias.data[:] = rng.standard_normal(shape[1]).astype(np.float32)
    ref = torch.nn.GroupNorm(groups, shape[1])
    ref.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()})
    xt, xr = nt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, yr = ours(xt), ref(xr)
    g = rng.standard_normal(shape).astype(np.float32)
    y.backward(g)
    yr.backward(torch.tensor(g))
    assert_close(y.numpy(), yr.detach().numpy())
    assert_close(xt.grad, xr.grad.numpy())
    assert_close(ours.weight.grad, ref.weight.grad.numpy())
    assert_close(ours.bias.grad, ref.bias.grad.numpy())


def test_group_norm_gradcheck_and_errors():
    nt.set_default_dtype(np.float64)
    layer = nt.nn.GroupNorm(2, 4)
    check_grad(layer, np.random.default_rng(0).standard_normal((2, 4, 3)))
    with pytest.raises(ValueError, match="do not split into 3 groups"):
        nt.nn.GroupNorm(3)(nt.tensor(np.zeros((1, 4, 2), np.float32)))
