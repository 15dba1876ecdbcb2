"""Pictures of a self-organising map: U-matrix, hit map and component planes, on its own grid
(squares for a rectangular map, hexagons for a hexagonal one)."""
from __future__ import annotations

import numpy as np

from ._figure import pyplot

__all__ = ["save_som_maps", "draw_som_grid"]


def draw_som_grid(ax, som, values, *, cmap="viridis", labels=None, title: str = ""):
    """Colour each unit of ``som`` (anything with ``rows, cols, coords, topology``) by ``values`` (rows, cols).

    Example:
        >>> from matplotlib.figure import Figure
        >>> som = nt.models.classic.SOM(3, 4, topology="hexagonal", seed=0).fit(np.random.rand(50, 2), epochs=1)
        >>> ax = Figure().subplots()
        >>> cells = nt.viz.draw_som_grid(ax, som, som.u_matrix())
        >>> len(cells.get_paths())  # one hexagon per unit
        12
    """
    values = np.asarray(values, dtype=np.float64)
    if values.shape != (som.rows, som.cols):
        raise ValueError(f"draw_som_grid: values of shape {values.shape} do not match the {som.rows}×{som.cols} map")
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import RegularPolygon

    hexagonal = som.topology == "hexagonal"
    patches = [RegularPolygon((c[1], -c[0]), numVertices=6 if hexagonal else 4,
                              radius=(1 / np.sqrt(3)) if hexagonal else np.sqrt(0.5),
                              orientation=0 if hexagonal else np.pi / 4) for c in som.coords]
    coll = PatchCollection(patches, cmap=cmap, edgecolor="white", linewidth=0.3)
    coll.set_array(values.reshape(-1))
    ax.add_collection(coll)
    if labels is not None:
        for c, text in zip(som.coords, np.asarray(labels).reshape(-1)):
            if text is not None and str(text) != "-1":
                ax.text(c[1], -c[0], str(text), ha="center", va="center", fontsize=6, color="tab:red")
    ax.set_xlim(som.coords[:, 1].min() - 1, som.coords[:, 1].max() + 1)
    ax.set_ylim(-som.coords[:, 0].max() - 1, -som.coords[:, 0].min() + 1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=9)
    return coll


def save_som_maps(som, x, path: str, *, y=None, feature_names=None, max_planes: int = 8, title: str = "") -> str:
    """U-matrix (with the majority label of each unit when ``y`` is given), hit map and up to ``max_planes``
    component planes of a trained SOM, in one PNG.

    Returns:
        ``path``.

    Example:
        >>> x = np.random.default_rng(0).random((100, 3))
        >>> som = nt.models.classic.SOM(4, 4, seed=0).fit(x, epochs=2)
        >>> nt.viz.save_som_maps(som, x, "som.png")
        'som.png'
    """
    plt = pyplot("save_som_maps")
    planes = som.component_planes()
    f = planes.shape[0]
    names = list(feature_names) if feature_names is not None else [f"feature {i}" for i in range(f)]
    if len(names) != f:
        raise ValueError(f"save_som_maps: {len(names)} feature names for {f} features")
    shown = np.linspace(0, f - 1, min(f, max_planes)).round().astype(int) if f > max_planes else np.arange(f)
    panels = 2 + len(shown)
    cols = min(panels, 5)
    rows = -(-panels // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(2.6 * cols, 2.6 * rows), squeeze=False)
    try:
        labels = som.label_map(x, y) if y is not None else None
        fig.colorbar(draw_som_grid(axes[0, 0], som, som.u_matrix(), cmap="bone_r", labels=labels,
                                   title="U-matrix" + (" (majority label)" if y is not None else "")), ax=axes[0, 0], fraction=0.046)
        fig.colorbar(draw_som_grid(axes[0, 1], som, som.hit_map(x), cmap="Blues", title="hit map"), ax=axes[0, 1], fraction=0.046)
        for k, i in enumerate(shown):
            ax = axes.flat[2 + k]
            fig.colorbar(draw_som_grid(ax, som, planes[i], cmap="coolwarm", title=f"component: {names[i]}"), ax=ax, fraction=0.046)
        for ax in axes.flat[panels:]:
            ax.axis("off")
        if title:
            fig.suptitle(title)
        fig.savefig(path, dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path
