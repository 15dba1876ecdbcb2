"""Radial-basis-function networks (Broomhead & Lowe 1988; Moody & Darken 1989).

One hidden layer of Gaussian units and a linear read-out:

    φⱼ(x) = exp(−|x − cⱼ|² / 2σⱼ²),        y = W φ(x) + b.

Training in two stages (the classic way): centres cⱼ by k-means on the inputs (or samples drawn from
them), widths σⱼ by a stated heuristic, then the read-out in closed form by ridge least squares.
Optionally all of it (centres, widths, read-out) is then trained jointly by gradient descent on the
mean squared error, through neuronet's autograd (``RBFLayer`` is an ``nn.Module``).
"""
from __future__ import annotations

from ... import functional as F
from ...backend import np
from ...checks import positive_int
from ...nn.module import Module
from ...nn.parameter import Parameter
from ...tensor import Tensor
from ._common import as_matrix, as_targets, positive_float, ridge_solve, rng_for
from .kmeans import kmeans, pairwise_sq_distances

__all__ = ["RBFLayer", "RBFNetwork", "RBFClassifier", "rbf_widths", "gaussian_activations"]


def rbf_widths(centres, heuristic="nearest", p: int = 2):
    """Widths σⱼ from the centres.

    ``"max_distance"``: one σ = d_max / √(2K) for all units (Haykin: the Gaussians overlap, none too flat);
    ``"nearest"``: σⱼ = the mean distance from cⱼ to its ``p`` nearest other centres (Moody & Darken);
    a number: that σ for every unit.

    Example:
        >>> centres = np.array([[0.0], [1.0], [3.0]])
        >>> nt.models.classic.rbf_widths(centres).tolist()  # mean distance to the p=2 nearest other centres
        [2.0, 1.5, 2.5]
        >>> nt.models.classic.rbf_widths(centres, p=1).tolist()
        [1.0, 1.0, 2.0]
    """
    k = len(centres)
    if not isinstance(heuristic, str):
        return np.full(k, positive_float("rbf_widths", "width", heuristic))
    if k < 2:
        raise ValueError(f"rbf_widths: the {heuristic!r} heuristic needs at least 2 centres, got {k}")
    d = np.sqrt(pairwise_sq_distances(centres, centres))
    if heuristic == "max_distance":
        return np.full(k, d.max() / np.sqrt(2 * k))
    if heuristic == "nearest":
        p = min(positive_int("rbf_widths", "p", p), k - 1)
        nearest = np.sort(d + np.diag(np.full(k, np.inf)), axis=1)[:, :p]
        return np.maximum(nearest.mean(axis=1), 1e-12)
    raise ValueError(f"rbf_widths: heuristic must be 'nearest', 'max_distance' or a number, got {heuristic!r}")


def gaussian_activations(x, centers, log_widths):
    """φ (N, K) = exp(−|x − c|² · ½ e^{−2 log σ}) from tensors x (N, in), centers (K, in), log_widths (K,);
    built from autograd primitives, so centres and widths get gradients.

    Example:
        >>> phi = nt.models.classic.gaussian_activations(nt.tensor([[1.0, 0.0]]), nt.zeros(1, 2), nt.zeros(1))
        >>> round(phi.item(), 4)  # exp(-|x - c|^2 / 2)
        0.6065
    """
    d2 = (x * x).sum(axis=1, keepdims=True) - 2 * (x @ centers.T) + (centers * centers).sum(axis=1)   # |x − c|²
    return F.exp(d2 * (F.exp(log_widths * -2.0) * -0.5))


