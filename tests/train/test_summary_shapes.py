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
