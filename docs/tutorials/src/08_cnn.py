# title: convolution — classic kernels, padding and stride, a small CNN's learned filters and feature maps
# %% [markdown]
# # Convolutional networks
#
# A convolution slides a small grid of weights (a **kernel** or filter) over the image and writes one
# weighted sum per position: the **feature map**. The same few weights are used everywhere, so a
# convolutional layer has far fewer weights than a dense one and finds a pattern wherever it is.

# %%
import numpy as np
import matplotlib.pyplot as plt
import neuronet as nt
import neuronet.functional as F

nt.manual_seed(0)
_, (x_test, y_test) = nt.data.load_fashion_mnist()
image = x_test[0, 0]                               # an ankle boot, 28×28 in [0, 1]

# %% [markdown]
# ## The classic kernels
# Before networks learnt their filters, image processing designed them: edge detectors (Laplacian,
# Sobel), sharpen, box and Gaussian blur, emboss. Each panel is `F.conv2d` of the image with that
# 3×3 kernel — exactly what a convolutional layer computes.

# %%
print("Sobel x:\n", nt.viz.CLASSIC_KERNELS["Sobel x (vertical edges)"])
nt.viz.plot_classic_kernels(image)

# %% [markdown]
# ## Padding and stride
# A 3×3 kernel fits $n - 2$ times along a side of $n$ pixels ('valid'); padding with zeros keeps the size
# ('same'); stride 2 skips every other position. Output size
# $\lfloor (n + 2p - d(k-1) - 1)/s \rfloor + 1$ — the same sizes `Conv2D` produces:

# %%
for n, k, s, p in ((28, 3, 1, 0), (28, 3, 1, 1), (28, 3, 2, 1), (28, 5, 1, 2)):
    layer_out = nt.nn.Conv2D(1, k, strides=s, padding=p)(nt.tensor(np.zeros((1, 1, n, n), np.float32))).shape
    print(f"n={n} k={k} stride={s} padding={p}: formula {nt.viz.conv_output_size(n, k, s, p)[0]}, Conv2D {layer_out[2:]}")
nt.viz.plot_conv_arithmetic()

# %% [markdown]
# ## A small CNN on the 8×8 digits
# Two convolutional layers (8 then 16 filters of 3×3), one max-pooling, a dense classifier.
# **Small on purpose**: 1,400 training images of 8×8 pixels, 12 epochs, a few seconds.

# %%
x, y = nt.data.load_digits(flatten=False)          # (1797, 1, 8, 8)
order = np.random.default_rng(0).permutation(len(x))
train, test = order[:1400], order[1400:]
model = nt.Sequential([nt.nn.Conv2D(8, 3, padding=1, activation="relu"), nt.nn.MaxPool2D(2),
                       nt.nn.Conv2D(16, 3, activation="relu"), nt.nn.Flatten(), nt.nn.Dense(10)])
model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"], learning_rate=3e-3)
history = model.fit(x[train], y[train], epochs=12, batch_size=32, verbose=0)
model.summary()
print("test accuracy:", model.evaluate(x[test], y[test])["accuracy"])

# %% [markdown]
# ## What it learnt
# The eight 3×3 filters of the first layer (red positive, blue negative weights), then one test digit
# through every layer: each row is one layer's feature maps (the first 8 channels).

# %%
nt.viz.plot_filters(model[0])

# %%
nt.viz.plot_feature_maps(model, x[test[0]])

# %% [markdown]
# And the confusion matrix on the 397 held-out digits:

# %%
nt.viz.plot_confusion_matrix(y[test], model.predict(x[test]))
