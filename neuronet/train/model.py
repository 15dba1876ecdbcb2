"""Model: Keras-style ``compile`` / ``fit`` / ``evaluate`` / ``predict`` on top of ``nn.Module``.

A Model is a Module, so everything of the PyTorch-style API (``parameters()``,
``state_dict()``, hand-written training loops) works on it too.  Subclass it and write
``forward`` (``class Net(nt.Model)``), or use :class:`neuronet.Sequential`.
"""
from __future__ import annotations

import contextlib
import functools
import inspect
import itertools
import math
import numbers
import time

from .. import backend
from ..autograd import no_grad
from ..backend import np
from ..checks import positive_int
from ..nn.module import Module
from ..tensor import Tensor
from .callbacks import Callback, CallbackList, reset_states
from .history import History
from .inputs import _is_pandas, as_data, cast_inputs, fit_targets_to_loss
from .jit import jit as _jit
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

    Randomness (initialisation of lazily built layers, dropout, shuffling, ``transform``) comes
    from the shared generator that ``nt.manual_seed`` seeds, unless the model has its own:
    ``fit(..., seed=s)`` gives it one (``model.random_generator``, a NumPy Generator, also settable by
    hand), used by its ``fit``/``evaluate``/``predict``/``train_on_batch`` in whatever thread they
    run and saved with the model — so models trained in several threads at once are
    reproducible.  Layers built before that (``in_features=``, an earlier call) drew their
    initial weights from the generator current then.

    Example:
        >>> class TwoLayer(nt.Model):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.hidden = nt.nn.Dense(8, activation="relu")
        ...         self.out = nt.nn.Dense(1)
        ...     def forward(self, x):
        ...         return self.out(self.hidden(x))
        >>> model = TwoLayer()
        >>> _ = model.compile(optimizer="adam", loss="mse")
        >>> x = np.random.rand(32, 3).astype(np.float32)
        >>> history = model.fit(x, x.sum(1, keepdims=True), epochs=2, batch_size=8, verbose=0)
        >>> len(history.history["loss"]), model.predict(x).shape
        (2, (32, 1))
    """

    random_generator = None  # the model's own NumPy Generator, or None for the shared one
    evaluate_returns_dict = True  # evaluate's default: a dict (neuronet.keras models: Keras's list)

    # --- compile -------------------------------------------------------------------------------
    def compile(self, optimizer="adam", loss=None, metrics=None, learning_rate=None,
                clipnorm=None, clipvalue=None, jit=False):
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
            jit: capture the training step (and evaluate's and predict's forward) per batch shape
                and replay it (``nt.jit``): the same results to the bit, less Python per step.
        """
        from ..nn.losses import get_loss
        from . import metrics as metrics_mod
        if loss is None:
            raise ValueError(f"{type(self).__name__}.compile: loss is required, e.g. loss='cross_entropy'")
        if not isinstance(jit, bool):
            raise TypeError(f"{type(self).__name__}.compile: jit must be True or False, got {jit!r}")
        _set(self, "loss_fn", get_loss(loss))
        _set(self, "metric_objs", [metrics_mod.get_metric(m) for m in (metrics or [])])
        _set(self, "_compile_config", {
            "optimizer": optimizer if isinstance(optimizer, str) else None,
            "loss": loss if isinstance(loss, str) else None,
            "metrics": [m for m in (metrics or []) if isinstance(m, str)],
            "learning_rate": learning_rate, "clipnorm": clipnorm, "clipvalue": clipvalue,
            **({"jit": True} if jit else {}),
        })
        _set(self, "_jit_steps", None if not jit else {
            "train": _jit(self._step_on_tensors), "evaluate": _jit(self._evaluate_on_tensors),
            "predict": _jit(self._predict_on_tensors)})
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
        if isinstance(x, list) and x and all(getattr(a, "ndim", 0) >= 1 or _is_pandas(a) for a in x):
            x = tuple(x)  # Keras's list of arrays, one per input
        xs = x if isinstance(x, tuple) else (x,)
        xs = tuple(as_data(a) for a in xs)
        out = []
        for i, a in enumerate(xs):
            name = "x" if len(xs) == 1 else f"x[{i}]"
            if _is_batches(a):
                raise TypeError(f"{type(self).__name__}.{what}: {name} is a {type(a).__name__} of batches; {what} "
                                f"takes arrays here (a DataLoader or other iterable of (x, y) batches goes to fit or "
                                f"evaluate as x, with y=None)")
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
        return cast_inputs(self, tuple(out))

    def _as_targets(self, y, n, what):
        if y is None:
            raise ValueError(f"{type(self).__name__}.{what}: y is None (targets are needed)")
        y = _as_array(as_data(y), f"{type(self).__name__}.{what}: y")
        if y.ndim == 0 or y.shape[0] != n:
            raise ValueError(f"{type(self).__name__}.{what}: x has {n} samples but y has "
                             f"{y.shape[0] if y.ndim else 'a scalar'}")
        if y.dtype.kind == "f" and not np.isfinite(y).all():
            bad = int(np.argwhere(~np.isfinite(y))[0][0])
            raise ValueError(f"{type(self).__name__}.{what}: y contains NaN or infinity (first at sample {bad})")
        return y

    def _check_input_count(self, xs, what):
        """The number of arrays in x must be the number of inputs the model takes: its recorded
        input spec once built, else what ``forward``'s positional parameters accept."""
        spec = getattr(self, "_input_spec", None)
        low, high = (len(spec), len(spec)) if spec is not None else _forward_arity(self)
        if low <= len(xs) and (high is None or len(xs) <= high):
            return
        takes = f"{low}" if low == high else f"at least {low}" if high is None else f"{low} to {high}"
        msg = (f"{type(self).__name__}.{what}: the model takes {takes} input{'' if high == 1 else 's'}, "
               f"got {len(xs)}")
        if len(xs) > 1:
            msg += f" (x is a tuple of {len(xs)} arrays, read as one array per input of a multi-input model)"
            if high == 1:
                msg += "; pass one array as x"
                if len(xs) == 2 and what.split("(")[0] in ("fit", "evaluate", "train_on_batch"):
                    msg += f", and targets as y: {what.split('(')[0]}(x, y), not {what.split('(')[0]}((x, y))"
        raise ValueError(msg)

    def _check_inputs_fit_model(self, xs, what):
        """Build lazy layers on the first call; afterwards the feature shape must match."""
        spec = getattr(self, "_input_spec", None)
        if spec is None:
            out = self._probe(xs, what)
            _set(self, "_input_spec", [(tuple(a.shape[1:]), a.dtype.str) for a in xs])
            _set(self, "_output_shape", tuple(_first(out).shape[1:]))
            return
        if len(spec) != len(xs):
            self._check_input_count(xs, what)
        for i, (a, (shape, _)) in enumerate(zip(xs, spec)):
            if not _same_features(a, shape):
                name = "x" if len(xs) == 1 else f"x[{i}]"
                msg = (f"{type(self).__name__}.{what}: expected input of shape {_batch_shape(shape)}"
                       f"{'' if len(xs) == 1 else ' for ' + name}, got {tuple(a.shape)}")
                if a.ndim == 1 and shape == (1,):
                    msg += f"; a 1-D {name} holds one number per sample: pass {name}.reshape(-1, 1)"
                raise ValueError(msg)

    def _probe(self, xs, what):
        """Run the first (up to) two samples through the model in eval mode, building its lazy layers.

        A 1-D input must also go through as a batch: outputs with as many rows as samples, for two
        samples and for one (a Dense layer would otherwise take the samples for features).  If
        anything fails, every layer that was not built before is put back as it was, so a bad first
        call does not leave the model built for the wrong shape.
        """
        unbuilt = _unbuilt(self)
        rows = min(2, xs[0].shape[0])
        one_d = [i for i, a in enumerate(xs) if a.ndim == 1]
        was = self.training
        self.eval()
        try:
            with no_grad():
                out = self(*[self._to_tensor(a[:rows]) for a in xs])
                if one_d:
                    _check_rows(out, rows)
                    if rows > 1:
                        reset_states(self)
                        _check_rows(self(*[self._to_tensor(a[:1]) for a in xs]), 1)
        except Exception as e:
            _put_back(unbuilt)
            if not isinstance(e, (ValueError, TypeError)):
                raise
            shapes = " and ".join(str(tuple(a.shape)) for a in xs)
            name = "x" if len(xs) == 1 else "inputs"
            if one_d:
                bad = "x" if len(xs) == 1 else f"x[{one_d[0]}]"
                raise ValueError(
                    f"{type(self).__name__}.{what}: {name} of shape {shapes} is 1-D: one number per sample, which "
                    f"this model does not read as a batch ({e}). Expected input of shape (batch, features); for "
                    f"one feature per sample pass {bad}.reshape(-1, 1)") from e
            kind = TypeError if isinstance(e, TypeError) else ValueError
            raise kind(f"{type(self).__name__}.{what}: the model cannot take {name} of shape {shapes}: {e}") from e
        finally:
            self.train(was)
            reset_states(self)  # the probe must not leave 2-row states in stateful layers
        return out

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
        self._check_input_count(xs, what)
        ys = self._as_targets(y, xs[0].shape[0], what) if need_y else None
        self._check_inputs_fit_model(xs, what)
        if ys is not None:
            ys = fit_targets_to_loss(ys, type(self.loss_fn).__name__, getattr(self, "_output_shape", None))
            self._check_targets_fit_loss(ys, what)
        return xs, ys

    def _dry_step(self, xs, y, sample_weight):
        """The loss and the metrics on the first rows, without a gradient step: targets that the
        loss or a metric cannot take fail here, before any weight changes and with the layers the
        probe built put back unbuilt (``fit`` calls it inside ``_builds_undone_on_error``)."""
        rows = min(2, xs[0].shape[0])
        was = self.training
        self.eval()
        try:
            with no_grad():
                pred = self(*[self._to_tensor(a[:rows]) for a in xs])
                self._loss(pred, self._to_tensor(y[:rows]), None if sample_weight is None else sample_weight[:rows])
                for m in self.metric_objs:
                    m.update(y[:rows], self._metric_pred(_data(pred)))
        finally:
            for m in self.metric_objs:
                m.reset()
            self.train(was)
            reset_states(self)

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
            act = getattr(m, "activity_loss", None)  # activity_regularizer= penalties of this forward
            if act is not None:
                total = act if total is None else total + act
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
        tensors = [self._to_tensor(a) for a in xs] + [self._to_tensor(y)]
        if sample_weight is not None:
            loss, reg, pred = self._step_on_tensors(*tensors, sample_weight=sample_weight)
        else:
            loss, reg, pred = self._jitted("train", self._step_on_tensors)(*tensors)
        return float(loss.item()), (None if reg is None else float(reg.item())), _data(pred)

    def _jitted(self, what, eager):
        """The captured version of a step (``compile(jit=True)``), else the eager one."""
        steps = getattr(self, "_jit_steps", None)
        if steps is None:
            return eager
        if steps.get("optimizer") is not self.optimizer:  # captures replay the optimizer they saw
            steps["train"].reset()
            steps["optimizer"] = self.optimizer
        return steps[what]

    def _step_on_tensors(self, *tensors, sample_weight=None):
        """One optimizer step on the inputs and the target (the last tensor): what ``jit=True`` captures."""
        *xs, target = tensors
        pred = self(*xs)
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
        return loss, reg, pred

    def _evaluate_on_tensors(self, *tensors):
        """The prediction and loss of one batch (inputs, then the target), under ``no_grad``."""
        *xs, target = tensors
        pred = self(*xs)
        return pred, self.loss_fn(pred, target)

    def _predict_on_tensors(self, *xs):
        return self(*xs)

    @_own_generator
    def train_on_batch(self, x, y, class_weight=None, sample_weight=None) -> dict:
        """One optimizer step on one batch; returns that batch's loss and metrics."""
        self._require_compiled("train_on_batch")
        xs, y = self._prepare(x, y, "train_on_batch")
        sw = _sample_weights(y, class_weight, sample_weight, "train_on_batch")
        self._make_optimizer()
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
        if isinstance(pred, list):  # a model with several outputs: its metrics pick their output
            return [backend.to_numpy(p) for p in pred]
        pred = backend.to_numpy(pred)
        if type(self.loss_fn).__name__ in _LOGIT_LOSSES or getattr(self.loss_fn, "from_logits", False) is True \
                and type(self.loss_fn).__name__ in _BINARY_TARGET_LOSSES:
            pred = 1.0 / (1.0 + np.exp(-pred))
        return pred

    # --- fit -------------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=32, epochs=1, verbose=1, callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, transform=None, seed=None, steps_per_epoch=None,
            validation_freq=1) -> History:
        """Train for ``epochs`` passes over ``(x, y)`` in mini-batches.

        Args:
            x, y: arrays (or tensors); ``x`` may be a tuple of arrays for a multi-input model (one
                array per input of ``forward``), or a :class:`~neuronet.data.DataLoader` (any
                re-iterable of ``(x, y)`` batches, a list of them included) with ``y=None`` — then the
                loader decides batching, shuffling and transforms.  A one-shot iterator (a generator,
                ``iter(loader)``) serves one epoch: a later epoch that gets no batches is an error.
            batch_size: samples per gradient step (None: 32, as in Keras); ignored for a loader
                ``x`` except for array ``validation_data``.
            epochs: index of the last epoch (Keras semantics: with ``initial_epoch=2,
                epochs=5`` three more epochs run).
            verbose: 0 silent, 1 progress bar on a terminal (one line per epoch otherwise), 2 one line per epoch.
            callbacks: list of :class:`Callback` (a single Callback is taken as a list of one, as
                Keras does).  Callbacks that need validation values (``EarlyStopping(monitor="val_loss")``,
                ``ModelCheckpoint("{val_loss:.3f}.nnet")``, ...) fail before the first epoch without
                validation data.
            validation_split: fraction of the samples, taken from the end before shuffling,
                held out for validation (arrays only).
            validation_data: ``(x_val, y_val)`` or a DataLoader (or list of batches); overrides
                ``validation_split``.  A one-shot iterator is refused when more than one epoch runs.
            shuffle: reshuffle the training samples every epoch (with the seeded generator).
            class_weight: ``{class: weight}`` scaling each sample's loss by its class (finite, >= 0).
            sample_weight: per-sample loss weights, shape (N,), finite and >= 0.
            initial_epoch: epoch to start from (resuming a saved model).
            transform: callable applied to each training batch of x (data augmentation).
            steps_per_epoch: gradient steps per epoch (None: one pass over the data).  As in Keras the
                batches come from one continuing stream: the next epoch goes on where the last stopped,
                and a new (reshuffled) pass starts when one ends; a one-shot iterator that runs out
                ends the epoch early.
            validation_freq: validate every this many epochs (an int, as Keras 3), or at the 1-based
                epochs listed (a list, as Keras 2); epochs without validation have no ``val_*`` logs.
            seed: give the model its own generator seeded with this (``model.random_generator``): this
                fit, and later ``evaluate``/``predict``/``fit`` calls, draw from it instead of the
                shared one — reproducible whatever other threads do. None keeps the current one.

        Returns:
            A :class:`History` whose ``history`` maps log names to per-epoch values.

        Raises:
            ValueError / TypeError: bad arguments or data, before anything is trained or built (a
                failed first call leaves lazy layers unbuilt); an epoch with no training batches, or
                validation data that yields none.
        """
        if seed is not None:
            if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
                raise ValueError(f"fit: seed must be a non-negative integer, got {seed!r}")
            _set(self, "random_generator", np.random.default_rng(int(seed)))
        with backend.use_generator(self.random_generator):
            return self._fit(x, y, batch_size, epochs, verbose, callbacks, validation_split, validation_data,
                             shuffle, class_weight, sample_weight, initial_epoch, transform, steps_per_epoch,
                             validation_freq)

    def _fit(self, x, y, batch_size, epochs, verbose, callbacks, validation_split, validation_data, shuffle,
             class_weight, sample_weight, initial_epoch, transform, steps_per_epoch=None,
             validation_freq=1) -> History:
        self._require_compiled("fit")
        batch_size = _batch_size("fit", batch_size)
        if steps_per_epoch is not None:
            steps_per_epoch = positive_int("fit", "steps_per_epoch", steps_per_epoch)
        validates = _validation_epochs(validation_freq)
        epochs = _non_negative_int("fit", "epochs", epochs)
        initial_epoch = _non_negative_int("fit", "initial_epoch", initial_epoch)
        callbacks = _callback_list("fit", callbacks)
        one_shot = False
        if _is_batches(x):
            if y is not None or validation_split or class_weight is not None or sample_weight is not None:
                raise ValueError("fit: with a DataLoader as x, pass y, validation_split, class_weight and "
                                 "sample_weight through the loader (y must be None)")
            loader, n = x, None
            steps = len(loader) if hasattr(loader, "__len__") else None
            batches = iter(loader)
            one_shot = batches is loader  # a generator or iter(loader): each batch comes once
            try:
                first = next(batches)
            except StopIteration:
                raise ValueError(f"fit: x ({_describe(x, one_shot)}) yielded no batches") from None
            with _builds_undone_on_error(self):
                xs_first, y_first = self._prepare(*_split_batch(first, "fit", "x"), "fit")
                self._dry_step(xs_first, y_first, None)
            if one_shot:  # the probe's batch goes back in front: epoch 1 trains on every batch
                loader = itertools.chain([first], batches)
            val = validation_data
        else:
            loader = None
            if validation_data is None and validation_split and not 0.0 < validation_split < 1.0:
                raise ValueError(f"fit: validation_split must be in (0, 1), got {validation_split}")
            with _builds_undone_on_error(self):  # a bad argument found after the probe leaves no layer built
                xs, y = self._prepare(x, y, "fit")
                n = xs[0].shape[0]
                sw = _sample_weights(y, class_weight, sample_weight, "fit")
                self._dry_step(xs, y, sw)
            val = None
            if validation_data is not None:
                val = validation_data
            elif validation_split:
                cut = int(n * (1.0 - validation_split))
                if cut == 0 or cut == n:
                    raise ValueError(f"fit: validation_split={validation_split} leaves an empty train or validation set of {n} samples")
                val = (tuple(a[cut:] for a in xs), y[cut:])
                xs, y = tuple(a[:cut] for a in xs), y[:cut]
                sw = None if sw is None else sw[:cut]
                n = cut
            steps = math.ceil(n / batch_size)
        val_where = "fit: validation_data"
        if val is not None and _is_batches(val):
            val_one_shot = _one_shot(val)
            val_where += f" ({_describe(val, val_one_shot)})"
            if val_one_shot and epochs - initial_epoch > 1:
                raise ValueError(f"{val_where} would be used up by the first of the {epochs - initial_epoch} epochs; "
                                 f"pass a re-iterable (a DataLoader, a list of batches, or (x_val, y_val) arrays)")
            if hasattr(val, "__len__") and len(val) == 0:
                raise ValueError(f"{val_where} has no batches")
        elif val is not None:
            if not isinstance(val, (tuple, list)) or len(val) != 2:
                raise ValueError("fit: validation_data must be a pair (x_val, y_val) or a DataLoader")
            val = self._prepare(val[0], val[1], "fit(validation_data)")
        self._make_optimizer()

        def stream(rng):
            """Batches without end for ``steps_per_epoch``: pass after pass (a one-shot iterator: one pass)."""
            while True:
                got = False
                for batch in epoch_batches(rng):
                    got = True
                    yield batch
                if not got or one_shot:
                    return

        def epoch_batches(rng):
            """(inputs, targets, sample weights) for each step of one epoch."""
            if loader is not None:
                for batch in loader:
                    xb, yb = self._prepare(*_split_batch(batch, "fit", "x"), "fit")
                    yield list(xb), yb, None
                return
            order = rng.permutation(n) if shuffle else None
            for step in range(pass_steps):
                sl = slice(step * batch_size, min(n, (step + 1) * batch_size))
                idx = order[sl] if order is not None else sl
                yield [a[idx] for a in xs], y[idx], None if sw is None else sw[idx]

        history = getattr(self, "history", None)
        if not isinstance(history, History) or initial_epoch == 0:
            history = History()
            _set(self, "history", history)
        # History and the progress display run last, so they see what other callbacks added to the logs
        rng = backend.get_rng()
        pass_steps = steps  # batches in one pass over array data
        if steps_per_epoch is not None:
            steps, endless = steps_per_epoch, stream(rng)
        cbs = callbacks + ([history, ProgressBar(verbose)] if verbose else [history])
        cblist = CallbackList(cbs, model=self, epochs=epochs, steps=steps, batch_size=batch_size,
                              samples=n, verbose=verbose, do_validation=val is not None)
        _set(self, "stop_training", False)
        cblist.on_train_begin({})
        logs = {}
        for epoch in range(initial_epoch, epochs):
            cblist.on_epoch_begin(epoch, {})
            for m in self.metric_objs:
                m.reset()
            total = reg_total = 0.0
            seen = 0
            reg = None
            batches = epoch_batches(rng) if steps_per_epoch is None else itertools.islice(endless, steps_per_epoch)
            for step, (xb, yb, swb) in enumerate(batches):
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
            if seen == 0:  # never a row of zeros in the history
                raise ValueError(_no_training_batches(x, one_shot, epoch, initial_epoch, epochs))
            logs = {"loss": total / seen}
            if reg is not None:
                logs["reg_loss"] = reg_total / seen
            if "lr" in self.optimizer.param_groups[0]:  # COCOB has no learning rate
                logs["lr"] = float(self.optimizer.param_groups[0]["lr"])
            for m in self.metric_objs:
                logs[m.name] = float(m.result())
            if val is not None and validates(epoch + 1):
                cblist.on_test_begin({})
                vlogs = self._evaluate_batches(self._batches_of(val, batch_size, "fit"),
                                               f"{val_where} at epoch {epoch + 1}")
                cblist.on_test_end(vlogs)
                logs.update({f"val_{k}": v for k, v in vlogs.items()})
            _set(self, "epochs_done", epoch + 1)
            cblist.on_epoch_end(epoch, logs)
            if getattr(self, "stop_training", False):
                break
        cblist.on_train_end(logs)
        return history

    # --- evaluate / predict ----------------------------------------------------------------------
    def _batches_of(self, data, batch_size, what="evaluate"):
        """Checked (inputs, targets) batches from prepared arrays ``(xs, y)`` or a DataLoader."""
        if _is_batches(data):
            for batch in data:
                xb, yb = self._prepare(*_split_batch(batch, what, "x" if what == "evaluate" else "validation_data"),
                                       what)
                yield xb, yb
            return
        xs, y = data
        for start in range(0, xs[0].shape[0], batch_size):
            yield tuple(a[start:start + batch_size] for a in xs), y[start:start + batch_size]

    def _evaluate_batches(self, batches, where="evaluate: x"):
        """Mean loss and metrics over ``batches``; ``where`` names the data in the error when there are none."""
        was = self.training
        self.eval()
        for m in self.metric_objs:
            m.reset()
        total, n = 0.0, 0
        try:
            with no_grad():
                step = self._jitted("evaluate", self._evaluate_on_tensors)
                for xb, yb in batches:
                    pred, loss = step(*[self._to_tensor(a) for a in xb], self._to_tensor(yb))
                    total += float(loss.item()) * yb.shape[0]
                    n += yb.shape[0]
                    for m in self.metric_objs:
                        m.update(yb, self._metric_pred(_data(pred)))
        finally:
            self.train(was)
        if n == 0:
            raise ValueError(f"{where} yielded no batches (a one-shot iterator such as a generator is used up "
                             f"after one pass; pass a DataLoader or a list of batches)")
        logs = {"loss": total / n}
        for m in self.metric_objs:
            logs[m.name] = float(m.result())
        return logs

    @_own_generator
    def evaluate(self, x=None, y=None, batch_size=32, verbose=0, return_dict=None):
        """Loss and metrics over ``(x, y)`` (or a DataLoader) in eval mode, without recording a graph.

        Args:
            x, y: arrays (a tuple of arrays for a multi-input model), or a DataLoader / list of
                ``(x, y)`` batches as ``x`` with ``y=None``.
            batch_size: samples per forward pass for arrays (None: 32).
            verbose: print the results with the time taken.
            return_dict: True gives ``{"loss": ..., "accuracy": ..., ...}``; False gives Keras's
                ``[loss, accuracy, ...]`` (the loss alone, a float, without metrics).  None: the
                model's ``evaluate_returns_dict`` — True for neuronet's models, False for
                ``neuronet.keras`` models, so ``loss, acc = model.evaluate(x, y)`` works there.
        """
        self._require_compiled("evaluate")
        batch_size = _batch_size("evaluate", batch_size)
        if _is_batches(x) and y is None:
            data, where = x, f"evaluate: x ({_describe(x, _one_shot(x))})"
        else:
            data, where = self._prepare(x, y, "evaluate"), "evaluate: x"
        t0 = time.perf_counter()
        logs = self._evaluate_batches(self._batches_of(data, batch_size), where)
        if verbose:
            from .progress import format_logs
            print(f"evaluate - {format_logs(logs)} - {time.perf_counter() - t0:.1f}s")
        if (self.evaluate_returns_dict if return_dict is None else return_dict):
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    @_own_generator
    def predict(self, x, batch_size=32, verbose=0):
        """The model's outputs for ``x`` as a NumPy array (batched, eval mode, no graph).

        Args:
            x: an array, or a tuple of arrays for a multi-input model.
            batch_size: samples per forward pass (None: 32).
        """
        batch_size = _batch_size("predict", batch_size)
        xs, _ = self._prepare(x, None, "predict", need_y=False)
        was = self.training
        self.eval()
        outs = []
        try:
            with no_grad():
                step = self._jitted("predict", self._predict_on_tensors)
                for start in range(0, xs[0].shape[0], batch_size):
                    out = step(*[self._to_tensor(a[start:start + batch_size]) for a in xs])
                    outs.append(backend.to_numpy(_first(out).data))
        finally:
            self.train(was)
        return np.concatenate(outs, axis=0)

    def predict_on_batch(self, x):
        """``predict`` on all of ``x`` in one forward pass."""
        first = x[0] if isinstance(x, tuple) and x else x
        rows = first.shape[0] if getattr(first, "ndim", 0) else len(first) if hasattr(first, "__len__") else 1
        return self.predict(x, batch_size=max(1, int(rows)))

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


