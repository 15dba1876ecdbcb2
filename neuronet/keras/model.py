"""``keras.Model`` (functional API and subclassing) and ``keras.Sequential`` over neuronet's Model.

Both are neuronet Models (``compile``/``fit``/``evaluate``/``predict``/``save``, and a PyTorch-style
loop: ``model(x)``, ``loss.backward()``, ``opt.step()`` over ``model.parameters()``), with Keras's
habits on top: ``model.layers``, ``get_layer``, ``get_weights``/``set_weights`` in Keras's layout,
``count_params``, Keras optimizer objects in ``compile``, and ``evaluate`` returning Keras's list
(``loss, acc = model.evaluate(x, y)``; ``return_dict=True`` gives the dict).

A functional model records the layers' calls on :func:`Input` symbols (``graph.py``) and replays
them in order; its layers are its children, named by ``layer.name`` (state-dict keys
``dense.weight``); ``get_config`` writes the graph as JSON so ``nt.load_model`` rebuilds it
without pickle.
"""
from __future__ import annotations

from .. import backend
from ..backend import np
from ..nn.module import Module, register_module
from ..train.model import Model as _NeuronetModel
from ..train.sequential import Sequential as _NeuronetSequential
from .graph import Input, KerasTensor, Node, _flatten, call_symbolic, replace

__all__ = ["Model", "Sequential"]


