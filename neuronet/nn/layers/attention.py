"""Attention layers: PyTorch's MultiHeadAttention (same parameter names, layout and call), and
Keras-style Attention (dot, scaled, cosine, general scores) and AdditiveAttention (Bahdanau).

Mask conventions follow the library each layer mirrors: in ``MultiHeadAttention`` (PyTorch)
a boolean ``key_padding_mask``/``attn_mask`` is True where a position must be IGNORED; in the
Keras-style layers a mask is True where a position is VALID.  Unlike PyTorch, a query whose
keys are all masked gets zeros instead of NaN.
"""
from __future__ import annotations

from ... import backend
from ...checks import positive_int
from ...functional.attention import (
    additive_scores, cosine_scores, dot_scores, general_scores, masked_softmax, scaled_dot_product_attention,
    scaled_dot_scores,
)
from ...functional.dropout import dropout
from ...functional.linear import linear
from ...functional.math import matmul, mul
from ...functional.reduce import mean
from ...functional.shape import reshape, split, swapaxes, unsqueeze
from ...tensor import Tensor
from .. import init
from ..module import Module
from .base import _Layer, layer_input
from ..parameter import Parameter
from .dense import Linear

__all__ = ["MultiHeadAttention", "Attention", "AdditiveAttention"]


def _data(a):
    return a.data if isinstance(a, Tensor) else a