def _is_batch_list(x) -> bool:
    """True for a non-empty list of ``(x, y)`` batches: each a tuple/list whose first item is an array
    or a tuple of arrays (a nested list of numbers, or ``[x_val, y_val]``, is not one)."""
    def inputs(a):
        return getattr(a, "ndim", 0) >= 1 or isinstance(a, tuple) and a and all(getattr(b, "ndim", 0) >= 1 for b in a)
    return (isinstance(x, list) and len(x) > 0
            and all(isinstance(b, (tuple, list)) and len(b) >= 2 and inputs(b[0]) for b in x))


def _is_batches(x) -> bool:
    """A source of ``(x, y)`` batches: a loader (re-iterable or one-shot) or a list of batches."""
    return _is_loader(x) or _is_batch_list(x)


def _one_shot(source) -> bool:
    """Whether iterating ``source`` again continues where the last pass stopped (a generator, ``iter(loader)``)."""
    return iter(source) is source


def _describe(source, one_shot) -> str:
    """Words for a batch source in messages: its type, and whether it is a one-shot iterator."""
    if isinstance(source, list):
        return f"a list of {len(source)} batches"
    return f"{'a one-shot ' if one_shot else 'a '}{type(source).__name__}"


def _split_batch(batch, what, name):
    """``(x, y)`` of one batch from a loader (a DataLoader may add more items after them)."""
    if not isinstance(batch, (tuple, list)) or len(batch) < 2:
        got = type(batch).__name__ + (f" of shape {tuple(batch.shape)}" if hasattr(batch, "shape") else "")
        raise ValueError(f"{what}: each batch from {name} must be a pair (x, y), got a {got}")
    return batch[0], batch[1]


