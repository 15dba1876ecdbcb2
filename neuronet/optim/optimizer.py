"""Optimizer: the base class every optimizer shares (PyTorch's ``torch.optim.Optimizer`` model).

An optimizer holds ``param_groups`` (dicts with ``"params"`` and that group's hyper-parameters)
and ``state`` (one dict per parameter: step counts, moment arrays, ...).  ``step()`` updates
every parameter whose ``grad`` is not None, in place on ``p.data``, with the array module of the
data, so the same code runs on NumPy and CuPy.  ``state_dict()`` keys the per-parameter state
by the parameter's index over all groups (as PyTorch does); ``flat_state()`` splits it into a
flat dict of arrays plus a JSON-able dict, the form a safetensors file stores.
"""
from __future__ import annotations

import math

from .. import backend
from ..autograd import _mode, effect, enable_grad
from ..backend import np
from ..nn.module import ModuleParameters
from ..tensor import Tensor

__all__ = ["Optimizer", "check_hyper", "flatten_state_dict", "unflatten_state_dict"]

FLAT_FORMAT = "neuronet.optim/1"


def check_hyper(owner: str, name: str, value, low=None, high=None, high_open=False, low_open=False) -> None:
    """Raise ValueError naming ``owner`` and ``name`` when ``value`` is outside [low, high].

    ``low_open``/``high_open`` exclude the bound itself.  NaN is always rejected.
    """
    bad = not isinstance(value, (int, float, np.integer, np.floating)) or isinstance(value, bool)
    if not bad:
        v = float(value)
        bad = (math.isnan(v) or (low is not None and (v <= low if low_open else v < low))
               or (high is not None and (v >= high if high_open else v > high)))
    if bad:
        lo = "" if low is None else f"{low} {'<' if low_open else '<='} "
        hi = "" if high is None else f" {'<' if high_open else '<='} {high}"
        raise ValueError(f"{owner}: invalid {name} {value!r}; expected a number with {lo}{name}{hi}")


