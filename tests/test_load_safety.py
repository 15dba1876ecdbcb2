"""Issue 14: a file never causes a partial change, a crash from inside NumPy, or code to run.

Each test here failed on the code before the fix: files with hostile headers, interrupted saves,
state dicts with a bad value on a later key, model files without (or with a hostile) architecture.
"""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile

import numpy as np
import pytest

import neuronet as nt
from neuronet import io as nio
from neuronet.io import load, load_metadata, save

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _safetensors(path, header, data=b""):
    text = json.dumps(header).encode() if isinstance(header, dict) else header
    path.write_bytes(len(text).to_bytes(8, "little") + text + data)
    return path


# --- item 3: safetensors headers ------------------------------------------------------------
F32 = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}
HOSTILE_HEADERS = {
    "float_dim": ({"w": {**F32, "shape": [2.0]}}, r"tensor 'w' has an invalid shape \[2.0\]"),
    "negative_dim": ({"w": {**F32, "shape": [-2]}}, r"tensor 'w' has an invalid shape \[-2\]"),
    "bool_dim": ({"w": {**F32, "shape": [True, 2]}}, r"invalid shape \[true, 2\]|invalid shape \[True, 2\]"),
    "string_dim": ({"w": {**F32, "shape": ["2"]}}, r"invalid shape \['2'\]"),
    "absurd_zero_size": ({"w": {**F32, "shape": [0, 2 ** 70], "data_offsets": [0, 0]}},
                         r"tensor 'w' has absurd dimensions \[0, 1180591620717411303424\]"),
    "absurd_zero_size_2": ({"w": {**F32, "shape": [0, 2 ** 40, 2 ** 40], "data_offsets": [0, 0]}},
                           "tensor 'w' has absurd dimensions"),
    "too_many_dims": ({"w": {**F32, "shape": [0] * 70, "data_offsets": [0, 0]}}, "expected at most 32"),
    "list_dtype": ({"w": {**F32, "dtype": ["F32"]}}, r"tensor 'w' has unknown dtype \['F32'\]"),
    "unknown_dtype": ({"w": {**F32, "dtype": "C64"}}, "tensor 'w' has unknown dtype 'C64'"),
    "offsets_past_end": ({"w": {**F32, "data_offsets": [8, 16]}}, r"data_offsets \[8, 16\] out of range for 8 bytes"),
    "negative_offset": ({"w": {**F32, "data_offsets": [-8, 0]}}, "out of range"),
    "float_offset": ({"w": {**F32, "data_offsets": [0.0, 8]}}, "out of range"),
    "overlap": ({"a": F32, "b": {**F32, "data_offsets": [4, 12]}, "c": {**F32, "data_offsets": [12, 20]}},
                r"tensor 'b' \(bytes 4..12\) overlaps tensor 'a' \(which ends at byte 8\)", 20),
    "same_bytes_twice": ({"a": F32, "b": F32}, "overlaps tensor"),
    "gap": ({"a": {**F32, "shape": [1], "data_offsets": [0, 4]}}, "the data has 4 bytes after the last tensor"),
    "hole": ({"a": {**F32, "shape": [1], "data_offsets": [0, 4]}, "b": {**F32, "shape": [0], "data_offsets": [8, 8]}},
             r"bytes 4..8 of the data belong to no tensor"),
    "not_utf8": (b'{"w": "\xff\xfe"}', "the header is not valid JSON"),
    "not_json": (b"{'w': 1}", "the header is not valid JSON"),
    "duplicate_name": (b'{"w": ' + json.dumps(F32).encode() + b', "w": ' + json.dumps(F32).encode() + b"}",
                       r"the header is not valid JSON \(the name .w. appears twice\)"),
    "deep_nesting": (b"[" * 100_000 + b"]" * 100_000, "the header is not valid JSON"),
    "huge_number": (b'{"w": ' + b"9" * 5000 + b"}", "the header is not valid JSON"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_HEADERS))
