"""Neural Turing Machine memory addressing (Graves, Wayne & Danihelka 2014), batched, one Function per step.

A head turns its controller output into a weighting w (B, N) over the N memory rows in four steps:

1. content addressing   w_c = softmax_i(β · cos(k, M_i))                       :func:`content_addressing`
2. interpolation        w_g = g · w_c + (1 − g) · w_{t−1}                       :func:`interpolate`
3. circular shift       w̃_i = Σ_j s_j · w_g[(i − o_j) mod N],  o = −S//2..S//2   :func:`circular_shift`
4. sharpening           w_i = w̃_i^γ / Σ_k w̃_k^γ,  γ ≥ 1                         :func:`sharpen`

then reads r = Σ_i w_i M_i (:func:`memory_read`) or writes with an erase vector e and an add
vector a: M_i ← M_i ∘ (1 − w_i e) + w_i a (:func:`memory_write`).  Shapes: memory (B, N, W), key
(B, W), scalars β, g, γ (B, 1), shift weights s (B, S) with S odd.
"""
from __future__ import annotations

from ..autograd import Function
from ..backend import array_module

__all__ = ["content_addressing", "interpolate", "circular_shift", "sharpen", "memory_read", "memory_write"]

_EPS = 1e-8


class ContentAddressing(Function):
    def forward(self, memory, key, beta):
        xp = array_module(memory)
        m_norm = xp.sqrt((memory * memory).sum(axis=2))                 # (B, N)
        k_norm = xp.sqrt((key * key).sum(axis=1, keepdims=True))        # (B, 1)
        dot = xp.einsum("bnw,bw->bn", memory, key)
        denom = m_norm * k_norm + _EPS
        cos = dot / denom
        z = beta * cos
        z = z - z.max(axis=1, keepdims=True)
        w = xp.exp(z)
        w /= w.sum(axis=1, keepdims=True)
        self.saved = (memory, key, beta, m_norm, k_norm, dot, denom, cos, w)
        return w

    def backward(self, gw):
        # w = softmax(β K):  dz = w (dw − Σ w dw);  dβ = Σ_i dz_i K_i;  dK = β dz
        # K_i = (M_i·k) / (|M_i||k| + ε):  dK_i/dM_i = k / d_i − (M_i·k) |k| M_i / (d_i² |M_i|),
        #                                  dK_i/dk   = M_i / d_i − (M_i·k) |M_i| k / (d_i² |k|)
        xp = array_module(gw)
        memory, key, beta, m_norm, k_norm, dot, denom, cos, w = self.saved
        gz = w * (gw - (gw * w).sum(axis=1, keepdims=True))
        gbeta = (gz * cos).sum(axis=1, keepdims=True)
        gk_cos = gz * beta
        a = gk_cos / denom                                              # (B, N)
        b = gk_cos * dot / (denom * denom)                              # (B, N)
        gmem = a[:, :, None] * key[:, None, :] - (b * k_norm / xp.maximum(m_norm, _EPS))[:, :, None] * memory
        gkey = xp.einsum("bn,bnw->bw", a, memory) - (b * m_norm).sum(axis=1, keepdims=True) * key / xp.maximum(k_norm, _EPS)
        return gmem, gkey, gbeta


class Interpolate(Function):
    def forward(self, w_content, w_prev, gate):
        self.saved = (w_content, w_prev, gate)
        return gate * w_content + (1 - gate) * w_prev

    def backward(self, gy):
        # y = g w_c + (1 − g) w_prev:  dw_c = g dy;  dw_prev = (1 − g) dy;  dg = Σ dy (w_c − w_prev)
        w_content, w_prev, gate = self.saved
        return gate * gy, (1 - gate) * gy, (gy * (w_content - w_prev)).sum(axis=1, keepdims=True)


