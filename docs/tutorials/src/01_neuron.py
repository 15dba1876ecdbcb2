# title: one neuron — weighted sum and activation — and logistic regression trained by gradient descent
# %% [markdown]
# # The neuron and logistic regression
#
# An artificial neuron computes a **weighted sum** of its inputs plus a bias, then passes it through an
# **activation**: $a = \sigma(w \cdot x + b)$. With the logistic sigmoid $\sigma(z) = 1/(1+e^{-z})$ the
# output lies in $(0, 1)$ and reads as a probability: that neuron *is* logistic regression.
#
# This notebook computes one neuron by hand, then trains one on real data (two classes of Iris) by
# gradient descent, first with an explicit loop over tensors and autograd, then with `compile`/`fit`.

# %%
import numpy as np
import neuronet as nt
import neuronet.functional as F

nt.manual_seed(0)

# %% [markdown]
# ## One neuron by hand
# Three inputs, three weights, one bias. `nt.tensor` wraps a NumPy array; the operators build the
# computation that autograd can later differentiate.

# %%
x = nt.tensor([1.0, 2.0, -1.0])
w = nt.tensor([0.5, -0.25, 0.1])
b = nt.tensor(0.2)
z = (w * x).sum() + b            # weighted sum: 0.5 - 0.5 - 0.1 + 0.2 = 0.1
a = F.sigmoid(z)                 # activation
print(f"z = {z.item():.3f}, a = sigmoid(z) = {a.item():.4f}  (by hand: {1 / (1 + np.exp(-0.1)):.4f})")

# %% [markdown]
# ## The data: two Iris species, two features
# Versicolor against virginica, described by petal length and petal width (cm). The two classes
# overlap a little, so no straight line separates them perfectly — a fair test for a linear model.
# Standardising the features (zero mean, unit variance, fitted on the training part only) lets
# gradient descent use one learning rate for both weights.

# %%
x_all, y_all = nt.data.load_iris()
keep = y_all > 0                                      # versicolor (1) and virginica (2)
x2 = x_all[keep][:, 2:4]                              # petal length, petal width
y2 = (y_all[keep] == 2).astype(np.float32)            # 1 = virginica
x_train, x_test, y_train, y_test = nt.data.train_test_split(x2, y2, test_size=0.3, seed=0)
scaler = nt.data.StandardScaler().fit(x_train)
x_train, x_test = scaler.transform(x_train), scaler.transform(x_test)
print(x_train.shape, x_test.shape, "virginica share in training:", y_train.mean())

# %% [markdown]
# ## Gradient descent, written out
# The loss is the binary cross-entropy $L = -\frac1N\sum [y \log a + (1-y)\log(1-a)]$. For a sigmoid
# neuron its gradient is the famously simple $\partial L/\partial z = a - y$. Autograd finds it for us:
# `loss.backward()` fills `w.grad` and `b.grad`, and each step moves the parameters against them
# (batch gradient descent: the whole training set per step).

# %%
w = nt.tensor(np.zeros((2, 1), np.float32), requires_grad=True)
b = nt.tensor(np.zeros(1, np.float32), requires_grad=True)
xt, yt = nt.tensor(x_train), nt.tensor(y_train[:, None])
losses = []
for step in range(200):
    p = F.sigmoid(xt @ w + b)
    loss = F.binary_cross_entropy(p, yt)
    w.grad = b.grad = None
    loss.backward()
    with nt.no_grad():
        w.data -= 0.5 * w.grad
        b.data -= 0.5 * b.grad
    losses.append(loss.item())
p_test = F.sigmoid(nt.tensor(x_test) @ w + b).numpy()[:, 0]
print(f"loss {losses[0]:.3f} -> {losses[-1]:.3f}; test accuracy {np.mean((p_test > 0.5) == y_test):.3f}")

# %% [markdown]
# Autograd's gradient equals the formula $X^\top (a - y) / N$ (one more backward pass at the final weights):

# %%
w.grad = None
F.binary_cross_entropy(F.sigmoid(xt @ w + b), yt).backward()
a_train = F.sigmoid(xt @ w + b).numpy()
print(w.grad.ravel(), (x_train.T @ (a_train - y_train[:, None]) / len(x_train)).ravel())
assert np.allclose(w.grad, x_train.T @ (a_train - y_train[:, None]) / len(x_train), atol=1e-6)

# %% [markdown]
# ## The same neuron with `compile` and `fit`
# A `Dense(1)` layer is the weighted sum; `loss="bce_with_logits"` folds the sigmoid into the loss
# (numerically stable). The picture shows the model's probability over the plane: a logistic
# regression always separates with a **straight line**, the black contour where $p = 0.5$.

# %%
model = nt.Sequential([nt.nn.Dense(1, in_features=2)])
model.compile(optimizer="sgd", loss="bce_with_logits", metrics=["binary_accuracy"], learning_rate=0.5)
history = model.fit(x_train, y_train[:, None], epochs=50, batch_size=len(x_train), verbose=0)
print(model.evaluate(x_test, y_test[:, None]))
nt.viz.plot_decision_boundary(model, x_test, y_test, title="logistic regression: versicolor (red) vs virginica (blue)")

# %% [markdown]
# The learned weights are two numbers and a bias; the network diagram draws them red (positive) or
# blue (negative) with thickness by magnitude — the picture the course uses for every MLP to come.

# %%
print("weight", model[0].weight.numpy(), "bias", model[0].bias.numpy())
nt.viz.plot_network(model, layer_names=["petal length, width", "P(virginica) logit"])
