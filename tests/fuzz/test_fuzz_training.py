"""Fuzzing ``Model.fit`` / ``evaluate`` / ``predict`` / ``train_on_batch``: random data (shapes, zero
samples, dtypes, NaN/inf, ±1e30, subnormals, lists, complex/object/string arrays), targets and
arguments (batch sizes, epochs, validation splits, sample and class weights).  Each call trains /
returns finite results, or raises a ValueError/TypeError naming the call (or the loss, metric or layer
that refused the data) — and a failed call leaves a built model's weights and optimizer state as they
were.  The two defects pinned here by strict xfails (fit's first step ran before the metrics and the loss had
seen the targets) are fixed."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, strategies as st

import neuronet as nt

from ._common import assert_named, attempt, failed, public_functions

_NAMES = ("fit", "evaluate", "predict", "train_on_batch", "Sequential", "compile", "build") + tuple(public_functions()) \
    + tuple(n for n in dir(nt.nn) if isinstance(getattr(nt.nn, n), type)) \
    + ("accuracy", "mae", "mse", "f1", "precision", "recall")

ARCHS = {
    "mlp": (lambda: nt.Sequential([nt.nn.Dense(4, activation="relu"), nt.nn.Dense(3)]), (5,)),
    "cnn": (lambda: nt.Sequential([nt.nn.Conv2D(2, 2), nt.nn.Flatten(), nt.nn.Dense(3)]), (1, 4, 4)),
    "rnn": (lambda: nt.Sequential([nt.nn.LSTM(3), nt.nn.Dense(3)]), (4, 2)),
}
#: losses with the targets and the metric that fit them (a metric that cannot take the targets fails in
#: fit before the first step: see test_metric_mismatch_fails_before_the_first_step)
LOSSES = {
    "cross_entropy": ("labels", ["accuracy"]), "sparse_categorical_crossentropy": ("labels", ["accuracy"]),
    "mse": ("values", ["mae"]), "huber": ("values", []), "bce_with_logits": ("probabilities", []),
    "kl_div": ("probabilities", []),
}
OPTIMIZERS = ["sgd", "adam", "rmsprop", "adagrad", "lamb", "cocob", "yogi", "novograd", "adabelief", "adamw"]


def _targets(kind, n, rng):
    if kind == "labels":
        return rng.integers(0, 3, n)
    if kind == "probabilities":
        return rng.random((n, 3)).astype(np.float32)
    return rng.standard_normal((n, 3)).astype(np.float32)


@st.composite
def data_arrays(draw, feat, n):
    """x of ``n`` samples: usually the model's features, sometimes not; any dtype or edge value."""
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    shape = (n,) + draw(st.sampled_from([feat, feat, feat, (7,), (), feat + (1,), tuple(0 for _ in feat)]))
    kind = draw(st.sampled_from(["f32", "f32", "f32", "f64", "int", "uint8", "bool", "nan", "inf", "big", "subnormal",
                                 "list", "complex", "object", "string"]))
    a = rng.standard_normal(shape).astype(np.float32)
    if kind == "f64":
        return a.astype(np.float64)
    if kind == "int":
        return rng.integers(-3, 4, shape)
    if kind == "uint8":
        return rng.integers(0, 255, shape).astype(np.uint8)
    if kind == "bool":
        return a > 0
    if kind in ("nan", "inf") and a.size:
        a.flat[draw(st.integers(0, a.size - 1))] = np.nan if kind == "nan" else np.inf
    if kind == "big":
        return np.full(shape, 1e30, np.float32)
    if kind == "subnormal":
        return np.full(shape, 1e-40, np.float32)
    if kind == "list":
        return a.tolist()
    if kind == "complex":
        return a + 1j
    if kind == "object":
        return a.astype(object)
    if kind == "string":
        return a.astype(str)
    return a


@st.composite
def target_arrays(draw, kind, n):
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    choice = draw(st.sampled_from(["right", "right", "right", "labels", "onehot", "values", "nan", "negative", "too_big",
                                   "wrong_n", "bool", "complex", "none"]))
    if choice == "right":
        return _targets(kind, n, rng)
    return {"labels": lambda: rng.integers(0, 3, n), "onehot": lambda: np.eye(3, dtype=np.float32)[rng.integers(0, 3, n)],
            "values": lambda: rng.standard_normal((n, 3)).astype(np.float32),
            "nan": lambda: np.full((n, 3), np.nan, np.float32), "negative": lambda: -np.ones(n, np.int64),
            "too_big": lambda: np.full(n, 99), "wrong_n": lambda: rng.integers(0, 3, n + 1),
            "bool": lambda: rng.random((n, 3)) < 0.5, "complex": lambda: np.zeros(n, np.complex64), "none": lambda: None}[choice]()


