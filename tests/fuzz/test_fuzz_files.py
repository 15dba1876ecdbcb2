"""Fuzzing the file paths: ``nt.save``/``nt.load`` round trips of random named arrays, and files from
``nt.save`` / ``model.save`` damaged at random (bit flips, truncation, appended or overwritten bytes, a
rewritten JSON header) read back with ``nt.load``, ``nt.load_metadata``, ``model.load_state_dict`` and
``nt.load_model``; and the dataset readers on damaged copies of their fixtures.  A file either loads, or
the reader raises a ValueError naming the file (TypeError for a wrong argument) — never struct.error,
zipfile.BadZipFile, UnicodeDecodeError, MemoryError, RecursionError, ... — and a failed load changes
nothing: not the model's weights, not the shared random generator."""
from __future__ import annotations

import functools
import gzip
import json
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import neuronet as nt
from neuronet import backend
from neuronet.data.datasets.cifar10 import read_cifar_binary, read_cifar_pickle
from neuronet.data.datasets.idx import read_idx
from neuronet.data.datasets.iris import read_iris_csv
from neuronet.data.datasets.mnist import read_mnist_csv

from ._common import assert_named

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SAVABLE = (np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8, np.bool_)


# --- round trips ---------------------------------------------------------------------------------------------
@st.composite
def named_arrays(draw):
    names = draw(st.lists(st.text(min_size=1, max_size=8).filter(lambda s: s != "__metadata__"), max_size=4, unique=True))
    out = {}
    for name in names:
        dtype = np.dtype(draw(st.sampled_from(SAVABLE)))
        shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3))
        out[name] = draw(hnp.arrays(dtype, shape))  # NaN, inf, subnormals and every bit pattern included
    return out


@pytest.mark.parametrize("suffix", [".safetensors", ".npz"])
@given(arrays=named_arrays(), metadata=st.one_of(st.none(), st.dictionaries(st.text(max_size=8), st.text(max_size=16),
                                                                              max_size=3)))
def test_save_load_round_trip(tmp_path, suffix, arrays, metadata):
    """Every supported dtype, shape (0-d and zero-size included), value and name comes back bit for bit,
    with the metadata."""
    path = tmp_path / f"w{suffix}"
    if suffix == ".npz" and any("\x00" in name for name in arrays):
        with pytest.raises(ValueError, match="NUL character"):
            nt.save(arrays, path, metadata=metadata)
        return
    nt.save(arrays, path, metadata=metadata)
    back = nt.load(path)
    assert list(back) == list(arrays)
    for name, a in arrays.items():
        assert back[name].dtype == a.dtype and back[name].shape == a.shape
        assert back[name].tobytes() == np.ascontiguousarray(a).tobytes()
    assert nt.load_metadata(path) == (metadata or {})


def test_npz_names_with_a_nul_character_are_refused(tmp_path):
    """Was: saved, then unreadable ('member '' is not a .npy array'): zip member names end at a NUL."""
    with pytest.raises(ValueError, match="^save: tensor name .* contains a NUL character"):
        nt.save({"a\x00b": np.zeros(2)}, tmp_path / "w.npz")
    nt.save({"a\x00b": np.zeros(2)}, tmp_path / "w.safetensors")
    assert list(nt.load(tmp_path / "w.safetensors")) == ["a\x00b"]


@pytest.mark.parametrize("value", [np.zeros(2, np.complex64), np.zeros(2, object), np.array(["a"]), np.zeros(2, np.uint16)])
def test_unsavable_dtypes_are_refused_by_name(tmp_path, value):
    with pytest.raises(TypeError) as e:
        nt.save({"w": value}, tmp_path / "w.safetensors")
    assert_named(e.value, "save")


# --- damaged files ---------------------------------------------------------------------------------------------
def _model():
    nt.manual_seed(0)
    model = nt.Sequential([nt.nn.Conv1D(2, 2), nt.nn.BatchNorm1D(), nt.nn.LSTM(3), nt.nn.Dropout(0.1),
                           nt.nn.Dense(3)])
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    model.fit(rng.standard_normal((8, 2, 6)).astype(np.float32), np.arange(8) % 3, epochs=1, verbose=0, seed=1)
    return model


@functools.lru_cache(maxsize=None)
def _blobs(folder: str) -> dict:
    """The bytes of a saved model, its state dict (safetensors and npz), made once."""
    model = _model()
    paths = {"model": os.path.join(folder, "m.nnet"), "safetensors": os.path.join(folder, "w.safetensors"),
             "npz": os.path.join(folder, "w.npz")}
    model.save(paths["model"])
    nt.save(model, paths["safetensors"])
    nt.save(model, paths["npz"])
    return {k: Path(p).read_bytes() for k, p in paths.items()}


