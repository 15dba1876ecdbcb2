"""Recurrent and attention pictures: attention heat maps per layer and head, the sinusoidal
positional-encoding matrix, hidden-state trajectories, and the gradient norm through time."""
from __future__ import annotations

import numpy as np

from ._figure import finish, new_figure

__all__ = ["plot_attention_maps", "plot_positional_encoding", "plot_hidden_states", "gradient_norms_through_time",
           "plot_gradient_norms"]


def plot_attention_maps(weights, path=None, query_labels=None, key_labels=None, title: str = ""):
    """Attention weights as heat maps: rows are layers, columns heads.

    ``weights``: (L, S) for one map, (heads, L, S) for one layer, (layers, heads, L, S), or a list of
    per-layer arrays (heads, L, S) — e.g. what ``MultiHeadAttention(..., need_weights=True,
    average_attn_weights=False)`` returns for one sample.

    Example:
        >>> weights = np.random.dirichlet(np.ones(5), size=(2, 4))  # (heads, queries, keys), rows sum to 1
        >>> fig = nt.viz.plot_attention_maps(weights, "attention.png")
        >>> len([ax for ax in fig.axes if ax.images])  # one map per head
        2
    """
    w = np.asarray([np.asarray(a) for a in weights]) if isinstance(weights, (list, tuple)) else np.asarray(weights)
    while w.ndim < 4:
        w = w[None]
    if w.ndim != 4:
        raise ValueError(f"plot_attention_maps: expected weights (layers, heads, queries, keys), got shape {w.shape}")
    layers, heads, q, k = w.shape
    for labels, size, what in ((query_labels, q, "query_labels"), (key_labels, k, "key_labels")):
        if labels is not None and len(labels) != size:
            raise ValueError(f"plot_attention_maps: {len(labels)} {what} for {size} positions")
    cell = max(0.18, min(0.35, 6 / max(q, k)))
    fig, axes = new_figure("plot_attention_maps", (heads * (k * cell + 0.8) + 0.5, layers * (q * cell + 0.8) + 0.4),
                           layers, heads)
    for li in range(layers):
        for hi in range(heads):
            ax = axes[li, hi]
            ax.imshow(w[li, hi], cmap="viridis", vmin=0, vmax=max(1e-9, float(w[li, hi].max())), aspect="auto")
            ax.set_title(f"layer {li}, head {hi}", fontsize=8)
            if key_labels is not None and li == layers - 1:
                ax.set_xticks(range(k), [str(t) for t in key_labels], rotation=90, fontsize=7)
            else:
                ax.set_xticks([])
            if query_labels is not None and hi == 0:
                ax.set_yticks(range(q), [str(t) for t in query_labels], fontsize=7)
            else:
                ax.set_yticks([])
    fig.suptitle(title or "attention weights (row: query, column: key)", fontsize=10)
    fig.tight_layout()
    return finish(fig, path)


