"""word2vec's negative-sampling loss (Mikolov et al. 2013) as one Function over a minibatch of pairs.

For a pair with input vector u (the centre word's for skip-gram, the context mean for CBOW), the
true word's output vector v and K noise words' output vectors n_k, the loss is

    L = −log σ(u·v) − Σ_k log σ(−u·n_k)

Its derivative needs only the K+1 scores s: d/ds −log σ(s) = σ(s) − 1 for the true word and
d/ds −log σ(−s) = σ(s) for a noise word, so with g₀ = σ(u·v) − 1 and g_k = σ(u·n_k):
dL/du = g₀ v + Σ_k g_k n_k,  dL/dv = g₀ u,  dL/dn_k = g_k u.  Whole batches at once: no loop over pairs.
"""
from __future__ import annotations

from ..autograd import Function
from ..backend import array_module
from .activation import _sigmoid

__all__ = ["negative_sampling_loss"]


class NegativeSampling(Function):
    def __init__(self, reduction: str = "sum"):
        self.reduction = reduction

    def forward(self, u, v, noise, noise_mask=None):
        xp = array_module(u)
        s_true = xp.einsum("bd,bd->b", u, v)                 # (B,)
        s_noise = xp.einsum("bkd,bd->bk", noise, u)          # (B, K)
        # −log σ(s) = log(1 + e^{−s}) and −log σ(−s) = log(1 + e^{s}), both computed without overflow
        noise_loss = xp.logaddexp(0, s_noise)
        if noise_mask is not None:
            noise_loss = noise_loss * noise_mask
        loss = xp.logaddexp(0, -s_true) + noise_loss.sum(axis=1)
        self.u, self.v, self.noise, self.mask = u, v, noise, noise_mask
        self.s_true, self.s_noise = s_true, s_noise
        if self.reduction == "none":
            return loss
        return loss.sum() if self.reduction == "sum" else loss.mean()

    def backward(self, gy):
        xp = array_module(self.u)
        # d/ds −log σ(s) = σ(s) − 1 (true word);  d/ds −log σ(−s) = σ(s) (noise words)
        g_true = _sigmoid(self.s_true, xp) - 1                 # (B,)
        g_noise = _sigmoid(self.s_noise, xp)                   # (B, K)
        if self.mask is not None:
            g_noise = g_noise * self.mask
        scale = gy if self.reduction != "mean" else gy / len(g_true)
        g_true = g_true * scale
        g_noise = g_noise * (scale[:, None] if self.reduction == "none" else scale)
        gu = gv = gn = None
        if self.needs_grad[0]:
            gu = g_true[:, None] * self.v + xp.einsum("bk,bkd->bd", g_noise, self.noise)
        if self.needs_grad[1]:
            gv = g_true[:, None] * self.u
        if self.needs_grad[2]:
            gn = g_noise[:, :, None] * self.u[:, None, :]
        return (gu, gv, gn) if len(self.needs_grad) == 3 else (gu, gv, gn, None)


def negative_sampling_loss(u, v, noise, noise_mask=None, reduction: str = "sum"):
    """word2vec's loss −log σ(u·v) − Σ_k log σ(−u·n_k) for a batch of B (input, output) pairs.

    Args:
        u: input vectors (B, D): the centre word's (skip-gram) or the context's mean (CBOW).
        v: the true word's output vectors (B, D).
        noise: the K noise words' output vectors (B, K, D).
        noise_mask: optional (B, K) of 0/1, constant: 0 drops a noise word (gensim skips a noise
            word that happens to be the true word).
        reduction: ``"sum"`` (word2vec's SGD adds every pair's step), ``"mean"`` or ``"none"`` (B,).

    Returns:
        A scalar Tensor, or (B,) for ``reduction="none"``.

    Example:
        >>> u = nt.zeros(2, 3, requires_grad=True)  # 2 pairs of 3-D vectors
        >>> v, noise = nt.ones(2, 3), nt.ones(2, 4, 3)  # 4 noise words per pair
        >>> loss = F.negative_sampling_loss(u, v, noise, reduction="mean")
        >>> round(loss.item(), 4)  # every score u·v is 0: (1 + 4)·log 2 per pair
        3.4657
        >>> loss.backward(); u.grad[0]  # (σ(0) − 1)·v + Σ σ(0)·n_k, halved by the mean
        array([0.75, 0.75, 0.75], dtype=float32)
    """
    ushape, vshape, nshape = tuple(u.shape), tuple(v.shape), tuple(noise.shape)
    if len(ushape) != 2 or vshape != ushape:
        raise ValueError(f"negative_sampling_loss: u and v must both be (batch, dim); got u {ushape}, v {vshape}")
    if len(nshape) != 3 or nshape[0] != ushape[0] or nshape[2] != ushape[1]:
        raise ValueError(f"negative_sampling_loss: noise must be (batch, K, dim) = ({ushape[0]}, K, {ushape[1]}); "
                         f"got {nshape}")
    if noise_mask is not None and tuple(noise_mask.shape) != nshape[:2]:
        raise ValueError(f"negative_sampling_loss: noise_mask must be (batch, K) = {nshape[:2]}; "
                         f"got {tuple(noise_mask.shape)}")
    if reduction not in ("sum", "mean", "none"):
        raise ValueError(f"negative_sampling_loss: reduction must be 'sum', 'mean' or 'none'; got {reduction!r}")
    if noise_mask is None:
        return NegativeSampling.apply(u, v, noise, reduction=reduction)
    return NegativeSampling.apply(u, v, noise, noise_mask, reduction=reduction)
