"""``from_torch``: one small builder per ``torch.nn`` class, then the weights by name."""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from .. import nn

__all__ = ["from_torch", "load_torch_state_dict", "to_torch_state_dict"]


def _tensor_to_numpy(value):
    return value.detach().cpu().numpy() if hasattr(value, "detach") else np.asarray(value)


def load_torch_state_dict(model, state_dict, strict: bool = True):
    """Copy a ``torch`` state dict (``torch_model.state_dict()``) into ``model`` by name; returns
    (missing, unexpected) as ``load_state_dict`` does.  Lazy layers must be built first.

    Example:
        >>> import torch
        >>> torch_layer = torch.nn.Linear(3, 2)
        >>> layer = nt.nn.Linear(3, 2)
        >>> _ = nt.pytorch.load_torch_state_dict(layer, torch_layer.state_dict())
        >>> bool(np.array_equal(layer.weight.numpy(), torch_layer.weight.detach().numpy()))
        True
    """
    return model.load_state_dict(OrderedDict((k, _tensor_to_numpy(v)) for k, v in state_dict.items()), strict=strict)


def to_torch_state_dict(model) -> "OrderedDict":
    """``model``'s parameters and buffers as ``torch.Tensor`` values under the same names.

    Example:
        >>> import torch
        >>> state = nt.pytorch.to_torch_state_dict(nt.nn.Linear(3, 2))
        >>> torch_layer = torch.nn.Linear(3, 2)
        >>> torch_layer.load_state_dict(state)  # the same names and layouts
        <All keys matched successfully>
    """
    import torch
    from ..backend import to_numpy
    return OrderedDict((k, torch.from_numpy(np.array(to_numpy(v)))) for k, v in model.state_dict().items())


def _pair_or_int(v):
    return tuple(v) if isinstance(v, (tuple, list)) else v


_ACTIVATIONS = {"ReLU": lambda m: nn.ReLU(), "Tanh": lambda m: nn.Activation("tanh"),
                "Sigmoid": lambda m: nn.Activation("sigmoid"), "SiLU": lambda m: nn.Activation("silu"),
                "SELU": lambda m: nn.Activation("selu"), "Softsign": lambda m: nn.Activation("softsign"),
                "Identity": lambda m: nn.Activation("linear"),
                "GELU": lambda m: nn.GELU(approximate=m.approximate),
                "ELU": lambda m: nn.ELU(alpha=m.alpha),
                "LeakyReLU": lambda m: nn.LeakyReLU(m.negative_slope),
                "Softmax": lambda m: nn.Softmax(axis=-1 if m.dim is None else m.dim),
                "LogSoftmax": lambda m: nn.LogSoftmax(axis=-1 if m.dim is None else m.dim),
                "Dropout": lambda m: nn.Dropout(m.p),
                "Flatten": lambda m: nn.Flatten(m.start_dim, m.end_dim)}


def _linear(m):
    return nn.Linear(m.in_features, m.out_features, bias=m.bias is not None)


def _conv(m, cls):
    return cls(m.in_channels, m.out_channels, _pair_or_int(m.kernel_size), stride=_pair_or_int(m.stride),
               padding=m.padding if isinstance(m.padding, str) else _pair_or_int(m.padding),
               dilation=_pair_or_int(m.dilation), groups=m.groups, bias=m.bias is not None,
               padding_mode=m.padding_mode)


def _conv_transpose(m):
    layer = nn.Conv2DTranspose(m.out_channels, tuple(m.kernel_size), strides=tuple(m.stride),
                               padding=tuple(m.padding), output_padding=tuple(m.output_padding), groups=m.groups,
                               dilation_rate=tuple(m.dilation), use_bias=m.bias is not None)
    layer.build((None, m.in_channels, 8, 8))
    return layer


def _pool(m, cls):
    if getattr(m, "dilation", 1) not in (1, (1, 1), (1,)):
        raise ValueError(f"from_torch: {type(m).__name__} with dilation {m.dilation} has no neuronet counterpart")
    kwargs = dict(stride=_pair_or_int(m.stride), padding=_pair_or_int(m.padding), ceil_mode=m.ceil_mode)
    if "Avg" in type(m).__name__:
        kwargs["count_include_pad"] = m.count_include_pad
    return cls(_pair_or_int(m.kernel_size), **kwargs)


def _batch_norm(m, cls):
    return cls(m.num_features, eps=m.eps, momentum=m.momentum, affine=m.affine,
               track_running_stats=m.track_running_stats)


def _layer_norm(m):
    return nn.LayerNorm(tuple(m.normalized_shape), eps=m.eps, elementwise_affine=m.elementwise_affine)


def _embedding(m):
    return nn.Embedding(m.num_embeddings, m.embedding_dim, padding_idx=m.padding_idx)


