"""The API reference's examples are tests: every ``>>>`` example in a public name's docstring runs as a doctest.

Public names are the functions and classes reachable from ``import neuronet as nt``: the top level, every
subpackage (``nt.functional``, ``nt.nn``, ... and the lazily loaded ``nt.models``, ``nt.viz``,
``nt.interpret``, ``nt.onnx``, ``nt.pytorch``, ``nt.keras``, ``nt.distributed``) through its ``__all__``
(or its public attributes when it has none), deduplicated by object so a name exported twice runs once.
A class's example sits in the class docstring; examples in its methods' docstrings run with it.

Every example starts from the same state: ``nt``, ``np`` and ``F`` (``nt.functional``) imported, seed 0,
float32 default, NumPy printing at 4 digits, and the current directory a fresh temporary one (plots and
saved files land there).  An example that needs an optional package that is not installed (matplotlib,
torch, onnx, ...) skips with the package named, so the NumPy-only install runs the rest.

``test_public_name_has_example`` lists the names without an example, one test each; the names still
waiting for one are in ``docstring_examples_todo.txt`` (expected failures, strict: remove a name from the
file when its example lands).  A new public name without an example fails.
"""
from __future__ import annotations

import doctest
import importlib
import importlib.util
import inspect
import os
import pkgutil
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import neuronet as nt
from tests.helpers import SKIP_REASONS

LAZY = ("models", "viz", "interpret", "distributed", "onnx", "pytorch", "keras")
#: Plain modules that are namespaces of the API (``nt.callbacks``, ``nt.metrics``, ``nt.nn.init``, ``nt.cuda``).
NAMESPACES = ("neuronet.train.callbacks", "neuronet.train.metrics", "neuronet.nn.init", "neuronet.cuda")
OPTIONFLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
TODO_FILE = Path(__file__).with_name("docstring_examples_todo.txt")


def _public_attributes(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    return names


def public_objects():
    """``{qualified name: object}`` for every public function and class, breadth first from ``neuronet``.

    Subpackages are followed (and modules a package lists in ``__all__``, and ``NAMESPACES``); plain
    submodules that are attributes only because a package imported from them are not, so their
    helpers stay private.
    The first name an object is reached by is its name here."""
    queue = [nt] + [importlib.import_module(f"neuronet.{n}") for n in LAZY] + [
        importlib.import_module(n) for n in NAMESPACES]
    for package in pkgutil.walk_packages(nt.__path__, "neuronet."):  # every subpackage, imported or not yet:
        if package.ispkg:                                              # what is found must not depend on test order
            importlib.import_module(package.name)
    visited, found, ids = set(), {}, set()
    while queue:
        module = queue.pop(0)
        if module.__name__ in visited:
            continue
        visited.add(module.__name__)
        listed = set(getattr(module, "__all__", ()))
        for name in _public_attributes(module):
            obj = getattr(module, name)
            if isinstance(obj, types.ModuleType):
                if obj.__name__.startswith("neuronet") and (hasattr(obj, "__path__") or name in listed):
                    queue.append(obj)
                continue
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            if not getattr(obj, "__module__", "").startswith("neuronet") or id(obj) in ids:
                continue
            ids.add(id(obj))
            found[f"{module.__name__}.{name}"] = obj
    return found


PUBLIC = public_objects()
TODO = {line.strip() for line in TODO_FILE.read_text().splitlines()
        if line.strip() and not line.startswith("#")} if TODO_FILE.exists() else set()


def _doctests(name, obj):
    """The doctests of ``obj`` and (for a class) of its own methods, each docstring once."""
    finder = doctest.DocTestFinder(recurse=inspect.isclass(obj), exclude_empty=True)
    module = inspect.getmodule(obj)
    tests = finder.find(obj, name, module=module, globs={})
    return [t for t in tests if t.examples]


def _has_example(obj):
    return ">>>" in (obj.__doc__ or "")


def _missing_optional(exc):
    """The name of the optional package whose absence raised ``exc`` (or the error it was raised from), or None."""
    while exc is not None:
        if isinstance(exc, ImportError) and getattr(exc, "name", None):
            top = exc.name.split(".")[0]
            if top != "neuronet" and importlib.util.find_spec(top) is None:
                return top
        exc = exc.__cause__ or exc.__context__
    return None


class _Runner(doctest.DocTestRunner):
    """A DocTestRunner that keeps the unexpected exceptions (to tell a missing package from a bug)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.exceptions = []

    def report_unexpected_exception(self, out, test, example, exc_info):
        self.exceptions.append(exc_info[1])
        super().report_unexpected_exception(out, test, example, exc_info)


@pytest.fixture
def doctest_state(tmp_path, monkeypatch):
    """Same start for every example: seed 0, float32, short NumPy printing, a fresh working directory."""
    monkeypatch.chdir(tmp_path)
    environ = dict(os.environ)
    saved = np.get_printoptions()
    np.set_printoptions(precision=4, suppress=True)
    np.random.seed(0)
    nt.manual_seed(0)
    nt.set_default_dtype(np.float32)
    if importlib.util.find_spec("matplotlib") is not None:  # plots render at a low resolution: faster
        monkeypatch.setattr("neuronet.viz._figure.DPI", 30)
    yield
    np.set_printoptions(**saved)
    nt.set_default_dtype(np.float32)
    os.environ.clear()
    os.environ.update(environ)
    if "matplotlib.pyplot" in sys.modules:  # figures an example left open
        sys.modules["matplotlib.pyplot"].close("all")


WITH_EXAMPLES = sorted(name for name, obj in PUBLIC.items() if _doctests(name, obj))


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples(name, doctest_state):
    """The examples of ``name`` print what their docstring says."""
    obj = PUBLIC[name]
    runner = _Runner(optionflags=OPTIONFLAGS, verbose=False)
    report = []
    for test in _doctests(name, obj):
        test.globs = {"nt": nt, "np": np, "F": nt.functional, "__name__": "__doctest__"}
        runner.run(test, out=report.append, clear_globs=True)
    if runner.failures:
        for exc in runner.exceptions:
            package = _missing_optional(exc)
            if package is not None:
                pytest.skip(f"{name}: the example " + SKIP_REASONS.get(package, f"needs {package}: pip install {package}"))
        pytest.fail(f"{name}: {runner.failures} failing example(s)\n" + "".join(report), pytrace=False)
    if not runner.tries:  # every example marked +SKIP: a dataset download or an MPI launch
        pytest.skip(f"{name}: its examples are marked +SKIP (a dataset download, mpiexec or a file written by Keras)")


def _with_todo_mark(name):
    if name in TODO:
        return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason="no example yet (docstring_examples_todo.txt)"))
    return name


@pytest.mark.parametrize("name", [_with_todo_mark(n) for n in sorted(PUBLIC)])
def test_public_name_has_example(name):
    """Every public name's docstring shows it in use (a ``>>>`` example)."""
    obj = PUBLIC[name]
    assert obj.__doc__, f"{name} has no docstring"
    assert _has_example(obj), f"{name}: its docstring has no >>> example"


def test_todo_list_names_public_names():
    """The to-do list holds only public names (a renamed or removed one is taken off it)."""
    stale = sorted(TODO - set(PUBLIC))
    assert not stale, f"docstring_examples_todo.txt names what is not public: {stale}"
