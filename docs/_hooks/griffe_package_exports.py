"""Griffe extension: what a neuronet package's ``__init__.py`` imports by name is its public API.

Griffe counts an imported name as public only when ``__all__`` lists it or a wildcard import brought it;
several neuronet packages (``nt.train``, ``nt.models``, ``nt.nn``) export by plain
``from .model import Model`` instead, so without this the API reference would skip ``Model``. Only
packages without ``__all__`` are touched, only names without a leading underscore, and only objects
defined inside neuronet (modules imported as attributes stay out: each has its own page)."""
from __future__ import annotations

import contextlib

import griffe


class PackageExports(griffe.Extension):
    def on_package(self, *, pkg, **kwargs):
        _mark(pkg, pkg.name)


def _mark(module, root):
    if module.is_init_module and "__all__" not in module.members:
        for name, member in module.members.items():
            if name.startswith("_") or not member.is_alias or not member.target_path.startswith(root + "."):
                continue
            with contextlib.suppress(griffe.AliasResolutionError, griffe.CyclicAliasError):
                if not member.final_target.is_module:
                    member.public = True
    for sub in module.modules.values():
        if not sub.is_alias:
            _mark(sub, root)
