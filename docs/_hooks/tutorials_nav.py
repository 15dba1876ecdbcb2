"""MkDocs hook: every tutorial notebook (``docs/tutorials/NN_name.ipynb``) joins the nav's "Tutorials"
section, sorted by file name, so a new chapter needs no edit of mkdocs.yml (the nav entry takes the
notebook's first heading as its title)."""
from pathlib import Path


def tutorial_pages(docs_dir):
    """The notebooks under ``docs_dir/tutorials`` as nav paths (``tutorials/01_neuron.ipynb``), sorted."""
    folder = Path(docs_dir) / "tutorials"
    return [f"tutorials/{p.name}" for p in sorted(folder.glob("*.ipynb"))]


def on_config(config):
    for entry in config["nav"] or []:
        if isinstance(entry, dict) and "Tutorials" in entry:
            section = entry["Tutorials"]
            listed = {item if isinstance(item, str) else next(iter(item.values())) for item in section}
            section.extend(page for page in tutorial_pages(config["docs_dir"]) if page not in listed)
            return config
    raise ValueError("mkdocs.yml: the nav has no 'Tutorials' section for the tutorial notebooks")
