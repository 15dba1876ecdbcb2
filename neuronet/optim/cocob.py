"""COCOB-Backprop: a learning-rate-free optimizer that bets on each coordinate like a gambler."""
from __future__ import annotations

from ..backend import array_module
from .optimizer import Optimizer, check_hyper

__all__ = ["COCOB"]


class COCOB(Optimizer):
    """COCOB-Backprop (Orabona & Tommasi, NeurIPS 2017, "Training Deep Networks without Learning Rates", Alg. 2).

    Each coordinate is a coin-betting game: the wealth won so far (``reward``) is bet in the
    direction of the summed negative gradients, scaled by the largest gradient seen.  There is no
    learning rate.  With ``w₁`` the initial weights, ``g`` the gradient (the paper bets on −g)::

        L ← max(L, |g|)                  (L starts at eps)
        G ← G + |g|
        reward ← max(reward − (w − w₁)·g, 0)
        θ ← θ + g                        (the sum of gradients)
        w ← w₁ − θ / (L · max(G + L, alpha·L)) · (L + reward)

    Args:
        params: parameters or parameter groups.
        alpha: bounds the bet in the first steps (default 100, the paper's).
        eps: initial value of ``L`` (keeps the first division finite).
        weight_decay: L2 penalty coefficient added to the gradient.

    Example:
        >>> w = nt.nn.Parameter(np.array([3.0], np.float32))
        >>> opt = nt.optim.COCOB([w])  # no learning rate to choose
        >>> for _ in range(300):
        ...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
        >>> abs(w.item()) < 0.5
        True
    """

    def __init__(self, params, alpha: float = 100.0, eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(params, dict(alpha=alpha, eps=eps, weight_decay=weight_decay))

    def _check_group(self, group):
        if "lr" in group:
            raise ValueError("COCOB: there is no learning rate to set (COCOB is learning-rate free); drop 'lr'")
        check_hyper("COCOB", "alpha", group["alpha"], low=0, low_open=True)
        check_hyper("COCOB", "eps", group["eps"], low=0, low_open=True)
        check_hyper("COCOB", "weight_decay", group["weight_decay"], low=0)

    def _update(self, p, grad, state, group):
        xp = array_module(p.data)
        if not state:
            state["initial"] = xp.array(p.data, copy=True)
            state["max_grad"] = xp.full_like(p.data, group["eps"])
            state["sum_abs_grad"] = xp.zeros_like(p.data)
            state["reward"] = xp.zeros_like(p.data)
            state["sum_grad"] = xp.zeros_like(p.data)
        g = grad
        if group["weight_decay"]:
            g = grad + group["weight_decay"] * p.data
        w1, big_l, big_g = state["initial"], state["max_grad"], state["sum_abs_grad"]
        reward, theta = state["reward"], state["sum_grad"]
        tmp = xp.abs(g, out=xp.empty_like(p.data))
        xp.maximum(big_l, tmp, out=big_l)
        big_g += tmp
        xp.subtract(p.data, w1, out=tmp)          # reward ← max(reward − (w − w₁)·g, 0)
        tmp *= g
        reward -= tmp
        xp.maximum(reward, 0, out=reward)
        theta += g
        xp.add(big_g, big_l, out=tmp)              # denominator L · max(G + L, αL)
        xp.maximum(tmp, group["alpha"] * big_l, out=tmp)
        tmp *= big_l
        xp.divide(theta, tmp, out=tmp)             # bet fraction, times the wealth L + reward
        tmp *= big_l + reward
        xp.subtract(w1, tmp, out=p.data)