def _rate(layer, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(f"{layer}: dropout must be a probability in [0, 1), got {value!r}")
    return float(value)


class MultiHeadAttention(_Layer):
    """Multi-head attention (Vaswani et al., 2017): h heads attend in parallel over learned
    projections of query, key and value, and their outputs are concatenated and projected.

    Parameters are PyTorch's ``nn.MultiheadAttention``: ``in_proj_weight (3E, E)`` and
    ``in_proj_bias (3E,)`` when key and value have E features, otherwise ``q_proj_weight (E, E)``,
    ``k_proj_weight (E, kdim)``, ``v_proj_weight (E, vdim)``; and ``out_proj.weight/bias`` — so a
    torch ``state_dict`` loads with ``strict=True``.

    Args:
        num_heads: number of heads h; ``d_model`` must be divisible by it.
        d_model: E, the query's (and output's) feature size.
        kv_dim: feature size of key and value when it differs from E (``kdim``/``vdim`` set
            them separately, as PyTorch).
        dropout: dropout on the attention weights while training.
        bias: learn the input and output projection biases.
        batch_first: inputs (N, L, E) when True (default), (L, N, E) otherwise; 2-D inputs are
            one unbatched sequence.

    Example:
        >>> mha = nt.nn.MultiHeadAttention(4, 32)
        >>> x = nt.randn(2, 10, 32)
        >>> out, weights = mha(x, x, x)
        >>> out.shape, weights.shape  # weights averaged over the heads, as PyTorch
        ((2, 10, 32), (2, 10, 10))
    """

    float_inputs = 3  # integer data is cast to the float dtype (layers/base.py)

    def __init__(self, num_heads: int, d_model: int, kv_dim: int | None = None, dropout: float = 0.0,
                 bias: bool = True, batch_first: bool = True, kdim: int | None = None, vdim: int | None = None):
        super().__init__()
        self.num_heads = positive_int("MultiHeadAttention", "num_heads", num_heads)
        self.embed_dim = positive_int("MultiHeadAttention", "d_model", d_model)
        if d_model % num_heads:
            raise ValueError(f"MultiHeadAttention: d_model={d_model} must be divisible by num_heads={num_heads}")
        self.head_dim = d_model // num_heads
        self.kdim = positive_int("MultiHeadAttention", "kdim", kdim or kv_dim or d_model)
        self.vdim = positive_int("MultiHeadAttention", "vdim", vdim or kv_dim or d_model)
        self.dropout = _rate("MultiHeadAttention", dropout)
        self.batch_first = bool(batch_first)
        self.packed = self.kdim == d_model and self.vdim == d_model
        dtype = backend.get_default_dtype()
        E = d_model
        if self.packed:
            self.in_proj_weight = Parameter(init.xavier_uniform((3 * E, E), dtype=dtype), dtype=dtype)
        else:
            self.q_proj_weight = Parameter(init.xavier_uniform((E, E), dtype=dtype), dtype=dtype)
            self.k_proj_weight = Parameter(init.xavier_uniform((E, self.kdim), dtype=dtype), dtype=dtype)
            self.v_proj_weight = Parameter(init.xavier_uniform((E, self.vdim), dtype=dtype), dtype=dtype)
        self.in_proj_bias = Parameter(init.zeros((3 * E,), dtype=dtype), dtype=dtype) if bias else None
        self.out_proj = Linear(E, E, bias=bias)
        if bias:
            self.out_proj.bias = Parameter(init.zeros((E,), dtype=dtype), dtype=dtype)

    def _project(self, query, key, value):
        if self.packed and query is key and key is value:  # self-attention: one matrix product for q, k and v
            return split(linear(query, self.in_proj_weight, self.in_proj_bias), 3, axis=-1)
        b = (None, None, None) if self.in_proj_bias is None else split(self.in_proj_bias, 3)
        if not self.packed:
            return (linear(query, self.q_proj_weight, b[0]), linear(key, self.k_proj_weight, b[1]),
                    linear(value, self.v_proj_weight, b[2]))
        w = split(self.in_proj_weight, 3)
        return linear(query, w[0], b[0]), linear(key, w[1], b[1]), linear(value, w[2], b[2])

    def _heads(self, x):
        """(N, T, E) → (N, h, T, E/h)."""
        n, t = x.shape[0], x.shape[1]
        return swapaxes(reshape(x, (n, t, self.num_heads, self.head_dim)), 1, 2)

    def _check(self, query, key, value):
        name = f"MultiHeadAttention(num_heads={self.num_heads}, d_model={self.embed_dim})"
        qs, ks, vs = tuple(query.shape), tuple(key.shape), tuple(value.shape)
        if not (len(qs) == len(ks) == len(vs)) or len(qs) not in (2, 3):
            raise ValueError(f"{name}: query, key and value must all be 2-D (unbatched) or 3-D, got shapes {qs}, {ks}, {vs}")
        for what, s, n in (("query", qs, self.embed_dim), ("key", ks, self.kdim), ("value", vs, self.vdim)):
            if s[-1] != n:
                raise ValueError(f"{name}: {what} must have {n} features in its last dimension, received shape {s}")
        bdim = 0 if self.batch_first else 1
        if len(qs) == 3 and not (qs[bdim] == ks[bdim] == vs[bdim]):
            raise ValueError(f"{name}: query, key and value batch sizes differ: shapes {qs}, {ks}, {vs}")
        if ks[:-1] != vs[:-1]:
            raise ValueError(f"{name}: key and value must have the same length, got shapes {ks} and {vs}")
        return name

    def _mask(self, name, key_padding_mask, attn_mask, n, L, S):
        """One mask for scaled_dot_product_attention (True = take part, or additive), shaped (N|1, h|1, L, S)."""
        xp = backend.array_module(_data(key_padding_mask if key_padding_mask is not None else attn_mask))
        parts = []
        if key_padding_mask is not None:
            kpm = xp.asarray(_data(key_padding_mask))
            if tuple(kpm.shape) != (n, S):
                raise ValueError(f"{name}: key_padding_mask must have shape (batch, source length) = {(n, S)}, "
                                 f"got {tuple(kpm.shape)}")
            parts.append(kpm.reshape(n, 1, 1, S))
        if attn_mask is not None:
            am = xp.asarray(_data(attn_mask))
            if tuple(am.shape) == (L, S):
                parts.append(am)
            elif tuple(am.shape) == (n * self.num_heads, L, S):
                parts.append(am.reshape(n, self.num_heads, L, S))
            else:
                raise ValueError(f"{name}: attn_mask must have shape (L, S) = {(L, S)} or (batch·heads, L, S) = "
                                 f"{(n * self.num_heads, L, S)}, got {tuple(am.shape)}")
        if not parts:
            return None
        if all(p.dtype == bool for p in parts):
            allowed = ~parts[0]
            for p in parts[1:]:
                allowed = allowed & ~p
            return allowed
        total = 0
        for p in parts:  # PyTorch's rule: a boolean mask becomes −∞ where True, floats are added
            total = total + (xp.where(p, -xp.inf, 0.0) if p.dtype == bool else p)
        return total

    def forward(self, query, key=None, value=None, key_padding_mask=None, attn_mask=None, need_weights: bool = True,
                average_attn_weights: bool = True, is_causal: bool = False):
        """Attend from ``query`` to ``key``/``value`` (both default to ``query``: self-attention).

        Args:
            query: (N, L, E); key: (N, S, kdim); value: (N, S, vdim) (batch_first; 2-D unbatched).
            key_padding_mask: (N, S), boolean True = padding to ignore, or floating (added).
            attn_mask: (L, S) or (N·h, L, S), boolean True = not allowed, or floating (added).
            need_weights: also return the attention weights.
            average_attn_weights: average the weights over the heads ((N, L, S)), else (N, h, L, S).
            is_causal: mask future keys; unlike PyTorch it needs no ``attn_mask``.

        Returns:
            (output (N, L, E), weights or None).
        """
        return self.attend(query, key, value, key_padding_mask, attn_mask, need_weights, average_attn_weights,
                           is_causal)

    def attend(self, query, key=None, value=None, key_padding_mask=None, attn_mask=None, need_weights: bool = True,
               average_attn_weights: bool = True, is_causal: bool = False, residual=None):
        """:meth:`forward`, with ``residual`` (the output's shape) added to the output: for a
        batched, batch-first call the sum is made inside the output projection's Function, so
        a residual block keeps one array for backward instead of the projection and the sum."""
        key = query if key is None else key
        value = key if value is None else value
        name = self._check(query, key, value)
        unbatched = len(query.shape) == 2
        if unbatched:
            query, key, value = (unsqueeze(t, 0) if t is not None else t for t in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = _data(key_padding_mask).reshape(1, -1)
        elif not self.batch_first:
            same_kv, same_qk = value is key, key is query
            query = swapaxes(query, 0, 1)
            key = query if same_qk else swapaxes(key, 0, 1)
            value = key if same_kv else swapaxes(value, 0, 1)
        n, L, S = query.shape[0], query.shape[1], key.shape[1]
        mask = self._mask(name, key_padding_mask, attn_mask, n, L, S)
        q, k, v = (self._heads(t) for t in self._project(query, key, value))
        p = self.dropout if self.training else 0.0
        out = scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=is_causal, dropout_p=p,
                                           need_weights=need_weights, merge_heads=True)  # (N, L, E)
        weights = None
        if need_weights:
            out, weights = out
            if average_attn_weights:
                weights = mean(weights, axis=1)
        fused = residual is not None and not unbatched and self.batch_first
        if fused and tuple(residual.shape) != (n, L, self.embed_dim):
            raise ValueError(f"{name}: residual must have the output's shape {(n, L, self.embed_dim)}, "
                             f"got {tuple(residual.shape)}")
        out = linear(out, self.out_proj.weight, self.out_proj.bias, residual=residual if fused else None)
        if unbatched:
            out = reshape(out, (L, self.embed_dim))
            weights = None if weights is None else reshape(weights, weights.shape[1:])
        elif not self.batch_first:
            out = swapaxes(out, 0, 1)
        if residual is not None and not fused:
            out = residual + out
        return out, weights

    def extra_repr(self) -> str:
        return (f"num_heads={self.num_heads}, d_model={self.embed_dim}, kdim={self.kdim}, vdim={self.vdim}, "
                f"dropout={self.dropout}, batch_first={self.batch_first}")


class _KerasAttention(_Layer):
    """Shared call of the Keras-style layers: inputs [query, value] or [query, value, key]."""

    def __init__(self, dropout: float = 0.0):
        super().__init__()
        self.dropout = _rate(type(self).__name__, dropout)
        self.built = False

    def __call__(self, inputs, mask=None, return_attention_scores: bool = False, use_causal_mask: bool = False):
        name = type(self).__name__
        if not isinstance(inputs, (list, tuple)) or len(inputs) not in (2, 3):
            raise ValueError(f"{name}: inputs must be [query, value] or [query, value, key], got {type(inputs).__name__}"
                             f"{'' if not isinstance(inputs, (list, tuple)) else f' of length {len(inputs)}'}")
        # each input as the other layers take theirs (layers/base.py): lists of numbers as tensors,
        # non-real data refused by name, integer data cast to the float dtype
        inputs = [layer_input(name, a) for a in inputs]
        if not all(hasattr(a, "shape") for a in inputs):
            raise TypeError(f"{name}: query, value and key must be tensors, arrays or lists of numbers, got "
                            f"{[type(a).__name__ for a in inputs]}")
        inputs = [Tensor(_data(a).astype(self._float_dtype()))
                  if getattr(getattr(_data(a), "dtype", None), "kind", "f") in "biu" else a for a in inputs]
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) == 3 else value
        qs, ks, vs = tuple(query.shape), tuple(key.shape), tuple(value.shape)
        if len(qs) < 2 or len(ks) < 2 or len(vs) < 2 or ks[:-1] != vs[:-1]:
            raise ValueError(f"{name}: expected query (..., L, Eq), key (..., S, Ek), value (..., S, Ev) with the same "
                             f"(..., S), got shapes {qs}, {ks}, {vs}")
        if not self.built:
            self.build((qs, ks))
            self.built = True
        return self.forward(query, value, key, mask, return_attention_scores, use_causal_mask)

    def forward(self, query, value, key, mask=None, return_attention_scores=False, use_causal_mask=False):
        name = type(self).__name__
        query_mask, value_mask = (None, None) if mask is None else tuple(mask)
        L, S = query.shape[-2], key.shape[-2]
        allowed = None
        if value_mask is not None:
            vm = _data(value_mask)
            if tuple(vm.shape) != tuple(key.shape[:-1]):
                raise ValueError(f"{name}: value mask must have shape {tuple(key.shape[:-1])}, got {tuple(vm.shape)}")
            allowed = backend.array_module(vm).expand_dims(vm.astype(bool), -2)
        if use_causal_mask:
            xp = backend.array_module(_data(query))
            causal = xp.tril(xp.ones((L, S), dtype=bool))
            allowed = causal if allowed is None else allowed & causal
        weights = masked_softmax(self.scores(query, key), allowed)
        weights = dropout(weights, self.dropout, self.training)
        out = matmul(weights, value)
        if query_mask is not None:
            qm = _data(query_mask)
            if tuple(qm.shape) != tuple(query.shape[:-1]):
                raise ValueError(f"{name}: query mask must have shape {tuple(query.shape[:-1])}, got {tuple(qm.shape)}")
            out = mul(out, backend.array_module(qm).expand_dims(qm.astype(out.dtype), -1))
        return (out, weights) if return_attention_scores else out


