"""Keras's core layers over neuronet's: Dense, Activation, Dropout, Flatten, Reshape, Embedding,
and the activation and normalisation layers Keras courses use."""
from __future__ import annotations

from ... import nn
from ...nn import init
from .base import KerasLayer

__all__ = ["Dense", "Activation", "Dropout", "Flatten", "Reshape", "Embedding", "ReLU", "Softmax",
           "LeakyReLU", "LayerNormalization"]


def _t(a):
    return a.T


class Dense(KerasLayer, nn.Dense):
    """``keras.layers.Dense(units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
    bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, input_shape=...)``.

    Keras weights: ``[kernel (in, units), bias (units,)]``; the parameter ``weight`` is (units, in).

    Example:
        >>> from neuronet.keras import layers
        >>> dense = layers.Dense(8, activation="relu")
        >>> dense(nt.ones(2, 4)).shape, dense.weight.shape  # PyTorch layout underneath: (out, in)
        ((2, 8), (8, 4))
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, **kwargs):
        nn.Dense.__init__(self, units, activation, use_bias, kernel_initializer, bias_initializer,
                          kernel_regularizer, bias_regularizer)
        self._keras_base(kwargs)

    def keras_weights(self):
        return [("weight", _t, _t)] + ([("bias", None, None)] if self.use_bias else [])


class Activation(KerasLayer, nn.Activation):
    """``keras.layers.Activation("relu")``.

    Example:
        >>> nt.keras.layers.Activation("relu")(nt.tensor([-1.0, 2.0])).numpy()
        array([0., 2.], dtype=float32)
    """

    def __init__(self, activation, **kwargs):
        nn.Activation.__init__(self, activation)
        self._keras_base(kwargs)


class ReLU(KerasLayer, nn.ReLU):
    """``keras.layers.ReLU()``.

    Example:
        >>> nt.keras.layers.ReLU()(nt.tensor([-3.0, 3.0])).numpy()
        array([0., 3.], dtype=float32)
    """

    def __init__(self, **kwargs):
        nn.ReLU.__init__(self)
        self._keras_base(kwargs)


class LeakyReLU(KerasLayer, nn.LeakyReLU):
    """``keras.layers.LeakyReLU(negative_slope=0.3)`` (Keras's default slope).

    Example:
        >>> nt.keras.layers.LeakyReLU()(nt.tensor([-1.0, 1.0])).numpy()  # Keras's slope 0.3
        array([-0.3,  1. ], dtype=float32)
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        nn.LeakyReLU.__init__(self, negative_slope)
        self._keras_base(kwargs)


class Softmax(KerasLayer, nn.Softmax):
    """``keras.layers.Softmax(axis=-1)``.

    Example:
        >>> nt.keras.layers.Softmax()(nt.tensor([[0.0, 0.0]])).numpy()
        array([[0.5, 0.5]], dtype=float32)
    """

    def __init__(self, axis=-1, **kwargs):
        nn.Softmax.__init__(self, axis=axis)
        self._keras_base(kwargs)


class Dropout(KerasLayer, nn.Dropout):
    """``keras.layers.Dropout(rate)``: zeroes a fraction ``rate`` of the inputs in training.

    Example:
        >>> drop = nt.keras.layers.Dropout(0.5)
        >>> sorted(set(drop(nt.ones(100)).numpy().tolist()))  # kept values scaled by 2 in training
        [0.0, 2.0]
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        if noise_shape is not None:
            raise ValueError("Dropout: noise_shape is not supported; use Dropout2D-style layers of neuronet.nn")
        nn.Dropout.__init__(self, rate)
        self._keras_base(kwargs)


class Flatten(KerasLayer, nn.Flatten):
    """``keras.layers.Flatten()``: (N, ...) → (N, features); channels-last images flatten in
    Keras's order (height, width, channels), so a Dense after it has Keras's weights.

    Example:
        >>> nt.keras.layers.Flatten()(nt.ones(2, 4, 4, 3)).shape  # (N, H, W, C) -> (N, H*W*C)
        (2, 48)
    """

    def __init__(self, data_format=None, **kwargs):
        nn.Flatten.__init__(self)
        self._keras_base(kwargs)


class Reshape(KerasLayer, nn.Reshape):
    """``keras.layers.Reshape(target_shape)`` (per sample; one -1 allowed).

    Example:
        >>> nt.keras.layers.Reshape((4, -1))(nt.ones(2, 12)).shape
        (2, 4, 3)
    """

    def __init__(self, target_shape, **kwargs):
        nn.Reshape.__init__(self, target_shape)
        self._keras_base(kwargs)


class Embedding(KerasLayer, nn.Embedding):
    """``keras.layers.Embedding(input_dim, output_dim)``: ids in [0, input_dim) → vectors of
    ``output_dim``; initialised uniform(−0.05, 0.05) as in Keras.

    Example:
        >>> emb = nt.keras.layers.Embedding(100, 8)
        >>> emb(np.array([[1, 2, 3]])).shape
        (1, 3, 8)
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", mask_zero=False,
                 input_length=None, **kwargs):
        if mask_zero:
            raise ValueError("Embedding: mask_zero=True is not supported: neuronet's recurrent layers take "
                             "mask= or lengths= at the call instead (nt.nn.LSTM(...)(x, lengths=...))")
        nn.Embedding.__init__(self, input_dim, output_dim, embeddings_initializer=init.get(embeddings_initializer))
        self._keras_base(kwargs)
        if input_length is not None and self.keras_input_shape is None:
            self.keras_input_shape = (input_length,)


class LayerNormalization(KerasLayer, nn.LayerNorm):
    """``keras.layers.LayerNormalization(epsilon=1e-3)`` over the last axis.

    Example:
        >>> nt.keras.layers.LayerNormalization()(nt.tensor([[1.0, 3.0]])).numpy()
        array([[-0.9995,  0.9995]], dtype=float32)
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, **kwargs):
        if axis != -1 or center != scale:
            raise ValueError("LayerNormalization: only axis=-1 with center and scale both on or both off is supported")
        nn.LayerNorm.__init__(self, eps=epsilon, elementwise_affine=bool(scale))
        self._keras_base(kwargs)


def _ids(x):
    """Token ids as integers: Keras casts float ids (a float Input, a probe batch) to int."""
    from ...tensor import Tensor
    data = x.data if isinstance(x, Tensor) else x
    if getattr(getattr(data, "dtype", None), "kind", "i") == "f":
        return Tensor(data.astype("int64"))
    return x


Embedding.forward = lambda self, indices: nn.Embedding.forward(self, _ids(indices))
