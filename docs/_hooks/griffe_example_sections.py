"""Griffe extension: a docstring's ``Example:`` section is read as Google style's ``Examples:``.

Griffe knows only the plural; under ``Example:`` it renders the text as an admonition of Markdown, so
``>>>`` lines turn into quotes and an output such as ``[0, 1]`` into a broken cross-reference (which
fails ``mkdocs build --strict``). neuronet's docstrings say ``Example:`` (Keras's habit); this renames
the heading line before griffe parses the docstring, so doctest blocks render as code."""
from __future__ import annotations

import re

import griffe

_SINGULAR = re.compile(r"^(\s*)Example:[ \t]*$", flags=re.M)


def plural_examples(text):
    """``Example:`` heading lines → ``Examples:`` (``Example::`` and ``For example:`` stay as they are)."""
    return _SINGULAR.sub(r"\1Examples:", text)


class ExampleSections(griffe.Extension):
    def on_instance(self, *, obj, **kwargs):
        if obj.docstring is not None and "Example:" in obj.docstring.value:
            obj.docstring.value = plural_examples(obj.docstring.value)
