"""Hebbian learning: Hebb's rule (1949), its runaway growth, and Oja's (1982) normalised rule, which finds
the first principal component; Sanger's generalised Hebbian algorithm (1989) finds the first k in order.

For a linear neuron ``y = W x`` and learning rate η:

    Hebb:    ΔW = η y xᵀ                                  (weights grow without bound)
    Oja:     Δw = η y (x − y w)                            (|w| → 1, w → ±first eigenvector of E[x xᵀ])
    Sanger:  ΔW = η (y xᵀ − LT[y yᵀ] W)                    (rows → the first k eigenvectors, in order)
    subspace (Oja 1989): ΔW = η (y xᵀ − y yᵀ W)           (rows span the top-k subspace, not ordered)

Online updates follow one sample at a time; the batch forms average the update over all samples,
``ΔW = η (W C − LT[W C Wᵀ] W)`` with ``C = XᵀX / N``, one matrix product per epoch.
"""
from __future__ import annotations

from ...backend import np
from ...checks import positive_int
from ._common import as_matrix, compiled_rules, positive_float, rng_for

__all__ = ["hebb_update", "Hebb", "Oja"]


def hebb_update(w, x, y, lr: float):
    """One plain Hebbian step for a batch: ``W + η Σᵢ yᵢ xᵢᵀ`` with x (N, in), y (N, out), W (out, in).

    Example:
        >>> w = np.zeros((1, 2))
        >>> nt.models.classic.hebb_update(w, np.array([[1.0, 2.0]]), np.array([[3.0]]), lr=0.1).tolist()
        [[0.30000000000000004, 0.6000000000000001]]
    """
    return w + lr * np.asarray(y).T @ np.asarray(x)


class Hebb:
    """A linear associator ``y = W x`` trained by Hebb's rule.

    Supervised (``fit(x, t)``): the outer-product storage ``W = η Σᵢ tᵢ xᵢᵀ`` (one matrix product), which
    recalls ``t`` exactly when the inputs are orthonormal.  Unsupervised (``fit(x)``): the rule ΔW = η y xᵀ
    with the neuron's own output, online, from a random start — its norm grows without bound
    (``history["norm"]``), the reason for Oja's rule.

    Args:
        lr: learning rate η.
        epochs: passes (unsupervised form).
        units: outputs of the unsupervised neuron.
        mode: unsupervised form, ``"online"`` (after every sample) or ``"batch"`` (ΔW = η Σᵢ yᵢ xᵢᵀ once per epoch).
        seed: seed of the initial weights (unsupervised form).

    Example:
        >>> x = np.array([[1.0, -1.0], [-1.0, 1.0]])
        >>> hebb = nt.models.classic.Hebb(lr=0.5).fit(x, np.array([[1.0], [-1.0]]))  # supervised: y given
        >>> hebb.weight.tolist()  # sum of y x^T times lr
        [[1.0, -1.0]]
    """

    def __init__(self, lr: float = 1.0, epochs: int = 1, units: int = 1, mode: str = "online", seed=None):
        if mode not in ("online", "batch"):
            raise ValueError(f"Hebb: mode must be 'online' or 'batch', got {mode!r}")
        self.mode = mode
        self.lr = positive_float("Hebb", "lr", lr)
        self.epochs = positive_int("Hebb", "epochs", epochs)
        self.units = positive_int("Hebb", "units", units)
        self.seed = seed

    def fit(self, x, t=None):
        x = as_matrix("Hebb.fit", x)
        if t is not None:
            t = np.asarray(t, dtype=np.float64)
            t = t[:, None] if t.ndim == 1 else t
            if t.shape[0] != x.shape[0]:
                raise ValueError(f"Hebb.fit: {x.shape[0]} inputs but targets of shape {t.shape}")
            self.weight = hebb_update(np.zeros((t.shape[1], x.shape[1])), x, t, self.lr)
            self.history = {"norm": [float(np.linalg.norm(self.weight))]}
            return self
        w = rng_for(self.seed).normal(0, 0.1, (self.units, x.shape[1]))
        self.history = {"norm": []}
        for _ in range(self.epochs):
            if self.mode == "batch":
                w = hebb_update(w, x, x @ w.T, self.lr)       # ΔW = η Σᵢ yᵢ xᵢᵀ with the epoch's starting W
            else:
                for xi in x:
                    w += self.lr * np.outer(w @ xi, xi)
            self.history["norm"].append(float(np.linalg.norm(w)))
        self.weight = w
        return self

    def predict(self, x):
        """The linear output ``x Wᵀ``."""
        if not hasattr(self, "weight"):
            raise ValueError("Hebb.predict: call fit first")
        return as_matrix("Hebb.predict", x, self.weight.shape[1]) @ self.weight.T