def _no_training_batches(x, one_shot, epoch, initial_epoch, epochs) -> str:
    where = f"fit: epoch {epoch + 1} of {epochs} got no training batches from x ({_describe(x, one_shot)})"
    if one_shot and epoch > initial_epoch:
        return (f"{where}: a one-shot iterator is used up by one pass, and the {epoch - initial_epoch} epoch(s) "
                f"before this one are kept (model.history). Pass a re-iterable instead (a DataLoader, a list of "
                f"batches, or an object whose __iter__ starts a new pass), or a new iterator per call: "
                f"fit(make_batches(), epochs=e + 1, initial_epoch=e)")
    return f"{where}: every pass over x must yield at least one (x, y) batch"


def _batch_size(what, batch_size) -> int:
    """A positive int batch size (None: Keras's default 32)."""
    return 32 if batch_size is None else positive_int(what, "batch_size", batch_size)


def _validation_epochs(freq):
    """Whether to validate after 1-based epoch ``e``: every ``freq`` epochs, or at the epochs listed."""
    if isinstance(freq, (list, tuple, set, range)):
        epochs = {positive_int("fit", "validation_freq entries", e) for e in freq}
        return epochs.__contains__
    freq = positive_int("fit", "validation_freq", freq)
    return lambda e: e % freq == 0


