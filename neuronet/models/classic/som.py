"""Kohonen's self-organising map (1982): a grid of units whose weight vectors learn to tile the data
while neighbours on the grid stay neighbours in the data space.

For a sample x, the best-matching unit is ``c = argminⱼ |x − wⱼ|``; every unit j moves towards x by

    online:  wⱼ ← wⱼ + η(t) h_{cj}(t) (x − wⱼ)           (one sample at a time)
    batch:   wⱼ ← Σᵢ h_{c(i) j} xᵢ / Σᵢ h_{c(i) j}       (Kohonen's batch map: all samples, one epoch)

with the neighbourhood ``h_{cj} = exp(−d²_{cj} / 2σ²)`` (Gaussian) or ``[d_{cj} ≤ σ]`` (bubble), where d
is the distance between the two units on the grid (rectangular, or hexagonal with unit spacing), and
σ(t), η(t) decaying.  The batch map is vectorised over samples: the winners' sums are one matrix product.
"""
from __future__ import annotations

from ...backend import np
from ...checks import positive_int
from ._common import as_matrix, compiled_rules, positive_float, rng_for

__all__ = ["SOM", "decay"]

_DECAYS = ("asymptotic", "exponential", "linear")


def decay(start: float, t, total: int, kind: str = "asymptotic", end: float | None = None):
    """A parameter's value at step ``t`` of ``total``.

    ``asymptotic``: ``start / (1 + 2t/total)`` (minisom's default: ends at a third);
    ``exponential``: ``start · (end/start)^(t/total)``; ``linear``: from ``start`` to ``end``.
    ``end`` defaults to ``start / 100`` for the last two.

    Example:
        >>> [float(nt.models.classic.decay(1.0, t, 100, kind="linear", end=0.0)) for t in (0, 50, 100)]
        [1.0, 0.5, 0.0]
    """
    end = start / 100 if end is None else end
    frac = np.asarray(t, dtype=np.float64) / total
    if kind == "asymptotic":
        return start / (1 + 2 * frac)
    if kind == "exponential":
        return start * (end / start) ** frac
    if kind == "linear":
        return start + (end - start) * frac
    raise ValueError(f"SOM: decay must be one of {_DECAYS}, got {kind!r}")