def test_hostile_safetensors_headers_name_the_file(tmp_path, case):
    header, message, *size = HOSTILE_HEADERS[case]
    path = _safetensors(tmp_path / f"{case}.safetensors", header, b"\0" * (size[0] if size else 8))
    with pytest.raises(ValueError, match=f"load: .*{case}.safetensors is not a valid safetensors file: .*{message}"):
        load(path)


def test_header_length_larger_than_the_file(tmp_path):
    path = tmp_path / "long.safetensors"
    path.write_bytes((2 ** 62).to_bytes(8, "little") + b"{}")
    with pytest.raises(ValueError, match="long.safetensors .*bad header size 4611686018427387904 for a file of 10 bytes"):
        load(path)
    with pytest.raises(ValueError, match="long.safetensors"):
        load_metadata(path)


def test_files_of_the_safetensors_package_still_load(tmp_path):
    # the layout check is the specification's: what the reference writer produces passes it
    from tests.helpers import need
    st = need("safetensors.numpy")
    arrays = {"a": np.ones((2, 3), np.float32), "b": np.zeros(0, np.int64), "c": np.arange(5, dtype=np.uint8)}
    st.save_file(arrays, str(tmp_path / "ref.safetensors"), metadata={"k": "v"})
    back = load(tmp_path / "ref.safetensors")
    assert {k: v.tolist() for k, v in back.items()} == {k: v.tolist() for k, v in arrays.items()}
    assert load_metadata(tmp_path / "ref.safetensors") == {"k": "v"}


# --- item 3: .npz ---------------------------------------------------------------------------
def _npz_with_member(path, name, payload, compress=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compress) as z:
        z.writestr(name, payload)
    return path


