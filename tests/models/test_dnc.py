"""Differentiable Neural Computer: float64 gradient checks of the allocation and link Functions and of
the whole cell, the memory management against hand-computed small cases, errors, saving, and a
short copy-task learning test."""
import numpy as np
import pytest

import neuronet as nt
from neuronet import functional as F
from tests.helpers import check_grad

B, N = 3, 7


def _rng():
    return np.random.default_rng(0)


def _simplex(r, *shape, scale=1.0):
    return r.dirichlet(np.ones(shape[-1]), shape[:-1]) * scale


def test_allocation_weighting_grad():
    r = _rng()
    check_grad(F.allocation_weighting, r.uniform(0.05, 0.95, (B, N)))  # distinct usages: a fixed order


def test_allocation_follows_usage_order():
    """usage [0.3, 0.1, 0.9] → order φ = (1, 0, 2): a[1] = 0.9, a[0] = 0.7 · 0.1, a[2] = 0.1 · 0.1 · 0.3."""
    a = F.allocation_weighting(nt.tensor(np.array([[0.3, 0.1, 0.9], [0.0, 1.0, 1.0]]))).data
    np.testing.assert_allclose(a[0], [0.07, 0.9, 0.003], atol=1e-5)
    np.testing.assert_allclose(a[1], [1.0, 0.0, 0.0], atol=1e-5)  # an unused row takes it all
    full = F.allocation_weighting(nt.tensor(np.ones((1, 4)))).data
    assert full.sum() < 1e-5  # a full memory allocates nowhere


def test_allocation_gradient_flows_through_sorted_values_not_the_order():
    """Analytic gradient of a = (1 − u_φ) ∏ u for usage [0.3, 0.1, 0.9] (ε-floor aside)."""
    u = nt.tensor(np.array([[0.3, 0.1, 0.9]]), requires_grad=True)
    a = F.allocation_weighting(u)
    (a * nt.tensor(np.array([[1.0, 2.0, 3.0]]))).sum().backward()
    # a0 = (1 − u0) u1, a1 = 1 − u1, a2 = (1 − u2) u1 u0
    # d/du0 = −u1 + 3 (1 − u2) u1 = −0.1 + 0.03;  d/du1 = (1 − u0) − 2 + 3 (1 − u2) u0 = 0.7 − 2 + 0.09
    # d/du2 = −3 u1 u0 = −0.09
    np.testing.assert_allclose(u.grad[0], [-0.07, -1.21, -0.09], atol=1e-5)


def test_temporal_link_grad_and_small_case():
    r = _rng()
    check_grad(F.temporal_link, r.uniform(0, 0.3, (B, N, N)), _simplex(r, B, N, scale=0.8), _simplex(r, B, N, scale=0.9))
    # write rows 0, 2, 1 in turn (one-hot): the links say 2 after 0 and 1 after 2; nothing else
    link, p = nt.zeros(1, 3, 3, dtype=np.float64), nt.zeros(1, 3, dtype=np.float64)
    for row in (0, 2, 1):
        w = nt.tensor(np.eye(3)[[row]])
        link = F.temporal_link(link, p, w)
        p = F.precedence_update(p, w)
    expected = np.zeros((3, 3))
    expected[2, 0] = expected[1, 2] = 1.0
    np.testing.assert_allclose(link.data[0], expected)
    np.testing.assert_allclose(p.data[0], [0.0, 1.0, 0.0])
    # forward weighting from a read at row 0 is row 2 (L w); backward from row 2 is row 0 (Lᵀ w)
    np.testing.assert_allclose(link.data[0] @ np.eye(3)[0], [0, 0, 1])
    np.testing.assert_allclose(link.data[0].T @ np.eye(3)[2], [1, 0, 0])


def test_read_weighting_grad_and_modes():
    r = _rng()
    check_grad(F.read_weighting, r.uniform(0, 0.5, (B, N, N)), _simplex(r, B, 2, N), _simplex(r, B, 2, N),
               _simplex(r, B, 2, 3))
    link = np.zeros((1, 3, 3))
    link[0, 2, 0] = link[0, 1, 2] = 1.0  # written in the order 0, 2, 1
    prev, content = np.eye(3)[None, [2]], np.full((1, 1, 3), 1 / 3)
    for mode, expected in ((0, [1, 0, 0]), (1, [1 / 3] * 3), (2, [0, 1, 0])):  # backward, content, forward
        w = F.read_weighting(nt.tensor(link), nt.tensor(prev), nt.tensor(content), nt.tensor(np.eye(3)[None, [mode]]))
        np.testing.assert_allclose(w.data[0, 0], expected)


