"""The terms auto-encoders and VAEs add to a reconstruction loss, each one Function with its backward:
the Gaussian KL of a VAE, the reparameterisation z = μ + σ·ε, the sparse auto-encoder's KL penalty
toward a target activation ρ, and the contractive auto-encoder's Jacobian penalty.
"""
from __future__ import annotations

from ..autograd import Function
from ..backend import array_module
from .loss_common import _check_reduction

__all__ = ["gaussian_kl", "reparameterize", "sparsity_kl", "contractive_penalty"]


class GaussianKL(Function):
    def __init__(self, reduction):
        self.reduction = reduction

    def forward(self, mu, logvar):
        xp = array_module(mu)
        self.mu, self.var = mu, xp.exp(logvar)
        kl = -0.5 * (1 + logvar - mu * mu - self.var).sum(axis=-1)  # one value per sample
        self.n = kl.shape[0] if kl.ndim else 1
        if self.reduction == "none":
            return kl
        total = xp.asarray(kl.sum())
        return total if self.reduction == "sum" else total / max(self.n, 1)

    def backward(self, g):
        # KL = ½ Σ (μ² + σ² − log σ² − 1):  dKL/dμ = μ,  dKL/d(log σ²) = ½(σ² − 1)
        g = g[..., None] if self.reduction == "none" else (g if self.reduction == "sum" else g / max(self.n, 1))
        gmu = g * self.mu if self.needs_grad[0] else None
        glv = g * 0.5 * (self.var - 1) if self.needs_grad[1] else None
        return gmu, glv


def gaussian_kl(mu, logvar, reduction: str = "mean"):
    """KL(N(μ, diag σ²) ‖ N(0, I)) = −½ Σ_j (1 + log σ²_j − μ²_j − σ²_j), in nats, summed over the
    latent axis (the last) — the VAE's regulariser in closed form.

    Args:
        mu, logvar: (N, latent) mean and log-variance of the encoder's Gaussian.
        reduction: 'mean' over the batch (default), 'sum', or 'none' (one value per sample).

    Example:
        >>> F.gaussian_kl(nt.zeros(4, 2), nt.zeros(4, 2)).item()  # N(0, I) against itself
        0.0
        >>> F.gaussian_kl(nt.ones(1, 2), nt.zeros(1, 2)).item()  # half the squared mean, summed over 2 dims
        1.0
    """
    _check_reduction("gaussian_kl", reduction)
    if tuple(mu.shape) != tuple(logvar.shape) or len(mu.shape) < 1:
        raise ValueError(f"gaussian_kl: mu and logvar must have the same shape (N, latent), got "
                         f"{tuple(mu.shape)} and {tuple(logvar.shape)}")
    return GaussianKL.apply(mu, logvar, reduction=reduction)


class Reparameterize(Function):
    def forward(self, mu, logvar, eps):
        xp = array_module(mu)
        self.s_eps = xp.exp(0.5 * logvar) * eps  # σ·ε
        return mu + self.s_eps

    def backward(self, gz):
        # z = μ + exp(½ log σ²)·ε:  dz/dμ = 1,  dz/d(log σ²) = ½ σ ε
        return (gz if self.needs_grad[0] else None,
                gz * 0.5 * self.s_eps if self.needs_grad[1] else None, None)


def reparameterize(mu, logvar, eps):
    """z = μ + σ·ε with σ = exp(½ log σ²): a sample of N(μ, σ²) that gradients flow through
    (Kingma & Welling 2014).  ``eps`` is standard normal noise of the same shape, drawn by the
    caller from the seeded generator (fixed ε makes the function deterministic for gradient checks).

    Example:
        >>> mu, logvar = nt.tensor([[1.0]], requires_grad=True), nt.tensor([[0.0]], requires_grad=True)
        >>> z = F.reparameterize(mu, logvar, np.array([[2.0]], np.float32))  # mu + exp(logvar / 2) * eps
        >>> z.backward()
        >>> z.item(), mu.grad.item(), logvar.grad.item()
        (3.0, 1.0, 1.0)
    """
    shapes = {tuple(mu.shape), tuple(logvar.shape), tuple(eps.shape)}
    if len(shapes) != 1:
        raise ValueError(f"reparameterize: mu, logvar and eps must have the same shape, got "
                         f"{tuple(mu.shape)}, {tuple(logvar.shape)} and {tuple(eps.shape)}")
    return Reparameterize.apply(mu, logvar, eps)


