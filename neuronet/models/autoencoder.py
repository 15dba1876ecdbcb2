"""Auto-encoders: an encoder that squeezes the input into a code and a decoder that rebuilds the
input from it, trained to reproduce the input (``fit(x)``).

- undercomplete (a code smaller than the input), dense or convolutional
  (Conv2D encoder, Conv2DTranspose or UpSampling2D decoder);
- denoising: the input is corrupted in training only (Gaussian, masking, salt-and-pepper), the
  target stays clean (Vincent et al. 2008);
- sparse: an activity penalty on the code, L1 or the KL toward a target activation ρ
  (``code_regularizer=``, any activity regularizer);
- contractive: λ‖∂h/∂x‖²_F for a one-layer sigmoid encoder, in closed form (Rifai et al. 2011).
"""
from __future__ import annotations

from ..functional.generative import contractive_penalty
from ..nn import Conv2D, Conv2DTranspose, Corruption, Dense, Flatten, Reshape, UpSampling2D
from ..nn.layers.activity_regularization import get_activity_regularizer
from ..train import Sequential
from .generative_model import GenerativeModel

__all__ = ["AutoEncoder", "dense_autoencoder", "conv_autoencoder"]


class AutoEncoder(GenerativeModel):
    """encoder → code → decoder, trained with ``compile(loss="mse" | "bce")`` and ``fit(x)``.

    Args:
        encoder, decoder: modules (``nt.Sequential`` usually); ``decoder(encoder(x))`` has x's shape.
        corruption: None, or ``(kind, level)`` with kind ``'gaussian'`` (level = σ), ``'masking'`` or
            ``'salt_and_pepper'`` (level = fraction hit): a denoising auto-encoder.  Applied in
            training only; ``predict``/``encode`` see the input as given.
        code_regularizer: an activity regularizer on the code (``"l1"``, ``nt.nn.ActivityL1L2(l1=...)``,
            ``nt.nn.SparsityKL(rho, beta)`` — the last needs codes in (0, 1), a sigmoid code layer).
        contractive: λ of the contractive penalty λ·mean_n ‖∂h/∂x‖²_F; needs an encoder whose only
            layer with parameters is a sigmoid ``Dense``.

    Example:
        >>> encoder = nt.Sequential([nt.nn.Flatten(), nt.nn.Dense(8, activation="relu")])
        >>> decoder = nt.Sequential([nt.nn.Dense(16, activation="sigmoid"), nt.nn.Reshape((1, 4, 4))])
        >>> ae = nt.models.AutoEncoder(encoder, decoder, corruption=("masking", 0.2))  # denoising
        >>> _ = ae.compile(optimizer="adam", loss="mse")
        >>> x = np.random.rand(32, 1, 4, 4).astype(np.float32)
        >>> _ = ae.fit(x, epochs=1, verbose=0)
        >>> ae.encode(x).shape, ae.predict(x).shape
        ((32, 8), (32, 1, 4, 4))
    """

    def __init__(self, encoder, decoder, corruption=None, code_regularizer=None, contractive: float = 0.0):
        super().__init__()
        self.encoder, self.decoder = encoder, decoder
        if corruption is not None:
            if not isinstance(corruption, (tuple, list)) or len(corruption) != 2:
                raise ValueError(f"AutoEncoder: corruption must be None or (kind, level), e.g. ('masking', 0.3), "
                                 f"got {corruption!r}")
            self.corruption = Corruption(*corruption)
        else:
            self.corruption = None
        self.activity_regularizer = get_activity_regularizer(code_regularizer)
        self.contractive = float(contractive)
        if not self.contractive >= 0.0:
            raise ValueError(f"AutoEncoder: contractive must be >= 0, got {contractive}")
        if self.contractive:
            self._contractive_layer()  # fail now on an encoder the closed form does not cover

    def _contractive_layer(self):
        with_params = [m for m in (self.encoder if hasattr(self.encoder, "__iter__") else [self.encoder])
                       if any(True for _ in m.parameters()) or not m.built]
        if len(with_params) != 1 or not isinstance(with_params[0], Dense) or with_params[0].activation != "sigmoid":
            raise ValueError("AutoEncoder: contractive=λ needs an encoder whose one layer with parameters is "
                             "Dense(units, activation='sigmoid') (the closed form of ‖∂h/∂x‖² is for that encoder), "
                             f"got {self.encoder!r}"[:400])
        return with_params[0]

    def forward(self, x):
        if self.corruption is not None:
            x = self.corruption(x)
        h = self.encoder(x)
        penalty = None
        if self.training and self.activity_regularizer is not None:
            reg = self.activity_regularizer
            penalty = reg(h) if getattr(reg, "batch_averaged", False) else reg(h) * (1.0 / max(h.shape[0], 1))
        if self.training and self.contractive:
            term = contractive_penalty(h, self._contractive_layer().weight) * self.contractive
            penalty = term if penalty is None else penalty + term
        object.__setattr__(self, "activity_loss", penalty)  # Model.fit adds it to the loss
        return self.decoder(h)

    def encode(self, x, batch_size: int = 256):
        """The codes of ``x`` (no corruption, evaluation mode), as a NumPy array."""
        return self._run(self.encoder, x, batch_size=batch_size)

    def decode(self, z, batch_size: int = 256):
        """The decoder's output for codes ``z``, as a NumPy array."""
        return self._run(self.decoder, z, batch_size=batch_size)

    def reconstruct(self, x, batch_size: int = 256):
        """decode(encode(x)) in evaluation mode (the same as ``predict``)."""
        return self._run(self, x, batch_size=batch_size)


