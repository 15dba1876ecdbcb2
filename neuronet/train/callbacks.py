"""Callbacks with the Keras hook protocol: History, EarlyStopping, ModelCheckpoint, schedules, ...

A callback sees ``self.model`` (the Model being trained) and ``self.params`` (epochs, steps,
``do_validation``, ...), and may set ``self.model.stop_training = True`` to end ``fit`` after the
current epoch.  Callbacks that watch validation values (``monitor="val_..."``, a checkpoint path
naming ``{val_loss}``) refuse a ``fit`` without validation data when ``fit`` hands them their
params, before any epoch runs.
"""
from __future__ import annotations

import inspect
import math
import os
import string

from ..optim.lr_scheduler import warmup_cosine_lr

__all__ = [
    "Callback", "CallbackList", "EarlyStopping", "ModelCheckpoint", "LearningRateScheduler",
    "WarmupCosineSteps", "ReduceLROnPlateau", "TerminateOnNaN", "CSVLogger", "LambdaCallback",
    "ResetStatesOnEpoch", "reset_states",
]


class Callback:
    """Base class: override any of the ``on_*`` hooks (all receive a ``logs`` dict).

    Example:
        >>> class CountEpochs(nt.callbacks.Callback):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.epochs = 0
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         self.epochs += 1
        >>> counter = CountEpochs()
        >>> model = nt.Sequential([nt.nn.Dense(1)])
        >>> _ = model.compile(optimizer="sgd", loss="mse")
        >>> _ = model.fit(np.ones((8, 2), np.float32), np.ones((8, 1), np.float32), epochs=3, verbose=0, callbacks=[counter])
        >>> counter.epochs
        3
    """

    def __init__(self):
        self.model = None
        self.params: dict = {}

    def set_model(self, model) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params

    def on_train_begin(self, logs=None): pass
    def on_train_end(self, logs=None): pass
    def on_epoch_begin(self, epoch, logs=None): pass
    def on_epoch_end(self, epoch, logs=None): pass
    def on_train_batch_begin(self, batch, logs=None): pass
    def on_train_batch_end(self, batch, logs=None): pass
    def on_test_begin(self, logs=None): pass
    def on_test_end(self, logs=None): pass
    def on_test_batch_begin(self, batch, logs=None): pass
    def on_test_batch_end(self, batch, logs=None): pass
    def on_predict_begin(self, logs=None): pass
    def on_predict_end(self, logs=None): pass
    def on_predict_batch_begin(self, batch, logs=None): pass
    def on_predict_batch_end(self, batch, logs=None): pass


class CallbackList(Callback):
    """Calls every hook on each callback in order.

    Example:
        >>> seen = []
        >>> hooks = nt.callbacks.CallbackList([nt.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))])
        >>> hooks.on_epoch_end(0, {}); hooks.on_epoch_end(1, {})
        >>> seen
        [0, 1]
    """

    def __init__(self, callbacks=None, model=None, **params):
        super().__init__()
        self.callbacks = list(callbacks or [])
        for c in self.callbacks:
            if not isinstance(c, Callback):
                raise TypeError(f"callbacks must be Callback instances, got {type(c).__name__}")
            if model is not None:
                c.set_model(model)
            c.set_params(params)



def _broadcast(hook: str):
    def call_each(self, *args):
        for c in self.callbacks:
            getattr(c, hook)(*args)
    call_each.__name__ = hook
    return call_each


for _hook in [name for name in vars(Callback) if name.startswith("on_")]:
    setattr(CallbackList, _hook, _broadcast(_hook))


def _optimizer_with_lr(callback):
    """The model's optimizer, which must have a learning rate for ``callback`` to change."""
    opt = callback.model.optimizer
    if "lr" not in opt.param_groups[0]:
        raise ValueError(f"{type(callback).__name__}: {type(opt).__name__} has no learning rate ('lr') to schedule")
    return opt


def _auto_mode(monitor: str, mode: str) -> str:
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode != "auto":
        return mode
    name = monitor.removeprefix("val_")
    return "max" if any(k in name for k in ("acc", "f1", "precision", "recall", "r2", "auc")) else "min"


