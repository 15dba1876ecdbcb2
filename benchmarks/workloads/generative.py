"""Generative workloads on 1×28×28 images: a conv auto-encoder (Conv2DTranspose decoder, MSE), the
dense VAE of the ``fashion-vae`` recipe (negative ELBO), and one DCGAN step (a discriminator update,
then a generator update).  Each brings its own step (``make_step``); weights are copied as usual."""
from __future__ import annotations

import numpy as np

from .. import flops
from .base import Workload, require

# per sample (benchmarks/flops.py); a transposed convolution does a convolution's products per input position
CONV_AE_FORWARD = (flops.conv2d(1, 16, 3, 14) + flops.conv2d(16, 32, 3, 7)
                   + flops.conv2d(32, 16, 3, 7) + flops.conv2d(16, 1, 3, 14))
VAE_FORWARD = (flops.dense(784, 512) + flops.dense(512, 256) + 2 * flops.dense(256, 20)
               + flops.dense(20, 256) + flops.dense(256, 512) + flops.dense(512, 784))


def binary_images(batch):
    def make(rng):
        return (rng.random((batch, 1, 28, 28)) < 0.3).astype(np.float32), rng.integers(0, 10, size=batch)
    return make


def tanh_images(batch):
    def make(rng):
        return rng.uniform(-1, 1, (batch, 1, 28, 28)).astype(np.float32), rng.integers(0, 10, size=batch)
    return make


# --- conv auto-encoder ---------------------------------------------------------------------------
def build_conv_ae_neuronet(nt):
    return require(nt, "models.conv_autoencoder")(channels=(16, 32))