@st.composite
def damaged(draw, blob: bytes):
    """``blob`` with bits flipped, cut short, bytes appended or overwritten, or its 8-byte length changed."""
    b = bytearray(blob)
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["flip", "flip", "truncate", "append", "overwrite", "length", "header"]))
        if not b:
            b += draw(st.binary(min_size=1, max_size=16))
            continue
        if how == "flip":
            i = draw(st.integers(0, len(b) - 1))
            b[i] ^= 1 << draw(st.integers(0, 7))
        elif how == "truncate":
            del b[draw(st.integers(0, len(b) - 1)):]
        elif how == "append":
            b += draw(st.binary(min_size=1, max_size=64))
        elif how == "overwrite":
            i = draw(st.integers(0, len(b) - 1))
            chunk = draw(st.binary(min_size=1, max_size=16))
            b[i:i + len(chunk)] = chunk
        elif how == "length":
            b[:8] = draw(st.integers(0, 2 ** 64 - 1)).to_bytes(8, "little")
        else:  # a byte inside the JSON header (safetensors) or near the start (zip)
            n = max(1, min(int.from_bytes(b[:8], "little"), len(b) - 8)) if len(b) > 8 else len(b)
            i = draw(st.integers(min(8, len(b) - 1), min(8 + n, len(b)) - 1))
            b[i] = draw(st.integers(0, 255))
    return bytes(b)


def _weights(model):
    return {k: np.array(v, copy=True) for k, v in model.state_dict().items()}


def _same(a, b):
    return set(a) == set(b) and all(np.array_equal(a[k], b[k], equal_nan=True) for k in a)


@pytest.mark.parametrize("kind", ["safetensors", "npz"])
@given(data=st.data())
def test_damaged_state_dict_files(tmp_path_factory, kind, data):
    """nt.load of a damaged weights file returns arrays or a ValueError naming the file; loading what it
    returns into the model succeeds entirely or fails (naming load_state_dict) leaving every weight as it was."""
    folder = str(tmp_path_factory.getbasetemp())
    blob = data.draw(damaged(_blobs(folder)[kind]))
    path = Path(folder) / f"fuzz.{'npz' if kind == 'npz' else 'safetensors'}"
    path.write_bytes(blob)
    try:
        arrays = nt.load(path)
        meta = nt.load_metadata(path)
        assert isinstance(meta, dict)
    except ValueError as e:
        assert_named(e, str(path))
        return
    model = _model()
    before = _weights(model)
    try:
        model.load_state_dict(arrays)
    except (ValueError, TypeError, KeyError) as e:  # KeyError: strict loading's missing/unexpected names
        assert "load_state_dict" in str(e), f"{type(e).__name__}: {e}"
        assert _same(before, _weights(model)), "a failed load_state_dict changed the weights"
        return
    for name, value in arrays.items():
        np.testing.assert_array_equal(model.state_dict()[name], value)


@given(data=st.data())
def test_damaged_model_files(tmp_path_factory, data):
    """nt.load_model of a damaged model file rebuilds a model, or raises a ValueError naming the file;
    either way nt.load never fails otherwise, and a failed load leaves the shared generator as it was."""
    folder = str(tmp_path_factory.getbasetemp())
    blob = data.draw(damaged(_blobs(folder)["model"]))
    path = Path(folder) / "fuzz.nnet"
    path.write_bytes(blob)
    rng_before = backend.get_rng().bit_generator.state
    try:
        model = nt.load_model(path)
    except (ValueError, TypeError) as e:  # TypeError: a constructor given an argument it has not (a flipped name)
        assert_named(e, str(path))
        assert backend.get_rng().bit_generator.state == rng_before, "a failed load_model moved the shared generator"
    else:
        assert isinstance(model, nt.nn.Module)
    try:
        nt.load(path)
    except ValueError as e:
        assert_named(e, str(path))


_JSON = st.recursive(st.none() | st.booleans() | st.integers(-2 ** 70, 2 ** 70) | st.floats() | st.text(max_size=6),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                     max_leaves=6)


@st.composite
def rewritten_header(draw, header):
    """``header`` with a few values replaced somewhere inside it — metadata entries that hold JSON
    (architecture, compile, optimizer, history, rng_state) are edited inside that JSON too."""
    header = json.loads(json.dumps(header))

    def edit(node, depth=0):
        if isinstance(node, str) and depth > 0 and draw(st.booleans()):
            try:
                inner = json.loads(node)
            except ValueError:
                inner = None
            if isinstance(inner, (dict, list)):
                return json.dumps(edit(inner, depth + 1), allow_nan=True)
        if isinstance(node, dict) and node and draw(st.integers(0, 3)):
            key = draw(st.sampled_from(sorted(node)))
            action = draw(st.sampled_from(["edit", "edit", "replace", "delete", "add"]))
            if action == "edit":
                node[key] = edit(node[key], depth + 1)
            elif action == "replace":
                node[key] = draw(_JSON)
            elif action == "delete":
                del node[key]
            else:
                node[draw(st.sampled_from(["class", "config", "units", "layers", "x"]))] = draw(_JSON)
            return node
        if isinstance(node, list) and node and draw(st.integers(0, 3)):
            i = draw(st.integers(0, len(node) - 1))
            node[i] = edit(node[i], depth + 1) if draw(st.booleans()) else draw(_JSON)
            return node
        if isinstance(node, bool):
            return draw(st.sampled_from([not node, None, 1]))
        if isinstance(node, int):
            return draw(st.sampled_from([node + 1, node - 1, -node, node * 1000, 0, 2 ** 40, node + 0.5, str(node)]))
        return draw(_JSON)

    for _ in range(draw(st.integers(1, 3))):
        header = edit(header)
    return header


