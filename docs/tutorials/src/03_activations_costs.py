# title: the activation functions and the cost functions, each beside its derivative
# %% [markdown]
# # Activations and costs
#
# A network learns through derivatives: back-propagation multiplies the derivative of every
# activation on the way back, and starts from the derivative of the cost. So the course shows each
# function **beside its derivative**. `nt.viz.plot_activations` draws neuronet's own functions and takes
# the derivatives from neuronet's own backward passes (not from formulas typed twice).

# %%
import numpy as np
import neuronet as nt
import neuronet.functional as F

nt.viz.plot_activations()

# %% [markdown]
# What to read off the sheet:
# - **sigmoid** and **tanh** saturate: far from 0 the derivative is almost 0, so gradients vanish in deep
#   stacks. The sigmoid's derivative is at most 0.25 — ten sigmoid layers shrink a gradient by 0.25¹⁰ ≈ 10⁻⁶.
# - **ReLU** has derivative exactly 1 for positive inputs (no vanishing) but 0 for negative ones ("dead"
#   units); **leaky ReLU**, **ELU**, **SiLU** and **GELU** keep a small slope there.
# - **Heaviside step** and **sign** have derivative 0 almost everywhere: the perceptron's activations,
#   useless for gradient descent.
#
# Autograd's derivative equals the textbook formula, e.g. $\sigma'(z) = \sigma(z)(1-\sigma(z))$ and
# $\tanh'(z) = 1 - \tanh^2(z)$:

# %%
z = nt.tensor(np.linspace(-4, 4, 9), requires_grad=True)
F.sigmoid(z).sum().backward()
s = 1 / (1 + np.exp(-z.numpy()))
print("sigmoid'  autograd:", z.grad.round(4))
print("          formula: ", (s * (1 - s)).round(4))
z.grad = None
F.tanh(z).sum().backward()
print("tanh'     autograd:", z.grad.round(4))
print("          formula: ", (1 - np.tanh(z.numpy()) ** 2).round(4))

# %% [markdown]
# `nt.gradcheck` compares any function's backward with central finite differences in float64 —
# how neuronet tests every one of these functions:

# %%
t = nt.tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True, dtype="float64")
for name in ("sigmoid", "tanh", "softsign", "elu", "silu", "gelu"):
    fn = getattr(F, name)
    print(name, nt.gradcheck(lambda u: fn(u).sum(), t))

# %% [markdown]
# ## Cost functions
# The cost compares the prediction with the target. Regression: mean squared error (MSE), mean
# absolute error (MAE), Huber (quadratic near 0, linear far away — robust to outliers). Classification:
# cross-entropy on probabilities (binary or categorical), hinge (targets ±1). Each beside its
# derivative with respect to the prediction:

# %%
nt.viz.plot_losses()

# %% [markdown]
# ## Why cross-entropy for classification
# A sigmoid output that is confidently wrong (target 1, prediction 0.01): with MSE the gradient
# reaching the weighted sum $z$ is multiplied by $\sigma'(z) \approx 0.01$ and learning crawls; with
# cross-entropy the $\sigma'$ cancels and the gradient is $a - y \approx -1$.

# %%
for name, loss_fn in (("MSE", F.mse_loss), ("cross-entropy", F.binary_cross_entropy)):
    zz = nt.tensor(np.array([np.log(0.01 / 0.99)]), requires_grad=True, dtype="float64")  # sigmoid(z) = 0.01
    loss_fn(F.sigmoid(zz), nt.tensor(np.array([1.0]), dtype="float64")).backward()
    print(f"{name:14s} dL/dz = {zz.grad[0]:+.4f}")

# %% [markdown]
# And the multi-class case: softmax turns scores (logits) into probabilities, and `F.cross_entropy`
# on logits equals the negative log of the probability given to the right class:

# %%
logits = nt.tensor([[2.0, 1.0, 0.1]])
probs = F.softmax(logits, axis=-1).numpy()
print("softmax:", probs.round(3), " -log p[class 0] =", round(-np.log(probs[0, 0]), 4),
      " F.cross_entropy =", round(F.cross_entropy(logits, nt.tensor([0])).item(), 4))
