"""nt.jit / compile(jit=True): a captured step replays the same Functions and equals eager mode to the bit."""
from __future__ import annotations

import numpy as np
import pytest

import neuronet as nt
from neuronet import functional as F
from neuronet.nn import layers as L


def _bits(a):
    return np.ascontiguousarray(a).tobytes()


def _run(make, batches, use_jit, steps, grad_clip=False):
    """Train a fresh seeded model for ``steps`` steps; losses, parameters, gradients and buffers after."""
    nt.manual_seed(7)
    model, opt = make()

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        if grad_clip:
            nt.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        opt.step()
        return loss

    fn = nt.jit(step) if use_jit else step
    losses = [_bits(fn(*batches[i % len(batches)]).data) for i in range(steps)]
    return (losses, [_bits(p.data) for p in model.parameters()], [_bits(p.grad) for p in model.parameters()],
            [_bits(np.asarray(b)) for b in model.buffers()], fn)


def _assert_same_as_eager(make, batches, steps=7, grad_clip=False):
    eager = _run(make, batches, False, steps, grad_clip)
    captured = _run(make, batches, True, steps, grad_clip)
    fn = captured[-1]
    assert fn.refusals == {}
    assert fn.calls["replay"] == steps - 2 - fn.calls["verify"] and fn.calls["verify"] == 2  # 2nd, 4th use
    for what, a, b in zip(("losses", "parameters", "gradients", "buffers"), eager, captured):
        assert a == b, f"{what} differ from eager mode"
    return fn


