"""The documentation site (mkdocs.yml, docs/) keeps up with the package: every public subpackage has an API
page in the nav, every top-level name and every drawing function of nt.viz is shown, the README sections the
pages include exist, and the guide's code runs. Needs no mkdocs: CI builds the site itself
(``mkdocs build --strict`` in .ci/run)."""
from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
import re
import types
from pathlib import Path

import pytest

import neuronet as nt

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
#: Packages documented on a page of their parent instead of one of their own, with the page that does it.
DOCUMENTED_WITH_PARENT = {"neuronet.keras.layers": "api/keras.md", "neuronet.keras.datasets": "api/keras.md"}


def nav_pages():
    """The Markdown pages the nav of mkdocs.yml lists (parsed by hand: PyYAML is not a test dependency)."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = text[text.index("\nnav:"):]
    return re.findall(r"^\s*-\s*(?:[^:\n]+:\s*)?(\S+\.md)\s*$", nav, flags=re.M)


def api_identifiers():
    """Every ``::: dotted.path`` in the pages of the nav."""
    found = set()
    for page in nav_pages():
        found.update(re.findall(r"^:::\s*([\w.]+)", (DOCS / page).read_text(encoding="utf-8"), flags=re.M))
    return found


def public_packages():
    """Every package under neuronet/ (a folder with __init__.py) without a leading underscore."""
    out = []
    for init in sorted((ROOT / "neuronet").rglob("__init__.py")):
        parts = init.parent.relative_to(ROOT).parts
        if not any(p.startswith(("_", ".")) for p in parts) and "files" not in parts:
            out.append(".".join(parts))
    return out


def test_every_nav_page_exists():
    pages = nav_pages()
    assert "index.md" in pages and "gallery.md" in pages and "tutorials/index.md" in pages
    missing = [p for p in pages if not (DOCS / p).is_file()]
    assert not missing, f"mkdocs.yml's nav names pages that do not exist: {missing}"


def test_the_nav_covers_every_public_subpackage():
    """A new package without an API page fails here (add a ``::: neuronet.NEW`` page to the nav)."""
    ids = api_identifiers()
    uncovered = [pkg for pkg in public_packages()
                 if pkg != "neuronet" and pkg not in DOCUMENTED_WITH_PARENT
                 and not any(i == pkg or i.startswith(pkg + ".") for i in ids)]
    assert not uncovered, f"no API page in mkdocs.yml's nav documents {uncovered}"
    for pkg, page in DOCUMENTED_WITH_PARENT.items():
        assert f"::: {pkg}" in (DOCS / page).read_text(encoding="utf-8"), f"{page} should document {pkg}"


def test_names_hidden_by_a_module_of_the_same_name_have_their_own_entry():
    """``from .occlusion import occlusion`` in a package: the static reader sees the module, not the
    function, so the page must name the function by its defining path."""
    ids = api_identifiers()
    missing = []
    for pkg_name in public_packages():
        if pkg_name == "neuronet":                       # the top-level page links every name by hand
            continue
        try:
            pkg = importlib.import_module(pkg_name)
        except ImportError:                              # an optional dependency imported at package level
            continue
        for info in pkgutil.iter_modules(pkg.__path__):
            obj = getattr(pkg, info.name, None)
            if obj is None or isinstance(obj, types.ModuleType) or not hasattr(obj, "__qualname__"):
                continue
            path = f"{obj.__module__}.{obj.__qualname__}"
            if path not in ids:
                missing.append(path)
    assert not missing, f"add a '::: PATH' entry to the package's API page for {missing}"


def test_the_top_level_page_names_every_public_name():
    text = (DOCS / "api" / "neuronet.md").read_text(encoding="utf-8")
    names = [n for n in dir(nt) if not n.startswith("_") and not isinstance(getattr(nt, n), types.ModuleType)]
    missing = [n for n in names if f"`nt.{n}`" not in text]
    assert not missing, f"docs/api/neuronet.md does not list {missing}"


def _gallery_module():
    spec = importlib.util.spec_from_file_location("gen_gallery", DOCS / "gen_gallery.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_gallery_shows_every_drawing_function_of_viz():
    from neuronet import viz
    gen = _gallery_module()
    names = gen.drawing_functions(viz)
    assert "plot_network" in names and "save_embedding" in names and "project_2d" not in names
    page = (DOCS / "gallery.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"^### (\w+)$", page, flags=re.M))
    inside = {inner for inner, outer in gen.DRAWN_INSIDE.items() if outer in shown}
    missing = [n for n in names if n not in shown | inside]
    assert not missing, f"docs/gallery.md does not show {missing}: add them to examples/gallery.py and " \
                        "run python docs/gen_gallery.py"
    images = re.findall(r"!\[[^\]]*\]\((gallery/[\w.-]+\.png)\)", page)
    assert len(images) >= len(names) - len(inside)
    absent = [i for i in images if not (DOCS / i).is_file()]
    assert not absent, f"docs/gallery.md shows pictures that are not in docs/gallery/: {absent}"
    total = sum((DOCS / i).stat().st_size for i in set(images))
    assert total < 3_000_000, f"the gallery's PNGs take {total / 1e6:.1f} MB: optimise them (gen_gallery.optimise)"


def test_readme_sections_included_by_the_pages_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    used = set()
    for page in DOCS.rglob("*.md"):
        used.update(re.findall(r'--8<-- "README\.md:([\w-]+)"', page.read_text(encoding="utf-8")))
    assert {"intro", "setup", "performance"} <= used
    for name in sorted(used):
        start, end = f"--8<-- [start:{name}]", f"--8<-- [end:{name}]"
        assert readme.count(start) == 1 and readme.count(end) == 1, \
            f"README.md needs one '<!-- {start} -->' and one '<!-- {end} -->' (docs pages include it)"
        assert readme.index(start) < readme.index(end)


def _load_hook(name):
    spec = importlib.util.spec_from_file_location(name, DOCS / "_hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tutorial_notebooks_join_the_nav_in_order(tmp_path):
    hook = _load_hook("tutorials_nav")
    (tmp_path / "tutorials").mkdir()
    for name in ("02_xor.ipynb", "01_neuron.ipynb", "index.md"):
        (tmp_path / "tutorials" / name).write_text("{}")
    config = {"docs_dir": str(tmp_path), "nav": [{"Home": "index.md"},
                                                 {"Tutorials": ["tutorials/index.md", "tutorials/02_xor.ipynb"]}]}
    hook.on_config(config)
    assert config["nav"][1]["Tutorials"] == ["tutorials/index.md", "tutorials/02_xor.ipynb",
                                             "tutorials/01_neuron.ipynb"]
    with pytest.raises(ValueError, match="no 'Tutorials' section"):
        hook.on_config({"docs_dir": str(tmp_path), "nav": [{"Home": "index.md"}]})


def test_sphinx_roles_render_as_code():
    hook = _load_hook("sphinx_roles")
    html = '<p>See :func:<code>lstm</code> and :class:<code>Model</code>.</p><p>Example::</p>'
    assert hook.clean_roles(html) == '<p>See <code>lstm</code> and <code>Model</code>.</p><p>Example:</p>'


def _python_blocks(page):
    return re.findall(r"^```python\n(.*?)^```", page.read_text(encoding="utf-8"), flags=re.M | re.S)


@pytest.mark.parametrize("page", sorted(p.name for p in (DOCS / "guide").glob("*.md") if _python_blocks(p)))
def test_the_guide_examples_run(page, tmp_path, monkeypatch):
    """Each page's Python blocks run in order in one namespace, in a scratch folder (they write files)."""
    blocks = _python_blocks(DOCS / "guide" / page)
    monkeypatch.chdir(tmp_path)
    nt.manual_seed(0)
    namespace = {"__name__": "docs_example"}
    for i, block in enumerate(blocks):
        exec(compile(block, f"docs/guide/{page} (block {i + 1})", "exec"), namespace)  # noqa: S102
    assert os.getcwd() == str(tmp_path)