def _compiled(arch, loss, optimizer):
    nt.manual_seed(0)
    make, feat = ARCHS[arch]
    model = make()
    target_kind, metrics = LOSSES[loss]
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics)
    return model, feat, target_kind


def _state(model):
    weights = {k: np.array(v, copy=True) for k, v in model.state_dict().items()}
    opt = getattr(model, "optimizer", None)
    flat = {} if opt is None else {k: np.array(v, copy=True) for k, v in opt.flat_state()[0].items()}
    return weights, flat


def _same_state(a, b):
    return all(set(x) == set(y) and all(np.array_equal(x[k], y[k], equal_nan=True) for k in x) for x, y in zip(a, b))


@given(data=st.data(), arch=st.sampled_from(sorted(ARCHS)), loss=st.sampled_from(sorted(LOSSES)),
       optimizer=st.sampled_from(OPTIMIZERS), op=st.sampled_from(["fit", "fit", "evaluate", "predict", "train_on_batch"]))
def test_training_calls_on_a_built_model(data, arch, loss, optimizer, op):
    """After one good epoch, any call: it works (predictions finite, one row per sample, for finite data
    of moderate size) or raises a named error without touching weights or optimizer state."""
    model, feat, target_kind = _compiled(arch, loss, optimizer)
    rng = np.random.default_rng(0)
    model.fit(rng.standard_normal((4,) + feat).astype(np.float32), _targets(target_kind, 4, rng), epochs=1, verbose=0)
    n = data.draw(st.sampled_from([0, 1, 2, 5]))
    x = data.draw(data_arrays(feat, n))
    y = data.draw(target_arrays(target_kind, n))
    kwargs = {}
    if data.draw(st.integers(0, 3)) == 0:
        kwargs["batch_size"] = data.draw(st.sampled_from([1, 2, None, 0, -1, 2.5, True]))
    if op == "fit":
        if data.draw(st.integers(0, 3)) == 0:
            kwargs["epochs"] = data.draw(st.sampled_from([0, 2, -1, 1.5]))
        if data.draw(st.integers(0, 3)) == 0:
            kwargs["validation_split"] = data.draw(st.sampled_from([0.5, 1.0, -0.1, 0.99, float("nan")]))
        if data.draw(st.integers(0, 3)) == 0:
            kwargs["sample_weight"] = data.draw(st.sampled_from([np.ones(n), -np.ones(n), np.full(n, np.nan), np.ones(n + 1)]))
        if target_kind == "labels" and data.draw(st.integers(0, 3)) == 0:
            kwargs["class_weight"] = data.draw(st.sampled_from([{0: 1, 1: 2, 2: 1}, {0: -1, 1: 1, 2: 1}, {0: 1},
                                                                {0: float("nan"), 1: 1, 2: 1}, [1, 2]]))
    before = _state(model)
    if op == "fit":
        result = attempt(model.fit, x, y, verbose=0, names=_NAMES, **kwargs)
    elif op == "evaluate":
        result = attempt(model.evaluate, x, y, names=_NAMES, **kwargs)
    elif op == "predict":
        result = attempt(model.predict, x, names=_NAMES, **kwargs)
    else:
        result = attempt(model.train_on_batch, x, y, names=_NAMES)
    if failed(result):
        assert _same_state(before, _state(model)), f"a failed {op} changed the model: {result}"
        return
    if op == "predict":
        arr = np.asarray(x, dtype=np.float64)
        assert result.shape[0] == arr.shape[0]
        if np.abs(arr).max(initial=0) < 1e4:
            assert np.isfinite(result).all()
    if op == "evaluate":
        assert all(np.isfinite(v) for v in result.values()) or not np.isfinite(np.asarray(x, np.float64)).all()


