"""Readers of the standard file formats on small fixtures: idx (MNIST), CIFAR-10 binary and python, csv."""
import gzip
import os
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

from neuronet.data import datasets as ds
from neuronet.data.datasets.cifar10 import read_cifar_binary, read_cifar_pickle
from tests.fixtures.make_fixtures import cifar_parts, fixture_pixels, idx_bytes

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _expected_cifar(names):
    parts = cifar_parts()
    x = np.concatenate([parts[n][0] for n in names]).reshape(-1, 3, 32, 32).astype(np.float32) / 255
    y = np.concatenate([parts[n][1] for n in names]).astype(np.int64)
    return x, y


# --- MNIST idx ----------------------------------------------------------------------------------
def test_load_mnist_from_gzip_idx_fixture():
    (x, y), (x_test, y_test) = ds.load_mnist(FIXTURES / "mnist_idx")
    assert x.shape == (3, 1, 28, 28) and x.dtype == np.float32 and y.dtype == np.int64
    assert np.array_equal(y, [5, 0, 4]) and np.array_equal(y_test, [7, 2])
    assert np.array_equal(x.reshape(3, 784), fixture_pixels(3, 784, 0).astype(np.float32) / 255)
    assert np.array_equal(x_test.reshape(2, 784), fixture_pixels(2, 784, 1).astype(np.float32) / 255)
    (xf, _), _ = ds.load_mnist(FIXTURES / "mnist_idx", flatten=True)
    assert xf.shape == (3, 784)


def test_load_mnist_reads_uncompressed_idx(tmp_path):
    for f in (FIXTURES / "mnist_idx").iterdir():
        (tmp_path / f.name[:-3]).write_bytes(gzip.decompress(f.read_bytes()))
    (x, y), (x_test, y_test) = ds.load_mnist(tmp_path)
    (gx, gy), _ = ds.load_mnist(FIXTURES / "mnist_idx")
    assert np.array_equal(x, gx) and np.array_equal(y, gy) and x_test.shape == (2, 1, 28, 28)


def test_read_idx_non_uint8_types(tmp_path):
    data = np.arange(6, dtype=">i4").reshape(2, 3)
    path = tmp_path / "ints-idx2"
    path.write_bytes(bytes([0, 0, 0x0C, 2]) + np.array([2, 3], ">u4").tobytes() + data.tobytes())
    out = ds.read_idx(path)
    assert out.dtype == np.int32 and np.array_equal(out, data)


@pytest.mark.parametrize("damage, message", [
    (lambda b: b[:-10], "expected"),                     # truncated pixels
    (lambda b: b"\x01\x02" + b[2:], "magic number"),     # wrong magic
    (lambda b: b[:6], "truncated"),                      # cut inside the header
])
def test_corrupt_idx_names_the_file(tmp_path, damage, message):
    shutil.copytree(FIXTURES / "mnist_idx", tmp_path, dirs_exist_ok=True)
    target = tmp_path / "train-images-idx3-ubyte.gz"
    target.write_bytes(gzip.compress(damage(gzip.decompress(target.read_bytes()))))
    with pytest.raises(ValueError, match=message) as err:
        ds.load_mnist(tmp_path)
    assert "train-images-idx3-ubyte.gz" in str(err.value)


def test_idx_wrong_dimensions_and_bad_gzip(tmp_path):
    labels_as_images = tmp_path / "x-idx1"
    labels_as_images.write_bytes(idx_bytes(np.arange(4)))
    with pytest.raises(ValueError, match="1 dimensions, expected 3"):
        ds.read_idx(labels_as_images, ndim=3)
    bad = tmp_path / "bad-idx3-ubyte.gz"
    bad.write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="bad-idx3-ubyte.gz"):
        ds.read_idx(bad)


def test_mismatched_image_and_label_counts(tmp_path):
    shutil.copytree(FIXTURES / "mnist_idx", tmp_path, dirs_exist_ok=True)
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(np.array([1, 2]))))
    with pytest.raises(ValueError, match="3 images but .* 2 labels"):
        ds.load_mnist(tmp_path)