def test_usage_and_precedence_grad_and_values():
    r = _rng()
    check_grad(F.usage_update, r.uniform(size=(B, N)), _simplex(r, B, N), r.uniform(size=(B, 2)),
               _simplex(r, B, 2, N))
    check_grad(F.precedence_update, _simplex(r, B, N), _simplex(r, B, N, scale=0.8))
    u = F.usage_update(nt.tensor([[0.5, 0.2, 0.0]]), nt.tensor([[0.0, 0.5, 0.0]]), nt.tensor([[0.5]]),
                       nt.tensor([[[1.0, 0.0, 0.0]]])).data
    np.testing.assert_allclose(u, [[0.25, 0.6, 0.0]], atol=1e-6)  # 0.5 · (1 − 0.5); 0.2 + 0.5 − 0.1


def test_errors_name_the_function_and_shapes():
    with pytest.raises(ValueError, match=r"allocation_weighting: usage must be \(batch, rows\), got \(3,\)"):
        F.allocation_weighting(nt.ones(3))
    with pytest.raises(ValueError, match=r"temporal_link: expected link \(batch, rows, rows\).*got link \(1, 3, 4\)"):
        F.temporal_link(nt.ones(1, 3, 4), nt.ones(1, 3), nt.ones(1, 3))
    with pytest.raises(ValueError, match=r"usage_update: .*read_weightings \(1, 2, 4\)"):
        F.usage_update(nt.ones(1, 3), nt.ones(1, 3), nt.ones(1, 2), nt.ones(1, 2, 4))
    with pytest.raises(ValueError, match=r"precedence_update: .*got \(1, 3\) and \(1, 4\)"):
        F.precedence_update(nt.ones(1, 3), nt.ones(1, 4))
    with pytest.raises(ValueError, match=r"read_weighting: .*read_modes \(1, 1, 2\)"):
        F.read_weighting(nt.ones(1, 3, 3), nt.ones(1, 1, 3), nt.ones(1, 1, 3), nt.ones(1, 1, 2))
    with pytest.raises(ValueError, match=r"DNC: expected input of shape \(batch, time, features\), received \(2, 5\)"):
        nt.models.DNC(3, memory_rows=4, memory_width=4, controller_units=4)(nt.ones(2, 5))


def _tiny_dnc(**kw):
    return nt.models.DNC(3, memory_rows=6, memory_width=4, controller_units=8, **kw)


def test_dnc_cell_gradcheck_and_weightings():
    """The whole cell (input gradient through usage, allocation, link, read modes, reads) in float64,
    with the exact gradient (stop_usage_gradient=False); weightings are valid distributions."""
    nt.set_default_dtype(np.float64)
    nt.manual_seed(0)
    model = _tiny_dnc(read_heads=2, stop_usage_gradient=False)
    x = np.random.default_rng(0).normal(size=(2, 5, 5))
    y, trace = model(nt.tensor(x), return_weights=True)
    assert y.shape == (2, 5, 3) and trace["write"].shape == trace["usage"].shape == (2, 5, 6)
    assert trace["read_modes"].shape == (2, 5, 2, 3) and trace["link"].shape == (2, 6, 6)
    assert (trace["write"].sum(axis=2) <= 1 + 1e-9).all() and (trace["read"].sum(axis=2) <= 1 + 1e-9).all()
    assert ((trace["usage"] >= 0) & (trace["usage"] <= 1)).all()
    np.testing.assert_allclose(np.diagonal(trace["link"], axis1=1, axis2=2), 0.0)
    assert nt.gradcheck(lambda t: model(t), nt.tensor(x, requires_grad=True), atol=1e-7, rtol=1e-5)
    # parameters: the gradient of a sum of outputs against a central difference on one interface weight
    model.zero_grad()
    model(nt.tensor(x)).sum().backward()
    w = model.interface.weight
    i, j, eps = 3, 2, 1e-6
    w.data[i, j] += eps
    up = model(nt.tensor(x)).data.sum()
    w.data[i, j] -= 2 * eps
    down = model(nt.tensor(x)).data.sum()
    w.data[i, j] += eps
    np.testing.assert_allclose(w.grad[i, j], (up - down) / (2 * eps), rtol=1e-5, atol=1e-8)
    model.memory_rows = 9  # the memory is not a parameter
    assert model(nt.tensor(x), return_weights=True)[1]["usage"].shape == (2, 5, 9)