def _non_negative_int(what, name, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{what}: {name} must be a non-negative integer, got {value!r}")
    return int(value)


def _callback_list(what, callbacks) -> list:
    """``callbacks`` as a list of Callback objects; one Callback alone is a list of one (as in Keras)."""
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback):
        return [callbacks]
    if isinstance(callbacks, (str, bytes, dict)) or not hasattr(callbacks, "__iter__"):
        raise TypeError(f"{what}: callbacks must be a list of Callback objects, got {type(callbacks).__name__}")
    out = list(callbacks)
    for i, c in enumerate(out):
        if isinstance(c, Callback):
            continue
        if isinstance(c, type) and issubclass(c, Callback):
            fix = f"pass an instance: {c.__name__}(...)"
        elif callable(c):
            fix = "wrap a function in LambdaCallback(on_epoch_end=...) (or another hook)"
        else:
            fix = "subclass neuronet.callbacks.Callback"
        raise TypeError(f"{what}: callbacks[{i}] is a {type(c).__name__}, not a Callback; {fix}")
    return out


def _forward_arity(model):
    """(fewest, most) positional inputs ``model.forward`` accepts; most is None for ``*args``."""
    try:
        params = inspect.signature(model.forward).parameters.values()
    except (TypeError, ValueError):
        return 0, None
    low = high = 0
    for p in params:
        if p.kind is p.VAR_POSITIONAL:
            return low, None
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            high += 1
            low += p.default is p.empty
    return low, high