@given(data=st.data())
def test_rewritten_model_headers(tmp_path_factory, data):
    """A well-formed file whose header says something else — sizes, class names, dtypes, shapes, offsets,
    compile settings, optimizer state, history, generator state — loads or fails with a ValueError
    (TypeError for a constructor given the wrong kind of value) naming the file; the shared generator
    stays as it was on failure."""
    folder = str(tmp_path_factory.getbasetemp())
    blob = _blobs(folder)["model"]
    n = int.from_bytes(blob[:8], "little")
    header = data.draw(rewritten_header(json.loads(blob[8:8 + n])))
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path = Path(folder) / "header.nnet"
    path.write_bytes(len(text).to_bytes(8, "little") + text + blob[8 + n:])
    rng_before = backend.get_rng().bit_generator.state
    try:
        nt.load_model(path)
    except (ValueError, TypeError) as e:
        assert_named(e, str(path))
        assert backend.get_rng().bit_generator.state == rng_before


# --- dataset readers on damaged files ---------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _reader_blobs():
    return {
        "idx": (read_idx, gzip.decompress((FIXTURES / "mnist_idx" / "t10k-labels-idx1-ubyte.gz").read_bytes()), ""),
        "idx_gz": (read_idx, (FIXTURES / "mnist_idx" / "t10k-labels-idx1-ubyte.gz").read_bytes(), ".gz"),
        "mnist_csv": (read_mnist_csv, gzip.decompress((FIXTURES / "mnist_5k_sample.csv.gz").read_bytes())[:12000], ".csv"),
        "mnist_csv_gz": (read_mnist_csv, gzip.compress(gzip.decompress((FIXTURES / "mnist_5k_sample.csv.gz").read_bytes())[:12000]),
                         ".csv.gz"),
        "iris": (read_iris_csv, (Path(nt.data.__file__).parent / "files" / "iris.csv").read_bytes(), ".csv"),
        "cifar_pickle": (read_cifar_pickle, (FIXTURES / "cifar_py" / "test_batch").read_bytes(), ""),
        "cifar_binary": (read_cifar_binary, (FIXTURES / "cifar_bin" / "test_batch.bin").read_bytes(), ".bin"),
    }


@pytest.mark.parametrize("reader", ["idx", "idx_gz", "mnist_csv", "mnist_csv_gz", "iris", "cifar_pickle", "cifar_binary"])
@given(data=st.data())
def test_damaged_dataset_files(tmp_path_factory, reader, data):
    """Each reader gives arrays or a ValueError naming itself or the file."""
    fn, blob, suffix = _reader_blobs()[reader]
    path = Path(tmp_path_factory.getbasetemp()) / f"{reader}{suffix}"
    path.write_bytes(data.draw(damaged(blob)))
    try:
        fn(path)
    except ValueError as e:
        assert_named(e, fn.__name__, str(path))


def test_idx_sizes_whose_product_overflows_int64():
    """Was: np.prod of the header's sizes wrapped around 2**64 to 0, the size check passed, and NumPy's
    'cannot reshape array of size 0 into shape (2097152,2097152,4194304)' followed."""
    path = Path(pytest.importorskip("tempfile").mkdtemp()) / "huge-idx3-ubyte"
    path.write_bytes(bytes([0, 0, 8, 3]) + b"".join(d.to_bytes(4, "big") for d in (2 ** 21, 2 ** 21, 2 ** 22)))
    with pytest.raises(ValueError, match="^read_idx: .* expected 18446744073709551632"):
        read_idx(path)


@pytest.mark.parametrize("reader", [read_idx, read_mnist_csv])
def test_damaged_gzip_streams_are_named(tmp_path, reader):
    """Was: zlib.error ('Error -3 while decompressing data: invalid stored block lengths') from a .gz
    file whose compressed bytes were damaged (only gzip's own OSError/EOFError were caught)."""
    good = gzip.compress(b"0" * 1000)
    path = tmp_path / "x-idx1-ubyte.csv.gz"
    path.write_bytes(good[:12] + bytes([good[12] ^ 0xFF]) + good[13:])
    with pytest.raises(ValueError, match=f"^{reader.__name__}: "):
        reader(path)


def test_iris_csv_that_is_not_text(tmp_path):
    """Was: UnicodeDecodeError ('utf-8' codec can't decode byte 0xff ...) naming no reader."""
    path = tmp_path / "iris.csv"
    path.write_bytes(b"150,4,setosa\n5.1,3.5,\xff\xfe\n")
    with pytest.raises(ValueError, match="^read_iris_csv: "):
        read_iris_csv(path)
