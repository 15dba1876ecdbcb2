# title: XOR — why one neuron cannot learn it, and how one hidden layer can
# %% [markdown]
# # XOR and why one neuron fails
#
# XOR outputs 1 when exactly one of its two inputs is 1. Its four points cannot be split by one
# straight line — and a single neuron (perceptron or logistic regression) can only draw one straight
# line. Minsky and Papert's 1969 observation; a hidden layer fixes it by bending the input space.

# %%
import numpy as np
import neuronet as nt

nt.manual_seed(0)
x, y = nt.data.xor()          # x (4, 2), y (4, 1) in {0, 1}
labels = y.ravel()            # (4,) for the plots
print(np.c_[x, y])

# %% [markdown]
# ## Rosenblatt's perceptron never converges on XOR
# The perceptron learning rule stops as soon as every point is right — on AND it does, on XOR it
# cycles for ever. We give it 100 epochs on each.

# %%
from neuronet.models.classic import Perceptron

for gate in ("AND", "XOR"):
    xg, yg = nt.data.logic_gate(gate)
    yg = yg.ravel()
    p = Perceptron(epochs=100).fit(xg, yg)
    print(f"{gate}: perceptron accuracy {np.mean(p.predict(xg) == yg):.2f}")

# %% [markdown]
# ## Logistic regression is stuck too
# Trained by gradient descent on the cross-entropy, one sigmoid neuron settles where it is least
# wrong: for XOR that is the loss $\ln 2 \approx 0.693$, probability ½ for every point — it learns
# nothing. Any straight line it could draw gets at most 3 of the 4 points right.

# %%
neuron = nt.Sequential([nt.nn.Dense(1, in_features=2)])
neuron.compile(optimizer="adam", loss="bce_with_logits", metrics=["binary_accuracy"], learning_rate=0.1)
neuron.fit(x, y, epochs=300, batch_size=4, verbose=0)
print("one neuron:", neuron.evaluate(x, y))
nt.viz.plot_decision_boundary(neuron, x, labels, title="one neuron on XOR: a straight line")

# %% [markdown]
# ## One hidden layer of 4 tanh neurons solves it
# Each hidden neuron draws its own line; the output neuron combines the half-planes. The frame grid
# shows the boundary bending during training (the TensorFlow-Playground picture).

# %%
mlp = nt.Sequential([nt.nn.Dense(4, activation="tanh", in_features=2), nt.nn.Dense(1)])
mlp.compile(optimizer="adam", loss="bce_with_logits", metrics=["binary_accuracy"], learning_rate=0.1)
nt.viz.plot_boundary_frames(mlp, x, labels, epochs=200, frames=6, batch_size=4)

# %%
print("2-4-1 MLP:", mlp.evaluate(x, y))
print("probabilities:", (1 / (1 + np.exp(-mlp.predict(x)))).ravel().round(3), "targets:", labels)

# %% [markdown]
# ## What the hidden neurons see
# Each panel is one hidden neuron's activation over the input plane: each is a soft half-plane
# (a straight-line boundary), and XOR is their combination.

# %%
nt.viz.plot_hidden_features(mlp, x, labels, layer=0)

# %% [markdown]
# The trained network with its weights (red positive, blue negative) and the activations of the input
# (1, 0) flowing through it:

# %%
nt.viz.plot_network(mlp, x=x[2])