class SparsityKL(Function):
    def __init__(self, rho, eps):
        self.rho, self.eps = rho, eps

    def forward(self, h):
        xp = array_module(h)
        self.n = h.shape[0]
        rho_hat = xp.clip(h.reshape(self.n, -1).mean(axis=0), self.eps, 1 - self.eps)
        self.rho_hat, self.shape = rho_hat, h.shape
        r = self.rho
        return xp.asarray((r * xp.log(r / rho_hat) + (1 - r) * xp.log((1 - r) / (1 - rho_hat))).sum()).astype(h.dtype)

    def backward(self, g):
        # ρ̂_j = mean_n h_nj;  d/dρ̂ [ρ log ρ/ρ̂ + (1−ρ) log (1−ρ)/(1−ρ̂)] = −ρ/ρ̂ + (1−ρ)/(1−ρ̂), then ÷ N per sample
        d = (-self.rho / self.rho_hat + (1 - self.rho) / (1 - self.rho_hat)) * (g / self.n)
        xp = array_module(d)
        return (xp.broadcast_to(d, (self.n,) + d.shape).reshape(self.shape).astype(self.rho_hat.dtype),)


def sparsity_kl(h, rho: float = 0.05, eps: float = 1e-7):
    """The sparse auto-encoder's penalty Σ_j KL(ρ ‖ ρ̂_j), ρ̂_j the activation of unit j averaged over
    the batch (Ng's lecture notes): pushes each hidden unit to be active a fraction ρ of the time.

    Args:
        h: (N, units...) activations in (0, 1) (a sigmoid layer's output).
        rho: the target mean activation, in (0, 1).
        eps: ρ̂ is clipped to [eps, 1 − eps] so the logarithms stay finite.

    Example:
        >>> abs(F.sparsity_kl(nt.full((8, 3), 0.05)).item()) < 1e-6  # activations already at rho: no penalty
        True
    """
    if not 0.0 < float(rho) < 1.0:
        raise ValueError(f"sparsity_kl: rho must lie in (0, 1), got {rho}")
    if len(h.shape) < 2 or h.shape[0] < 1:
        raise ValueError(f"sparsity_kl: h must be a batch of activations (N, units), got shape {tuple(h.shape)}")
    return SparsityKL.apply(h, rho=float(rho), eps=float(eps))


class Contractive(Function):
    def forward(self, h, w):
        self.a = h * (1 - h)  # σ'(z) = h(1 − h)
        self.h, self.w = h, w
        self.c = (w * w).sum(axis=1)  # Σ_i W_ji²
        self.n = h.shape[0]
        a2 = self.a * self.a
        self.a2_sum = a2.sum(axis=0)
        return array_module(h).asarray((self.a2_sum * self.c).sum() / self.n).astype(h.dtype)

    def backward(self, g):
        # P = (1/N) Σ_n Σ_j a_nj² c_j, a = h(1−h), c_j = Σ_i W_ji²
        # dP/dh = (2/N) a c (1 − 2h);  dP/dW_ji = (2/N) W_ji Σ_n a_nj²
        gh = (2 * g / self.n) * self.a * self.c * (1 - 2 * self.h) if self.needs_grad[0] else None
        gw = (2 * g / self.n) * self.w * self.a2_sum[:, None] if self.needs_grad[1] else None
        return gh, gw


def contractive_penalty(h, weight):
    """‖∂h/∂x‖²_F averaged over the batch for a sigmoid encoder h = σ(x Wᵀ + b), in closed form
    Σ_j (h_j(1 − h_j))² Σ_i W_ji² (Rifai et al. 2011): the contractive auto-encoder's penalty.

    Args:
        h: (N, units) the encoder's sigmoid outputs.
        weight: (units, in) the encoder's weight (PyTorch layout); gradients flow to both.

    Example:
        >>> w = nt.tensor([[3.0, 4.0]])  # one sigmoid unit, ||w||^2 = 25
        >>> F.contractive_penalty(nt.full((1, 1), 0.5), w).item()  # (h (1 - h))^2 ||w||^2 = 0.0625 * 25
        1.5625
    """
    if len(h.shape) != 2 or len(weight.shape) != 2 or h.shape[1] != weight.shape[0]:
        raise ValueError(f"contractive_penalty: h must be (N, units) and weight (units, in) with the same units, "
                         f"got h {tuple(h.shape)} and weight {tuple(weight.shape)}")
    return Contractive.apply(h, weight)
