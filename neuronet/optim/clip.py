"""Gradient clipping for optimizers and ``compile(clipnorm=...)``: the functions of ``nn.utils``
(their home, as in ``torch.nn.utils``), imported here so ``nt.optim.clip_grad_norm_`` keeps working."""
from ..nn.utils.clip_grad import clip_grad_norm_, clip_grad_value_

__all__ = ["clip_grad_norm_", "clip_grad_value_"]