class _Monitor(Callback):
    """Shared logic: watch ``monitor`` in the epoch logs and tell improvement by ``min_delta``."""

    def __init__(self, monitor, mode, min_delta):
        super().__init__()
        self.monitor = monitor
        self.mode = _auto_mode(monitor, mode)
        self.min_delta = abs(min_delta)
        self.best = math.inf if self.mode == "min" else -math.inf

    def set_params(self, params: dict) -> None:
        super().set_params(params)
        if self._watches_monitor() and self.monitor.startswith("val_"):
            _needs_validation(self, f"monitor={self.monitor!r}", "or watch a training value (monitor='loss')")

    def _watches_monitor(self) -> bool:
        """Whether the callback reads ``monitor`` at every epoch end."""
        return True

    def _current(self, logs):
        if logs is None or self.monitor not in logs:
            raise KeyError(f"{type(self).__name__}: monitored value {self.monitor!r} is not in the logs; "
                           f"available: {sorted(logs or {})} (validation values need validation data)")
        return float(logs[self.monitor])

    def _improved(self, value) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta


def _needs_validation(callback, what: str, other_fix: str) -> None:
    """Refuse, before training starts, a fit without validation data when ``what`` needs its values."""
    if callback.params.get("do_validation") is False:
        raise ValueError(f"fit: {type(callback).__name__} {what} needs validation values, but fit has no "
                         f"validation data; pass validation_data=(x_val, y_val) or validation_split=0.1, {other_fix}")


class EarlyStopping(_Monitor):
    """Stop training when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs.

    Args:
        monitor: log name, e.g. "val_loss" or "val_accuracy".
        patience: epochs without improvement before stopping.
        restore_best_weights: at the end of training, put back the weights of the best epoch.
        baseline: stop if the value does not beat this within ``patience`` epochs.
        start_from_epoch: epochs to wait before watching at all (warm-up).

    Example:
        >>> model = nt.Sequential([nt.nn.Dense(1)])
        >>> _ = model.compile(optimizer="sgd", loss="mse")
        >>> x = np.random.rand(32, 2).astype(np.float32)
        >>> stop = nt.callbacks.EarlyStopping(monitor="loss", min_delta=10.0, patience=2)  # nothing is a 10.0 improvement
        >>> history = model.fit(x, x[:, :1], epochs=50, verbose=0, callbacks=[stop])
        >>> len(history.history["loss"]), stop.stopped_epoch
        (3, 2)
    """

    def __init__(self, monitor="val_loss", min_delta=0.0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, min_delta)
        self.patience = int(patience)
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = math.inf if self.mode == "min" else -math.inf
        if self.baseline is not None:
            self.best = float(self.baseline)
        self.best_weights = None
        self.best_epoch = None

    def on_epoch_end(self, epoch, logs=None):
        if epoch < self.start_from_epoch:
            return
        value = self._current(logs)
        if self._improved(value):
            self.best = value
            self.best_epoch = epoch
            self.wait = 0
            if self.restore_best_weights:
                self.best_weights = {k: v.copy() for k, v in self.model.state_dict().items()}
            return
        self.wait += 1
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping (best {self.monitor} = {self.best:.6g} "
                  f"at epoch {None if self.best_epoch is None else self.best_epoch + 1})")
        if self.restore_best_weights and self.best_weights is not None:
            self.model.load_state_dict(self.best_weights)
            if self.verbose:
                print(f"Restored the weights of epoch {self.best_epoch + 1}")


