"""Issue 14: CIFAR-10 batches never run code, never crash inside NumPy or pickle, and both readers
check a batch the same way (each test failed on the readers before the fix)."""
import _codecs
import pickle

import numpy as np
import pytest

from neuronet.data.datasets.cifar10 import read_cifar_binary, read_cifar_pickle

_core = getattr(np, "_core", None) or np.core
PIXELS = np.zeros((2, 3072), np.uint8)


class _Call:
    """Pickles as a call of ``fn(*args)``: what a hostile file can ask the unpickler to do."""

    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


def _pickle(path, data=PIXELS, labels=(0, 1), protocol=2):
    path.write_bytes(pickle.dumps({b"data": data, b"labels": list(labels) if isinstance(labels, tuple) else labels},
                                  protocol=protocol))
    return path


def _binary(path, labels):
    path.write_bytes(b"".join(bytes([v]) + bytes(3072) for v in labels))
    return path


@pytest.mark.parametrize("codec", ["no-such-codec", "rot13", "utf-16"])
def test_only_the_latin1_codec_is_allowed(tmp_path, codec):
    path = _pickle(tmp_path / "data_batch_1", labels=_Call(_codecs.encode, "abc", codec))
    with pytest.raises(ValueError, match=f"read_cifar_pickle: .*data_batch_1 is not a CIFAR-10 python batch "
                                         f".*codec '{codec}' is not allowed in a CIFAR batch"):
        read_cifar_pickle(path)


@pytest.mark.parametrize("labels, message", [
    ([b"cat", b"dog"], r"has label b'cat' \(bytes\) at image 0, expected integer class numbers 0..9"),
    (["0", "1"], r"has label '0' \(str\) at image 0"),
    ([True, False], r"has label True \(bool\) at image 0"),
    ([0.0, 1.5], r"has label 0.0 \(float\) at image 0"),
    ([3, 10], "has label 10 at image 1, expected 0..9"),
    ([-1, 0], "has label -1 at image 0, expected 0..9"),
    ([0, 2 ** 70], "has label 1180591620717411303424 at image 1, expected 0..9"),
    (np.array([[0, 1]]), r"has labels int64\(1, 2\), expected one integer per image"),
    (np.array([0.0, 1.0]), r"has labels float64\(2,\), expected one integer per image"),
    ("01", "has labels of type str, expected a list of integers"),
    ([0, 1, 2], "has 2 images and 3 labels, expected one label per image"),
])
def test_labels_must_be_class_numbers(tmp_path, labels, message):
    path = _pickle(tmp_path / "test_batch", labels=labels)
    with pytest.raises(ValueError, match=f"read_cifar_pickle: .*test_batch {message}"):
        read_cifar_pickle(path)


@pytest.mark.parametrize("data, message", [
    (np.zeros((2, 3, 32, 32), np.uint8), r"has data uint8\(2, 3, 32, 32\), expected uint8 \(N, 3072\)"),
    (np.zeros((2, 3072), np.int64), r"has data int64\(2, 3072\)"),
    ([[0] * 3072] * 2, "has data list, expected uint8"),
    (np.zeros((0, 3072), np.uint8), "has no images"),
])
def test_data_must_be_uint8_rows_of_3072(tmp_path, data, message):
    path = _pickle(tmp_path / "test_batch", data=data, labels=[0, 1] if len(data) else [])
    with pytest.raises(ValueError, match=f"read_cifar_pickle: .*test_batch {message}"):
        read_cifar_pickle(path)


def test_both_readers_agree(tmp_path):
    for labels, message in [([3, 10], "has label 10 at image 1, expected 0..9 \\(CIFAR-10 has 10 classes\\)"),
                            ([255], "has label 255 at image 0, expected 0..9")]:
        pixels = np.zeros((len(labels), 3072), np.uint8)
        with pytest.raises(ValueError, match=f"read_cifar_pickle: .*batch {message}"):
            read_cifar_pickle(_pickle(tmp_path / "batch", data=pixels, labels=labels))
        with pytest.raises(ValueError, match=f"read_cifar_binary: .*batch.bin {message}"):
            read_cifar_binary(_binary(tmp_path / "batch.bin", labels))
    (tmp_path / "empty.bin").write_bytes(b"")
    with pytest.raises(ValueError, match="read_cifar_binary: .*empty.bin has 0 bytes"):
        read_cifar_binary(tmp_path / "empty.bin")
    x, y = read_cifar_binary(_binary(tmp_path / "ok.bin", [9, 0]))
    x2, y2 = read_cifar_pickle(_pickle(tmp_path / "ok", labels=np.array([9, 0], np.uint8)))
    assert np.array_equal(x, x2) and y.tolist() == y2.tolist() == [9, 0] and y.dtype == y2.dtype == np.int64


@pytest.mark.parametrize("payload, message", [
    # an array of 10^14 bytes asked for by a 200-byte file: refused, never allocated (MemoryError before)
    (_Call(_core.multiarray._reconstruct, np.ndarray, (10 ** 14,), b"B"), "is not how NumPy pickles an array"),
    (_Call(np.ndarray, (10 ** 14,), "B"), "is not callable|object is not callable"),
    # object arrays rebuilt from lists of Python objects (the labels were silently cast before)
    (np.array([0, 1], dtype=object), "dtype object is not allowed in a CIFAR batch"),
    (np.zeros(2, dtype=[("a", "u1")]), "is not allowed in a CIFAR batch"),
    (np.array(["0", "1"]), "dtype <U1 is not allowed"),
])
def test_hostile_arrays_are_refused_before_allocating(tmp_path, payload, message):
    path = _pickle(tmp_path / "data_batch_1", labels=payload)
    with pytest.raises(ValueError, match=f"read_cifar_pickle: .*data_batch_1 is not a CIFAR-10 python batch .*({message})"):
        read_cifar_pickle(path)


def test_truncated_and_malformed_pickles(tmp_path):
    good = _pickle(tmp_path / "good").read_bytes()
    for i, content in enumerate([good[:len(good) // 2], b"\x80\x02}q\x00(X\x01", b"\x80\x05\x95" + b"\xff" * 20,
                                 b"(lp0\nI1\naI2\na(" + b"\x85" * 4]):
        path = tmp_path / f"bad{i}"
        path.write_bytes(content)
        with pytest.raises(ValueError, match=f"read_cifar_pickle: .*bad{i} (is not a CIFAR-10 python batch|holds a)"):
            read_cifar_pickle(path)
    with pytest.raises(FileNotFoundError):
        read_cifar_pickle(tmp_path / "missing")


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_numpy_scalars_and_arrays_as_labels_still_load(tmp_path, protocol):
    for labels in ([np.int64(3), 4], np.array([3, 4], np.int32)):
        x, y = read_cifar_pickle(_pickle(tmp_path / "b", labels=labels, protocol=protocol))
        assert y.tolist() == [3, 4] and y.dtype == np.int64 and x.shape == (2, 3, 32, 32)


def test_bytes_is_allowed_only_empty(tmp_path):
    path = _pickle(tmp_path / "b", labels=_Call(bytes, 10 ** 12))
    with pytest.raises(ValueError, match="bytes\\(\\) with arguments is not allowed"):
        read_cifar_pickle(path)