class _KerasModel:
    """The Keras habits both model kinds share (placed before neuronet's Model in the bases)."""

    evaluate_returns_dict = False  # Keras's list: loss, acc = model.evaluate(x, y)

    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, **kwargs):
        """Keras's ``compile``: ``optimizer`` a name or a ``keras.optimizers`` object, ``loss`` a name
        ("binary_crossentropy", "sparse_categorical_crossentropy", "mse", ...) or a loss object.

        A model with several outputs takes one loss per output (a list, a dict by output name, or
        one loss for all), ``loss_weights`` (list or dict) and metrics per output (a list of lists,
        a dict, or a flat list for every output), logged as ``<output>_<metric>``.

        ``jit_compile=True`` (Keras: compile the step with XLA, or ``torch.compile`` on the torch
        backend) captures the training step and replays it, neuronet's ``compile(jit=True)``: the
        same results to the bit, less Python per step; ``"auto"`` (Keras's default) and False run eagerly."""
        jit_compile = kwargs.pop("jit_compile", "auto")
        if jit_compile not in (True, False, "auto", None):
            raise ValueError(f"compile: jit_compile must be True, False or 'auto', got {jit_compile!r}")
        if jit_compile is True and not kwargs.get("run_eagerly"):  # run_eagerly wins, as in Keras
            kwargs["jit"] = True
        unknown = sorted(set(kwargs) - {"learning_rate", "clipnorm", "clipvalue", "jit", "run_eagerly",
                                        "steps_per_execution", "weighted_metrics"})
        if unknown:
            raise TypeError(f"compile: unexpected argument(s) {unknown}")
        for k in ("run_eagerly", "steps_per_execution", "weighted_metrics"):
            kwargs.pop(k, None)
        if len(getattr(self, "_outputs", ())) > 1:
            return self._compile_outputs(optimizer, loss, metrics, loss_weights, kwargs)
        if loss_weights is not None:
            raise ValueError("compile: loss_weights weighs the losses of a model with several outputs; this model "
                             "has one")
        from . import losses as keras_losses
        return self._compile_one(optimizer, keras_losses.for_compile(loss), metrics, kwargs)

    def _compile_one(self, optimizer, loss, metrics, kwargs):
        from .optimizers import KerasOptimizer, get as get_optimizer
        if isinstance(optimizer, str) and optimizer.lower() in ("sgd", "adam", "adamw", "rmsprop", "adagrad"):
            optimizer = get_optimizer(optimizer)  # Keras's defaults (RMSprop's learning rate 0.001, ...)
        if isinstance(optimizer, KerasOptimizer):
            for k in ("clipnorm", "clipvalue"):
                if getattr(optimizer, k) is not None:
                    kwargs.setdefault(k, getattr(optimizer, k))
            _NeuronetModel.compile(self, optimizer=optimizer.factory, loss=loss, metrics=metrics, **kwargs)
            self._compile_config.update(optimizer.compile_config())  # saved with the model when it can be named
            return self
        return _NeuronetModel.compile(self, optimizer=optimizer, loss=loss, metrics=metrics, **kwargs)

    def _compile_outputs(self, optimizer, loss, metrics, loss_weights, kwargs):
        """``compile`` for several outputs (see ``compile``)."""
        from . import losses as keras_losses
        from ..train.metrics import get_metric
        from .outputs import MultiOutputLoss, OutputMetric, per_output
        names = self.output_names
        if isinstance(loss, dict) and set(loss) == {"outputs", "weights"}:  # as a saved model records it
            loss, loss_weights = loss["outputs"], loss["weights"]
        losses = per_output("loss", loss, names)
        missing = [n for n, item in zip(names, losses) if item is None]
        if missing:
            raise ValueError(f"compile: no loss for the outputs {missing}; give one loss per output (a list, or a "
                             f"dict by output name: {names})")
        losses = [keras_losses.for_compile(item) for item in losses]
        weights = [1.0 if w is None else float(w) for w in per_output("loss_weights", loss_weights, names)] \
            if loss_weights is not None else [1.0] * len(names)
        combined = MultiOutputLoss(losses, weights, None, names)
        self._compile_one(optimizer, combined, None, kwargs)
        objs = []
        for i, (name, ms) in enumerate(zip(names, per_output("metrics", metrics or [], names, nested=True))):
            for m in ms or []:
                metric = get_metric(m)
                objs.append(OutputMetric(metric, i, combined, f"{name}_{metric.name}"))
        object.__setattr__(self, "metric_objs", objs)
        if all(isinstance(item, str) for item in losses):  # saved with the model: load_model re-compiles
            self._compile_config["loss"] = {"outputs": losses, "weights": weights}
            flat = metrics if isinstance(metrics, list) and all(isinstance(m, str) for m in metrics) else []
            self._compile_config["metrics"] = flat
        return self

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", *args, class_weight=None, **kwargs):
        """neuronet's ``fit`` with Keras's defaults: ``verbose="auto"`` (a progress bar) and batch size 32."""
        if class_weight is not None and len(getattr(self, "_outputs", ())) > 1:
            raise ValueError("fit: class_weight needs a model with one output; pass sample_weight instead")
        verbose = 1 if verbose == "auto" else verbose
        return _NeuronetModel.fit(self, x, y, batch_size, epochs, verbose, *args, class_weight=class_weight, **kwargs)

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", **kwargs):
        """neuronet's ``evaluate``; Keras's list by default (see the module docstring)."""
        return _NeuronetModel.evaluate(self, x, y, batch_size, 1 if verbose == "auto" else verbose, **kwargs)

    @property
    def layers(self) -> list:
        """The model's layers in order (a functional model lists its Input layers first, as Keras)."""
        return list(self.children())

    def get_layer(self, name=None, index=None):
        """The layer called ``name`` (or at position ``index`` of ``layers``)."""
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(f"get_layer: index {index} is out of range for {len(layers)} layers")
            return layers[index]
        for layer in layers:
            if getattr(layer, "name", None) == name:
                return layer
        names = [getattr(layer, "name", type(layer).__name__) for layer in layers]
        raise ValueError(f"get_layer: no layer named {name!r}; the layers are {names}")

    def get_weights(self) -> list:
        """Every layer's ``get_weights()`` in order (Keras's layout), as one list of arrays."""
        return [w for layer in self.layers for w in _layer_weights(layer)]

    def set_weights(self, weights) -> None:
        """Load a list as ``get_weights`` returns it (Keras's layout)."""
        weights = list(weights)
        need = [len(_layer_weights(layer)) for layer in self.layers]
        if len(weights) != sum(need):
            raise ValueError(f"set_weights: the model has {sum(need)} weight arrays, got {len(weights)}")
        start = 0
        for layer, n in zip(self.layers, need):
            if n:
                layer.set_weights(weights[start:start + n])
            start += n


