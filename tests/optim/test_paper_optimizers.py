"""Yogi, AdaBelief, LAMB, NovoGrad, Lookahead and COCOB against NumPy transcriptions of their papers,
and each one solving a convex quadratic and the XOR problem."""
import numpy as np
import pytest

import neuronet as nt
import neuronet.functional as F
import neuronet.optim as optim

SHAPES = [(3, 4), (6,)]


def start():
    rng = np.random.default_rng(7)
    return [rng.standard_normal(s) for s in SHAPES]


def gradient(arrays, step):
    """A non-quadratic gradient of the current weights plus fixed noise (float64)."""
    rng = np.random.default_rng(50 + step)
    return [2 * (a - 0.5) + 0.3 * np.sin(3 * a) + 0.2 * rng.standard_normal(a.shape) for a in arrays]


# --- the papers' updates, transcribed directly (float64, one layer = one parameter array) ------------

def yogi_reference(ws, steps, lr=0.01, b1=0.9, b2=0.999, eps=1e-3, v0=1e-6):
    m = [np.zeros_like(w) for w in ws]
    v = [np.full_like(w, v0) for w in ws]
    for t in range(1, steps + 1):
        gs = gradient(ws, t - 1)
        for i, g in enumerate(gs):
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = v[i] - (1 - b2) * np.sign(v[i] - g ** 2) * g ** 2
            ws[i] = ws[i] - lr * (m[i] / (1 - b1 ** t)) / (np.sqrt(v[i] / (1 - b2 ** t)) + eps)
    return ws


def adabelief_reference(ws, steps, lr=1e-3, b1=0.9, b2=0.999, eps=1e-16, wd=0.0):
    m = [np.zeros_like(w) for w in ws]
    s = [np.zeros_like(w) for w in ws]
    for t in range(1, steps + 1):
        gs = gradient(ws, t - 1)
        for i, g in enumerate(gs):
            ws[i] = ws[i] * (1 - lr * wd)
            m[i] = b1 * m[i] + (1 - b1) * g
            s[i] = b2 * s[i] + (1 - b2) * (g - m[i]) ** 2 + eps
            m_hat, s_hat = m[i] / (1 - b1 ** t), s[i] / (1 - b2 ** t)
            ws[i] = ws[i] - lr * m_hat / (np.sqrt(s_hat) + eps)
    return ws


def lamb_reference(ws, steps, lr=1e-3, b1=0.9, b2=0.999, eps=1e-6, wd=0.0):
    m = [np.zeros_like(w) for w in ws]
    v = [np.zeros_like(w) for w in ws]
    for t in range(1, steps + 1):
        gs = gradient(ws, t - 1)
        for i, g in enumerate(gs):
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g ** 2
            r = (m[i] / (1 - b1 ** t)) / (np.sqrt(v[i] / (1 - b2 ** t)) + eps)
            u = r + wd * ws[i]
            w_norm, u_norm = np.linalg.norm(ws[i]), np.linalg.norm(u)
            trust = w_norm / u_norm if w_norm > 0 and u_norm > 0 else 1.0
            ws[i] = ws[i] - lr * trust * u
    return ws


def novograd_reference(ws, steps, lr=0.01, b1=0.95, b2=0.98, eps=1e-8, wd=0.0):
    m, v = [None] * len(ws), [None] * len(ws)
    for t in range(1, steps + 1):
        gs = gradient(ws, t - 1)
        for i, g in enumerate(gs):
            norm_sq = np.sum(g ** 2)
            v[i] = norm_sq if t == 1 else b2 * v[i] + (1 - b2) * norm_sq
            d = g / (np.sqrt(v[i]) + eps) + wd * ws[i]
            m[i] = d if t == 1 else b1 * m[i] + d
            ws[i] = ws[i] - lr * m[i]
    return ws


def lookahead_reference(ws, steps, k=5, alpha=0.5, lr=0.05, mu=0.9):
    """Lookahead (Algorithm 1) around SGD with momentum (PyTorch's form)."""
    slow = [w.copy() for w in ws]
    buf = [None] * len(ws)
    for t in range(1, steps + 1):
        gs = gradient(ws, t - 1)
        for i, g in enumerate(gs):
            buf[i] = g.copy() if buf[i] is None else mu * buf[i] + g
            ws[i] = ws[i] - lr * buf[i]
        if t % k == 0:
            for i in range(len(ws)):
                slow[i] = slow[i] + alpha * (ws[i] - slow[i])
                ws[i] = slow[i].copy()
    return ws


