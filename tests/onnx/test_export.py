"""ONNX export: every exported model passes onnx.checker and gives neuronet's outputs in
onnxruntime, also at batch sizes other than the example's; what cannot be exported is refused
with the layer's name."""
import numpy as np
import pytest

import neuronet as nt
import neuronet.models as M
from tests.helpers import need

need("onnx")
ort = need("onnxruntime")

rng = np.random.default_rng(0)


def images(*shape):
    return rng.random((3, *shape), dtype=np.float32)


def tokens(t, vocab=30):
    return rng.integers(1, vocab, (3, t))


def dense(act):
    return nt.Sequential([nt.nn.Dense(8, activation=act), nt.nn.Dense(4)])


CASES = {
    # dense and every activation
    **{f"dense-{a}": (lambda a=a: dense(a), lambda: images(5))
       for a in ["relu", "tanh", "sigmoid", "elu", "selu", "leaky_relu", "gelu", "silu", "softplus",
                 "softsign", "arctan", "linear"]},
    "softmax-head": (lambda: nt.Sequential([nt.nn.Dense(6), nt.nn.Softmax()]), lambda: images(5)),
    "layer-norm-gelu-tanh": (lambda: nt.Sequential([nt.nn.Dense(8), nt.nn.LayerNorm(),
                                                    nt.nn.GELU(approximate="tanh"), nt.nn.Dense(2)]),
                             lambda: images(5)),
    # convolution: padding forms and modes, strides, dilation, groups, 1-D
    "conv-same": (lambda: nt.Sequential([nt.nn.Conv2D(4, 3, padding="same", activation="relu"), nt.nn.Flatten(),
                                         nt.nn.Dense(3)]), lambda: images(2, 8, 8)),
    **{f"conv-{mode}": (lambda mode=mode: nt.Sequential([nt.nn.Conv2D(4, 3, padding=1, padding_mode=mode),
                                                         nt.nn.Flatten(), nt.nn.Dense(3)]), lambda: images(2, 7, 7))
       for mode in ["reflect", "replicate", "circular"]},
    "conv-stride-dilation-groups": (lambda: nt.Sequential([nt.nn.Conv2D(4, 3, strides=2, dilation_rate=2, groups=2,
                                                                        padding=2), nt.nn.GlobalAvgPool2D()]),
                                    lambda: images(2, 11, 11)),
    "conv1d-pools": (lambda: nt.Sequential([nt.nn.Conv1D(4, 3, padding="same"), nt.nn.ReLU(), nt.nn.MaxPool1D(2),
                                            nt.nn.AvgPool1D(2), nt.nn.GlobalMaxPool1D(), nt.nn.Dense(2)]),
                     lambda: images(3, 12)),
    "pools-2d": (lambda: nt.Sequential([nt.nn.MaxPool2D(3, strides=2, padding=1, ceil_mode=True),
                                        nt.nn.AvgPool2D(3, strides=1, padding=1, count_include_pad=False),
                                        nt.nn.AdaptiveAvgPool2D((2, 3)), nt.nn.Flatten()]), lambda: images(2, 9, 9)),
    "batch-norm-global-max": (lambda: nt.Sequential([nt.nn.Conv2D(4, 3), nt.nn.BatchNorm2D(), nt.nn.ReLU(),
                                                     nt.nn.GlobalMaxPool2D(), nt.nn.BatchNorm1D(), nt.nn.Dense(2)]),
                              lambda: images(1, 6, 6)),
    # decoders and the rest
    "conv-transpose-decoder": (lambda: nt.Sequential([
        nt.nn.Conv2DTranspose(4, 3, strides=2, padding=1, output_padding=1, activation="relu"),
        nt.nn.Conv2DTranspose(2, 4, strides=2, padding=1), nt.nn.Conv2DTranspose(1, 3, groups=1, dilation_rate=2)]),
        lambda: images(3, 4, 4)),
    "conv1d-transpose": (lambda: nt.Sequential([nt.nn.Conv1DTranspose(3, 4, strides=2, padding=1)]),
                         lambda: images(2, 7)),
    "upsampling": (lambda: nt.Sequential([nt.nn.UpSampling2D(2), nt.nn.Conv2D(2, 3, padding=1),
                                          nt.nn.UpSampling2D(2, interpolation="bilinear"), nt.nn.PReLU()]),
                   lambda: images(2, 3, 5)),
    # ready models
    "lenet5": (lambda: M.lenet5(), lambda: images(1, 28, 28)),
    "compact_cnn": (lambda: M.compact_cnn(filters=(4, 8), dense=16), lambda: images(1, 28, 28)),
    "resnet": (lambda: M.resnet(blocks=(1, 1), filters=(4, 8)), lambda: images(3, 16, 16)),
    "vit": (lambda: M.VisionTransformer(8, 4, 1, 3, d_model=8, nhead=2, dim_feedforward=16, num_layers=1),
            lambda: images(1, 8, 8)),
    "gpt": (lambda: M.GPTLanguageModel(30, d_model=8, nhead=2, num_layers=1, dim_feedforward=16), lambda: tokens(6)),
    "char-lstm": (lambda: M.CharLSTMLanguageModel(30, embedding_dim=4, units=8), lambda: tokens(5)),
    # recurrent layers as ONNX's own LSTM/GRU/RNN
    "gru-reset-after": (lambda: nt.Sequential([nt.nn.Embedding(30, 4), nt.nn.GRU(6), nt.nn.Dense(2)]),
                        lambda: tokens(5)),
    "gru-reset-before": (lambda: nt.Sequential([nt.nn.GRU(6, reset_after=False, return_sequences=True)]),
                         lambda: images(5, 3)),
    "rnn-lstm-stack": (lambda: nt.Sequential([nt.nn.SimpleRNN(6, return_sequences=True), nt.nn.LSTM(5),
                                              nt.nn.Dense(2)]), lambda: images(5, 3)),
    "bidirectional": (lambda: nt.Sequential([nt.nn.Bidirectional(nt.nn.LSTM(5, return_sequences=True)),
                                             nt.nn.Bidirectional(nt.nn.GRU(4)), nt.nn.Dense(2)]),
                      lambda: images(5, 3)),
    "transformer-encoder": (lambda: nt.Sequential([nt.nn.Dense(8), nt.nn.TransformerEncoder(
        nt.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1), 2)]), lambda: images(6, 5)),
}


