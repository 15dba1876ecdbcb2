"""The variational auto-encoder (Kingma & Welling 2014): an encoder that outputs a Gaussian
q(z|x) = N(μ, diag σ²) instead of a point, a sample z = μ + σ·ε (ε from the seeded generator), a
decoder p(x|z) — Bernoulli (logits) or Gaussian (means, one learned variance) — and the loss

    −ELBO = E_q[−log p(x|z)] + β·KL(q(z|x) ‖ N(0, I))   (nats per image; β = 1 is the VAE, β > 1 the β-VAE)

which "forces the auto-encoder to learn a distribution": codes of nearby images overlap and every
point of the prior decodes to an image (``sample``).  ``num_classes`` makes it a conditional VAE
(the one-hot label joins the encoder's input and the code).  ``log_likelihood`` estimates
−log p(x) by importance sampling with k samples of q (Burda et al. 2016).
"""
from __future__ import annotations

import math

from .. import backend
from ..autograd import no_grad
from ..backend import np
from ..functional import binary_cross_entropy_with_logits, concat, gaussian_kl, one_hot, reparameterize
from ..nn import Dense, Flatten, Parameter, Reshape
from ..tensor import Tensor
from ..train import Sequential
from .generative_model import GenerativeModel

__all__ = ["VAE", "dense_vae", "binarize"]

_LOG_2PI = math.log(2 * math.pi)


def binarize(x, seed=None):
    """Dynamically binarised images: each pixel 1 with probability its grey level (Salakhutdinov &
    Murray 2008), drawn from the seeded generator (or a fresh one seeded with ``seed``).

    Example:
        >>> x = np.full((1, 10000), 0.3, np.float32)
        >>> b = nt.models.binarize(x, seed=0)
        >>> sorted(np.unique(b).tolist()), round(float(b.mean()), 1)  # 1 with probability 0.3
        ([0.0, 1.0], 0.3)
    """
    rng = backend.generator(seed)
    return (rng.random(x.shape) < x).astype(x.dtype)