class Optimizer:
    """Base class: parameter groups, per-parameter state, ``step``, ``zero_grad``, state dicts.

    Subclasses set ``defaults`` by calling ``super().__init__(params, defaults)`` and implement
    ``_check_group(group)`` (hyper-parameter validation, run for every group) and
    ``_update(p, grad, state, group)`` (the in-place update of one parameter).

    Args:
        params: an iterable of parameters (tensors), or of dicts ``{"params": [...], "lr": ...}``
            giving each group its own hyper-parameters (the rest come from ``defaults``).
        defaults: the hyper-parameters of a group that does not set them.

    Lazy layers: an optimizer made from ``model.parameters()`` (or a group ``{"params":
    model.parameters()}``) before the model's first call, PyTorch's usual order, takes on the
    parameters of each lazy layer once it is built (at the next ``step``/``zero_grad``/
    ``state_dict``), in the model's order, as PyTorch's lazy modules do.  A *list* of the
    parameters made before the build cannot know about them: build first (call the model once,
    ``model.build(input_shape)``, or give sizes such as ``in_features=``).

    Example:
        >>> class PlainGD(nt.optim.Optimizer):
        ...     def __init__(self, params, lr=0.1):
        ...         super().__init__(params, {"lr": lr})
        ...     def step(self):
        ...         for group in self.param_groups:
        ...             for p in group["params"]:
        ...                 p.data -= group["lr"] * p.grad
        >>> w = nt.nn.Parameter(np.array([1.0], np.float32))
        >>> opt = PlainGD([w])
        >>> (w * w).sum().backward(); opt.step()  # w - 0.1 * 2w
        >>> w.numpy()
        array([0.8], dtype=float32)
    """

    def __init__(self, params, defaults: dict):
        self.defaults = dict(defaults)
        self.state: dict = {}
        self.param_groups: list[dict] = []
        self._lazy: list = []  # (group, module) pairs whose module still has unbuilt layers
        if isinstance(params, Tensor):
            raise TypeError(f"{type(self).__name__}: params must be an iterable of tensors or of dicts, "
                            "got a single Tensor; wrap it in a list")
        groups = [{"params": params}] if isinstance(params, ModuleParameters) else list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for g in groups:
            self.add_param_group(g)
        if not self._lazy and not any(g["params"] for g in self.param_groups):
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")

    # --- groups ----------------------------------------------------------------------------------
    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters (with its own hyper-parameters) to optimize from now on."""
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{name}.add_param_group: expected a dict, got {type(param_group).__name__}")
        group = dict(param_group)
        params = group.get("params")
        if params is None:
            raise ValueError(f"{name}.add_param_group: the group has no 'params'")
        lazy = (params.module if isinstance(params, ModuleParameters) and params.recurse
                and params.module.unbuilt_modules() else None)
        params = [params] if isinstance(params, Tensor) else list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: parameters must be Tensors, got {type(p).__name__}")
            if p.data.dtype.kind != "f":
                raise TypeError(f"{name}: can only optimize floating-point tensors, got dtype {p.data.dtype}")
        if len({id(p) for p in params}) != len(params):
            raise ValueError(f"{name}: a parameter appears twice in one group")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError(f"{name}: some parameters appear in more than one parameter group")
        group["params"] = params
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        for key, value in group.items():
            if isinstance(self.defaults.get(key), tuple) and isinstance(value, list):
                group[key] = tuple(value)
        self._check_group(group)
        self.param_groups.append(group)
        if lazy is not None:
            self._lazy.append((group, lazy))

    def take_built_parameters(self) -> None:
        """Add the parameters that lazy layers created since this optimizer was made (see the class
        docstring) to the group that holds their model's other parameters, in the model's order."""
        if not self._lazy:
            return
        waiting = []
        for group, module in self._lazy:
            taken = {id(p) for g in self.param_groups for p in g["params"]}
            mine = {id(p) for p in group["params"]}
            in_order = [p for p in module.parameters() if id(p) in mine or id(p) not in taken]
            placed = {id(p) for p in in_order}
            group["params"] = in_order + [p for p in group["params"] if id(p) not in placed]
            for p in group["params"]:
                if p.data.dtype.kind != "f":
                    raise TypeError(f"{type(self).__name__}: can only optimize floating-point tensors, "
                                    f"got dtype {p.data.dtype}")
            if module.unbuilt_modules():
                waiting.append((group, module))
        self._lazy = waiting

    def _check_group(self, group: dict) -> None:
        """Validate one group's hyper-parameters (subclasses raise ValueError naming the argument)."""

    # --- the update ------------------------------------------------------------------------------
    def step(self, closure=None):
        """Update every parameter that has a gradient; ``closure`` re-evaluates and returns the loss."""
        if _mode.capture is not None:  # inside a step capture (nt.jit): each replay calls step again
            return effect(self.step, closure)
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        self.take_built_parameters()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad
                if grad.shape != p.data.shape:
                    raise ValueError(f"{type(self).__name__}.step: a parameter of shape {p.data.shape} has a "
                                     f"gradient of shape {grad.shape}")
                if grad.dtype != p.data.dtype:
                    grad = grad.astype(p.data.dtype)
                self._update(p, grad, self.state.setdefault(p, {}), group)
        return loss

    def _update(self, p, grad, state: dict, group: dict) -> None:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}._update")

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: set ``p.grad`` to None (default) or fill it with zeros."""
        if _mode.capture is not None:
            return effect(self.zero_grad, set_to_none)
        self.take_built_parameters()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad[...] = 0

    # --- saving ----------------------------------------------------------------------------------
    def _index_of_params(self) -> dict:
        return {id(p): i for i, p in enumerate(p for g in self.param_groups for p in g["params"])}

    def _indexed(self, state: dict) -> dict:
        """Per-parameter state keyed by parameter index instead of by parameter."""
        index = self._index_of_params()
        return {index[id(p)]: dict(s) for p, s in state.items() if id(p) in index}

    def _groups_for_saving(self) -> list[dict]:
        index = self._index_of_params()
        return [{**{k: v for k, v in g.items() if k != "params"}, "params": [index[id(p)] for p in g["params"]]}
                for g in self.param_groups]

    def state_dict(self) -> dict:
        """``{"state": {index: {name: array or number}}, "param_groups": [{..., "params": [index]}]}``.

        The arrays are the live state arrays (not copies), as in PyTorch.
        """
        self.take_built_parameters()
        return {"state": self._indexed(self.state), "param_groups": self._groups_for_saving()}

    def _check_groups_match(self, saved_groups) -> None:
        name = type(self).__name__
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"{name}.load_state_dict: the saved state has {len(saved_groups)} parameter groups, "
                             f"this optimizer has {len(self.param_groups)}")
        for i, (s, g) in enumerate(zip(saved_groups, self.param_groups)):
            if len(s["params"]) != len(g["params"]):
                raise ValueError(f"{name}.load_state_dict: group {i} has {len(s['params'])} parameters in the "
                                 f"saved state, {len(g['params'])} here")

    def _load_indexed(self, saved_state: dict, saved_groups) -> dict:
        """Saved per-index state back onto this optimizer's parameters (copied, in their dtype and device)."""
        params_by_saved_index = {}
        for s, g in zip(saved_groups, self.param_groups):
            for i, p in zip(s["params"], g["params"]):
                params_by_saved_index[int(i)] = p
        state = {}
        for i, s in saved_state.items():
            p = params_by_saved_index.get(int(i))
            if p is None:
                raise ValueError(f"{type(self).__name__}.load_state_dict: state for parameter {i}, which no group holds")
            for k, v in s.items():
                shape = getattr(v, "shape", ())
                if shape and tuple(shape) != p.data.shape:
                    raise ValueError(f"{type(self).__name__}.load_state_dict: state {k!r} of parameter {i} has shape "
                                     f"{tuple(shape)}, the parameter has shape {p.data.shape}")
            state[p] = {k: _as_state_value(v, p.data) for k, v in s.items()}
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore hyper-parameters and per-parameter state saved by :meth:`state_dict`."""
        self.take_built_parameters()
        groups = state_dict["param_groups"]
        self._check_groups_match(groups)
        self.state = self._load_indexed(state_dict["state"], groups)
        for s, g in zip(groups, self.param_groups):
            for k, v in s.items():
                if k == "params":
                    continue
                g[k] = tuple(v) if isinstance(self.defaults.get(k), tuple) else v

    def flat_state(self) -> tuple[dict, dict]:
        """``(arrays, meta)``: the state dict as a flat ``{path: NumPy array}`` plus a JSON-able dict.

        ``arrays`` can go straight into a safetensors file and ``meta`` into its JSON metadata;
        :meth:`load_flat_state` is the inverse.
        """
        arrays, skeleton = flatten_state_dict(self.state_dict())
        return arrays, {"format": FLAT_FORMAT, "class": type(self).__name__, "state_dict": skeleton}

    def load_flat_state(self, arrays: dict, meta: dict) -> None:
        """Restore the state written by :meth:`flat_state`."""
        name = type(self).__name__
        if meta.get("format") != FLAT_FORMAT:
            raise ValueError(f"{name}.load_flat_state: unknown format {meta.get('format')!r}, expected {FLAT_FORMAT!r}")
        if meta.get("class") != name:
            raise ValueError(f"{name}.load_flat_state: the state was saved by {meta.get('class')}, not {name}")
        self.load_state_dict(unflatten_state_dict(arrays, meta["state_dict"]))

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"  group {i}: {len(g['params'])} parameters, "
                         + ", ".join(f"{k}={v}" for k, v in g.items() if k != "params"))
        return "\n".join(lines + [")"])


def _as_state_value(value, like):
    """A saved state value as this parameter's array type (copied; floats in its dtype), or a number."""
    if isinstance(value, np.ndarray) or backend.array_module(value) is not np:
        xp = backend.array_module(like)
        arr = backend.to_numpy(value) if xp is np else value
        dtype = like.dtype if arr.dtype.kind == "f" else arr.dtype
        return xp.array(arr, dtype=dtype, copy=True)
    return value.item() if isinstance(value, np.generic) else value


