"""Attributions: checked against Captum on a torch twin with the same weights, against the shap
package's KernelExplainer, and against their defining properties (completeness, exact Shapley values)."""
import numpy as np
import pytest

import neuronet as nt
from neuronet import interpret
from tests.helpers import need


def _mlp(torch, dtype=np.float64):
    """A small tanh MLP and its torch twin (same weights)."""
    nt.set_default_dtype(dtype)
    model = nt.nn.Sequential([nt.nn.Dense(8, activation="tanh"), nt.nn.Dense(3)])
    model.build((None, 5))
    twin = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)).to(torch.float64)
    with torch.no_grad():
        for layer, t in ((model[0], twin[0]), (model[1], twin[2])):
            t.weight.copy_(torch.tensor(layer.weight.data))
            t.bias.copy_(torch.tensor(layer.bias.data))
    return model, twin


def _cnn(torch, activation="relu"):
    """A small conv net on (1, 6, 6) images and its torch twin."""
    nt.set_default_dtype(np.float64)
    model = nt.nn.Sequential([nt.nn.Conv2D(2, 3, activation=activation), nt.nn.Flatten(), nt.nn.Dense(2)])
    model.build((None, 1, 6, 6))
    act = torch.nn.ReLU() if activation == "relu" else torch.nn.Tanh()
    twin = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), act, torch.nn.Flatten(),
                               torch.nn.Linear(32, 2)).to(torch.float64)
    with torch.no_grad():
        for layer, t in ((model[0], twin[0]), (model[2], twin[3])):
            t.weight.copy_(torch.tensor(layer.weight.data))
            t.bias.copy_(torch.tensor(layer.bias.data))
    return model, twin


X = np.random.default_rng(1).standard_normal((4, 5))
TARGET = np.array([0, 1, 2, 1])


@pytest.mark.parametrize("method", ["gausslegendre", "riemann_trapezoid", "riemann_left", "riemann_right",
                                    "riemann_middle"])
def test_integrated_gradients_match_captum(torch, method):
    captum = need("captum").attr
    model, twin = _mlp(torch)
    ours, delta = interpret.integrated_gradients(model, X, target=TARGET, steps=20, method=method, return_delta=True)
    theirs, their_delta = captum.IntegratedGradients(twin).attribute(
        torch.tensor(X), target=torch.tensor(TARGET), n_steps=20, method=method, return_convergence_delta=True)
    theirs = theirs.numpy()
    if method == "riemann_trapezoid":  # Captum's trapezoid weights are 1/n (halved at the ends): they sum to
        theirs = theirs * 20 / 19      # 1 − 1/n, not 1; ours are the trapezoid rule's 1/(n − 1)
        their_delta = delta            # (so its delta carries that 5 % error; ours does not)
    else:
        their_delta = their_delta.numpy()
    # Captum rounds its quadrature weights to float32 (torch.tensor(step_sizes).float()): agreement to ~1e-8
    np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(delta, their_delta, atol=1e-7)
    first_order = method in ("riemann_left", "riemann_right")
    assert np.abs(delta).max() < (1e-2 if first_order else 2e-3)   # completeness at 20 points on a smooth net


def test_integrated_gradients_completeness_on_a_cnn(torch):
    """A smooth (tanh) network: Σ attributions = f(x) − f(baseline) within 1e-6·|f(x) − f(baseline)| at 64
    Gauss–Legendre points, and the same attributions as Captum with a non-zero baseline.  (Through ReLU
    kinks the quadrature error is larger: ~1e-2 relative at 64 points on this net.)"""
    captum = need("captum").attr
    model, twin = _cnn(torch, "tanh")
    x = np.random.default_rng(2).random((3, 1, 6, 6))
    base = np.full((1, 6, 6), 0.5)
    attr, delta = interpret.integrated_gradients(model, x, target=1, baseline=base, steps=64, batch_size=50,
                                                 return_delta=True)
    gap = np.abs(interpret.gradients.model_outputs("t", model, x, 1) - interpret.gradients.model_outputs(
        "t", model, np.broadcast_to(base, x.shape).copy(), 1))
    assert np.all(np.abs(delta) <= 1e-6 * gap), (delta, gap)
    theirs = captum.IntegratedGradients(twin).attribute(torch.tensor(x), baselines=torch.tensor(base[None]),
                                                        target=1, n_steps=64)
    np.testing.assert_allclose(attr, theirs.numpy(), rtol=1e-7, atol=1e-9)


def test_saliency_and_gradient_x_input_match_captum(torch):
    captum = need("captum").attr
    model, twin = _mlp(torch)
    xt = torch.tensor(X, requires_grad=True)
    np.testing.assert_allclose(interpret.saliency(model, X, TARGET),
                               captum.Saliency(twin).attribute(xt, target=torch.tensor(TARGET)).numpy(), atol=1e-12)
    np.testing.assert_allclose(interpret.saliency(model, X, TARGET, abs=False),
                               captum.Saliency(twin).attribute(xt, target=torch.tensor(TARGET), abs=False).numpy(),
                               atol=1e-12)
    np.testing.assert_allclose(interpret.gradient_x_input(model, X, TARGET),
                               captum.InputXGradient(twin).attribute(xt, target=torch.tensor(TARGET)).detach().numpy(),
                               atol=1e-12)


