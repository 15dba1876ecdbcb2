"""The tutorial notebooks (docs/tutorials): the index lists each notebook once and in order, every notebook
is committed without outputs, and each equals what build_notebooks.py writes from its chapter source.

Running them is CI's job (`python -m pytest -q -n 2 --nbmake docs/tutorials`); these checks need only
the standard library, so they run in the NumPy-only install too.
"""
from __future__ import annotations

import ast
import importlib.util
import json
import re
from pathlib import Path

import pytest

TUTORIALS = Path(__file__).resolve().parents[1] / "docs" / "tutorials"
NOTEBOOKS = sorted(p.name for p in TUTORIALS.glob("*.ipynb"))
pytestmark = pytest.mark.skipif(not (TUTORIALS / "build_notebooks.py").is_file(),
                                reason="docs/tutorials is not in this tree (the sdist leaves docs/ out)")


def _builder():
    spec = importlib.util.spec_from_file_location("build_notebooks", TUTORIALS / "build_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load(name):
    return json.loads((TUTORIALS / name).read_text(encoding="utf-8"))


def _text(source):
    return "".join(source) if isinstance(source, list) else source


def test_index_lists_every_notebook_once_in_order():
    linked = re.findall(r"\]\(([^)]+\.ipynb)\)", (TUTORIALS / "index.md").read_text(encoding="utf-8"))
    assert linked == NOTEBOOKS, f"index.md links {linked}, the folder holds {NOTEBOOKS}"
    assert len(NOTEBOOKS) >= 15
    numbers = [int(n[:2]) for n in NOTEBOOKS]
    assert numbers == list(range(1, len(NOTEBOOKS) + 1)), f"notebooks must be numbered 01, 02, ...: {NOTEBOOKS}"


def test_index_is_what_the_builder_writes():
    builder = _builder()
    assert (TUTORIALS / "index.md").read_text(encoding="utf-8") == builder.index_text(builder.chapters())


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_committed_without_outputs(name):
    nb = _load(name)
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{name} cell {i} has outputs: clear them (rebuild the notebooks)"
            assert cell.get("execution_count") is None, f"{name} cell {i} has an execution count"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_equals_its_chapter_source(name):
    _, cells = _builder().parse(TUTORIALS / "src" / (name[:-6] + ".py"))
    nb = _load(name)
    got = [(c["cell_type"], _text(c["source"])) for c in nb["cells"]]
    assert got == cells, f"{name} differs from src/{name[:-6]}.py: run python docs/tutorials/build_notebooks.py"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert got[0][0] == "markdown" and got[0][1].startswith("# "), f"{name} must open with a '# title' cell"
    for kind, text in got:
        if kind == "code":
            ast.parse(text)                                  # a syntax error fails here, not only in CI's run
            assert "nt.__file__" not in text, f"{name}: remove the development check of nt.__file__"


def test_parse_reads_percent_cells(tmp_path):
    src = tmp_path / "01_x.py"
    src.write_text("# title: a line\n# %% [markdown]\n# # Heading\n#\n# text $x$\n\n# %%\nx = 1\n\nprint(x)\n")
    title, cells = _builder().parse(src)
    assert title == "a line"
    assert cells == [("markdown", "# Heading\n\ntext $x$"), ("code", "x = 1\n\nprint(x)")]
    (tmp_path / "02_y.py").write_text("# %%\nx = 1\n")
    with pytest.raises(ValueError, match="02_y.py: the first line must be '# title: ...'"):
        _builder().parse(tmp_path / "02_y.py")