class ModelCheckpoint(_Monitor):
    """Save the model (or only its weights) after each epoch; files are written atomically.

    Args:
        filepath: may hold fields from the epoch number and logs: "ckpt-{epoch:02d}-{val_loss:.3f}.nnet".
        save_best_only: save only when ``monitor`` improved.
        save_weights_only: save ``state_dict()`` with ``nt.save`` instead of the whole model.

    Example:
        >>> model = nt.Sequential([nt.nn.Dense(1)])
        >>> _ = model.compile(optimizer="sgd", loss="mse")
        >>> x = np.random.rand(16, 2).astype(np.float32)
        >>> save = nt.callbacks.ModelCheckpoint("best.nnet", monitor="loss", save_best_only=True)
        >>> _ = model.fit(x, x[:, :1], epochs=2, verbose=0, callbacks=[save])
        >>> nt.load_model("best.nnet").count_params()
        3
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto"):
        super().__init__(monitor, mode, 0.0)
        self.filepath = os.fspath(filepath)
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(self.filepath) if f]
            self._fields = [f.split(".")[0].split("[")[0] for f in fields]  # "{val_loss:.3f}" -> "val_loss"
        except ValueError as e:
            raise ValueError(f"ModelCheckpoint: filepath {self.filepath!r} is not a valid format string: {e}") from None
        from ..io import check_save_path
        check_save_path(self.filepath, "ModelCheckpoint")  # before training, not after the first epoch

    def _watches_monitor(self) -> bool:
        return self.save_best_only

    def set_params(self, params: dict) -> None:
        super().set_params(params)
        val_fields = [f for f in self._fields if f.startswith("val_")]
        if val_fields:
            _needs_validation(self, f"filepath {self.filepath!r} (field {{{val_fields[0]}}})",
                              "or name training values in the path ({loss}, {epoch})")

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.save_best_only:
            value = self._current(logs)
            if not self._improved(value):
                return
            self.best = value
        path = self.filepath.format(epoch=epoch + 1, **logs)
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if self.save_weights_only:
            from ..io import save
            save(self.model.state_dict(), path)
        else:
            self.model.save(path)
        if self.verbose:
            print(f"Epoch {epoch + 1}: saved {path}")


class LearningRateScheduler(Callback):
    """Set the learning rate each epoch from ``schedule``.

    ``schedule`` is a Keras-style callable ``f(epoch) -> lr`` or ``f(epoch, lr) -> lr`` (applied
    at the start of each epoch), or a PyTorch-style scheduler object with ``step()`` (stepped at
    the end of each epoch).

    Example:
        >>> model = nt.Sequential([nt.nn.Dense(1)])
        >>> _ = model.compile(optimizer=nt.optim.SGD(model.parameters(), lr=0.1), loss="mse")
        >>> sched = nt.callbacks.LearningRateScheduler(nt.optim.step_decay(0.1, drop=0.5, epochs_drop=1))
        >>> history = model.fit(np.ones((8, 2), np.float32), np.ones((8, 1), np.float32), epochs=3, verbose=0, callbacks=[sched])
        >>> [round(lr, 4) for lr in history.history["lr"]]
        [0.1, 0.05, 0.025]
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose
        self._is_object = hasattr(schedule, "step") and not inspect.isfunction(schedule)

    def on_epoch_begin(self, epoch, logs=None):
        if self._is_object:
            return
        opt = _optimizer_with_lr(self)
        current = opt.param_groups[0]["lr"]
        try:
            n_args = len(inspect.signature(self.schedule).parameters)
        except (TypeError, ValueError):
            n_args = 1
        lr = self.schedule(epoch, current) if n_args >= 2 else self.schedule(epoch)
        lr = float(lr)
        if not math.isfinite(lr) or lr < 0:
            raise ValueError(f"LearningRateScheduler: the schedule returned lr={lr} for epoch {epoch}")
        for g in opt.param_groups:
            g["lr"] = lr
        if self.verbose:
            print(f"Epoch {epoch + 1}: learning rate {lr:.6g}")

    def on_epoch_end(self, epoch, logs=None):
        if self._is_object:
            self.schedule.step()


