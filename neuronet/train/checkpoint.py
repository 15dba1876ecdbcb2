"""One-file model checkpoints: architecture (JSON), weights, optimizer state, training position.

The file is safetensors (``nt.save``): tensors ``model/<name>`` and ``optimizer/<path>``, and
string metadata holding JSON for the architecture, the compile settings, the optimizer's
non-array state, the epoch reached and the random generator's state, so that ``fit`` resumed
from a loaded model continues exactly where it stopped.

Loading treats the file as untrusted input:

- it runs only the constructors you allow: the architecture may name neuronet's own classes,
  classes decorated with ``nt.nn.register_module`` and those passed in ``custom_objects``;
- it allocates what the weights in the file justify: every integer in the architecture is at
  most ``max(65,536, numbers stored in the file)`` (so a 1 KB file cannot ask for
  ``Dense(10**13)`` or an ``Embedding`` of 10^12 rows), the random initialisation drawn while the
  model is rebuilt is at most twice the stored numbers plus 2^20, and the saved input shape is at
  most 2^26 numbers per sample; all three are checked before the allocation they bound;
- every metadata entry is parsed and checked before the model is built, the model is rebuilt
  drawing from a generator of its own, and the shared random generator is restored from the file
  last, so a damaged file changes nothing in the process;
- any problem is a ValueError (TypeError for a wrong ``custom_objects``) naming the file.
"""
from __future__ import annotations

import json
import math

from .. import backend
from ..backend import np
from ..nn.module import Module

__all__ = ["save_model", "load_model"]

FORMAT = "neuronet.model/1"


def save_model(model, path, include_optimizer: bool = True) -> None:
    """Write ``model`` to ``path`` (atomically): see the module docstring for the contents.

    Example:
        >>> model = nt.Sequential([nt.nn.Dense(3, in_features=2)])
        >>> nt.train.save_model(model, "model.nnet")
        >>> nt.load_model("model.nnet").count_params()
        9
    """
    from ..io import check_save_path, save
    check_save_path(path, f"{type(model).__name__}.save")
    spec = getattr(model, "_input_spec", None)
    if spec is None and any(not m.built for m in model.modules()):
        raise ValueError(f"save: {type(model).__name__} is not built yet; train it, call it once, "
                         "or call model.build(input_shape) first")
    tensors = {f"model/{k}": backend.to_numpy(v) for k, v in model.state_dict().items()}
    meta = {
        "format": FORMAT,
        "architecture": json.dumps(model.get_config()),
        "input_spec": json.dumps(spec),
        "epochs_done": json.dumps(getattr(model, "epochs_done", 0)),
    }
    own = getattr(model, "random_generator", None)  # the model's own generator, else the shared one
    meta["rng_state"] = json.dumps((own if own is not None else backend.get_rng()).bit_generator.state)
    if own is not None:
        meta["own_generator"] = "true"
    if getattr(model, "compiled", False):
        meta["compile"] = json.dumps(model._compile_config)
        opt = getattr(model, "optimizer", None)
        if include_optimizer and opt is not None:
            arrays, opt_meta = opt.flat_state()
            meta["optimizer"] = json.dumps(opt_meta)
            tensors.update({f"optimizer/{k}": v for k, v in arrays.items()})
    history = getattr(model, "history", None)
    if history is not None and getattr(history, "history", None):
        meta["history"] = json.dumps({"epoch": history.epoch, "history": history.history})
    save(tensors, path, metadata=meta)


SIZE_FLOOR = 2 ** 16          # sizes every architecture may use, whatever its weights
SPEC_LIMIT = 2 ** 26          # numbers per sample in the saved input shape (the build probe uses 2 samples)
DRAW_SLACK = 2 ** 20          # random numbers for state that is not saved (templates, probes)
_INPUT_KINDS = "biuf"


def _fail(path, what):
    raise ValueError(f"load_model: {path}: {what}")