def build_conv_ae_torch(torch):
    nn = torch.nn

    class ConvAE(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Sequential(nn.Conv2d(1, 16, 3, 2, 1), nn.ReLU(), nn.Conv2d(16, 32, 3, 2, 1), nn.ReLU())
            self.decoder = nn.Sequential(nn.ConvTranspose2d(32, 16, 3, 2, 1, 1), nn.ReLU(),
                                         nn.ConvTranspose2d(16, 1, 3, 2, 1, 1), nn.Sigmoid())

        def forward(self, x):
            return self.decoder(self.encoder(x))
    return ConvAE()


def conv_ae_step(framework, lib, model, x, y, workload):
    if framework == "neuronet":
        inputs, opt = lib.tensor(x), lib.optim.Adam(list(model.parameters()), lr=workload.lr)
        mse = lib.functional.mse_loss
    else:
        inputs, opt = lib.from_numpy(x), lib.optim.Adam(model.parameters(), lr=workload.lr)
        mse = lib.nn.functional.mse_loss

    def step():
        opt.zero_grad()
        mse(model(inputs), inputs).backward()
        opt.step()
    return step


# --- VAE ------------------------------------------------------------------------------------------
def build_vae_neuronet(nt):
    return require(nt, "models.dense_vae")(latent=20, hidden=(512, 256))


def build_vae_torch(torch):
    nn = torch.nn

    class VAE(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU())
            self.decoder = nn.Sequential(nn.Linear(20, 256), nn.ReLU(), nn.Linear(256, 512), nn.ReLU(),
                                         nn.Linear(512, 784), nn.Unflatten(1, (1, 28, 28)))
            self.mu_head, self.logvar_head = nn.Linear(256, 20), nn.Linear(256, 20)

        def terms(self, x):
            h = self.encoder(x)
            mu, logvar = self.mu_head(h), self.logvar_head(h)
            z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
            nll = nn.functional.binary_cross_entropy_with_logits(self.decoder(z), x, reduction="none").flatten(1).sum(1)
            return nll, -0.5 * (1 + logvar - mu * mu - logvar.exp()).sum(1)

        def forward(self, x):  # evaluation: z = μ
            return self.decoder(self.mu_head(self.encoder(x)))
    return VAE()


def vae_step(framework, lib, model, x, y, workload):
    """One step on the negative ELBO (one z per image), as ``VAE.fit`` takes it."""
    if framework == "neuronet":
        inputs, opt = lib.tensor(x), lib.optim.Adam(list(model.parameters()), lr=workload.lr)
    else:
        inputs, opt = lib.from_numpy(x), lib.optim.Adam(model.parameters(), lr=workload.lr)

    def step():
        opt.zero_grad()
        nll, kl = (model._terms if framework == "neuronet" else model.terms)(inputs)
        (nll + kl).mean().backward()
        opt.step()
    return step


# --- DCGAN ----------------------------------------------------------------------------------------
def build_dcgan_neuronet(nt):
    return require(nt, "models.dcgan")(latent=64, width=32)


def build_dcgan_torch(torch):
    nn = torch.nn

    class DCGAN(nn.Module):
        def __init__(self):
            super().__init__()
            self.generator = nn.Sequential(
                nn.Linear(64, 64 * 7 * 7, bias=False), nn.Unflatten(1, (64, 7, 7)), nn.BatchNorm2d(64), nn.ReLU(),
                nn.ConvTranspose2d(64, 32, 4, 2, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
                nn.ConvTranspose2d(32, 1, 4, 2, 1), nn.Tanh())
            self.discriminator = nn.Sequential(
                nn.Conv2d(1, 32, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(32, 64, 4, 2, 1), nn.BatchNorm2d(64),
                nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(64 * 7 * 7, 1))

        def forward(self, x):
            return self.discriminator(x)
    return DCGAN()


def dcgan_step(framework, lib, model, x, y, workload):
    """A discriminator step on real and generated images, then a generator step (non-saturating loss)."""
    if framework == "neuronet":
        model.compile(loss="non_saturating", learning_rate=workload.lr)
        model._make_optimizer()  # builds the generator too
        xs = (x,)
        return lambda: model._train_step(xs, x)
    F = lib.nn.functional
    g, d = model.generator, model.discriminator
    real = lib.from_numpy(x)
    g_opt = lib.optim.Adam(g.parameters(), lr=workload.lr, betas=(0.5, 0.999))
    d_opt = lib.optim.Adam(d.parameters(), lr=workload.lr, betas=(0.5, 0.999))
    n = x.shape[0]

    def step():
        with lib.no_grad():
            fake = g(lib.randn(n, 64))
        d_loss = F.softplus(-d(real)).mean() + F.softplus(d(fake)).mean()
        d_opt.zero_grad()
        d_loss.backward()
        d_opt.step()
        for p in d.parameters():
            p.requires_grad_(False)
        g_loss = F.softplus(-d(g(lib.randn(n, 64)))).mean()
        g_opt.zero_grad()
        g_loss.backward()
        g_opt.step()
        for p in d.parameters():
            p.requires_grad_(True)
    return step


WORKLOADS = [
    Workload(name="conv-ae", family="generative", batch=128, train=True,
             description="conv auto-encoder 1→16→32 (3×3/2) → Conv2DTranspose 32→16→1 (3×3/2), MSE, Adam, batch 128",
             make_inputs=binary_images(128), build_neuronet=build_conv_ae_neuronet, build_torch=build_conv_ae_torch,
             make_step=conv_ae_step,
             flops_per_sample=flops.train(CONV_AE_FORWARD, first_layer=flops.conv2d(1, 16, 3, 14))),
    Workload(name="vae", family="generative", batch=128, train=True,
             description="VAE 784-512-256-(20)-256-512-784, Bernoulli decoder, negative ELBO, Adam, batch 128",
             make_inputs=binary_images(128), build_neuronet=build_vae_neuronet, build_torch=build_vae_torch,
             make_step=vae_step, flops_per_sample=flops.train(VAE_FORWARD, first_layer=flops.dense(784, 512))),
    Workload(name="dcgan", family="generative", batch=128, train=True,
             description="DCGAN step (D then G) of the fashion-dcgan recipe, Adam lr 2e-4 β1 0.5, batch 128",
             make_inputs=tanh_images(128), build_neuronet=build_dcgan_neuronet, build_torch=build_dcgan_torch,
             make_step=dcgan_step, lr=2e-4),
]