class WarmupCosineSteps(Callback):
    """Set the learning rate before every batch: linear warm-up over ``warmup_steps``, then a cosine
    down to ``min_lr`` at ``total_steps`` (:func:`neuronet.optim.warmup_cosine_lr`) — the
    Transformer schedule, stepped per batch where :class:`LearningRateScheduler` steps per epoch.

    Example:
        >>> model = nt.Sequential([nt.nn.Dense(1)])
        >>> _ = model.compile(optimizer="sgd", loss="mse")
        >>> warm = nt.callbacks.WarmupCosineSteps(base_lr=0.1, warmup_steps=2, total_steps=4)
        >>> _ = model.fit(np.ones((16, 2), np.float32), np.ones((16, 1), np.float32), batch_size=4, epochs=1, verbose=0, callbacks=[warm])
        >>> round(model.optimizer.param_groups[0]["lr"], 4)  # the 4th batch's rate: cosine half-way down
        0.05
    """

    def __init__(self, base_lr: float, warmup_steps: int, total_steps: int, min_lr: float = 0.0):
        super().__init__()
        if not 0 <= warmup_steps < total_steps:
            raise ValueError(f"WarmupCosineSteps: need 0 <= warmup_steps < total_steps, received "
                             f"{warmup_steps}, {total_steps}")
        self.base_lr, self.min_lr = float(base_lr), float(min_lr)
        self.warmup_steps, self.total_steps = int(warmup_steps), int(total_steps)
        self.step = 0

    def on_train_begin(self, logs=None):
        self.step = 0

    def on_train_batch_begin(self, batch, logs=None):
        lr = warmup_cosine_lr(self.step, self.base_lr, self.warmup_steps, self.total_steps, self.min_lr)
        for g in _optimizer_with_lr(self).param_groups:
            g["lr"] = lr
        self.step += 1


class ReduceLROnPlateau(_Monitor):
    """Multiply the learning rate by ``factor`` when ``monitor`` stalls for ``patience`` epochs.

    Example:
        >>> model = nt.Sequential([nt.nn.Dense(1)])
        >>> _ = model.compile(optimizer=nt.optim.SGD(model.parameters(), lr=0.1), loss="mse")
        >>> plateau = nt.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0, min_delta=10.0)
        >>> history = model.fit(np.ones((8, 2), np.float32), np.ones((8, 1), np.float32), epochs=3, verbose=0, callbacks=[plateau])
        >>> round(model.optimizer.param_groups[0]["lr"], 4)  # halved after epochs 1 and 2 (no 10.0 improvement on epoch 0)
        0.025
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        if not 0 < factor < 1:
            raise ValueError(f"ReduceLROnPlateau: factor must be in (0, 1), got {factor}")
        super().__init__(monitor, mode, min_delta)
        self.factor, self.patience, self.verbose = factor, patience, verbose
        self.cooldown, self.min_lr = cooldown, min_lr
        self.wait = 0
        self.cooldown_counter = 0

    def on_epoch_end(self, epoch, logs=None):
        value = self._current(logs)
        opt = _optimizer_with_lr(self)
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improved(value):
            self.best = value
            self.wait = 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                for g in opt.param_groups:
                    new = max(g["lr"] * self.factor, self.min_lr)
                    if g["lr"] - new > 1e-12:
                        g["lr"] = new
                        if self.verbose:
                            print(f"Epoch {epoch + 1}: ReduceLROnPlateau lowered the learning rate to {new:.6g}")
                self.cooldown_counter = self.cooldown
                self.wait = 0


class TerminateOnNaN(Callback):
    """Stop training as soon as a batch loss is NaN or infinite.

    Example:
        >>> model = nt.Sequential([nt.nn.Dense(1)])
        >>> broken_loss = lambda pred, target: ((pred - target) ** 2).mean() * float("nan")
        >>> _ = model.compile(optimizer="sgd", loss=broken_loss)
        >>> history = model.fit(np.ones((8, 2), np.float32), np.ones((8, 1), np.float32), epochs=20, verbose=0,
        ...                     callbacks=[nt.callbacks.TerminateOnNaN()])
        Batch 0: invalid loss nan, terminating training
        >>> len(history.history.get("loss", []))  # stopped in the first epoch
        1
    """

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            print(f"Batch {batch}: invalid loss {loss}, terminating training")
            self.model.stop_training = True


class CSVLogger(Callback):
    """Append each epoch's logs as a row of a CSV file (header written once).

    Example:
        >>> model = nt.Sequential([nt.nn.Dense(1)])
        >>> _ = model.compile(optimizer="sgd", loss="mse")
        >>> _ = model.fit(np.ones((8, 2), np.float32), np.ones((8, 1), np.float32), epochs=2, verbose=0,
        ...               callbacks=[nt.callbacks.CSVLogger("log.csv")])
        >>> open("log.csv").read().splitlines()[0]
        'epoch,loss,lr'
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename = os.fspath(filename)
        self.separator = separator
        self.append = append
        self.keys = None

    def on_train_begin(self, logs=None):
        exists = self.append and os.path.exists(self.filename) and os.path.getsize(self.filename) > 0
        self._file = open(self.filename, "a" if self.append else "w", newline="")
        self._writer = None
        if exists:
            with open(self.filename) as f:
                header = f.readline().strip()
            self.keys = header.split(self.separator)[1:] if header else None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            self._file.write(self.separator.join(["epoch", *self.keys]) + "\n")
        row = [str(epoch)] + [repr(float(logs[k])) if k in logs else "" for k in self.keys]
        self._file.write(self.separator.join(row) + "\n")
        self._file.flush()

    def on_train_end(self, logs=None):
        self._file.close()