def test_load_mnist_missing_folder_or_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a folder"):
        ds.load_mnist(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        ds.load_mnist(tmp_path)


# --- CIFAR-10 -----------------------------------------------------------------------------------
@pytest.mark.parametrize("folder", ["cifar_bin", "cifar_py"])
def test_load_cifar10_both_versions(folder):
    (x, y), (x_test, y_test) = ds.load_cifar10(FIXTURES / folder)
    ex, ey = _expected_cifar(["data_batch_1", "data_batch_2"])
    tx, ty = _expected_cifar(["test_batch"])
    assert x.dtype == np.float32 and y.dtype == np.int64 and x.shape == (4, 3, 32, 32)
    assert np.array_equal(x, ex) and np.array_equal(y, ey)
    assert np.array_equal(x_test, tx) and np.array_equal(y_test, ty)
    (xf, _), _ = ds.load_cifar10(FIXTURES / folder, flatten=True)
    assert xf.shape == (4, 3072)


def test_cifar10_parent_folder_and_batch_order(tmp_path):
    target = tmp_path / "cifar-10-batches-bin"
    shutil.copytree(FIXTURES / "cifar_bin", target)
    for i in range(3, 11):   # data_batch_10 must come after data_batch_2 (numeric, not text, order)
        shutil.copy(target / "data_batch_1.bin", target / f"data_batch_{i}.bin")
    (_, y), _ = ds.load_cifar10(tmp_path)
    assert np.array_equal(y[:4], [3, 8, 0, 9]) and len(y) == 20


def test_cifar_pickle_written_by_numpy_2_protocols(tmp_path):
    pixels, labels = fixture_pixels(3, 3072, 9), [1, 2, 3]
    for protocol in (2, 4, 5):
        path = tmp_path / f"batch{protocol}"
        path.write_bytes(pickle.dumps({"data": pixels, "labels": labels}, protocol=protocol))
        x, y = read_cifar_pickle(path)
        assert np.array_equal(x.reshape(3, 3072), pixels) and np.array_equal(y, labels)


class _Exploit:
    def __reduce__(self):
        return (os.system, ("echo owned > /dev/null",))


def test_cifar_pickle_refuses_other_globals(tmp_path):
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps({b"data": _Exploit(), b"labels": [0]}, protocol=2))
    with pytest.raises(ValueError, match="system is not allowed"):
        read_cifar_pickle(path)


def test_cifar_corrupt_files(tmp_path):
    short = tmp_path / "test_batch.bin"
    short.write_bytes(b"\x01" * 3000)
    with pytest.raises(ValueError, match="3000 bytes"):
        read_cifar_binary(short)
    bad_label = tmp_path / "data_batch_1.bin"
    bad_label.write_bytes(bytes([11]) + bytes(3072))
    with pytest.raises(ValueError, match="label 11"):
        read_cifar_binary(bad_label)
    wrong = tmp_path / "test_batch"
    wrong.write_bytes(pickle.dumps({b"data": np.zeros((2, 10), np.uint8), b"labels": [0, 1]}, protocol=2))
    with pytest.raises(ValueError, match=r"expected uint8 \(N, 3072\)"):
        read_cifar_pickle(wrong)
    wrong.write_bytes(b"garbage")
    with pytest.raises(ValueError, match="not a CIFAR-10 python batch"):
        read_cifar_pickle(wrong)
    with pytest.raises(FileNotFoundError, match="test_batch"):
        ds.load_cifar10(tmp_path / "empty")


# --- MNIST csv (mnist_5k layout) ------------------------------------------------------------------
def test_read_mnist_csv_fixture():
    x, y = ds.read_mnist_csv(FIXTURES / "mnist_5k_sample.csv.gz")
    assert x.shape == (4, 1, 28, 28) and x.dtype == np.float32 and np.array_equal(y, [1, 7, 3, 0])
    assert np.array_equal(x.reshape(4, 784), fixture_pixels(4, 784, 5).astype(np.float32) / 255)


def test_read_mnist_csv_errors(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("1,2,3\n4,5,6\n")
    with pytest.raises(ValueError, match="3 columns, expected 785"):
        ds.read_mnist_csv(path)
    path.write_text(",".join(["300"] * 784 + ["1"]) + "\n")
    with pytest.raises(ValueError, match="outside 0..255"):
        ds.read_mnist_csv(path)