class Attention(_KerasAttention):
    """Dot-product attention over a sequence (Luong; Keras's ``Attention``): each query takes a
    softmax-weighted average of the values, weighted by its score against every key.

    Args:
        score: ``"dot"`` (qᵀk), ``"scaled"`` (qᵀk/√E), ``"cosine"`` (qᵀk/‖q‖‖k‖) or
            ``"general"`` (qᵀWk with a learned W (Eq, Ek), built from the first inputs).
        use_scale: multiply the scores by a learned scalar ``scale`` (starts at 1).
        dropout: dropout on the attention weights while training.

    Call: ``layer([query, value])`` or ``layer([query, value, key])``, with
    ``mask=[query_mask (N, L), value_mask (N, S)]`` (True = valid), ``return_attention_scores``
    (also return the weights (N, L, S)) and ``use_causal_mask``.

    Example:
        >>> q, v = nt.randn(2, 3, 8), nt.randn(2, 5, 8)
        >>> nt.nn.Attention()([q, v]).shape  # each query reads the 5 values
        (2, 3, 8)
    """

    SCORES = ("dot", "scaled", "cosine", "general")

    def __init__(self, score: str = "dot", use_scale: bool = False, dropout: float = 0.0):
        super().__init__(dropout)
        if score not in self.SCORES:
            raise ValueError(f"Attention: score must be one of {self.SCORES}, got {score!r}")
        self.score, self.use_scale = score, bool(use_scale)
        dtype = backend.get_default_dtype()
        self.scale = Parameter(init.ones((), dtype=dtype), dtype=dtype) if self.use_scale else None
        if score == "general":
            self.register_parameter("weight", None)
        else:
            self.built = True

    def build(self, input_shape) -> None:
        """``general`` scores: create ``weight (Eq, Ek)`` from the query and key feature sizes."""
        (qs, ks), dtype = input_shape, backend.get_default_dtype()
        self.weight = Parameter(init.xavier_uniform((qs[-1], ks[-1]), dtype=dtype), dtype=dtype)

    def scores(self, query, key):
        try:
            if self.score == "general":
                s = general_scores(query, key, self.weight)
            else:
                s = {"dot": dot_scores, "scaled": scaled_dot_scores, "cosine": cosine_scores}[self.score](query, key)
        except ValueError as e:
            raise ValueError(f"Attention(score={self.score!r}): {e}") from None
        return s if self.scale is None else mul(s, self.scale)

    def extra_repr(self) -> str:
        return f"score={self.score!r}, use_scale={self.use_scale}, dropout={self.dropout}"


