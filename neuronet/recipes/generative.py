"""Generative recipes on Fashion-MNIST: auto-encoders (plain, denoising), VAEs (latent 20 for the
likelihood, latent 2 for the pictures), GANs (dense, DCGAN, spectrally normalised DCGAN with the
hinge loss), and the classifier whose features measure sample quality (the Fréchet distance).

The scorer: LeNet-5 (``nt.models.lenet5``) trained on the 60,000 training images with Adam lr 1e-3,
batch 128, 3 epochs, seed 0; the features are its 84 penultimate activations.  It is trained once
and cached in ``<neuronet cache>/scorers/fashion-lenet.nnet``; every FID here uses it, with the
sample counts the report states (FID grows as the counts shrink: compare equal counts only).
"""
from __future__ import annotations

import os

from ..backend import manual_seed, np
from ..models import SampleScorer, binarize, conv_autoencoder, dcgan, dense_autoencoder, dense_gan, dense_vae, lenet5
from ..train import Callback
from .datasets import dataset_splits
from .registry import Recipe, register

__all__ = ["fashion_scorer", "fid_floor", "FIDMonitor"]

_FID_COUNT = 2000  # generated and real images per FID


def _scorer_path():
    from ..data.datasets.fetch import cache_dir
    return os.path.join(str(cache_dir()), "scorers", "fashion-lenet.nnet")


def fashion_scorer(path=None, verbose=0) -> SampleScorer:
    """The Fashion-MNIST scorer (see the module docstring): loaded from the cache, or trained (about a
    minute on two cores) and cached."""
    from ..train import load_model
    path = path or _scorer_path()
    if os.path.exists(path):
        return SampleScorer(load_model(path))
    d = dataset_splits("fashion-mnist-images")
    manual_seed(0)
    clf = lenet5(10)
    clf.compile("adam", loss="cross_entropy", metrics=["accuracy"], learning_rate=1e-3)
    clf.fit(d["x_train"], d["y_train"], epochs=3, batch_size=128, verbose=verbose, seed=0)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    clf.save(path)
    return SampleScorer(clf)