def _layer_weights(layer) -> list:
    if hasattr(layer, "get_weights"):
        return layer.get_weights()
    return [np.array(backend.to_numpy(p.data)) for p in layer.parameters()]


class InputLayer(Module):
    """The place of an Input in ``model.layers`` (no parameters; computes nothing)."""

    def __init__(self, shape, dtype="float32", name="input"):
        super().__init__()
        self.shape, self.dtype = tuple(shape), np.dtype(dtype)
        object.__setattr__(self, "name", name)

    def forward(self, x):
        return x

    def get_weights(self):
        return []


@register_module(name="keras.Model")  # not "Model": that short name stays neuronet's own (nt.Model)
class Model(_KerasModel, _NeuronetModel):
    """``keras.Model(inputs, outputs)`` (functional API) or a subclass with ``call`` (or ``forward``).

    Several inputs: ``keras.Model([a, b], out)`` takes ``fit([xa, xb], y)``; a layer called on
    several symbols (a shared layer) has one set of weights.  Several outputs: ``compile`` takes a
    loss per output, ``fit(x, [y1, y2])`` (or a dict by output name), ``predict`` returns a list.

    Example:
        >>> from neuronet import keras
        >>> inputs = keras.Input(shape=(4,))
        >>> hidden = keras.layers.Dense(8, activation="relu")(inputs)
        >>> model = keras.Model(inputs, keras.layers.Add()([keras.layers.Dense(8)(hidden), hidden]))  # a residual
        >>> _ = model.compile(optimizer="adam", loss="mse")
        >>> _ = model.fit(np.ones((16, 4), np.float32), np.zeros((16, 8), np.float32), epochs=1, verbose=0)
        >>> model.predict(np.ones((2, 4), np.float32)).shape
        (2, 8)
    """

    def __init__(self, inputs=None, outputs=None, name=None, graph=None, trainable=True, **kwargs):
        super().__init__()
        if kwargs:
            raise TypeError(f"Model: unexpected argument(s) {sorted(kwargs)}")
        if not trainable:
            self.trainable = False
        object.__setattr__(self, "name", name or "model")
        object.__setattr__(self, "_inputs", None)
        object.__setattr__(self, "_outputs", ())
        if graph is not None:
            inputs, outputs = _rebuild(graph)
        if inputs is None and outputs is None:
            return  # a subclassed model: its call() or forward() runs
        if inputs is None or outputs is None:
            raise ValueError("Model: give both inputs and outputs (functional API), or neither (subclassing)")
        self._set_graph(inputs, outputs)

    def _set_graph(self, inputs, outputs):
        single_in, single_out = isinstance(inputs, KerasTensor), isinstance(outputs, KerasTensor)
        ins = [inputs] if single_in else list(inputs.values() if isinstance(inputs, dict) else inputs)
        outs = [outputs] if single_out else list(outputs.values() if isinstance(outputs, dict) else outputs)
        for what, ts in (("inputs", ins), ("outputs", outs)):
            bad = [type(t).__name__ for t in ts if not isinstance(t, KerasTensor)]
            if bad or not ts:
                raise TypeError(f"Model: {what} must be keras.Input symbols and layer outputs on them, got {bad or ts}")
        for t in ins:
            if t.node is not None:
                raise ValueError(f"Model: inputs must be keras.Input(...) symbols, got the output of layer "
                                 f"{t.node.layer.name!r}")
        nodes = _topological(outs)
        known = {id(t) for t in ins}
        for node in nodes:
            for t in node.inputs():
                if t.node is None and id(t) not in known:
                    raise ValueError(f"Model: layer {node.layer.name!r} reads Input {t.name!r}, which is not among "
                                     f"the model's inputs {[i.name for i in ins]}")
        object.__setattr__(self, "_inputs", ins)
        object.__setattr__(self, "_outputs", outs)
        object.__setattr__(self, "_nodes", nodes)
        for t in ins:
            self._add_layer(InputLayer(t.shape[1:], t.dtype.name, t.name))
        for node in nodes:
            if node.layer not in list(self.children()):
                self._add_layer(node.layer)

    def _add_layer(self, layer):
        name = getattr(layer, "name", None) or type(layer).__name__.lower()
        if name in self._module_names or hasattr(type(self), name) or name in self.__dict__:
            raise ValueError(f"Model: two layers (or a layer and a Model attribute) are named {name!r}; give the "
                             f"layers distinct names with name=...")
        self.add_module(name, layer)

    def call(self, *inputs):  # pragma: no cover - subclasses define it
        raise NotImplementedError(f"{type(self).__name__}: define call(self, inputs) or build it with "
                                  f"keras.Model(inputs, outputs)")

    def forward(self, *inputs):
        if self._inputs is None:
            return self.call(*inputs)
        if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)) and len(self._inputs) > 1:
            inputs = tuple(inputs[0])
        if len(inputs) != len(self._inputs):
            raise ValueError(f"{self.name}: expected {len(self._inputs)} inputs "
                             f"({', '.join(t.name for t in self._inputs)}), got {len(inputs)}")
        entry = [m for m in self.children() if isinstance(m, InputLayer)]
        values = {id(t): layer(x) for t, layer, x in zip(self._inputs, entry, inputs)}
        for node in self._nodes:
            out = node.layer(*replace(node.args, lambda t: values[id(t)]),
                             **replace(node.kwargs, lambda t: values[id(t)]))
            for t, o in zip(node.outputs, out if isinstance(out, (list, tuple)) else [out]):
                values[id(t)] = o
        outs = [values[id(t)] for t in self._outputs]
        return outs[0] if len(outs) == 1 else outs

    def __call__(self, *args, **kwargs):
        from .graph import is_symbolic
        if is_symbolic(args, kwargs):  # a model used as a layer of a bigger functional model
            return call_symbolic(self, args, kwargs)
        return super().__call__(*args, **kwargs)

    def predict(self, x, batch_size=32, verbose=0):
        """The outputs for ``x``: one array, or a list of arrays for a model with several outputs."""
        if len(self._outputs) <= 1:
            return super().predict(x, batch_size=batch_size, verbose=verbose)
        from ..autograd import no_grad
        xs, _ = self._prepare(x, None, "predict", need_y=False)
        was = self.training
        self.eval()
        outs = [[] for _ in self._outputs]
        try:
            with no_grad():
                for start in range(0, xs[0].shape[0], batch_size):
                    for i, o in enumerate(self(*[self._to_tensor(a[start:start + batch_size]) for a in xs])):
                        outs[i].append(backend.to_numpy(o.data))
        finally:
            self.train(was)
        return [np.concatenate(o, axis=0) for o in outs]

    @property
    def output_names(self) -> list:
        """The outputs' names: the names of the layers that make them (Keras's convention)."""
        return [t.node.layer.name if t.node is not None else t.name for t in self._outputs]

    def _as_targets(self, y, n, what):
        """Several outputs: the targets (a list in output order, or a dict by output name) packed
        into one array for the training loop (``outputs.py``)."""
        if len(self._outputs) <= 1:
            return super()._as_targets(y, n, what)
        from .outputs import Packed, pack_targets
        if isinstance(y, Packed):
            return y
        names = self.output_names
        if isinstance(y, dict):
            missing = sorted(set(names) - set(y))
            if missing:
                raise ValueError(f"{what}: y has no targets for the outputs {missing}")
            y = [y[name] for name in names]
        if not isinstance(y, (list, tuple)) or len(y) != len(names):
            raise ValueError(f"{what}: this model has {len(names)} outputs {names}; pass y as a list of "
                             f"{len(names)} arrays or a dict by output name")
        kinds = [type(loss).__name__ for loss in self.loss_fn.losses]
        packed, layout = pack_targets(y, [t.shape[1:] for t in self._outputs], kinds, n, what)
        if self.loss_fn.layout is not None and self.loss_fn.layout != layout:
            raise ValueError(f"{what}: the targets have per-output shapes and dtypes {layout}, the model was "
                             f"trained with {self.loss_fn.layout}")
        self.loss_fn.layout = layout
        return packed

    @property
    def inputs(self):
        return list(self._inputs or [])

    @property
    def outputs(self):
        return list(self._outputs)

    def get_config(self) -> dict:
        """The graph as JSON: the layers' configs, the inputs, each call and the outputs."""
        if self._inputs is None:
            return super().get_config()
        layers = [m for m in self.children() if not isinstance(m, InputLayer)]
        index = {id(m): i for i, m in enumerate(layers)}
        where = {id(t): ["input", i, 0] for i, t in enumerate(self._inputs)}
        for n, node in enumerate(self._nodes):
            for k, t in enumerate(node.outputs):
                where[id(t)] = ["node", n, k]
        ref = lambda t: {"__ref__": where[id(t)]}  # noqa: E731
        graph = {
            "layers": [{"__module__": m.get_config()} for m in layers],
            "inputs": [{"shape": list(t.shape[1:]), "dtype": t.dtype.name, "name": t.name} for t in self._inputs],
            "nodes": [{"layer": index[id(node.layer)], "args": replace(list(node.args), ref),
                       "kwargs": replace(dict(node.kwargs), ref)} for node in self._nodes],
            "outputs": [ref(t) for t in self._outputs],
        }
        from ..nn.module import config_name
        return {"class": config_name(type(self)), "config": {"name": self.name, "graph": graph}}


