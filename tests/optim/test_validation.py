"""Hyper-parameter validation and get_optimizer names."""
import numpy as np
import pytest

import neuronet as nt
import neuronet.optim as optim


def params():
    return [nt.nn.Parameter(np.zeros(3, np.float32))]


@pytest.mark.parametrize("make,message", [
    (lambda p: optim.SGD(p, lr=-0.1), "SGD: invalid lr -0.1"),
    (lambda p: optim.SGD(p, momentum=1.0), "SGD: invalid momentum 1.0"),
    (lambda p: optim.SGD(p, nesterov=True), "SGD: nesterov=True needs momentum > 0"),
    (lambda p: optim.Adagrad(p, eps=-1e-10), "Adagrad: invalid eps"),
    (lambda p: optim.RMSprop(p, alpha=1.0), "RMSprop: invalid alpha 1.0"),
    (lambda p: optim.Adam(p, betas=(1.0, 0.999)), "Adam: invalid beta1 1.0"),
    (lambda p: optim.Adam(p, betas=(0.9, -0.1)), "Adam: invalid beta2 -0.1"),
    (lambda p: optim.Adam(p, betas=(0.9,)), "Adam: betas must be a pair"),
    (lambda p: optim.AdamW(p, eps=-1.0), "AdamW: invalid eps -1.0"),
    (lambda p: optim.AdamW(p, weight_decay=float("nan")), "AdamW: invalid weight_decay nan"),
    (lambda p: optim.Yogi(p, lr=-1), "Yogi: invalid lr -1"),
    (lambda p: optim.AdaBelief(p, betas=(0.9, 1.5)), "AdaBelief: invalid beta2 1.5"),
    (lambda p: optim.LAMB(p, eps=-1), "LAMB: invalid eps -1"),
    (lambda p: optim.NovoGrad(p, betas=(-0.5, 0.9)), "NovoGrad: invalid beta1 -0.5"),
    (lambda p: optim.COCOB(p, alpha=0), "COCOB: invalid alpha 0"),
    (lambda p: optim.COCOB([{"params": p, "lr": 0.1}]), "COCOB: there is no learning rate"),
    (lambda p: optim.Adam(p, lr="fast"), "Adam: invalid lr 'fast'"),
])
def test_bad_hyper_parameters_raise_value_error_naming_them(make, message):
    with pytest.raises(ValueError, match=message):
        make(params())


def test_non_tensor_and_integer_parameters_are_type_errors():
    with pytest.raises(TypeError, match="Adam: parameters must be Tensors, got ndarray"):
        optim.Adam([np.zeros(3)])
    with pytest.raises(TypeError, match="Adam: can only optimize floating-point tensors"):
        optim.Adam([nt.tensor(np.zeros(3, np.int64))])


@pytest.mark.parametrize("name,cls,expected", [
    ("sgd", optim.SGD, {"lr": 0.01, "momentum": 0.0}),
    ("momentum", optim.SGD, {"momentum": 0.9, "nesterov": False}),
    ("nesterov", optim.SGD, {"momentum": 0.9, "nesterov": True}),
    ("adagrad", optim.Adagrad, {"lr": 0.01}),
    ("rmsprop", optim.RMSprop, {"alpha": 0.9}),
    ("Adam", optim.Adam, {"lr": 1e-3, "betas": (0.9, 0.999)}),
    ("adamw", optim.AdamW, {"weight_decay": 1e-2}),
    ("yogi", optim.Yogi, {}), ("adabelief", optim.AdaBelief, {}), ("lamb", optim.LAMB, {}),
    ("novograd", optim.NovoGrad, {}), ("cocob", optim.COCOB, {"alpha": 100.0}),
])
def test_get_optimizer_names(name, cls, expected):
    opt = optim.get_optimizer(name, params())
    assert type(opt) is cls
    for k, v in expected.items():
        assert opt.param_groups[0][k] == v
    assert optim.RMSprop(params()).param_groups[0]["alpha"] == 0.99  # the class keeps torch's default


def test_get_optimizer_lookahead_objects_classes_and_errors():
    look = optim.get_optimizer("lookahead", params(), lr=0.02, k=3)
    assert isinstance(look, optim.Lookahead) and isinstance(look.optimizer, optim.Adam)
    assert look.k == 3 and look.param_groups[0]["lr"] == 0.02
    opt = optim.SGD(params(), lr=0.1)
    assert optim.get_optimizer(opt, None) is opt
    assert optim.get_optimizer("sgd", params(), lr=0.5).param_groups[0]["lr"] == 0.5
    assert isinstance(optim.get_optimizer(optim.Yogi, params(), lr=0.1), optim.Yogi)
    with pytest.raises(ValueError, match="unknown optimizer 'adamax'; known names: sgd, momentum, nesterov"):
        optim.get_optimizer("adamax", params())
    with pytest.raises(ValueError, match="'cocob' is learning-rate free"):
        optim.get_optimizer("cocob", params(), lr=0.1)
    with pytest.raises(TypeError, match="get_optimizer\\('adam'\\)"):
        optim.get_optimizer("adam", params(), momentum=0.9)
    with pytest.raises(ValueError, match="keyword arguments"):
        optim.get_optimizer(opt, None, lr=0.1)