def test_dnc_saves_and_loads(tmp_path):
    model = _tiny_dnc()
    x = nt.tensor(np.random.default_rng(1).normal(size=(2, 3, 5)).astype(np.float32))
    model.build((None, 3, 5))
    y = model(x).data
    assert y.dtype == np.float32
    model.save(str(tmp_path / "dnc.safetensors"))
    np.testing.assert_allclose(nt.load_model(str(tmp_path / "dnc.safetensors"))(x).data, y, atol=1e-6)


def test_dnc_learns_short_copies():
    """Copies of length 1–5, 4 bits (chance: 10 bits wrong of 20 at length 5): a small DNC (12 × 8
    memory, LSTM 32) reaches ≤ 0.1 bits wrong per training sequence within 600 batches of 16 (seed 0:
    about 400) and then gets under 0.5 bits wrong per length-5 test sequence."""
    from neuronet.recipes.memory import bits_wrong, copy_task, train_sequence_task
    nt.manual_seed(0)
    model = nt.models.DNC(4, memory_rows=12, memory_width=8, controller_units=32)
    history = train_sequence_task(model, lambda rng: copy_task(16, int(rng.integers(1, 6)), 4, rng), 600, lr=1e-2,
                                  log_every=50, target_bits=0.1)
    assert history[0]["bits_wrong"] > 3.0, history
    assert bits_wrong(model, lambda b, rng: copy_task(b, 5, 4, rng)) < 0.5, history


def test_dnc_copy_recipe_runs(tmp_path):
    """``neuronet train dnc-copy`` is registered; one step of it trains, evaluates at 20-80, saves, draws."""
    import json

    from neuronet.recipes import get_recipe
    from neuronet.recipes.memory import run_dnc_copy
    assert get_recipe("dnc-copy").run is run_dnc_copy
    run_dnc_copy(out=str(tmp_path), epochs=1, eval_sequences=4, print_fn=lambda *a: None)
    report = json.loads((tmp_path / "report.json").read_text())
    dnc = report["models"]["dnc"]
    assert dnc["params"] == 61856 and set(dnc["bits_wrong_per_sequence"]) == {f"length {n}" for n in (20, 40, 60, 80)}
    assert (tmp_path / "dnc.safetensors").exists()
    pytest.importorskip("matplotlib")
    assert (tmp_path / "memory_use.png").exists()


def test_dnc_copy_example_runs(tmp_path):
    """examples/dnc_copy.py's code path, with a small DNC and 2 steps."""
    from tests.helpers import load_example
    model = nt.models.DNC(8, memory_rows=8, memory_width=4, controller_units=8)
    history, errors = load_example("dnc_copy").main(steps=2, plot=str(tmp_path / "m.png"), max_len=3, model=model)
    assert len(history) == 2 and set(errors) == {3, 6}
    pytest.importorskip("matplotlib")
    assert (tmp_path / "m.png").exists()


@pytest.mark.slow
def test_dnc_copy_readme_figures(tmp_path):
    """README: `neuronet train dnc-copy` (seed 0) — the DNC stops at 1,200 batches with 0.42 bits wrong
    at length 20, 4.3 at 40 and 5.9 at 60 (about 12 minutes on 2 loaded cores). Margins: the same seed
    with float rounding changed (an earlier run) gave 0.11 / 4.7 / 9.1."""
    import json

    from neuronet.cli import main
    assert main(["train", "dnc-copy", "--out", str(tmp_path), "--quiet"]) == 0
    bits = json.loads((tmp_path / "report.json").read_text())["models"]["dnc"]["bits_wrong_per_sequence"]
    assert bits["length 20"] <= 1.0 and bits["length 40"] <= 8.0 and bits["length 60"] <= 15.0
