"""nn.Sequential: construction styles, indexing, torch-style names, build, parity with torch.nn.Sequential."""
import numpy as np
import pytest

import neuronet as nt
from tests.helpers import assert_close


def _layers():
    return [nt.nn.Dense(5, activation="relu"), nt.nn.Dropout(0.5), nt.nn.Dense(2)]


def test_list_args_and_add_are_equivalent():
    a = nt.nn.Sequential(_layers())
    b = nt.nn.Sequential(*_layers())
    c = nt.nn.Sequential()
    for layer in _layers():
        assert c.add(layer) is c
    d = nt.nn.Sequential(layers=_layers())
    for model in (a, b, c, d):
        assert len(model) == 3
        assert [type(m).__name__ for m in model] == ["Dense", "Dropout", "Dense"]
        assert [n for n, _ in model.named_children()] == ["0", "1", "2"]


def test_indexing_and_slicing():
    model = nt.nn.Sequential(_layers())
    assert model[0] is list(model)[0]
    assert model[-1] is list(model)[2]
    head = model[:2]
    assert isinstance(head, nt.nn.Sequential) and len(head) == 2 and head[0] is model[0]
    with pytest.raises(IndexError, match="Sequential: index 3 is out of range for 3 layers"):
        model[3]
    with pytest.raises(TypeError, match="Sequential indices must be integers or slices, got str"):
        model["0"]
    with pytest.raises(TypeError, match="Sequential.add: expected a Module .layer., got function"):
        model.add(lambda x: x)


def test_build_creates_lazy_parameters_without_side_effects():
    model = nt.nn.Sequential(nt.nn.Dense(4), nt.nn.BatchNorm1D(), nt.nn.Dense(1))
    model.build((None, 3))
    assert list(model.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
                                        "1.running_var", "1.num_batches_tracked", "2.weight", "2.bias"]
    assert model.training  # mode restored
    assert int(model[1].num_batches_tracked) == 0  # the dummy pass ran in eval mode
    assert all(p.grad is None for p in model.parameters())
    with pytest.raises(ValueError, match=r"Sequential.build: expected an input shape \(batch, \.\.\.\)"):
        nt.nn.Sequential(nt.nn.Dense(2)).build((None, None))


def test_build_with_integer_inputs_for_embeddings():
    model = nt.nn.Sequential(nt.nn.Embedding(10, 4), nt.nn.Flatten(), nt.nn.Dense(2))
    model.build((None, 6), dtype="int64")
    assert model[2].weight.shape == (2, 24)


def test_state_dict_keys_load_from_torch_sequential(rng, torch):
    tmodel = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2))
    model = nt.nn.Sequential(nt.nn.Dense(5, in_features=3), nt.nn.Tanh(), nt.nn.Dense(2, in_features=5))
    assert list(model.state_dict()) == list(tmodel.state_dict())
    model.load_state_dict({k: v.numpy() for k, v in tmodel.state_dict().items()})
    x = rng.standard_normal((4, 3)).astype(np.float32)
    xt, tx = nt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = model(xt), tmodel(tx)
    assert_close(y.numpy(), ty.detach().numpy())
    y.sum().backward()
    ty.sum().backward()
    assert_close(xt.grad, tx.grad.numpy())
    for (name, p), (tname, tp) in zip(model.named_parameters(), tmodel.named_parameters()):
        assert name == tname
        assert_close(p.grad, tp.grad.numpy(), what=name)


def test_nn_sequential_config_rebuilds_the_same_class_not_the_training_one():
    import neuronet as nt
    plain = nt.nn.Sequential([nt.nn.Dense(3), nt.nn.ReLU()])
    rebuilt = nt.nn.Module.from_config(plain.get_config())
    assert type(rebuilt) is nt.nn.Sequential
    trainable = nt.Sequential([nt.nn.Dense(3)])
    assert type(nt.nn.Module.from_config(trainable.get_config())) is nt.Sequential
    assert trainable.get_config()["class"] == "Sequential"   # files saved before keep loading


class _MyReLU(nt.nn.ReLU):
    """A ReLU subclass: may do more than max(·, 0), so it is never fused."""


