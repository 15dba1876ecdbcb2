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