def run(path, x):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"input": x})


@pytest.mark.parametrize("name", sorted(CASES))
def test_exported_model_matches_neuronet_in_onnxruntime(tmp_path, name):
    make, data = CASES[name]
    model, x = make(), data()
    model.train()
    model(x)                      # built (and batch norm statistics moved) in training mode
    model.eval()
    nt.onnx.export(model, x, tmp_path / "m.onnx")
    assert model.training is False
    for batch in (x, np.concatenate([x, x[:2]]), x[:1]):   # the batch axis is dynamic
        want = model(batch)
        want = want if isinstance(want, tuple) else (want,)
        got = run(tmp_path / "m.onnx", batch)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g.shape == w.shape
            np.testing.assert_allclose(g, w.data, rtol=1e-4, atol=1e-5)


def test_the_model_keeps_its_mode_and_the_file_is_valid(tmp_path):
    onnx = need("onnx")
    model = dense("relu")
    model.train()
    proto = nt.onnx.export(model, images(5), tmp_path / "m.onnx")
    assert model.training
    onnx.checker.check_model(onnx.load(str(tmp_path / "m.onnx")))
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"


def test_a_mask_computed_from_the_data_is_refused_not_frozen(tmp_path):
    model = M.TransformerClassifier(30, 2, d_model=8, nhead=2, dim_feedforward=16, num_layers=1)
    with pytest.raises(nt.onnx.ExportError, match=r"layer encoder\.layers\.0: ScaledDotProductAttention's allowed "
                                                   r"depends on the input values"):
        nt.onnx.export(model, tokens(6), tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


def test_an_operation_without_converter_names_the_layer(tmp_path):
    model = nt.Sequential([nt.nn.Dense(8), nt.nn.Maxout(2)])
    with pytest.raises(nt.onnx.ExportError, match=r"layer 1: the operation Maxout has no ONNX converter"):
        nt.onnx.export(model, images(5), tmp_path / "m.onnx")


class PaddedLSTM(nt.nn.Module):
    """Sequences padded with 0: the LSTM reads each up to its own length."""

    def __init__(self):
        super().__init__()
        self.embedding, self.lstm = nt.nn.Embedding(30, 4), nt.nn.LSTM(5)

    def forward(self, ids):
        return self.lstm(self.embedding(ids), lengths=(np.asarray(ids.data) != 0).sum(axis=1))


def test_sequence_lengths_from_the_data_are_refused(tmp_path):
    x = tokens(6)
    x[0, 4:] = 0
    with pytest.raises(nt.onnx.ExportError, match=r"layer lstm: LSTMSequence's lengths depends on the input"):
        nt.onnx.export(PaddedLSTM(), x, tmp_path / "m.onnx")


def test_the_path_must_say_onnx(tmp_path):
    with pytest.raises(ValueError, match=r"should end in '\.onnx'"):
        nt.onnx.export(dense("relu"), images(5), tmp_path / "m.safetensors")
