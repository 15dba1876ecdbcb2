"""Restricted Boltzmann machine: Bernoulli or Gaussian visible units, Bernoulli hidden units,
trained by contrastive divergence (CD-k) or persistent CD (PCD).

Energy (Bernoulli visible):  E(v, h) = -bᵀv - cᵀh - hᵀ W v
Energy (Gaussian visible, σ fixed):  E(v, h) = Σ (v-b)²/(2σ²) - cᵀh - hᵀ W (v/σ)
so p(h=1|v) = sigmoid(c + W v/σ), p(v|h) = sigmoid(b + Wᵀh) or N(b + σ Wᵀh, σ²), and the
log-likelihood gradient is data minus model statistics: ∂log p(v)/∂W = ⟨h vᵀ⟩_data - ⟨h vᵀ⟩_model.
CD-k estimates the model term with k Gibbs steps started at the data; PCD keeps the chains
between updates.  ``weight`` is (n_hidden, n_visible), the layout of ``nn.Dense``/``torch.nn.Linear``
and of scikit-learn's ``BernoulliRBM.components_``.  Gradients (:meth:`RBM.gradient`) and updates
(:meth:`RBM.apply_gradient`) are separate steps.
"""
from __future__ import annotations

import numpy as np

from ... import backend
from ...checks import positive_int
from ...kernels.parallel import blas_for_product
from ._units import as_matrix, bernoulli, check_binary, sigmoid, softplus

__all__ = ["RBM"]

_VISIBLE = ("bernoulli", "gaussian")


