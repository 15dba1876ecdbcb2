"""Neural Turing Machine: float64 gradient checks of the addressing Functions, their meaning on small
cases, the batched NTM cell, errors, and a short copy-task learning test."""
import numpy as np
import pytest

import neuronet as nt
from neuronet import functional as F
from tests.helpers import check_grad

B, N, W = 3, 7, 4


def _rng():
    return np.random.default_rng(0)


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_content_addressing_grad_and_value():
    r = _rng()
    m, k, beta = r.normal(size=(B, N, W)), r.normal(size=(B, W)), r.uniform(0.5, 3, size=(B, 1))
    check_grad(F.content_addressing, m, k, beta)
    cos = np.einsum("bnw,bw->bn", m, k) / (np.linalg.norm(m, axis=2) * np.linalg.norm(k, axis=1, keepdims=True))
    np.testing.assert_allclose(F.content_addressing(nt.tensor(m), nt.tensor(k), nt.tensor(beta)).data,
                               _softmax(beta * cos), atol=1e-7)


def test_interpolate_grad():
    r = _rng()
    check_grad(F.interpolate, _softmax(r.normal(size=(B, N))), _softmax(r.normal(size=(B, N))),
               r.uniform(size=(B, 1)))


@pytest.mark.parametrize("s", [1, 3, 5])
def test_circular_shift_grad(s):
    r = _rng()
    check_grad(F.circular_shift, _softmax(r.normal(size=(B, N))), _softmax(r.normal(size=(B, s))))


def test_circular_shift_moves_the_focus_and_wraps():
    w = np.zeros((1, 5))
    w[0, 4] = 1.0
    right = F.circular_shift(nt.tensor(w), nt.tensor(np.array([[0.0, 0.0, 1.0]]))).data  # offset +1
    left = F.circular_shift(nt.tensor(w), nt.tensor(np.array([[1.0, 0.0, 0.0]]))).data   # offset -1
    assert right[0].tolist() == [1, 0, 0, 0, 0] and left[0].tolist() == [0, 0, 0, 1, 0]


def test_sharpen_grad_and_value():
    r = _rng()
    w, gamma = _softmax(r.normal(size=(B, N))), 1 + r.uniform(size=(B, 1)) * 3
    check_grad(F.sharpen, w, gamma)
    expected = w ** gamma / (w ** gamma).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(F.sharpen(nt.tensor(w), nt.tensor(gamma)).data, expected, atol=1e-6)


def test_read_and_write_grad_and_value():
    r = _rng()
    m, w = r.normal(size=(B, N, W)), _softmax(r.normal(size=(B, N)))
    e, a = r.uniform(size=(B, W)), r.normal(size=(B, W))
    check_grad(F.memory_read, m, w)
    check_grad(F.memory_write, m, w, e, a)
    new = F.memory_write(nt.tensor(m), nt.tensor(w), nt.tensor(e), nt.tensor(a)).data
    i = 2
    np.testing.assert_allclose(new[0, i], m[0, i] * (1 - w[0, i] * e[0]) + w[0, i] * a[0])
    np.testing.assert_allclose(F.memory_read(nt.tensor(m), nt.tensor(w)).data[1], w[1] @ m[1])


def test_addressing_errors_name_the_function_and_shapes():
    m = nt.tensor(np.ones((2, 5, 3)))
    with pytest.raises(ValueError, match=r"content_addressing: key must be \(batch, width\) = \(2, 3\), got \(2, 4\)"):
        F.content_addressing(m, nt.tensor(np.ones((2, 4))), nt.tensor(np.ones((2, 1))))
    with pytest.raises(ValueError, match="circular_shift: shift must be .* S odd"):
        F.circular_shift(nt.tensor(np.ones((2, 5))), nt.tensor(np.ones((2, 2))))
    with pytest.raises(ValueError, match="memory_write: expected memory"):
        F.memory_write(m, nt.tensor(np.ones((2, 5))), nt.tensor(np.ones((2, 3))), nt.tensor(np.ones((2, 4))))


def _tiny_ntm(**kw):
    return nt.models.NTM(3, memory_rows=6, memory_width=4, controller_units=8, **kw)


@pytest.mark.parametrize("controller", ["lstm", "feedforward"])
def test_ntm_shapes_weightings_and_input_gradient(controller):
    nt.set_default_dtype(np.float64)
    model = _tiny_ntm(controller=controller, read_heads=2)
    x = np.random.default_rng(0).normal(size=(2, 4, 5))
    y, trace = model(nt.tensor(x), return_weights=True)
    assert y.shape == (2, 4, 3) and trace["write"].shape == trace["read"].shape == (2, 4, 6)
    np.testing.assert_allclose(trace["write"].sum(axis=2), 1.0, atol=1e-6)
    assert nt.gradcheck(lambda t: model(t), nt.tensor(x, requires_grad=True), atol=1e-5, rtol=1e-3)
    model.memory_rows = 11  # the memory is not a parameter: a longer task can use a larger one
    assert model(nt.tensor(x), return_weights=True)[1]["read"].shape == (2, 4, 11)


def test_ntm_saves_and_loads(tmp_path):
    model = _tiny_ntm()
    x = nt.tensor(np.random.default_rng(1).normal(size=(2, 3, 5)).astype(np.float32))
    model.build((None, 3, 5))
    y = model(x).data
    model.save(str(tmp_path / "ntm.safetensors"))
    np.testing.assert_allclose(nt.load_model(str(tmp_path / "ntm.safetensors"))(x).data, y, atol=1e-6)
    with pytest.raises(ValueError, match=r"NTM: expected input of shape \(batch, time, features\), received \(2, 5\)"):
        model(nt.tensor(np.ones((2, 5))))
    with pytest.raises(ValueError, match="NTM: controller must be 'lstm' or 'feedforward'"):
        nt.models.NTM(3, controller="gru")