def flatten_state_dict(obj, prefix: str = "state") -> tuple[dict, object]:
    """Split nested dicts/lists/tuples into ``{path: NumPy array}`` and a JSON-able skeleton.

    Integer dict keys (parameter indices) survive JSON as ``{"__int__": k}``, tuples as
    ``{"__tuple__": [...]}``; every array is replaced by ``{"__array__": path}``.

    Example:
        >>> arrays, skeleton = nt.optim.flatten_state_dict({"step": 3, "m": np.zeros(2)})
        >>> list(arrays), nt.optim.unflatten_state_dict(arrays, skeleton)["step"]
        (['state/m'], 3)
    """
    arrays: dict = {}

    def walk(o, path):
        if isinstance(o, dict):
            return {"__dict__": [[{"__int__": k} if isinstance(k, int) else k, walk(v, f"{path}/{k}")]
                                 for k, v in o.items()]}
        if isinstance(o, tuple):
            return {"__tuple__": [walk(v, f"{path}/{i}") for i, v in enumerate(o)]}
        if isinstance(o, list):
            return [walk(v, f"{path}/{i}") for i, v in enumerate(o)]
        if isinstance(o, np.ndarray) or backend.array_module(o) is not np:
            arr = backend.to_numpy(o)
            arrays[path] = arr if arr.flags.c_contiguous else arr.copy()  # (ascontiguousarray makes 0-d 1-d)
            return {"__array__": path}
        if isinstance(o, np.generic):
            return o.item()
        if o is None or isinstance(o, (bool, int, float, str)):
            return o
        raise TypeError(f"flatten_state_dict: cannot store a {type(o).__name__} (at {path})")

    return arrays, walk(obj, prefix)


def unflatten_state_dict(arrays: dict, skeleton):
    """Inverse of :func:`flatten_state_dict`.

    Example:
        >>> state = {"lr": 0.1, "moments": (np.ones(2), np.zeros(2))}
        >>> back = nt.optim.unflatten_state_dict(*nt.optim.flatten_state_dict(state))
        >>> back["lr"], type(back["moments"]).__name__, back["moments"][0].tolist()
        (0.1, 'tuple', [1.0, 1.0])
    """
    if isinstance(skeleton, dict):
        if "__array__" in skeleton:
            return arrays[skeleton["__array__"]]
        if "__tuple__" in skeleton:
            return tuple(unflatten_state_dict(arrays, v) for v in skeleton["__tuple__"])
        if "__dict__" in skeleton:
            return {(k["__int__"] if isinstance(k, dict) else k): unflatten_state_dict(arrays, v)
                    for k, v in skeleton["__dict__"]}
        raise ValueError(f"unflatten_state_dict: unexpected entry {skeleton!r}")
    if isinstance(skeleton, list):
        return [unflatten_state_dict(arrays, v) for v in skeleton]
    return skeleton
