"""Transformer encoder and decoder layers and stacks (Vaswani et al., 2017), with PyTorch's
constructor, call and sub-module names (``self_attn``, ``multihead_attn``, ``linear1``,
``linear2``, ``norm1``…``norm3``, ``layers.0``…) so a ``torch.nn.Transformer*`` state dict loads
with ``strict=True``.

Post-norm (default, the paper):  x = norm(x + sublayer(x)).
Pre-norm (``norm_first=True``):  x = x + sublayer(norm(x)) — trains more stably when deep.
"""
from __future__ import annotations

from ... import backend
from ...autograd import _mode, _wrap
from ...checks import positive_int
from ...functional.activation import get_activation
from ...functional.linear import dense, linear
from ...tensor import Tensor
from ..module import Module
from .base import _Layer
from ..sequential import Sequential
from .attention import MultiHeadAttention
from .dense import Linear
from .dropout import Dropout
from .normalization import LayerNorm
from .transformer_inference import encoder_layer_arrays, encoder_layer_threads

__all__ = ["TransformerEncoderLayer", "TransformerDecoderLayer", "TransformerEncoder", "TransformerDecoder",
           "Transformer"]


def _is_identity(dropout):
    """True when a Dropout layer passes its input through unchanged (rate 0, or evaluation mode)."""
    return isinstance(dropout, Dropout) and (dropout.rate == 0 or not dropout.training)


class _FeedForward(_Layer):
    """Shared pieces of both layers: the self-attention block, the position-wise feed-forward
    block and the residual rule."""

    float_inputs = 1  # integer data is cast to the float dtype (layers/base.py)

    @staticmethod
    def _attention_block(attention, dropout, x, memory, attn_mask, key_padding_mask, is_causal, residual):
        """dropout(attention(x, memory, memory)), plus ``residual`` if given; without dropout the
        sum is made inside the output projection's Function (one array kept for backward, not two)."""
        args = dict(attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False, is_causal=is_causal)
        if residual is not None and _is_identity(dropout):
            return attention.attend(x, memory, memory, residual=residual, **args)[0]
        x = dropout(attention(x, memory, memory, **args)[0])
        return x if residual is None else residual + x

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal, residual=None):
        """dropout1(self_attn(x)), plus ``residual`` if given."""
        return self._attention_block(self.self_attn, self.dropout1, x, x, attn_mask, key_padding_mask, is_causal,
                                     residual)

    def _init_ffn(self, d_model, dim_feedforward, dropout, activation, layer_norm_eps, n_norms):
        if isinstance(activation, str) and activation not in ("relu", "gelu"):
            raise ValueError(f"{type(self).__name__}: activation must be 'relu', 'gelu' or a callable, got {activation!r}")
        get_activation(activation)
        if not 0 <= dropout < 1:
            raise ValueError(f"{type(self).__name__}: dropout must be in [0, 1), got {dropout!r}")
        self.activation = activation
        self.linear1 = Linear(d_model, dim_feedforward)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model)
        for i in range(1, n_norms + 1):
            setattr(self, f"norm{i}", LayerNorm(d_model, eps=layer_norm_eps))
            setattr(self, f"dropout{i}", Dropout(dropout))

    def _ff_block(self, x, residual=None, final_dropout=None):
        """final_dropout(linear2(dropout(act(linear1 x)))), plus ``residual`` if given; relu is
        fused into linear1's matrix product and, without final dropout, the sum into linear2's."""
        h = self.dropout(dense(x, self.linear1.weight, self.linear1.bias, self.activation))
        if residual is not None and (final_dropout is None or _is_identity(final_dropout)):
            return linear(h, self.linear2.weight, self.linear2.bias, residual=residual)
        y = self.linear2(h)
        y = y if final_dropout is None else final_dropout(y)
        return y if residual is None else residual + y

    def _check(self, what, x):
        d = self.linear1.in_features
        if len(x.shape) not in (2, 3) or x.shape[-1] != d:
            raise ValueError(f"{type(self).__name__}(d_model={d}): expected {what} of shape (batch, T, {d}) "
                             f"or (T, {d}), received shape {tuple(x.shape)}")


