"""Convolution pictures: learned filters, one input's feature maps through every layer, the classic
hand-made kernels applied to an image, and the padding/stride arithmetic drawn from real shapes."""
from __future__ import annotations

import math

import numpy as np

from ._figure import finish, grid_shape, new_figure
from ._model import layer_outputs

__all__ = ["plot_filters", "plot_feature_maps", "CLASSIC_KERNELS", "apply_kernels", "plot_classic_kernels",
           "conv_output_size", "plot_conv_arithmetic"]


def plot_filters(layer, path=None, max_filters: int = 32, title: str = ""):
    """The kernels of a convolution layer (or a weight array (out, in, kh, kw)), one tile per output channel:
    RGB when the layer reads 3 channels, else the mean over input channels in a red/blue map.

    Example:
        >>> conv = nt.nn.Conv2D(6, 5)
        >>> _ = conv(nt.zeros(1, 1, 28, 28))
        >>> fig = nt.viz.plot_filters(conv, "filters.png")
        >>> sum(bool(ax.images) for ax in fig.axes)  # one tile per kernel
        6
    """
    w = np.asarray(layer.weight.numpy() if hasattr(layer, "weight") else layer, dtype=np.float64)
    if w.ndim != 4:
        raise ValueError(f"plot_filters: expected a Conv2D layer or weights (out, in, kh, kw), got shape {w.shape}")
    n = min(w.shape[0], max_filters)
    rows, cols = grid_shape(n, 8)
    fig, axes = new_figure("plot_filters", (1.2 * cols, 1.3 * rows + 0.4), rows, cols)
    lim = np.abs(w[:n]).max() or 1.0
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= n:
            ax.axis("off")
            continue
        if w.shape[1] == 3:
            k = w[i].transpose(1, 2, 0)
            ax.imshow((k - k.min()) / ((k.max() - k.min()) or 1.0), interpolation="nearest")
        else:
            ax.imshow(w[i].mean(0), cmap="RdBu_r", vmin=-lim, vmax=lim, interpolation="nearest")
        ax.set_title(str(i), fontsize=7)
    fig.suptitle(title or f"{w.shape[0]} filters of {w.shape[2]}×{w.shape[3]} over {w.shape[1]} channel(s)",
                 fontsize=10)
    fig.tight_layout()
    return finish(fig, path)


def plot_feature_maps(model, x, path=None, max_channels: int = 8, title: str = ""):
    """One input image (C, H, W) through a Sequential: a row per layer with an image output, showing its
    first ``max_channels`` channels (the input itself in the first row).

    Example:
        >>> model = nt.Sequential([nt.nn.Conv2D(4, 3, activation="relu"), nt.nn.MaxPool2D(2)])
        >>> fig = nt.viz.plot_feature_maps(model, np.random.rand(1, 12, 12).astype(np.float32), "maps.png")
        >>> import os; os.path.exists("maps.png")
        True
    """
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 3:
        raise ValueError(f"plot_feature_maps: expected one image (C, H, W), got shape {x.shape}")
    rows_data = [("input", x)]
    for layer, out in layer_outputs(model, x[None]):
        if out.ndim == 4:
            rows_data.append((type(layer).__name__, out[0]))
    cols = max_channels
    fig, axes = new_figure("plot_feature_maps", (1.25 * cols + 1, 1.3 * len(rows_data)), len(rows_data), cols)
    for r, (name, maps) in enumerate(rows_data):
        for c in range(cols):
            ax = axes[r, c]
            ax.set_xticks([])
            ax.set_yticks([])
            if c >= maps.shape[0]:
                ax.axis("off")
                continue
            ax.imshow(maps[c], cmap="gray" if r == 0 else "viridis", interpolation="nearest")
            if c == 0:
                ax.set_ylabel(f"{name}\n{maps.shape[0]}×{maps.shape[1]}×{maps.shape[2]}", fontsize=7)
    fig.suptitle(title or "feature maps of one input, layer by layer", fontsize=10)
    fig.tight_layout()
    return finish(fig, path)


#: The course's hand-made 3×3 kernels.
CLASSIC_KERNELS = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], float),
    "edge (Laplacian)": np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], float),
    "Sobel x (vertical edges)": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], float),
    "Sobel y (horizontal edges)": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], float),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], float),
    "box blur": np.full((3, 3), 1 / 9),
    "Gaussian blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], float) / 16,
    "emboss": np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], float),
}


