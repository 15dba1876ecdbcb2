"""Vision Transformer (Dosovitskiy et al., 2021): an image is cut into patches, each patch becomes a
token, and a Transformer encoder classifies the sequence from a learned [CLS] token.
"""
from __future__ import annotations

from .. import backend
from ..functional.shape import concat, permute, reshape
from ..nn import Dropout, LayerNorm, Linear, init
from ..nn.layers.positional import LearnedPositionalEmbedding
from ..nn.layers.transformer import TransformerEncoder, TransformerEncoderLayer
from ..nn.module import Module, register_module
from ..nn.parameter import Parameter
from ..tensor import Tensor
from ..train import Model

__all__ = ["PatchEmbedding", "VisionTransformer"]


def _check_sizes(owner, image_size, patch_size):
    for name, v in (("image_size", image_size), ("patch_size", patch_size)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"{owner}: {name} must be a positive integer, got {v!r}")
    if image_size % patch_size:
        raise ValueError(f"{owner}: image_size={image_size} must be divisible by patch_size={patch_size} "
                         f"(the image is cut into whole patches); try patch_size in "
                         f"{[p for p in range(1, image_size + 1) if image_size % p == 0]}")


@register_module
class PatchEmbedding(Module):
    """Cut images (N, C, H, W) into non-overlapping p×p patches and project each to ``d_model``:
    (N, C, H, W) -> (N, (H/p)(W/p), C·p·p) -> Linear -> (N, patches, d_model), patches in row-major
    order.  The same as a Conv2D with kernel = stride = p (``weight`` reshaped to (E, C, p, p)).

    Example:
        >>> embed = nt.models.PatchEmbedding(image_size=28, patch_size=7, in_channels=1, d_model=32)
        >>> embed(nt.zeros(2, 1, 28, 28)).shape  # 16 patches of 7x7
        (2, 16, 32)
    """

    def __init__(self, image_size: int, patch_size: int, in_channels: int, d_model: int):
        super().__init__()
        _check_sizes("PatchEmbedding", image_size, patch_size)
        self.image_size, self.patch_size, self.in_channels = image_size, patch_size, in_channels
        self.num_patches = (image_size // patch_size) ** 2
        self.proj = Linear(in_channels * patch_size * patch_size, d_model)

    def forward(self, images):
        s, p, c = self.image_size, self.patch_size, self.in_channels
        if tuple(images.shape[1:]) != (c, s, s):
            raise ValueError(f"PatchEmbedding: expected images of shape (batch, {c}, {s}, {s}), received shape "
                             f"{tuple(images.shape)}")
        n, g = images.shape[0], s // p
        patches = permute(reshape(images, (n, c, g, p, g, p)), 0, 2, 4, 1, 3, 5)     # (N, gh, gw, C, p, p)
        return self.proj(reshape(patches, (n, g * g, c * p * p)))


@register_module
class VisionTransformer(Model):
    """ViT classifier: patch embedding -> [CLS] + patch tokens + learned positions -> pre-norm
    Transformer encoder -> LayerNorm -> the [CLS] output -> logits.

    Args:
        image_size: side of the square input images (H = W).
        patch_size: side of a patch; must divide ``image_size``.
        in_channels: image channels C.
        num_classes: outputs.
        d_model, nhead, num_layers, dim_feedforward, dropout: encoder size.

    Input (N, C, H, W) float images -> (N, num_classes) logits.

    Example:
        >>> vit = nt.models.VisionTransformer(image_size=28, patch_size=7, in_channels=1, num_classes=10, d_model=16, nhead=2, num_layers=1)
        >>> vit(nt.zeros(2, 1, 28, 28)).shape
        (2, 10)
    """

    def __init__(self, image_size: int, patch_size: int, in_channels: int, num_classes: int, d_model: int = 64,
                 nhead: int = 4, num_layers: int = 3, dim_feedforward: int = 128, dropout: float = 0.1):
        super().__init__()
        _check_sizes("VisionTransformer", image_size, patch_size)
        self.patch_embedding = PatchEmbedding(image_size, patch_size, in_channels, d_model)
        dtype = backend.get_default_dtype()
        self.cls_token = Parameter(init.normal((1, 1, d_model), 0.0, 0.02, dtype=dtype), dtype=dtype)
        self.position_embedding = LearnedPositionalEmbedding(self.patch_embedding.num_patches + 1, d_model)
        self.embedding_dropout = Dropout(dropout)
        self.encoder = TransformerEncoder(
            lambda: TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout, activation="gelu",
                                            norm_first=True),
            num_layers, LayerNorm(d_model))
        self.head = Linear(d_model, num_classes)

    def forward(self, images):
        images = images if isinstance(images, Tensor) else Tensor(images)
        x = self.patch_embedding(images)
        xp = backend.array_module(x.data)
        cls = self.cls_token * xp.ones((x.shape[0], 1, 1), dtype=x.dtype)
        x = self.embedding_dropout(self.position_embedding(concat([cls, x], axis=1)))
        return self.head(self.encoder(x)[:, 0])
