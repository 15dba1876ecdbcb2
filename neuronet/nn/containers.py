"""``ModuleList`` and ``ModuleDict``: PyTorch's containers that register the modules they hold.

A plain Python list of layers on a module is invisible to ``parameters()``, ``state_dict()`` and
the optimizer; these containers make every module they hold a child, named by position
(``"0"``, ``"1"``, ... as in ``torch.nn.ModuleList``, so state-dict keys read ``blocks.0.weight``)
or by key.  Neither has a ``forward``: the owner decides how to call what they hold.

Example::

    class Tower(nt.nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = nt.nn.ModuleList([nt.nn.Linear(8, 8) for _ in range(3)])
            self.heads = nt.nn.ModuleDict({"class": nt.nn.Linear(8, 10), "box": nt.nn.Linear(8, 4)})
        def forward(self, x):
            for block in self.blocks:
                x = block(x).relu()
            return {name: head(x) for name, head in self.heads.items()}
"""
from __future__ import annotations

from ..backend import np
from .module import Module, config_name

__all__ = ["ModuleList", "ModuleDict"]


def _module(owner: str, value) -> Module:
    if not isinstance(value, Module):
        raise TypeError(f"{owner}: expected a Module (layer), got {type(value).__name__}")
    return value


class ModuleList(Module):
    """A list of modules, each registered as a child named by its position.

    Example:
        >>> layers = nt.nn.ModuleList([nt.nn.Dense(4) for _ in range(3)])
        >>> len(layers), type(layers[0]).__name__
        (3, 'Dense')
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _index(self, index) -> int:
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"ModuleList indices must be integers or slices, got {type(index).__name__}")
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"ModuleList: index {index} is out of range for {n} modules")
        return int(index) % n

    def _set_all(self, modules) -> None:
        for name in list(self._module_names):
            self._forget(name)
            object.__delattr__(self, name)
        for i, m in enumerate(modules):
            self.add_module(str(i), m)

    def __len__(self) -> int:
        return len(self._module_names)

    def __iter__(self):
        return iter(list(self.children()))

    def __getitem__(self, index):
        mods = list(self.children())
        if isinstance(index, slice):
            return ModuleList(mods[index])
        return mods[self._index(index)]

    def __setitem__(self, index, module) -> None:
        self.add_module(str(self._index(index)), _module("ModuleList", module))
        self._set_all([self.__dict__[str(i)] for i in range(len(self))])  # keep the positional order

    def __delitem__(self, index) -> None:
        mods = list(self.children())
        if isinstance(index, slice):
            del mods[index]
        else:
            del mods[self._index(index)]
        self._set_all(mods)  # renumbered, as in PyTorch

    def append(self, module) -> "ModuleList":
        self.add_module(str(len(self)), _module("ModuleList.append", module))
        return self

    def extend(self, modules) -> "ModuleList":
        if isinstance(modules, Module):
            raise TypeError("ModuleList.extend: expected an iterable of modules, got a single Module; use append")
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module) -> None:
        mods = list(self.children())
        mods.insert(index, _module("ModuleList.insert", module))
        self._set_all(mods)

    def __iadd__(self, modules) -> "ModuleList":
        return self.extend(modules)

    def get_config(self) -> dict:
        """Every module's configuration, in order (appended ones included)."""
        return {"class": config_name(type(self)),
                "config": {"modules": [{"__module__": m.get_config()} for m in self.children()]}}


class ModuleDict(Module):
    """A dict of modules, each registered as a child under its key (keys are strings).

    Example:
        >>> heads = nt.nn.ModuleDict({"cls": nt.nn.Dense(10), "box": nt.nn.Dense(4)})
        >>> sorted(heads.keys()), heads["box"](nt.ones(2, 8)).shape
        (['box', 'cls'], (2, 4))
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def _key(self, key) -> str:
        if not isinstance(key, str) or not key or "." in key:
            raise KeyError(f"ModuleDict: keys must be non-empty strings without '.', got {key!r}")
        if hasattr(type(self), key) or (key in self.__dict__ and key not in self._module_names):
            raise KeyError(f"ModuleDict: the key {key!r} is the name of an attribute of ModuleDict; choose another")
        return key

    def __len__(self) -> int:
        return len(self._module_names)

    def __iter__(self):
        return iter(list(self._module_names))

    def __contains__(self, key) -> bool:
        return key in self._module_names

    def __getitem__(self, key) -> Module:
        if key not in self._module_names:
            raise KeyError(f"ModuleDict: no module under {key!r}; keys are {list(self._module_names)}")
        return self.__dict__[key]

    def __setitem__(self, key, module) -> None:
        self.add_module(self._key(key), _module("ModuleDict", module))

    def __delitem__(self, key) -> None:
        self[key]  # KeyError naming the keys
        self._forget(key)
        object.__delattr__(self, key)

    def keys(self):
        return list(self._module_names)

    def values(self):
        return [self.__dict__[k] for k in self._module_names]

    def items(self):
        return [(k, self.__dict__[k]) for k in self._module_names]

    def pop(self, key) -> Module:
        m = self[key]
        del self[key]
        return m

    def update(self, modules) -> None:
        pairs = modules.items() if hasattr(modules, "items") else modules
        for key, m in pairs:
            self[key] = m

    def get_config(self) -> dict:
        """Every module's configuration by key (added ones included)."""
        return {"class": config_name(type(self)),
                "config": {"modules": {k: {"__module__": m.get_config()} for k, m in self.items()}}}