def _recurrent(m, cls):
    if getattr(m, "proj_size", 0):
        raise ValueError("from_torch: LSTM with proj_size has no neuronet counterpart")
    kwargs = dict(num_layers=m.num_layers, bias=m.bias, batch_first=m.batch_first, dropout=m.dropout,
                  bidirectional=m.bidirectional)
    if type(m).__name__ == "RNN":
        kwargs["nonlinearity"] = m.nonlinearity
    return cls(m.input_size, m.hidden_size, **kwargs)


def _attention(m):
    return nn.MultiHeadAttention(m.num_heads, m.embed_dim, dropout=m.dropout, bias=m.in_proj_bias is not None,
                                 batch_first=m.batch_first, kdim=m.kdim, vdim=m.vdim)


def _batch_first(m, what):
    if not getattr(m, "batch_first", False):
        raise ValueError(f"from_torch: {what} with batch_first=False reads (L, N, E); neuronet's Transformer "
                         "layers are batch first: build the torch model with batch_first=True")


def _encoder_layer(m):
    _batch_first(m.self_attn, "TransformerEncoderLayer")
    act = m.activation if isinstance(m.activation, str) else getattr(m.activation, "__name__", "relu")
    act = {"gelu": "gelu", "relu": "relu"}.get(str(act).split(".")[-1].lower(), None)
    if act is None:
        raise ValueError(f"from_torch: TransformerEncoderLayer activation {m.activation!r} has no counterpart")
    return nn.TransformerEncoderLayer(m.self_attn.embed_dim, m.self_attn.num_heads, m.linear1.out_features,
                                      dropout=m.dropout.p, activation=act, layer_norm_eps=m.norm1.eps,
                                      batch_first=True, norm_first=m.norm_first,
                                      bias=m.linear1.bias is not None)


def _builders():
    return {
        "Linear": _linear,
        "Conv1d": lambda m: _conv(m, nn.Conv1d), "Conv2d": lambda m: _conv(m, nn.Conv2d),
        "ConvTranspose2d": _conv_transpose,
        "MaxPool1d": lambda m: _pool(m, nn.MaxPool1d), "MaxPool2d": lambda m: _pool(m, nn.MaxPool2d),
        "AvgPool1d": lambda m: _pool(m, nn.AvgPool1d), "AvgPool2d": lambda m: _pool(m, nn.AvgPool2d),
        "AdaptiveAvgPool2d": lambda m: nn.AdaptiveAvgPool2D(m.output_size),
        "BatchNorm1d": lambda m: _batch_norm(m, nn.BatchNorm1d), "BatchNorm2d": lambda m: _batch_norm(m, nn.BatchNorm2d),
        "LayerNorm": _layer_norm, "Embedding": _embedding,
        "LSTM": lambda m: _recurrent(m, nn.LSTM), "GRU": lambda m: _recurrent(m, nn.GRU),
        "RNN": lambda m: _recurrent(m, nn.RNN),
        "MultiheadAttention": _attention, "TransformerEncoderLayer": _encoder_layer,
        "TransformerEncoder": lambda m: nn.TransformerEncoder(_encoder_layer(m.layers[0]), m.num_layers,
                                                              norm=None if m.norm is None else _layer_norm(m.norm)),
        "PReLU": lambda m: nn.PReLU(m.num_parameters),
        **{name: f for name, f in _ACTIVATIONS.items()},
    }


def _convert(m, builders, where):
    kind = type(m).__name__
    if kind == "Sequential":
        return nn.Sequential([_convert(c, builders, f"{where}.{n}") for n, c in m.named_children()])
    if kind == "ModuleList":
        return nn.ModuleList([_convert(c, builders, f"{where}.{i}") for i, c in enumerate(m)])
    if kind not in builders or type(m).__module__.split(".")[0] != "torch":
        raise ValueError(f"from_torch: {where} is a {type(m).__module__}.{kind}, which has no neuronet counterpart "
                         "(a module with a forward of its own: write it in neuronet and copy its weights with "
                         "nt.pytorch.load_torch_state_dict)")
    return builders[kind](m)


def from_torch(module):
    """The neuronet module that computes what the ``torch.nn`` ``module`` computes, with its weights.

    Example:
        >>> import torch
        >>> torch_model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
        >>> model = nt.pytorch.from_torch(torch_model)  # an nt.Sequential with the same weights
        >>> x = np.random.rand(2, 4).astype(np.float32)
        >>> bool(np.allclose(model.predict(x), torch_model(torch.from_numpy(x)).detach().numpy(), atol=1e-6))
        True
    """
    converted = _convert(module, _builders(), type(module).__name__)
    unbuilt = converted.unbuilt_modules()
    if unbuilt:
        raise ValueError(f"from_torch: layers {unbuilt} could not be built from the torch module's sizes")
    load_torch_state_dict(converted, module.state_dict())
    converted.train(module.training)
    return converted
