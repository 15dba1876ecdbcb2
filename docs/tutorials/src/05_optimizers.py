# title: gradient descent, momentum, Nesterov, AdaGrad, RMSProp, Adam and newer ones on Rosenbrock and Beale
# %% [markdown]
# # Optimizers compared
#
# Every optimizer uses the gradient; they differ in what they do with it. Plain gradient descent takes a
# step of size `lr` along $-\nabla L$. **Momentum** accumulates a velocity (a running sum of past
# gradients), so it keeps rolling along a long shallow valley; **Nesterov** looks ahead before it
# computes the gradient. **AdaGrad**, **RMSProp** and **Adam** divide each coordinate by a running
# size of its own gradients, so steep and flat directions get comparable steps.
#
# The classic pictures run each optimizer on a 2-D surface. Here neuronet's real optimizers
# (`nt.optim`) take every step — the same objects that train networks.

# %%
import numpy as np
import neuronet as nt

nt.manual_seed(0)

# %% [markdown]
# ## Rosenbrock's banana valley
# $f(x, y) = (1-x)^2 + 100 (y - x^2)^2$, minimum at (1, 1) at the end of a long curved valley whose
# floor is almost flat. 400 steps from (−1.5, 2):

# %%
nt.viz.plot_optimizer_paths("rosenbrock", steps=400)

# %% [markdown]
# Gradient descent with a learning rate small enough not to blow up across the steep walls
# (1e-3) barely moves along the valley floor. Momentum and Nesterov, at the same learning rate, build up
# speed along the floor and get closest to the minimum in 400 steps; Adam and AdaGrad, which rescale each
# coordinate, also get far along the valley, while RMSProp at this learning rate is still on its way.
# The final losses are in the legend — and every ranking here depends on the learning rates chosen.
#
# ## Beale's function
# Flat plateaus and sharp ridges, minimum at (3, 0.5):

# %%
nt.viz.plot_optimizer_paths("beale", steps=400)

# %% [markdown]
# ## Your own choice of optimizers and settings
# Any name known to `nt.optim.get_optimizer` with its keyword arguments — here the newer optimizers
# the course names (Yogi, AdaBelief, AdamW) beside Adam, all with the same learning rate, and a
# learning-rate too large for plain SGD, which diverges (its path stops when it leaves the finite numbers).

# %%
import warnings

with warnings.catch_warnings():              # SGD's overflow on its way to infinity
    warnings.simplefilter("ignore", RuntimeWarning)
    paths = nt.viz.optimizer_trajectories("rosenbrock", {"adam": {"lr": 0.05}, "yogi": {"lr": 0.05},
                                                         "adabelief": {"lr": 0.05}, "adamw": {"lr": 0.05},
                                                         "sgd": {"lr": 0.01}}, steps=300)
f = nt.viz.SURFACES["rosenbrock"][0]
for name, p in paths.items():
    print(f"{name:10s} {len(p) - 1:4d} steps, final point {p[-1].round(3)}, loss {f(*p[-1]):.3g}")
nt.viz.plot_optimizer_paths("rosenbrock", {"adam": {"lr": 0.05}, "yogi": {"lr": 0.05}, "adabelief": {"lr": 0.05},
                                           "momentum": {"lr": 2e-3, "momentum": 0.9}}, steps=300)

# %% [markdown]
# ## The same optimizers on a network
# On a real problem (the 8×8 digits, a 64-32-10 MLP, 5 epochs each, mini-batches of 32) plain SGD at
# lr = 0.01 crawls; momentum (0.9) at the same rate and the adaptive methods at their usual 1e-3 all
# leave it far behind. Which of them wins depends on the learning rate — try others.

# %%
x, y = nt.data.load_digits()
x = x.reshape(len(x), -1)
curves = {}
for name, lr in (("sgd", 0.01), ("momentum", 0.01), ("rmsprop", 1e-3), ("adam", 1e-3)):
    nt.manual_seed(0)
    model = nt.Sequential([nt.nn.Dense(32, activation="relu"), nt.nn.Dense(10)])
    model.compile(optimizer=name, loss="cross_entropy", metrics=["accuracy"], learning_rate=lr)
    curves[name] = model.fit(x, y, epochs=5, batch_size=32, verbose=0).history["loss"]
    print(f"{name:9s} training loss per epoch: {np.round(curves[name], 3)}")

# %% [markdown]
# ## Learning-rate schedules
# The step size can change during training: step decay, exponential decay, cosine annealing, warm-up
# then cosine. `plot_lr_schedules` draws neuronet's schedules over 100 steps:

# %%
nt.viz.plot_lr_schedules()