def dense_autoencoder(input_shape=(1, 28, 28), code: int = 32, hidden=(256,), activation: str = "relu",
                      code_activation=None, output_activation: str = "sigmoid", **kwargs) -> AutoEncoder:
    """A fully connected auto-encoder: flatten → hidden layers → ``code`` units → mirrored hidden layers
    → the input's size (sigmoid: pixels in [0, 1]) → the input's shape.  ``kwargs`` go to
    :class:`AutoEncoder` (``corruption=``, ``code_regularizer=``, ``contractive=``).

    Example: ``dense_autoencoder(code=32, corruption=("gaussian", 0.4))`` — a denoising AE.

    Example:
        >>> ae = nt.models.dense_autoencoder(input_shape=(1, 28, 28), code=16, hidden=(64,))
        >>> ae.encode(np.zeros((2, 1, 28, 28), np.float32)).shape, ae(nt.zeros(2, 1, 28, 28)).shape
        ((2, 16), (2, 1, 28, 28))
    """
    size = 1
    for s in input_shape:
        size *= int(s)
    enc = [Flatten()] + [Dense(h, activation=activation) for h in hidden] + [Dense(code, activation=code_activation)]
    dec = [Dense(h, activation=activation) for h in reversed(hidden)] + [Dense(size, activation=output_activation),
                                                                           Reshape(tuple(input_shape))]
    return AutoEncoder(Sequential(enc), Sequential(dec), **kwargs)


def conv_autoencoder(channels=(16, 32), in_channels: int = 1, code=None, spatial: int = 7, upsample: str = "transpose",
                     activation: str = "relu", output_activation: str = "sigmoid", **kwargs) -> AutoEncoder:
    """A convolutional auto-encoder for 28×28 images: stride-2 3×3 convolutions halve the size per
    entry of ``channels`` (28 → 14 → 7), an optional dense code of ``code`` units, and a mirrored
    decoder of stride-2 ``Conv2DTranspose`` (``upsample="transpose"``) or ``UpSampling2D`` + 3×3 conv
    (``upsample="nearest"``) back to ``in_channels``×28×28.

    Args:
        spatial: the feature maps' side after the encoder's convolutions (7 for 28×28 and two
            stride-2 convolutions); needed to shape the dense code back into maps.

    Example:
        >>> ae = nt.models.conv_autoencoder(channels=(4, 8))
        >>> ae(nt.zeros(2, 1, 28, 28)).shape
        (2, 1, 28, 28)
    """
    if upsample not in ("transpose", "nearest"):
        raise ValueError(f"conv_autoencoder: upsample must be 'transpose' or 'nearest', got {upsample!r}")
    enc = [Conv2D(c, 3, strides=2, padding=1, activation=activation) for c in channels]
    dec = []
    if code is not None:
        enc += [Flatten(), Dense(code)]
        dec += [Dense(channels[-1] * spatial * spatial, activation=activation),
                Reshape((channels[-1], spatial, spatial))]
    outs = list(reversed(channels[:-1])) + [in_channels]
    for i, c in enumerate(outs):
        act = output_activation if i == len(outs) - 1 else activation
        if upsample == "transpose":
            dec.append(Conv2DTranspose(c, 3, strides=2, padding=1, output_padding=1, activation=act))
        else:
            dec += [UpSampling2D(2), Conv2D(c, 3, padding=1, activation=act)]
    return AutoEncoder(Sequential(enc), Sequential(dec), **kwargs)
