"""Model: Keras-style ``compile`` / ``fit`` / ``evaluate`` / ``predict`` on top of ``nn.Module``.

A Model is a Module, so everything of the PyTorch-style API (``parameters()``,
``state_dict()``, hand-written training loops) works on it too.  Subclass it and write
``forward`` (``class Net(nt.Model)``), or use :class:`neuronet.Sequential`.
"""
from __future__ import annotations

import functools
import math
import time

from .. import backend
from ..autograd import no_grad
from ..backend import np
from ..nn.module import Module
from ..tensor import Tensor
from .callbacks import Callback, CallbackList, reset_states
from .history import History
from .progress import ProgressBar

__all__ = ["Model"]

# Loss classes whose targets are class indices, or probabilities in [0, 1].
_INDEX_TARGET_LOSSES = {"CrossEntropyLoss", "SparseCategoricalCrossentropy", "NLLLoss"}
_BINARY_TARGET_LOSSES = {"BCELoss", "BCEWithLogitsLoss", "BinaryCrossentropy"}
_LOGIT_LOSSES = {"BCEWithLogitsLoss"}


def _own_generator(method):
    """Run ``method`` with the model's own generator (``model.random_generator``) as this thread's source
    of randomness when it has one (``backend.use_generator``)."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with backend.use_generator(self.random_generator):
            return method(self, *args, **kwargs)
    return wrapper


def _set(obj, name, value):
    """Set an attribute without registering it as a sub-module (losses are Modules)."""
    object.__setattr__(obj, name, value)


class Model(Module):
    """A trainable network with the Keras training API.

    Example::

        model = nt.Sequential([nt.nn.Dense(64, activation="relu"), nt.nn.Dense(10)])
        model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
        history = model.fit(x_train, y_train, epochs=5, validation_split=0.1)
        print(model.evaluate(x_test, y_test))

    Randomness (initialisation of lazily built layers, dropout, shuffling, ``transform``) comes
    from the shared generator that ``nt.manual_seed`` seeds, unless the model has its own:
    ``fit(..., seed=s)`` gives it one (``model.random_generator``, a NumPy Generator, also settable by
    hand), used by its ``fit``/``evaluate``/``predict``/``train_on_batch`` in whatever thread they
    run and saved with the model — so models trained in several threads at once are
    reproducible.  Layers built before that (``in_features=``, an earlier call) drew their
    initial weights from the generator current then.
    """

    random_generator = None  # the model's own NumPy Generator, or None for the shared one

    # --- compile -------------------------------------------------------------------------------
    def compile(self, optimizer="adam", loss=None, metrics=None, learning_rate=None,
                clipnorm=None, clipvalue=None):
        """Choose the optimizer, loss and metrics for ``fit``/``evaluate``.

        Args:
            optimizer: a name ("sgd", "adam", "rmsprop", ...), an optimizer object, or a
                callable ``params -> optimizer``.  A named optimizer is created on the first
                ``fit``, after lazy layers have their parameters.
            loss: a name ("cross_entropy", "mse", "sparse_categorical_crossentropy", ...), a
                loss module, or a callable ``(pred, target) -> scalar tensor``.
            metrics: list of names ("accuracy", "f1", "mae", ...) or metric objects.
            learning_rate: learning rate for a named optimizer (its default otherwise).
            clipnorm / clipvalue: clip gradients by global norm / by value before each step.
        """
        from ..nn.losses import get_loss
        from . import metrics as metrics_mod
        if loss is None:
            raise ValueError(f"{type(self).__name__}.compile: loss is required, e.g. loss='cross_entropy'")
        _set(self, "loss_fn", get_loss(loss))
        _set(self, "metric_objs", [metrics_mod.get_metric(m) for m in (metrics or [])])
        _set(self, "_compile_config", {
            "optimizer": optimizer if isinstance(optimizer, str) else None,
            "loss": loss if isinstance(loss, str) else None,
            "metrics": [m for m in (metrics or []) if isinstance(m, str)],
            "learning_rate": learning_rate, "clipnorm": clipnorm, "clipvalue": clipvalue,
        })
        _set(self, "_optimizer_spec", optimizer)
        _set(self, "optimizer", None if isinstance(optimizer, str) or (callable(optimizer) and not hasattr(optimizer, "step"))
             else optimizer)
        _set(self, "clipnorm", clipnorm)
        _set(self, "clipvalue", clipvalue)
        _set(self, "compiled", True)
        return self

    def _require_compiled(self, what):
        if not getattr(self, "compiled", False):
            raise RuntimeError(f"{type(self).__name__}.{what}: call compile(optimizer=..., loss=...) first")

    def _make_optimizer(self):
        if self.optimizer is not None:
            return
        from ..optim import get_optimizer
        spec = self._optimizer_spec
        params = list(self.parameters())
        if not params:
            raise ValueError(f"{type(self).__name__} has no parameters to train")
        if isinstance(spec, str):
            kwargs = {} if self._compile_config["learning_rate"] is None else {"lr": self._compile_config["learning_rate"]}
            _set(self, "optimizer", get_optimizer(spec, params, **kwargs))
        else:
            _set(self, "optimizer", spec(params))

    # --- data checks ---------------------------------------------------------------------------
    def _as_inputs(self, x, what):
        """x as a tuple of arrays (a tuple of inputs for multi-input models)."""
        if x is None:
            raise ValueError(f"{type(self).__name__}.{what}: x is None")
        xs = x if isinstance(x, tuple) else (x,)
        out = []
        for i, a in enumerate(xs):
            name = "x" if len(xs) == 1 else f"x[{i}]"
            a = _as_array(a, f"{type(self).__name__}.{what}: {name}")
            if a.ndim == 0 or a.shape[0] == 0:
                raise ValueError(f"{type(self).__name__}.{what}: {name} is empty (shape {a.shape})")
            if a.dtype.kind == "f" and not np.isfinite(a).all():
                bad = int(np.argwhere(~np.isfinite(a))[0][0])
                raise ValueError(f"{type(self).__name__}.{what}: {name} contains NaN or infinity (first at sample {bad})")
            out.append(a)
        n = out[0].shape[0]
        for i, a in enumerate(out[1:], 1):
            if a.shape[0] != n:
                raise ValueError(f"{type(self).__name__}.{what}: the inputs have different numbers of samples "
                                 f"(x[0] has {n}, x[{i}] has {a.shape[0]})")
        return tuple(out)

    def _as_targets(self, y, n, what):
        if y is None:
            raise ValueError(f"{type(self).__name__}.{what}: y is None (targets are needed)")
        y = _as_array(y, f"{type(self).__name__}.{what}: y")
        if y.ndim == 0 or y.shape[0] != n:
            raise ValueError(f"{type(self).__name__}.{what}: x has {n} samples but y has "
                             f"{y.shape[0] if y.ndim else 'a scalar'}")
        if y.dtype.kind == "f" and not np.isfinite(y).all():
            bad = int(np.argwhere(~np.isfinite(y))[0][0])
            raise ValueError(f"{type(self).__name__}.{what}: y contains NaN or infinity (first at sample {bad})")
        return y

    def _check_inputs_fit_model(self, xs, what):
        """Build lazy layers on the first call; afterwards the feature shape must match."""
        spec = getattr(self, "_input_spec", None)
        if spec is None:
            with no_grad():
                was = self.training
                self.eval()
                try:
                    out = self(*[self._to_tensor(a[:2]) for a in xs])
                finally:
                    self.train(was)
            reset_states(self)  # the probe must not leave 2-row states in stateful layers
            _set(self, "_input_spec", [(tuple(a.shape[1:]), a.dtype.str) for a in xs])
            _set(self, "_output_shape", tuple(_first(out).shape[1:]))
            return
        if len(spec) != len(xs):
            raise ValueError(f"{type(self).__name__}.{what}: the model takes {len(spec)} input(s), got {len(xs)}")
        for i, (a, (shape, _)) in enumerate(zip(xs, spec)):
            if not _same_features(a, shape):
                raise ValueError(f"{type(self).__name__}.{what}: expected input of shape (batch, "
                                 f"{', '.join(map(str, shape))}{',' if len(shape) == 1 else ''}), got {tuple(a.shape)}")

    def _check_targets_fit_loss(self, y, what):
        kind = type(self.loss_fn).__name__
        out = getattr(self, "_output_shape", None)
        if kind in _INDEX_TARGET_LOSSES and (out is None or y.shape[1:] != out):
            if y.dtype.kind not in "iu":
                raise TypeError(f"{type(self).__name__}.{what}: {kind} takes integer class labels, got y of dtype "
                                f"{y.dtype}; cast with y.astype('int64') (or pass one-hot targets of shape (N, classes))")
            # classes on axis 1 (PyTorch), or on the last axis for Keras's sparse categorical loss
            n_classes = (out[-1] if kind == "SparseCategoricalCrossentropy" else out[0]) if out else None
            lo, hi = int(y.min()), int(y.max())
            if lo < 0 or (n_classes is not None and hi >= n_classes):
                raise ValueError(f"{type(self).__name__}.{what}: labels must lie in [0, {n_classes - 1 if n_classes else '?'}] "
                                 f"for a model with {n_classes} outputs, got labels from {lo} to {hi}")
        elif kind in _BINARY_TARGET_LOSSES:
            if y.dtype.kind not in "iufb" or y.min() < 0 or y.max() > 1:
                raise ValueError(f"{type(self).__name__}.{what}: {kind} takes targets in [0, 1], got values from "
                                 f"{y.min()} to {y.max()}")

    def _to_tensor(self, a):
        """A batch as a tensor on the model's device; floats in the parameters' dtype, so float64
        NumPy data does not turn a float32 model's arithmetic into float64."""
        first = next(self.parameters(), None)
        if first is not None and first.device != "cpu":
            a = backend.to_device(a, first.device)
        dtype = first.dtype if first is not None and first.dtype.kind == "f" else backend.get_default_dtype()
        if a.dtype.kind == "f" and a.dtype != dtype:
            a = a.astype(dtype)
        return Tensor(a, dtype=a.dtype)

    def _prepare(self, x, y, what, need_y=True):
        xs = self._as_inputs(x, what)
        ys = self._as_targets(y, xs[0].shape[0], what) if need_y else None
        self._check_inputs_fit_model(xs, what)
        if ys is not None:
            self._check_targets_fit_loss(ys, what)
        return xs, ys

    # --- one step -----------------------------------------------------------------------------
    def _regularization(self):
        from ..optim import get_regularizer
        total = None
        for m in self.modules():
            for attr, prefix in (("kernel_regularizer", "weight"), ("bias_regularizer", "bias")):
                reg = getattr(m, attr, None)
                if reg is None:
                    continue
                reg = get_regularizer(reg)
                for name, p in m.named_parameters(recurse=False):
                    if name.startswith(prefix):
                        term = reg(p)
                        total = term if total is None else total + term
        return total

    def _loss(self, pred, target, sample_weight=None):
        if sample_weight is None:
            return self.loss_fn(pred, target)
        fn = self.loss_fn
        old = getattr(fn, "reduction", None)
        if old is None:
            raise ValueError(f"class_weight/sample_weight need a loss with a 'reduction' option, got {type(fn).__name__}")
        fn.reduction = "none"
        try:
            per = fn(pred, target)
        finally:
            fn.reduction = old
        if per.ndim > 1:
            per = per.reshape(per.shape[0], -1).mean(axis=1)
        w = self._to_tensor(sample_weight.astype(per.dtype))
        return (per * w).sum() * (1.0 / per.shape[0])

    def _train_step(self, xs, y, sample_weight=None):
        self.train()
        pred = self(*[self._to_tensor(a) for a in xs])
        target = self._to_tensor(y)
        data_loss = self._loss(pred, target, sample_weight)
        reg = self._regularization()
        loss = data_loss if reg is None else data_loss + reg
        self.optimizer.zero_grad()
        loss.backward()
        if self.clipnorm is not None or self.clipvalue is not None:
            from ..optim import clip_grad_norm_, clip_grad_value_
            if self.clipvalue is not None:
                clip_grad_value_(self.parameters(), self.clipvalue)
            if self.clipnorm is not None:
                clip_grad_norm_(self.parameters(), self.clipnorm)
        self.optimizer.step()
        return float(loss.item()), (None if reg is None else float(reg.item())), pred.data

    @_own_generator
    def train_on_batch(self, x, y, class_weight=None, sample_weight=None) -> dict:
        """One optimizer step on one batch; returns that batch's loss and metrics."""
        self._require_compiled("train_on_batch")
        xs, y = self._prepare(x, y, "train_on_batch")
        self._make_optimizer()
        sw = _sample_weights(y, class_weight, sample_weight)
        loss, reg, pred = self._train_step(xs, y, sw)
        logs = {"loss": loss}
        if reg is not None:
            logs["reg_loss"] = reg
        for m in self.metric_objs:
            m.reset()
            m.update(y, self._metric_pred(pred))
            logs[m.name] = float(m.result())
        return logs

    def _metric_pred(self, pred):
        pred = backend.to_numpy(pred)
        if type(self.loss_fn).__name__ in _LOGIT_LOSSES or getattr(self.loss_fn, "from_logits", False) is True \
                and type(self.loss_fn).__name__ in _BINARY_TARGET_LOSSES:
            pred = 1.0 / (1.0 + np.exp(-pred))
        return pred

    # --- fit -------------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=32, epochs=1, verbose=1, callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, transform=None, seed=None) -> History:
        """Train for ``epochs`` passes over ``(x, y)`` in mini-batches.

        Args:
            x, y: arrays (or tensors); ``x`` may be a tuple of arrays for a multi-input model,
                or a :class:`~neuronet.data.DataLoader` (any re-iterable of ``(x, y)`` batches)
                with ``y=None`` — then the loader decides batching, shuffling and transforms.
            batch_size: samples per gradient step.
            epochs: index of the last epoch (Keras semantics: with ``initial_epoch=2,
                epochs=5`` three more epochs run).
            verbose: 0 silent, 1 progress bar on a terminal (one line per epoch otherwise), 2 one line per epoch.
            callbacks: list of :class:`Callback`.
            validation_split: fraction of the samples, taken from the end before shuffling,
                held out for validation (arrays only).
            validation_data: ``(x_val, y_val)`` or a DataLoader; overrides ``validation_split``.
            shuffle: reshuffle the training samples every epoch (with the seeded generator).
            class_weight: ``{class: weight}`` scaling each sample's loss by its class.
            sample_weight: per-sample loss weights, shape (N,).
            initial_epoch: epoch to start from (resuming a saved model).
            transform: callable applied to each training batch of x (data augmentation).
            seed: give the model its own generator seeded with this (``model.random_generator``): this
                fit, and later ``evaluate``/``predict``/``fit`` calls, draw from it instead of the
                shared one — reproducible whatever other threads do. None keeps the current one.

        Returns:
            A :class:`History` whose ``history`` maps log names to per-epoch values.
        """
        if seed is not None:
            if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
                raise ValueError(f"fit: seed must be a non-negative integer, got {seed!r}")
            _set(self, "random_generator", np.random.default_rng(int(seed)))
        with backend.use_generator(self.random_generator):
            return self._fit(x, y, batch_size, epochs, verbose, callbacks, validation_split, validation_data,
                             shuffle, class_weight, sample_weight, initial_epoch, transform)

    def _fit(self, x, y, batch_size, epochs, verbose, callbacks, validation_split, validation_data, shuffle,
             class_weight, sample_weight, initial_epoch, transform) -> History:
        self._require_compiled("fit")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"fit: batch_size must be a positive integer, got {batch_size!r}")
        if not isinstance(epochs, int) or epochs < 0 or initial_epoch < 0:
            raise ValueError(f"fit: epochs and initial_epoch must be non-negative integers, got {epochs!r}, {initial_epoch!r}")
        if _is_loader(x):
            if y is not None or validation_split or class_weight is not None or sample_weight is not None:
                raise ValueError("fit: with a DataLoader as x, pass y, validation_split, class_weight and "
                                 "sample_weight through the loader (y must be None)")
            loader, n = x, None
            steps = len(loader) if hasattr(loader, "__len__") else None
            first = next(iter(loader))
            self._prepare(first[0], first[1], "fit")
            val = validation_data
        else:
            loader = None
            xs, y = self._prepare(x, y, "fit")
            n = xs[0].shape[0]
            sw = _sample_weights(y, class_weight, sample_weight)
            val = None
            if validation_data is not None:
                val = validation_data
            elif validation_split:
                if not 0.0 < validation_split < 1.0:
                    raise ValueError(f"fit: validation_split must be in (0, 1), got {validation_split}")
                cut = int(n * (1.0 - validation_split))
                if cut == 0 or cut == n:
                    raise ValueError(f"fit: validation_split={validation_split} leaves an empty train or validation set of {n} samples")
                val = (tuple(a[cut:] for a in xs), y[cut:])
                xs, y = tuple(a[:cut] for a in xs), y[:cut]
                sw = None if sw is None else sw[:cut]
                n = cut
            steps = math.ceil(n / batch_size)
        if val is not None and not _is_loader(val):
            if not isinstance(val, (tuple, list)) or len(val) != 2:
                raise ValueError("fit: validation_data must be a pair (x_val, y_val) or a DataLoader")
            val = self._prepare(val[0], val[1], "fit(validation_data)")
        self._make_optimizer()

        def epoch_batches(rng):
            """(inputs, targets, sample weights) for each step of one epoch."""
            if loader is not None:
                for batch in loader:
                    xb, yb = self._prepare(batch[0], batch[1], "fit")
                    yield list(xb), yb, None
                return
            order = rng.permutation(n) if shuffle else None
            for step in range(steps):
                sl = slice(step * batch_size, min(n, (step + 1) * batch_size))
                idx = order[sl] if order is not None else sl
                yield [a[idx] for a in xs], y[idx], None if sw is None else sw[idx]

        history = getattr(self, "history", None)
        if not isinstance(history, History) or initial_epoch == 0:
            history = History()
            _set(self, "history", history)
        cbs = []
        for c in callbacks or []:
            if not isinstance(c, Callback):
                raise TypeError(f"fit: callbacks must be Callback instances, got {type(c).__name__}")
            cbs.append(c)
        # History and the progress display run last, so they see what other callbacks added to the logs
        cbs += [history, ProgressBar(verbose)] if verbose else [history]
        cblist = CallbackList(cbs, model=self, epochs=epochs, steps=steps, batch_size=batch_size,
                              samples=n, verbose=verbose)
        _set(self, "stop_training", False)
        rng = backend.get_rng()
        cblist.on_train_begin({})
        logs = {}
        for epoch in range(initial_epoch, epochs):
            cblist.on_epoch_begin(epoch, {})
            for m in self.metric_objs:
                m.reset()
            total = reg_total = 0.0
            seen = 0
            reg = None
            for step, (xb, yb, swb) in enumerate(epoch_batches(rng)):
                if transform is not None:
                    xb[0] = transform(xb[0])
                cblist.on_train_batch_begin(step, {})
                loss, reg, pred = self._train_step(xb, yb, swb)
                bs = yb.shape[0]
                total += loss * bs
                seen += bs
                if reg is not None:
                    reg_total += reg * bs
                for m in self.metric_objs:
                    m.update(yb, self._metric_pred(pred))
                cblist.on_train_batch_end(step, {"loss": loss, "size": bs, "batch": step})
                if getattr(self, "stop_training", False) and not math.isfinite(loss):
                    break
            logs = {"loss": total / max(seen, 1)}
            if reg is not None:
                logs["reg_loss"] = reg_total / max(seen, 1)
            if "lr" in self.optimizer.param_groups[0]:  # COCOB has no learning rate
                logs["lr"] = float(self.optimizer.param_groups[0]["lr"])
            for m in self.metric_objs:
                logs[m.name] = float(m.result())
            if val is not None:
                cblist.on_test_begin({})
                vlogs = self._evaluate_batches(self._batches_of(val, batch_size))
                cblist.on_test_end(vlogs)
                logs.update({f"val_{k}": v for k, v in vlogs.items()})
            _set(self, "epochs_done", epoch + 1)
            cblist.on_epoch_end(epoch, logs)
            if getattr(self, "stop_training", False):
                break
        cblist.on_train_end(logs)
        return history

    # --- evaluate / predict ----------------------------------------------------------------------
    def _batches_of(self, data, batch_size):
        """Checked (inputs, targets) batches from prepared arrays ``(xs, y)`` or a DataLoader."""
        if _is_loader(data):
            for batch in data:
                xb, yb = self._prepare(batch[0], batch[1], "evaluate")
                yield xb, yb
            return
        xs, y = data
        for start in range(0, xs[0].shape[0], batch_size):
            yield tuple(a[start:start + batch_size] for a in xs), y[start:start + batch_size]

    def _evaluate_batches(self, batches):
        was = self.training
        self.eval()
        for m in self.metric_objs:
            m.reset()
        total, n = 0.0, 0
        try:
            with no_grad():
                for xb, yb in batches:
                    pred = self(*[self._to_tensor(a) for a in xb])
                    total += float(self.loss_fn(pred, self._to_tensor(yb)).item()) * yb.shape[0]
                    n += yb.shape[0]
                    for m in self.metric_objs:
                        m.update(yb, self._metric_pred(pred.data))
        finally:
            self.train(was)
        logs = {"loss": total / max(n, 1)}
        for m in self.metric_objs:
            logs[m.name] = float(m.result())
        return logs

    @_own_generator
    def evaluate(self, x=None, y=None, batch_size=32, verbose=0) -> dict:
        """Loss and metrics over ``(x, y)`` (or a DataLoader) in eval mode, without recording a graph.

        Returns:
            ``{"loss": ..., "accuracy": ..., ...}`` (a dict, not Keras's list).
        """
        self._require_compiled("evaluate")
        data = x if _is_loader(x) and y is None else self._prepare(x, y, "evaluate")
        t0 = time.perf_counter()
        logs = self._evaluate_batches(self._batches_of(data, batch_size))
        if verbose:
            from .progress import format_logs
            print(f"evaluate - {format_logs(logs)} - {time.perf_counter() - t0:.1f}s")
        return logs

    @_own_generator
    def predict(self, x, batch_size=32, verbose=0):
        """The model's outputs for ``x`` as a NumPy array (batched, eval mode, no graph)."""
        xs, _ = self._prepare(x, None, "predict", need_y=False)
        was = self.training
        self.eval()
        outs = []
        try:
            with no_grad():
                for start in range(0, xs[0].shape[0], batch_size):
                    out = self(*[self._to_tensor(a[start:start + batch_size]) for a in xs])
                    outs.append(backend.to_numpy(_first(out).data))
        finally:
            self.train(was)
        return np.concatenate(outs, axis=0)

    def predict_on_batch(self, x):
        return self.predict(x, batch_size=max(1, len(x)))

    # --- saving, summary -------------------------------------------------------------------------
    def save(self, path, include_optimizer: bool = True) -> None:
        """Write the architecture (JSON), weights and optimizer state to one file, atomically."""
        from .checkpoint import save_model
        save_model(self, path, include_optimizer=include_optimizer)

    def summary(self, input_shape=None, print_fn=print):
        """Print each layer's output shape and parameter count, and the weight memory."""
        from .summary import summary
        return summary(self, input_shape=input_shape, print_fn=print_fn)

    def build(self, input_shape) -> None:
        """Create the parameters of every lazy layer from ``input_shape`` (batch dimension included or None)."""
        shape = tuple(2 if d is None else d for d in input_shape)
        self._check_inputs_fit_model((np.zeros(shape, dtype=backend.get_default_dtype()),), "build")
        self.built = True


