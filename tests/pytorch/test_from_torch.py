"""torch.nn models into neuronet and weights both ways: the same outputs for the same inputs."""
import numpy as np
import pytest

import neuronet as nt
import neuronet.models as M

rng = np.random.default_rng(0)


def data(*shape):
    return rng.normal(size=(4, *shape)).astype(np.float32)


def cases(torch):
    tnn = torch.nn
    return {
        "mlp": (lambda: tnn.Sequential(tnn.Flatten(), tnn.Linear(12, 8), tnn.GELU(approximate="tanh"),
                                       tnn.Dropout(0.2), tnn.Linear(8, 5), tnn.LeakyReLU(0.1), tnn.Linear(5, 3),
                                       tnn.LogSoftmax(dim=1)), lambda: data(3, 4)),
        "cnn": (lambda: tnn.Sequential(tnn.Conv2d(2, 4, 3, padding=1, padding_mode="reflect"), tnn.BatchNorm2d(4),
                                       tnn.ReLU(), tnn.MaxPool2d(2), tnn.Conv2d(4, 6, 3, stride=2, groups=2),
                                       tnn.SiLU(), tnn.AvgPool2d(2, ceil_mode=True), tnn.AdaptiveAvgPool2d(1),
                                       tnn.Flatten(), tnn.Linear(6, 2)), lambda: data(2, 12, 12)),
        "decoder": (lambda: tnn.Sequential(tnn.ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1),
                                           tnn.PReLU(4), tnn.Identity()), lambda: data(3, 5, 5)),
        "conv1d": (lambda: tnn.Sequential(tnn.Conv1d(3, 4, 3, padding="same"), tnn.Tanh(), tnn.MaxPool1d(2),
                                          tnn.Flatten(), tnn.LayerNorm(20), tnn.Linear(20, 2), tnn.Sigmoid()),
                   lambda: data(3, 10)),
        "transformer": (lambda: tnn.TransformerEncoder(tnn.TransformerEncoderLayer(8, 2, 16, dropout=0.1,
                                                                                   batch_first=True, norm_first=True),
                                                       2, norm=tnn.LayerNorm(8), enable_nested_tensor=False),
                        lambda: data(5, 8)),
    }


@pytest.mark.parametrize("name", ["mlp", "cnn", "decoder", "conv1d", "transformer"])
def test_converted_model_gives_torchs_outputs(torch, name):
    torch.manual_seed(0)
    make, x = cases(torch)[name]
    module = make()
    x = x()
    module.train()
    module(torch.from_numpy(x))           # batch norm statistics move
    module.eval()
    model = nt.pytorch.from_torch(module)
    assert model.training is False
    with torch.no_grad():
        want = module(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(model(nt.tensor(x)).data, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_recurrent_layers_with_every_option(torch, kind):
    torch.manual_seed(0)
    module = getattr(torch.nn, kind)(3, 5, num_layers=2, batch_first=True, bidirectional=True)
    module.eval()
    x = data(6, 3)
    model = nt.pytorch.from_torch(module)
    with torch.no_grad():
        want = module(torch.from_numpy(x))
    got = model(nt.tensor(x))
    np.testing.assert_allclose(got[0].data, want[0].numpy(), rtol=1e-5, atol=1e-6)


def test_state_dicts_both_ways_for_a_ready_model(torch):
    """nt.models.lenet5 and its torch twin exchange weights: the twin names its modules as lenet5
    numbers its layers (lenet5 fuses each ReLU into the layer before it)."""
    from collections import OrderedDict
    tnn = torch.nn
    torch.manual_seed(0)
    twin = tnn.Sequential(OrderedDict([
        ("0", tnn.Conv2d(1, 6, 5, padding=2)), ("0_relu", tnn.ReLU()), ("1", tnn.MaxPool2d(2)),
        ("2", tnn.Conv2d(6, 16, 5)), ("2_relu", tnn.ReLU()), ("3", tnn.MaxPool2d(2)), ("4", tnn.Flatten()),
        ("5", tnn.Linear(400, 120)), ("5_relu", tnn.ReLU()), ("6", tnn.Linear(120, 84)), ("6_relu", tnn.ReLU()),
        ("7", tnn.Linear(84, 10))]))
    model = M.lenet5()
    model.build((None, 1, 28, 28))
    assert list(model.state_dict()) == list(twin.state_dict())
    nt.pytorch.load_torch_state_dict(model, twin.state_dict())
    x = data(1, 28, 28)
    with torch.no_grad():
        np.testing.assert_allclose(model(nt.tensor(x)).data, twin(torch.from_numpy(x)).numpy(), rtol=1e-5, atol=1e-6)
    for param in model.parameters():
        param.data *= 2
    twin.load_state_dict(nt.pytorch.to_torch_state_dict(model))
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(twin.state_dict()[k].numpy(), v)


def test_a_module_with_its_own_forward_is_refused(torch):
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(3, 2)

        def forward(self, x):
            return self.fc(x) * 2

    with pytest.raises(ValueError, match=r"from_torch: Net is a .*Net, which has no neuronet counterpart"):
        nt.pytorch.from_torch(Net())
    with pytest.raises(ValueError, match="batch_first=False"):
        nt.pytorch.from_torch(torch.nn.TransformerEncoderLayer(8, 2))
