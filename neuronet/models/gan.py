"""Generative adversarial networks (Goodfellow et al. 2014): a generator G maps noise z to images, a
discriminator D scores images as real or generated, and the two are trained in alternation —
D to tell real from generated, G to make D call its images real.

- losses: ``"non_saturating"`` (D: −log D(x) − log(1 − D(G(z))), G: −log D(G(z)), the form that
  keeps G's gradient alive early on) and ``"hinge"`` (D: max(0, 1 − D(x)) + max(0, 1 + D(G(z))),
  G: −D(G(z))), the stabilised variant used with spectral normalisation (Miyato et al. 2018);
- ``GAN.fit(x)`` runs the alternating updates: its ``_train_step`` does one D step, then one G step;
- ``num_classes``: a conditional GAN (Mirza & Osindero 2014): the one-hot label joins z, and joins
  D's input (as extra constant channels for images, or concatenated to the flattened input);
- ``ema_decay``: an exponential moving average of G's weights (``nt.optim.ExponentialMovingAverage``),
  updated after every G step and used by ``generate`` (Yazıcı et al. 2019): samples from the
  averaged generator are steadier from epoch to epoch than the raw one's;
- builders: a dense GAN, and DCGAN (Radford et al. 2016): transposed-conv generator with BatchNorm
  and ReLU, strided-conv discriminator with LeakyReLU (optionally spectrally normalised).
"""
from __future__ import annotations

from contextlib import nullcontext

from .. import backend
from ..autograd import no_grad
from ..backend import np
from ..functional import concat, one_hot, relu, softplus
from ..nn import (BatchNorm1D, BatchNorm2D, Conv2D, Conv2DTranspose, Dense, Flatten, LeakyReLU, ReLU, Reshape,
                  SpectralNorm)
from ..tensor import Tensor
from ..train import Sequential
from ..train.metrics import Metric
from .generative_model import GenerativeModel

__all__ = ["GAN", "dense_gan", "dcgan", "GAN_LOSSES"]

GAN_LOSSES = ("non_saturating", "hinge")


class _Slot(Metric):
    """The per-batch mean of one of the values a GAN step returns (d_loss, g_loss) for fit's logs."""

    def __init__(self, name, index):
        self.index = index
        super().__init__(name)

    def reset(self):
        self.total, self.count = 0.0, 0

    def update(self, y_true, y_pred):
        self.total += float(np.asarray(y_pred).reshape(-1)[self.index])
        self.count += 1

    def result(self):
        return self.total / self.count if self.count else 0.0


def _d_loss(kind, real, fake):
    if kind == "hinge":  # E max(0, 1 − D(x)) + E max(0, 1 + D(G(z)))
        return relu(1.0 - real).mean() + relu(1.0 + fake).mean()
    return softplus(-real).mean() + softplus(fake).mean()  # −log σ(D(x)) − log(1 − σ(D(G(z))))


def _g_loss(kind, fake):
    if kind == "hinge":
        return -fake.mean()
    return softplus(-fake).mean()  # non-saturating: −log σ(D(G(z)))


