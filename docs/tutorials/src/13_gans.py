# title: generative adversarial networks — a generator and a discriminator in a game, on 2-D points and on clothes
# %% [markdown]
# # GANs
#
# A GAN (Goodfellow et al. 2014) trains two networks against each other. The **generator** $G$ turns
# random noise $z$ into samples; the **discriminator** $D$ sees real and generated samples and outputs
# the logit of "real". $D$ is trained to tell them apart, $G$ to fool $D$ (the *non-saturating* loss:
# $G$ maximises $\log D(G(z))$). At the game's equilibrium $G$'s samples follow the data's distribution.
#
# First on 2-D points, where we can watch the whole distribution, then on Fashion-MNIST.

# %%
import numpy as np
import matplotlib.pyplot as plt
import neuronet as nt

nt.manual_seed(0)

# %% [markdown]
# ## Eight Gaussians on a ring
# The real data: 2,000 points from 8 small Gaussian blobs on a circle. $G$ maps 2-D noise through two
# hidden layers to a point; $D$ maps a point to one logit. We draw $G$'s samples after every few epochs.

# %%
rng = np.random.default_rng(0)
angle = rng.integers(0, 8, 2000) * 2 * np.pi / 8
ring = np.c_[np.cos(angle), np.sin(angle)] * 2 + 0.05 * rng.standard_normal((2000, 2))
ring = ring.astype(np.float32)

generator = nt.Sequential([nt.nn.Dense(64, activation="relu"), nt.nn.Dense(64, activation="relu"), nt.nn.Dense(2)])
discriminator = nt.Sequential([nt.nn.Dense(64, activation="relu"), nt.nn.Dense(64, activation="relu"), nt.nn.Dense(1)])
gan = nt.models.GAN(generator, discriminator, latent=2)
gan.compile(loss="non_saturating", learning_rate=1e-3)

fig, axes = plt.subplots(1, 5, figsize=(14, 3))
d_losses, g_losses = [], []
for panel, ax in enumerate(axes):
    if panel:
        h = gan.fit(ring, epochs=4, batch_size=100, verbose=0).history
        d_losses += h["d_loss"]
        g_losses += h["g_loss"]
    fake = gan.generate(1000, seed=1)
    ax.scatter(ring[:1000, 0], ring[:1000, 1], s=2, c="0.7")
    ax.scatter(fake[:, 0], fake[:, 1], s=2, c="C3")
    ax.set_title(f"after {4 * panel} epochs", fontsize=9)
    ax.set_xlim(-3, 3)
    ax.set_ylim(-3, 3)
    ax.set_aspect("equal")
plt.show()

# %% [markdown]
# Grey: real points; red: generated. The generator first produces a blob, then spreads it towards the
# modes. GANs are known for **mode collapse** — covering only some of the eight blobs — watch how many
# get red points (rerun with another seed to see it change).
#
# The two losses per epoch do not fall together: each network's gain is the other's loss. Near the
# equilibrium $D$ can do no better than guessing, $D$'s loss ≈ $2\ln 2 \approx 1.39$ (real + fake terms).

# %%
plt.figure(figsize=(5, 3))
plt.plot(d_losses, label="discriminator")
plt.plot(g_losses, label="generator")
plt.axhline(2 * np.log(2), color="0.5", ls=":", label="2 ln 2")
plt.xlabel("epoch")
plt.legend()
plt.show()

# %% [markdown]
# ## A dense GAN on Fashion-MNIST
# `nt.models.dense_gan`: $G$ 64 → 256 → 512 → 784 (tanh, images scaled to [−1, 1]), $D$ the mirror image.
# **To run in seconds: 4,000 images, 3 epochs** — the samples are rough shapes of clothes; the
# convolutional `nt.models.dcgan` trained on all 60,000 images (see `examples/generative_fashion.py`)
# gives convincing ones.

# %%
(x, _), _ = nt.data.load_fashion_mnist()
nt.manual_seed(0)
fashion_gan = nt.models.dense_gan(latent=64)
fashion_gan.compile(loss="non_saturating", learning_rate=2e-4)
history = fashion_gan.fit(x[:4000] * 2 - 1, epochs=3, batch_size=64, verbose=0)
print("d_loss per epoch", np.round(history.history["d_loss"], 3), " g_loss", np.round(history.history["g_loss"], 3))
samples = (fashion_gan.generate(32, seed=1) + 1) / 2
plt.figure(figsize=(8, 4))
plt.imshow(nt.viz.image_grid(samples, ncols=8), cmap="gray")
plt.axis("off")
plt.show()