def fid_floor(scorer, x_test, count=None) -> float:
    """FID between two disjoint sets of ``count`` (default 2,000) real test images: what a perfect generator scores."""
    count = min(_FID_COUNT if count is None else int(count), len(x_test) // 2)
    return scorer.fid(x_test[:count], x_test[count:2 * count])


def _fashion(scale="unit"):
    d = dataset_splits("fashion-mnist-images")
    x, xt = d["x_train"], d["x_test"]
    if scale == "tanh":  # GAN generators end in tanh: images in [−1, 1]
        x, xt = x * 2 - 1, xt * 2 - 1
    return {"x_train": x, "y_train": x, "x_test": xt, "y_test": xt, "labels_test": d["y_test"],
            "names": d["class_names"], "class_names": None}


def _out(out, name):
    os.makedirs(out, exist_ok=True)
    return os.path.join(out, name)


# --- auto-encoders -----------------------------------------------------------------------------
def _noisy(x, seed=7):
    """The test images with Gaussian noise σ = 0.4 (clipped to [0, 1]), the same for every recipe."""
    rng = np.random.default_rng(seed)
    return np.clip(x + 0.4 * rng.standard_normal(x.shape).astype(x.dtype), 0, 1)


def _ae_report(model, data, out):
    from ..viz import save_image_rows
    x = data["x_test"]
    rec = model.reconstruct(x)
    noisy = _noisy(x)
    den = model.reconstruct(noisy)
    save_image_rows([x[:10], rec[:10]], ["input", "output"], _out(out, "reconstructions.png"))
    save_image_rows([x[:10], noisy[:10], den[:10]], ["clean", "noisy", "output"], _out(out, "denoising.png"))
    return {"test_mse": round(float(np.mean((rec - x) ** 2)), 5),
            "noisy_input_mse": round(float(np.mean((den - x) ** 2)), 5),
            "noise_mse": round(float(np.mean((noisy - x) ** 2)), 5)}


register(Recipe(
    name="fashion-ae",
    description="dense auto-encoder 784-256-32-256-784 (ReLU, sigmoid output) on Fashion-MNIST, MSE, Adam lr 1e-3, "
                "batch 128, 15 epochs",
    data=_fashion, model=lambda: dense_autoencoder(code=32, hidden=(256,)), loss="mse", lr=1e-3, epochs=15,
    batch_size=128, metrics=[], validation_split=0.0, target="test reconstruction MSE reported", report=_ae_report,
    kind="generative", dataset="fashion-mnist", train_time="258 s (load, 5 epochs)", reported="test MSE 0.0108"))

register(Recipe(
    name="fashion-dae",
    description="denoising auto-encoder: fashion-ae's network trained on inputs with Gaussian noise sigma 0.4 "
                "(training only), clean targets",
    data=_fashion, model=lambda: dense_autoencoder(code=32, hidden=(256,), corruption=("gaussian", 0.4)), loss="mse",
    lr=1e-3, epochs=15, batch_size=128, metrics=[], validation_split=0.0,
    target="noisy-input MSE below fashion-ae's", report=_ae_report, kind="generative", dataset="fashion-mnist",
    train_time="484 s (load, 5 epochs)", reported="noisy-input MSE 0.0265 (plain AE 0.0315)"))

register(Recipe(
    name="fashion-conv-ae",
    description="convolutional auto-encoder: conv 3x3/2 16, 32 -> Conv2DTranspose 3x3/2 16, 1 (sigmoid), MSE, "
                "Adam lr 2e-3, batch 128, 5 epochs",
    data=_fashion, model=lambda: conv_autoencoder(channels=(16, 32)), loss="mse", lr=2e-3, epochs=5,
    batch_size=128, metrics=[], validation_split=0.0, target="test reconstruction MSE reported", report=_ae_report,
    kind="generative", dataset="fashion-mnist", train_time="not measured at full size", reported="-"))


# --- VAEs ---------------------------------------------------------------------------------------
def _vae_report(model, data, out, k=100):
    from ..viz import save_image_grid, save_image_rows
    x = data["x_test"]
    x_bin = binarize(x, seed=0)  # one fixed binarisation of the test set
    rep = {"test_negative_elbo_nats": round(model.negative_elbo(x_bin), 2),
           f"test_iw_nll_nats_k{k}": round(model.log_likelihood(x_bin, k=k), 2)}
    save_image_grid(model.sample(64, seed=0), _out(out, "samples.png"), title="VAE samples")
    save_image_rows([x[:10], model.reconstruct(x[:10])], ["input", "output"], _out(out, "reconstructions.png"))
    save_image_rows([model.interpolate(x[a], x[b], steps=10) for a, b in ((0, 1), (2, 3), (4, 5))],
                    ["", "", ""], _out(out, "interpolations.png"))
    scorer = fashion_scorer()
    rep["fid_samples"] = round(scorer.fid(model.sample(_FID_COUNT, seed=1), x[:_FID_COUNT]), 2)
    rep["inception_score"] = round(scorer.inception_score(model.sample(_FID_COUNT, seed=1)), 3)
    if model.latent == 2:
        from ..viz import save_latent_scatter, save_latent_traversal
        save_latent_scatter(model.encode(x), data["labels_test"], _out(out, "latent_scatter.png"),
                            class_names=data["names"], title="2-D VAE: test codes μ(x)")
        save_latent_traversal(model.decode, _out(out, "latent_traversal.png"), n=15, span=2.5,
                              title="2-D VAE: decoded grid of z")
    return rep


register(Recipe(
    name="fashion-vae",
    description="VAE 784-512-256-(20)-256-512-784, Bernoulli decoder on dynamically binarised Fashion-MNIST, "
                "Adam lr 1e-3, batch 128, 10 epochs; reports test -ELBO and importance-weighted -log p(x) (k=100)",
    data=_fashion, model=lambda: dense_vae(latent=20, hidden=(512, 256), binarize=True), loss=None, lr=1e-3,
    epochs=10, batch_size=128, metrics=[], validation_split=0.0, target="test -ELBO and IW -log p(x) in nats",
    report=_vae_report, kind="generative", dataset="fashion-mnist", train_time="402 s (load, 5 epochs)",
    reported="-ELBO 244.1 nats, IW -log p(x) 241.0"))

register(Recipe(
    name="fashion-vae2d",
    description="fashion-vae with a 2-D latent space, for the latent scatter and the decoded manifold",
    data=_fashion, model=lambda: dense_vae(latent=2, hidden=(512, 256), binarize=True), loss=None, lr=1e-3,
    epochs=10, batch_size=128, metrics=[], validation_split=0.0, target="latent pictures", report=_vae_report,
    kind="generative", dataset="fashion-mnist", train_time="516 s (load, 30k images, 3 epochs)",
    reported="-ELBO 272.8 nats"))


# --- GANs ---------------------------------------------------------------------------------------
class FIDMonitor(Callback):
    """After each epoch: the FID of ``count`` samples against ``count`` test images (in
    ``history["fid"]``), and a grid of 64 samples from fixed codes written to ``out/samples_epoch_E.png``."""

    def __init__(self, x_test, out=None, count=None):
        super().__init__()
        self.x_test, self.out, self.count = x_test, out, _FID_COUNT if count is None else int(count)
        self.scorer = fashion_scorer()
        self.fids = []

    def on_epoch_end(self, epoch, logs=None):
        model = self.model
        fid = self.scorer.fid((model.generate(self.count, seed=1) + 1) / 2, (self.x_test[:self.count] + 1) / 2)
        self.fids.append(fid)
        if logs is not None:
            logs["fid"] = fid
        if self.out:
            from ..viz import save_image_grid
            save_image_grid(model.generate(64, seed=0), _out(self.out, f"samples_epoch_{epoch + 1}.png"),
                            value_range=(-1, 1), title=f"epoch {epoch + 1}, FID {fid:.1f}")


def _gan_callbacks(epochs, lr, out):
    return [FIDMonitor(_fashion("tanh")["x_test"], out)]


def _gan_report(model, data, out):
    from ..viz import save_image_grid, save_loss_curves
    scorer = fashion_scorer()
    x = (data["x_test"] + 1) / 2
    samples = (model.generate(_FID_COUNT, seed=1) + 1) / 2
    h = model.history.history
    save_loss_curves({"discriminator": h["d_loss"], "generator": h["g_loss"]}, _out(out, "losses.png"),
                     title="GAN losses per epoch")
    save_image_grid(samples[:64], _out(out, "samples.png"), title="samples after training")
    return {"fid": round(scorer.fid(samples, x[:_FID_COUNT]), 2), "fid_per_epoch": [round(v, 2) for v in h.get("fid", [])],
            "fid_floor_real_vs_real": round(fid_floor(scorer, x), 2),
            "inception_score": round(scorer.inception_score(samples), 3),
            "inception_score_real": round(scorer.inception_score(x[:_FID_COUNT]), 3)}


def _gan_recipe(name, description, model, loss, epochs, train_time, reported, lr=2e-4):
    register(Recipe(name=name, description=description, data=lambda: _fashion("tanh"), model=model, loss=loss,
                    lr=lr, epochs=epochs, batch_size=128, metrics=[], validation_split=0.0,
                    target="FID falls epoch over epoch", callbacks=_gan_callbacks, report=_gan_report,
                    kind="experiment", train_time=train_time, reported=reported))


_gan_recipe("fashion-gan", "dense GAN: G 64-256-512-784 (BatchNorm, LeakyReLU 0.2, tanh), D 784-512-256-1 "
            "(LeakyReLU 0.2), non-saturating loss, Adam lr 2e-4 beta1 0.5, batch 128, 5 epochs",
            lambda: dense_gan(latent=64), "non_saturating", 5, "798 s (load, 20k images, 3 epochs)",
            "FID 81.4 -> 55.0 -> 43.5")
_gan_recipe("fashion-dcgan", "DCGAN: G dense 64->64x7x7, BN, ReLU, ConvTranspose 4x4/2 32, BN, ReLU, "
            "ConvTranspose 4x4/2 1, tanh; D conv 4x4/2 32, LeakyReLU, conv 4x4/2 64, BN, LeakyReLU, dense 1; "
            "non-saturating loss, Adam lr 2e-4 beta1 0.5, batch 128, 5 epochs on all 60k images; samples (and "
            "FID) from an exponential moving average of G's weights (decay 0.999)",
            lambda: dcgan(latent=64, width=32, ema_decay=0.999), "non_saturating", 5, "5 min 35 s (quiet, 60k images)",
            "FID 27.7 -> 17.6 -> 11.8 -> 10.5 -> 9.0")
_gan_recipe("fashion-sngan", "fashion-dcgan with spectral normalisation on every discriminator layer (no BN) and "
            "the hinge loss, 5 epochs", lambda: dcgan(latent=64, width=32, spectral_norm=True), "hinge", 5,
            "not measured at full size", "-")