class SOM:
    """A self-organising map on a rectangular or hexagonal grid.

    Args:
        rows, cols: grid size.
        topology: ``"rectangular"`` or ``"hexagonal"`` (odd rows shifted by half a unit, rows √3/2 apart,
            so that all six neighbours lie at distance 1).
        neighborhood: ``"gaussian"`` (exp(−d²/2σ²)) or ``"bubble"`` (1 within distance σ, else 0).
        sigma: initial neighbourhood radius in grid units (default max(rows, cols)/2).
        lr: initial learning rate η (online training; the batch map needs none).
        decay: schedule of σ and η: ``"asymptotic"``, ``"exponential"`` or ``"linear"`` (see :func:`decay`).
        sigma_end, lr_end: final values for the exponential and linear schedules (default σ: 0.5 grid units,
            η: lr/100).
        init: ``"pca"`` (the grid spans the first two principal components), ``"sample"`` (random
            samples), ``"random"`` (uniform within the data's range), or an array (rows, cols, features).
        seed: seed of the initialisation and the sample order.

    After ``fit``: ``weights (rows, cols, features)``,
    ``history = {"quantization_error": [...], "topographic_error": [...], "sigma": [...]}`` per epoch.

    Example:
        >>> x = np.random.default_rng(0).random((200, 3))
        >>> som = nt.models.classic.SOM(5, 5, seed=0).fit(x, epochs=5)
        >>> som.weights.shape, som.winner(x[:3]).shape, som.u_matrix().shape  # a 5x5 grid of 3-D prototypes
        ((5, 5, 3), (3,), (5, 5))
    """

    def __init__(self, rows: int, cols: int, topology: str = "rectangular", neighborhood: str = "gaussian",
                 sigma: float | None = None, lr: float = 0.5, decay: str = "asymptotic",
                 sigma_end: float = 0.5, lr_end: float | None = None, init="pca", seed=None):
        self.rows, self.cols = positive_int("SOM", "rows", rows), positive_int("SOM", "cols", cols)
        if topology not in ("rectangular", "hexagonal"):
            raise ValueError(f"SOM: topology must be 'rectangular' or 'hexagonal', got {topology!r}")
        if neighborhood not in ("gaussian", "bubble"):
            raise ValueError(f"SOM: neighborhood must be 'gaussian' or 'bubble', got {neighborhood!r}")
        if decay not in _DECAYS:
            raise ValueError(f"SOM: decay must be one of {_DECAYS}, got {decay!r}")
        self.topology, self.neighborhood, self.decay = topology, neighborhood, decay
        self.sigma = positive_float("SOM", "sigma", sigma if sigma is not None else max(rows, cols) / 2)
        self.lr = positive_float("SOM", "lr", lr)
        self.sigma_end, self.lr_end = positive_float("SOM", "sigma_end", sigma_end), lr_end
        self.init, self.seed = init, seed
        r, c = np.divmod(np.arange(rows * cols), cols)
        if topology == "hexagonal":
            self.coords = np.stack([r * np.sqrt(3) / 2, c + 0.5 * (r % 2)], axis=1)
        else:
            self.coords = np.stack([r, c], axis=1).astype(np.float64)
        diff = self.coords[:, None, :] - self.coords[None, :, :]
        self.grid_d2 = np.sum(diff ** 2, axis=-1)                   # (units, units) squared grid distances
        # grid neighbours: the 6 hexagonal ones at distance 1, or the 8 around a rectangular unit (minisom's)
        self.adjacent = (self.grid_d2 > 0) & (self.grid_d2 <= (1 + 1e-9 if topology == "hexagonal" else 2 + 1e-9))

    # --- pieces -----------------------------------------------------------------------------------
    @property
    def units(self) -> int:
        return self.rows * self.cols

    def neighbourhood(self, sigma: float):
        """h (units, units): h[c, j] = the weight of unit j's move when c wins."""
        if self.neighborhood == "gaussian":
            return np.exp(-self.grid_d2 / (2 * sigma * sigma))
        return (self.grid_d2 <= sigma * sigma).astype(np.float64)

    def _init_weights(self, x, rng):
        n, f = x.shape
        if not isinstance(self.init, str):
            w = np.array(self.init, dtype=np.float64)
            if w.shape != (self.rows, self.cols, f):
                raise ValueError(f"SOM: init array must have shape ({self.rows}, {self.cols}, {f}), got {w.shape}")
            return w.reshape(self.units, f)
        if self.init == "sample":
            return x[rng.choice(n, self.units, replace=n < self.units)].copy()
        if self.init == "random":
            lo, hi = x.min(axis=0), x.max(axis=0)
            return lo + (hi - lo) * rng.random((self.units, f))
        if self.init == "pca":
            mean = x.mean(axis=0)
            xc = x - mean
            values, vectors = np.linalg.eigh(xc.T @ xc / n)           # (features × features): cheap
            top = np.argsort(values)[::-1][:2]
            spread = np.sqrt(np.maximum(values[top], 0))
            pcs = vectors[:, top].T
            if f == 1:
                spread, pcs = np.array([spread[0], 0.0]), np.vstack([pcs, np.zeros((1, 1))])
            span = [np.linspace(-1, 1, k) if k > 1 else np.zeros(1) for k in (self.rows, self.cols)]
            a, b = np.meshgrid(*span, indexing="ij")
            return mean + 2 * (a.reshape(-1, 1) * spread[0] * pcs[0] + b.reshape(-1, 1) * spread[1] * pcs[1])
        raise ValueError(f"SOM: init must be 'pca', 'sample', 'random' or an array, got {self.init!r}")

    def _sq_distances(self, x, w):
        """|x − wⱼ|² for every sample and unit (N, units), as |x|² − 2 x·w + |w|² (one GEMM)."""
        d2 = (x * x).sum(axis=1)[:, None] - 2 * x @ w.T + (w * w).sum(axis=1)[None, :]
        return np.maximum(d2, 0)

    # --- training -----------------------------------------------------------------------------------
    def fit(self, x, epochs: int = 10, mode: str = "batch", shuffle: bool = True):
        """Train on ``x (N, features)`` for ``epochs`` passes, ``mode`` ``"batch"`` or ``"online"``.

        Online: σ and η follow the schedule over all ``epochs·N`` single-sample steps (as minisom's
        ``train``); batch: σ follows it over the epochs.
        """
        x = as_matrix("SOM.fit", x)
        epochs = positive_int("SOM.fit", "epochs", epochs)
        if mode not in ("batch", "online"):
            raise ValueError(f"SOM.fit: mode must be 'batch' or 'online', got {mode!r}")
        rng = rng_for(self.seed)
        w = self._init_weights(x, rng)
        n = x.shape[0]
        lr_end = self.lr / 100 if self.lr_end is None else self.lr_end
        self.history = {"quantization_error": [], "topographic_error": [], "sigma": []}
        total = epochs * n
        for epoch in range(epochs):
            if mode == "batch":
                sigma = float(decay(self.sigma, epoch, epochs, self.decay, self.sigma_end))
                bmu = self._sq_distances(x, w).argmin(axis=1)
                won = np.zeros((self.units, x.shape[0]))
                won[bmu, np.arange(x.shape[0])] = 1.0
                sums, counts = won @ x, won.sum(axis=1)                   # Σ and number of the samples each unit wins
                h = self.neighbourhood(sigma)                             # symmetric: h[c, j] = h[j, c]
                num, den = h @ sums, h @ counts
                keep = den > 1e-12
                w[keep] = num[keep] / den[keep, None]
            else:
                order = rng.permutation(n) if shuffle else np.arange(n)
                steps = epoch * n + np.arange(n)
                sigmas = decay(self.sigma, steps, total, self.decay, self.sigma_end)
                etas = decay(self.lr, steps, total, self.decay, lr_end)
                gaussian = self.neighborhood == "gaussian"
                grid_d2 = self.grid_d2
                if compiled_rules():
                    from ...kernels.classic import som_online_steps
                    som_online_steps(x, w, grid_d2, order, sigmas, etas, gaussian)
                    order = np.arange(0)            # done: the NumPy loop below is the reference
                for i, s, eta in zip(order.tolist(), sigmas.tolist(), etas.tolist()):  # one sample per step
                    diff = x[i] - w                                   # x − wⱼ for every unit, reused below
                    c = np.einsum("ij,ij->i", diff, diff).argmin()
                    h = np.exp(grid_d2[c] * (-0.5 / (s * s))) if gaussian else (grid_d2[c] <= s * s) * 1.0
                    h *= eta
                    w += h[:, None] * diff
                sigma = float(sigmas[-1])
            self.weights = w.reshape(self.rows, self.cols, -1)
            self.history["sigma"].append(sigma)
            self.history["quantization_error"].append(self.quantization_error(x))
            self.history["topographic_error"].append(self.topographic_error(x))
        self.weights = w.reshape(self.rows, self.cols, -1).copy()
        return self

    # --- reading the map ----------------------------------------------------------------------------
    def _flat(self, owner):
        if not hasattr(self, "weights"):
            raise ValueError(f"SOM.{owner}: call fit first")
        return self.weights.reshape(self.units, -1)

    def winner(self, x):
        """Index (row·cols + col) of each sample's best-matching unit, (N,)."""
        w = self._flat("winner")
        return self._sq_distances(as_matrix("SOM.winner", x, w.shape[1]), w).argmin(axis=1)

    def winner_coords(self, x):
        """(row, col) of each sample's best-matching unit, (N, 2)."""
        return np.stack(np.divmod(self.winner(x), self.cols), axis=1)

    def quantization_error(self, x) -> float:
        """Mean distance from each sample to its best-matching unit's weights."""
        w = self._flat("quantization_error")
        d2 = self._sq_distances(as_matrix("SOM.quantization_error", x, w.shape[1]), w)
        return float(np.sqrt(d2.min(axis=1)).mean())

    def topographic_error(self, x) -> float:
        """Fraction of samples whose best and second-best units are not grid neighbours."""
        w = self._flat("topographic_error")
        if self.units < 2:
            raise ValueError("SOM.topographic_error: undefined for a map of one unit")
        d2 = self._sq_distances(as_matrix("SOM.topographic_error", x, w.shape[1]), w)
        best2 = np.argpartition(d2, 1, axis=1)[:, :2]
        first = np.where(d2[np.arange(len(d2)), best2[:, 0]] <= d2[np.arange(len(d2)), best2[:, 1]],
                         best2[:, 0], best2[:, 1])
        second = best2[:, 0] + best2[:, 1] - first
        return float(1.0 - self.adjacent[first, second].mean())

    def u_matrix(self):
        """(rows, cols): each unit's mean weight distance to its grid neighbours (high = cluster border)."""
        w = self._flat("u_matrix")
        dist = np.sqrt(self._sq_distances(w, w))
        return ((dist * self.adjacent).sum(axis=1) / self.adjacent.sum(axis=1)).reshape(self.rows, self.cols)

    def hit_map(self, x):
        """(rows, cols): how many samples each unit wins."""
        return np.bincount(self.winner(x), minlength=self.units).reshape(self.rows, self.cols)

    def component_planes(self):
        """(features, rows, cols): one plane per input feature (its weight at every unit)."""
        self._flat("component_planes")
        return np.moveaxis(self.weights, -1, 0).copy()

    def label_map(self, x, y):
        """(rows, cols) majority label of the samples each unit wins (−1 where a unit wins none)."""
        bmu, y = self.winner(x), np.asarray(y).reshape(-1)
        classes = np.unique(y)
        votes = np.zeros((self.units, classes.size))
        np.add.at(votes, (bmu, np.searchsorted(classes, y)), 1)
        out = np.where(votes.sum(axis=1) > 0, classes[votes.argmax(axis=1)], -1)
        return out.reshape(self.rows, self.cols)
