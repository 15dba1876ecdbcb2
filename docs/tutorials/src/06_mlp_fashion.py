# title: the course's 3-layer MLP on real Fashion-MNIST — training curves, confusion matrix, per-class scores
# %% [markdown]
# # The MLP on Fashion-MNIST
#
# Fashion-MNIST: 70,000 grey 28×28 photos of clothing in 10 classes (Zalando, MIT licence), a harder
# drop-in for handwritten digits. neuronet loads it offline from Debian's package archive into
# `~/.cache/neuronet` (`neuronet data fetch fashion-mnist`).
#
# The course's network: 784 inputs → 64 ReLU → 32 ReLU → 10 outputs (softmax inside the cross-entropy),
# SGD with momentum. **To run in seconds this notebook trains on 10,000 of the 60,000 training images for
# 4 epochs**; `neuronet train fashion-mlp` trains the full recipe (all images, 12 epochs: 87.1 % test
# accuracy in about 4 s on a 2-core laptop).

# %%
import numpy as np
import matplotlib.pyplot as plt
import neuronet as nt

nt.manual_seed(0)
(x_train, y_train), (x_test, y_test) = nt.data.load_fashion_mnist(flatten=True)
names = nt.data.FASHION_MNIST_CLASSES
print(x_train.shape, x_test.shape, "pixel range", x_train.min(), x_train.max())
x_train, y_train = x_train[:10_000], y_train[:10_000]

# %%
plt.figure(figsize=(8, 2.2))
plt.imshow(nt.viz.image_grid(x_train[:16].reshape(-1, 1, 28, 28), ncols=16), cmap="gray")
plt.title(", ".join(names[c] for c in y_train[:8]) + ", ...", fontsize=8)
plt.axis("off")
plt.show()

# %% [markdown]
# ## Build, compile, fit
# `Dense` layers find their input size on the first batch. 10 % of the training images are held out for
# validation, so the curves show generalisation during training.

# %%
model = nt.Sequential([nt.nn.Dense(64, activation="relu"), nt.nn.Dense(32, activation="relu"), nt.nn.Dense(10)])
model.compile(optimizer="momentum", loss="cross_entropy", metrics=["accuracy"], learning_rate=0.01)
history = model.fit(x_train, y_train, epochs=4, batch_size=64, validation_split=0.1, verbose=0)
model.summary()
print(model.evaluate(x_test, y_test))

# %% [markdown]
# ## Training curves
# Training and validation loss per epoch. `plot_fitting_curves` shades the epochs where the model is
# still under-fitting (validation loss falling) and those after the best validation epoch, where it
# starts to over-fit. After only four epochs on 9,000 images the model is most likely still under-fitting.

# %%
nt.viz.plot_fitting_curves(history, title="784-64-32-10 MLP, 9,000 training images")

# %% [markdown]
# ## What it gets wrong: the confusion matrix
# Rows are the true classes, columns the predicted ones; the right panel normalises each row. The
# classic confusions are shirt / T-shirt / pullover / coat — tops that differ in details a 28×28
# picture barely shows.

# %%
scores = model.predict(x_test)
nt.viz.plot_confusion_matrix(y_test, scores, class_names=names)

# %%
nt.viz.plot_classification_report(y_test, scores, class_names=names)

# %% [markdown]
# Some misclassified test images, with the predicted class (true class in brackets):

# %%
wrong = np.flatnonzero(scores.argmax(1) != y_test)[:8]
fig, axes = plt.subplots(1, 8, figsize=(10, 1.8))
for ax, k in zip(axes, wrong):
    ax.imshow(x_test[k].reshape(28, 28), cmap="gray")
    ax.set_title(f"{names[scores[k].argmax()]}\n({names[y_test[k]]})", fontsize=7)
    ax.axis("off")
plt.show()

# %% [markdown]
# ## Inside the network
# The first 16 neurons of each layer for one test image: inputs (pixels), the two hidden layers and the
# 10 class scores; lines show weight × activation, what actually flows (red positive, blue negative).

# %%
nt.viz.plot_network(model, x=x_test[0], layer_names=["pixels", "hidden 64", "hidden 32", "classes"])