def cocob_reference(ws, steps, alpha=100.0, eps=1e-8):
    """COCOB-Backprop, Algorithm 2, in the paper's notation (it bets on the negative gradient)."""
    w1 = [w.copy() for w in ws]
    L = [np.full_like(w, eps) for w in ws]
    G = [np.zeros_like(w) for w in ws]
    reward = [np.zeros_like(w) for w in ws]
    theta = [np.zeros_like(w) for w in ws]
    for t in range(1, steps + 1):
        gs = gradient(ws, t - 1)
        for i, grad in enumerate(gs):
            g = -grad
            L[i] = np.maximum(L[i], np.abs(g))
            G[i] = G[i] + np.abs(g)
            reward[i] = np.maximum(reward[i] + (ws[i] - w1[i]) * g, 0)
            theta[i] = theta[i] + g
            ws[i] = w1[i] + theta[i] / (L[i] * np.maximum(G[i] + L[i], alpha * L[i])) * (L[i] + reward[i])
    return ws


PAPERS = {
    "yogi": (lambda p: optim.Yogi(p), yogi_reference, {}),
    "yogi_options": (lambda p: optim.Yogi(p, lr=0.05, betas=(0.8, 0.99), eps=1e-4, initial_accumulator=0.1),
                     yogi_reference, dict(lr=0.05, b1=0.8, b2=0.99, eps=1e-4, v0=0.1)),
    "adabelief": (lambda p: optim.AdaBelief(p), adabelief_reference, {}),
    "adabelief_wd": (lambda p: optim.AdaBelief(p, lr=0.01, eps=1e-8, weight_decay=0.1), adabelief_reference,
                     dict(lr=0.01, eps=1e-8, wd=0.1)),
    "lamb": (lambda p: optim.LAMB(p), lamb_reference, {}),
    "lamb_wd": (lambda p: optim.LAMB(p, lr=0.02, weight_decay=0.05), lamb_reference, dict(lr=0.02, wd=0.05)),
    "novograd": (lambda p: optim.NovoGrad(p), novograd_reference, {}),
    "novograd_wd": (lambda p: optim.NovoGrad(p, lr=0.003, betas=(0.9, 0.5), weight_decay=0.01),
                    novograd_reference, dict(lr=0.003, b1=0.9, b2=0.5, wd=0.01)),
    "lookahead": (lambda p: optim.Lookahead(optim.SGD(p, lr=0.05, momentum=0.9), k=5, alpha=0.5),
                  lookahead_reference, {}),
    "lookahead_k3": (lambda p: optim.Lookahead(optim.SGD(p, lr=0.02, momentum=0.5), k=3, alpha=0.8),
                     lookahead_reference, dict(k=3, alpha=0.8, lr=0.02, mu=0.5)),
    "cocob": (lambda p: optim.COCOB(p), cocob_reference, {}),
    "cocob_alpha": (lambda p: optim.COCOB(p, alpha=10.0), cocob_reference, dict(alpha=10.0)),
}


@pytest.mark.parametrize("case", sorted(PAPERS))
def test_matches_the_papers_update(case):
    make, reference, kwargs = PAPERS[case]
    steps = 12
    params = [nt.nn.Parameter(w, dtype=np.float64) for w in start()]
    opt = make(params)
    expected = reference(start(), steps, **kwargs)
    for t in range(steps):
        for p, g in zip(params, gradient([p.data for p in params], t)):
            p.grad = g
        opt.step()
    for p, e in zip(params, expected):
        assert p.data.dtype == np.float64
        np.testing.assert_allclose(p.data, e, rtol=1e-10, atol=1e-12)
    assert not np.allclose(expected[0], start()[0])  # the weights really moved


