"""Module: the base of every layer and model (PyTorch's Module, with Keras's lazy build).

A Module registers what is assigned to its attributes: a :class:`Parameter` becomes a
parameter, another Module a child; ``register_buffer`` adds state that is saved but not
trained (running statistics).  Layers whose sizes depend on their input set
``self.built = False`` and implement ``build(input_shape)``, which runs once on the first call.
The constructor arguments are captured automatically, so ``get_config()`` can describe any
module as JSON and ``Module.from_config`` rebuild it (no pickle anywhere).
"""
from __future__ import annotations

import inspect
from collections import OrderedDict

from .. import backend
from ..autograd import _mode
from ..backend import np
from ..kernels.alignment import aligned
from ..tensor import Tensor
from .parameter import Parameter

__all__ = ["Module", "ModuleParameters", "register_module", "get_module_class"]

_REGISTRY: dict[str, type] = {}
_OPTED_IN: set = set()  # classes registered explicitly with register_module


def register_module(cls=None, *, name: str | None = None):
    """Make a Module class known to ``from_config``/``load_model`` by name, and allow model files
    to name it (like Keras's ``register_keras_serializable``).  Every Module subclass is known by
    name automatically, but a file loaded with ``safe=True`` (as ``nt.load_model`` does) may only
    name neuronet's own classes, classes registered here, and those passed in ``custom_objects``.

    Example:
        >>> @nt.nn.register_module(name="docs.Double")
        ... class Double(nt.nn.Module):
        ...     def forward(self, x):
        ...         return 2 * x
        >>> nt.nn.get_module_class("docs.Double") is Double
        True
    """
    def deco(c):
        _REGISTRY[name or c.__name__] = c
        _REGISTRY[_full_name(c)] = c
        _OPTED_IN.add(c)
        return c
    return deco(cls) if cls is not None else deco