class TransformerEncoderLayer(_FeedForward):
    """One encoder block: multi-head self-attention, then a position-wise feed-forward network,
    each with a residual connection, dropout and layer normalisation.

    Args:
        d_model: feature size E.
        nhead: attention heads (E divisible by it).
        dim_feedforward: hidden size of the feed-forward network.
        dropout: dropout after attention weights, inside and after the feed-forward network.
        activation: ``"relu"``, ``"gelu"`` or a callable.
        layer_norm_eps: LayerNorm's ε.
        batch_first: inputs (N, T, E) when True (default), (T, N, E) otherwise.
        norm_first: pre-norm instead of the paper's post-norm.

    Example:
        >>> layer = nt.nn.TransformerEncoderLayer(d_model=32, nhead=4, dim_feedforward=64)
        >>> layer(nt.randn(2, 10, 32)).shape
        (2, 10, 32)
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation="relu", layer_norm_eps: float = 1e-5, batch_first: bool = True, norm_first: bool = False,
                 bias: bool = True):
        super().__init__()
        self.self_attn = MultiHeadAttention(nhead, d_model, dropout=dropout, bias=bias, batch_first=batch_first)
        self._init_ffn(d_model, dim_feedforward, dropout, activation, layer_norm_eps, 2)
        self.norm_first = bool(norm_first)

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal: bool = False):
        """Encode ``src`` (N, T, E); masks as :class:`MultiHeadAttention` (True = ignore)."""
        self._check("src", src)
        x = src
        with encoder_layer_threads(self.self_attn, x.shape, x.dtype.itemsize):  # as the inference route does
            if self.norm_first:
                x = self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal, residual=x)
                return self._ff_block(self.norm2(x), x, self.dropout2)
            x = self.norm1(self._sa_block(x, src_mask, src_key_padding_mask, is_causal, residual=x))
            return self.norm2(self._ff_block(x, x, self.dropout2))

    def infer_array(self, data, src_mask=None, src_key_padding_mask=None, is_causal: bool = False):
        """The layer call's values for the array ``data`` without a graph (eval mode, no_grad), for
        ``Sequential``'s and ``TransformerEncoder``'s inference route: the same Functions' forwards
        on arrays, without the per-call work around them (``transformer_inference.py``).  None
        whenever the layer call could differ (hooks, training mode, another dtype or shape, masks
        it does not take), so that the caller makes the call instead.

        Example:
            >>> layer = nt.nn.TransformerEncoderLayer(16, 2, dim_feedforward=32).eval()
            >>> x = nt.randn(1, 5, 16)
            >>> with nt.no_grad():
            ...     bool(np.array_equal(layer.infer_array(x.numpy()), layer(x).numpy()))
            True
        """
        if type(self).forward is not TransformerEncoderLayer.forward:  # a subclass's own forward: its call
            return None
        return encoder_layer_arrays(self, data, src_mask, src_key_padding_mask, is_causal)


class TransformerDecoderLayer(_FeedForward):
    """One decoder block: masked self-attention over the target, cross-attention to the
    encoder's output (``memory``), and the feed-forward network, each with residual, dropout
    and layer normalisation.  Arguments as :class:`TransformerEncoderLayer`.

    Example:
        >>> layer = nt.nn.TransformerDecoderLayer(d_model=32, nhead=4, dim_feedforward=64)
        >>> layer(nt.randn(2, 7, 32), nt.randn(2, 10, 32)).shape  # (target, memory)
        (2, 7, 32)
    """

    float_inputs = 2  # integer data is cast to the float dtype (layers/base.py)

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation="relu", layer_norm_eps: float = 1e-5, batch_first: bool = True, norm_first: bool = False,
                 bias: bool = True):
        super().__init__()
        self.self_attn = MultiHeadAttention(nhead, d_model, dropout=dropout, bias=bias, batch_first=batch_first)
        self.multihead_attn = MultiHeadAttention(nhead, d_model, dropout=dropout, bias=bias, batch_first=batch_first)
        self._init_ffn(d_model, dim_feedforward, dropout, activation, layer_norm_eps, 3)
        self.norm_first = bool(norm_first)

    def _mha_block(self, x, mem, attn_mask, key_padding_mask, is_causal, residual=None):
        """dropout2(multihead_attn(x, mem)), plus ``residual`` if given."""
        return self._attention_block(self.multihead_attn, self.dropout2, x, mem, attn_mask, key_padding_mask,
                                     is_causal, residual)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal: bool = False, memory_is_causal: bool = False):
        """Decode ``tgt`` (N, T, E) attending to ``memory`` (N, S, E); masks True = ignore."""
        self._check("tgt", tgt)
        self._check("memory", memory)
        x = tgt
        if self.norm_first:
            x = self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal, residual=x)
            x = self._mha_block(self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal,
                                residual=x)
            return self._ff_block(self.norm3(x), x, self.dropout3)
        x = self.norm1(self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal, residual=x))
        x = self.norm2(self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal, residual=x))
        return self.norm3(self._ff_block(x, x, self.dropout3))


def _stack(owner, layer_or_factory, num_layers, kind):
    """``num_layers`` layers in a Sequential named ``layers``: a factory is called each time; a
    layer is copied (same configuration and same initial weights, as PyTorch's deepcopy)."""
    num_layers = positive_int(owner, "num_layers", num_layers)
    if isinstance(layer_or_factory, kind):
        state = layer_or_factory.state_dict()
        layers = []
        for _ in range(num_layers):
            clone = Module.from_config(layer_or_factory.get_config())
            clone.load_state_dict(state)
            clone.train(layer_or_factory.training)
            layers.append(clone)
    elif callable(layer_or_factory) and not isinstance(layer_or_factory, Module):
        layers = [layer_or_factory() for _ in range(num_layers)]
        if not all(isinstance(m, kind) for m in layers):
            raise TypeError(f"{owner}: the factory must return {kind.__name__} instances")
    else:
        raise TypeError(f"{owner}: expected a {kind.__name__} or a function returning one, "
                        f"got {type(layer_or_factory).__name__}")
    return Sequential(layers)


class TransformerEncoder(_Layer):
    """A stack of ``num_layers`` encoder layers, optionally followed by a final ``norm``
    (needed after pre-norm layers).

    Args:
        encoder_layer: a :class:`TransformerEncoderLayer` to copy, or a function making one.
        num_layers: depth.
        norm: a module applied to the output (e.g. ``LayerNorm(d_model)``), or None.

    Example:
        >>> enc = nt.nn.TransformerEncoder(nt.nn.TransformerEncoderLayer(32, 4, dim_feedforward=64), num_layers=2)
        >>> enc(nt.randn(2, 10, 32)).shape, len(enc.layers)
        ((2, 10, 32), 2)
    """

    float_inputs = 1  # integer data is cast to the float dtype (layers/base.py)

    def __init__(self, encoder_layer, num_layers: int, norm: Module | None = None):
        super().__init__()
        self.layers = _stack("TransformerEncoder", encoder_layer, num_layers, TransformerEncoderLayer)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal: bool = False):
        x, layers = src, list(self.layers)
        if not _mode.enabled and _mode.capture is None and _mode.tracer is None and isinstance(src, Tensor):
            # inference: layers that can run on arrays do (TransformerEncoderLayer.infer_array)
            data, done = src.data, 0
            for layer in layers:
                out = layer.infer_array(data, mask, src_key_padding_mask, is_causal)
                if out is None:
                    break
                data, done = out, done + 1
            x, layers = (_wrap(data) if done else src), layers[done:]
        for layer in layers:
            x = layer(x, src_mask=mask, src_key_padding_mask=src_key_padding_mask, is_causal=is_causal)
        return x if self.norm is None else self.norm(x)