def _data(n, shape, classes, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return nt.tensor(rng.standard_normal((n, *shape)).astype(dtype)), nt.tensor(rng.integers(0, classes, n))


def test_mlp_with_dropout_sgd_momentum_is_bit_identical():
    def make():
        m = nt.Sequential([L.Dense(32, activation="relu", in_features=12), L.Dropout(0.3),
                           L.Dense(16, activation="tanh"), L.Dense(4)])
        return m, nt.optim.SGD(m.parameters(), lr=0.05, momentum=0.9)
    _assert_same_as_eager(make, [_data(16, (12,), 4, s) for s in range(3)], grad_clip=True)


def test_cnn_with_batch_norm_and_dropout_is_bit_identical():
    def make():
        m = nt.Sequential([L.Conv2D(4, 3, padding=1), L.BatchNorm2D(), L.Activation("relu"),
                           L.MaxPool2D(2), L.Dropout(0.25), L.Flatten(), L.Dense(3)])
        return m, nt.optim.Adam(m.parameters(), lr=1e-2)
    _assert_same_as_eager(make, [_data(8, (1, 8, 8), 3, s) for s in range(2)])


def test_lstm_is_bit_identical():
    rng = np.random.default_rng(1)
    batches = [(nt.tensor(rng.integers(0, 30, (6, 9))), nt.tensor(rng.integers(0, 2, 6))) for _ in range(2)]

    def make():
        m = nt.Sequential([L.Embedding(30, 8), L.LSTM(12), L.Dense(2)])
        return m, nt.optim.Adam(m.parameters(), lr=1e-2)
    _assert_same_as_eager(make, batches)


def test_transformer_block_is_bit_identical():
    class Block(nt.Model):
        def __init__(self):
            super().__init__()
            self.enc = L.TransformerEncoderLayer(16, 4, dim_feedforward=32, dropout=0.1)
            self.head = L.Dense(3, in_features=16)

        def forward(self, x):
            return self.head(self.enc(x).mean(axis=1))

    def make():
        m = Block()
        return m, nt.optim.AdamW(m.parameters(), lr=1e-2)
    _assert_same_as_eager(make, [_data(4, (5, 16), 3, s) for s in range(2)])


def test_new_batch_size_and_eval_mode_get_their_own_capture():
    nt.manual_seed(0)
    model = nt.Sequential([L.Dense(8, activation="relu", in_features=5), L.Dropout(0.5), L.Dense(2)])

    @nt.jit
    def forward(x):
        return model(x)
    full, part = _data(6, (5,), 2)[0], _data(3, (5,), 2, seed=1)[0]
    with nt.no_grad():
        for _ in range(3):
            forward(full), forward(part)  # a full batch and an epoch's last, smaller batch
        assert forward.calls == {"replay": 2, "capture": 4, "verify": 0, "eager": 0}
        model.eval()  # no dropout: a replay of the training capture would be wrong
        a, b = forward(full), forward(full)
        c = forward(full)
        expected = model(full)
    assert forward.calls["capture"] == 6 and forward.calls["replay"] == 3
    assert _bits(a.data) == _bits(b.data) == _bits(c.data) == _bits(expected.data)


def test_branch_on_data_stays_eager_and_says_why():
    nt.manual_seed(0)
    w = nt.tensor(np.ones((3, 2), np.float32), requires_grad=True)

    @nt.jit
    def step(x):
        scale = nt.tensor(np.float32(x.data.std()))  # computed from the data outside any Function
        loss = ((x @ w) * scale).sum()
        loss.backward()
        return loss
    xs = [_data(4, (3,), 2, seed=s)[0] for s in range(6)]
    losses = [float(step(x).item()) for x in xs]
    assert step.calls["replay"] == 0
    (reason,) = step.refusals.values()
    assert "differs between two runs" in reason
    expected = [float(((x.data @ w.data) * x.data.std()).sum()) for x in xs]
    np.testing.assert_allclose(losses, expected, rtol=1e-6)


def test_a_mask_made_from_the_data_in_numpy_is_never_replayed():
    w = nt.tensor(np.ones((4, 1), np.float32))

    @nt.jit
    def masked_sum(ids):
        keep = nt.tensor((ids.data != 0).astype(np.float32))  # a padding mask made in NumPy, outside neuronet
        return ((ids.float() @ w) * keep).sum()
    unpadded = [nt.tensor(np.full((2, 4), k + 1)) for k in range(2)]
    padded = nt.tensor(np.array([[5, 5, 0, 0], [7, 0, 0, 0]]))
    for ids in unpadded:
        masked_sum(ids)  # the two runs agree (all ones), but the mask has the batch's axis: not a constant
    (reason,) = masked_sum.refusals.values()
    assert "axis as long as the batch" in reason
    assert float(masked_sum(padded).item()) == 10 * 2 + 7 * 1


def test_a_zero_mask_from_the_data_is_caught_by_the_later_check():
    w = nt.tensor(np.ones((4, 1), np.float32))

    @nt.jit
    def masked_sum(ids):
        additive = nt.tensor(np.where(ids.data == 0, -100.0, 0.0).astype(np.float32))  # zeros when unpadded
        return ((ids.float() @ w) + additive).sum()
    unpadded = [nt.tensor(np.full((2, 4), k + 1)) for k in range(2)]
    padded = nt.tensor(np.array([[5, 5, 0, 0], [7, 0, 0, 0]]))
    for ids in unpadded:
        masked_sum(ids)  # a float zero array looks like a recurrent layer's zero state: captured
    assert masked_sum.refusals == {}
    masked_sum(unpadded[0])  # a replay
    out = masked_sum(padded)  # the second use: run eagerly and checked
    assert masked_sum.calls["verify"] == 1
    (reason,) = masked_sum.refusals.values()
    assert "on a later run" in reason
    assert float(out.item()) == float(masked_sum(padded).item()) == 4 * 10 + 4 * 7 - 100 * 5


def test_replaced_parameter_is_captured_again():
    nt.manual_seed(0)
    layer = L.Dense(2, in_features=3)
    x = _data(4, (3,), 2)[0]

    @nt.jit
    def forward(x):
        return layer(x)
    with nt.no_grad():
        for _ in range(3):
            forward(x)
        layer.weight = nt.nn.Parameter(np.zeros((2, 3), np.float32))
        out = forward(x)
    assert forward.calls["replay"] == 1 and forward.calls["capture"] == 3
    np.testing.assert_array_equal(out.data, np.broadcast_to(layer.bias.data, (4, 2)))


def test_gradients_through_the_captured_path_match_central_differences():
    rng = np.random.default_rng(0)
    x = nt.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    w = nt.tensor(rng.standard_normal((5, 3)), requires_grad=True)
    b = nt.tensor(rng.standard_normal(5), requires_grad=True)

    @nt.jit
    def step(x):  # (gradients are set to None outside: Python assignments in the step are not replayed)
        loss = (F.tanh(F.linear(x, w, b)) ** 2).sum() + F.softplus(x).mean()
        loss.backward()
        return loss
    def fresh():
        x.grad = w.grad = b.grad = None
    for _ in range(3):
        fresh()
        step(x)
    assert step.calls["replay"] == 1
    analytic = [t.grad.copy() for t in (x, w, b)]
    eps = 1e-6
    for t, g in zip((x, w, b), analytic):
        flat, numeric = t.data.reshape(-1), np.empty(t.data.size)
        for k in range(flat.size):
            orig = flat[k]
            flat[k] = orig + eps
            fresh()
            up = float(step(x).item())
            flat[k] = orig - eps
            fresh()
            down = float(step(x).item())
            flat[k] = orig
            numeric[k] = (up - down) / (2 * eps)
        np.testing.assert_allclose(g.reshape(-1), numeric, rtol=1e-6, atol=1e-8)
    assert step.calls["capture"] == 2 and step.calls["replay"] > 50  # the differences come from replays


def test_fit_with_jit_gives_the_same_history_weights_and_predictions():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((90, 10)).astype(np.float32)  # 90 = 2 batches of 32 + a last batch of 26
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    results = []
    for jit in (False, True):
        nt.manual_seed(3)
        model = nt.Sequential([L.Dense(16, activation="relu"), L.BatchNorm1D(), L.Dropout(0.2), L.Dense(2)])
        model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"], jit=jit, clipvalue=0.5,
                      learning_rate=0.02)
        history = model.fit(x, y, batch_size=32, epochs=5, verbose=0, validation_split=0.2)
        results.append((history.history, _bits(model.predict(x)),
                        [_bits(np.asarray(v)) for v in model.state_dict().values()], model))
    assert results[0][:3] == results[1][:3]
    assert results[1][0]["accuracy"][-1] > 0.6  # it learns (y is a linear function of x)
    steps = results[1][3]._jit_steps["train"]
    assert steps.calls["replay"] >= 4 and steps.refusals == {}


