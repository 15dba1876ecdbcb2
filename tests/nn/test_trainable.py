"""Keras's ``layer.trainable = False``: frozen weights do not change, and are counted as such."""
import numpy as np
import pytest

import neuronet as nt
import neuronet.functional as F


def blobs(n=64):
    rng = np.random.default_rng(0)
    y = np.arange(n) % 2
    return (rng.normal(size=(n, 4)) + 2 * y[:, None]).astype(np.float32), y


def snapshot(module):
    return {n: p.data.copy() for n, p in module.named_parameters()}


def changed(before, module):
    return {n for n, p in module.named_parameters() if not np.array_equal(before[n], p.data)}


def test_a_frozen_layer_keeps_its_weights_through_fit():
    x, y = blobs()
    model = nt.Sequential([nt.nn.Dense(8, activation="relu"), nt.nn.Dense(2)])
    model.build((None, 4))
    model[0].trainable = False
    before = snapshot(model)
    model.compile(optimizer="adam", loss="cross_entropy")
    model.fit(x, y, epochs=2, verbose=0)
    assert changed(before, model) == {"1.weight", "1.bias"}
    assert not model[0].trainable and model[1].trainable


def test_frozen_before_the_build_stays_frozen_and_unfreezing_trains_again():
    x, y = blobs()
    model = nt.Sequential([nt.nn.Dense(8, activation="relu"), nt.nn.Dense(2)])
    model[0].trainable = False                       # lazy: no weights yet
    opt = nt.optim.SGD(model.parameters(), lr=0.5)   # made before the build too
    model(x)
    before = snapshot(model)
    for _ in range(2):
        opt.zero_grad()
        F.cross_entropy(model(x), nt.tensor(y)).backward()
        opt.step()
    assert changed(before, model) == {"1.weight", "1.bias"}
    model[0].trainable = True
    opt.zero_grad()
    F.cross_entropy(model(x), nt.tensor(y)).backward()
    opt.step()
    assert {"0.weight", "0.bias"} <= changed(before, model)


def test_summary_counts_frozen_weights_as_non_trainable():
    model = nt.Sequential([nt.nn.Dense(8), nt.nn.Dense(2)])
    model.build((None, 4))
    model[0].trainable = False
    text = model.summary(print_fn=None)
    assert "Trainable params: 18" in text and "Non-trainable params: 40" in text
    assert model.count_params(trainable_only=True) == 18


def test_a_frozen_batch_norm_normalises_with_its_running_statistics():
    bn = nt.nn.BatchNorm1D()
    x = nt.tensor(np.random.default_rng(0).normal(3.0, 2.0, (16, 5)).astype(np.float32))
    bn(x)                                            # one training step moves the statistics
    bn.trainable = False
    mean, var = bn.running_mean.copy(), bn.running_var.copy()
    training_out = bn(x).data
    np.testing.assert_array_equal(bn.running_mean, mean)
    np.testing.assert_array_equal(bn.running_var, var)
    bn.eval()
    np.testing.assert_allclose(training_out, bn(x).data, rtol=1e-6)


def test_trainable_sets_every_sub_module_and_takes_only_booleans():
    model = nt.Sequential([nt.nn.Dense(3), nt.nn.Sequential([nt.nn.Dense(2)])])
    model.build((None, 4))
    model.trainable = False
    assert all(not m.trainable for m in model.modules())
    assert all(not p.requires_grad for p in model.parameters())
    with pytest.raises(TypeError, match="Dense.trainable must be True or False, got 0"):
        model[0].trainable = 0