class LambdaCallback(Callback):
    """A callback from plain functions: ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``.

    Example:
        >>> losses = []
        >>> log = nt.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: losses.append(logs["loss"]))
        >>> model = nt.Sequential([nt.nn.Dense(1)])
        >>> _ = model.compile(optimizer="sgd", loss="mse")
        >>> _ = model.fit(np.ones((8, 2), np.float32), np.ones((8, 1), np.float32), epochs=2, verbose=0, callbacks=[log])
        >>> len(losses)
        2
    """

    def __init__(self, **hooks):
        super().__init__()
        for name, fn in hooks.items():
            if not name.startswith("on_") or not hasattr(Callback, name):
                raise ValueError(f"LambdaCallback: unknown hook {name!r}")
            setattr(self, name, fn)


def reset_states(model) -> int:
    """Call ``reset_states()`` on every stateful layer of ``model``; returns how many were reset.

    Example:
        >>> model = nt.Sequential([nt.nn.LSTM(4, stateful=True)])
        >>> _ = model(nt.ones(2, 3, 1))
        >>> nt.callbacks.reset_states(model)  # the number of stateful layers reset
        1
    """
    count = 0
    for m in model.modules():
        if getattr(m, "stateful", False) and hasattr(m, "reset_states"):
            m.reset_states()
            count += 1
    return count


class ResetStatesOnEpoch(Callback):
    """Forget the states that stateful layers carry: at the start of training and of each epoch,
    before validation (so it reads its own text from zero states) and when training ends.

    Use with :class:`neuronet.data.TBPTTLoader` (or ``tbptt_arrays`` and ``shuffle=False``) and ``stateful=True``
    recurrent layers.

    Example:
        >>> model = nt.Sequential([nt.nn.LSTM(4, stateful=True), nt.nn.Dense(1)])
        >>> _ = model.compile(optimizer="sgd", loss="mse")
        >>> x = np.random.rand(4, 5, 2).astype(np.float32)
        >>> _ = model.fit(x, np.ones((4, 1), np.float32), batch_size=4, epochs=2, shuffle=False, verbose=0,
        ...               callbacks=[nt.callbacks.ResetStatesOnEpoch()])
        >>> model[0].states is None  # forgotten when training ended
        True
    """

    def __init__(self):
        super().__init__()
        self.resets = 0

    def _reset(self):
        self.resets += 1
        reset_states(self.model)

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_begin(self, epoch, logs=None):
        self._reset()

    def on_test_begin(self, logs=None):
        self._reset()

    def on_train_end(self, logs=None):
        self._reset()


from .tensorboard import TensorBoard  # noqa: E402  (its own file; it subclasses Callback above)

__all__.append("TensorBoard")