def _entry(path, meta, key, default=KeyError):
    """Metadata entry ``key`` parsed as JSON (``default`` when absent; KeyError: required)."""
    if key not in meta:
        if default is KeyError:
            _fail(path, f"the metadata has no {key!r} entry; the file is damaged or was not written by model.save")
        return default
    try:
        return json.loads(meta[key])
    except (ValueError, RecursionError) as e:
        _fail(path, f"the {key!r} entry is not valid JSON ({str(e)[:200]})")


def _check_input_spec(path, spec):
    if spec is None:
        return None
    ok = isinstance(spec, list) and spec and all(
        isinstance(item, list) and len(item) == 2 and isinstance(item[0], list) and isinstance(item[1], str)
        and len(item[0]) <= 32 and all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in item[0])
        for item in spec)
    if not ok:
        _fail(path, f"the 'input_spec' entry is corrupt: expected [[shape, dtype], ...], got {spec!r}"[:300])
    out = []
    for shape, name in spec:
        try:
            dtype = np.dtype(name)
        except TypeError:
            dtype = None
        if dtype is None or dtype.kind not in _INPUT_KINDS or dtype.fields is not None:
            _fail(path, f"the 'input_spec' entry names dtype {name!r}; expected a numeric dtype")
        if math.prod(shape) > SPEC_LIMIT:
            _fail(path, f"the saved input shape {tuple(shape)} has {math.prod(shape)} numbers per sample, "
                        f"more than the {SPEC_LIMIT} a model file may ask for")
        out.append((tuple(shape), dtype))
    return out


def _check_sizes(path, architecture, stored: int) -> None:
    """Every integer in the architecture is at most ``max(SIZE_FLOOR, stored)``: a layer whose size
    exceeds the numbers the file holds could not load its weights, and must not be allocated."""
    limit = max(SIZE_FLOOR, stored)
    stack = [(architecture, "architecture")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("class"), str) and isinstance(node.get("config"), dict):
                where = node["class"]
                node = node["config"]
            stack.extend((v, f"{where}.{k}") for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(node))
        elif isinstance(node, int) and not isinstance(node, bool) and node > limit:
            _fail(path, f"the architecture asks for {where} = {node}, but the file stores only {stored} "
                        f"numbers (a size may be at most {limit}); the file is damaged or hostile")


class _DrawBudget(np.random.Generator):
    """A generator of its own for rebuilding a model (the initial values are overwritten by the
    stored weights, and the shared generator stays untouched whether the load succeeds or not),
    refusing draws that would take the random numbers drawn so far past ``budget``, before they
    are allocated."""

    _SIZE_AT = {"random": 0, "standard_normal": 0, "standard_exponential": 0, "standard_cauchy": 0,
                "normal": 2, "uniform": 2, "integers": 2, "exponential": 1, "standard_gamma": 1, "gamma": 2,
                "beta": 2, "binomial": 2, "poisson": 1, "laplace": 2, "logistic": 2, "lognormal": 2,
                "choice": 1, "standard_t": 1, "chisquare": 1, "bernoulli": 1}

    def __init__(self, rng, budget: int):
        super().__init__(rng.bit_generator)
        self.budget, self.drawn = budget, 0

    def _spend(self, what, size):
        if size is None:
            n = 1
        elif isinstance(size, (int, np.integer)):
            n = int(size)
        else:
            n = math.prod(int(d) for d in size)
        if self.drawn + n > self.budget:
            raise ValueError(f"rebuilding the model would draw {self.drawn + n} random numbers ({what} of size {size}), "
                             f"more than the {self.budget} its stored weights justify")
        self.drawn += n

    def permutation(self, x, axis=0):
        self._spend("permutation", int(x) if isinstance(x, (int, np.integer)) else None)
        return super().permutation(x, axis=axis)