@given(data=st.data(), arch=st.sampled_from(sorted(ARCHS)), op=st.sampled_from(["fit", "evaluate", "predict"]))
def test_bad_data_leaves_an_unbuilt_model_unbuilt(data, arch, op):
    """Data refused before anything is built — wrong dtype, NaN, empty, a shape the layers cannot take —
    leaves every lazy layer unbuilt (so the next, right call builds it for the right shape)."""
    model, feat, target_kind = _compiled(arch, "mse", "sgd")
    n = data.draw(st.sampled_from([0, 1, 3]))
    x = data.draw(data_arrays(feat, n))
    y = np.zeros((n, 3), np.float32)
    call = {"fit": lambda: model.fit(x, y, verbose=0), "evaluate": lambda: model.evaluate(x, y),
            "predict": lambda: model.predict(x)}[op]
    result = attempt(call, names=_NAMES)
    if failed(result) and str(result).startswith(f"Sequential.{op}"):  # refused by the model's own checks
        # (a loss or metric refusing the targets after the probe built the layers is the known model.py defect
        # pinned by test_argument_errors_after_the_probe_leave_layers_built)
        assert not any(m.built for m in model.modules() if m is not model and hasattr(m, "build")
                       and type(m).build is not nt.nn.Module.build), f"{op} failed ({result}) but left layers built"
        good = np.random.default_rng(0).standard_normal((3,) + feat).astype(np.float32)
        model.fit(good, np.zeros((3, 3), np.float32), verbose=0)


# --- defects in neuronet/train/model.py (reported; that file is someone else's) -------------------------------
def test_metric_mismatch_fails_before_the_first_step():
    """Was: fit ran the optimizer step before the metrics saw the batch, so a metric that cannot take
    y (mae on class labels) failed after the weights changed; fit now tries loss and metrics first."""
    model, feat, _ = _compiled("mlp", "cross_entropy", "sgd")
    model.compile(optimizer="sgd", loss="cross_entropy", metrics=["mae"])
    model.build((None, 5))
    before = _state(model)
    with pytest.raises(ValueError):
        model.fit(np.ones((4, 5), np.float32), np.arange(4) % 3, verbose=0)
    assert _same_state(before, _state(model))


def test_class_weight_with_a_non_integer_key_is_named():
    model, feat, _ = _compiled("mlp", "cross_entropy", "sgd")
    with pytest.raises(ValueError) as e:
        model.fit(np.ones((4, 5), np.float32), np.arange(4) % 3, class_weight={"a": 1}, verbose=0)
    assert_named(e.value, "fit", "class_weight")


@pytest.mark.parametrize("kwargs", [dict(sample_weight=-np.ones(4)), dict(validation_split=-0.1)])
def test_argument_errors_after_the_probe_leave_layers_built(kwargs):
    model, feat, _ = _compiled("mlp", "cross_entropy", "sgd")
    with pytest.raises(ValueError):
        model.fit(np.ones((4, 5), np.float32), np.arange(4) % 3, verbose=0, **kwargs)
    assert not any(m.built for m in model.modules() if m is not model and type(m).build is not nt.nn.Module.build)


def test_uint8_images_train_a_cnn():
    """Was: Conv2D refused uint8/int input ('conv2d: input, weight and bias must share a dtype') and an LSTM
    model raised NumPy's UFuncTypeError in predict; integer data is now cast to the layers' float dtype."""
    model, feat, _ = _compiled("cnn", "cross_entropy", "adam")
    x = np.random.default_rng(0).integers(0, 255, (6,) + feat).astype(np.uint8)
    model.fit(x, np.arange(6) % 3, epochs=1, verbose=0)
    assert model.predict(x).dtype == np.float32
    rnn, feat, _ = _compiled("rnn", "mse", "sgd")
    assert np.isfinite(rnn.predict(np.random.default_rng(0).integers(-3, 4, (3,) + feat))).all()


def test_a_loss_refusing_the_targets_leaves_layers_unbuilt():
    """Was: the loss first saw the targets in the first training step, after the probe built the lazy
    layers, so a loss that refused them left the layers built for the wrong data."""
    model, feat, _ = _compiled("mlp", "mse", "sgd")
    with pytest.raises(ValueError, match="^mse_loss: "):
        model.fit(np.ones((2, 5, 1), np.float32), np.zeros((2, 3), np.float32), verbose=0)
    assert not any(m.built for m in model.modules() if m is not model and type(m).build is not nt.nn.Module.build)
