"""The inference route of a Transformer encoder layer: arrays in, arrays out, no graph.

A batch-1 call of an encoder layer spends most of its time outside arithmetic: about fifteen
Function applications (checks, Tensor wrapping, grad-mode bookkeeping) and four layer calls.
Under ``no_grad`` in evaluation mode none of that can change the values, so
:func:`encoder_layer_arrays` runs the forwards of the very same Functions (``Affine``,
``ScaledDotProductAttention``, ``LayerNorm``) on the arrays, in the order the layer call makes
them — the same values, bit for bit.  It returns None wherever the layer call could differ
(hooks, activity regularizers, a subclass's own forward, training mode, another dtype, a shape
the call would refuse, unbatched or sequence-first inputs, masks it cannot take, an activation
that is not fused), and the caller then makes the layer call.
"""
from __future__ import annotations

import math
from contextlib import nullcontext

from ...functional.attention import _SOFTMAX_CHUNK_BYTES, ScaledDotProductAttention, _default_scale
from ...functional.linear import _FUSED, Affine
from ...functional.normalization import _LN_CHUNK_BYTES
from ...functional.normalization import LayerNorm as LayerNormFunction
from ...kernels.parallel import products_only
from .attention import MultiHeadAttention
from .normalization import LayerNorm

__all__: list[str] = []


def _plain(module, kind=None) -> bool:
    """No hooks, no activity regularizer, and (with ``kind``) exactly that class's forward."""
    return (module._hooks is None and getattr(module, "activity_regularizer", None) is None
            and (kind is None or type(module).forward is kind.forward))


def _all_plain(*modules) -> bool:
    """:func:`_plain` of every module (a loop, not ``all()`` over a generator: this route runs per call)."""
    for module in modules:
        if not _plain(module):
            return False
    return True


def _data(parameter):
    """A parameter's array, or None for an absent one (a layer built without bias)."""
    return None if parameter is None else parameter.data


def _same_dtype(dtype, *arrays) -> bool:
    """Whether every array that is not None has ``dtype``."""
    for a in arrays:
        if a is not None and a.dtype != dtype:
            return False
    return True


def _norm(layer, x):
    """The LayerNorm layer's forward on the array x (None when it would not be that)."""
    if not _plain(layer, LayerNorm) or layer.normalized_shape != x.shape[-1:]:
        return None
    w = None if layer.weight is None else layer.weight.data
    b = None if layer.bias is None else layer.bias.data
    if not _same_dtype(x.dtype, w, b):
        return None
    return LayerNormFunction(n_axes=1, eps=float(layer.eps)).forward(x, w, b)


_NO_CHANGE = nullcontext()


def encoder_layer_threads(attn, shape, itemsize: int):
    """The BLAS thread rule for an encoder layer's call on input ``shape``: ``parallel.products_only``
    where its softmax and layer norms run as one chunk each (nothing on neuronet's own threads, so
    its mid-sized products keep every BLAS thread), else no change.  The layer call and this route
    both use it: BLAS may sum a long product in another order on more threads, so the two must
    run every product alike to agree bit for bit."""
    if len(shape) < 2:
        return _NO_CHANGE
    rows = math.prod(shape[:-1])
    steps = shape[1] if attn.batch_first and len(shape) == 3 else shape[0]
    if (rows * attn.num_heads * steps * itemsize <= _SOFTMAX_CHUNK_BYTES
            and rows * shape[-1] * itemsize <= _LN_CHUNK_BYTES):
        return products_only()
    return _NO_CHANGE


def _attention_mask(attn, key_padding_mask, attn_mask, n, t, dtype):
    """(allowed, additive, ok): the mask as ``scaled_dot_product_attention`` splits it, or ok False."""
    if key_padding_mask is None and attn_mask is None:
        return None, None, True
    try:
        mask = attn._mask("", key_padding_mask, attn_mask, n, t, t)
    except (ValueError, TypeError):  # the layer call raises its own error
        return None, None, False
    if mask.dtype == bool:
        return mask, None, True
    return None, mask, mask.dtype == dtype


def _self_attention(attn, x, residual, mask, is_causal):
    """``attn.attend(x, x, x, residual=residual)``'s output, from the arrays."""
    n, t, e = x.shape
    w, b = attn.in_proj_weight.data, None if attn.in_proj_bias is None else attn.in_proj_bias.data
    qkv = Affine().forward(x, w, b)
    heads, d = attn.num_heads, attn.head_dim
    q = qkv[..., :e].reshape(n, t, heads, d).swapaxes(1, 2)
    k = qkv[..., e:2 * e].reshape(n, t, heads, d).swapaxes(1, 2)
    v = qkv[..., 2 * e:].reshape(n, t, heads, d).swapaxes(1, 2)
    allowed, additive = mask
    core = ScaledDotProductAttention(allowed=allowed, is_causal=bool(is_causal), scale=_default_scale(q),
                                     merge_heads=True)
    out = core.forward(q, k, v, additive)
    out_proj = attn.out_proj
    return Affine().forward(out, out_proj.weight.data, None if out_proj.bias is None else out_proj.bias.data,
                            residual)


def encoder_layer_arrays(layer, data, src_mask=None, src_key_padding_mask=None, is_causal=False):
    """``layer(data, ...)``'s values as an array, or None when the call could differ (module docstring)."""
    attn = layer.self_attn
    if (layer.training or not _plain(layer) or type(attn) is not MultiHeadAttention or not _plain(attn)
            or not attn.packed or not attn.batch_first
            or not _all_plain(attn.out_proj, layer.linear1, layer.linear2, layer.dropout, layer.dropout1,
                              layer.dropout2)):
        return None
    activation = layer.activation
    key = activation.lower() if isinstance(activation, str) else activation
    try:
        fused = _FUSED[key]
    except (KeyError, TypeError):  # gelu or a callable: applied after the product by the layer call
        return None
    e = attn.embed_dim
    dtype = attn.in_proj_weight.data.dtype
    if (getattr(data, "ndim", 0) != 3 or data.shape[-1] != e or data.dtype != dtype
            or not _same_dtype(dtype, _data(attn.in_proj_bias), attn.out_proj.weight.data, _data(attn.out_proj.bias),
                               layer.linear1.weight.data, _data(layer.linear1.bias), layer.linear2.weight.data,
                               _data(layer.linear2.bias))):
        return None
    n, t = data.shape[0], data.shape[1]
    mask = _attention_mask(attn, src_key_padding_mask, src_mask, n, t, dtype)
    if not mask[2]:
        return None
    mask = mask[:2]
    lin1, lin2 = layer.linear1, layer.linear2
    b1 = None if lin1.bias is None else lin1.bias.data
    b2 = None if lin2.bias is None else lin2.bias.data

    def feed_forward(h, residual):
        return Affine().forward(Affine(fused).forward(h, lin1.weight.data, b1), lin2.weight.data, b2, residual)

    with encoder_layer_threads(attn, data.shape, data.itemsize):  # as the layer call runs its products
        return _layer(layer, attn, data, mask, is_causal, feed_forward)


def _layer(layer, attn, x, mask, is_causal, feed_forward):
    """The encoder layer's forward on the array x, once :func:`encoder_layer_arrays` has checked it."""
    if layer.norm_first:
        h = _norm(layer.norm1, x)
        if h is None:
            return None
        x = _self_attention(attn, h, x, mask, is_causal)
        h = _norm(layer.norm2, x)
        return None if h is None else feed_forward(h, x)
    x = _norm(layer.norm1, _self_attention(attn, x, x, mask, is_causal))
    if x is None:
        return None
    return _norm(layer.norm2, feed_forward(x, x))
