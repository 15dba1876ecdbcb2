"""Argument checks shared across the house (imports nothing of neuronet, so any layer may use it).

Each check returns the value it accepted in its plain Python form, or raises a ``ValueError``
whose message names the owner (layer or function), the argument and what it received.
"""
from __future__ import annotations

import numbers

__all__ = ["positive_int"]


def positive_int(owner: str, name: str, value) -> int:
    """``value`` as an ``int`` when it is an integer ≥ 1 (Python or NumPy integer; ``True`` is not
    a size), else ``ValueError("{owner}: {name} must be a positive integer, got ...")``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return int(value)