class GAN(GenerativeModel):
    """A generator–discriminator pair trained by ``compile()`` and ``fit(x)`` (``fit((x, labels))``
    when conditional).  Calling the model (``predict``) gives D's logits for images; ``generate(n)``
    draws images from G.

    Args:
        generator: module from z (N, latent) — joined with the one-hot label when conditional — to images.
        discriminator: module from images (with label channels when conditional) to one logit per image.
        latent: size of z ~ N(0, I).
        num_classes: a conditional GAN over this many labels.
        ema_decay: keep an exponential moving average of G's weights with this decay (e.g. 0.999)
            and generate with it (``generate(averaged=False)`` for the raw weights).

    ``fit`` logs ``d_loss`` and ``g_loss`` (batch means) and ``loss`` = their sum.

    Example:
        >>> G = nt.Sequential([nt.nn.Dense(16, activation="tanh"), nt.nn.Reshape((1, 4, 4))])
        >>> D = nt.Sequential([nt.nn.Flatten(), nt.nn.Dense(8, activation="relu"), nt.nn.Dense(1)])
        >>> gan = nt.models.GAN(G, D, latent=4)
        >>> _ = gan.compile(loss="non_saturating", learning_rate=2e-4)  # Adam with beta1 = 0.5 for both nets
        >>> history = gan.fit(np.random.rand(32, 1, 4, 4).astype(np.float32) * 2 - 1, epochs=1, batch_size=16, verbose=0)
        >>> sorted(history.history)[:2], gan.generate(5, seed=0).shape  # images in [-1, 1] from G
        (['d_loss', 'g_loss'], (5, 1, 4, 4))
    """

    def __init__(self, generator, discriminator, latent: int = 64, num_classes=None, ema_decay=None):
        super().__init__()
        self.generator, self.discriminator = generator, discriminator
        self.latent = int(latent)
        self.num_classes = None if num_classes is None else int(num_classes)
        if ema_decay is not None and (isinstance(ema_decay, bool) or not isinstance(ema_decay, (int, float))
                                      or not 0.0 <= ema_decay < 1.0):
            raise ValueError(f"GAN: ema_decay must be None or a number in [0, 1), got {ema_decay!r}")
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        object.__setattr__(self, "g_ema", None)

    # --- conditioning -------------------------------------------------------------------------
    def _onehot(self, labels, n):
        if self.num_classes is None:
            return None
        if labels is None:
            raise ValueError(f"GAN: this conditional GAN (num_classes={self.num_classes}) needs labels: pass x as "
                             f"(images, labels) to fit, labels= to generate")
        lab = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
        if lab.shape != (n,):
            raise ValueError(f"GAN: labels must have shape ({n},), got {lab.shape}")
        return one_hot(Tensor(lab.astype(np.int64)), self.num_classes).astype(backend.get_default_dtype())

    def _generate(self, z, onehot):
        return self.generator(z if onehot is None else concat([z, onehot.astype(z.dtype)], axis=1))

    def _discriminate(self, x, onehot):
        if onehot is not None:
            if x.ndim == 4:  # the label as constant channels
                n, _, h, w = x.shape
                maps = Tensor(np.broadcast_to(onehot.data[:, :, None, None], (n, self.num_classes, h, w)).astype(x.dtype))
                x = concat([x, maps], axis=1)
            else:
                x = concat([x.reshape(x.shape[0], -1), onehot.astype(x.dtype)], axis=1)
        return self.discriminator(x)

    def forward(self, x, labels=None):
        """D's logits for images x."""
        return self._discriminate(x, self._onehot(labels, x.shape[0]))

    def _z(self, n):
        return Tensor(backend.get_rng().standard_normal((n, self.latent)).astype(backend.get_default_dtype()))

    # --- training -----------------------------------------------------------------------------
    def compile(self, optimizer="adam", loss="non_saturating", metrics=None, learning_rate=2e-4,
                d_learning_rate=None, betas=(0.5, 0.999), clipnorm=None, clipvalue=None):
        """Choose the GAN loss (``"non_saturating"`` or ``"hinge"``) and the optimizers: ``optimizer`` (a
        name) for both nets, G at ``learning_rate``, D at ``d_learning_rate`` (default the same);
        Adam and its relatives get ``betas`` (DCGAN's β₁ = 0.5)."""
        loss = "non_saturating" if loss is None else loss
        if loss not in GAN_LOSSES:
            raise ValueError(f"GAN.compile: loss must be one of {', '.join(map(repr, GAN_LOSSES))}, got {loss!r}")
        if not isinstance(optimizer, str):
            raise TypeError(f"GAN.compile: optimizer must be a name (one optimizer is made per network), got "
                            f"{type(optimizer).__name__}")
        lr = 2e-4 if learning_rate is None else float(learning_rate)
        super().compile(optimizer, loss=lambda pred, target: pred.mean() * 0.0,
                        metrics=[_Slot("d_loss", 0), _Slot("g_loss", 1)] + list(metrics or []),
                        learning_rate=lr, clipnorm=clipnorm, clipvalue=clipvalue)
        object.__setattr__(self, "gan_loss", loss)
        object.__setattr__(self, "_lrs", (lr, lr if d_learning_rate is None else float(d_learning_rate)))
        object.__setattr__(self, "_betas", tuple(betas))
        return self

    def _make_optimizer(self):
        if getattr(self, "g_optimizer", None) is not None:
            return
        from ..optim import get_optimizer
        self._build_generator()
        name = self._optimizer_spec
        extra = {"betas": self._betas} if name.lower() in ("adam", "adamw", "yogi", "adabelief", "lamb") else {}
        g = get_optimizer(name, list(self.generator.parameters()), lr=self._lrs[0], **extra)
        d = get_optimizer(name, list(self.discriminator.parameters()), lr=self._lrs[1], **extra)
        for attr, value in (("g_optimizer", g), ("d_optimizer", d), ("optimizer", d)):
            object.__setattr__(self, attr, value)
        if self.ema_decay is not None and self.g_ema is None:
            from ..optim import ExponentialMovingAverage
            object.__setattr__(self, "g_ema", ExponentialMovingAverage(self.generator, self.ema_decay))

    def _build_generator(self):
        """Run G once on two codes (evaluation mode, no graph) so its lazy layers have parameters."""
        if all(getattr(m, "built", True) for m in self.generator.modules()):
            return
        was = self.training
        self.eval()
        try:
            with no_grad():
                self._generate(self._z(2), self._onehot(np.zeros(2, np.int64), 2) if self.num_classes else None)
        finally:
            self.train(was)

    def _train_step(self, xs, y, sample_weight=None):
        self.train()
        real = self._to_tensor(xs[0])
        n = real.shape[0]
        onehot = self._onehot(xs[1] if len(xs) > 1 else None, n)
        d_params, g_params = list(self.discriminator.parameters()), list(self.generator.parameters())
        # D step: real images up, generated images (cut from G's graph) down
        with no_grad():
            fake = self._generate(self._z(n), onehot)
        d_loss = _d_loss(self.gan_loss, self._discriminate(real, onehot), self._discriminate(fake, onehot))
        self._step(d_loss, self.d_optimizer, d_params)
        # G step: gradients flow through D (frozen) into G
        self.discriminator.requires_grad_(False)
        try:
            g_loss = _g_loss(self.gan_loss, self._discriminate(self._generate(self._z(n), onehot), onehot))
            self._step(g_loss, self.g_optimizer, g_params)
        finally:
            self.discriminator.requires_grad_(True)
        if self.g_ema is not None:
            self.g_ema.update()
        d, g = float(d_loss.item()), float(g_loss.item())
        return d + g, None, np.array([[d, g]], np.float32)

    def evaluate(self, x=None, y=None, batch_size=256, verbose=0) -> dict:
        """D's and G's losses on images x (fresh z per batch), no update: ``{"d_loss", "g_loss", "loss"}``."""
        xs = x if isinstance(x, tuple) else (x,)
        was = self.training
        self.eval()
        d_tot = g_tot = 0.0
        count = xs[0].shape[0]
        try:
            with no_grad():
                for s in range(0, count, batch_size):
                    real = self._to_tensor(np.asarray(xs[0][s:s + batch_size]))
                    onehot = self._onehot(xs[1][s:s + batch_size] if len(xs) > 1 else None, real.shape[0])
                    fake_scores = self._discriminate(self._generate(self._z(real.shape[0]), onehot), onehot)
                    d_tot += float(_d_loss(self.gan_loss, self._discriminate(real, onehot), fake_scores).item()) * real.shape[0]
                    g_tot += float(_g_loss(self.gan_loss, fake_scores).item()) * real.shape[0]
        finally:
            self.train(was)
        d, g = d_tot / count, g_tot / count
        return {"loss": d + g, "d_loss": d, "g_loss": g}

    # --- using it -----------------------------------------------------------------------------
    def generate(self, n: int = None, labels=None, z=None, seed=None, batch_size: int = 256, averaged: bool = True):
        """Images from G (evaluation mode: BatchNorm uses its running statistics) for ``z`` or n fresh
        codes (``seed`` for a fixed set); ``labels`` (n,) when conditional.  With ``ema_decay`` set,
        G's averaged weights are used unless ``averaged=False``."""
        if z is None:
            if n is None:
                raise ValueError("GAN.generate: pass n or z")
            z = backend.generator(seed).standard_normal((int(n), self.latent))
        z = np.asarray(z, backend.get_default_dtype())
        self._build_generator()
        was = self.training
        self.eval()
        out = []
        use_ema = averaged and self.g_ema is not None
        try:
            with no_grad(), (self.g_ema.average_parameters() if use_ema else nullcontext()):
                for s in range(0, len(z), batch_size):
                    lab = None if labels is None else np.asarray(labels)[s:s + batch_size]
                    out.append(self._generate(Tensor(z[s:s + batch_size]), self._onehot(lab, len(z[s:s + batch_size]))).numpy())
        finally:
            self.train(was)
        return np.concatenate(out)


