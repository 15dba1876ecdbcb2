"""``fit`` on every rank: the shards, the averaged gradients, the same logs, files from rank 0."""
from __future__ import annotations

from ..backend import np
from ..train.callbacks import Callback, CSVLogger, ModelCheckpoint
from .comm import broadcast_parameters, communicator, init, is_main
from .gradients import average_gradients
from .loader import DistributedLoader

__all__ = ["fit", "MainRankOnly", "AverageLogs"]


class MainRankOnly(Callback):
    """Run ``callback`` on rank 0 only: for callbacks whose only effect is a file or a print
    (checkpoints, CSV logs); the others must run on every rank to keep them in step.

    Example:
        >>> log = nt.distributed.MainRankOnly(nt.callbacks.CSVLogger("log.csv"))
        >>> model = nt.Sequential([nt.nn.Dense(1)])
        >>> _ = model.compile(optimizer="sgd", loss="mse")
        >>> _ = model.fit(np.ones((8, 2), np.float32), np.ones((8, 1), np.float32), epochs=1, verbose=0, callbacks=[log])
        >>> import os; os.path.exists("log.csv")  # rank 0 writes it
        True
    """

    def __init__(self, callback: Callback):
        super().__init__()
        self.callback = callback

    def set_model(self, model) -> None:
        self.callback.set_model(model)

    def set_params(self, params: dict) -> None:
        self.callback.set_params(params)


def _on_main(hook: str):
    def call(self, *args):
        if is_main():
            getattr(self.callback, hook)(*args)
    call.__name__ = hook
    return call


for _hook in [name for name in vars(Callback) if name.startswith("on_")]:
    setattr(MainRankOnly, _hook, _on_main(_hook))


class AverageLogs(Callback):
    """Replace each epoch's training loss and metrics by their average over all ranks (weighted by
    the rows each rank saw), so every rank's callbacks (early stopping, schedules) see the same
    numbers and decide alike.  Validation values are already equal: every rank evaluates the same
    data with the same weights.  Sample-averaged metrics (loss, accuracy, MAE) average exactly;
    others (F1) are averaged as numbers.

    Example:
        >>> averaged = nt.distributed.AverageLogs(local_samples=16)
        >>> logs = {"loss": 0.5}
        >>> averaged.on_epoch_end(0, logs)
        >>> logs  # a single process: its own numbers are the average
        {'loss': 0.5}
    """

    def __init__(self, local_samples: int):
        super().__init__()
        self.local_samples = float(local_samples)

    def on_epoch_end(self, epoch, logs=None):
        comm = communicator()
        if comm is None or comm.Get_size() == 1 or not logs:
            return
        from mpi4py import MPI
        keys = [k for k, v in logs.items() if not k.startswith("val_") and k != "lr" and isinstance(v, float)]
        values = np.array([logs[k] * self.local_samples for k in keys] + [self.local_samples], dtype=np.float64)
        comm.Allreduce(MPI.IN_PLACE, values, op=MPI.SUM)
        for k, v in zip(keys, values[:-1]):
            logs[k] = float(v / values[-1])


def fit(model, x, y, batch_size: int = 32, epochs: int = 1, shuffle: bool = True, seed: int = 0,
        callbacks=None, validation_data=None, verbose: int = 1, bucket_bytes: int | None = None):
    """Train a compiled ``model`` data-parallel over every MPI rank (run with ``mpiexec -n R``).

    Each rank takes its part of every global batch of ``batch_size`` rows
    (:class:`DistributedLoader`); rank 0's initial weights are broadcast; gradients are averaged
    during backward (:func:`average_gradients`), so every rank takes the same steps as one
    process training on the whole batches, and ends with the same weights.  Epoch logs are
    averaged over ranks (:class:`AverageLogs`); ``ModelCheckpoint``/``CSVLogger`` and the progress
    display run on rank 0 only.  Without MPI (a plain ``python script.py``) it is an ordinary
    ``fit`` on one process.  Batch normalisation uses each rank's own rows (not synchronised).

    Returns:
        The History (the same on every rank).

    Example:
        >>> model = nt.Sequential([nt.nn.Dense(1)])
        >>> _ = model.compile(optimizer="sgd", loss="mse")
        >>> x = np.random.rand(16, 2).astype(np.float32)
        >>> history = nt.distributed.fit(model, x, x[:, :1], epochs=2, verbose=0)  # one rank here; mpiexec -n 4 for four
        >>> len(history.history["loss"])
        2
    """
    comm = init()
    if not getattr(model, "compiled", False):
        raise RuntimeError(f"distributed.fit: compile {type(model).__name__} first")
    x, y = np.asarray(x), np.asarray(y)
    loader = DistributedLoader(x, y, batch_size=batch_size, shuffle=shuffle, seed=seed)
    model.predict(x[:2], verbose=0)  # builds the lazy layers on every rank
    broadcast_parameters(model)
    averager = average_gradients(model, **({} if bucket_bytes is None else {"bucket_bytes": bucket_bytes}))
    own = [AverageLogs(loader.local_samples())]
    for c in callbacks or []:
        own.append(MainRankOnly(c) if isinstance(c, (ModelCheckpoint, CSVLogger)) else c)
    try:
        return model.fit(loader, epochs=epochs, callbacks=own, validation_data=validation_data,
                         verbose=verbose if comm.Get_rank() == 0 else 0)
    finally:
        averager.remove()