def _copy_state(module) -> dict:
    """A module's attributes, with its containers (name lists, ...) copied, for undoing a build."""
    return {k: v.copy() if isinstance(v, (list, dict, set)) else v for k, v in vars(module).items()}


def _unbuilt(model) -> list:
    """Every layer of ``model`` not built yet, with its state, for :func:`_put_back`."""
    return [(m, _copy_state(m)) for m in model.modules() if not m.built]


def _put_back(unbuilt) -> None:
    for m, state in unbuilt:
        vars(m).clear()
        vars(m).update(state)


@contextlib.contextmanager
def _builds_undone_on_error(model):
    """Layers that the block builds are put back unbuilt if the block raises."""
    unbuilt = _unbuilt(model)
    try:
        yield
    except BaseException:
        _put_back(unbuilt)
        raise


def _check_rows(out, rows) -> None:
    shape = tuple(_first(out).shape)
    if not shape or shape[0] != rows:
        raise ValueError(f"its output for {rows} sample{'s' if rows > 1 else ''} has shape {shape}")


def _batch_shape(shape) -> str:
    """``(batch, 7, 3)``; a single feature axis keeps tuple notation, ``(batch, 4,)``."""
    return f"(batch{''.join(', ' + str(d) for d in shape)}{',' if len(shape) < 2 else ''})"


