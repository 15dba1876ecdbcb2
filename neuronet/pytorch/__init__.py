"""PyTorch models and weights into neuronet and back (torch is imported lazily, by the caller's objects).

- ``from_torch(module)``: a ``torch.nn`` module built from standard layers (``nn.Sequential``,
  ``Linear``, ``Conv1d/2d``, ``ConvTranspose2d``, pooling, ``BatchNorm1d/2d``, ``LayerNorm``,
  ``Embedding``, ``LSTM/GRU/RNN``, ``MultiheadAttention``, ``TransformerEncoder(Layer)``,
  activations, ``Dropout``, ``Flatten``, ``ModuleList``) as the neuronet module that computes the
  same thing, its weights copied (the layouts are the same).  A module with a ``forward`` of its
  own is refused: write it in neuronet and load its weights with ``load_torch_state_dict``.
- ``load_torch_state_dict(model, state_dict)``: a torch state dict into a neuronet model whose
  parameter names match (neuronet uses PyTorch's names and layouts).
- ``to_torch_state_dict(model)``: the other way, as ``torch.Tensor`` values.
"""
from .convert import from_torch, load_torch_state_dict, to_torch_state_dict

__all__ = ["from_torch", "load_torch_state_dict", "to_torch_state_dict"]
