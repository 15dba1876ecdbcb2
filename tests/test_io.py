"""Safe save/load: safetensors written in NumPy, read by the safetensors package and back; npz; errors."""
import json
import os

import numpy as np
import pytest

import neuronet as nt
from neuronet.io import load, load_metadata, save
from tests.helpers import need

ALL_DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8, np.bool_]


def _arrays(rng):
    out = {f"t_{np.dtype(dt).name}": (rng.standard_normal((2, 3)) * 50).astype(dt) for dt in ALL_DTYPES}
    out["scalar"] = np.array(3.5, np.float32)
    out["empty"] = np.zeros((0, 4), np.float32)
    out["layer.0.weight"] = rng.standard_normal((5, 7)).astype(np.float32)
    return out


def _same(a, b):
    assert a.keys() == b.keys()
    for k in a:
        assert a[k].dtype == b[k].dtype and a[k].shape == b[k].shape and np.array_equal(a[k], b[k]), k


def test_round_trip_every_dtype(tmp_path, rng):
    arrays = _arrays(rng)
    save(arrays, tmp_path / "w.safetensors", metadata={"epochs": "3", "note": "ü"})
    back = load(tmp_path / "w.safetensors")
    _same(arrays, back)
    assert list(back) == list(arrays)  # file order kept
    assert load_metadata(tmp_path / "w.safetensors") == {"epochs": "3", "note": "ü"}
    back["t_float32"][0, 0] = 1.0  # loaded arrays are writable
    assert os.listdir(tmp_path) == ["w.safetensors"]  # no temporary file left behind


def test_files_are_read_by_the_safetensors_package(tmp_path, rng):
    st = need("safetensors.numpy")
    from safetensors import safe_open
    arrays = _arrays(rng)
    save(arrays, tmp_path / "w.safetensors", metadata={"k": "v"})
    _same(arrays, st.load_file(str(tmp_path / "w.safetensors")))
    with safe_open(str(tmp_path / "w.safetensors"), framework="np") as f:
        assert f.metadata() == {"k": "v"}


def test_reads_files_written_by_the_safetensors_package(tmp_path, rng):
    st = need("safetensors.numpy")
    arrays = _arrays(rng)
    st.save_file(arrays, str(tmp_path / "w.safetensors"), metadata={"format": "np"})
    _same(arrays, dict(load(tmp_path / "w.safetensors")))
    assert load_metadata(tmp_path / "w.safetensors") == {"format": "np"}


def test_tensors_and_modules(tmp_path):
    model = nt.nn.Sequential(nt.nn.Dense(3, in_features=2), nt.nn.BatchNorm1D(3))
    save(model, tmp_path / "m.safetensors")
    back = load(tmp_path / "m.safetensors")
    assert list(back) == list(model.state_dict())
    fresh = nt.nn.Sequential(nt.nn.Dense(3, in_features=2), nt.nn.BatchNorm1D(3))
    fresh.load_state_dict(back)
    assert np.array_equal(fresh[0].weight.numpy(), model[0].weight.numpy())
    save({"t": nt.tensor([1.0, 2.0], requires_grad=True)}, tmp_path / "t.safetensors")
    assert load(tmp_path / "t.safetensors")["t"].tolist() == [1.0, 2.0]
    assert load_metadata(tmp_path / "t.safetensors") == {}


def test_npz_round_trip_without_pickle(tmp_path, rng):
    arrays = _arrays(rng)
    save(arrays, tmp_path / "w.npz", metadata={"a": "b"})
    _same(arrays, dict(load(tmp_path / "w.npz")))
    assert load_metadata(tmp_path / "w.npz") == {"a": "b"}
    np.savez(tmp_path / "obj.npz", x=np.array([{"evil": 1}], dtype=object))
    with pytest.raises(ValueError, match="obj.npz is not a readable .npz file without pickle"):
        load(tmp_path / "obj.npz")


def test_overwrite_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "w.safetensors"
    save({"a": np.ones(3, np.float32)}, path)

    def crash(src, dst):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        save({"a": np.zeros(5, np.float32)}, path)
    monkeypatch.undo()
    assert load(path)["a"].tolist() == [1, 1, 1]  # the old file is intact
    assert os.listdir(tmp_path) == ["w.safetensors"]


def test_save_rejects_bad_input(tmp_path):
    with pytest.raises(TypeError, match="save: tensor 'x' has dtype object"):
        save({"x": np.array([None])}, tmp_path / "a.safetensors")
    with pytest.raises(TypeError, match="metadata must be a dict of strings"):
        save({"x": np.ones(2)}, tmp_path / "a.safetensors", metadata={"epochs": 3})
    with pytest.raises(TypeError, match="save: tensor 'a/x' has dtype object"):  # nested objects too
        save({"a": {"x": np.array([None])}}, tmp_path / "a.safetensors")
    with pytest.raises(TypeError, match=r"save: cannot store a set \(at a\).*never pickle"):
        save({"a": {1, 2}}, tmp_path / "a.safetensors")
    with pytest.raises(TypeError, match="expected a dict of arrays or a Module, got set"):
        save({np.ones(2).tobytes()}, tmp_path / "a.safetensors")
    assert not os.listdir(tmp_path)
    # integer names and lists are nested objects now (an optimizer's state dict): they round-trip
    save({1: np.ones(2)}, tmp_path / "a.safetensors")
    assert list(load(tmp_path / "a.safetensors")) == [1]
    save([np.ones(2)], tmp_path / "b.safetensors")
    assert isinstance(load(tmp_path / "b.safetensors"), list)


def _write(path, header, data=b"", size=None):
    text = json.dumps(header).encode() if isinstance(header, dict) else header
    path.write_bytes((len(text) if size is None else size).to_bytes(8, "little") + text + data)
    return path


def test_corrupt_files_raise_clear_errors(tmp_path):
    good = tmp_path / "good.safetensors"
    save({"w": np.arange(6, dtype=np.float32)}, good)
    raw = good.read_bytes()
    cases = {
        "empty": (b"", "the file has 0 bytes, fewer than the 8-byte header length"),
        "truncated_header": (raw[:20], "bad header size"),
        "truncated_data": (raw[:-4], r"tensor .w. has data_offsets \[0, 24\] out of range for 20 bytes"),
        "foreign": (b"PK\x03\x04" + b"\x00" * 100, "bad header size"),
    }
    for name, (content, message) in cases.items():
        p = tmp_path / f"{name}.safetensors"
        p.write_bytes(content)
        with pytest.raises(ValueError, match=f"{name}.safetensors is not a valid safetensors file: {message}"):
            load(p)
    bad_json = _write(tmp_path / "json.safetensors", b"{not json")
    with pytest.raises(ValueError, match="json.safetensors is not a valid safetensors file: the header is not valid JSON"):
        load(bad_json)
    dtype = _write(tmp_path / "dt.safetensors", {"w": {"dtype": "BF16", "shape": [1], "data_offsets": [0, 2]}}, b"\0\0")
    with pytest.raises(ValueError, match="tensor 'w' has unknown dtype 'BF16'"):
        load(dtype)
    size = _write(tmp_path / "sz.safetensors", {"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, b"\0" * 8)
    with pytest.raises(ValueError, match=r"tensor 'w' of dtype F32 and shape \(3,\) needs 12 bytes"):
        load(size)
    listy = _write(tmp_path / "list.safetensors", b"[1, 2]")
    with pytest.raises(ValueError, match="the header is a JSON list, expected an object"):
        load(listy)