def _fusion_models():
    def pairs(fuse):
        relu = nt.nn.ReLU if fuse else _MyReLU
        return [nt.nn.Conv2D(4, 3, padding=1), nt.nn.BatchNorm2D(), relu(), nt.nn.Conv2D(5, 3), relu(),
                nt.nn.MaxPool2D(2), nt.nn.Flatten(), nt.nn.Dense(6), relu(), nt.nn.Dense(3, activation="tanh"),
                relu(), nt.nn.Dense(2)]
    return nt.nn.Sequential(pairs(True)), nt.nn.Sequential(pairs(False))


@pytest.mark.parametrize("training", [True, False])
def test_relu_after_conv_dense_and_batch_norm_is_fused_with_the_same_results(rng, monkeypatch, training):
    fused, plain = _fusion_models()
    x = rng.standard_normal((6, 2, 9, 9)).astype(np.float32)
    fused.build(x.shape), plain.build(x.shape)
    plain.load_state_dict(fused.state_dict())
    fused.train(training), plain.train(training)
    calls = []
    real = nt.nn.ReLU.forward
    monkeypatch.setattr(nt.nn.ReLU, "forward", lambda self, x: calls.append(type(self)) or real(self, x))
    results, ran = [], []
    for model in (fused, plain):
        calls.clear()
        xt = nt.tensor(x, requires_grad=True)
        out = model(xt)
        (out * out).sum().backward()
        results.append([out.numpy(), xt.grad] + [p.grad for p in model.parameters()])
        ran.append(list(calls))
    # fused: only the ReLU after the tanh Dense ran; plain: all four (subclasses are never fused)
    assert ran == [[nt.nn.ReLU], [_MyReLU] * 4]
    assert len(results[0]) == len(results[1]) == 2 + 12  # output, input gradient, 6 layers × (weight, bias)
    for a, b in zip(*results):
        assert_close(a, b, rtol=1e-6)


def test_only_relu_layers_that_follow_a_fusable_layer_run(monkeypatch):
    model, _ = _fusion_models()
    calls = []
    real = nt.nn.ReLU.forward
    monkeypatch.setattr(nt.nn.ReLU, "forward", lambda self, x: calls.append(1) or real(self, x))
    model(nt.tensor(np.ones((2, 2, 9, 9), np.float32)))
    assert len(calls) == 1  # the ReLU after Dense(activation="tanh")
    assert [model[i].fuses_relu for i in (0, 1, 3, 7, 9)] == [True, True, True, True, False]
    assert not nt.nn.Conv2DTranspose(2, 3).fuses_relu
    with pytest.raises(ValueError, match="then_relu needs"):
        model[9](nt.tensor(np.ones((2, 6), np.float32)), then_relu=True)


def test_conv_relu_and_tiling_max_pool_are_fused(rng, kernels_on):
    from neuronet.functional.conv_pool import Conv2dMaxPool
    x = nt.tensor(rng.standard_normal((3, 2, 10, 10)).astype(np.float32))
    cases = [([nt.nn.Conv2D(3, 3), nt.nn.ReLU(), nt.nn.MaxPool2D(2)], True),
             ([nt.nn.Conv2D(3, 3, activation="relu"), nt.nn.MaxPool2D(2)], True),
             ([nt.nn.Conv2D(3, 3), nt.nn.MaxPool2D((2, 4))], True),
             ([nt.nn.Conv2D(3, 3), nt.nn.ReLU(), nt.nn.MaxPool2D(2, strides=1)], False),  # overlapping windows
             ([nt.nn.Conv2D(3, 3), nt.nn.MaxPool2D(2, ceil_mode=True)], False),
             ([nt.nn.Conv2D(3, 3), nt.nn.AvgPool2D(2)], False),
             ([nt.nn.Conv2D(3, 3), _MyReLU(), nt.nn.MaxPool2D(2)], False)]
    for layers, fused in cases:
        model = nt.nn.Sequential(layers)
        y = model(x)
        assert isinstance(y._creator, Conv2dMaxPool) is fused, layers
        unfused = x
        for layer in layers:
            unfused = layer(unfused)
        assert_close(y.numpy(), unfused.numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="then_pool needs"):
        nt.nn.Conv2D(3, 3)(x, then_pool=nt.nn.MaxPool2D(2, strides=1))
