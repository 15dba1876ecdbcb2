"""The picture gallery: every plot of ``nt.viz`` and the attribution pictures of ``nt.interpret``,
rendered from small real models into one folder (the docs' gallery page is made from it).

Trains, in about a minute on a laptop CPU: an MLP on the moons (decision boundaries), a small CNN on
the 8×8 digits (filters, feature maps, confusion matrix, attributions), a logistic model for ROC/PR
curves, the later chapters' models on small data (perceptron, SOM, echo-state network, RBM, Hopfield
network, a 2-D VAE, the karate club's GCN), and — when Fashion-MNIST is in the cache (``neuronet data fetch fashion-mnist``) — the
course's MLP on a 10,000-image subset for the SHAP picture (KernelSHAP on 4×4-pixel superpixels) — and
word2vec's skip-gram on 2,000 sentences made from templates (word vectors in 2-D).

Run: python examples/gallery.py [folder]          (default: gallery/)
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

import neuronet as nt
from neuronet import interpret, viz


def boundary_pictures(out: Path):
    x, y = nt.data.moons(300, noise=0.2, seed=0)
    model = nt.Sequential([nt.nn.Dense(8, activation="tanh"), nt.nn.Dense(8, activation="tanh"), nt.nn.Dense(2)])
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"], learning_rate=0.03)
    viz.plot_boundary_frames(model, x, y, out / "boundary_frames.png", epochs=80, frames=8, batch_size=32)
    viz.plot_decision_boundary(model, x, y, out / "decision_boundary.png", title="moons, 2-8-8-2 tanh MLP")
    viz.plot_hidden_features(model, x, y, out / "hidden_features.png", layer=1)
    viz.plot_network(model, out / "network.png")
    viz.plot_network(model, out / "network_flow.png", x=x[0])
    xs, ys = nt.data.two_spirals(300, noise=0.05, seed=0)
    xs = xs * 3                                                   # unit-disc spirals are too fine for small ReLU nets
    spiral = nt.Sequential([nt.nn.Dense(64, activation="relu"), nt.nn.Dense(64, activation="relu"), nt.nn.Dense(2)])
    spiral.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"], learning_rate=0.005)
    history = spiral.fit(xs, ys, epochs=100, batch_size=16, verbose=0)
    viz.plot_decision_boundary(spiral, xs, ys, out / "spirals.png",
                               title=f"two spirals, 2-64-64-2 ReLU MLP (train accuracy {history.history['accuracy'][-1]:.2f})")
    xo, yo = nt.data.circles(200, noise=0.1, seed=1)
    small = nt.Sequential([nt.nn.Dense(12, activation="relu", in_features=2), nt.nn.Dense(2)])
    history = None
    small.compile(optimizer="adam", loss="cross_entropy", learning_rate=0.02)
    history = small.fit(xo[:30], yo[:30], epochs=150, batch_size=30, validation_data=(xo[100:], yo[100:]), verbose=0)
    viz.plot_fitting_curves(history, out / "fitting_curves.png",
                            title="circles: 30 training points, a 12-unit ReLU MLP, 150 epochs")


def digits_pictures(out: Path):
    x, y = nt.data.load_digits(flatten=False)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(x))
    train, test = order[:1400], order[1400:]
    model = nt.Sequential([nt.nn.Conv2D(8, 3, padding=1, activation="relu"), nt.nn.MaxPool2D(2),
                           nt.nn.Conv2D(16, 3, activation="relu"), nt.nn.Flatten(), nt.nn.Dense(10)])
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"], learning_rate=3e-3)
    model.fit(x[train], y[train], epochs=12, batch_size=32, verbose=0)
    scores = model.predict(x[test])
    print(f"digits CNN test accuracy {np.mean(scores.argmax(1) == y[test]):.3f}")
    viz.plot_filters(model[0], out / "filters.png")
    viz.plot_feature_maps(model, x[test[0]], out / "feature_maps.png")
    viz.plot_confusion_matrix(y[test], scores, out / "confusion_matrix.png")
    viz.plot_classification_report(y[test], scores, out / "classification_report.png")
    viz.plot_classic_kernels(x[test[0], 0], out / "classic_kernels.png")
    target = scores.argmax(1)[:6]
    images = x[test[:6]]
    attributions = {
        "saliency": interpret.saliency(model, images, target),
        "gradient × input": interpret.gradient_x_input(model, images, target),
        "SmoothGrad": interpret.smoothgrad(model, images, target, samples=32, seed=0),
        "integrated gradients": interpret.integrated_gradients(model, images, target, steps=32),
        "occlusion 2×2": interpret.occlusion(model, images, (1, 2, 2), target, strides=(1, 1, 1)),
    }
    viz.plot_attributions(images, attributions, out / "attributions.png",
                          titles=[f"predicted {t}" for t in target])
    hidden = nt.Sequential(list(model)[:4])                       # conv features before the classifier
    feats = viz._model.predict(hidden, x[test])
    viz.plot_embedding(feats, y[test], out / "embedding_pca.png", title="PCA of the CNN's features, digits test set")
    # ROC/PR: one digit against the rest from a logistic regression on the pixels
    flat = x.reshape(len(x), -1)
    logistic = nt.Sequential([nt.nn.Dense(1, in_features=64)])
    logistic.compile(optimizer="adam", loss="bce_with_logits", learning_rate=0.01)
    is_eight = (y == 8).astype(np.float32)[:, None]
    logistic.fit(flat[train], is_eight[train], epochs=10, batch_size=64, verbose=0)
    viz.plot_roc_pr(is_eight[test, 0], logistic.predict(flat[test])[:, 0], out / "roc_pr.png",
                    title="digit 8 against the rest: logistic regression on the pixels")


def course_sheets(out: Path):
    viz.plot_activations(out / "activations.png")
    viz.plot_losses(out / "losses.png")
    viz.plot_lr_schedules(path=out / "lr_schedules.png")
    viz.plot_optimizer_paths("rosenbrock", path=out / "optimizers_rosenbrock.png", steps=400)
    viz.plot_optimizer_paths("beale", path=out / "optimizers_beale.png", steps=400)
    viz.plot_conv_arithmetic(path=out / "conv_arithmetic.png")
    viz.plot_positional_encoding(100, 128, out / "positional_encoding.png")
    # attention of positional encodings with themselves, 4 heads = 4 slices of the dimensions:
    # heads on the fast (low) dimensions attend to the next positions, slow ones spread out
    pe = nt.nn.layers.positional.sinusoidal_encoding(24, 32, dtype=np.float64)
    heads = pe.reshape(24, 4, 8).transpose(1, 0, 2)
    logits = heads @ heads.transpose(0, 2, 1) * 8 / np.sqrt(8)
    weights = np.exp(logits - logits.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    viz.plot_attention_maps(weights, out / "attention_maps.png",
                            title="dot-product attention of sinusoidal encodings, one head per 8 of 32 dimensions")
    rng = np.random.default_rng(0)
    t = np.arange(40)
    freq = np.r_[np.full(5, 0.05), np.full(5, 0.15)]
    seqs = np.sin(2 * np.pi * freq[:, None] * t + rng.uniform(0, 6, (10, 1)))[..., None]
    rnn = nt.nn.SimpleRNN(16, return_sequences=True)
    nt.set_default_dtype(np.float64)
    viz.plot_hidden_states(rnn(nt.tensor(seqs)).numpy(), out / "hidden_states.png", labels=[0] * 5 + [1] * 5,
                           title="an RNN's states on slow (0) and fast (1) sine waves")
    x = rng.standard_normal((16, 40, 4))
    norms = {"SimpleRNN (tanh)": viz.gradient_norms_through_time(nt.nn.SimpleRNN(16, return_sequences=True), x),
             "LSTM": viz.gradient_norms_through_time(nt.nn.LSTM(16, return_sequences=True), x),
             "GRU": viz.gradient_norms_through_time(nt.nn.GRU(16, return_sequences=True), x)}
    viz.plot_gradient_norms(norms, out / "gradient_norms.png")
    nt.set_default_dtype(np.float32)


def chapter_pictures(out: Path):
    """The pictures of the later chapters (classic, energy-based, generative and graph networks), on the
    8×8 digits, Iris, the karate club and the sunspots."""
    from neuronet.models import classic, energy
    x, y = nt.data.load_digits(flatten=True)
    # classic networks: the perceptron's line after each epoch, a SOM, an echo-state forecast
    iris, species = nt.data.load_iris()
    iris = ((iris - iris.mean(0)) / iris.std(0)).astype(np.float64)
    pair = species < 2
    sepals, setosa = iris[pair][:, :2], (species[pair] == 0).astype(int)
    perceptron = classic.Perceptron(epochs=50).fit(sepals, setosa)
    viz.save_decision_boundaries(perceptron.history["weights"], sepals, setosa, out / "perceptron_boundaries.png",
                                 title="perceptron, setosa vs versicolor (sepal length, width)")
    som = classic.SOM(10, 10, topology="hexagonal", sigma=3.0, lr=0.5, seed=0).fit(x.astype(np.float64), epochs=10,
                                                                                  mode="batch")
    viz.save_som_maps(som, x.astype(np.float64), out / "som_maps.png", y=y, max_planes=4,
                      title="10×10 hexagonal SOM of the 8×8 digits")
    try:
        series = np.asarray(nt.data.load_sunspots(download=False)[0], dtype=np.float64)
    except nt.data.DatasetNotFoundError as error:
        print(f"ESN picture skipped: {error}")
    else:
        cut = int(len(series) * 0.8)
        s = (series - series[:cut].mean()) / series[:cut].std()
        esn = classic.EchoStateNetwork(300, spectral_radius=0.9, leak_rate=0.3, input_scaling=0.5, ridge=1.0,
                                       washout=100, include_input=True, seed=0)
        esn.fit(s[:cut - 1], s[1:cut])
        forecast = esn.predict(s[:-1])[cut - 1:]
        viz.save_prediction_vs_truth(series[cut:], {"ESN one step ahead": forecast * series[:cut].std() + series[:cut].mean()},
                                     out / "esn_sunspots.png", start=cut, ylabel="sunspot number",
                                     xlabel="month since January 1749",
                                     title="monthly sunspots, last 20 %: echo-state network vs truth")
    # energy-based: RBM filters and Gibbs samples, Hopfield recall and capacity
    binary = (x > 0.5).astype(np.float64)
    rbm = energy.RBM(64, k=1, lr=0.05, batch_size=20, seed=0).fit(binary, epochs=15)
    viz.save_rbm_filters(rbm.weight, out / "rbm_filters.png", (8, 8), count=64, title="RBM filters, 8×8 digits")
    chain = [binary[:8]]
    for _ in range(5):
        chain.append(rbm.gibbs(chain[-1], steps=20))
    viz.save_image_panels(np.stack(chain), out / "rbm_gibbs.png", (8, 8),
                          row_labels=["data"] + [str(20 * (i + 1)) for i in range(5)],
                          title="Gibbs chains of the RBM (rows: steps from the data)")
    patterns = energy.to_bipolar(binary[[int(np.flatnonzero(y == c)[0]) for c in (0, 1, 3, 7)]])
    noisy = energy.flip_bits(patterns, 0.2, np.random.default_rng(0))
    _, steps = energy.Hopfield("pseudo_inverse").store(patterns).recall(noisy, rng=np.random.default_rng(0),
                                                                       return_history=True)
    viz.save_recall_steps(steps["states"], steps["energy"], out / "hopfield_recall.png", (8, 8), target=patterns,
                          title="Hopfield recall of four digits from 20 % flipped pixels")
    curves = [energy.capacity_curve(n, np.arange(0.02, 0.25, 0.02), trials=2, seed=0) for n in (50, 100)]
    viz.save_capacity_curve(curves, out / "hopfield_capacity.png")
    # generative: a 2-D VAE on the digits — samples, reconstructions, codes, the decoded plane, the losses
    images = x.reshape(-1, 1, 8, 8)
    vae = nt.models.dense_vae(latent=2, hidden=(128, 64), input_shape=(1, 8, 8))
    vae.compile(optimizer="adam", learning_rate=3e-3)
    history = vae.fit(images, epochs=30, batch_size=64, verbose=0)
    viz.save_image_grid(vae.sample(32, seed=0), out / "vae_samples.png", ncols=8, title="VAE samples", pixels=6)
    viz.save_image_rows([images[:10], vae.reconstruct(images[:10])], ["input", "output"], out / "vae_rows.png")
    viz.save_latent_scatter(vae.encode(images), y, out / "vae_latent.png", title="2-D VAE codes of the digits")
    viz.save_latent_traversal(vae.decode, out / "vae_traversal.png", n=12, span=2.5,
                              title="digits decoded from a grid of z")
    viz.save_loss_curves({"loss (−ELBO per image)": history.history["loss"]}, out / "vae_loss.png",
                         title="2-D VAE training")
    # graphs: the karate club's two-layer GCN hidden layer over the friendships
    try:
        g = nt.data.graphs.load_karate()
    except ImportError as error:
        print(f"karate picture skipped: {error}")
    else:
        conv1, conv2 = nt.nn.GCNConv(16), nt.nn.GCNConv(2)
        opt = None
        for _ in range(200):
            h = nt.functional.relu(conv1(nt.tensor(g.x), g.edge_index))
            loss = nt.functional.cross_entropy(conv2(h, g.edge_index)[np.array([0, 33])], nt.tensor(g.y[[0, 33]]))
            opt = opt or nt.optim.Adam(list(conv1.parameters()) + list(conv2.parameters()), lr=0.01)
            opt.zero_grad()
            loss.backward()
            opt.step()
        viz.save_embedding(h.numpy(), g.y, out / "karate_embedding.png", edges=g.edge_index,
                           class_names=["Mr. Hi", "Officer"], highlight=[0, 33], annotate=True,
                           title="karate club: GCN hidden layer (PCA)")
    # a heat map of numbers: the digits' mean image per class (rows) at the 16 central pixels (columns)
    centre = [r * 8 + c for r in range(2, 6) for c in range(2, 6)]
    means = np.stack([x[y == c][:, centre].mean(0) for c in range(10)])
    viz.save_heatmap(means, [str(c) for c in range(10)], [f"{i // 8},{i % 8}" for i in centre],
                     out / "heatmap.png", xlabel="pixel (row, column)", ylabel="digit",
                     title="mean intensity of the 16 central pixels per digit", rotate_columns=True)


def fashion_shap(out: Path):
    try:
        (x, y), (x_test, y_test) = nt.data.load_fashion_mnist(flatten=True, download=False)
    except nt.data.DatasetNotFoundError as error:
        print(f"SHAP picture skipped: {error}")
        return
    x, y = x[:10000], y[:10000]
    model = nt.Sequential([nt.nn.Dense(128, activation="relu"), nt.nn.Dense(64, activation="relu"),
                           nt.nn.Dense(10)])
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    model.fit(x, y, epochs=3, batch_size=64, verbose=0)
    print(f"Fashion-MNIST MLP (10k images, 3 epochs) test accuracy {model.evaluate(x_test, y_test)['accuracy']:.3f}")

    def probabilities(a):
        return nt.functional.softmax(nt.tensor(model.predict(a.astype(np.float32), batch_size=8192)), axis=-1).numpy()

    pixel = np.arange(784)
    groups = (pixel // 28 // 4) * 7 + (pixel % 28) // 4            # 49 superpixels of 4×4
    rng = np.random.default_rng(0)
    background = x[rng.choice(len(x), 20, replace=False)]
    picks = [int(np.flatnonzero(y_test == c)[0]) for c in (0, 1, 5, 9)]
    values, expected = interpret.kernel_shap(probabilities, x_test[picks], background, samples=400, groups=groups,
                                             seed=0)
    per_pixel = values[:, groups, :].reshape(len(picks), 28, 28, 10) / 16   # a superpixel's value shared by its 16 pixels
    names = nt.data.FASHION_MNIST_CLASSES
    viz.plot_shap_images(x_test[picks].reshape(-1, 28, 28), per_pixel, out / "shap_fashion.png", class_names=names,
                         image_titles=[names[y_test[i]] for i in picks],
                         title="KernelSHAP of the Fashion-MNIST MLP (4×4 superpixels, 400 coalitions, 20 background images)")


def word_vectors(out: Path):
    from neuronet.models.word2vec import Word2Vec
    groups = {"animals": ["cat", "dog", "horse", "cow", "sheep", "goat"],
              "fruit": ["apple", "pear", "plum", "grape", "cherry", "peach"],
              "colours": ["red", "green", "blue", "yellow", "white", "black"],
              "cities": ["london", "paris", "rome", "berlin", "madrid", "vienna"]}
    templates = ["the farmer feeds the {animals}", "a {animals} sleeps in the barn", "the {animals} eats a {fruit}",
                 "she picks a ripe {fruit}", "this {fruit} tastes sweet", "a {fruit} pie from {cities}",
                 "the wall is painted {colours}", "he wears a {colours} coat", "a {colours} light shone",
                 "we flew to {cities} last summer", "{cities} is a big old city", "the train from {cities} was late"]
    rng = np.random.default_rng(0)
    sentences = [rng.choice(templates).format_map({g: rng.choice(ws) for g, ws in groups.items()}).split()
                 for _ in range(2000)]
    model = Word2Vec(vector_size=32, window=3, min_count=5, epochs=8, seed=0).fit(sentences)
    words = [w for ws in groups.values() for w in ws]
    viz.plot_word_embedding(model.vectors[[model.index[w] for w in words]], words, out / "word_embedding.png",
                            groups=[g for g, ws in enumerate(groups.values()) for _ in ws], group_names=list(groups),
                            title="skip-gram word2vec on 2,000 template sentences: PCA of four word groups")


def main(folder="gallery"):
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    nt.manual_seed(0)
    for part in (course_sheets, boundary_pictures, digits_pictures, chapter_pictures, fashion_shap, word_vectors):
        start = time.perf_counter()
        part(out)
        print(f"{part.__name__}: {time.perf_counter() - start:.1f} s")
    return sorted(p.name for p in out.glob("*.png"))


if __name__ == "__main__":
    print("\n".join(main(*sys.argv[1:])))
