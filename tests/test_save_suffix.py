"""A file name promises a format: neuronet writes only the ones it names (safetensors, npz)."""
import numpy as np
import pytest

import neuronet as nt


def small_model():
    model = nt.Sequential([nt.nn.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    model.build((None, 3))
    return model


FOREIGN = ["m.keras", "m.pt", "m.pth", "ck.h5", "m.pkl", "m.onnx", "m.weights", "model"]


@pytest.mark.parametrize("name", FOREIGN)
def test_save_refuses_names_of_other_formats(tmp_path, name):
    model = small_model()
    for save in (lambda p: nt.save(model, p), lambda p: model.save(p)):
        with pytest.raises(ValueError, match=r"neuronet saves safetensors: end the name in '\.safetensors'"):
            save(tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_model_checkpoint_refuses_before_training(tmp_path):
    with pytest.raises(ValueError, match=r"ModelCheckpoint: .*ck-\{epoch\}\.h5' names an HDF5"):
        nt.callbacks.ModelCheckpoint(str(tmp_path / "ck-{epoch}.h5"))


@pytest.mark.parametrize("name", ["m.safetensors", "m.nnet", "m.NPZ"])
def test_the_names_neuronet_writes_round_trip(tmp_path, name):
    model = small_model()
    model.save(tmp_path / name)
    again = nt.load_model(tmp_path / name)
    for a, b in zip(model.parameters(), again.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