class VAE(GenerativeModel):
    """A variational auto-encoder trained with ``compile()`` and ``fit(x)`` (or ``fit((x, labels))``).

    Args:
        encoder: module from images (or, conditional, from flattened images joined with one-hot
            labels) to features (N, H); two Dense heads give μ and log σ².
        decoder: module from codes (joined with one-hot labels when conditional) to the images'
            shape: logits for ``likelihood="bernoulli"``, means for ``"gaussian"``.
        latent: size of z.
        likelihood: ``"bernoulli"`` (pixels in [0, 1] read as probabilities) or ``"gaussian"``
            (one learned variance shared by all pixels, ``decoder_logvar``).
        beta: weight of the KL term (β-VAE); the reported ``loss`` is the β-weighted one.
        num_classes: a conditional VAE over this many labels; x is then ``(images, labels)``.
        binarize: draw new binary images from the grey levels for every training batch (dynamic
            binarisation); the targets are those binary images.

    ``fit`` logs ``loss`` (−ELBO with β, nats per image) and ``reg_loss`` (the KL term).

    Example:
        >>> encoder = nt.Sequential([nt.nn.Flatten(), nt.nn.Dense(32, activation="relu")])
        >>> decoder = nt.Sequential([nt.nn.Dense(64), nt.nn.Reshape((1, 8, 8))])
        >>> vae = nt.models.VAE(encoder, decoder, latent=2)
        >>> _ = vae.compile(optimizer="adam")
        >>> _ = vae.fit(np.random.rand(16, 1, 8, 8).astype(np.float32), epochs=1, verbose=0)
        >>> vae.sample(5).shape
        (5, 1, 8, 8)
    """

    def __init__(self, encoder, decoder, latent: int = 20, likelihood: str = "bernoulli", beta: float = 1.0,
                 num_classes=None, binarize: bool = False):
        super().__init__()
        if likelihood not in ("bernoulli", "gaussian"):
            raise ValueError(f"VAE: likelihood must be 'bernoulli' or 'gaussian', got {likelihood!r}")
        if not float(beta) >= 0.0:
            raise ValueError(f"VAE: beta must be >= 0, got {beta}")
        self.encoder, self.decoder = encoder, decoder
        self.latent = int(latent)
        self.mu_head, self.logvar_head = Dense(self.latent), Dense(self.latent)
        self.likelihood, self.beta = likelihood, float(beta)
        self.num_classes = None if num_classes is None else int(num_classes)
        self.binarize = bool(binarize)
        if likelihood == "gaussian":
            self.decoder_logvar = Parameter(np.zeros((1,), backend.get_default_dtype()))

    # --- the pieces ---------------------------------------------------------------------------
    def _labels(self, labels, n):
        if self.num_classes is None:
            return None
        if labels is None:
            raise ValueError(f"VAE: this conditional VAE (num_classes={self.num_classes}) needs labels: "
                             f"pass x as (images, labels)")
        lab = labels.data if isinstance(labels, Tensor) else labels
        if lab.shape != (n,):
            raise ValueError(f"VAE: labels must have shape ({n},), got {tuple(lab.shape)}")
        return one_hot(Tensor(lab.astype(np.int64)), self.num_classes).astype(backend.get_default_dtype())

    def _encode(self, x, onehot):
        if onehot is not None:
            x = concat([x.reshape(x.shape[0], -1), onehot.astype(x.dtype)], axis=1)
        h = self.encoder(x)
        return self.mu_head(h), self.logvar_head(h)

    def _decode(self, z, onehot):
        if onehot is not None:
            z = concat([z, onehot.astype(z.dtype)], axis=1)
        return self.decoder(z)

    def _nll(self, out, x):
        """−log p(x|z) per image (summed over pixels), from the decoder's output."""
        n = x.shape[0]
        if self.likelihood == "bernoulli":
            return binary_cross_entropy_with_logits(out, x, reduction="none").reshape(n, -1).sum(axis=1)
        lv = self.decoder_logvar
        d = x - out
        per = (d * d * (-lv).exp() + lv + _LOG_2PI) * 0.5
        return per.reshape(n, -1).sum(axis=1)

    def forward(self, x, labels=None):
        """The decoder's output (logits or means) at z = μ(x): the deterministic reconstruction (training
        samples z inside its own step, :meth:`_terms`)."""
        onehot = self._labels(labels, x.shape[0])
        return self._decode(self._encode(x, onehot)[0], onehot)

    def _eps(self, shape, dtype):
        return Tensor(backend.get_rng().standard_normal(shape).astype(dtype))

    def _terms(self, x, labels=None):
        """(−log p(x|z) per image for one z ~ q, KL per image)."""
        onehot = self._labels(labels, x.shape[0])
        mu, logvar = self._encode(x, onehot)
        z = reparameterize(mu, logvar, self._eps(mu.shape, mu.dtype))
        return self._nll(self._decode(z, onehot), x), gaussian_kl(mu, logvar, reduction="none")

    # --- training -----------------------------------------------------------------------------
    def compile(self, optimizer="adam", loss=None, metrics=None, learning_rate=None, clipnorm=None, clipvalue=None):
        """``Model.compile`` with the VAE's own loss; ``evaluate`` then reports −log p(x|z = μ) per image."""
        if loss is not None:
            raise ValueError("VAE.compile: the loss is the negative ELBO; do not pass loss=")
        return super().compile(optimizer, loss=self._reconstruction_loss, metrics=metrics,
                               learning_rate=learning_rate, clipnorm=clipnorm, clipvalue=clipvalue)

    def _reconstruction_loss(self, out, target):
        return self._nll(out, target).mean()

    def _train_step(self, xs, y, sample_weight=None):
        self.train()
        x = xs[0]
        if self.binarize:
            x = binarize(x)
        x = self._to_tensor(x)
        nll, kl = self._terms(x, xs[1] if len(xs) > 1 else None)
        kl_mean = kl.mean()
        loss = nll.mean() + kl_mean * self.beta
        self._step(loss, self.optimizer)
        return float(loss.item()), float(kl_mean.item()), np.zeros((x.shape[0], 0), np.float32)

    # --- using it -----------------------------------------------------------------------------
    def _batches(self, x, labels, batch_size):
        for s in range(0, x.shape[0], batch_size):
            yield self._as_batch(x[s:s + batch_size]), (None if labels is None else labels[s:s + batch_size])

    def negative_elbo(self, x, labels=None, batch_size: int = 500) -> float:
        """The test-set −ELBO (β = 1), nats per image, with one z per image: an upper bound on −log p(x)."""
        was = self.training
        self.eval()
        total = 0.0
        try:
            with no_grad():
                for xb, lb in self._batches(x, labels, batch_size):
                    nll, kl = self._terms(xb, lb)
                    total += float((nll + kl).sum().item())
        finally:
            self.train(was)
        return total / x.shape[0]

    def log_likelihood(self, x, labels=None, k: int = 100, batch_size: int = 50) -> float:
        """The importance-weighted estimate of −log p(x), nats per image:
        −log (1/k) Σ_i p(x|z_i) p(z_i) / q(z_i|x) with z_i ~ q(z|x) (Burda et al. 2016; tighter as k grows)."""
        if int(k) < 1:
            raise ValueError(f"VAE.log_likelihood: k must be >= 1, got {k}")
        k = int(k)
        was = self.training
        self.eval()
        total = 0.0
        rng = backend.get_rng()
        try:
            with no_grad():
                for xb, lb in self._batches(x, labels, batch_size):
                    n = xb.shape[0]
                    onehot = self._labels(lb, n)
                    mu, logvar = (t.data for t in self._encode(xb, onehot))
                    eps = rng.standard_normal((k,) + mu.shape).astype(mu.dtype)
                    z = mu + np.exp(0.5 * logvar) * eps  # (k, n, latent)
                    log_q = -0.5 * (eps ** 2 + logvar + _LOG_2PI).sum(-1)
                    log_p = -0.5 * (z ** 2 + _LOG_2PI).sum(-1)
                    rep = lambda a: None if a is None else Tensor(np.broadcast_to(a.data, (k,) + a.shape).reshape((k * n,) + a.shape[1:]))  # noqa: E731
                    out = self._decode(Tensor(z.reshape(k * n, -1)), rep(onehot))
                    nll = self._nll(out, rep(xb)).data.reshape(k, n)
                    w = (log_p - log_q - nll).astype(np.float64)
                    m = w.max(0)
                    total += float(-(m + np.log(np.exp(w - m).mean(0))).sum())
        finally:
            self.train(was)
        return total / x.shape[0]

    def _mean_image(self, out):
        return 1.0 / (1.0 + np.exp(-out)) if self.likelihood == "bernoulli" else out

    def encode(self, x, labels=None, batch_size: int = 256):
        """μ of q(z|x) for each image (NumPy)."""
        was = self.training
        self.eval()
        try:
            with no_grad():
                return np.concatenate([self._encode(xb, self._labels(lb, xb.shape[0]))[0].numpy()
                                       for xb, lb in self._batches(x, labels, batch_size)])
        finally:
            self.train(was)

    def decode(self, z, labels=None, batch_size: int = 256):
        """Mean images (probabilities for Bernoulli) decoded from codes z (NumPy)."""
        was = self.training
        self.eval()
        try:
            with no_grad():
                return np.concatenate([self._mean_image(self._decode(zb, self._labels(lb, zb.shape[0])).numpy())
                                       for zb, lb in self._batches(np.asarray(z, backend.get_default_dtype()), labels,
                                                                   batch_size)])
        finally:
            self.train(was)

    def reconstruct(self, x, labels=None):
        """decode(encode(x)): the mean image at z = μ."""
        return self.decode(self.encode(x, labels), labels)

    def sample(self, n: int, labels=None, seed=None):
        """n mean images decoded from z ~ N(0, I) (with these labels when conditional)."""
        z = backend.generator(seed).standard_normal((int(n), self.latent)).astype(backend.get_default_dtype())
        return self.decode(z, labels)

    def interpolate(self, x_a, x_b, steps: int = 8, labels=None):
        """Images decoded along the straight line from μ(x_a) to μ(x_b) (``steps`` points, ends included)."""
        za, zb = self.encode(x_a[None], None if labels is None else labels[:1]), \
            self.encode(x_b[None], None if labels is None else labels[1:2])
        t = np.linspace(0.0, 1.0, int(steps), dtype=za.dtype)[:, None]
        lab = None if labels is None else np.where(t[:, 0] < 0.5, labels[0], labels[1])
        return self.decode((1 - t) * za + t * zb, lab)


def dense_vae(latent: int = 20, hidden=(512, 256), input_shape=(1, 28, 28), likelihood: str = "bernoulli",
              beta: float = 1.0, num_classes=None, binarize: bool = False, activation: str = "relu") -> VAE:
    """A fully connected VAE for images: flatten → ``hidden`` → (μ, log σ²) of ``latent`` units, and
    the mirrored decoder → the image's shape (logits or means).

    Example:
        >>> vae = nt.models.dense_vae(latent=2, hidden=(32,), input_shape=(1, 8, 8))
        >>> vae.encode(np.random.rand(4, 1, 8, 8).astype(np.float32)).shape  # the means of q(z|x)
        (4, 2)
        >>> vae.decode(np.zeros((3, 2), np.float32)).shape
        (3, 1, 8, 8)
    """
    size = 1
    for s in input_shape:
        size *= int(s)
    enc = Sequential([Flatten()] + [Dense(h, activation=activation) for h in hidden])
    dec = Sequential([Dense(h, activation=activation) for h in reversed(hidden)] + [Dense(size), Reshape(tuple(input_shape))])
    return VAE(enc, dec, latent=latent, likelihood=likelihood, beta=beta, num_classes=num_classes, binarize=binarize)