def _sized(name, index):
    base = getattr(np.random.Generator, name)

    def method(self, *args, **kwargs):
        self._spend(name, kwargs.get("size", args[index] if len(args) > index else None))
        return base(self, *args, **kwargs)
    method.__name__ = name
    return method


for _name, _index in _DrawBudget._SIZE_AT.items():
    if hasattr(np.random.Generator, _name):
        setattr(_DrawBudget, _name, _sized(_name, _index))


def _rebuild(path, architecture, spec, stored, custom_objects):
    """The model described by ``architecture``, built (lazy layers) with the saved input shape."""
    budget = _DrawBudget(np.random.default_rng(0), 2 * stored + DRAW_SLACK)
    try:
        with backend.use_generator(budget):
            model = Module.from_config(architecture, custom_objects, safe=True)
            if spec is not None:  # build the lazy layers with one dummy forward of the saved input shape
                if not hasattr(model, "_check_inputs_fit_model"):
                    _fail(path, f"the file saves an input shape, but {type(model).__name__} is not a trainable Model")
                model._check_inputs_fit_model(tuple(np.zeros((2, *shape), dtype=dt) for shape, dt in spec),
                                              "load_model")
    except TypeError as e:
        raise TypeError(f"load_model: {path}: cannot rebuild the architecture: {e}") from e
    except Exception as e:  # ValueError, and what constructors fed odd values raise (MemoryError included)
        if str(e).startswith(f"load_model: {path}: "):
            raise
        what = e if isinstance(e, ValueError) else f"{type(e).__name__}: {e}"
        raise ValueError(f"load_model: {path}: cannot rebuild the architecture: {what}") from e
    return model


def _check_history(path, saved):
    if saved is None:
        return None
    if (not isinstance(saved, dict) or not isinstance(saved.get("epoch"), list)
            or not isinstance(saved.get("history"), dict)
            or not all(isinstance(v, list) for v in saved["history"].values())):
        _fail(path, "the 'history' entry is corrupt: expected {'epoch': [...], 'history': {name: [...]}}")
    return saved


_COMPILE_KEYS = ("optimizer", "loss", "metrics", "learning_rate", "clipnorm", "clipvalue")


