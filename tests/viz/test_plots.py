"""Every plot of nt.viz renders a PNG with content; the numbers behind the pictures are checked too."""
import numpy as np
import pytest

import neuronet as nt
from neuronet import viz
from tests.helpers import need

RNG = np.random.default_rng(0)


def _mlp(in_features=2, out=2):
    model = nt.Sequential([nt.nn.Dense(6, activation="tanh"), nt.nn.Dense(4, activation="relu"), nt.nn.Dense(out)])
    model.build((None, in_features))
    return model


# --- the neuron and the network ------------------------------------------------------------------------
def test_network_diagram(rendered):
    model = _mlp(3)
    rendered(lambda p: viz.plot_network(model, p), "network")
    rendered(lambda p: viz.plot_network(model, p, x=np.array([1.0, -0.5, 2.0])), "network_flow")
    rendered(lambda p: viz.plot_network([RNG.standard_normal((30, 4)), RNG.standard_normal((2, 30))], p), "wide")
    with pytest.raises(ValueError, match=r"plot_network: weight 1 is \(2, 5\) \(out, in\) but layer 0 has 4 outputs"):
        viz.plot_network([np.ones((4, 3)), np.ones((2, 5))])


def test_activation_and_loss_sheets(rendered):
    rendered(lambda p: viz.plot_activations(p, names=("sigmoid", "tanh", "relu", "leaky_relu", "gelu")), "activations")
    rendered(lambda p: viz.plot_losses(p), "losses", min_side=150)


@pytest.mark.slow
def test_the_whole_activation_sheet(rendered):
    rendered(lambda p: viz.plot_activations(p), "activations", min_side=150)


def test_activation_sheet_derivatives_are_the_backward_passes():
    from neuronet.viz.catalogue import _value_and_grad
    x = np.linspace(-3, 3, 13)
    y, dy = _value_and_grad(nt.functional.sigmoid, x)
    np.testing.assert_allclose(dy, y * (1 - y), atol=1e-12)


# --- decision boundaries --------------------------------------------------------------------------------
def test_decision_boundary_frames_and_hidden_features(rendered):
    x, y = nt.data.moons(120, noise=0.1, seed=0)
    model = _mlp()
    model.compile(optimizer="adam", loss="cross_entropy", learning_rate=0.05)
    rendered(lambda p: viz.plot_boundary_frames(model, x, y, p, epochs=30, frames=3, resolution=40, batch_size=32),
             "frames")
    assert np.mean(model.predict(x).argmax(1) == y) > 0.85          # 30 epochs of frames trained it
    rendered(lambda p: viz.plot_decision_boundary(model, x, y, p, resolution=60), "boundary")
    rendered(lambda p: viz.plot_hidden_features(model, x, y, p, layer=0, resolution=30), "hidden")
    xs, ys = nt.data.two_spirals(60, seed=0)
    one = nt.Sequential([nt.nn.Dense(4, activation="tanh"), nt.nn.Dense(1)])
    one.build((None, 2))
    rendered(lambda p: viz.plot_decision_boundary(one, xs, ys, p, resolution=40), "one_output")
    with pytest.raises(ValueError, match=r"plot_decision_boundary: expected 2-D points \(N, 2\), got shape \(5, 3\)"):
        viz.plot_decision_boundary(one, np.zeros((5, 3)), np.zeros(5))


# --- training curves, schedules, optimizers ------------------------------------------------------------------
def test_fitting_regions_and_curves(rendered):
    train = [1.0, 0.7, 0.5, 0.4, 0.3, 0.25, 0.2]
    val = [1.1, 0.8, 0.6, 0.55, 0.6, 0.7, 0.8]
    assert viz.fitting_regions(train, val) == (3, 4)
    assert viz.fitting_regions(train, sorted(val, reverse=True))[1] is None   # still improving: no over-fitting
    history = {"loss": train, "val_loss": val, "accuracy": [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95],
               "val_accuracy": [0.5, 0.6, 0.7, 0.72, 0.7, 0.68, 0.66]}
    rendered(lambda p: viz.plot_fitting_curves(history, p), "fitting")
    rendered(lambda p: viz.plot_fitting_curves(history, p, metric="accuracy"), "fitting_acc")
    with pytest.raises(ValueError, match="plot_fitting_curves: needs 'loss' and 'val_loss'"):
        viz.plot_fitting_curves({"loss": train})


def test_lr_schedules(rendered):
    rendered(lambda p: viz.plot_lr_schedules(path=p), "schedules")
    opt = nt.optim.SGD([nt.tensor(np.zeros(1), requires_grad=True)], lr=0.1)
    rendered(lambda p: viz.plot_lr_schedules({"StepLR": nt.optim.StepLR(opt, 10, 0.5)}, 40, p, log=True), "steplr")


