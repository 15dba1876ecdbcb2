"""Training and inference on a GPU (CuPy arrays) against the same model on the CPU (NumPy arrays).

The CPU runs the compiled kernels and fused fast paths where they apply; the GPU runs the NumPy
reference code through CuPy.  Same weights, same batches: the losses of a few SGD steps, the
trained weights and the no_grad outputs (Sequential's array route included) must agree to float32
rounding.  Skipped where CuPy or a GPU is missing (CI has neither; run them on a GPU machine).
"""
import copy

import numpy as np
import pytest

import neuronet as nt
from tests.helpers import need


@pytest.fixture(scope="module")
def cupy():
    module = need("cupy")
    if not nt.cuda.is_available():
        pytest.skip("needs a GPU that CuPy can use")
    return module


def _mlp():
    return nt.nn.Sequential([nt.nn.Dense(32, activation="relu"), nt.nn.Dense(16), nt.nn.ReLU(), nt.nn.Dense(3)])


def _cnn():
    return nt.nn.Sequential([nt.nn.Conv2D(6, 3, padding=1, use_bias=False), nt.nn.BatchNorm2D(), nt.nn.ReLU(), nt.nn.MaxPool2D(2),
                             nt.nn.Conv2D(8, 3), nt.nn.ReLU(), nt.nn.Flatten(), nt.nn.Dense(3)])


def _recurrent(cell):
    return lambda: nt.nn.Sequential([nt.nn.Embedding(40, 8), getattr(nt.nn, cell)(12), nt.nn.Dense(3)])


class _Encoder(nt.nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nt.nn.Embedding(40, 16)
        self.encoder = nt.nn.Sequential([nt.nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0),
                                         nt.nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0)])
        self.head = nt.nn.Dense(3)

    def forward(self, ids):
        return self.head(nt.functional.mean(self.encoder(self.embedding(ids)), axis=1))


rng = np.random.default_rng(0)
CASES = {
    "mlp": (_mlp, rng.standard_normal((16, 20)).astype(np.float32)),
    "cnn": (_cnn, rng.standard_normal((8, 3, 12, 12)).astype(np.float32)),
    "lstm": (_recurrent("LSTM"), rng.integers(0, 40, (8, 15))),
    "gru": (_recurrent("GRU"), rng.integers(0, 40, (8, 15))),
    "rnn": (_recurrent("SimpleRNN"), rng.integers(0, 40, (8, 15))),
    "transformer": (_Encoder, rng.integers(0, 40, (4, 10))),
}


def _train(model, x, y, steps=3):
    optimizer = nt.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)  # Adam would magnify near-zero gradients' noise
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = nt.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(float(loss.item()))
    return losses


@pytest.mark.parametrize("name", sorted(CASES))
def test_gpu_training_and_inference_match_the_cpu(name, cupy):
    build, x = CASES[name]
    y = np.arange(len(x)) % 3
    nt.manual_seed(1)
    cpu = build()
    cpu(nt.tensor(x[:2]))  # build the lazy layers
    gpu = copy.deepcopy(cpu).to("cuda")
    cpu_losses = _train(cpu, nt.tensor(x), nt.tensor(y))
    gpu_losses = _train(gpu, nt.tensor(x).cuda(), nt.tensor(y).cuda())
    np.testing.assert_allclose(gpu_losses, cpu_losses, rtol=2e-4)
    for (key, a), b in zip(cpu.state_dict().items(), gpu.state_dict().values()):
        assert isinstance(b, cupy.ndarray), key
        np.testing.assert_allclose(cupy.asnumpy(b), np.asarray(a), rtol=1e-3, atol=1e-4, err_msg=key)
    cpu.eval(), gpu.eval()
    with nt.no_grad():
        for batch in (x[:1], x):  # batch 1 (the array routes) and the whole batch
            out = gpu(nt.tensor(batch).cuda())
            assert isinstance(out.data, cupy.ndarray)
            np.testing.assert_allclose(cupy.asnumpy(out.data), cpu(nt.tensor(batch)).numpy(), rtol=1e-3, atol=1e-4)
