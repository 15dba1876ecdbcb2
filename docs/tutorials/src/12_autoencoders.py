# title: auto-encoders and the variational auto-encoder — reconstructions, a 2-D latent space, samples
# %% [markdown]
# # Auto-encoders and VAEs
#
# An **auto-encoder** learns to copy its input through a narrow middle layer, the **code**: the encoder
# compresses, the decoder reconstructs, the loss is the reconstruction error. To copy through 32 numbers
# what took 784 pixels, the network must find what matters in the images.
#
# A **variational auto-encoder** (Kingma & Welling 2014) makes the code a probability distribution: the
# encoder outputs a mean μ and a log-variance for each latent unit, a code $z = \mu + \sigma\varepsilon$ is
# sampled (the reparameterisation trick keeps it differentiable), and the loss adds a KL term that keeps
# the codes close to a standard normal — so decoding random normal $z$ gives new images.
#
# **To run in seconds: 5,000 Fashion-MNIST training images, 3 epochs each.** `examples/generative_fashion.py`
# trains the same models on all 60,000 with measured test scores.

# %%
import numpy as np
import matplotlib.pyplot as plt
import neuronet as nt

(x, y), (x_test, y_test) = nt.data.load_fashion_mnist()       # (N, 1, 28, 28) in [0, 1]
x, y = x[:5000], y[:5000]
names = nt.data.FASHION_MNIST_CLASSES

def show_rows(rows, labels, title=""):
    fig, axes = plt.subplots(len(rows), 1, figsize=(10, 1.2 * len(rows)))
    for ax, images, label in zip(axes, rows, labels):
        ax.imshow(nt.viz.image_grid(np.asarray(images).reshape(-1, 1, 28, 28), ncols=len(images)), cmap="gray")
        ax.set_ylabel(label, rotation=0, ha="right", va="center")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(title)
    plt.show()

# %% [markdown]
# ## A dense auto-encoder with a 32-number code
# 784 → 256 → 32 → 256 → 784 (sigmoid outputs: pixels in [0, 1]), mean squared error. `fit(x)` with no
# targets: the input is the target. A **denoising** auto-encoder sees noisy inputs and must reconstruct
# the clean image (`corruption=("gaussian", 0.4)`).

# %%
nt.manual_seed(0)
ae = nt.models.dense_autoencoder(code=32, hidden=(256,))
ae.compile("adam", loss="mse", learning_rate=1e-3)
ae.fit(x, epochs=3, batch_size=128, verbose=0)
nt.manual_seed(0)
dae = nt.models.dense_autoencoder(code=32, hidden=(256,), corruption=("gaussian", 0.4))
dae.compile("adam", loss="mse", learning_rate=1e-3)
dae.fit(x, epochs=3, batch_size=128, verbose=0)
noisy = np.clip(x_test[:10] + 0.4 * np.random.default_rng(0).standard_normal(x_test[:10].shape), 0, 1).astype(np.float32)
print("test MSE, auto-encoder:", float(np.mean((ae.reconstruct(x_test[:1000]) - x_test[:1000]) ** 2)))
show_rows([x_test[:10], ae.reconstruct(x_test[:10]), noisy, dae.reconstruct(noisy)],
          ["input", "AE", "noisy", "DAE"], "reconstructions of test images")

# %% [markdown]
# ## A VAE with a 2-D latent space
# Two latent units only, so the latent space can be drawn. Images are binarised on the fly (each pixel
# 1 with probability its grey level) and the decoder outputs Bernoulli logits; the loss is the negative
# ELBO (reconstruction + KL), in nats per image.

# %%
nt.manual_seed(0)
vae = nt.models.dense_vae(latent=2, hidden=(256, 128), binarize=True)
vae.compile("adam", learning_rate=1e-3)
history = vae.fit(x, epochs=3, batch_size=128, verbose=0)
print("negative ELBO per epoch:", np.round(history.history["loss"], 1))

# %% [markdown]
# Where the test images land: μ(x) of 2,000 test images coloured by class. Similar clothes cluster
# although the VAE never saw a label.

# %%
codes = vae.encode(x_test[:2000])
fig, ax = plt.subplots(figsize=(6, 5))
points = ax.scatter(codes[:, 0], codes[:, 1], c=y_test[:2000], cmap="tab10", s=4)
ax.legend(points.legend_elements()[0], names, fontsize=7, loc="best")
ax.set_xlabel("z₁")
ax.set_ylabel("z₂")
plt.show()

# %% [markdown]
# The decoder over a grid of codes from −2.5 to 2.5 in each direction — the 2-D "manifold" of clothes the
# VAE has learnt — and new images from random $z \sim \mathcal N(0, I)$:

# %%
t = np.linspace(-2.5, 2.5, 12)
grid = np.array([[a, b] for b in t[::-1] for a in t], np.float32)
plt.figure(figsize=(6, 6))
plt.imshow(nt.viz.image_grid(vae.decode(grid), ncols=12, pad=0), cmap="gray", extent=(-2.5, 2.5, -2.5, 2.5))
plt.xlabel("z₁")
plt.ylabel("z₂")
plt.show()

# %%
show_rows([vae.sample(12, seed=1), vae.interpolate(x_test[0], x_test[1], steps=12)],
          ["samples", "interpolation"], "VAE: random codes, and a straight line between two images' codes")
