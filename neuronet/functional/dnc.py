"""Differentiable Neural Computer memory management (Graves et al. 2016, Nature, Methods), batched.

The DNC keeps, beside the memory M (B, N, W), a usage u (B, N) of each row, a precedence p (B, N)
(how much each row was the last one written) and a temporal link matrix L (B, N, N), L[i, j] = how
much row i was written right after row j.  One write head, R read heads; per time step:

1. retention          ψ = ∏_r (1 − f_r w^r_{t−1})                          :func:`usage_update`
   usage              u_t = (u_{t−1} + w^w_{t−1} − u_{t−1} ∘ w^w_{t−1}) ∘ ψ
2. allocation         φ = rows sorted by usage ascending;
                      a[φ_j] = (1 − u[φ_j]) ∏_{i<j} u[φ_i]                  :func:`allocation_weighting`
3. write weighting    w^w = g_w (g_a a + (1 − g_a) c^w)   (c^w content weighting; the model)
4. link               L_t[i, j] = (1 − w_i − w_j) L_{t−1}[i, j] + w_i p_{t−1}[j],  L_t[i, i] = 0
                                                                              :func:`temporal_link`
   precedence         p_t = (1 − Σ_i w_i) p_{t−1} + w                         :func:`precedence_update`
5. read weightings    forward f = L_t w^r_{t−1}, backward b = L_tᵀ w^r_{t−1},
                      w^r = π_b b + π_c c^r + π_f f                          :func:`read_weighting`

The allocation, the link update and the read weighting are Functions with hand-written backwards (the cumulative
product and the (B, N, N) update would otherwise be a chain of primitives and temporaries); the
usage and precedence updates are a few elementwise ops composed from existing ones.  As in
DeepMind's reference (``addressing.py``, ``Freeness._allocation``), usage is first mapped to
ε + (1 − ε) u so the sorted product never holds an exact zero, and the gradient flows through the
sorted usage values, not through the permutation (sorting is piecewise constant).
"""
from __future__ import annotations

from ..autograd import Function
from ..backend import array_module

__all__ = ["allocation_weighting", "temporal_link", "usage_update", "precedence_update", "read_weighting"]

_EPS = 1e-6  # the reference's floor on usage: ∏ u stays > 0, so its backward can divide by u


class AllocationWeighting(Function):
    def forward(self, usage):
        xp = array_module(usage)
        u = _EPS + (1 - _EPS) * usage
        order = xp.argsort(u, axis=1, kind="stable")                      # φ: least used first
        s = xp.take_along_axis(u, order, axis=1)
        prod = xp.cumprod(s, axis=1)
        excl = xp.concatenate([xp.ones_like(s[:, :1]), prod[:, :-1]], axis=1)  # ∏_{i<j} s_i
        a_sorted = (1 - s) * excl
        rows = xp.arange(u.shape[0])[:, None]
        a = xp.empty_like(a_sorted)
        a[rows, order] = a_sorted                                          # back to memory order
        self.saved = (order, s, excl, a_sorted)
        return a

    def backward(self, ga):
        # a_j = (1 − s_j) ∏_{i<j} s_i over sorted s:  ∂a_j/∂s_j = −∏_{i<j} s_i;  ∂a_j/∂s_k = a_j / s_k (k < j)
        # so ds_k = −g_k ∏_{i<k} s_i + (Σ_{j>k} g_j a_j) / s_k;  du = (1 − ε) ds in memory order
        xp = array_module(ga)
        order, s, excl, a_sorted = self.saved
        g = xp.take_along_axis(ga, order, axis=1)
        ga_ = g * a_sorted
        after = xp.cumsum(ga_[:, ::-1], axis=1)[:, ::-1] - ga_            # Σ_{j>k} g_j a_j
        gs = -g * excl + after / s
        gu = xp.empty_like(gs)
        gu[xp.arange(gs.shape[0])[:, None], order] = gs
        return gu * (1 - _EPS)


