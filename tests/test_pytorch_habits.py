"""A PyTorch user's programs, run unchanged but for the import: torch-named layers, the optimizer made before the
first call, a hand-written loop over a DataLoader, hooks, ``out, (h, c) = lstm(x)``, checkpoints with
``nt.save(optimizer.state_dict())`` that resume exactly — each trained to a stated accuracy on the 8×8 digits."""
import numpy as np
import pytest

import neuronet as nt
import neuronet.nn.functional as F
from neuronet import nn
from neuronet.utils.data import DataLoader, TensorDataset, random_split


def _digits(shape):
    x, y = nt.data.load_digits(flatten=False)
    ds = TensorDataset(nt.from_numpy(x.reshape(shape)), nt.from_numpy(y))
    return random_split(ds, [0.8, 0.2], generator=0)


def _cnn():
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 2 * 2, 10))


def _train_epoch(model, optimizer, loader, loss_fn):
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
        optimizer.step()
    return loss.item()


def _accuracy(model, data):
    model.eval()
    correct = 0
    with nt.no_grad():
        for xb, yb in DataLoader(data, batch_size=256):
            correct += (model(xb).argmax(dim=1) == yb).sum().item()
    return correct / len(data)


def test_cnn_with_torch_names_hooks_and_a_resumed_checkpoint(tmp_path):
    nt.manual_seed(0)
    train, test = _digits((-1, 1, 8, 8))
    model = _cnn()
    optimizer = nt.optim.Adam(model.parameters(), lr=0.01)  # before the first call: every parameter exists
    assert len(optimizer.param_groups[0]["params"]) == len(list(model.parameters())) == 8
    loss_fn = nn.CrossEntropyLoss()

    feature_maps, grad_norms = [], []
    fh = model[0].register_forward_hook(lambda m, inputs, out: feature_maps.append(out.size()))
    bh = model[8].register_full_backward_hook(
        lambda m, grad_input, grad_output: grad_norms.append(float(np.linalg.norm(grad_output[0]))))

    _train_epoch(model, optimizer, DataLoader(train, batch_size=64, shuffle=True), loss_fn)
    assert feature_maps[0] == (64, 8, 8, 8) and len(grad_norms) == len(feature_maps) == 23  # ceil(1437 / 64)
    fh.remove()
    bh.remove()

    # checkpoint as PyTorch users write it, then resume in fresh objects
    nt.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 1}, tmp_path / "ck.safetensors")
    checkpoint = nt.load(tmp_path / "ck.safetensors")
    resumed = _cnn()
    resumed_opt = nt.optim.Adam(resumed.parameters(), lr=0.5)
    resumed.load_state_dict(checkpoint["model"])
    resumed_opt.load_state_dict(checkpoint["optimizer"])
    assert checkpoint["epoch"] == 1 and resumed_opt.param_groups[0]["lr"] == 0.01

    for net, opt in ((model, optimizer), (resumed, resumed_opt)):  # the same batches for both
        for _ in range(3):
            _train_epoch(net, opt, DataLoader(train, batch_size=64, shuffle=True, generator=7), loss_fn)
    for (name, p), q in zip(model.named_parameters(), resumed.parameters()):
        assert np.array_equal(p.data, q.data), name  # the resumed run continues exactly
    assert np.array_equal(model[1].running_var, resumed[1].running_var)

    accuracy = _accuracy(model, test)
    assert accuracy >= 0.90, accuracy  # measured 0.97-0.98 (seeds 0-2, 4 epochs of this loop)

    # the same object is a Keras model too: nt.nn.Sequential is nt.Sequential
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    x_test = np.stack([test[i][0].numpy() for i in range(len(test))])
    y_test = np.array([test[i][1].item() for i in range(len(test))])
    assert model.evaluate(x_test, y_test)["accuracy"] == pytest.approx(accuracy)


class RowReader(nn.Module):
    """Reads a digit row by row (8 steps of 8 pixels) with an LSTM and classifies the last hidden state."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(input_size=8, hidden_size=32, num_layers=1, batch_first=True)
        self.head = nn.Linear(32, 10)

    def forward(self, x):
        out, (h, c) = self.lstm(x)
        assert out.size() == (x.size(0), 8, 32) and h.size() == c.size() == (1, x.size(0), 32)
        return self.head(h[-1])


def test_lstm_returning_out_h_c_learns_digit_rows():
    nt.manual_seed(0)
    train, test = _digits((-1, 8, 8))
    model = RowReader()
    optimizer = nt.optim.Adam(model.parameters(), lr=0.02)
    assert len(list(model.parameters())) == 6  # weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, head
    for _ in range(4):
        for xb, yb in DataLoader(train, batch_size=64, shuffle=True):
            optimizer.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            optimizer.step()
    accuracy = _accuracy(model, test)
    assert accuracy >= 0.85, accuracy  # measured 0.90-0.93 (seeds 0-2)


def test_optimizer_state_round_trips_through_nt_save(tmp_path):
    model = nn.Linear(4, 3)
    optimizer = nt.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)
    model(nt.randn(5, 4)).sum().backward()
    optimizer.step()
    nt.save(optimizer.state_dict(), tmp_path / "opt.safetensors")
    back = nt.load(tmp_path / "opt.safetensors")
    assert back["param_groups"] == optimizer.state_dict()["param_groups"]
    assert set(back["state"]) == {0, 1}
    for i, state in optimizer.state_dict()["state"].items():
        for key, value in state.items():
            assert np.array_equal(back["state"][i][key], value)