def test_copy_and_recall_tasks():
    from neuronet.recipes.memory import associative_recall, copy_task
    x, y = copy_task(4, 5, bits=8, rng=np.random.default_rng(0))
    assert x.shape == (4, 11, 9) and y.shape == (4, 5, 8)
    np.testing.assert_array_equal(x[:, :5, :8], y)
    assert (x[:, 5, 8] == 1).all() and not x[:, 6:].any() and not x[:, :5, 8].any()
    x, y = associative_recall(3, 4, item_len=3, bits=6, rng=np.random.default_rng(0))
    assert x.shape == (3, 4 * 4 + 1 + 3 + 1 + 3, 8) and y.shape == (3, 3, 6)
    query = x[:, 17:20, :6]
    for b in range(3):  # the target is the item after the one that matches the query
        items = [x[b, k * 4 + 1:k * 4 + 4, :6] for k in range(4)]
        k = next(i for i, item in enumerate(items[:-1]) if np.array_equal(item, query[b]))
        np.testing.assert_array_equal(y[b], items[k + 1])


def test_ntm_learns_short_copies_quickly():
    """60 Adam steps on copies of length 1-2 (3 bits) take the output loss well below chance (ln 2)."""
    from neuronet.recipes.memory import copy_task, train_sequence_task
    nt.manual_seed(0)
    model = nt.models.NTM(3, memory_rows=6, memory_width=6, controller_units=16)
    history = train_sequence_task(model, lambda rng: copy_task(16, int(rng.integers(1, 3)), 3, rng), 60, lr=1e-2,
                                  log_every=20)
    assert history[0]["loss"] > 0.6 and history[-1]["loss"] < 0.45, history


@pytest.mark.slow
def test_ntm_copies_length_1_to_3_and_the_lstm_baseline_trains():
    from neuronet.recipes.memory import LSTMSequenceModel, bits_wrong, copy_task, train_sequence_task
    nt.manual_seed(0)
    model = nt.models.NTM(4, memory_rows=8, memory_width=8, controller_units=32)
    train_sequence_task(model, lambda rng: copy_task(16, int(rng.integers(1, 4)), 4, rng), 800, lr=3e-3)
    assert bits_wrong(model, lambda b, rng: copy_task(b, 3, 4, rng)) < 1.0  # of 12 bits; chance 6
    lstm = LSTMSequenceModel(4, units=32)
    history = train_sequence_task(lstm, lambda rng: copy_task(16, int(rng.integers(1, 4)), 4, rng), 200, lr=3e-3)
    assert history[-1]["loss"] < 0.6


def test_ntm_recall_recipe_runs_from_the_cli(tmp_path):
    """``neuronet train ntm-recall --epochs 1``: both models train a step, are evaluated and saved."""
    import json

    from neuronet.cli import main
    assert main(["train", "ntm-recall", "--epochs", "1", "--out", str(tmp_path), "--quiet"]) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert set(report["models"]) == {"ntm", "lstm"} and report["models"]["ntm"]["params"] > 0
    assert set(report["models"]["lstm"]["bits_wrong_per_sequence"]) == {"6 items", "10 items", "12 items"}
    assert (tmp_path / "ntm.safetensors").exists() and (tmp_path / "train_log.jsonl").exists()


def test_training_keeps_the_best_window_and_stops_at_the_target():
    """train_sequence_task restores the parameters of its lowest-loss log window and stops once a
    window's bits wrong per sequence reach target_bits."""
    from neuronet.recipes.memory import copy_task, train_sequence_task
    nt.manual_seed(0)
    model = nt.models.NTM(3, memory_rows=4, memory_width=4, controller_units=8)
    history = train_sequence_task(model, lambda rng: copy_task(8, 1, 3, rng), 6, lr=1e-2, log_every=2,
                                  target_bits=100.0)
    assert len(history) == 1  # 3 bits per sequence at most: the first window meets the target
    x, y = copy_task(8, 1, 3, np.random.default_rng(0))
    before = model(nt.tensor(x)).data.copy()
    history = train_sequence_task(model, lambda rng: copy_task(8, 1, 3, rng), 4, lr=0.5, log_every=2)
    best = min(range(len(history)), key=lambda i: history[i]["loss"])
    assert len(history) == 2 and np.isfinite(model(nt.tensor(x)).data).all() and best in (0, 1)
    assert not np.array_equal(model(nt.tensor(x)).data, before)


@pytest.mark.slow
def test_ntm_copy_readme_figures(tmp_path):
    """README: `neuronet train ntm-copy` (seed 0) — the NTM stops at 1,100 batches with 0.0 bits wrong at
    length 20 and 1.0 at 40; the LSTM of the same batches 67.2 at 20 (about 10 minutes on 2 cores)."""
    import json

    from neuronet.cli import main
    assert main(["train", "ntm-copy", "--out", str(tmp_path), "--quiet"]) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    ntm, lstm = report["models"]["ntm"], report["models"]["lstm"]
    assert ntm["bits_wrong_per_sequence"]["length 20"] <= 0.5 and ntm["bits_wrong_per_sequence"]["length 40"] <= 2.0
    assert lstm["bits_wrong_per_sequence"]["length 20"] >= 40