class TemporalLink(Function):
    def forward(self, link, precedence, w):
        xp = array_module(link)
        wi, wj = w[:, :, None], w[:, None, :]
        out = (1 - wi) - wj                                                # one (B, N, N) array, updated in place
        out *= link
        out += wi * precedence[:, None, :]
        diag = xp.arange(link.shape[1])
        out[:, diag, diag] = 0                                             # no self-links
        self.saved = (link, precedence, w)
        return out

    def backward(self, gy):
        # L'_ij = (1 − w_i − w_j) L_ij + w_i p_j (i ≠ j):  dL = G ∘ (1 − w_i − w_j);  dp_j = Σ_i G_ij w_i;
        # dw_k = Σ_j G_kj (p_j − L_kj) − Σ_i G_ik L_ik   (G = dL' with a zero diagonal)
        xp = array_module(gy)
        link, precedence, w = self.saved
        diag = xp.arange(link.shape[1])
        g = gy.copy()
        g[:, diag, diag] = 0
        glink = None
        if self.needs_grad[0]:
            glink = (1 - w[:, :, None]) - w[:, None, :]
            glink *= g
        gl = g * link
        gw = xp.einsum("bij,bj->bi", g, precedence) - gl.sum(axis=2) - gl.sum(axis=1)
        gp = xp.einsum("bij,bi->bj", g, w)
        return glink, gp, gw


class ReadWeighting(Function):
    def forward(self, link, w_prev, content, modes):
        xp = array_module(link)
        fwd = w_prev @ xp.swapaxes(link, 1, 2)                             # f_r = L w_r, as rows (B, R, N)
        bwd = w_prev @ link                                                # b_r = Lᵀ w_r
        self.saved = (link, w_prev, content, modes, fwd, bwd)
        return modes[:, :, 0:1] * bwd + modes[:, :, 1:2] * content + modes[:, :, 2:3] * fwd

    def backward(self, g):
        # w = π_b Lᵀw' + π_c c + π_f L w':  df = π_f g, db = π_b g;  dL = Σ_r df_r w'_rᵀ + w'_r db_rᵀ;
        # dw' = df L + db Lᵀ (as rows);  dc = π_c g;  dπ = Σ_i g ∘ (b, c, f)
        xp = array_module(g)
        link, w_prev, content, modes, fwd, bwd = self.saved
        gf, gb = modes[:, :, 2:3] * g, modes[:, :, 0:1] * g
        glink = None
        if self.needs_grad[0]:
            for r in range(g.shape[1]):  # loop over read heads: outer products, cheaper than a matmul of inner size 1
                outer = gf[:, r, :, None] * w_prev[:, r, None, :]
                outer += w_prev[:, r, :, None] * gb[:, r, None, :]
                glink = outer if glink is None else glink + outer
        gw = gf @ link + gb @ xp.swapaxes(link, 1, 2)
        gmodes = xp.stack([(g * bwd).sum(axis=2), (g * content).sum(axis=2), (g * fwd).sum(axis=2)], axis=2)
        return glink, gw, modes[:, :, 1:2] * g, gmodes


def _shape(t):
    return tuple(t.shape)


def _need(fn, cond, message):
    if not cond:
        raise ValueError(f"{fn}: {message}")


def allocation_weighting(usage):
    """Where a DNC writes next: a[φ_j] = (1 − u[φ_j]) ∏_{i<j} u[φ_i], φ the rows by usage ascending.

    usage (B, N) in [0, 1] → (B, N).  The least used row gets almost all of the weighting; a row
    gets weighting only as far as every less used row is in use.

    Example:
        >>> F.allocation_weighting(nt.tensor([[0.3, 0.1, 0.9]])).numpy()  # row 1 is the freest
        array([[0.07 , 0.9  , 0.003]], dtype=float32)
    """
    us = _shape(usage)
    _need("allocation_weighting", len(us) == 2 and us[1] >= 1, f"usage must be (batch, rows), got {us}")
    return AllocationWeighting.apply(usage)


def temporal_link(link, precedence, write_weighting):
    """The link matrix after a write: L'[i, j] = (1 − w_i − w_j) L[i, j] + w_i p[j], zero diagonal.

    link (B, N, N), precedence p (B, N) before this write, write_weighting w (B, N) → (B, N, N).
    L'[i, j] near 1 says row i was written right after row j.

    Example:
        >>> L = F.temporal_link(nt.zeros(1, 3, 3), nt.tensor([[1.0, 0.0, 0.0]]), nt.tensor([[0.0, 1.0, 0.0]]))
        >>> L.numpy()[0]  # row 1 written after row 0
        array([[0., 0., 0.],
               [1., 0., 0.],
               [0., 0., 0.]], dtype=float32)
    """
    ls, ps, ws = _shape(link), _shape(precedence), _shape(write_weighting)
    _need("temporal_link", len(ls) == 3 and ls[1] == ls[2] and ps == ws == ls[:2],
          f"expected link (batch, rows, rows), precedence and write_weighting (batch, rows); got link {ls}, "
          f"precedence {ps}, write_weighting {ws}")
    return TemporalLink.apply(link, precedence, write_weighting)