class CircularShift(Function):
    def forward(self, w, s):
        xp = array_module(w)
        self.w, self.s = w, s
        half = s.shape[1] // 2
        out = xp.zeros_like(w)
        for j in range(s.shape[1]):  # loop over the shift offsets (kernel offsets), not samples
            out += s[:, j:j + 1] * xp.roll(w, j - half, axis=1)
        return out

    def backward(self, gy):
        # y_i = Σ_j s_j w_{(i − o_j) mod N}:  dw = Σ_j s_j roll(dy, −o_j);  ds_j = Σ_i dy_i w_{(i − o_j) mod N}
        xp = array_module(gy)
        w, s = self.w, self.s
        half = s.shape[1] // 2
        gw = xp.zeros_like(w)
        gs = xp.empty_like(s)
        for j in range(s.shape[1]):
            gw += s[:, j:j + 1] * xp.roll(gy, half - j, axis=1)
            gs[:, j] = (gy * xp.roll(w, j - half, axis=1)).sum(axis=1)
        return gw, gs


class Sharpen(Function):
    def forward(self, w, gamma):
        xp = array_module(w)
        base = w + _EPS
        p = base ** gamma
        total = p.sum(axis=1, keepdims=True)
        y = p / total
        self.saved = (base, gamma, p, total, y)
        return y

    def backward(self, gy):
        # y = p / Σp, p = (w + ε)^γ:  dp = (dy − Σ y dy) / Σp;  dw = dp γ p / (w + ε);  dγ = Σ dp p log(w + ε)
        xp = array_module(gy)
        base, gamma, p, total, y = self.saved
        gp = (gy - (gy * y).sum(axis=1, keepdims=True)) / total
        return gp * gamma * p / base, (gp * p * xp.log(base)).sum(axis=1, keepdims=True)


class MemoryRead(Function):
    def forward(self, memory, w):
        self.memory, self.w = memory, w
        return array_module(memory).einsum("bn,bnw->bw", w, memory)

    def backward(self, gr):
        # r = Σ_i w_i M_i:  dM_i = w_i dr;  dw_i = M_i · dr
        xp = array_module(gr)
        gmem = self.w[:, :, None] * gr[:, None, :] if self.needs_grad[0] else None
        gw = xp.einsum("bnw,bw->bn", self.memory, gr) if self.needs_grad[1] else None
        return gmem, gw


class MemoryWrite(Function):
    def forward(self, memory, w, erase, add):
        self.saved = (memory, w, erase, add)
        keep = 1 - w[:, :, None] * erase[:, None, :]
        return memory * keep + w[:, :, None] * add[:, None, :]

    def backward(self, gy):
        # M' = M ∘ (1 − w eᵀ) + w aᵀ:  dM = dM' ∘ (1 − w eᵀ);  dw = Σ_w dM' ∘ (a − M ∘ e);
        #                              de = −Σ_i dM' ∘ M w_i;  da = Σ_i w_i dM'_i
        memory, w, erase, add = self.saved
        gmem = gy * (1 - w[:, :, None] * erase[:, None, :]) if self.needs_grad[0] else None
        gw = (gy * (add[:, None, :] - memory * erase[:, None, :])).sum(axis=2)
        gm_w = gy * w[:, :, None]
        gerase = -(gm_w * memory).sum(axis=1)
        gadd = gm_w.sum(axis=1)
        return gmem, gw, gerase, gadd


def _shape(t):
    return tuple(t.shape)


def _need(fn, cond, message):
    if not cond:
        raise ValueError(f"{fn}: {message}")


def content_addressing(memory, key, beta):
    """softmax over rows of β · cosine(key, memory row): memory (B, N, W), key (B, W), beta (B, 1) → (B, N).

    Example:
        >>> memory = nt.tensor([[[1.0, 0.0], [0.0, 1.0]]])  # (B, N, W)
        >>> w = F.content_addressing(memory, nt.tensor([[1.0, 0.0]]), nt.tensor([[10.0]]))
        >>> w.numpy()  # attends to the matching row
        array([[1., 0.]], dtype=float32)
    """
    ms, ks, bs = _shape(memory), _shape(key), _shape(beta)
    _need("content_addressing", len(ms) == 3 and ms[1] >= 1, f"memory must be (batch, rows, width) with at least one "
                                                            f"row, got {ms}")
    _need("content_addressing", ks == (ms[0], ms[2]), f"key must be (batch, width) = {(ms[0], ms[2])}, got {ks}")
    _need("content_addressing", bs == (ms[0], 1), f"beta must be (batch, 1) = {(ms[0], 1)}, got {bs}")
    return ContentAddressing.apply(memory, key, beta)


