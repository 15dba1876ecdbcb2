"""The network diagram of a small MLP: neurons as circles, weights as red (positive) / blue (negative)
lines whose opacity grows with |w|; optionally one input's activations flowing through."""
from __future__ import annotations

import numpy as np

from ._figure import finish, new_figure
from ._model import dense_layers, layer_outputs

__all__ = ["plot_network"]


def _weights_of(model):
    if isinstance(model, (list, tuple)):
        return [np.asarray(w) for w in model]
    layers = dense_layers(model)
    unbuilt = model.unbuilt_modules() if hasattr(model, "unbuilt_modules") else []
    if not layers or unbuilt:  # a lazy layer not built yet would be left out of the drawing
        raise ValueError(f"plot_network: {type(model).__name__} has layers not built yet ({', '.join(unbuilt) or 'all'}): "
                         "call it on a batch or pass x= first")
    return [np.asarray(layer.weight.numpy()) for layer in layers]


def _activations(model, x, n_dense):
    """The input and each Dense layer's output after its activation (and any activation layer after it)."""
    acts = [np.asarray(x, dtype=np.float32).reshape(-1)]
    seen = 0
    for layer, out in layer_outputs(model, acts[0][None]):
        if getattr(layer, "weight", None) is not None and getattr(layer.weight, "ndim", 0) == 2:
            acts.append(out[0])
            seen += 1
        elif seen:
            acts[-1] = out[0].reshape(-1)
    if len(acts) != n_dense + 1:
        raise ValueError("plot_network: could not follow the input through every Dense layer")
    return acts


def plot_network(model, path=None, x=None, max_neurons: int = 16, layer_names=None, title: str = ""):
    """Draw an MLP (a model with Dense layers, or a list of weight matrices (out, in)).

    Args:
        x: one input sample; neurons are then filled by their activation (dark = large), and the
            lines show w·activation (what actually flows) instead of w.
        max_neurons: neurons drawn per layer (the first ones; the layer's size is written under it).
        layer_names: a label per column (default: input, hidden 1, …, output).

    Returns:
        the matplotlib Figure (written to ``path`` as a PNG when given).

    Example:
        >>> model = nt.Sequential([nt.nn.Dense(3, activation="tanh", in_features=2), nt.nn.Dense(1)])
        >>> fig = nt.viz.plot_network(model, "network.png", x=np.array([1.0, -1.0]))  # red +, blue -, with activations
        >>> import os; os.path.getsize("network.png") > 0
        True
    """
    if x is not None and not isinstance(model, (list, tuple)):
        layer_outputs(model, np.asarray(x, dtype=np.float32).reshape(1, -1))  # builds lazy layers
    weights = _weights_of(model)
    for i in range(1, len(weights)):
        if weights[i].shape[1] != weights[i - 1].shape[0]:
            raise ValueError(f"plot_network: weight {i} is {weights[i].shape} (out, in) but layer {i - 1} has "
                             f"{weights[i - 1].shape[0]} outputs")
    sizes = [weights[0].shape[1]] + [w.shape[0] for w in weights]
    acts = _activations(model, x, len(weights)) if x is not None else None
    shown = [min(s, max_neurons) for s in sizes]
    fig, axes = new_figure("plot_network", (1.8 * len(sizes) + 1, 0.42 * max(shown) + 1.5))
    ax = axes[0, 0]
    ys = [np.linspace(-(k - 1) / 2, (k - 1) / 2, k) for k in shown]
    for i, w in enumerate(weights):
        flow = w[:shown[i + 1], :shown[i]]
        if acts is not None:
            flow = flow * acts[i][None, :shown[i]]
        scale = np.abs(flow).max() or 1.0
        for a in range(shown[i + 1]):                     # lines: one per weight drawn (few, by design)
            for b in range(shown[i]):
                v = flow[a, b]
                ax.plot([i, i + 1], [ys[i][b], ys[i + 1][a]], color="#d62728" if v > 0 else "#1f77b4",
                        alpha=0.08 + 0.85 * abs(v) / scale, lw=0.5 + 2.0 * abs(v) / scale, zorder=1)
    for i, k in enumerate(shown):
        if acts is not None:
            a = acts[i][:k]
            level = (a - a.min()) / ((a.max() - a.min()) or 1.0)
            colors = [(1 - 0.8 * v, 1 - 0.8 * v, 1 - 0.8 * v) for v in level]
        else:
            colors = ["white"] * k
        ax.scatter(np.full(k, i), ys[i], s=260, c=colors, edgecolors="black", linewidths=1.0, zorder=2)
        if acts is not None:
            for y, v in zip(ys[i], acts[i][:k]):
                ax.text(i, y, f"{v:.1f}", ha="center", va="center", fontsize=6, zorder=3,
                        color="white" if v > acts[i][:k].mean() + 1e-12 and k > 1 else "black")
    names = layer_names or (["input"] + [f"hidden {j}" for j in range(1, len(sizes) - 1)] + ["output"])
    bottom = -max(shown) / 2 - 0.3
    for i, (name, n) in enumerate(zip(names, sizes)):
        ax.text(i, bottom, f"{name}\n{n} neurons" + ("" if n == shown[i] else f" ({shown[i]} shown)"),
                ha="center", va="top", fontsize=8)
    ax.set_xlim(-0.5, len(sizes) - 0.5)
    ax.set_ylim(bottom - 0.9, max(shown) / 2 + 0.3)
    ax.axis("off")
    ax.set_title(title or ("activations flowing through the network (red +, blue −)" if acts is not None
                           else "weights: red positive, blue negative, opacity |w|"), fontsize=9)
    return finish(fig, path)