def usage_update(usage, write_weighting, free_gates, read_weightings):
    """u' = (u + w − u ∘ w) ∘ ∏_r (1 − f_r w^r): usage after the last write and the freed reads.

    usage, write_weighting (B, N); free_gates (B, R) in [0, 1]; read_weightings (B, R, N) → (B, N).
    Composed from elementwise ops (its gradient is autograd's).

    Example:
        >>> u = F.usage_update(nt.tensor([[0.5, 0.0]]), nt.tensor([[0.0, 1.0]]),
        ...                    nt.tensor([[1.0]]), nt.tensor([[[1.0, 0.0]]]))
        >>> u.numpy()  # row 1 written (used), row 0 read with its free gate open (freed)
        array([[0., 1.]], dtype=float32)
    """
    us, ws, fs, rs = _shape(usage), _shape(write_weighting), _shape(free_gates), _shape(read_weightings)
    _need("usage_update", len(us) == 2 and ws == us and len(fs) == 2 and fs[0] == us[0]
          and rs == (us[0], fs[1], us[1]),
          f"expected usage and write_weighting (batch, rows), free_gates (batch, R), read_weightings (batch, R, "
          f"rows); got usage {us}, write_weighting {ws}, free_gates {fs}, read_weightings {rs}")
    u = usage + write_weighting - usage * write_weighting
    for r in range(fs[1]):  # loop over read heads
        u = u * (1 - free_gates[:, r:r + 1] * read_weightings[:, r])
    return u


def read_weighting(link, prev_read_weightings, content_weightings, read_modes):
    """Read weightings from the read modes: w = π_b b + π_c c + π_f f, forward f = L w', backward b = Lᵀ w'.

    link (B, N, N); the previous read weightings w' and the content weightings c (B, R, N); read modes
    π (B, R, 3) in the order (backward, content, forward) → (B, R, N).  One Function: the two
    products with L and their (B, N, N) gradient in one place.

    Example:
        >>> L = nt.tensor([[[0.0, 0.0], [1.0, 0.0]]])  # row 1 written after row 0
        >>> w = F.read_weighting(L, nt.tensor([[[1.0, 0.0]]]), nt.tensor([[[0.5, 0.5]]]), nt.tensor([[[0.0, 0.0, 1.0]]]))
        >>> w.numpy()  # forward mode: from row 0 to the row written next
        array([[[0., 1.]]], dtype=float32)
    """
    ls, ws, cs, ms = _shape(link), _shape(prev_read_weightings), _shape(content_weightings), _shape(read_modes)
    _need("read_weighting", len(ls) == 3 and ls[1] == ls[2] and len(ws) == 3 and ws == cs
          and ws[0] == ls[0] and ws[2] == ls[1] and ms == (ws[0], ws[1], 3),
          f"expected link (batch, rows, rows), prev_read_weightings and content_weightings (batch, R, rows), "
          f"read_modes (batch, R, 3); got link {ls}, prev_read_weightings {ws}, content_weightings {cs}, "
          f"read_modes {ms}")
    return ReadWeighting.apply(link, prev_read_weightings, content_weightings, read_modes)


def precedence_update(precedence, write_weighting):
    """p' = (1 − Σ_i w_i) p + w: how much each row was the last one written, (B, N) → (B, N).

    Example:
        >>> F.precedence_update(nt.tensor([[1.0, 0.0]]), nt.tensor([[0.0, 0.75]])).numpy()
        array([[0.25, 0.75]], dtype=float32)
    """
    ps, ws = _shape(precedence), _shape(write_weighting)
    _need("precedence_update", len(ps) == 2 and ws == ps,
          f"precedence and write_weighting must both be (batch, rows), got {ps} and {ws}")
    return (1 - write_weighting.sum(axis=1, keepdims=True)) * precedence + write_weighting