def _topological(outputs) -> list:
    """The nodes that produce ``outputs``, each after the nodes it reads (iterative DFS)."""
    order, done, stack = [], set(), [(t.node, False) for t in reversed(outputs) if t.node is not None]
    while stack:
        node, expanded = stack.pop()
        if id(node) in done:
            continue
        if expanded:
            done.add(id(node))
            order.append(node)
            continue
        stack.append((node, True))
        for t in reversed(node.inputs()):
            if t.node is not None and id(t.node) not in done:
                stack.append((t.node, False))
    return order


def _rebuild(graph):
    """Inputs and outputs of a functional model from ``get_config``'s graph (layers already rebuilt)."""
    if not isinstance(graph, dict) or not all(k in graph for k in ("layers", "inputs", "nodes", "outputs")):
        raise ValueError("Model: graph must be {'layers', 'inputs', 'nodes', 'outputs'} as get_config writes it")
    layers = graph["layers"]
    if not all(isinstance(m, Module) for m in layers):
        raise ValueError("Model: graph['layers'] must hold layer configs")
    for i in graph["inputs"]:
        try:
            kind = np.dtype(i["dtype"]).kind
        except (TypeError, KeyError):
            kind = None
        if kind not in ("b", "i", "u", "f"):
            raise ValueError(f"Model: the graph's input {i!r} has no numeric dtype"[:200])
    inputs = [Input(shape=tuple(i["shape"]), dtype=i["dtype"], name=i["name"]) for i in graph["inputs"]]
    made = []

    def lookup(ref):
        kind, i, k = ref["__ref__"]
        if kind == "input" and 0 <= i < len(inputs):
            return inputs[i]
        if kind == "node" and 0 <= i < len(made) and 0 <= k < len(made[i]):
            return made[i][k]
        raise ValueError(f"Model: the graph refers to {ref['__ref__']!r}, which comes later or does not exist")

    def resolve(v):
        if isinstance(v, dict) and "__ref__" in v:
            return lookup(v)
        if isinstance(v, list):
            return [resolve(x) for x in v]
        if isinstance(v, dict):
            return {k: resolve(x) for k, x in v.items()}
        return v

    for spec in graph["nodes"]:
        i = spec["layer"]
        if not isinstance(i, int) or not 0 <= i < len(layers):
            raise ValueError(f"Model: the graph calls layer {i!r}; it has {len(layers)} layers")
        out = layers[i](*resolve(spec["args"]), **resolve(spec["kwargs"]))
        made.append(list(out) if isinstance(out, (list, tuple)) else [out])
    outputs = [lookup(r) for r in graph["outputs"]]
    return inputs, outputs[0] if len(outputs) == 1 else outputs


