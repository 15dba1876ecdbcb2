# title: energy-based networks — a Hopfield network recalls corrupted images, an RBM learns digit strokes
# %% [markdown]
# # Energy-based networks: Hopfield and RBM
#
# These networks assign an **energy** to every state and run downhill. A **Hopfield network** (1982)
# stores patterns as the valleys of its energy $E(s) = -\tfrac12 s^\top W s$ ($s_i = \pm1$, Hebb's rule
# $W = \tfrac1N\sum_p \xi_p \xi_p^\top$): started from a corrupted pattern, updating one unit at a time
# never raises the energy and ends in the nearest valley — an associative memory. A **restricted Boltzmann
# machine** is a probabilistic cousin with visible and hidden units, trained by contrastive divergence to
# give low energy to the data.

# %%
import tempfile
from pathlib import Path

import numpy as np
import matplotlib.pyplot as plt
from IPython.display import Image

import neuronet as nt
from neuronet.models.energy import Hopfield, RBM, flip_bits, to_bipolar

out = Path(tempfile.mkdtemp())                       # the energy pictures are written as PNG files
rng = np.random.default_rng(0)

# %% [markdown]
# ## A Hopfield network as a memory for digits
# One 14×14 thumbnail of each of five digits (MNIST, binarised to ±1) is stored in a network of 196 units.
# Each is then corrupted by flipping 20 % of its pixels and recalled.

# %%
x, y = nt.data.load_mnist_5k(flatten=True)
thumbs = x.reshape(-1, 28, 28)[:, ::2, ::2].reshape(-1, 196)
patterns = to_bipolar(thumbs[[np.flatnonzero(y == d)[0] for d in range(5)]])
noisy = flip_bits(patterns, 0.2, rng)
for rule in ("hebbian", "pseudo_inverse"):
    net = Hopfield(rule).store(patterns)
    restored, history = net.recall(noisy, rng=np.random.default_rng(1), return_history=True)
    print(f"{rule:15s} overlap with the stored digit before recall {Hopfield.overlap(noisy, patterns).round(2)}, "
          f"after {Hopfield.overlap(restored, patterns).round(2)}")
Image(nt.viz.save_recall_steps(history["states"], history["energy"], str(out / "recall.png"), (14, 14),
                               target=patterns, title="pseudo-inverse Hopfield network, 5 digits stored"))

# %% [markdown]
# Each row: the corrupted start, the state after each sweep over all units, and the stored pattern; the
# energy never rises. Overlap 1 is perfect recall, 0.6 is where 20 % flipped pixels start. Hebb's rule
# holds about $0.14N$ *random* patterns (Amit et al. 1985) but digits are strongly correlated (much ink in
# the same places), so Hebbian valleys merge and recall stays partial. The pseudo-inverse rule
# (Personnaz et al. 1986) removes the correlations before storing and recalls them much better.
#
# ## The modern Hopfield network is attention
# Ramsauer et al. (2020): with an exponential energy the update is
# $\xi \leftarrow X^\top \mathrm{softmax}(\beta X \xi)$ — exactly scaled dot-product attention with the stored
# patterns as keys and values. It can store all ten digits at once:

# %%
from neuronet.models.energy import ModernHopfield

ten = to_bipolar(thumbs[[np.flatnonzero(y == d)[0] for d in range(10)]])
modern = ModernHopfield(beta=0.1).store(ten)
noisy10 = flip_bits(ten, 0.2, rng)
print("modern Hopfield, 10 stored, one update: overlap",
      Hopfield.overlap(np.sign(modern.update(noisy10)), ten).mean().round(3),
      "| equals F.scaled_dot_product_attention:",
      np.allclose(modern.attention_update(noisy10).numpy(), modern.update(noisy10), atol=1e-5))

# %% [markdown]
# ## A restricted Boltzmann machine on MNIST
# 784 binary visible units (the binarised pixels), 64 hidden units, CD-1, **5 epochs on the 5,000-image
# MNIST subset** (seconds). Each hidden unit's weights, drawn as an image, is a stroke detector:

# %%
binary = (x > 0.5).astype(np.float32)
rbm = RBM(64, k=1, lr=0.05, momentum=0.5, batch_size=50, seed=0).fit(binary, epochs=5)
print("reconstruction error per image:", round(rbm.reconstruction_error(binary[:500]), 2))
Image(nt.viz.save_rbm_filters(rbm.weight, str(out / "rbm_filters.png"), (28, 28), count=64,
                              title="RBM filters, 64 hidden units"))

# %% [markdown]
# The free energy $F(v)$ is low for digit images and higher for noise with the same number of ink pixels;
# and Gibbs sampling from the model (alternating $h \sim p(h|v)$, $v \sim p(v|h)$) starting from noise
# drifts towards digit-like images:

# %%
shuffled = np.array([rng.permutation(v) for v in binary[:500]])
print(f"mean free energy: digits {rbm.free_energy(binary[:500]).mean():.1f}, "
      f"shuffled pixels {rbm.free_energy(shuffled).mean():.1f}")
samples = rbm.sample(16, steps=500)
plt.figure(figsize=(8, 1.3))
plt.imshow(nt.viz.image_grid(samples.reshape(-1, 1, 28, 28), ncols=16), cmap="gray")
plt.axis("off")
plt.show()
