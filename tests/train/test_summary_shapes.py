"""``summary()`` describes the layers as written, also where ``Sequential`` fuses them in training."""
import numpy as np
import pytest

import neuronet as nt
import neuronet.models as M
from neuronet.train.summary import summary


def layer_rows(text):
    """The table's rows: the lines between the '====' rule and the next '----' rule."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("==="))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("---"))
    return lines[start + 1:end]  # the layers, then "Model output"


def test_fused_conv_batch_norm_relu_pool_each_show_their_own_shape():
    model = nt.Sequential([nt.nn.Conv2D(6, 5, padding=2), nt.nn.BatchNorm2D(), nt.nn.ReLU(),
                           nt.nn.MaxPool2D(2), nt.nn.Conv2D(16, 5), nt.nn.ReLU(), nt.nn.MaxPool2D(2),
                           nt.nn.Flatten(), nt.nn.Dense(10)])
    model.build((None, 1, 28, 28))
    text = model.summary(input_shape=(1, 28, 28), print_fn=None)
    shapes = layer_rows(text)
    expected = {"0 (Conv2D)": "(None, 6, 28, 28)", "1 (BatchNorm2D)": "(None, 6, 28, 28)",
                "2 (ReLU)": "(None, 6, 28, 28)", "3 (MaxPool2D)": "(None, 6, 14, 14)",
                "4 (Conv2D)": "(None, 16, 10, 10)", "5 (ReLU)": "(None, 16, 10, 10)",
                "6 (MaxPool2D)": "(None, 16, 5, 5)", "7 (Flatten)": "(None, 400)", "8 (Dense)": "(None, 10)"}
    for layer, shape in expected.items():
        line = next(s for s in shapes if s.startswith(layer))
        assert shape in line, line
    assert "?" not in text


CASES = {
    "lenet5": (lambda: M.lenet5(), (1, 28, 28), "float32"),
    "resnet": (lambda: M.resnet(blocks=(1, 1), filters=(8, 16)), (3, 16, 16), "float32"),
    "compact_cnn": (lambda: M.compact_cnn(filters=(4, 8), dense=16), (1, 28, 28), "float32"),
    "cifar_model3": (lambda: M.cifar_model3(), (3, 32, 32), "float32"),
    "char_lstm": (lambda: M.CharLSTMLanguageModel(30, units=16), (12,), "int64"),
    "gpt": (lambda: M.GPTLanguageModel(30, d_model=16, dim_feedforward=32), (12,), "int64"),
    "transformer_classifier": (lambda: M.TransformerClassifier(30, 2, d_model=16, dim_feedforward=32), (12,), "int64"),
    "vit": (lambda: M.VisionTransformer(28, 7, 1, 10, d_model=16, dim_feedforward=32), (1, 28, 28), "float32"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_ready_model_summarises_with_real_shapes(name):
    make, shape, dtype = CASES[name]
    model = make()
    x = nt.tensor(np.zeros((2, *shape), dtype=dtype))
    out = model(x)
    model._input_spec = [(shape, np.dtype(dtype).str)]
    text = summary(model, print_fn=None)
    body = layer_rows(text)
    assert not any("?" in r or "not called" in r or "not built" in r for r in body), text
    out = out[0] if isinstance(out, tuple) else out
    assert body[-1].startswith("Model output") and str((None,) + tuple(out.shape[1:])) in body[-1], text


class _TorchStyleLSTM(nt.nn.Module):
    """A PyTorch-style module: its LSTM returns (out, (h, c)), the states layers first."""

    def __init__(self):
        super().__init__()
        self.emb = nt.nn.Embedding(50, 3)
        self.lstm = nt.nn.LSTM(3, 16, batch_first=True)  # PyTorch's keywords: a TorchLSTM
        self.head = nt.nn.Dense(2)

    def forward(self, ids):
        out, (h, c) = self.lstm(self.emb(ids))
        return self.head(out[:, -1])


def test_the_batch_axis_shows_as_none_wherever_it_is():
    """The states of a PyTorch-style LSTM are (layers, batch, H): (1, None, 16), not (None, 2, 16)."""
    model = _TorchStyleLSTM()
    text = summary(model, input_shape=(5,), print_fn=None)  # token ids: the first layer is an Embedding
    lstm = next(r for r in layer_rows(text) if r.startswith("lstm"))
    assert "(None, 5, 16), (1, None, 16), (1, None, 16)" in lstm, text


def test_a_size_equal_to_the_probe_batch_is_not_taken_for_the_batch():
    model = nt.Sequential([nt.nn.Dense(2), nt.nn.Dense(3)])
    text = model.summary(input_shape=(2,), print_fn=None)
    rows = layer_rows(text)
    assert "(None, 2)" in rows[0] and "(None, 3)" in rows[1], text


def test_a_shared_layer_is_summarised_from_its_first_call():
    class Twice(nt.nn.Module):
        def __init__(self):
            super().__init__()
            self.dense = nt.nn.Dense(4)

        def forward(self, x):
            return self.dense(self.dense(x))

    model = Twice()
    text = summary(model, input_shape=(4,), print_fn=None)
    assert "(None, 4)" in layer_rows(text)[0], text


def test_build_with_an_embedding_first_probes_with_token_ids():
    """``model.build((None, T))`` then ``summary()``, the usual Keras course pattern for a text model."""
    model = nt.Sequential([nt.nn.Embedding(100, 8), nt.nn.LSTM(16, return_sequences=True), nt.nn.LSTM(4),
                           nt.nn.Dense(2)])
    model.build((None, 10))
    rows = layer_rows(model.summary(print_fn=None))
    assert [r.split()[2:4] for r in rows[:4]] == [["(None,", "10,"], ["(None,", "10,"], ["(None,", "4)"],
                                                   ["(None,", "2)"]]
    assert model.count_params() == 800 + 4 * 16 * (8 + 16 + 2) + 4 * 4 * (16 + 4 + 2) + 10  # two LSTM biases, as PyTorch


def test_build_keeps_an_explicit_dtype():
    """An explicit dtype is the dummy input's: float data into an Embedding is refused as in a call."""
    model = nt.Sequential([nt.nn.Embedding(10, 4), nt.nn.Dense(2)])
    with pytest.raises(TypeError, match="indices must be integers"):
        model.build((None, 3), dtype="float32")
    model.build((None, 3), dtype="int32")
    assert model.built and model[1].weight.shape == (2, 4)
