"""Deep belief network (Hinton, Osindero & Teh 2006): a stack of RBMs trained greedily, one layer
at a time, each on the hidden probabilities of the one below.

The top two layers form an undirected RBM; the layers below are directed (top-down) sigmoid
belief layers using the RBMs' weights.  Generation: a long Gibbs chain in the top RBM, then one
top-down pass.  Fine-tuning: :meth:`DBN.to_mlp` copies the recognition weights into a
``Sequential`` of sigmoid ``Dense`` layers (``weight (out, in)`` is the RBM's layout) and adds a
read-out layer, ready for ``compile``/``fit``.
"""
from __future__ import annotations

import numpy as np

from ... import backend
from ...checks import positive_int
from .rbm import RBM

__all__ = ["DBN"]


class DBN:
    """A stack of RBMs with greedy layer-wise pre-training.

    Args:
        hidden_sizes: units per hidden layer, bottom to top (e.g. ``(500, 500, 2000)``).
        visible: the bottom RBM's visible units (``"bernoulli"`` or ``"gaussian"``); the layers
            above are always Bernoulli.
        **rbm_options: passed to every :class:`RBM` (``k``, ``persistent``, ``lr``, ``momentum``,
            ``weight_decay``, ``batch_size``, ``dtype``).
        seed: seed of the layers' generators (default: drawn from neuronet's generator).

    Example:
        >>> x = (np.random.default_rng(0).random((100, 16)) > 0.5).astype(np.float64)
        >>> dbn = nt.models.energy.DBN((8, 4), seed=0).pretrain(x, epochs=1)  # greedy, one RBM after the other
        >>> dbn.transform(x).shape, dbn.to_mlp(3)(nt.tensor(x.astype(np.float32))).shape  # features; an MLP to fine-tune
        ((100, 4), (100, 3))
    """

    def __init__(self, hidden_sizes, visible: str = "bernoulli", seed=None, **rbm_options):
        sizes = tuple(hidden_sizes)
        if not sizes:
            raise ValueError("DBN: hidden_sizes must name at least one layer, got ()")
        self.hidden_sizes = tuple(positive_int("DBN", "hidden_sizes[i]", s) for s in sizes)
        seed = seed if seed is not None else int(backend.get_rng().integers(2**31))
        self.rbms = [RBM(size, visible=visible if i == 0 else "bernoulli", seed=seed + i, **rbm_options)
                     for i, size in enumerate(self.hidden_sizes)]

    def pretrain(self, x, epochs=5, verbose: int = 0) -> "DBN":
        """Train the RBMs bottom-up; ``epochs`` is one number or one per layer."""
        per_layer = [epochs] * len(self.rbms) if np.isscalar(epochs) else list(epochs)
        if len(per_layer) != len(self.rbms):
            raise ValueError(f"DBN.pretrain: epochs has {len(per_layer)} entries for {len(self.rbms)} layers")
        data = x
        for i, (rbm, n) in enumerate(zip(self.rbms, per_layer)):
            if verbose:
                print(f"DBN layer {i + 1}/{len(self.rbms)}: RBM {data.shape[1]}-{rbm.n_hidden}")
            rbm.fit(data, epochs=n, verbose=verbose)
            data = rbm.transform(data)
        return self

    def transform(self, x, layers: int | None = None) -> np.ndarray:
        """Hidden probabilities after ``layers`` (default all) recognition layers."""
        for rbm in self.rbms[:layers]:
            x = rbm.transform(x)
        return x

    def generate(self, n: int, gibbs_steps: int = 1000) -> np.ndarray:
        """``n`` samples: ``gibbs_steps`` of Gibbs sampling in the top RBM, then the top-down pass
        (binary samples through the directed layers, the mean at the visible layer)."""
        top = self.rbms[-1]
        if top.weight is None:
            raise ValueError("DBN.generate: pretrain the network first")
        if len(self.rbms) == 1:
            return top.sample(n, gibbs_steps)
        below = top.sample(n, gibbs_steps)  # mean of the penultimate layer given the last hidden sample
        states = (top.rng.random(below.shape) < below).astype(below.dtype)
        for rbm in reversed(self.rbms[1:-1]):
            states = rbm.sample_visible(states)
        return self.rbms[0].visible_mean(states)

    def to_mlp(self, n_outputs: int | None = None, output_activation=None):
        """A ``Sequential`` of ``Dense(h, activation="sigmoid")`` layers holding the RBMs' recognition
        weights and hidden biases, plus ``Dense(n_outputs, output_activation)`` (Glorot-initialised)
        when ``n_outputs`` is given.  Gaussian inputs are divided by σ first, as the RBM does."""
        from ...nn import Dense
        from ...train import Sequential

        if self.rbms[0].weight is None:
            raise ValueError("DBN.to_mlp: pretrain the network first")
        dtype = backend.get_default_dtype()
        layers = []
        for i, rbm in enumerate(self.rbms):
            layer = Dense(rbm.n_hidden, activation="sigmoid", in_features=rbm.n_visible)
            weight = rbm.weight / rbm.sigma if (i == 0 and rbm.visible == "gaussian") else rbm.weight
            layer.weight.data[...] = weight.astype(dtype)
            layer.bias.data[...] = rbm.hidden_bias.astype(dtype)
            layers.append(layer)
        if n_outputs is not None:
            layers.append(Dense(positive_int("DBN.to_mlp", "n_outputs", n_outputs), activation=output_activation,
                                in_features=self.rbms[-1].n_hidden))
        return Sequential(layers)