def _same_features(a, shape) -> bool:
    """Whether batch ``a`` fits the recorded per-sample ``shape``.  Sequences may change length:
    integer token ids (N, T) and float sequences (N, T, F) match on every axis but time (axis 1)."""
    got, shape = tuple(a.shape[1:]), tuple(shape)
    sequence = (a.dtype.kind in "iu" and a.ndim == 2) or (a.dtype.kind == "f" and a.ndim == 3)
    if sequence and len(got) == len(shape):
        return got[1:] == shape[1:]
    return got == shape


def _is_loader(x) -> bool:
    """True for a DataLoader or any other re-iterable of batches (not an array, tensor or tuple of arrays)."""
    return (x is not None and hasattr(x, "__iter__") and not isinstance(x, (tuple, list, Tensor))
            and not hasattr(x, "shape"))


def _first(out):
    return out[0] if isinstance(out, (tuple, list)) else out


def _as_array(a, where):
    if isinstance(a, Tensor):
        a = a.data
    a = backend.to_numpy(a) if not isinstance(a, np.ndarray) else a
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{where} has dtype {a.dtype}; expected numbers (float or integer arrays)")
    return a


def _sample_weights(y, class_weight, sample_weight):
    w = None
    if class_weight is not None:
        labels = y if y.ndim == 1 else y.argmax(axis=-1)
        if labels.dtype.kind not in "iu" and not np.all(labels == labels.astype(np.int64)):
            raise ValueError("class_weight needs integer class labels or one-hot targets")
        labels = labels.astype(np.int64)
        missing = set(np.unique(labels).tolist()) - set(int(k) for k in class_weight)
        if missing:
            raise ValueError(f"class_weight has no weight for classes {sorted(missing)}")
        table = np.zeros(int(labels.max()) + 1, dtype=np.float64)
        for k, v in class_weight.items():
            if int(k) < table.size:
                table[int(k)] = v
        w = table[labels]
    if sample_weight is not None:
        sw = np.asarray(sample_weight, dtype=np.float64)
        if sw.shape != (y.shape[0],):
            raise ValueError(f"sample_weight must have shape ({y.shape[0]},), got {sw.shape}")
        w = sw if w is None else w * sw
    return w
