"""The loaders on the real data: Fashion-MNIST, MNIST-5k, Shakespeare (fetched) and Iris, digits (shipped)."""
import numpy as np
import pytest

from neuronet.data import datasets as ds
from neuronet.data.datasets.registry import SOURCES
from tests.helpers import need


@pytest.fixture(scope="module")
def fashion(ensure_dataset):
    ensure_dataset("fashion-mnist")
    return ds.load_fashion_mnist(download=False)


def test_fashion_mnist_shapes_dtypes_and_counts(fashion):
    (x, y), (x_test, y_test) = fashion
    assert x.shape == (60000, 1, 28, 28) and x_test.shape == (10000, 1, 28, 28)
    assert x.dtype == np.float32 and y.dtype == np.int64
    assert x.min() == 0.0 and x.max() == 1.0
    assert np.array_equal(np.bincount(y), np.full(10, 6000))
    assert np.array_equal(np.bincount(y_test), np.full(10, 1000))
    assert ds.FASHION_MNIST_CLASSES[y[0]] == "Ankle boot"          # the data set's well-known first image
    assert abs(float(x.mean()) - 0.2860) < 1e-3                      # published training-set mean


def test_fashion_mnist_flatten_matches_images(fashion):
    (x, _), _ = fashion
    (xf, _), _ = ds.load_fashion_mnist(flatten=True, download=False)
    assert xf.shape == (60000, 784)
    assert np.array_equal(xf[:5], x[:5].reshape(5, 784))


def test_fetched_files_match_the_recorded_sums(ensure_dataset):
    for name in ("fashion-mnist", "mnist-5k"):
        ensure_dataset(name)
        folder = ds.dataset_path(name, download=False)
        for base, digest in SOURCES[name].sha256.items():
            assert ds.sha256_of(folder / base) == digest


def test_mnist_5k(ensure_dataset):
    ensure_dataset("mnist-5k")
    x, y = ds.load_mnist_5k(download=False)
    assert x.shape == (5000, 1, 28, 28) and x.dtype == np.float32 and y.dtype == np.int64
    assert np.array_equal(np.bincount(y), np.full(10, 500))
    assert 0.0 == x.min() and x.max() == 1.0
    assert ds.load_mnist_5k(flatten=True, download=False)[0].shape == (5000, 784)


def test_shakespeare(ensure_dataset):
    ensure_dataset("shakespeare")
    works = ds.load_shakespeare(by_work=True, download=False)
    assert len(works) == 42
    assert "To be, or not to be" in works["hamlet"]
    text = ds.load_shakespeare(download=False)
    assert text.isascii() and len(text) == sum(len(t) for t in works.values()) + 2 * 41
    assert text.startswith(works["alls_well_that_ends_well"])


def test_iris_matches_scikit_learn():
    sklearn_datasets = need("sklearn.datasets")
    ref = sklearn_datasets.load_iris()
    x, y = ds.load_iris()
    assert x.dtype == np.float32 and y.dtype == np.int64 and x.shape == (150, 4)
    assert np.array_equal(x, ref.data.astype(np.float32)) and np.array_equal(y, ref.target)
    assert tuple(ref.target_names) == ds.IRIS_CLASSES
    assert tuple(ref.feature_names) == ds.IRIS_FEATURES


def test_iris_header_names_the_classes():
    from neuronet.data.datasets.iris import read_iris_csv
    _, _, names = read_iris_csv(ds.fetch("iris") / "iris.csv")
    assert names == ds.IRIS_CLASSES


def test_digits_matches_scikit_learn():
    sklearn_datasets = need("sklearn.datasets")
    ref = sklearn_datasets.load_digits()
    x, y = ds.load_digits()
    assert x.shape == (1797, 64) and x.dtype == np.float32 and y.dtype == np.int64
    assert np.array_equal(x, (ref.data / 16).astype(np.float32)) and np.array_equal(y, ref.target)
    images, _ = ds.load_digits(flatten=False)
    assert images.shape == (1797, 1, 8, 8)
    assert np.array_equal(images[:, 0], (ref.images / 16).astype(np.float32))