def _full_name(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def config_name(cls) -> str:
    """The name ``get_config`` records for ``cls``: its class name, or its full dotted path when
    another class owns the short name (``nn.Sequential`` beside the training ``Sequential``)."""
    return cls.__name__ if _REGISTRY.get(cls.__name__) is cls else _full_name(cls)


def _is_neuronet_class(cls) -> bool:
    return str(getattr(cls, "__module__", "")).split(".")[0] == "neuronet"


def _import_ready_models() -> None:
    """Register the ready architectures (``nt.models`` is imported on first use, not with neuronet),
    so a file saved from ``TextLSTMClassifier``, ``Seq2Seq``, ... loads in a program that never
    imported ``neuronet.models``.  The only import here that points up the house: loading a file
    must not depend on what the program happened to import before."""
    import importlib
    importlib.import_module("neuronet.models")


def get_module_class(name: str, custom_objects: dict | None = None, safe: bool = False) -> type:
    """The Module class a config names.

    Args:
        custom_objects: ``{"Name": cls}``, looked up first.
        safe: only neuronet's own classes, classes registered with :func:`register_module` and
            ``custom_objects`` may be named (a file must not choose which code of this process
            runs); any other class is a ValueError that says to pass it in ``custom_objects``.

    Example:
        >>> nt.nn.get_module_class("Dense") is nt.nn.Dense
        True
    """
    if not isinstance(name, str):
        raise ValueError(f"from_config: the class name must be a string, got {name!r}"[:200])
    if custom_objects and name in custom_objects:
        cls = custom_objects[name]
        if not (isinstance(cls, type) and issubclass(cls, Module)):
            raise TypeError(f"from_config: custom_objects[{name!r}] must be a Module subclass, got {cls!r}")
        return cls
    short = name.rsplit(".", 1)[-1]
    if name not in _REGISTRY:
        _import_ready_models()
    if name not in _REGISTRY:
        raise ValueError(f"from_config: unknown module class {name!r}: define or import it before loading, "
                         f"or pass custom_objects={{'{short}': {short}}}")
    cls = _REGISTRY[name]
    if safe and not (_is_neuronet_class(cls) or cls in _OPTED_IN):
        raise ValueError(f"from_config: the file names class {name!r} ({_full_name(cls)}), which is not part of "
                         f"neuronet; a model file may only run the constructors you allow: pass "
                         f"custom_objects={{'{name}': {short}}} (or decorate the class with nt.nn.register_module)")
    return cls


class Module:
    """Base class for layers and models.

    Subclasses define ``forward(*inputs)``; calling the module runs it (building lazily first
    when ``built`` is False).  Example::

        class TwoLayer(nt.nn.Module):
            def __init__(self):
                super().__init__()
                self.hidden = nt.nn.Dense(16, activation="tanh")
                self.out = nt.nn.Dense(1)
            def forward(self, x):
                return self.out(self.hidden(x))

    Example:
        >>> class Affine(nt.nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.scale = nt.nn.Parameter(np.full(3, 2.0, np.float32))
        ...     def forward(self, x):
        ...         return x * self.scale
        >>> m = Affine()
        >>> m(nt.ones(1, 3)).numpy(), [name for name, p in m.named_parameters()], m.count_params()
        (array([[2., 2., 2.]], dtype=float32), ['scale'], 3)
    """

    built = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _REGISTRY.setdefault(cls.__name__, cls)
        _REGISTRY[_full_name(cls)] = cls

    def __new__(cls, *args, **kwargs):
        obj = super().__new__(cls)
        object.__setattr__(obj, "_init_args", (args, kwargs))
        object.__setattr__(obj, "_param_names", [])
        object.__setattr__(obj, "_module_names", [])
        object.__setattr__(obj, "_buffer_names", [])
        object.__setattr__(obj, "_nonpersistent", set())
        object.__setattr__(obj, "training", True)
        return obj

    def __init__(self):
        pass

    # --- registration ------------------------------------------------------------------------
    def __setattr__(self, name, value):
        d = self.__dict__
        if isinstance(value, Parameter):
            self._forget(name)
            self._param_names.append(name)
        elif isinstance(value, Module):
            self._forget(name)
            self._module_names.append(name)
        elif name in d and (name in self._param_names or name in self._module_names):
            if value is not None:
                kind = "parameter" if name in self._param_names else "sub-module"
                raise TypeError(f"{type(self).__name__}.{name} is a {kind}; assign a "
                                f"{'Parameter' if kind == 'parameter' else 'Module'} or None, got {type(value).__name__}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        self._forget(name)
        object.__delattr__(self, name)

    def _forget(self, name):
        for names in (self._param_names, self._module_names, self._buffer_names):
            if name in names:
                names.remove(name)

    def register_buffer(self, name: str, value, persistent: bool = True) -> None:
        """Keep ``value`` (an array, or None) as state that is saved but not trained."""
        if isinstance(value, Tensor):
            value = value.data
        self._forget(name)
        self._buffer_names.append(name)
        if not persistent:
            self._nonpersistent.add(name)
        object.__setattr__(self, name, value)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` under ``name`` (None declares the name without a value yet)."""
        self._forget(name)
        self._param_names.append(name)
        object.__setattr__(self, name, param)

    def add_module(self, name: str, module: "Module | None") -> None:
        self._forget(name)
        self._module_names.append(name)
        object.__setattr__(self, name, module)

    # --- calling -----------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if _mode.capture is not None:  # a step capture (nt.jit) guards the training flag of each module it saw
            _mode.capture.module(self)
        if self._hooks:  # forward/backward hooks (hooks.py); None for a module that never had one
            from .hooks import call_with_hooks
            return call_with_hooks(self, self._build_and_forward, args, kwargs)
        if self.built:  # _build_and_forward's common case, one call less per layer
            return self.forward(*args, **kwargs)
        return self._build_and_forward(args, kwargs)

    def _build_and_forward(self, args, kwargs):
        if not self.built:
            first = args[0] if args else None
            shape = tuple(first.shape) if hasattr(first, "shape") else None
            before = {id(m) for m in self.modules()}
            self.build(shape)
            self.built = True
            for m in self.modules():  # layers the build created take this module's mode (eval: no batch
                if id(m) not in before:  # statistics, no dropout in a first predict)
                    object.__setattr__(m, "training", self.training)
            if not self.trainable:  # a layer frozen before it was built keeps its new weights frozen
                self.trainable = False
        return self.forward(*args, **kwargs)

    # --- hooks (PyTorch's; semantics in hooks.py) ---------------------------------------------
    _hooks = None

    def _add_hook(self, kind, hook, prepend=False, with_kwargs=False):
        if self._hooks is None:
            from .hooks import ModuleHooks
            object.__setattr__(self, "_hooks", ModuleHooks())
        return self._hooks.add(kind, hook, prepend, with_kwargs)

    def register_forward_pre_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False):
        """Call ``hook(module, args)`` before every forward (it may return new inputs); returns a
        handle whose ``remove()`` takes it off."""
        return self._add_hook("forward_pre", hook, prepend, with_kwargs)

    def register_forward_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False):
        """Call ``hook(module, args, output)`` after every forward (it may return a new output)."""
        return self._add_hook("forward", hook, prepend, with_kwargs)

    def register_full_backward_hook(self, hook, prepend: bool = False):
        """Call ``hook(module, grad_input, grad_output)`` once the gradients of the module's inputs are
        known (it may return a new ``grad_input``)."""
        return self._add_hook("backward", hook, prepend)

    def register_full_backward_pre_hook(self, hook, prepend: bool = False):
        """Call ``hook(module, grad_output)`` when the gradients of the module's outputs are known
        (it may return a new ``grad_output``)."""
        return self._add_hook("backward_pre", hook, prepend)

    def forward(self, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} has no forward()")

    def build(self, input_shape) -> None:
        """Create the parameters once the input shape is known (lazy layers override this)."""
        self.built = True

    # --- traversal ---------------------------------------------------------------------------
    def named_children(self):
        for name in self._module_names:
            m = self.__dict__.get(name)
            if m is not None:
                yield name, m

    def children(self):
        for _, m in self.named_children():
            yield m

    def named_modules(self, prefix: str = ""):
        """(name, module) for this module and every descendant, depth first; each module once."""
        seen = set()
        stack = [(prefix, self)]
        while stack:
            name, m = stack.pop()
            if id(m) in seen:
                continue
            seen.add(id(m))
            yield name, m
            kids = list(m.named_children())
            for cname, c in reversed(kids):
                stack.append((f"{name}.{cname}" if name else cname, c))

    def modules(self):
        for _, m in self.named_modules():
            yield m

    def named_parameters(self, prefix: str = "", recurse: bool = True):
        """(dotted name, Parameter) pairs; a parameter shared by two modules appears once."""
        seen = set()
        mods = self.named_modules(prefix) if recurse else [(prefix, self)]
        for mname, m in mods:
            for pname in m._param_names:
                p = m.__dict__.get(pname)
                if p is None or id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{mname}.{pname}" if mname else pname), p

    def parameters(self, recurse: bool = True) -> "ModuleParameters":
        """An iterator over the parameters that remembers this module: an optimizer made from it
        before lazy layers were built takes their parameters on when they are (see ``Optimizer``)."""
        return ModuleParameters(self, recurse)

    def unbuilt_modules(self) -> list[str]:
        """Dotted names of the lazy layers not built yet (their parameters do not exist yet)."""
        return [name or type(m).__name__ for name, m in self.named_modules() if not m.built]

    def named_buffers(self, prefix: str = ""):
        for mname, m in self.named_modules(prefix):
            for bname in m._buffer_names:
                b = m.__dict__.get(bname)
                if b is not None:
                    yield (f"{mname}.{bname}" if mname else bname), b

    def buffers(self):
        for _, b in self.named_buffers():
            yield b

    def count_params(self, trainable_only: bool = False) -> int:
        return int(sum(p.data.size for p in self.parameters() if p.requires_grad or not trainable_only))

    # --- modes and gradients -----------------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        """Training mode (dropout active, batch statistics); ``train(False)`` is ``eval()``."""
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> "Module":
        """Inference mode: dropout off, running statistics used."""
        return self.train(False)

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None

    def requires_grad_(self, flag: bool = True) -> "Module":
        """Freeze (False) or unfreeze (True) every parameter."""
        for p in self.parameters():
            p.requires_grad = bool(flag)
        return self

    @property
    def trainable(self) -> bool:
        """Keras's switch: False freezes every weight of this module and its sub-modules.

        Frozen weights get no gradient, so no optimizer changes them (also one made before);
        ``summary`` counts them as non-trainable; batch normalisation stops updating its running
        statistics and normalises with them, as in Keras.  Layers built later stay frozen.
        Setting it sets it on every sub-module, as ``requires_grad_`` does for parameters.
        """
        return self.__dict__.get("_trainable", True)

    @trainable.setter
    def trainable(self, value: bool) -> None:
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{type(self).__name__}.trainable must be True or False, got {value!r}")
        for m in self.modules():
            object.__setattr__(m, "_trainable", bool(value))
        self.requires_grad_(bool(value))

    def apply(self, fn) -> "Module":
        """Call ``fn(module)`` on every descendant and on this module."""
        for m in list(self.modules())[::-1]:
            fn(m)
        return self

    def to(self, device: str) -> "Module":
        """Move every parameter and buffer to ``'cpu'`` or ``'cuda'`` (in place)."""
        for m in self.modules():
            for pname in m._param_names:
                p = m.__dict__.get(pname)
                if p is not None:
                    p.data = backend.to_device(p.data, device)
                    if p.grad is not None:
                        p.grad = backend.to_device(p.grad, device)
            for bname in m._buffer_names:
                b = m.__dict__.get(bname)
                if b is not None:
                    object.__setattr__(m, bname, backend.to_device(b, device))
        return self

    # --- state -------------------------------------------------------------------------------
    def state_dict(self) -> "OrderedDict[str, object]":
        """Every parameter and persistent buffer by dotted name, as arrays (not copies)."""
        out = OrderedDict()
        for mname, m in self.named_modules():
            for pname in m._param_names:
                p = m.__dict__.get(pname)
                if p is not None:
                    out[f"{mname}.{pname}" if mname else pname] = p.data
            for bname in m._buffer_names:
                b = m.__dict__.get(bname)
                if b is not None and bname not in m._nonpersistent:
                    out[f"{mname}.{bname}" if mname else bname] = b
        return out

    def load_state_dict(self, state: dict, strict: bool = True) -> tuple[list, list]:
        """Copy arrays from ``state`` into the parameters and buffers of the same name.

        All or nothing: every value is checked and converted before the first one is assigned, so
        an error (strict or not) leaves the module exactly as it was.  With ``strict`` a missing
        or unexpected name is an error (KeyError); a shape mismatch always is (ValueError naming
        the key, the expected and the received shape), and so is a value that a parameter or
        buffer of this dtype cannot hold without changing its meaning (TypeError naming the key):
        complex, string, object or boolean values for floating-point state, non-integers for
        integer state, and numbers that overflow the target dtype.  Loading copies: later edits of
        ``state`` do not leak in.  Peak memory is the old plus the new arrays.
        Lazy layers must be built first (call the model once, or ``build(input_shape)``).

        Returns:
            (missing keys, unexpected keys).
        """
        where = f"{type(self).__name__}.load_state_dict"
        if not hasattr(state, "keys") or not hasattr(state, "__getitem__"):
            raise TypeError(f"{where}: expected a dict of name -> array, got {type(state).__name__}")
        own = {}
        unbuilt = []
        for mname, m in self.named_modules():
            if not m.built:
                unbuilt.append(mname or type(m).__name__)
            for kind, names in (("param", m._param_names), ("buffer", m._buffer_names)):
                for n in names:
                    if kind == "buffer" and n in m._nonpersistent:
                        continue
                    if m.built and m.__dict__.get(n) is None:  # a declared-but-unused slot (bias=False)
                        continue
                    own[f"{mname}.{n}" if mname else n] = (m, n, kind)
        missing = [k for k in own if k not in state]
        unexpected = [k for k in state.keys() if k not in own]
        if unbuilt:
            raise ValueError(f"{where}: layers {unbuilt} are not built yet; "
                             "call the model once on an input (or model.build(input_shape)) before loading")
        if strict and (missing or unexpected):
            raise KeyError(f"{where}: missing keys {missing}, unexpected keys {unexpected}")
        updates = []
        for key, (m, n, kind) in own.items():  # check and convert everything before changing anything
            if key not in state:
                continue
            cur = m.__dict__.get(n)
            if cur is None:
                raise ValueError(f"{where}: {key} has no value to load into")
            cur_arr = cur.data if isinstance(cur, Tensor) else cur
            value = _loadable(where, key, "parameter" if kind == "param" else "buffer", state[key], cur_arr)
            updates.append((m, n, cur, value))
        for m, n, cur, value in updates:  # plain assignments: nothing here can fail half-way
            if isinstance(cur, Tensor):
                cur.data = value
            else:
                object.__setattr__(m, n, value)
        return missing, unexpected

    # --- configuration (architecture as JSON) ------------------------------------------------
    def get_config(self) -> dict:
        """The constructor arguments as JSON-ready values (modules become nested configs)."""
        args, kwargs = self._init_args
        try:
            bound = inspect.signature(type(self).__init__).bind(self, *args, **kwargs)
        except TypeError:
            bound = None
        cfg = {}
        if bound is not None:
            params = inspect.signature(type(self).__init__).parameters
            for k, v in list(bound.arguments.items())[1:]:
                if params[k].kind == inspect.Parameter.VAR_KEYWORD:
                    for kk, vv in v.items():
                        cfg[kk] = _to_config(vv, f"{type(self).__name__}.{kk}")
                elif params[k].kind == inspect.Parameter.VAR_POSITIONAL:
                    cfg["*" + k] = _to_config(list(v), f"{type(self).__name__}.{k}")
                else:
                    cfg[k] = _to_config(v, f"{type(self).__name__}.{k}")
        return {"class": config_name(type(self)), "config": cfg}

    @staticmethod
    def from_config(spec: dict, custom_objects: dict | None = None, *, safe: bool = False) -> "Module":
        """Rebuild a module from ``get_config()`` output.

        Args:
            spec: ``{"class": name, "config": {argument: value}}`` as ``get_config`` writes it.
            custom_objects: ``{"ClassName": cls}`` for classes defined outside neuronet (also
                functions and objects the config names).
            safe: the spec comes from a file: it may only name neuronet's own classes, classes
                registered with ``register_module`` and ``custom_objects`` (see
                :func:`get_module_class`); ``nt.load_model`` always loads this way.
        """
        _check_spec(spec)
        cls = get_module_class(spec["class"], custom_objects, safe)
        cfg = {k: _from_config(v, custom_objects, safe) for k, v in spec["config"].items()}
        star = [k for k in cfg if k.startswith("*")]
        if len(star) > 1 or (star and not isinstance(cfg[star[0]], list)):
            raise ValueError(f"from_config: {spec['class']}'s config has positional arguments {star}; "
                             "expected at most one list")
        args = cfg.pop(star[0]) if star else []
        return cls(*args, **cfg)

    # --- printing ----------------------------------------------------------------------------
    def extra_repr(self) -> str:
        args, kwargs = self._init_args
        parts = [_short(a) for a in args if not isinstance(a, (Module, list, tuple))]
        parts += [f"{k}={_short(v)}" for k, v in kwargs.items() if not isinstance(v, (Module, list, tuple))]
        return ", ".join(parts)

    def __repr__(self) -> str:
        kids = list(self.named_children())
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not kids:
            return head + ")"
        lines = [head]
        for name, m in kids:
            sub = repr(m).replace("\n", "\n  ")
            lines.append(f"  ({name}): {sub}")
        return "\n".join(lines) + "\n)"


class ModuleParameters:
    """What ``Module.parameters()`` returns: a one-pass iterator over the parameters, like a
    generator, that also knows ``module`` (and ``recurse``) so an optimizer can find the
    parameters lazy layers create later."""

    __slots__ = ("module", "recurse", "_items")

    def __init__(self, module: Module, recurse: bool = True):
        self.module = module
        self.recurse = recurse
        self._items = (p for _, p in module.named_parameters(recurse=recurse))

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._items)


def _short(v) -> str:
    if callable(v) and hasattr(v, "__name__"):
        return v.__name__
    return repr(v)


def _to_config(v, where):
    if isinstance(v, Module):
        return {"__module__": v.get_config()}
    if isinstance(v, (list, tuple)):
        return [_to_config(x, where) for x in v]
    if isinstance(v, dict):
        return {str(k): _to_config(x, where) for k, x in v.items()}
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (np.integer, np.floating)):
        return v.item()
    if isinstance(v, np.dtype) or (isinstance(v, type) and issubclass(v, np.generic)):
        return {"__dtype__": np.dtype(v).name}
    if hasattr(v, "get_config") and hasattr(v, "__class__"):
        return {"__object__": type(v).__name__, "config": v.get_config()}
    if callable(v) and getattr(v, "__name__", None):
        return {"__callable__": v.__name__}
    raise TypeError(f"{where}: cannot describe a {type(v).__name__} as JSON; pass a string name instead")


def _check_spec(spec) -> None:
    if not isinstance(spec, dict) or not isinstance(spec.get("class"), str) or not isinstance(spec.get("config"), dict):
        raise ValueError("from_config: expected {'class': name, 'config': {...}} as get_config() writes it, "
                         f"got {spec!r}"[:300])


_CONFIG_DTYPE_KINDS = "biuf"


def _from_config(v, custom_objects, safe=False):
    if isinstance(v, list):
        return [_from_config(x, custom_objects, safe) for x in v]
    if isinstance(v, dict):
        if "__module__" in v:
            return Module.from_config(v["__module__"], custom_objects, safe=safe)
        if "__dtype__" in v:
            try:
                dtype = np.dtype(v["__dtype__"]) if isinstance(v["__dtype__"], str) else None
            except TypeError:
                dtype = None
            if dtype is None or dtype.kind not in _CONFIG_DTYPE_KINDS or dtype.fields is not None:
                raise ValueError(f"from_config: {v['__dtype__']!r} is not a numeric dtype name"[:200])
            return dtype
        if "__callable__" in v:
            name = v["__callable__"]
            if custom_objects and name in custom_objects:
                return custom_objects[name]
            return name  # layers accept activation names as strings
        if "__object__" in v:
            name = v["__object__"]
            if custom_objects and name in custom_objects:
                config = v.get("config", {})
                if not isinstance(config, dict):
                    raise ValueError(f"from_config: object {name!r} needs a dict config, got {config!r}"[:200])
                return custom_objects[name](**config)
            raise ValueError(f"from_config: cannot rebuild object {name!r}: pass custom_objects={{'{name}': ...}}")
        return {k: _from_config(x, custom_objects, safe) for k, x in v.items()}
    return v


def _loadable(where: str, key: str, kind: str, value, target):
    """``value`` as a new array of ``target``'s dtype, shape and device, or the reason it cannot be.

    Floating-point state takes integers and floats; integer state takes integers in its range;
    boolean state takes booleans.  Anything else (complex, strings, objects, booleans into
    numbers, floats into integers) would change the value's meaning when cast: TypeError.
    """
    if isinstance(value, Tensor):
        value = value.data
    if backend.array_module(value) is np and not isinstance(value, np.ndarray):
        try:
            value = np.asarray(value)
        except Exception as e:  # a ragged list, a tensor of another library that refuses, ...
            raise TypeError(f"{where}: {key} is a {type(value).__name__} that is not an array ({e})") from None
    what = f"a {target.dtype} {kind}"
    dtype = np.dtype(value.dtype)
    accepts = {"f": "iuf", "i": "iu", "u": "iu", "b": "b"}.get(target.dtype.kind, target.dtype.kind)
    if dtype.kind not in accepts or dtype.fields is not None:
        takes = {"f": "integers or floats", "i": "integers", "u": "integers", "b": "booleans"}.get(
            target.dtype.kind, str(target.dtype))
        raise TypeError(f"{where}: {key} holds {dtype} values; {what} takes {takes} "
                        "(complex, string, object and boolean values are not converted)")
    if tuple(value.shape) != tuple(target.shape):
        raise ValueError(f"{where}: {key} expects shape {tuple(target.shape)}, the state has {tuple(value.shape)}")
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below, by key
        out = backend.to_device(value, backend.device_of(target)).astype(target.dtype, copy=True)
    xp = backend.array_module(out)
    if target.dtype.kind in "iu" and out.size:
        info = np.iinfo(target.dtype)
        lo, hi = int(value.min()), int(value.max())
        if lo < info.min or hi > info.max:
            raise ValueError(f"{where}: {key} holds values from {lo} to {hi}, outside the range of {what}")
    elif target.dtype.kind == "f" and not np.can_cast(dtype, target.dtype, "safe"):
        before = int(xp.count_nonzero(~xp.isfinite(xp.asarray(value)))) if dtype.kind == "f" else 0
        if int(xp.count_nonzero(~xp.isfinite(out))) != before:
            raise ValueError(f"{where}: {key} holds values beyond the range of {what} "
                             f"(largest magnitude {float(abs(value).max()):g})")
    # a new array either way: on a cache line, as layers build their own (kernels/alignment.py)
    return aligned(out) if xp is np else out