@pytest.mark.parametrize("case", ["yogi", "adabelief", "lamb", "novograd", "lookahead", "cocob"])
def test_float32_stays_float32_and_state_round_trips(case):
    make = PAPERS[case][0]
    params = [nt.nn.Parameter(w.astype(np.float32)) for w in start()]
    opt = make(params)

    def run(opt, params, steps):
        for t in steps:
            for p, g in zip(params, gradient([p.data for p in params], t)):
                p.grad = g.astype(np.float32)
            opt.step()
    run(opt, params, range(6))
    arrays, meta = opt.flat_state()
    fresh_params = [nt.nn.Parameter(p.data.copy()) for p in params]
    fresh = make(fresh_params)
    fresh.load_flat_state(arrays, meta)
    run(opt, params, range(6, 12))
    run(fresh, fresh_params, range(6, 12))
    for p, q in zip(params, fresh_params):
        assert p.data.dtype == np.float32
        np.testing.assert_array_equal(p.data, q.data)
    for s in opt.state.values():
        for v in s.values():
            if isinstance(v, np.ndarray):
                assert v.dtype == np.float32


# --- learning ----------------------------------------------------------------------------------

LEARNERS = {
    "yogi": lambda p: optim.Yogi(p, lr=0.05),
    "adabelief": lambda p: optim.AdaBelief(p, lr=0.05),
    "lamb": lambda p: optim.LAMB(p, lr=0.05),
    "novograd": lambda p: optim.NovoGrad(p, lr=0.05),
    "lookahead": lambda p: optim.Lookahead(optim.Adam(p, lr=0.05)),
    "cocob": lambda p: optim.COCOB(p),
}


@pytest.mark.parametrize("case", sorted(LEARNERS))
def test_minimises_a_convex_quadratic(case):
    # f(w) = sum_i d_i (w_i - c_i)^2 from w = 0: f starts at 44.81 and its minimum is 0
    d = np.linspace(0.5, 5, 10).astype(np.float32)
    c = np.linspace(-2, 2, 10).astype(np.float32)
    w = nt.nn.Parameter(np.zeros(10, np.float32))
    opt = LEARNERS[case]([w])
    assert float((d * c ** 2).sum()) == pytest.approx(44.81, abs=0.01)
    for _ in range(400):
        w.grad = 2 * d * (w.data - c)
        opt.step()
    assert float((d * (w.data - c) ** 2).sum()) < 1e-3


@pytest.mark.parametrize("case", sorted(LEARNERS))
def test_trains_a_2_8_1_tanh_network_on_xor(case):
    x = nt.tensor(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32))
    y = nt.tensor(np.array([[0], [1], [1], [0]], np.float32))
    rng = np.random.default_rng(0)
    w1 = nt.nn.Parameter(rng.standard_normal((2, 8)).astype(np.float32))
    b1 = nt.nn.Parameter(np.zeros(8, np.float32))
    w2 = nt.nn.Parameter(0.5 * rng.standard_normal((8, 1)).astype(np.float32))
    b2 = nt.nn.Parameter(np.zeros(1, np.float32))
    opt = LEARNERS[case]([w1, b1, w2, b2])
    for _ in range(500):
        out = F.sigmoid(F.tanh(x @ w1 + b1) @ w2 + b2)
        diff = out + y * -1.0
        loss = (diff * diff).sum() * 0.25  # mean squared error; 0.25 for a constant 0.5 output
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert float(loss.item()) < 1e-3
    assert ((out.data > 0.5) == (y.data > 0.5)).all()


def test_lookahead_shares_groups_and_restarts_fast_weights_from_slow():
    w = nt.nn.Parameter(np.array([1.0, 2.0], np.float32))
    inner = optim.SGD([w], lr=0.1)
    opt = optim.Lookahead(inner, k=2, alpha=0.5)
    assert opt.param_groups is inner.param_groups
    for _ in range(2):
        w.grad = np.ones(2, np.float32)
        opt.step()
    # two SGD steps reach w0 - 0.2; the slow weights move halfway: w0 - 0.1
    np.testing.assert_allclose(w.data, [0.9, 1.9], rtol=1e-6)
    with pytest.raises(ValueError, match="Lookahead: invalid k 0"):
        optim.Lookahead(inner, k=0)
    with pytest.raises(ValueError, match="Lookahead: invalid alpha 1.5"):
        optim.Lookahead(inner, alpha=1.5)
    with pytest.raises(TypeError, match="Lookahead: optimizer must be an Optimizer"):
        optim.Lookahead([w])
