"""Nested Python objects as named arrays plus a JSON skeleton, so ``nt.save`` can store what ``torch.save`` users
save — ``optimizer.state_dict()``, ``{"model": ..., "optimizer": ..., "epoch": 5}`` — without pickle.

:func:`flatten` walks dicts, lists and tuples; every array (NumPy, CuPy, Tensor, NumPy scalar)
becomes a named array for the safetensors file and ``{"__array__": name}`` in the skeleton; Python
numbers, strings, booleans and None stay in the skeleton as JSON.  Dicts are written as lists of
``[key, value]`` pairs so that integer keys (an optimizer's parameter indices), floats, booleans
and None survive as themselves, tuples as ``{"__tuple__": [...]}``.  :func:`unflatten` rebuilds
the object exactly (types, order, dtypes) and refuses, with a ValueError, a skeleton that names
arrays the file does not have or holds anything it would not write.
"""
from __future__ import annotations

import numbers

import numpy as np

from . import backend
from .tensor import Tensor

__all__ = ["is_tree", "flatten", "unflatten", "TREE_KEY"]

TREE_KEY = "neuronet.tree"  # the metadata entry holding the skeleton (JSON text)


def _is_array(v) -> bool:
    return isinstance(v, (Tensor, np.ndarray)) or (hasattr(v, "__cuda_array_interface__") and hasattr(v, "shape"))


def is_tree(state) -> bool:
    """Whether ``state`` needs the skeleton: a list or tuple, or a dict that is not just string names to arrays."""
    if isinstance(state, (list, tuple)):
        return True
    return isinstance(state, dict) and not all(isinstance(k, str) and _is_array(v) for k, v in state.items())


def _key(k, where):
    if isinstance(k, str):
        return k
    if isinstance(k, bool):
        return {"__bool__": k}
    if isinstance(k, (numbers.Integral, np.integer)):
        return {"__int__": int(k)}
    if isinstance(k, (numbers.Real, np.floating)):
        return {"__float__": float(k)}
    if k is None:
        return {"__none__": True}
    raise TypeError(f"save: dict keys must be strings, numbers, booleans or None, got {type(k).__name__} at {where}")


def flatten(obj) -> tuple[dict, object]:
    """``(arrays, skeleton)``: the arrays by unique name, and the JSON-ready rest of ``obj``."""
    arrays: dict = {}

    def name_for(path):
        name, i = path, 1
        while name in arrays:
            name, i = f"{path}~{i}", i + 1
        return name

    stack_guard = set()

    def walk(o, path):
        if isinstance(o, dict) or isinstance(o, (list, tuple)):
            if id(o) in stack_guard:
                raise ValueError(f"save: the object contains itself (at {path or 'the top'})")
            stack_guard.add(id(o))
            try:
                if isinstance(o, dict):
                    return {"__dict__": [[_key(k, path), walk(v, f"{path}/{k}" if path else str(k))]
                                         for k, v in o.items()]}
                items = [walk(v, f"{path}/{i}" if path else str(i)) for i, v in enumerate(o)]
                return {"__tuple__": items} if isinstance(o, tuple) else items
            finally:
                stack_guard.discard(id(o))
        if _is_array(o):
            arr = backend.to_numpy(o.data if isinstance(o, Tensor) else o)
            name = name_for(path or "array")
            arrays[name] = np.ascontiguousarray(arr) if arr.ndim else arr.copy()
            return {"__array__": name}
        if isinstance(o, np.generic):
            if o.dtype.kind not in "biuf":
                raise TypeError(f"save: cannot store a NumPy {o.dtype} value (at {path})")
            name = name_for(path or "scalar")
            arrays[name] = np.asarray(o)
            return {"__array__": name, "scalar": True}
        if o is None or isinstance(o, (bool, int, float, str)):
            return o
        if hasattr(o, "state_dict") and callable(o.state_dict):
            raise TypeError(f"save: {type(o).__name__} at {path} is saved through its state: put "
                            f"{type(o).__name__.lower()}.state_dict() there (as with torch.save)")
        raise TypeError(f"save: cannot store a {type(o).__name__} (at {path or 'the top'}); nt.save takes arrays, "
                        "tensors, numbers, strings, booleans, None and dicts/lists/tuples of them (never pickle)")

    return arrays, walk(obj, "")


def unflatten(arrays: dict, skeleton):
    """Inverse of :func:`flatten`; a ValueError for anything :func:`flatten` would not have written."""
    def key(k):
        if isinstance(k, str):
            return k
        if isinstance(k, dict) and len(k) == 1:
            (tag, v), = k.items()
            if tag == "__int__" and isinstance(v, int) and not isinstance(v, bool):
                return v
            if tag == "__float__" and isinstance(v, (int, float)) and not isinstance(v, bool):
                return float(v)
            if tag == "__bool__" and isinstance(v, bool):
                return v
            if tag == "__none__":
                return None
        raise ValueError(f"unexpected dict key {k!r}"[:200])

    def walk(s):
        if isinstance(s, list):
            return [walk(v) for v in s]
        if isinstance(s, dict):
            if "__array__" in s:
                name = s["__array__"]
                if not isinstance(name, str) or name not in arrays:
                    raise ValueError(f"the skeleton names array {name!r}, which the file does not hold"[:200])
                return arrays[name][()] if s.get("scalar") else arrays[name]
            if set(s) == {"__tuple__"} and isinstance(s["__tuple__"], list):
                return tuple(walk(v) for v in s["__tuple__"])
            if set(s) == {"__dict__"} and isinstance(s["__dict__"], list):
                out = {}
                for pair in s["__dict__"]:
                    if not (isinstance(pair, list) and len(pair) == 2):
                        raise ValueError(f"expected [key, value] pairs, got {pair!r}"[:200])
                    out[key(pair[0])] = walk(pair[1])
                return out
            raise ValueError(f"unexpected entry {s!r}"[:200])
        if s is None or isinstance(s, (bool, int, float, str)):
            return s
        raise ValueError(f"unexpected value {s!r}"[:200])

    try:
        return walk(skeleton)
    except RecursionError:
        raise ValueError("the skeleton is nested too deeply") from None