class RBFLayer(Module):
    """Gaussian units ``φⱼ(x) = exp(−|x − cⱼ|² / 2σⱼ²)`` with learnable ``centers (K, in)`` and
    ``log_widths (K,)`` (log σ, so that σ stays positive under gradient steps).

    Example:
        >>> layer = nt.models.classic.RBFLayer(centers=np.zeros((3, 2)), widths=np.ones(3))
        >>> layer(nt.zeros(4, 2)).shape, layer(nt.zeros(4, 2)).numpy()[0].tolist()  # exp(0) at every centre
        ((4, 3), [1.0, 1.0, 1.0])
    """

    def __init__(self, centers, widths):
        super().__init__()
        centers = np.asarray(centers)
        widths = np.asarray(widths, dtype=centers.dtype)
        if centers.ndim != 2 or widths.shape != (centers.shape[0],):
            raise ValueError(f"RBFLayer: expected centers (K, in) and widths (K,), got {centers.shape} and {widths.shape}")
        self.centers = Parameter(centers)
        self.log_widths = Parameter(np.log(widths))

    def forward(self, x):
        c = self.centers
        if x.ndim != 2 or x.shape[1] != c.shape[1]:
            raise ValueError(f"RBFLayer: expected inputs (batch, {c.shape[1]}), received shape {tuple(x.shape)}")
        return gaussian_activations(x, c, self.log_widths)


class _Readout(Module):
    def __init__(self, weight, bias):
        super().__init__()
        self.weight, self.bias = Parameter(weight), Parameter(bias)

    def forward(self, phi):
        return phi @ self.weight.T + self.bias