def test_example_sections_are_read_as_google_examples():
    pytest.importorskip("griffe", reason="needs griffe (the docs extra): pip install -e '.[docs]'")
    spec = importlib.util.spec_from_file_location("griffe_example_sections",
                                                  DOCS / "_hooks" / "griffe_example_sections.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = "Pick values.\n\nExample:\n    >>> f([0, 1])\n    [0, 1]\n\nFor example: x.\nExample::\n\n    f(x)\n"
    assert module.plural_examples(text) == text.replace("\nExample:\n", "\nExamples:\n", 1)


def test_the_griffe_extensions_shape_what_the_reference_shows():
    """The three extensions of mkdocs.yml on the real package: imported names of a package without
    ``__all__`` are public, bare ``self.x`` attributes are dropped, ``Example:`` is an examples section."""
    griffe = pytest.importorskip("griffe", reason="needs griffe (the docs extra): pip install -e '.[docs]'")
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    specs = re.findall(r"^\s*-\s*(docs/_hooks/griffe_\w+\.py:\w+)", text, flags=re.M)
    assert len(specs) == 3
    extensions = griffe.load_extensions(*[str(ROOT / s) for s in specs])
    pkg = griffe.load("neuronet", search_paths=[str(ROOT)], extensions=extensions, resolve_aliases=False)
    train = pkg["train"]
    assert train["Model"].is_public and train["load_model"].is_public
    assert "patience" not in train["callbacks"]["EarlyStopping"].members
    assert "\nExample:\n" in (ROOT / "neuronet" / "data" / "__init__.py").read_text(encoding="utf-8")
    assert "examples" in [section.kind.value for section in pkg["data"].docstring.parse("google")]