class AdditiveAttention(_KerasAttention):
    """Additive attention (Bahdanau et al., 2015): score(q, k) = vᵀ tanh(W_q q + W_k k).

    With ``units`` None the inputs are taken as already projected (Keras's
    ``AdditiveAttention``): score = vᵀ tanh(q + k), with ``v`` learned when ``use_scale`` and all
    ones otherwise.  With ``units`` = H the layer learns ``query_weight (H, Eq)``,
    ``key_weight (H, Ek)`` and ``v (H,)`` (built from the first inputs).

    Call as :class:`Attention`.

    Example:
        >>> q, v = nt.randn(2, 3, 8), nt.randn(2, 5, 8)
        >>> nt.nn.AdditiveAttention()([q, v]).shape
        (2, 3, 8)
    """

    def __init__(self, units: int | None = None, use_scale: bool = True, dropout: float = 0.0):
        super().__init__(dropout)
        self.units = None if units is None else positive_int("AdditiveAttention", "units", units)
        self.use_scale = bool(use_scale) or units is not None
        for n in ("v",) * self.use_scale + (("query_weight", "key_weight") if self.units else ()):
            self.register_parameter(n, None)
        if not self.units:
            self.query_weight = self.key_weight = None

    def build(self, input_shape) -> None:
        """Create ``v`` (and the projections when ``units`` is set) from the input feature sizes."""
        (qs, ks), dtype = input_shape, backend.get_default_dtype()
        if self.units is None and qs[-1] != ks[-1]:
            raise ValueError(f"AdditiveAttention: without units, query and key need the same feature size, "
                             f"got shapes {qs} and {ks}")
        hidden = self.units or qs[-1]
        if self.units:
            self.query_weight = Parameter(init.xavier_uniform((hidden, qs[-1]), dtype=dtype), dtype=dtype)
            self.key_weight = Parameter(init.xavier_uniform((hidden, ks[-1]), dtype=dtype), dtype=dtype)
        if self.use_scale:
            self.v = Parameter(init.xavier_uniform((1, hidden), dtype=dtype).reshape(hidden), dtype=dtype)
        else:
            self.v = Tensor(init.ones((hidden,), dtype=dtype))

    def scores(self, query, key):
        return additive_scores(query, key, self.v, self.query_weight, self.key_weight)

    def extra_repr(self) -> str:
        return f"units={self.units}, use_scale={self.use_scale}, dropout={self.dropout}"