def interpolate(w_content, w_prev, gate):
    """g · w_content + (1 − g) · w_prev for weightings (B, N) and a gate (B, 1) in [0, 1].

    Example:
        >>> F.interpolate(nt.tensor([[1.0, 0.0]]), nt.tensor([[0.0, 1.0]]), nt.tensor([[0.25]])).numpy()
        array([[0.25, 0.75]], dtype=float32)
    """
    a, b, g = _shape(w_content), _shape(w_prev), _shape(gate)
    _need("interpolate", len(a) == 2 and a == b, f"weightings must both be (batch, rows), got {a} and {b}")
    _need("interpolate", g == (a[0], 1), f"gate must be (batch, 1) = {(a[0], 1)}, got {g}")
    return Interpolate.apply(w_content, w_prev, gate)


def circular_shift(w, shift):
    """Circular convolution of w (B, N) with shift weights (B, S), S odd: offsets −S//2 .. S//2.

    Example:
        >>> w = nt.tensor([[1.0, 0.0, 0.0, 0.0]])
        >>> F.circular_shift(w, nt.tensor([[0.0, 0.0, 1.0]])).numpy()  # shift by +1
        array([[0., 1., 0., 0.]], dtype=float32)
    """
    ws, ss = _shape(w), _shape(shift)
    _need("circular_shift", len(ws) == 2, f"w must be (batch, rows), got {ws}")
    _need("circular_shift", len(ss) == 2 and ss[0] == ws[0] and ss[1] % 2 == 1 and ss[1] <= ws[1],
          f"shift must be (batch, S) with S odd and at most {ws[1]} for w {ws}, got {ss}")
    return CircularShift.apply(w, shift)


def sharpen(w, gamma):
    """w^γ renormalised per row: w (B, N) ≥ 0, gamma (B, 1) ≥ 1.

    Example:
        >>> F.sharpen(nt.tensor([[0.5, 0.25, 0.25]]), nt.tensor([[2.0]])).numpy()
        array([[0.6667, 0.1667, 0.1667]], dtype=float32)
    """
    ws, gs = _shape(w), _shape(gamma)
    _need("sharpen", len(ws) == 2 and gs == (ws[0], 1), f"w must be (batch, rows) and gamma (batch, 1), got {ws} and {gs}")
    return Sharpen.apply(w, gamma)


def memory_read(memory, w):
    """r = Σ_i w_i M_i: memory (B, N, W), w (B, N) → (B, W).

    Example:
        >>> memory = nt.tensor([[[1.0, 2.0], [3.0, 4.0]]])
        >>> F.memory_read(memory, nt.tensor([[0.5, 0.5]])).numpy()
        array([[2., 3.]], dtype=float32)
    """
    ms, ws = _shape(memory), _shape(w)
    _need("memory_read", len(ms) == 3 and ws == ms[:2], f"memory must be (batch, rows, width) and w (batch, rows), "
                                                      f"got {ms} and {ws}")
    return MemoryRead.apply(memory, w)


def memory_write(memory, w, erase, add):
    """M ∘ (1 − w eᵀ) + w aᵀ per batch element: memory (B, N, W), w (B, N), erase and add (B, W).

    Example:
        >>> memory = nt.ones(1, 2, 2)
        >>> F.memory_write(memory, nt.tensor([[1.0, 0.0]]), nt.ones(1, 2), nt.tensor([[5.0, 6.0]])).numpy()  # erase row 0, add
        array([[[5., 6.],
                [1., 1.]]], dtype=float32)
    """
    ms, ws, es, as_ = _shape(memory), _shape(w), _shape(erase), _shape(add)
    _need("memory_write", len(ms) == 3 and ws == ms[:2] and es == as_ == (ms[0], ms[2]),
          f"expected memory (batch, rows, width), w (batch, rows), erase and add (batch, width); got memory {ms}, "
          f"w {ws}, erase {es}, add {as_}")
    return MemoryWrite.apply(memory, w, erase, add)