@register_module(name="keras.Sequential")  # not "Sequential": files naming it must keep loading as nt.Sequential
class Sequential(_KerasModel, _NeuronetSequential):
    """``keras.Sequential([keras.Input(shape=(4,)), layers.Dense(8, activation="relu"), ...])`` (or
    ``add`` one layer at a time).  An Input first, or ``input_shape=`` on the first layer, builds the
    model at once (``summary`` shows shapes, ``get_weights`` has arrays); otherwise the first
    ``fit``/``predict`` builds it.  Children are named "0", "1", ... (neuronet's Sequential);
    ``layer.name`` and ``get_layer(name)`` give Keras's names.

    Example:
        >>> from neuronet import keras
        >>> model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3)])
        >>> _ = model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        >>> x, y = nt.data.load_iris()
        >>> history = model.fit(x, y, epochs=2, batch_size=32, verbose=0)
        >>> sorted(history.history), model.count_params()
        (['accuracy', 'loss', 'lr'], 67)
    """

    def __init__(self, layers=None, name=None, trainable=True):
        object.__setattr__(self, "_keras_input", None)
        object.__setattr__(self, "name", name or "sequential")
        _NeuronetSequential.__init__(self, None)
        for layer in layers or []:
            self.add(layer)
        if not trainable:
            self.trainable = False

    def add(self, layer):
        """Append a layer (or a ``keras.Input``, before any layer); builds when the input shape is known."""
        if isinstance(layer, KerasTensor):
            if len(self) or self._keras_input is not None:
                raise ValueError("Sequential.add: a keras.Input must come first, before any layer")
            object.__setattr__(self, "_keras_input", (layer.shape[1:], layer.dtype))
            return self
        if isinstance(layer, Model) and layer._inputs is not None and len(layer._inputs) == 1 and not len(self) \
                and self._keras_input is None:
            t = layer._inputs[0]
            object.__setattr__(self, "_keras_input", (t.shape[1:], t.dtype))
        _NeuronetSequential.add(self, layer)
        shape = getattr(layer, "keras_input_shape", None)
        if shape is not None and len(self) == 1 and self._keras_input is None:
            dtype = "int64" if type(layer).__name__ == "Embedding" else backend.get_default_dtype()
            object.__setattr__(self, "_keras_input", (tuple(shape), np.dtype(dtype)))
        if self._keras_input is not None and None not in self._keras_input[0]:
            shape, dtype = self._keras_input
            spec = getattr(self, "_input_spec", None)
            object.__setattr__(self, "_input_spec", None)  # probe again: the new layer gets built
            try:
                self._check_inputs_fit_model((np.zeros((2, *shape), dtype=dtype),), "add")
            except (ValueError, TypeError):
                delattr(self, str(len(self) - 1))  # a layer that does not fit is not kept
                object.__setattr__(self, "_input_spec", spec)
                raise
        return self

    @property
    def layers(self) -> list:
        return list(self.children())

    def get_config(self) -> dict:
        cfg = _NeuronetSequential.get_config(self)
        cfg["config"]["name"] = self.name
        return cfg