def _npy_header(descr, shape, fortran=False):
    header = repr({"descr": descr, "fortran_order": fortran, "shape": shape}).encode()
    header += b" " * (-(10 + len(header) + 1) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header


@pytest.mark.parametrize("descr, shape, payload, message", [
    ("<f8", (10 ** 12,), b"", r"array 'x' of dtype float64 and shape \(1000000000000,\) needs 8000000000000 bytes"),
    ("<f8", (10 ** 10, 10 ** 10), b"", "array 'x' has absurd dimensions"),
    ("|O", (1,), b"", "array 'x' has dtype object"),
    ("<U3", (1,), b"a\0\0\0b\0\0\0c\0\0\0", "array 'x' has dtype <U3"),
    ("<c16", (1,), b"\0" * 16, "array 'x' has dtype complex128"),
    ([("a", "<f4")], (1,), b"\0" * 4, "array 'x' has dtype"),
    ("<f4", (3,), b"\0" * 8, r"needs 12 bytes, the member holds fewer"),
    ("<f4", (1,), b"\0" * 8, r"needs 4 bytes, the member holds more"),
])
def test_hostile_npz_members_name_the_file(tmp_path, descr, shape, payload, message):
    path = _npz_with_member(tmp_path / "bad.npz", "x.npy", _npy_header(descr, shape) + payload)
    with pytest.raises(ValueError, match=f"load: .*bad.npz is not a readable .npz file without pickle: .*{message}"):
        load(path)


def test_npz_archive_damage_names_the_file(tmp_path):
    good = tmp_path / "good.npz"
    save({"w": np.arange(100, dtype=np.float32)}, good)
    raw = good.read_bytes()
    cases = {
        "cut.npz": raw[: len(raw) // 2],                       # central directory gone: BadZipFile before
        "plain.npz": b"\x93NUMPY" + raw[6:100],                # a .npy renamed: np.load returned an ndarray
        "zero.npz": b"",
    }
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(ValueError, match=f"{name} is not a readable .npz file"):
            load(tmp_path / name)
    _npz_with_member(tmp_path / "txt.npz", "notes.txt", b"hello")
    with pytest.raises(ValueError, match="member 'notes.txt' is not a .npy array"):
        load(tmp_path / "txt.npz")
    with zipfile.ZipFile(tmp_path / "crc.npz", "w") as z:   # flipped data byte: the CRC check speaks
        z.writestr("w.npy", _npy_header("<f4", (2,)) + b"\0" * 8)
    data = bytearray((tmp_path / "crc.npz").read_bytes())
    data[data.index(b"\n\0\0\0\0") + 1] = 1
    (tmp_path / "crc.npz").write_bytes(bytes(data))
    with pytest.raises(ValueError, match="crc.npz is not a readable .npz file"):
        load(tmp_path / "crc.npz")


def test_npz_bomb_is_refused_before_allocating(tmp_path):
    # a member that claims far more bytes than deflate can expand its stored bytes into
    path = _npz_with_member(tmp_path / "bomb.npz", "x.npy", _npy_header("<f8", (10 ** 6,)) + b"\0" * 8 * 10 ** 6,
                            compress=zipfile.ZIP_DEFLATED)
    assert load(path)["x"].shape == (10 ** 6,)  # 8 MB of zeros deflate legitimately to a few KB
    raw = bytearray(path.read_bytes())
    for at in (raw.index(b"PK\x03\x04") + 22, raw.index(b"PK\x01\x02") + 24):  # uncompressed size fields
        raw[at:at + 4] = (2 ** 32 - 1).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match=r"bomb.npz .*member 'x.npy' claims 4294967295 bytes"):
        load(path)


def test_npz_metadata_that_is_not_json(tmp_path):
    path = tmp_path / "meta.npz"
    np.savez(path, w=np.ones(2, np.float32), __metadata__=np.frombuffer(b"\xff{", np.uint8))
    with pytest.raises(ValueError, match="meta.npz is not a readable .npz file without pickle: __metadata__ is not valid JSON"):
        load_metadata(path)
    np.savez(path, w=np.ones(2, np.float32), __metadata__=np.frombuffer(b'{"a": 1}', np.uint8))
    with pytest.raises(ValueError, match="__metadata__ must be an object of strings"):
        load_metadata(path)


def test_npz_fortran_and_byteswapped_arrays_load(tmp_path):
    a = np.asfortranarray(np.arange(6, dtype=">f4").reshape(2, 3))
    np.savez(tmp_path / "f.npz", a=a, b=np.arange(3, dtype=np.uint16))
    back = load(tmp_path / "f.npz")
    assert back["a"].dtype == np.float32 and back["a"].tolist() == a.tolist() and back["a"].flags.writeable
    assert back["b"].tolist() == [0, 1, 2]


# --- item 2 and 7: interrupted saves --------------------------------------------------------
def _temporaries(directory):
    return sorted(n for n in os.listdir(directory) if n.endswith(".part"))


def _age(path, seconds):
    t = time.time() - seconds
    os.utime(path, (t, t))


_WRITER = textwrap.dedent("""
    import os, sys, time
    import numpy as np
    import neuronet as nt
    def stall(fd):               # the save has written its temporary and is about to sync it
        print("writing", flush=True)
        time.sleep(120)
    os.fsync = stall
    nt.save({"w": np.ones(1000, np.float32)}, sys.argv[1])
""")


def test_save_removes_what_a_killed_save_left_behind(tmp_path):
    target = tmp_path / "w.safetensors"
    save({"w": np.zeros(3, np.float32)}, target)
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    child = subprocess.Popen([sys.executable, "-c", _WRITER, str(target)], stdout=subprocess.PIPE, env=env)
    try:
        assert child.stdout.readline() == b"writing\n"
        [tmp] = _temporaries(tmp_path)
        assert tmp.startswith(".w.safetensors.") and os.path.getsize(tmp_path / tmp) > 4000
        _age(tmp_path / tmp, 3600)                 # even an old-looking temporary is kept while its writer lives
        save({"w": np.ones(3, np.float32)}, target)
        assert _temporaries(tmp_path) == [tmp]
        os.kill(child.pid, signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    assert load(target)["w"].tolist() == [1, 1, 1]  # the killed save never touched the target
    os.utime(tmp_path / tmp)                         # a fresh leftover may be a save that is starting: kept
    save({"w": np.full(3, 2, np.float32)}, target)
    assert _temporaries(tmp_path) == [tmp]
    _age(tmp_path / tmp, nio.STALE_AFTER_S + 1)
    save({"w": np.full(3, 3, np.float32)}, target)
    assert _temporaries(tmp_path) == [] and load(target)["w"].tolist() == [3, 3, 3]


def test_only_this_targets_stale_temporaries_are_removed(tmp_path):
    target = tmp_path / "w.safetensors"
    names = [".w.safetensors.0123456789ab.part",          # a leftover of this target: removed
             ".w.safetensors.0123456789ab.part.keep",     # not the pattern
             ".w.safetensors.x.0123456789ab.part",        # another target's (w.safetensors.x)
             ".v.safetensors.0123456789ab.part",          # another target's
             ".w.safetensors.0123456789AB.part"]          # not what _create_beside writes
    for name in names:
        (tmp_path / name).write_bytes(b"x")
        _age(tmp_path / name, 3600)
    os.mkdir(tmp_path / ".w.safetensors.aaaaaaaaaaaa.part")  # not a regular file
    os.symlink(tmp_path / names[1], tmp_path / ".w.safetensors.bbbbbbbbbbbb.part")
    save({"w": np.zeros(1, np.float32)}, target)
    left = sorted(os.listdir(tmp_path))
    assert names[0] not in left
    assert set(names[1:]) | {".w.safetensors.aaaaaaaaaaaa.part", ".w.safetensors.bbbbbbbbbbbb.part"} <= set(left)


def test_a_locked_temporary_is_never_removed(tmp_path):
    fcntl = pytest.importorskip("fcntl")
    target = tmp_path / "w.npz"
    fd, tmp = nio._create_beside(str(target))  # what a live save holds
    try:
        _age(tmp, 3600)
        assert nio.remove_stale_temporaries(target) == []
        save({"w": np.zeros(1, np.float32)}, target)
        assert os.path.exists(tmp)
    finally:
        os.close(fd)
    assert fcntl and nio.remove_stale_temporaries(target) == [tmp]


@pytest.mark.parametrize("name", ["w.safetensors", "w.npz"])
def test_saves_stay_atomic_and_follow_the_umask(tmp_path, name):
    old = os.umask(0o027)
    try:
        save({"a": np.ones(3, np.float32)}, tmp_path / name)
    finally:
        os.umask(old)
    assert oct(os.stat(tmp_path / name).st_mode & 0o777) == oct(0o640)
    assert os.listdir(tmp_path) == [name]


# --- item 1: load_state_dict is all or nothing ----------------------------------------------
def _mlp():
    model = nt.Sequential([nt.nn.Dense(4, in_features=3), nt.nn.BatchNorm1D(), nt.nn.Dense(2, in_features=4)])
    model.build((None, 3))
    return model


def _snapshot(model):
    return {k: np.array(v, copy=True) for k, v in model.state_dict().items()}


def _unchanged(model, before):
    after = model.state_dict()
    assert after.keys() == before.keys()
    for k, v in before.items():
        assert after[k].dtype == v.dtype and np.array_equal(after[k], v), k


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("bad, error, message", [
    (np.array([["a", "b", "c", "d"]] * 2), TypeError, r"2.weight holds <U1 values; a float32 parameter takes integers or floats"),
    (np.ones((2, 4), np.complex64), TypeError, "2.weight holds complex64 values"),
    (np.ones((2, 4), bool), TypeError, "2.weight holds bool values"),
    (np.array([[None] * 4] * 2), TypeError, "2.weight holds object values"),
    (np.ones((4, 2), np.float32), ValueError, r"2.weight expects shape \(2, 4\), the state has \(4, 2\)"),
    (np.full((2, 4), 1e300), ValueError, "2.weight holds values beyond the range of a float32 parameter"),
    ([[1, 2], [3]], TypeError, "2.weight is a list that is not an array"),
])
def test_a_bad_later_value_changes_nothing(strict, bad, error, message):
    model, source = _mlp(), _mlp()
    before = _snapshot(model)
    state = {k: np.array(v, copy=True) + 1 for k, v in source.state_dict().items()}  # earlier keys: all valid
    state["2.weight"] = bad
    if not strict:
        state["extra"] = np.zeros(1)
    with pytest.raises(error, match=f"Sequential.load_state_dict: {message}"):
        model.load_state_dict(state, strict=strict)
    _unchanged(model, before)


def test_integer_buffers_take_integers_in_range():
    model, before = _mlp(), None
    state = dict(model.state_dict())
    before = _snapshot(model)
    for value, error, message in [
        (np.array(2.5), TypeError, "1.num_batches_tracked holds float64 values; a int64 buffer takes integers"),
        (np.array(2 ** 63, dtype=np.uint64), ValueError, "outside the range of a int64 buffer"),
    ]:
        with pytest.raises(error, match=message):
            model.load_state_dict({**state, "1.num_batches_tracked": value})
        _unchanged(model, before)
    model.load_state_dict({**state, "1.num_batches_tracked": np.array(7, np.int32), "0.bias": [1, 2, 3, 4]})
    assert int(model[1].num_batches_tracked) == 7 and model[1].num_batches_tracked.dtype == np.int64
    assert model[0].bias.numpy().tolist() == [1, 2, 3, 4] and model[0].bias.dtype == np.float32


def test_a_string_array_from_an_npz_is_refused_before_anything_changes(tmp_path):
    model = _mlp()
    before = _snapshot(model)
    state = {k: v + 1 for k, v in model.state_dict().items()}
    state["2.bias"] = np.array(["x", "y"])
    np.savez(tmp_path / "w.npz", **state)   # numpy writes strings without pickle
    with np.load(tmp_path / "w.npz") as z:  # what a user reading the file with NumPy gets
        with pytest.raises(TypeError, match="2.bias holds <U1 values"):
            model.load_state_dict(dict(z))
    with pytest.raises(ValueError, match="array '2.bias' has dtype <U1"):
        nt.load(tmp_path / "w.npz")         # nt.load reads only what nt.save writes
    _unchanged(model, before)


# --- items 4 and 5: model files -------------------------------------------------------------
def _trained(tmp_path):
    model = nt.Sequential([nt.nn.Dense(4, activation="relu"), nt.nn.Dense(2)])
    model.compile(optimizer="adam", loss="cross_entropy")
    x = np.random.default_rng(0).standard_normal((16, 3)).astype(np.float32)
    model.fit(x, (x[:, 0] > 0).astype(np.int64), epochs=1, verbose=0)
    path = tmp_path / "m.safetensors"
    model.save(path)
    return model, path, x


def _rewrite(src, dst, change_meta=None, change_tensors=None):
    tensors, meta = dict(load(src)), load_metadata(src)
    if change_meta:
        change_meta(meta)
    if change_tensors:
        change_tensors(tensors)
    save(tensors, dst, metadata=meta)
    return dst


def test_a_state_dict_file_is_not_a_model_file(tmp_path):
    model, path, _ = _trained(tmp_path)
    nt.save(model, tmp_path / "weights.safetensors")
    with pytest.raises(ValueError, match=r"load_model: .*weights.safetensors: this is not a neuronet model file: "
                                         r"it holds no architecture .*use nt.load\(path\) and model.load_state_dict"):
        nt.load_model(tmp_path / "weights.safetensors")
    no_arch = _rewrite(path, tmp_path / "no_arch.safetensors", lambda m: m.pop("architecture"))
    with pytest.raises(ValueError, match=r"no_arch.safetensors: the file has no architecture .*nt.load\(path\)"):
        nt.load_model(no_arch)


@pytest.mark.parametrize("key, value, message", [
    ("architecture", "{not json", "the 'architecture' entry is not valid JSON"),
    ("architecture", "[1, 2]", "the architecture is corrupt: expected"),
    ("architecture", json.dumps({"class": "Sequential", "config": {"layers": [{"__module__": {"class": 3}}]}}),
     "cannot rebuild the architecture: from_config: expected {'class': name"),
    ("architecture", json.dumps({"class": "Dense", "config": {"units": "many"}}),
     "cannot rebuild the architecture: Dense: units must be a positive integer"),
    ("architecture", "[" * 50000 + "]" * 50000, "the 'architecture' entry is not valid JSON"),
    ("input_spec", json.dumps([[[3], "object"]]), "names dtype 'object'; expected a numeric dtype"),
    ("input_spec", json.dumps([[[-3], "<f4"]]), "the 'input_spec' entry is corrupt"),
    ("input_spec", json.dumps([[[2 ** 20, 2 ** 20], "<f4"]]), "more than the 67108864 a model file may ask for"),
    ("epochs_done", "-1", "'epochs_done' entry must be a non-negative integer"),
    ("rng_state", json.dumps({"bit_generator": "PCG64", "state": "x"}), "the 'rng_state' entry is corrupt"),
    ("history", json.dumps({"epoch": 3}), "the 'history' entry is corrupt"),
    ("compile", json.dumps({"optimizer": "adam"}), "the 'compile' entry is corrupt"),
    ("compile", json.dumps({"optimizer": "no-such-optimizer", "loss": "mse", "metrics": [], "learning_rate": None,
                            "clipnorm": None, "clipvalue": None}), "the saved compile settings or optimizer state do not load"),
])
def test_damaged_model_files_name_the_file_and_change_nothing(tmp_path, key, value, message):
    _, path, _ = _trained(tmp_path)
    bad = _rewrite(path, tmp_path / "bad.safetensors", lambda m: m.__setitem__(key, value))
    nt.manual_seed(5)
    rng_before = nt.backend.get_rng().bit_generator.state
    with pytest.raises(ValueError, match=f"load_model: .*bad.safetensors: .*{message}"):
        nt.load_model(bad)
    assert nt.backend.get_rng().bit_generator.state == rng_before  # the shared generator is untouched


def test_weights_that_do_not_fit_the_architecture(tmp_path):
    _, path, _ = _trained(tmp_path)
    bad = _rewrite(path, tmp_path / "bad.safetensors",
                   change_tensors=lambda t: t.__setitem__("model/1.weight", np.zeros((2, 5), np.float32)))
    with pytest.raises(ValueError, match=r"bad.safetensors: the stored weights do not fit the architecture: "
                                         r".*1.weight expects shape \(2, 4\), the state has \(2, 5\)"):
        nt.load_model(bad)


_RAN = []


class Probe(nt.nn.Module):
    """A class of the loading process that a file must not be able to name."""

    def __init__(self, note="x"):
        super().__init__()
        _RAN.append(note)

    def forward(self, x):
        return x


def test_a_model_file_names_only_allowed_classes(tmp_path):
    _, path, x = _trained(tmp_path)
    arch = json.dumps({"class": "Sequential", "config": {"layers": [
        {"__module__": {"class": "Probe", "config": {"note": "ran"}}},
        {"__module__": {"class": "Dense", "config": {"units": 2}}}]}})
    hostile = _rewrite(path, tmp_path / "hostile.safetensors", lambda m: m.__setitem__("architecture", arch),
                       lambda t: [t.pop(k) for k in list(t) if k.startswith(("model/0.", "optimizer/"))])
    for name in ("Probe", "tests.test_load_safety.Probe"):
        spec = {"class": name, "config": {"note": "ran"}}
        with pytest.raises(ValueError, match=f"from_config: the file names class '{name}' .*which is not part of neuronet; "
                                             f".*pass custom_objects={{'{name}': Probe}}"):
            nt.nn.Module.from_config(spec, safe=True)
    with pytest.raises(ValueError, match=r"load_model: .*hostile.safetensors: cannot rebuild the architecture: "
                                         r".*'Probe' \(tests.test_load_safety.Probe\), which is not part of neuronet"):
        nt.load_model(hostile)
    assert _RAN == []  # the constructor never ran
    with pytest.raises(TypeError, match=r"custom_objects\['Probe'\] must be a Module subclass"):
        nt.load_model(hostile, custom_objects={"Probe": print})

    def fitting_weights(t):
        for k in [k for k in t if k.startswith(("model/", "optimizer/"))]:
            t.pop(k)
        t.update({"model/1.weight": np.ones((2, 3), np.float32), "model/1.bias": np.zeros(2, np.float32)})
    allowed = _rewrite(path, tmp_path / "allowed.safetensors",
                       lambda m: (m.__setitem__("architecture", arch), m.pop("compile"), m.pop("optimizer")),
                       fitting_weights)
    model = nt.load_model(allowed, custom_objects={"Probe": Probe})
    assert _RAN == ["ran"] and np.allclose(model.predict(x), x.sum(1, keepdims=True).repeat(2, 1))


def test_registered_classes_and_neuronet_models_still_load(tmp_path):
    model, path, x = _trained(tmp_path)
    assert np.array_equal(nt.load_model(path).predict(x), model.predict(x))
    # a user's class that opted in with register_module loads without custom_objects
    from neuronet.nn import module as nm

    @nt.nn.register_module
    class OptedIn(nt.nn.Module):
        def __init__(self, units=2):
            super().__init__()
            self.inner = nt.nn.Dense(units, in_features=3)

        def forward(self, x):
            return self.inner(x)
    try:
        assert type(nt.nn.Module.from_config(OptedIn().get_config(), safe=True)) is OptedIn
    finally:
        nm._OPTED_IN.discard(OptedIn)


@pytest.mark.parametrize("layer, message", [
    ({"class": "Dense", "config": {"units": 10 ** 13}}, r"Dense.units = 10000000000000, but the file stores only 10 numbers"),
    ({"class": "Embedding", "config": {"num_embeddings": 10 ** 12, "embedding_dim": 8}},
     "Embedding.num_embeddings = 1000000000000"),
    ({"class": "Conv2D", "config": {"filters": 8, "kernel_size": [3, 10 ** 9]}}, r"Conv2D.kernel_size\[1\] = 1000000000"),
])
def test_sizes_beyond_the_stored_weights_are_refused_before_allocating(tmp_path, layer, message):
    _, path, _ = _trained(tmp_path)
    arch = json.dumps({"class": "Sequential", "config": {"layers": [{"__module__": layer}]}})
    bad = _rewrite(path, tmp_path / "big.safetensors", lambda m: (m.__setitem__("architecture", arch),
                                                                  m.__setitem__("input_spec", "null")),
                   lambda t: [t.pop(k) for k in list(t) if not k.startswith("model/1.")])
    with pytest.raises(ValueError, match=f"load_model: .*big.safetensors: the architecture asks for .*{message}"):
        nt.load_model(bad)


def test_products_of_allowed_sizes_are_bounded_by_the_random_draws(tmp_path):
    # every size is allowed (at most 65,536), but Dense(2000) on a 2000-wide input draws 4e6 random
    # numbers for a file that stores 10: refused before drawing.  (The same file with 60000 for
    # 2000 asks for 3.6e9 numbers; before the fix that load was killed for lack of memory.)
    _, path, _ = _trained(tmp_path)
    arch = json.dumps({"class": "Sequential", "config": {"layers": [{"__module__": {"class": "Dense",
                                                                                  "config": {"units": 2000}}}]}})
    bad = _rewrite(path, tmp_path / "wide.safetensors",
                   lambda m: (m.__setitem__("architecture", arch), m.__setitem__("input_spec", json.dumps([[[2000], "<f4"]]))),
                   lambda t: [t.pop(k) for k in list(t) if not k.startswith("model/1.")])
    before = nt.backend.get_rng().bit_generator.state
    with pytest.raises(ValueError, match=r"wide.safetensors: cannot rebuild the architecture: .*would draw 4000000 "
                                         r"random numbers .* more than the 1048596 its stored weights justify"):
        nt.load_model(bad)
    assert nt.backend.get_rng().bit_generator.state == before  # and the shared generator is untouched