def test_bad_arguments():
    with pytest.raises(TypeError, match="callable"):
        nt.jit(3)
    with pytest.raises(ValueError, match="cache_size"):
        nt.jit(lambda x: x, cache_size=0)
    model = nt.Sequential([L.Dense(2)])
    with pytest.raises(TypeError, match="jit must be True or False"):
        model.compile(loss="mse", jit="yes")


def test_freezing_a_layer_after_capture_is_respected():
    results = []
    for use_jit in (False, True):
        nt.manual_seed(0)
        model = nt.Sequential([L.Dense(6, activation="relu", in_features=4), L.Dense(2)])
        opt = nt.optim.SGD(model.parameters(), lr=0.1)

        def step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss
        fn = nt.jit(step) if use_jit else step
        x, y = _data(8, (4,), 2)
        for i in range(6):
            if i == 4:
                model[0].trainable = False  # fine-tuning: the first layer stops changing
                frozen = _bits(model[0].weight.data)
            fn(x, y)
        assert _bits(model[0].weight.data) == frozen
        results.append([_bits(p.data) for p in model.parameters()])
    assert results[0] == results[1]


def test_captured_sgd_steps_match_torch(torch):
    rng = np.random.default_rng(0)
    w1, b1 = rng.standard_normal((8, 5)).astype(np.float32) * 0.3, rng.standard_normal(8).astype(np.float32) * 0.1
    w2, b2 = rng.standard_normal((3, 8)).astype(np.float32) * 0.3, rng.standard_normal(3).astype(np.float32) * 0.1
    xs = [rng.standard_normal((6, 5)).astype(np.float32) for _ in range(5)]
    ys = [rng.integers(0, 3, 6) for _ in range(5)]
    model = nt.Sequential([L.Dense(8, activation="tanh", in_features=5), L.Dense(3, in_features=8)])
    model.load_state_dict({"0.weight": w1, "0.bias": b1, "1.weight": w2, "1.bias": b2})
    opt = nt.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

    @nt.jit
    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss
    tm = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    with torch.no_grad():
        for p, v in zip(tm.parameters(), (w1, b1, w2, b2)):
            p.copy_(torch.from_numpy(v))
    topt = torch.optim.SGD(tm.parameters(), lr=0.1, momentum=0.9)
    for x, y in zip(xs, ys):
        loss = step(nt.tensor(x), nt.tensor(y))
        topt.zero_grad()
        tloss = torch.nn.functional.cross_entropy(tm(torch.from_numpy(x)), torch.from_numpy(y))
        tloss.backward()
        topt.step()
        np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-5)
    assert step.calls["replay"] >= 2
    for p, tp in zip(model.parameters(), tm.parameters()):
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=1e-4, atol=1e-6)


def test_timing_example_runs():
    from tests.helpers import load_example, need
    need("threadpoolctl")
    med, med_cpu, shares = load_example("jit_step_timing").main(
        ["--batch", "8", "--repeats", "1", "--steps", "2", "--profile-steps", "3"])
    assert med["eager"] > 0 and med["jit"] > 0 and 0 <= shares["jit"] <= 1


def test_a_saved_jit_model_loads_compiled_with_jit(tmp_path):
    nt.manual_seed(0)
    model = nt.Sequential([L.Dense(4, activation="relu", in_features=3), L.Dense(2)])
    model.compile(optimizer="sgd", loss="cross_entropy", jit=True)
    x, y = np.ones((4, 3), np.float32), np.array([0, 1, 0, 1])
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.safetensors")
    loaded = nt.load_model(tmp_path / "m.safetensors")
    assert loaded._jit_steps is not None
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


def test_a_step_on_numpy_arrays_that_wraps_them_in_tensors():
    rng = np.random.default_rng(0)
    batches = [(rng.standard_normal((5, 3)).astype(np.float32), rng.integers(0, 2, 5)) for _ in range(4)]
    results = []
    for use_jit in (False, True):
        nt.manual_seed(0)
        model = nt.Sequential([L.Dense(2, in_features=3)])
        opt = nt.optim.SGD(model.parameters(), lr=0.5)

        def step(xb, yb):  # the arrays of a DataLoader, made tensors inside the step
            opt.zero_grad()
            loss = F.cross_entropy(model(nt.tensor(xb)), nt.tensor(yb))
            loss.backward()
            opt.step()
            return loss
        fn = nt.jit(step) if use_jit else step
        results.append([_bits(fn(*batches[i % 4]).data) for i in range(8)] + [_bits(p.data) for p in model.parameters()])
    assert results[0] == results[1]
    assert fn.calls["replay"] >= 3 and fn.refusals == {}