def test_occlusion_matches_captum_on_images(torch):
    captum = need("captum").attr
    model, twin = _cnn(torch)
    x = np.random.default_rng(3).random((2, 1, 6, 6))
    ours = interpret.occlusion(model, x, window=(1, 2, 2), strides=(1, 2, 2), target=[0, 1], batch_size=4)
    theirs = captum.Occlusion(twin).attribute(torch.tensor(x), sliding_window_shapes=(1, 2, 2), strides=(1, 2, 2),
                                              target=torch.tensor([0, 1]))
    np.testing.assert_allclose(ours, theirs.numpy(), atol=1e-12)
    overlapping = interpret.occlusion(model, x, window=(1, 3, 3), strides=1, target=0, baseline=0.5)
    theirs = captum.Occlusion(twin).attribute(torch.tensor(x), sliding_window_shapes=(1, 3, 3), baselines=0.5,
                                              target=0)
    np.testing.assert_allclose(overlapping, theirs.numpy(), atol=1e-12)


def test_smoothgrad_averages_noisy_gradients(torch):
    """Zero noise gives the plain gradient; with noise, the mean of the same noisy gradients Captum's
    NoiseTunnel computes when it draws the same noise is reproduced by hand."""
    model, _ = _mlp(torch)
    np.testing.assert_allclose(interpret.smoothgrad(model, X, TARGET, samples=3, noise=0.0),
                               interpret.saliency(model, X, TARGET, abs=False), atol=1e-12)
    sg = interpret.smoothgrad(model, X, TARGET, samples=4, noise=0.2, seed=5)
    rng = np.random.default_rng(5)
    sigma = 0.2 * (X.max(1) - X.min(1))
    noise = rng.standard_normal((4,) + X.shape) * sigma[None, :, None]
    by_hand = np.mean([interpret.saliency(model, X + e, TARGET, abs=False) for e in noise], axis=0)
    np.testing.assert_allclose(sg, by_hand, atol=1e-12)


def test_kernel_shap_is_exact_when_it_enumerates_and_matches_shap(torch):
    shap = need("shap")
    model, _ = _mlp(torch)

    def f(a):
        return nt.functional.softmax(model(nt.tensor(a)), axis=-1).numpy()

    background = np.random.default_rng(4).standard_normal((12, 5))
    values, expected = interpret.kernel_shap(f, X, background)
    np.testing.assert_allclose(values, interpret.exact_shapley(f, X, background), atol=1e-12)
    np.testing.assert_allclose(values.sum(1) + expected, f(X), atol=1e-12)       # local accuracy
    theirs = shap.KernelExplainer(f, background).shap_values(X, nsamples=100, silent=True)
    np.testing.assert_allclose(values, np.asarray(theirs), atol=1e-6)


def test_kernel_shap_sampling_and_groups_stay_close_to_exact():
    """12 features (4,094 coalitions) sampled with 1,000: within 0.02 of the exact values (largest 0.46;
    seeds 0-4 give 0.009-0.014);
    grouping features into pairs gives the exact values of the pairs' game."""
    rng = np.random.default_rng(6)
    w = rng.standard_normal(12)

    def f(a):
        return np.tanh(a @ w / 3) + 0.1 * a[:, 0] * a[:, 1]

    x, bg = rng.standard_normal((2, 12)), rng.standard_normal((6, 12))
    exact = interpret.exact_shapley(f, x, bg)
    approx, expected = interpret.kernel_shap(f, x, bg, samples=1000, seed=0)
    assert approx.shape == (2, 12) and isinstance(expected, float)
    assert np.abs(approx - exact).max() < 0.02, np.abs(approx - exact).max()
    np.testing.assert_allclose(approx.sum(1) + expected, f(x), atol=1e-12)
    pairs, _ = interpret.kernel_shap(f, x, bg, groups=np.repeat(np.arange(6), 2))
    assert pairs.shape == (2, 6)
    np.testing.assert_allclose(pairs, _pair_values(f, x, bg), atol=1e-10)   # 2^6 − 2 ≤ 2048: enumerated, exact


def _pair_values(f, x, bg):
    """Exact Shapley values of pairs: enumerate the 2^6 pair coalitions by definition."""
    import itertools
    import math
    out = np.zeros((len(x), 6))
    for j in range(6):
        others = [k for k in range(6) if k != j]
        for r in range(6):
            for s in itertools.combinations(others, r):
                weight = math.factorial(r) * math.factorial(6 - r - 1) / math.factorial(6)
                keep = np.zeros(12, bool)
                for k in s:
                    keep[2 * k:2 * k + 2] = True
                keep_j = keep.copy()
                keep_j[2 * j:2 * j + 2] = True
                v = lambda m: f(np.where(m, x[:, None], bg[None]).reshape(-1, 12)).reshape(len(x), -1).mean(1)
                out[:, j] += weight * (v(keep_j) - v(keep))
    return out


def test_bad_input_is_refused():
    model = nt.nn.Sequential([nt.nn.Dense(3, in_features=2)])
    x = np.ones((2, 2), np.float32)
    with pytest.raises(ValueError, match="saliency: the model has 3 outputs per sample; say which one with target="):
        interpret.saliency(model, x)
    with pytest.raises(ValueError, match=r"integrated_gradients: target index out of range for 3 outputs: \[5\]"):
        interpret.integrated_gradients(model, x, target=5)
    with pytest.raises(ValueError, match="occlusion: window 3 does not fit an input axis of size 2"):
        interpret.occlusion(model, x, window=3, target=0)
    with pytest.raises(ValueError, match=r"kernel_shap: expected x \(N, D\) and background \(B, D\)"):
        interpret.kernel_shap(lambda a: a.sum(1), x, np.ones((3, 4)))


def test_parameter_gradients_and_mode_are_left_alone():
    model = nt.nn.Sequential([nt.nn.Dense(4, activation="relu", in_features=3), nt.nn.Dropout(0.5), nt.nn.Dense(1)])
    model.train()
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    a = interpret.saliency(model, x)
    b = interpret.saliency(model, x)
    np.testing.assert_array_equal(a, b)                     # eval mode: dropout off, deterministic
    assert model.training
    assert all(p.grad is None for p in model.parameters())