class RBFNetwork:
    """An RBF network for regression (real targets, one or several outputs).

    Args:
        n_centers: K hidden Gaussian units.
        centers: ``"kmeans"`` (own k-means++ / Lloyd) or ``"sample"`` (K random training samples), or an array (K, in).
        width: ``"nearest"`` (mean distance to the ``p`` nearest centres), ``"max_distance"`` (d_max/√(2K)) or a number.
        p: neighbours of the ``"nearest"`` heuristic.
        ridge: penalty α of the closed-form read-out (0: plain least squares).
        gradient_epochs: after the closed form, train centres, widths and read-out jointly by Adam on the
            MSE for this many epochs (0: closed form only).
        lr, batch_size: Adam's learning rate and mini-batch size of that stage.
        seed: seed of k-means, sample choice and mini-batch order.

    After ``fit``: ``centers_ (K, in)``, ``widths_ (K,)``, ``weight (out, K)``, ``bias (out,)``,
    ``history = {"mse": [closed form, then per gradient epoch]}``.

    Example:
        >>> x = np.linspace(0, 2 * np.pi, 100)[:, None]
        >>> net = nt.models.classic.RBFNetwork(n_centers=15, seed=0).fit(x, np.sin(x))
        >>> float(np.abs(net.predict(x) - np.sin(x)).max()) < 0.05
        True
    """

    def __init__(self, n_centers: int = 20, centers="kmeans", width="nearest", p: int = 2, ridge: float = 1e-6,
                 gradient_epochs: int = 0, lr: float = 1e-2, batch_size: int = 64, seed=None):
        self.n_centers = positive_int(type(self).__name__, "n_centers", n_centers)
        self.centers, self.width, self.p = centers, width, p
        if not (isinstance(ridge, (int, float)) and ridge >= 0):
            raise ValueError(f"{type(self).__name__}: ridge must be a number >= 0, got {ridge!r}")
        self.ridge = float(ridge)
        if not isinstance(gradient_epochs, int) or gradient_epochs < 0:
            raise ValueError(f"{type(self).__name__}: gradient_epochs must be an integer >= 0, got {gradient_epochs!r}")
        self.gradient_epochs, self.lr, self.batch_size, self.seed = gradient_epochs, lr, batch_size, seed

    def _place_centres(self, x, rng):
        if not isinstance(self.centers, str):
            c = np.asarray(self.centers, dtype=np.float64)
            if c.shape != (self.n_centers, x.shape[1]):
                raise ValueError(f"{type(self).__name__}: centers array must be ({self.n_centers}, {x.shape[1]}), got {c.shape}")
            return c
        if self.n_centers > len(x):
            raise ValueError(f"{type(self).__name__}: n_centers={self.n_centers} exceeds the {len(x)} training samples")
        if self.centers == "kmeans":
            return kmeans(x, self.n_centers, seed=int(rng.integers(2**31)))[0]
        if self.centers == "sample":
            return x[rng.choice(len(x), self.n_centers, replace=False)].copy()
        raise ValueError(f"{type(self).__name__}: centers must be 'kmeans', 'sample' or an array, got {self.centers!r}")

    def hidden(self, x):
        """The Gaussian activations φ (N, K) for inputs ``x (N, in)``."""
        d2 = pairwise_sq_distances(x, self.centers_)
        return np.exp(-d2 / (2 * self.widths_ ** 2))

    def _fit_targets(self, x, t):
        rng = rng_for(self.seed)
        self.centers_ = self._place_centres(x, rng)
        self.widths_ = rbf_widths(self.centers_, self.width, self.p)
        self.weight, self.bias = ridge_solve(self.hidden(x), t, self.ridge)
        self.history = {"mse": [float(np.mean((self._output(x) - t) ** 2))]}
        if self.gradient_epochs:
            self._fit_gradient(x, t, rng)
        self.n_features_ = x.shape[1]
        return self

    def _fit_gradient(self, x, t, rng):
        """Joint fine-tuning of centres, widths and read-out: Adam on the mean squared error."""
        from ...optim import Adam

        layer = RBFLayer(self.centers_, self.widths_)           # float64: the closed form is exact there
        head = _Readout(self.weight, self.bias)
        opt = Adam(list(layer.parameters()) + list(head.parameters()), lr=self.lr)
        xs, ts = x, t
        bs = positive_int(type(self).__name__, "batch_size", self.batch_size)
        for _ in range(self.gradient_epochs):
            order = rng.permutation(len(x))
            for start in range(0, len(x), bs):
                idx = order[start:start + bs]
                loss = F.mse_loss(head(layer(Tensor(xs[idx]))), Tensor(ts[idx]))
                opt.zero_grad()
                loss.backward()
                opt.step()
            self.centers_ = layer.centers.data.astype(np.float64)
            self.widths_ = np.exp(layer.log_widths.data.astype(np.float64))
            self.weight, self.bias = head.weight.data.astype(np.float64), head.bias.data.astype(np.float64)
            self.history["mse"].append(float(np.mean((self._output(x) - t) ** 2)))

    def _output(self, x):
        return self.hidden(x) @ self.weight.T + self.bias

    def fit(self, x, y):
        """Fit inputs ``x (N, in)`` to real targets ``y (N,)`` or ``(N, out)``."""
        x = as_matrix(f"{type(self).__name__}.fit", x)
        self._single = np.asarray(y).ndim == 1
        return self._fit_targets(x, as_targets(f"{type(self).__name__}.fit", y, len(x)))

    def predict(self, x):
        """Outputs (N,) for one target column, else (N, out)."""
        if not hasattr(self, "weight"):
            raise ValueError(f"{type(self).__name__}.predict: call fit first")
        out = self._output(as_matrix(f"{type(self).__name__}.predict", x, self.n_features_))
        return out[:, 0] if self._single else out


class RBFClassifier(RBFNetwork):
    """An RBF network that classifies: one-hot targets, the class of the largest output.

    Example:
        >>> x, y = nt.data.xor()
        >>> clf = nt.models.classic.RBFClassifier(n_centers=4, centers=x).fit(x, y.ravel().astype(int))
        >>> clf.predict(x).tolist()  # XOR, which one neuron cannot do
        [0, 1, 1, 0]
    """

    def fit(self, x, y):
        x = as_matrix("RBFClassifier.fit", x)
        y = np.asarray(y).reshape(-1)
        if y.size != len(x):
            raise ValueError(f"RBFClassifier.fit: {len(x)} samples but {y.size} labels")
        self.classes_, idx = np.unique(y, return_inverse=True)
        self._single = False
        return self._fit_targets(x, np.eye(self.classes_.size)[idx])

    def decision_function(self, x):
        return RBFNetwork.predict(self, x)

    def predict(self, x):
        scores = self.decision_function(x)
        return self.classes_[scores.argmax(axis=1)]

    def score(self, x, y) -> float:
        return float(np.mean(self.predict(x) == np.asarray(y).reshape(-1)))
