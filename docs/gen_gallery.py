"""Write the docs' gallery: run ``examples/gallery.py`` with every ``nt.viz`` drawing function watched, keep
each PNG it writes (palette-quantised: a third of the size), and write ``docs/gallery.md`` with each
function's name, the call that drew the picture, and the picture.

The PNGs and the page are committed (rendering takes minutes of CPU, which the docs build and CI should not
spend on every run); ``tests/test_docs.py`` checks that the page shows every public drawing function of
``nt.viz`` and that each picture it shows is there. Re-run after changing a plot or the gallery example:

    python docs/gen_gallery.py            (needs matplotlib and Pillow; about 3 minutes on a laptop CPU)
"""
from __future__ import annotations

import ast
import functools
import importlib.util
import inspect
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "gallery.py"
IMAGES = ROOT / "docs" / "gallery"
PAGE = ROOT / "docs" / "gallery.md"

#: The drawing functions of nt.viz: what the page must show (helpers that compute numbers are left out).
DRAWING_PREFIXES = ("plot_", "save_", "draw_")

#: What each part of examples/gallery.py trains before it draws (section titles and intros of the page).
SECTIONS = {
    "course_sheets": ("Course sheets", "Pictures computed from neuronet itself: the activation and loss "
                      "catalogues (derivatives from the backward passes), schedules, optimizers on test "
                      "surfaces, convolution arithmetic, positional encodings, attention, recurrent states "
                      "and gradients through time."),
    "boundary_pictures": ("Two-dimensional problems", "Small MLPs trained on the moons, two spirals and "
                          "circles: the Playground pictures."),
    "digits_pictures": ("A CNN on the 8×8 digits", "A two-convolution CNN trained on 1,400 of the 8×8 digits "
                        "(filters, feature maps, evaluation, attributions), and a logistic regression for "
                        "the ROC and precision–recall curves."),
    "chapter_pictures": ("Later chapters", "Classic, energy-based, generative and graph networks on small "
                         "real data: a perceptron on Iris, a SOM of the digits, an echo-state network on "
                         "the sunspots, an RBM and a Hopfield network on binarised digits, a 2-D VAE, the "
                         "karate club's GCN."),
    "fashion_shap": ("Shapley values", "The course's MLP trained on 10,000 Fashion-MNIST images, explained "
                     "with KernelSHAP."),
    "word_vectors": ("Word vectors", "word2vec's skip-gram trained for a fraction of a second on 2,000 "
                     "sentences made from templates in which each of four word groups has contexts of its own."),
}

#: Functions that draw inside another's picture rather than one of their own.
DRAWN_INSIDE = {"draw_som_grid": "save_som_maps"}


def drawing_functions(viz):
    """The public drawing functions of ``nt.viz``, by name."""
    return sorted(n for n in viz.__all__ if n.startswith(DRAWING_PREFIXES) and callable(getattr(viz, n)))


def _load_example():
    spec = importlib.util.spec_from_file_location("gallery_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _call_source(tree, source, name, line):
    """The text of the call ``….name(...)`` that runs on ``line`` of the example."""
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Attribute) and node.func.attr == name
             and node.lineno <= line <= node.end_lineno]
    if not calls:
        raise RuntimeError(f"gen_gallery: no call of {name} found at {EXAMPLE.name}:{line}")
    return textwrap.dedent(ast.get_source_segment(source, min(calls, key=lambda c: c.end_lineno - c.lineno),
                                                  padded=True))


def watch(viz, records):
    """Wrap every drawing function of ``viz`` so that each top-level call from the example is recorded as
    (part of the example, function name, call text, PNG name); returns the originals to put back."""
    source = EXAMPLE.read_text(encoding="utf-8")
    tree = ast.parse(source)
    depth = [0]
    originals = {}
    for name in drawing_functions(viz):
        fn = getattr(viz, name)
        originals[name] = fn

        @functools.wraps(fn)
        def wrapper(*args, __fn=fn, __name=name, **kwargs):
            caller = sys._getframe(1)
            top = depth[0] == 0 and Path(caller.f_code.co_filename).resolve() == EXAMPLE
            depth[0] += 1
            try:
                result = __fn(*args, **kwargs)
            finally:
                depth[0] -= 1
            if top:
                bound = inspect.signature(__fn).bind(*args, **kwargs).arguments
                records.append((caller.f_code.co_name, __name, _call_source(tree, source, __name, caller.f_lineno),
                                Path(str(bound["path"])).name))
            return result
        setattr(viz, name, wrapper)
    return originals


def optimise(path: Path):
    """Rewrite a PNG as 8-bit palette (adaptive, 256 colours) on white: plots have few colours."""
    from PIL import Image
    with Image.open(path) as img:
        rgba = img.convert("RGBA")
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    flat.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(path, optimize=True)


def write_page(records, names, seconds):
    lines = ["# Gallery", "",
             "Every drawing function of [`nt.viz`](api/viz.md), as drawn by `examples/gallery.py` "
             "(`python examples/gallery.py OUT_DIR` renders them all; the models it trains are small and real). "
             "Under each picture: the function and the call that drew it; the variables it names are made "
             "a few lines above that call in the example. Each function writes a PNG when given a path and "
             "returns the matplotlib Figure, which a notebook shows inline.", "",
             f"This page and its pictures are written by `python docs/gen_gallery.py` ({seconds:.0f} s when "
             "last run); `tests/test_docs.py` checks that it shows every drawing function of `nt.viz`.", ""]
    shown = {r[1] for r in records}
    part = None
    for where, name, call, png in records:
        if where != part:
            part = where
            title, intro = SECTIONS.get(where, (where, ""))
            lines += [f"## {title}", "", intro + f" (`{where}()` in `examples/gallery.py`.)", ""]
        inside = [inner for inner, outer in DRAWN_INSIDE.items() if outer == name]
        note = f" — each panel drawn by [`{inside[0]}`][neuronet.viz.{inside[0]}]" if inside else ""
        lines += [f"### {name}", "", f"[`nt.viz.{name}`][neuronet.viz.{name}]{note}", "",
                  "```python", call, "```", "", f"![{name}](gallery/{png})", ""]
    missing = [n for n in names if n not in shown and n not in DRAWN_INSIDE]
    if missing:
        raise RuntimeError(f"gen_gallery: examples/gallery.py draws nothing with {missing}; add them there")
    PAGE.write_text("\n".join(lines), encoding="utf-8")


def main():
    sys.path.insert(0, str(ROOT))
    from neuronet import viz
    example = _load_example()
    records = []
    originals = watch(viz, records)
    IMAGES.mkdir(parents=True, exist_ok=True)
    for old in IMAGES.glob("*.png"):
        old.unlink()
    start = time.perf_counter()
    try:
        example.main(str(IMAGES))
    finally:
        for name, fn in originals.items():
            setattr(viz, name, fn)
    seconds = time.perf_counter() - start
    before = sum(p.stat().st_size for p in IMAGES.glob("*.png"))
    for png in IMAGES.glob("*.png"):
        optimise(png)
    after = sum(p.stat().st_size for p in IMAGES.glob("*.png"))
    write_page(records, drawing_functions(viz), seconds)
    print(f"{len(records)} pictures in {seconds:.0f} s; PNGs {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB; "
          f"wrote {PAGE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