def _data(out):
    """The arrays of a model's output: one, or a list for a model with several outputs."""
    return [o.data for o in out] if isinstance(out, (list, tuple)) else out.data


def _first(out):
    return out[0] if isinstance(out, (tuple, list)) else out


def _as_array(a, where):
    if isinstance(a, Tensor):
        a = a.data
    a = backend.to_numpy(a) if not isinstance(a, np.ndarray) else a
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{where} has dtype {a.dtype}; expected numbers (float or integer arrays)")
    return a


def _weights(what, name, values, where):
    """Checked loss weights: numbers, finite and non-negative; ``where`` names each entry in errors."""
    try:
        w = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{what}: {name} must hold numbers, got {values!r:.80}") from None
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        i = int(np.flatnonzero(bad.ravel())[0])
        raise ValueError(f"{what}: {name} must be finite and non-negative, got {w.ravel()[i]} {where(i)}")
    return w


def _sample_weights(y, class_weight, sample_weight, what="fit"):
    w = None
    if class_weight is not None:
        if not isinstance(class_weight, dict):
            raise TypeError(f"{what}: class_weight must be a dict {{class: weight}}, got {type(class_weight).__name__}")
        keys = list(class_weight)
        for k in keys:
            if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
                raise ValueError(f"{what}: class_weight keys must be class numbers (integers >= 0), got {k!r}")
        values = _weights(what, "class_weight", [class_weight[k] for k in keys], lambda i: f"for class {keys[i]!r}")
        labels = y if y.ndim == 1 else y.argmax(axis=-1)
        if labels.dtype.kind not in "iu" and not np.all(labels == labels.astype(np.int64)):
            raise ValueError(f"{what}: class_weight needs integer class labels or one-hot targets")
        labels = labels.astype(np.int64)
        missing = set(np.unique(labels).tolist()) - set(int(k) for k in class_weight)
        if missing:
            raise ValueError(f"{what}: class_weight has no weight for classes {sorted(missing)}")
        table = np.zeros(int(labels.max()) + 1, dtype=np.float64)
        for k, v in zip(keys, values):
            if int(k) < table.size:
                table[int(k)] = v
        w = table[labels]
    if sample_weight is not None:
        if isinstance(sample_weight, Tensor):
            sample_weight = sample_weight.data
        sw = _weights(what, "sample_weight", backend.to_numpy(sample_weight), lambda i: f"at sample {i}")
        if sw.shape != (y.shape[0],):
            raise ValueError(f"{what}: sample_weight must have shape ({y.shape[0]},), one weight per sample, "
                             f"got {sw.shape}")
        w = sw if w is None else w * sw
    return w