def dense_gan(latent: int = 64, hidden=(256, 512), image_shape=(1, 28, 28), num_classes=None, ema_decay=None) -> GAN:
    """A fully connected GAN: G = z → ``hidden`` (LeakyReLU 0.2, BatchNorm) → tanh image; D = flatten →
    reversed ``hidden`` (LeakyReLU 0.2) → one logit.  Images are expected in [−1, 1].

    Example:
        >>> gan = nt.models.dense_gan(latent=8, hidden=(16, 32), image_shape=(1, 8, 8))
        >>> gan.generate(3, seed=0).shape, gan(nt.zeros(3, 1, 8, 8)).shape  # G's images, D's logits
        ((3, 1, 8, 8), (3, 1))
    """
    size = 1
    for s in image_shape:
        size *= int(s)
    g = []
    for h in hidden:
        g += [Dense(h), BatchNorm1D(), LeakyReLU(0.2)]
    g += [Dense(size, activation="tanh"), Reshape(tuple(image_shape))]
    d = [Flatten()]
    for h in reversed(hidden):
        d += [Dense(h), LeakyReLU(0.2)]
    d += [Dense(1)]
    return GAN(Sequential(g), Sequential(d), latent=latent, num_classes=num_classes, ema_decay=ema_decay)


def dcgan(latent: int = 64, width: int = 32, channels: int = 1, spectral_norm: bool = False, num_classes=None,
          ema_decay=None) -> GAN:
    """DCGAN for 28×28 images.  G: z → dense 2·width·7·7 → BatchNorm → ReLU → ConvTranspose 4×4/2
    (width) → BatchNorm → ReLU → ConvTranspose 4×4/2 (``channels``) → tanh.  D: conv 4×4/2 (width) →
    LeakyReLU 0.2 → conv 4×4/2 (2·width) → BatchNorm → LeakyReLU 0.2 → flatten → one logit.

    ``spectral_norm=True`` wraps D's layers in :class:`~neuronet.nn.SpectralNorm` and drops its
    BatchNorm (train it with ``loss="hinge"``: SN-GAN).

    Example:
        >>> gan = nt.models.dcgan(latent=8, width=4)
        >>> images = gan.generate(2, seed=0)
        >>> images.shape, bool(np.abs(images).max() <= 1.0)  # 28x28, tanh output
        ((2, 1, 28, 28), True)
    """
    w = int(width)
    g = [Dense(2 * w * 7 * 7, use_bias=False), Reshape((2 * w, 7, 7)), BatchNorm2D(), ReLU(),
         Conv2DTranspose(w, 4, strides=2, padding=1, use_bias=False), BatchNorm2D(), ReLU(),
         Conv2DTranspose(channels, 4, strides=2, padding=1, activation="tanh")]
    sn = SpectralNorm if spectral_norm else (lambda layer: layer)
    d = [sn(Conv2D(w, 4, strides=2, padding=1)), LeakyReLU(0.2), sn(Conv2D(2 * w, 4, strides=2, padding=1))]
    d += [LeakyReLU(0.2)] if spectral_norm else [BatchNorm2D(), LeakyReLU(0.2)]
    d += [Flatten(), sn(Dense(1))]
    return GAN(Sequential(g), Sequential(d), latent=latent, num_classes=num_classes, ema_decay=ema_decay)