class Oja:
    """Principal components by Hebbian learning with Oja's normalisation (Sanger's rule for several).

    Args:
        n_components: k; 1 is Oja's single-neuron rule.
        lr: learning rate η (online: well below 1/E|x|², e.g. 0.001 for the centred 8×8 digits where E|x|² ≈ 4.7;
            batch: up to ~0.5/λ₁).
        epochs: passes over the data.
        mode: ``"online"`` (sample by sample) or ``"batch"`` (the averaged update, once per epoch).
        rule: ``"sanger"`` (ordered components) or ``"subspace"`` (Oja's symmetric subspace rule).
        center: subtract the mean first (principal components of the covariance).
        shuffle, seed: visiting order (online) and the random initial weights.

    After ``fit``: ``components_ (k, features)`` (unit-norm rows at convergence), ``mean_``,
    ``history = {"angle": [...]}`` — the largest angle (degrees) between consecutive epochs' rows.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> x = rng.normal(size=(500, 2)) * [3.0, 0.5]  # most variance along the first axis
        >>> w = nt.models.classic.Oja(n_components=1, lr=0.01, epochs=20, seed=0).fit(x).components_[0]
        >>> np.abs(np.round(w, 1)).tolist()  # the first principal direction, unit length
        [1.0, 0.0]
    """

    def __init__(self, n_components: int = 1, lr: float = 0.01, epochs: int = 20, mode: str = "online",
                 rule: str = "sanger", center: bool = True, shuffle: bool = True, seed=None):
        self.n_components = positive_int("Oja", "n_components", n_components)
        self.lr = positive_float("Oja", "lr", lr)
        self.epochs = positive_int("Oja", "epochs", epochs)
        if mode not in ("online", "batch"):
            raise ValueError(f"Oja: mode must be 'online' or 'batch', got {mode!r}")
        if rule not in ("sanger", "subspace"):
            raise ValueError(f"Oja: rule must be 'sanger' or 'subspace', got {rule!r}")
        self.mode, self.rule, self.center, self.shuffle, self.seed = mode, rule, bool(center), bool(shuffle), seed

    def _feedback(self, yy):
        """The decay term's y yᵀ: lower-triangular for Sanger (unit j forgets only units ≤ j), whole for subspace."""
        return np.tril(yy) if self.rule == "sanger" else yy

    def fit(self, x):
        x = as_matrix("Oja.fit", x)
        n, f = x.shape
        if self.n_components > f:
            raise ValueError(f"Oja: n_components={self.n_components} exceeds the {f} features")
        self.mean_ = x.mean(axis=0) if self.center else np.zeros(f)
        xc = x - self.mean_
        rng = rng_for(self.seed)
        w = rng.normal(0, 1, (self.n_components, f))
        w /= np.linalg.norm(w, axis=1, keepdims=True)
        self.history = {"angle": []}
        cov = xc.T @ xc / n if self.mode == "batch" else None
        with np.errstate(over="ignore", invalid="ignore"):       # divergence is reported below, by name
            self._epochs(xc, w, cov, rng)
        self.components_ = w
        return self

    def _epochs(self, xc, w, cov, rng):
        n = xc.shape[0]
        for _ in range(self.epochs):
            previous = w.copy()
            if self.mode == "batch":
                wc = w @ cov                                            # E[y xᵀ] = W C
                w += self.lr * (wc - self._feedback(wc @ w.T) @ w)      # E[y yᵀ] = W C Wᵀ
            else:
                order = rng.permutation(n) if self.shuffle else np.arange(n)
                if compiled_rules():
                    from ...kernels.classic import hebbian_online_epoch
                    hebbian_online_epoch(xc, w, self.lr, order, self.rule == "sanger")
                    order = ()                      # done: the NumPy loop below is the reference
                for i in order:
                    xi = xc[i]
                    y = w @ xi
                    w += self.lr * (np.outer(y, xi) - self._feedback(np.outer(y, y)) @ w)
            if not np.all(np.isfinite(w)):
                raise FloatingPointError(f"Oja.fit: the weights diverged; lower lr={self.lr}")
            cos = np.abs(np.sum(w * previous, axis=1)) / (np.linalg.norm(w, axis=1) * np.linalg.norm(previous, axis=1))
            self.history["angle"].append(float(np.degrees(np.arccos(np.clip(cos, -1, 1))).max()))

    def transform(self, x):
        """Projections ``(x − mean) Wᵀ`` onto the learnt components."""
        if not hasattr(self, "components_"):
            raise ValueError("Oja.transform: call fit first")
        return (as_matrix("Oja.transform", x, self.components_.shape[1]) - self.mean_) @ self.components_.T