def test_optimizer_paths(rendered):
    paths = viz.optimizer_trajectories("rosenbrock", {"adam": {"lr": 0.05}, "sgd": {"lr": 1e-3}}, steps=200)
    start = viz.SURFACES["rosenbrock"][0](*paths["adam"][0])
    assert paths["adam"].shape == (201, 2)
    for path in paths.values():                                     # both descend the valley
        assert viz.SURFACES["rosenbrock"][0](*path[-1]) < 0.5 * start
    rendered(lambda p: viz.plot_optimizer_paths("rosenbrock", steps=100, path=p), "rosenbrock")
    rendered(lambda p: viz.plot_optimizer_paths("beale", {"adam": {"lr": 0.05}, "momentum": {"lr": 1e-3}}, 100, p),
             "beale")
    with pytest.raises(ValueError, match="plot_optimizer_paths: unknown surface 'bowl'"):
        viz.plot_optimizer_paths("bowl")


# --- evaluation ---------------------------------------------------------------------------------------------
def test_confusion_report_roc(rendered):
    y = RNG.integers(0, 4, 200)
    pred = np.where(RNG.random(200) < 0.7, y, RNG.integers(0, 4, 200))
    rendered(lambda p: viz.plot_confusion_matrix(y, pred, p, class_names=list("abcd")), "confusion")
    rendered(lambda p: viz.plot_classification_report(y, pred, p), "report")
    yb = RNG.integers(0, 2, 300)
    rendered(lambda p: viz.plot_roc_pr(yb, RNG.random(300) + yb, p), "roc_pr")


def test_classification_numbers_match_sklearn():
    metrics = need("sklearn.metrics")
    y = RNG.integers(0, 4, 200)
    pred = np.where(RNG.random(200) < 0.6, y, RNG.integers(0, 4, 200))
    table, macro = viz.classification_table(y, pred)
    p, r, f, s = metrics.precision_recall_fscore_support(y, pred, zero_division=0)
    np.testing.assert_allclose(table, np.stack([p, r, f, s], 1))
    np.testing.assert_allclose(macro, [p.mean(), r.mean(), f.mean()])
    from neuronet.train import ranking_metrics as R
    yb = RNG.integers(0, 2, 150)
    scores = np.round(RNG.random(150) + 0.6 * yb, 1)                 # ties included
    for ours, theirs in zip(R.roc_curve(yb, scores), metrics.roc_curve(yb, scores, drop_intermediate=False)):
        np.testing.assert_allclose(ours, theirs)
    for ours, theirs in zip(R.precision_recall_curve(yb, scores), metrics.precision_recall_curve(yb, scores)):
        np.testing.assert_allclose(ours, theirs)
    assert R.roc_auc_score(yb, scores) == pytest.approx(metrics.roc_auc_score(yb, scores), abs=1e-12)
    assert R.average_precision_score(yb, scores) == pytest.approx(metrics.average_precision_score(yb, scores),
                                                                  abs=1e-12)
    with pytest.raises(ValueError, match="roc_curve: needs binary labels with both classes present"):
        R.roc_curve(np.zeros(4), np.arange(4))


# --- convolution ---------------------------------------------------------------------------------------------
def test_filters_feature_maps_kernels(rendered):
    x, _ = nt.data.load_digits(flatten=False)
    model = nt.Sequential([nt.nn.Conv2D(4, 3, padding=1, activation="relu"), nt.nn.MaxPool2D(2),
                           nt.nn.Conv2D(6, 3, activation="relu"), nt.nn.Flatten(), nt.nn.Dense(10)])
    model.build((None, 1, 8, 8))
    rendered(lambda p: viz.plot_filters(model[0], p), "filters", min_side=60)
    rendered(lambda p: viz.plot_filters(RNG.standard_normal((6, 3, 5, 5)), p), "filters_rgb", min_side=60)
    rendered(lambda p: viz.plot_feature_maps(model, x[0], p), "feature_maps")
    rendered(lambda p: viz.plot_classic_kernels(x[0, 0], p), "kernels")
    with pytest.raises(ValueError, match=r"plot_feature_maps: expected one image \(C, H, W\)"):
        viz.plot_feature_maps(model, x[:2])


def test_classic_kernels_are_cross_correlations():
    need("scipy")
    from scipy import signal
    img = RNG.random((9, 7)).astype(np.float32)
    out = viz.apply_kernels(img)
    for name, k in viz.CLASSIC_KERNELS.items():
        np.testing.assert_allclose(out[name], signal.correlate2d(img, k, mode="same"), atol=1e-5, err_msg=name)


@pytest.mark.parametrize("n, k, s, pad", [(8, 3, 1, "valid"), (8, 3, 1, "same"), (9, 3, 2, 1), (7, 5, 2, 2),
                                          (10, 4, 3, 0), (6, 4, 1, "same")])