def apply_kernels(image, kernels=None):
    """Each kernel applied to a grey image (H, W) with ``F.conv2d`` (padding 'same', zeros): {name: (H, W)}.

    (A deep-learning "convolution" is a cross-correlation: the kernel is not flipped.)

    Example:
        >>> image = np.zeros((8, 8)); image[:, 4:] = 1.0  # a vertical edge
        >>> out = nt.viz.apply_kernels(image, {"box": np.ones((3, 3)) / 9})
        >>> out["box"].shape, round(float(out["box"][4, 4]), 3)  # same size; the blur averages across the edge
        ((8, 8), 0.667)
    """
    from .. import functional as F
    from ..tensor import tensor
    image = np.asarray(image, dtype=np.float32)
    if image.ndim != 2:
        raise ValueError(f"apply_kernels: expected a grey image (H, W), got shape {image.shape}")
    kernels = CLASSIC_KERNELS if kernels is None else kernels
    stack = np.stack([np.asarray(k, np.float32) for k in kernels.values()])[:, None]      # (K, 1, 3, 3)
    out = F.conv2d(tensor(image[None, None]), tensor(stack), None, 1, stack.shape[-1] // 2).numpy()[0]
    return dict(zip(kernels, out))


def plot_classic_kernels(image, path=None, kernels=None, title: str = ""):
    """The image and what each classic kernel (edge, Sobel, sharpen, box/Gaussian blur, emboss) makes of it,
    with the kernel's numbers printed under each result.

    Example:
        >>> image = np.zeros((16, 16)); image[4:12, 4:12] = 1.0  # a white square
        >>> fig = nt.viz.plot_classic_kernels(image, "kernels.png")
        >>> import os; os.path.exists("kernels.png")
        True
    """
    results = apply_kernels(image, kernels)
    kernels = CLASSIC_KERNELS if kernels is None else kernels
    rows, cols = grid_shape(len(results), 4)
    fig, axes = new_figure("plot_classic_kernels", (2.5 * cols, 3.3 * rows), rows, cols)
    for ax, (name, out) in zip(axes.flat, results.items()):
        ax.imshow(out, cmap="gray", interpolation="nearest")
        k = np.asarray(kernels[name])
        text = "\n".join(" ".join(f"{v:5.2g}" for v in row) for row in k) if k.shape[0] <= 3 else f"{k.shape}"
        ax.set_title(name, fontsize=9)
        ax.set_xlabel(text, fontsize=6, family="monospace")
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in list(axes.flat)[len(results):]:
        ax.axis("off")
    fig.suptitle(title or "classic kernels applied to an image", fontsize=10)
    fig.tight_layout()
    return finish(fig, path)


def conv_output_size(size: int, kernel: int, stride: int = 1, padding=0, dilation: int = 1):
    """(output size, padding before, padding after) along one axis.

    ``padding``: an int (both sides, PyTorch), ``"valid"`` (0) or ``"same"`` (Keras/TensorFlow: the output
    is ⌈size/stride⌉ and the extra padding goes after).  Valid/explicit: ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1.

    Example:
        >>> nt.viz.conv_output_size(28, 5), nt.viz.conv_output_size(28, 3, padding="same"), nt.viz.conv_output_size(7, 3, stride=2)
        ((24, 0, 0), (28, 1, 1), (3, 0, 0))
    """
    span = dilation * (kernel - 1) + 1
    if padding == "same":
        out = math.ceil(size / stride)
        total = max((out - 1) * stride + span - size, 0)
        return out, total // 2, total - total // 2
    p = 0 if padding == "valid" else int(padding)
    out = (size + 2 * p - span) // stride + 1
    if out < 1:
        raise ValueError(f"conv_output_size: kernel {kernel} (dilation {dilation}) does not fit input {size} "
                         f"with padding {padding}")
    return out, p, p


def plot_conv_arithmetic(configs=((5, 3, 1, "valid"), (5, 3, 1, "same"), (5, 3, 2, 1), (7, 3, 2, "valid")),
                         path=None, title: str = ""):
    """The courses' padding and stride diagrams, computed from the shapes: one panel per
    (input size, kernel, stride, padding) — the padded input grid (padding hatched), the windows of the
    first output row outlined, and the resulting output size.

    Example:
        >>> fig = nt.viz.plot_conv_arithmetic(path="arithmetic.png")
        >>> len(fig.axes)  # one diagram per (size, kernel, stride, padding)
        4
    """
    configs = [tuple(c) for c in configs]
    fig, axes = new_figure("plot_conv_arithmetic", (3.2 * len(configs), 3.6), 1, len(configs))
    from matplotlib.patches import Rectangle
    colors = ["#d62728", "#2ca02c", "#1f77b4", "#ff7f0e", "#9467bd"]
    for ax, (n, k, s, pad) in zip(axes.flat, configs):
        out, lo, hi = conv_output_size(n, k, s, pad)
        total = n + lo + hi
        for i in range(total):                                   # grid cells (a few dozen)
            for j in range(total):
                inside = lo <= i < lo + n and lo <= j < lo + n
                ax.add_patch(Rectangle((j, total - 1 - i), 1, 1, facecolor="#c6dbef" if inside else "white",
                                       edgecolor="0.4", hatch=None if inside else "///", lw=0.6))
        for c in range(min(out, len(colors))):                   # windows of output row 0
            d = 0.06 * (c + 1)                                   # nested insets keep overlapping windows apart
            ax.add_patch(Rectangle((c * s + d, total - k + d), k - 2 * d, k - 2 * d, fill=False,
                                   edgecolor=colors[c], lw=2.2))
        ax.set_xlim(-0.3, total + 0.3)
        ax.set_ylim(-0.3, total + 0.3)
        ax.set_aspect("equal")
        ax.axis("off")
        label = pad if isinstance(pad, str) else f"{pad}"
        ax.set_title(f"input {n}×{n}, kernel {k}×{k}, stride {s}, padding {label}\n→ output {out}×{out}"
                     + (f" (pad {lo}+{hi})" if lo or hi else ""), fontsize=8)
    fig.tight_layout()
    fig.suptitle(title or "padding and stride: where the kernel lands (first output row outlined)", fontsize=10,
                 y=1.06)
    return finish(fig, path)
