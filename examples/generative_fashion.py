"""Auto-encoders, VAEs and GANs on Fashion-MNIST, measured, with the chapter's pictures.

    python examples/generative_fashion.py ae dae vae vae2d gan dcgan --out docs/images --json results.json
    python examples/generative_fashion.py dcgan --train 20000 --epochs 3        # a budget of your choice

Each part trains one model, prints and returns its numbers (test MSE; test −ELBO and importance-
weighted −log p(x) in nats on the dynamically binarised test set; FID against 2,000 test images in
the feature space of the cached LeNet-5 scorer, see ``neuronet.recipes.generative``) and writes PNGs.
"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

import neuronet as nt
from neuronet.recipes.generative import FIDMonitor, _ae_report, _noisy, fashion_scorer, fid_floor
from neuronet.viz import save_image_grid, save_image_rows, save_latent_scatter, save_latent_traversal, save_loss_curves

FID_COUNT = 2000  # generated and real images per FID


TEST = None  # use only the first TEST test images (None: all 10,000); the tests set it small


def load(train=None):
    (x, y), (xt, yt) = nt.data.load_fashion_mnist()
    return (x[:train], y[:train]) if train else (x, y), (xt[:TEST], yt[:TEST])


def autoencoder(kind="ae", epochs=5, train=None, out="docs/images", seed=0):
    """Dense AE with a 32-unit code; ``kind="dae"`` trains it on inputs with Gaussian noise σ = 0.4."""
    (x, _), (xt, _) = load(train)
    nt.manual_seed(seed)
    model = nt.models.dense_autoencoder(code=32, hidden=(256,), corruption=("gaussian", 0.4) if kind == "dae" else None)
    model.compile("adam", loss="mse", learning_rate=1e-3)
    t = time.perf_counter()
    model.fit(x, epochs=epochs, batch_size=128, verbose=0, seed=seed)
    seconds = time.perf_counter() - t
    rep = _ae_report(model, {"x_test": xt}, os.path.join(out, f"fashion-{kind}"))
    return {"model": kind, "epochs": epochs, "train_images": len(x), "train_seconds": round(seconds, 1), **rep}


def vae(latent=20, epochs=5, train=None, out="docs/images", seed=0, k=100):
    """Bernoulli VAE 784-512-256-(latent) on dynamically binarised images; −ELBO and (``k``: samples, None
    to skip) IW −log p(x) on the test set."""
    (x, _), (xt, yt) = load(train)
    nt.manual_seed(seed)
    model = nt.models.dense_vae(latent=latent, hidden=(512, 256), binarize=True)
    model.compile("adam", learning_rate=1e-3)
    t = time.perf_counter()
    hist = model.fit(x, epochs=epochs, batch_size=128, verbose=0, seed=seed).history
    seconds = time.perf_counter() - t
    x_bin = nt.models.binarize(xt, seed=0)
    folder = os.path.join(out, f"fashion-vae{latent}")
    os.makedirs(folder, exist_ok=True)
    rep = {"model": f"vae latent {latent}", "epochs": epochs, "train_images": len(x), "train_seconds": round(seconds, 1),
           "train_neg_elbo_per_epoch": [round(v, 2) for v in hist["loss"]],
           "test_negative_elbo_nats": round(model.negative_elbo(x_bin), 2)}
    if k:
        t = time.perf_counter()
        rep[f"test_iw_nll_nats_k{k}"] = round(model.log_likelihood(x_bin, k=k), 2)
        rep["iw_seconds"] = round(time.perf_counter() - t, 1)
    scorer = fashion_scorer()
    samples = model.sample(FID_COUNT, seed=1)
    rep["fid"] = round(scorer.fid(samples, xt[:FID_COUNT]), 2)
    rep["inception_score"] = round(scorer.inception_score(samples), 3)
    save_image_grid(samples[:64], os.path.join(folder, "samples.png"), title=f"VAE (latent {latent}) samples")
    save_image_rows([xt[:10], model.reconstruct(xt[:10])], ["input", "output"], os.path.join(folder, "reconstructions.png"))
    save_image_rows([model.interpolate(xt[a], xt[b], steps=10) for a, b in ((0, 1), (2, 3), (4, 5))], ["", "", ""],
                    os.path.join(folder, "interpolations.png"))
    if latent == 2:
        save_latent_scatter(model.encode(xt), yt, os.path.join(folder, "latent_scatter.png"),
                            class_names=nt.data.FASHION_MNIST_CLASSES if hasattr(nt.data, "FASHION_MNIST_CLASSES") else None,
                            title="2-D VAE: μ(x) of the test images")
        save_latent_traversal(model.decode, os.path.join(folder, "latent_traversal.png"), n=15, span=2.5,
                              title="2-D VAE: images decoded from a grid of z")
    return rep


def gan(kind="dcgan", epochs=3, train=None, out="docs/images", seed=0):
    """``kind``: 'gan' (dense), 'dcgan', 'sngan' (DCGAN, spectral norm, hinge loss); FID per epoch."""
    (x, _), (xt, _) = load(train)
    x, xt = x * 2 - 1, xt * 2 - 1
    nt.manual_seed(seed)
    model = {"gan": lambda: nt.models.dense_gan(latent=64),
             "dcgan": lambda: nt.models.dcgan(latent=64, width=32, ema_decay=0.999),  # samples from G's EMA
             "sngan": lambda: nt.models.dcgan(latent=64, width=32, spectral_norm=True)}[kind]()
    model.compile(loss="hinge" if kind == "sngan" else "non_saturating", learning_rate=2e-4)
    folder = os.path.join(out, f"fashion-{kind}")
    monitor = FIDMonitor(xt, folder, count=FID_COUNT)
    t = time.perf_counter()
    hist = model.fit(x, epochs=epochs, batch_size=128, verbose=0, seed=seed, callbacks=[monitor]).history
    seconds = time.perf_counter() - t
    save_loss_curves({"discriminator": hist["d_loss"], "generator": hist["g_loss"]}, os.path.join(folder, "losses.png"),
                     title=f"{kind}: losses per epoch")
    scorer = monitor.scorer
    samples = (model.generate(FID_COUNT, seed=1) + 1) / 2
    return {"model": kind, "epochs": epochs, "train_images": len(x), "train_seconds_with_fid": round(seconds, 1),
            "fid_per_epoch": [round(v, 2) for v in monitor.fids], "inception_score": round(scorer.inception_score(samples), 3),
            "d_loss": [round(v, 3) for v in hist["d_loss"]], "g_loss": [round(v, 3) for v in hist["g_loss"]]}


def floor(out=None):
    """The FID of real test images against other real test images, and their inception score."""
    _, (xt, _) = load()
    s = fashion_scorer()
    return {"model": "real test images", "fid": round(fid_floor(s, xt, min(FID_COUNT, len(xt) // 2)), 2),
            "inception_score": round(s.inception_score(xt[:FID_COUNT]), 3)}


PARTS = {"floor": lambda a: floor(),
         "ae": lambda a: autoencoder("ae", a.epochs or 5, a.train, a.out),
         "dae": lambda a: autoencoder("dae", a.epochs or 5, a.train, a.out),
         "vae": lambda a: vae(20, a.epochs or 5, a.train, a.out),
         "vae2d": lambda a: vae(2, a.epochs or 5, a.train, a.out, k=None),  # for the pictures: no IW estimate
         "gan": lambda a: gan("gan", a.epochs or 3, a.train, a.out),
         "dcgan": lambda a: gan("dcgan", a.epochs or 3, a.train, a.out),
         "sngan": lambda a: gan("sngan", a.epochs or 3, a.train, a.out)}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("parts", nargs="+", choices=sorted(PARTS))
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--train", type=int, default=None, help="use the first N training images")
    p.add_argument("--out", default="docs/images")
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)
    results = []
    for part in args.parts:
        rep = PARTS[part](args)
        print(json.dumps(rep), flush=True)
        results.append(rep)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(results, f, indent=1)
    return results


if __name__ == "__main__":
    main()