def test_conv_arithmetic_is_the_layers_arithmetic(n, k, s, pad):
    layer = nt.nn.Conv2D(1, k, strides=s, padding=pad)
    out_h = layer(nt.tensor(np.zeros((1, 1, n, n), np.float32))).shape[-1]
    assert viz.conv_output_size(n, k, s, pad)[0] == out_h


def test_conv_arithmetic_diagram(rendered):
    rendered(lambda p: viz.plot_conv_arithmetic(path=p), "conv_arithmetic")
    assert viz.conv_output_size(7, 3, 2, "same") == (4, 1, 1)       # Keras: ceil(7/2), padding split 1+1
    assert viz.conv_output_size(6, 3, 2, "same") == (3, 0, 1)       # the odd pixel of padding goes after
    with pytest.raises(ValueError, match="conv_output_size: kernel 5 .* does not fit input 3"):
        viz.conv_output_size(3, 5)


# --- sequences and attention -----------------------------------------------------------------------------
def test_attention_and_positional_encoding(rendered):
    weights = RNG.dirichlet(np.ones(6), (2, 4, 5))                  # layers, heads, queries → keys
    rendered(lambda p: viz.plot_attention_maps(weights, p, list("abcde"), list("uvwxyz")), "attention")
    mha = nt.nn.MultiHeadAttention(2, 8)
    q = nt.tensor(RNG.standard_normal((1, 5, 8)).astype(np.float32))
    _, w = mha(q, q, q, need_weights=True, average_attn_weights=False)
    rendered(lambda p: viz.plot_attention_maps(w.numpy()[0], p), "attention_layer")
    rendered(lambda p: viz.plot_positional_encoding(50, 64, p), "positional")
    with pytest.raises(ValueError, match="plot_attention_maps: 2 query_labels for 5 positions"):
        viz.plot_attention_maps(weights, query_labels=["a", "b"])


def test_hidden_states_and_gradient_norms(rendered):
    rnn = nt.nn.SimpleRNN(8, return_sequences=True)
    lstm = nt.nn.LSTM(8, return_sequences=True)
    x = RNG.standard_normal((6, 25, 3)).astype(np.float64)
    nt.set_default_dtype(np.float64)
    g_rnn = viz.gradient_norms_through_time(rnn, x)
    g_lstm = viz.gradient_norms_through_time(lstm, x)
    assert g_rnn.shape == (25,) and g_rnn[-1] > 100 * g_rnn[0]        # the plain RNN's gradient vanishes
    assert all(p.grad is None for p in rnn.parameters())
    rendered(lambda p: viz.plot_gradient_norms({"RNN": g_rnn, "LSTM": g_lstm}, p), "gradnorm")
    states = rnn(nt.tensor(x)).numpy()
    rendered(lambda p: viz.plot_hidden_states(states, p, labels=[0, 1, 0, 1, 0, 1]), "hidden_states")


# --- embeddings and attributions -----------------------------------------------------------------------------
def test_embedding_projection(rendered):
    decomposition = need("sklearn.decomposition")
    x = RNG.standard_normal((80, 6)) @ RNG.standard_normal((6, 6))
    ours = viz.project_2d(x)
    theirs = decomposition.PCA(2).fit_transform(x)
    np.testing.assert_allclose(np.abs(ours), np.abs(theirs), atol=1e-9)  # the same components up to sign
    labels = RNG.integers(0, 3, 80)
    rendered(lambda p: viz.plot_embedding(x, labels, p, class_names=["a", "b", "c"]), "pca")
    with pytest.raises(ValueError, match="project_2d: method must be 'pca', 'tsne' or 'umap'"):
        viz.project_2d(x, "mds")


@pytest.mark.slow
def test_tsne_projection(rendered):
    need("sklearn.manifold")
    x = RNG.standard_normal((40, 6))
    rendered(lambda p: viz.plot_embedding(x, RNG.integers(0, 3, 40), p, method="tsne"), "tsne")


def test_attribution_pictures(rendered):
    images = RNG.random((3, 1, 8, 8))
    model = nt.Sequential([nt.nn.Flatten(), nt.nn.Dense(3)])
    model.build((None, 1, 8, 8))
    attr = {"saliency": nt.interpret.saliency(model, images, 0, abs=False),
            "integrated gradients": nt.interpret.integrated_gradients(model, images, 0, steps=8)}
    rendered(lambda p: viz.plot_attributions(images, attr, p, titles=["a", "b", "c"]), "attributions")
    rendered(lambda p: viz.plot_shap_images(images, RNG.standard_normal((3, 3, 8, 8)), p, class_names="xyz"), "shap")
    with pytest.raises(ValueError, match=r"plot_shap_images: expected values \(N, K, H, W\)"):
        viz.plot_shap_images(images, np.zeros((3, 3, 4, 4)))


def test_figures_show_inline_in_a_notebook():
    need("matplotlib")
    png = viz.plot_lr_schedules()._repr_png_()                     # what IPython displays for a returned figure
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000