class RBM:
    """A restricted Boltzmann machine with its own training loop.

    Args:
        n_hidden: number of hidden (binary) units.
        visible: ``"bernoulli"`` (binary or [0, 1] data) or ``"gaussian"`` (real data, best
            standardised; ``sigma`` is the fixed standard deviation of each visible unit).
        k: Gibbs steps per update (CD-k, or PCD-k with ``persistent=True``).
        persistent: keep the negative-phase chains between updates (PCD, Tieleman 2008).
        lr: learning rate on the mean gradient of a mini-batch.
        momentum: velocity ← momentum·velocity + lr·gradient.
        weight_decay: L2 penalty on the weights (subtracted from the gradient as decay·W).
        batch_size: samples per update in :meth:`fit`.
        sigma: standard deviation of Gaussian visible units (scalar or one per unit).
        n_visible: create the parameters now instead of on the first batch.
        dtype: float dtype of parameters and computation (default: neuronet's default, float32).
        seed: seed of this model's own generator (default: drawn from neuronet's seeded one).

    Example:
        >>> x = (np.random.default_rng(0).random((200, 16)) < 0.3).astype(np.float32)
        >>> rbm = nt.models.energy.RBM(8, k=1, persistent=True, lr=0.05, seed=0).fit(x, epochs=3)
        >>> rbm.transform(x).shape                  # p(h = 1 | v) of each row: features
        (200, 8)
        >>> bool(rbm.pseudo_log_likelihood(x).mean() > 16 * np.log(0.5))  # better than coin flips
        True
    """

    def __init__(self, n_hidden: int, visible: str = "bernoulli", k: int = 1, persistent: bool = False,
                 lr: float = 0.1, momentum: float = 0.0, weight_decay: float = 0.0, batch_size: int = 10,
                 sigma=1.0, n_visible: int | None = None, dtype=None, seed=None):
        self.n_hidden = positive_int("RBM", "n_hidden", n_hidden)
        if visible not in _VISIBLE:
            raise ValueError(f"RBM: visible must be one of {_VISIBLE}, got {visible!r}")
        self.visible = visible
        self.k = positive_int("RBM", "k", k)
        self.persistent = bool(persistent)
        for name, value in (("lr", lr), ("momentum", momentum), ("weight_decay", weight_decay)):
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"RBM: {name} must be a finite number >= 0, got {value!r}")
        self.lr, self.momentum, self.weight_decay = float(lr), float(momentum), float(weight_decay)
        self.batch_size = positive_int("RBM", "batch_size", batch_size)
        self.dtype = np.dtype(dtype or backend.get_default_dtype())
        if np.any(np.asarray(sigma) <= 0):
            raise ValueError(f"RBM: sigma must be > 0, got {sigma!r}")
        self.sigma = np.asarray(sigma, dtype=self.dtype)
        self.rng = np.random.default_rng(seed if seed is not None else int(backend.get_rng().integers(2**63)))
        self.weight = self.visible_bias = self.hidden_bias = None
        self.n_visible = None
        self.chain = None  # PCD's persistent chains: (visible states, their p(h | v))
        self._velocity = None
        if n_visible is not None:
            self.build(positive_int("RBM", "n_visible", n_visible))

    # ---- parameters -------------------------------------------------------------------------
    def build(self, n_visible: int) -> None:
        """Weights from N(0, 0.01²) (Hinton's guide), zero biases."""
        self.n_visible = int(n_visible)
        self.weight = (0.01 * self.rng.standard_normal((self.n_hidden, self.n_visible))).astype(self.dtype)
        self.visible_bias = np.zeros(self.n_visible, self.dtype)
        self.hidden_bias = np.zeros(self.n_hidden, self.dtype)
        self._velocity = None
        self.chain = None

    def parameters(self) -> dict:
        """The parameters by name (the arrays themselves, not copies)."""
        return {"weight": self.weight, "visible_bias": self.visible_bias, "hidden_bias": self.hidden_bias}

    def _input(self, owner: str, v) -> np.ndarray:
        if self.weight is None:
            v = as_matrix(f"RBM.{owner}", v, None, self.dtype)
            self.build(v.shape[1])
            return v
        return as_matrix(f"RBM.{owner}", v, self.n_visible, self.dtype)

    def _scaled(self, v):
        return v / self.sigma if self.visible == "gaussian" else v

    # ---- conditionals -----------------------------------------------------------------------
    def hidden_probs(self, v):
        """p(h_j = 1 | v) = sigmoid(c_j + W_j·v/σ), shape (N, n_hidden)."""
        v = self._input("hidden_probs", v)
        return sigmoid(self._scaled(v) @ self.weight.T + self.hidden_bias)

    transform = hidden_probs

    def visible_mean(self, h):
        """E[v | h]: sigmoid(b + Wᵀh) (Bernoulli) or b + σ·Wᵀh (Gaussian), shape (N, n_visible)."""
        h = as_matrix("RBM.visible_mean", h, self.n_hidden, self.dtype)
        act = h @ self.weight
        return sigmoid(act + self.visible_bias) if self.visible == "bernoulli" else self.visible_bias + self.sigma * act

    def sample_hidden(self, v):
        return bernoulli(self.hidden_probs(v), self.rng)

    def sample_visible(self, h):
        mean = self.visible_mean(h)
        if self.visible == "bernoulli":
            return bernoulli(mean, self.rng)
        return mean + self.sigma * self.rng.standard_normal(mean.shape).astype(self.dtype)

    def gibbs(self, v, steps: int = 1):
        """Run ``steps`` full Gibbs steps v → h → v from ``v``; returns the last visible sample."""
        v = self._input("gibbs", v)
        with blas_for_product(v.shape[0], self.n_visible, self.n_hidden):
            for _ in range(steps):
                v = self.sample_visible(self.sample_hidden(v))
        return v

    def sample(self, n: int, steps: int = 1000, init=None):
        """``n`` samples from the model: Gibbs chains of ``steps`` steps from ``init`` (default:
        random binary / standard normal visibles); returns the mean of p(v | h) at the last step."""
        if init is None:
            shape = (positive_int("RBM.sample", "n", n), self.n_visible)
            init = (self.rng.random(shape) < 0.5) if self.visible == "bernoulli" else self.rng.standard_normal(shape)
        v = self.gibbs(init, steps - 1) if steps > 1 else self._input("sample", init)
        return self.visible_mean(self.sample_hidden(v))

    # ---- energies and scores ----------------------------------------------------------------
    def free_energy(self, v):
        """F(v) = -log Σ_h e^{-E(v,h)}: -bᵀv - Σ softplus(c + Wv) (Bernoulli) or
        Σ (v-b)²/(2σ²) - Σ softplus(c + W v/σ) (Gaussian); shape (N,)."""
        v = self._input("free_energy", v)
        hidden = softplus(self._scaled(v) @ self.weight.T + self.hidden_bias).sum(axis=1)
        if self.visible == "bernoulli":
            return -(v @ self.visible_bias) - hidden
        return (((v - self.visible_bias) / self.sigma) ** 2).sum(axis=1) / 2 - hidden

    def energy(self, v, h):
        """E(v, h) for paired rows of ``v`` and ``h``; shape (N,)."""
        v = self._input("energy", v)
        h = as_matrix("RBM.energy", h, self.n_hidden, self.dtype)
        inter = ((self._scaled(v) @ self.weight.T) * h).sum(axis=1) + h @ self.hidden_bias
        if self.visible == "bernoulli":
            return -(v @ self.visible_bias) - inter
        return (((v - self.visible_bias) / self.sigma) ** 2).sum(axis=1) / 2 - inter

    def reconstruction_error(self, v) -> float:
        """Mean over samples of Σ_i (v_i - E[v_i | p(h|v)])²: one deterministic up-down pass."""
        v = self._input("reconstruction_error", v)
        return float(((v - self.visible_mean(self.hidden_probs(v))) ** 2).sum(axis=1).mean())

    def pseudo_log_likelihood(self, v, exact: bool = True, chunk_elements: int = 4_000_000):
        """Σ_i log p(v_i | v_-i) per sample, shape (N,) (Bernoulli visible units, binary data).

        ``exact=True`` sums over every unit i: log p(v_i | v_-i) = log sigmoid(F(v with i flipped) - F(v)).
        ``exact=False`` is scikit-learn's estimate: n_visible · log sigmoid(F(ṽ) - F(v)) with one
        random unit flipped per sample (unbiased, noisy).
        """
        if self.visible != "bernoulli":
            raise ValueError("RBM.pseudo_log_likelihood: defined here for Bernoulli visible units, this RBM is gaussian")
        v = self._input("pseudo_log_likelihood", v)
        check_binary("RBM.pseudo_log_likelihood", v)
        pre = v @ self.weight.T + self.hidden_bias
        flip = 1 - 2 * v  # +1 where a 0 turns into 1, -1 where a 1 turns into 0
        if not exact:
            i = self.rng.integers(0, self.n_visible, size=v.shape[0])
            rows = np.arange(v.shape[0])
            d = flip[rows, i]
            pre_flipped = pre + d[:, None] * self.weight[:, i].T
            delta = -self.visible_bias[i] * d - (softplus(pre_flipped) - softplus(pre)).sum(axis=1)
            return self.n_visible * -softplus(-delta)  # log sigmoid(delta)
        out = np.empty(v.shape[0], dtype=self.dtype)
        step = max(1, chunk_elements // (self.n_visible * self.n_hidden))
        wt = self.weight.T  # (n_visible, n_hidden)
        for s in range(0, v.shape[0], step):  # chunks of samples bound the (chunk, visible, hidden) array
            p, d = pre[s:s + step], flip[s:s + step]
            shifted = softplus(p[:, None, :] + d[:, :, None] * wt[None]) - softplus(p)[:, None, :]
            delta = -self.visible_bias * d - shifted.sum(axis=2)  # F(flipped) - F(v), (chunk, n_visible)
            out[s:s + step] = -softplus(-delta).sum(axis=1)
        return out

    # ---- learning ---------------------------------------------------------------------------
    def _statistics(self, v, ph):
        """⟨h vᵀ⟩, ⟨v⟩ (or ⟨(v-b)/σ²⟩), ⟨h⟩ of a batch, with hidden probabilities ``ph``."""
        n = v.shape[0]
        if self.visible == "bernoulli":
            vis = v.mean(axis=0)
        else:
            vis = ((v - self.visible_bias) / self.sigma ** 2).mean(axis=0)
        return ph.T @ self._scaled(v) / n, vis, ph.mean(axis=0)

    def _hidden(self, v):
        """p(h = 1 | v) without input checks (the training loop's inner step)."""
        return sigmoid(self._scaled(v) @ self.weight.T + self.hidden_bias)

    def negative_phase(self, v0, ph0):
        """k Gibbs steps h → v → h starting from hidden samples of p(h | data) (CD-k) or of the
        persistent chains (PCD-k); returns the last visible states and their p(h | v).

        New persistent chains start from h = 0 (so from random visibles), as scikit-learn's do, not
        from the data: chains started at the first batch stayed near it and ended 7-10 nats worse
        in test pseudo-log-likelihood in some runs (benchmarks/rbm_sklearn.py)."""
        start = ph0
        if self.persistent:
            if self.chain is None or self.chain[1].shape != ph0.shape:
                self.chain = (None, np.zeros_like(ph0))
            start = self.chain[1]
        h = bernoulli(start, self.rng)
        for step in range(self.k):
            vk = self.sample_visible(h)
            phk = self._hidden(vk)
            if step < self.k - 1:
                h = bernoulli(phk, self.rng)
        if self.persistent:
            self.chain = (vk, phk)
        return vk, phk

    def gradient(self, v) -> dict:
        """The ascent direction of the log-likelihood for batch ``v``: data statistics minus the
        CD-k/PCD estimate of the model statistics, minus weight decay; keys as :meth:`parameters`."""
        v0 = self._input("gradient", v)
        ph0 = self._hidden(v0)
        pos = self._statistics(v0, ph0)
        neg = self._statistics(*self.negative_phase(v0, ph0))
        grad_w = pos[0] - neg[0]
        if self.weight_decay:
            grad_w = grad_w - self.weight_decay * self.weight
        return {"weight": grad_w, "visible_bias": pos[1] - neg[1], "hidden_bias": pos[2] - neg[2]}

    def apply_gradient(self, grads: dict) -> None:
        """velocity ← momentum·velocity + lr·gradient; parameter += velocity (in place)."""
        params = self.parameters()
        if self._velocity is None:
            self._velocity = {name: np.zeros_like(p) for name, p in params.items()}
        for name, p in params.items():
            vel = self._velocity[name]
            vel *= self.momentum
            vel += self.lr * grads[name].astype(self.dtype, copy=False)
            p += vel

    def partial_fit(self, v) -> "RBM":
        """One update on the batch ``v``."""
        self.apply_gradient(self.gradient(v))
        return self

    def fit(self, x, epochs: int = 10, shuffle: bool = True, verbose: int = 0, callback=None,
            final_lr: float | None = None) -> "RBM":
        """Train on ``x`` (N, n_visible) for ``epochs`` passes of mini-batches of ``batch_size``.

        ``final_lr``: the learning rate falls linearly from ``lr`` at the first update to ``final_lr``
        at the last one of this fit (Tieleman 2008 decays to 0: persistent chains need the model to
        slow down to keep up with it); ``lr`` itself is left as it was.
        ``self.history["reconstruction_error"]`` gets one value per epoch (on the first 5,000 rows of ``x``);
        ``callback(rbm, epoch)`` runs after each epoch."""
        x = self._input("fit", x)
        if final_lr is not None and (not np.isfinite(final_lr) or final_lr < 0):
            raise ValueError(f"RBM.fit: final_lr must be a finite number >= 0, got {final_lr!r}")
        if self.visible == "bernoulli" and (x.min() < 0 or x.max() > 1):
            raise ValueError(f"RBM.fit: Bernoulli visible units need data in [0, 1], received values in "
                             f"[{float(x.min())}, {float(x.max())}]; use visible='gaussian' for real-valued data")
        self.history = {"reconstruction_error": []}
        n = x.shape[0]
        starts = range(0, n - self.batch_size + 1 if n >= self.batch_size else 1, self.batch_size)
        epochs = positive_int("RBM.fit", "epochs", epochs)
        rates = None if final_lr is None else np.linspace(self.lr, final_lr, epochs * len(starts))
        lr, update = self.lr, 0
        try:
            for epoch in range(epochs):
                order = self.rng.permutation(n) if shuffle else np.arange(n)
                # a mini-batch's products are small: a second BLAS thread only costs (35x on a busy 2-core machine)
                with blas_for_product(self.batch_size, self.n_visible, self.n_hidden):
                    for s in starts:
                        if rates is not None:
                            self.lr = float(rates[update])
                            update += 1
                        self.partial_fit(x[order[s:s + self.batch_size]])
                self._end_epoch(x, epoch, epochs, verbose, callback)
        finally:
            self.lr = lr
        return self

    def _end_epoch(self, x, epoch, epochs, verbose, callback):
        """An epoch's record: the reconstruction error, the progress line, the user's callback."""
        self.history["reconstruction_error"].append(self.reconstruction_error(x[:5000]))
        if verbose:
            print(f"RBM epoch {epoch + 1}/{epochs}: reconstruction error "
                  f"{self.history['reconstruction_error'][-1]:.4f}")
        if callback is not None:
            callback(self, epoch)