def plot_positional_encoding(max_len: int = 64, d_model: int = 128, path=None, dims=(0, 8, 20, 40), title: str = ""):
    """The sinusoidal encoding matrix PE(pos, i) of "Attention is all you need" (the values neuronet's
    ``SinusoidalPositionalEncoding`` adds), and a few of its columns as curves over positions.

    Example:
        >>> fig = nt.viz.plot_positional_encoding(max_len=32, d_model=16, path="pe.png", dims=(0, 4))
        >>> import os; os.path.exists("pe.png")
        True
    """
    from ..nn.layers.positional import sinusoidal_encoding
    pe = np.asarray(sinusoidal_encoding(max_len, d_model, dtype=np.float64))
    fig, axes = new_figure("plot_positional_encoding", (11, 3.8), 1, 2)
    ax = axes[0, 0]
    im = ax.imshow(pe, cmap="RdBu", vmin=-1, vmax=1, aspect="auto")
    ax.set_xlabel("encoding dimension i")
    ax.set_ylabel("position")
    ax.set_title(f"sinusoidal positional encoding ({max_len} positions × {d_model})", fontsize=10)
    fig.colorbar(im, ax=ax, fraction=0.046)
    ax = axes[0, 1]
    for d in dims:
        if d < d_model:
            ax.plot(pe[:, d], label=f"dim {d}")
    ax.set_xlabel("position")
    ax.set_title("a few dimensions: lower ones oscillate faster", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return finish(fig, path)


def _pca2(a):
    from .embedding import project_2d
    return project_2d(a, "pca")


def plot_hidden_states(states, path=None, labels=None, max_sequences: int = 10, title: str = ""):
    """Hidden-state trajectories: the states (N, T, H) (or one sequence (T, H)) projected on their first
    two principal components, one line per sequence from ○ (first step) to ■ (last), coloured by label.

    Example:
        >>> states = np.cumsum(np.random.randn(3, 20, 8), axis=1)  # 3 sequences of 20 states
        >>> fig = nt.viz.plot_hidden_states(states, "states.png", labels=[0, 1, 1])
        >>> import os; os.path.exists("states.png")
        True
    """
    s = np.asarray(states, dtype=np.float64)
    if s.ndim == 2:
        s = s[None]
    if s.ndim != 3:
        raise ValueError(f"plot_hidden_states: expected states (N, T, H) or (T, H), got shape {s.shape}")
    s = s[:max_sequences]
    n, t, h = s.shape
    xy = _pca2(s.reshape(n * t, h)).reshape(n, t, 2)
    fig, axes = new_figure("plot_hidden_states", (5.4, 4.6))
    ax = axes[0, 0]
    from matplotlib import colormaps
    cmap = colormaps["tab10"]
    for i in range(n):
        color = cmap(int(labels[i]) % 10 if labels is not None else i % 10)
        ax.plot(xy[i, :, 0], xy[i, :, 1], "-", color=color, lw=1.2, alpha=0.8,
                label=(f"class {labels[i]}" if labels is not None else f"sequence {i}"))
        ax.plot(*xy[i, 0], "o", mfc="white", color=color, ms=5)
        ax.plot(*xy[i, -1], "s", color=color, ms=5)
    handles, names = ax.get_legend_handles_labels()
    unique = dict(zip(names, handles))
    ax.legend(unique.values(), unique.keys(), fontsize=7)
    ax.set_xlabel("principal component 1")
    ax.set_ylabel("principal component 2")
    ax.set_title(title or f"hidden-state trajectories over {t} steps (○ start, ■ end)", fontsize=10)
    return finish(fig, path)


def gradient_norms_through_time(layer, x, seed: int = 0):
    """‖∂(v·h_T)/∂x_t‖ for every step t: how much of the last step's output reaches each earlier input
    (the vanishing-gradient picture), averaged over the batch; one backward pass.

    ``layer``: a recurrent layer or model mapping (N, T, F) to (N, T, H) or (N, H); ``v`` a fixed random unit vector.

    Example:
        >>> norms = nt.viz.gradient_norms_through_time(nt.nn.SimpleRNN(8), nt.randn(1, 30, 2))
        >>> norms.shape, bool(norms[0] < norms[-1])  # early steps receive less gradient: it vanishes
        ((30,), True)
    """
    from ..tensor import tensor
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(f"gradient_norms_through_time: expected sequences (N, T, features), got shape {x.shape}")
    xt = tensor(x, requires_grad=True)
    out = layer(xt)
    out = out[0] if isinstance(out, tuple) else out
    last = out[:, -1] if out.ndim == 3 else out
    v = np.random.default_rng(seed).standard_normal(last.shape[-1]).astype(last.dtype)
    (last * tensor(v / np.linalg.norm(v))).sum().backward()
    for p in layer.parameters():
        p.grad = None
    return np.sqrt((xt.grad.astype(np.float64) ** 2).sum(-1)).mean(0)


def plot_gradient_norms(norms, path=None, title: str = ""):
    """Gradient norm per time step on a log scale, one line per network (``{name: norms (T,)}``):
    steps far from the output get exponentially smaller gradients in a plain RNN.

    Example:
        >>> norms = {"rnn": np.logspace(-6, 0, 20), "lstm": np.logspace(-2, 0, 20)}
        >>> fig = nt.viz.plot_gradient_norms(norms, "norms.png")
        >>> len(fig.axes[0].get_lines())
        2
    """
    if not isinstance(norms, dict):
        norms = {"gradient norm": norms}
    fig, axes = new_figure("plot_gradient_norms", (6.0, 3.8))
    ax = axes[0, 0]
    for name, g in norms.items():
        g = np.asarray(g, dtype=np.float64)
        ax.semilogy(np.arange(1, len(g) + 1), np.maximum(g, 1e-300), "o-", ms=3, label=name)
    ax.set_xlabel("input time step t (the loss is read at the last step)")
    ax.set_ylabel("‖∂ output_T / ∂ x_t‖")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    ax.set_title(title or "gradient norm through time", fontsize=10)
    return finish(fig, path)