def load_model(path, custom_objects: dict | None = None, compile: bool = True):
    """Rebuild a model saved by ``model.save(path)``: architecture, weights, compile settings,
    optimizer state, history and random-generator state.

    The file is untrusted input (see the module docstring): it can name only neuronet's classes,
    classes registered with ``nt.nn.register_module`` and ``custom_objects``; its sizes are bounded
    by the weights it stores; nothing changes in the process unless the whole load succeeds.

    Args:
        custom_objects: ``{"ClassName": cls}`` for layers or models defined outside neuronet.
        compile: re-compile with the saved settings and restore the optimizer state.

    Raises:
        ValueError: the file is not a model file (a plain state dict: use ``nt.load``), is
            damaged, names a class you did not allow, or asks for sizes its weights do not justify.

    Example:
        >>> model = nt.Sequential([nt.nn.Dense(2)])
        >>> _ = model.compile(optimizer="sgd", loss="mse")
        >>> y = model.predict(np.ones((1, 3), np.float32))
        >>> model.save("tiny.nnet")
        >>> again = nt.load_model("tiny.nnet")
        >>> bool(np.allclose(again.predict(np.ones((1, 3), np.float32)), y))
        True
    """
    from ..io import load, load_metadata
    meta = load_metadata(path)
    if meta.get("format") != FORMAT:
        if "architecture" not in meta:
            _fail(path, f"this is not a neuronet model file: it holds no architecture (metadata format "
                        f"{meta.get('format')!r}, expected {FORMAT!r}), so there is no model to rebuild; "
                        "for a file of weights (a state dict) use nt.load(path) and model.load_state_dict(...)")
        _fail(path, f"is not a neuronet model file (format {meta.get('format')!r}, expected {FORMAT!r}); "
                    "for a state dict use nt.load(path)")
    if "architecture" not in meta:
        _fail(path, "the file has no architecture (metadata 'architecture' is missing), so the model cannot be "
                    "rebuilt; for its weights alone use nt.load(path) and model.load_state_dict(...)")
    architecture = _entry(path, meta, "architecture")
    if not isinstance(architecture, dict) or not isinstance(architecture.get("class"), str) \
            or not isinstance(architecture.get("config"), dict):
        _fail(path, f"the architecture is corrupt: expected {{'class': name, 'config': {{...}}}}, got {architecture!r}"[:300])
    spec = _check_input_spec(path, _entry(path, meta, "input_spec", None))
    epochs_done = _entry(path, meta, "epochs_done", 0)
    if not isinstance(epochs_done, int) or isinstance(epochs_done, bool) or epochs_done < 0:
        _fail(path, f"the 'epochs_done' entry must be a non-negative integer, got {epochs_done!r}"[:200])
    generator = None
    if "rng_state" in meta:
        try:
            generator = backend.generator_from_state(_entry(path, meta, "rng_state"))
        except (ValueError, TypeError, KeyError, OverflowError) as e:
            _fail(path, f"the 'rng_state' entry is corrupt ({type(e).__name__}: {e})"[:300])
    history = _check_history(path, _entry(path, meta, "history", None))
    cfg = _entry(path, meta, "compile", None) if compile else None
    if cfg is not None and (not isinstance(cfg, dict) or any(k not in cfg for k in _COMPILE_KEYS)):
        _fail(path, f"the 'compile' entry is corrupt: expected the keys {list(_COMPILE_KEYS)}")
    opt_meta = _entry(path, meta, "optimizer", None) if cfg is not None else None
    if opt_meta is not None and not isinstance(opt_meta, dict):
        _fail(path, "the 'optimizer' entry is corrupt: expected an object")

    tensors = load(path)
    state = {k[len("model/"):]: v for k, v in tensors.items() if k.startswith("model/")}
    stored = sum(int(v.size) for v in state.values())
    _check_sizes(path, architecture, stored)
    model = _rebuild(path, architecture, spec, stored, custom_objects)
    try:
        model.load_state_dict(state)
    except (KeyError, ValueError, TypeError) as e:
        msg = e.args[0] if isinstance(e, KeyError) and e.args else e
        _fail(path, f"the stored weights do not fit the architecture: {msg}")
    object.__setattr__(model, "epochs_done", epochs_done)
    if history is not None:
        from .history import History
        h = History()
        h.epoch, h.history = history["epoch"], history["history"]
        object.__setattr__(model, "history", h)
    if cfg is not None and hasattr(model, "compile") and cfg["optimizer"] is not None and cfg["loss"] is not None:
        try:
            model.compile(optimizer=cfg["optimizer"], loss=cfg["loss"], metrics=cfg["metrics"],
                          learning_rate=cfg["learning_rate"], clipnorm=cfg["clipnorm"], clipvalue=cfg["clipvalue"],
                          **({"jit": True} if cfg.get("jit") is True else {}))  # a Keras-style compile has no jit
            if opt_meta is not None:
                model._make_optimizer()
                arrays = {k[len("optimizer/"):]: v for k, v in tensors.items() if k.startswith("optimizer/")}
                model.optimizer.load_flat_state(arrays, opt_meta)
        except (KeyError, ValueError, TypeError, AttributeError, IndexError) as e:
            _fail(path, f"the saved compile settings or optimizer state do not load ({type(e).__name__}: {e})")
    # last, when nothing can fail any more: the random generator (the model's own, or the shared one)
    if generator is not None:
        if meta.get("own_generator") == "true" and hasattr(model, "random_generator"):
            object.__setattr__(model, "random_generator", generator)
        else:
            backend.get_rng().bit_generator.state = generator.bit_generator.state
    return model
