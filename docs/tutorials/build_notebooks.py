"""Write the tutorial notebooks ``NN_name.ipynb`` and ``index.md`` from the chapter sources in ``src/``.

Each source is a plain Python script in the "percent" cell format (as Jupytext and VS Code read it):
``# %% [markdown]`` starts a text cell whose lines are ``# ``-prefixed Markdown, ``# %%`` starts a code
cell.  The first line is ``# title: one line for the index``.  The scripts run as they are
(``python src/01_neuron.py``), which keeps the notebooks diffable and easy to edit; the ``.ipynb`` files
are written without outputs (CI executes them: ``python -m pytest --nbmake docs/tutorials``).

Run: python docs/tutorials/build_notebooks.py        (needs nbformat)
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"

INDEX_HEAD = """# Tutorials

One notebook per chapter of the course, in the order the course teaches them. Each one runs in
seconds on a laptop CPU (small subsets of the real datasets and few epochs — each says where it
cut corners) and draws the chapter's pictures with `nt.viz`. CI executes every notebook
(`python -m pytest -q -n 2 --nbmake docs/tutorials`).

"""


def parse(path: Path):
    """(title line, [(cell type, source text)]) of one percent-format script."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or not lines[0].startswith("# title:"):
        raise ValueError(f"{path.name}: the first line must be '# title: ...', got {lines[:1]!r}")
    title = lines[0][len("# title:"):].strip()
    cells, kind, body = [], None, []

    def flush():
        while body and not body[-1].strip():
            body.pop()
        while body and not body[0].strip():
            body.pop(0)
        if kind is not None and body:
            text = "\n".join(body)
            cells.append((kind, text))

    for line in lines[1:]:
        if line.startswith("# %%"):
            flush()
            kind, body = ("markdown" if "[markdown]" in line else "code"), []
        elif kind == "markdown":
            if line.strip() and not line.startswith("#"):
                raise ValueError(f"{path.name}: a markdown cell line must start with '#': {line!r}")
            body.append(line[2:] if line.startswith("# ") else line[1:])
        elif kind == "code":
            body.append(line)
    flush()
    return title, cells


def chapters():
    """[(notebook name, title, cells)] in chapter order."""
    out = []
    for path in sorted(SOURCES.glob("[0-9][0-9]_*.py")):
        title, cells = parse(path)
        out.append((path.stem + ".ipynb", title, cells))
    return out


def notebook(cells):
    import nbformat
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                   "language_info": {"name": "python"}}
    nb.cells = [nbformat.v4.new_markdown_cell(text) if kind == "markdown" else nbformat.v4.new_code_cell(text)
                for kind, text in cells]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i:02d}"                           # stable ids: rebuilding gives the same file
    return nb


def heading(cells) -> str:
    """The notebook's first Markdown heading (its name in the index)."""
    for kind, text in cells:
        if kind == "markdown" and text.startswith("# "):
            return text.splitlines()[0][2:].strip()
    raise ValueError("a tutorial must open with a '# heading' Markdown cell")


def index_text(items) -> str:
    lines = [f"{i}. [{heading(cells)}]({name}) — {title}" for i, (name, title, cells) in enumerate(items, 1)]
    return INDEX_HEAD + "\n".join(lines) + "\n"


def main(argv=None):
    import nbformat
    items = chapters()
    for name, _, cells in items:
        nbformat.write(notebook(cells), str(HERE / name))
    (HERE / "index.md").write_text(index_text(items), encoding="utf-8")
    print(f"wrote {len(items)} notebooks and index.md in {HERE}")


if __name__ == "__main__":
    main(sys.argv[1:])