class TransformerDecoder(_Layer):
    """A stack of ``num_layers`` decoder layers, optionally followed by a final ``norm``.
    Arguments as :class:`TransformerEncoder`.

    Example:
        >>> dec = nt.nn.TransformerDecoder(nt.nn.TransformerDecoderLayer(32, 4, dim_feedforward=64), num_layers=2)
        >>> dec(nt.randn(2, 7, 32), nt.randn(2, 10, 32)).shape
        (2, 7, 32)
    """

    float_inputs = 2  # integer data is cast to the float dtype (layers/base.py)

    def __init__(self, decoder_layer, num_layers: int, norm: Module | None = None):
        super().__init__()
        self.layers = _stack("TransformerDecoder", decoder_layer, num_layers, TransformerDecoderLayer)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal: bool = False, memory_is_causal: bool = False):
        x = tgt
        for layer in self.layers:
            x = layer(x, memory, tgt_mask=tgt_mask, memory_mask=memory_mask, tgt_key_padding_mask=tgt_key_padding_mask,
                      memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                      memory_is_causal=memory_is_causal)
        return x if self.norm is None else self.norm(x)


class Transformer(_Layer):
    """The full encoder–decoder Transformer of Vaswani et al.: an encoder stack reads the source,
    a decoder stack writes the target attending to it.  PyTorch's ``nn.Transformer`` constructor,
    call and parameter names (``encoder.layers.0…``, ``encoder.norm``, ``decoder.norm``), so its
    state dict loads with ``strict=True``.  Inputs are batch first: src (N, S, E), tgt (N, T, E);
    the embeddings and the output projection are the user's (see ``models.Seq2SeqTransformer``).

    Args:
        d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, norm_first: as
            :class:`TransformerEncoderLayer`.
        num_encoder_layers, num_decoder_layers: depth of each stack.
        batch_first: must be True (the house layout).

    Example:
        >>> model = nt.nn.Transformer(d_model=32, nhead=4, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=64)
        >>> model(nt.randn(2, 10, 32), nt.randn(2, 7, 32)).shape  # (source, target)
        (2, 7, 32)
    """

    float_inputs = 2  # integer data is cast to the float dtype (layers/base.py)

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6, num_decoder_layers: int = 6,
                 dim_feedforward: int = 2048, dropout: float = 0.1, activation="relu", layer_norm_eps: float = 1e-5,
                 batch_first: bool = True, norm_first: bool = False):
        super().__init__()
        if batch_first is not True:
            raise ValueError(f"Transformer: only batch_first=True (inputs (N, T, E)) is supported, got {batch_first!r}")
        kw = dict(dim_feedforward=dim_feedforward, dropout=dropout, activation=activation,
                  layer_norm_eps=layer_norm_eps, norm_first=norm_first)
        self.encoder = TransformerEncoder(lambda: TransformerEncoderLayer(d_model, nhead, **kw), num_encoder_layers,
                                          LayerNorm(d_model, eps=layer_norm_eps))
        self.decoder = TransformerDecoder(lambda: TransformerDecoderLayer(d_model, nhead, **kw), num_decoder_layers,
                                          LayerNorm(d_model, eps=layer_norm_eps))
        self.d_model, self.nhead, self.batch_first = d_model, nhead, True

    @staticmethod
    def generate_square_subsequent_mask(sz: int, dtype=None):
        """The causal mask (sz, sz) as PyTorch builds it: 0 on and below the diagonal, −∞ above
        (a float mask added to the scores, so position t sees only positions ≤ t)."""
        if isinstance(sz, bool) or not isinstance(sz, int) or sz < 1:
            raise ValueError(f"Transformer.generate_square_subsequent_mask: sz must be a positive integer, got {sz!r}")
        np_ = backend.np
        upper = np_.triu(np_.ones((sz, sz), dtype=bool), 1)
        return np_.where(upper, -np_.inf, 0.0).astype(dtype or backend.get_default_dtype())

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
                tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal: bool = False,
                tgt_is_causal: bool = False, memory_is_causal: bool = False):
        """Encode ``src`` (N, S, E) and decode ``tgt`` (N, T, E) → (N, T, E); masks True = ignore
        (or floating, added to the scores), as :class:`MultiHeadAttention`."""
        if len(src.shape) != 3 or len(tgt.shape) != 3 or src.shape[0] != tgt.shape[0] \
                or src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise ValueError(f"Transformer(d_model={self.d_model}): expected src (N, S, {self.d_model}) and tgt "
                             f"(N, T, {self.d_model}) with the same N, received shapes {tuple(src.shape)} and "
                             f"{tuple(tgt.shape)}")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask, memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)

    def extra_repr(self) -> str:
        return f"d_model={self.d_model}, nhead={self.nhead}"
