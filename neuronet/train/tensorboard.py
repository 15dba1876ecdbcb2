"""TensorBoard callback: training curves as TensorBoard event files (Keras's ``callbacks.TensorBoard``).

The events are written by tensorboardX (a small, well-kept writer that needs no TensorFlow or
PyTorch; ``pip install 'neuronet[tensorboard]'``), imported when the callback is created.  As in
Keras, training values go to ``log_dir/train`` and validation values (``val_`` stripped) to
``log_dir/validation`` under the same tags (``epoch_loss``, ``epoch_accuracy``, ...), so TensorBoard
draws the two curves in one chart; view them with ``tensorboard --logdir LOG_DIR``.
"""
from __future__ import annotations

import os

from .. import backend
from .callbacks import Callback

__all__ = ["TensorBoard"]


class TensorBoard(Callback):
    """Write losses and metrics per epoch (optionally per batch, and weight histograms) for TensorBoard.

    Args:
        log_dir: folder of the event files (``train/`` and ``validation/`` are made inside).
        histogram_freq: write a histogram of every parameter each ``histogram_freq`` epochs (0: never).
        update_freq: ``"epoch"``, ``"batch"`` (the training loss after every batch) or an integer
            N (after every N batches).

    Example:
        >>> model = nt.Sequential([nt.nn.Dense(1)])
        >>> _ = model.compile(optimizer="sgd", loss="mse")
        >>> _ = model.fit(np.ones((8, 2), np.float32), np.ones((8, 1), np.float32), epochs=1, verbose=0,
        ...               callbacks=[nt.callbacks.TensorBoard("logs")])  # needs tensorboardX
        >>> import os; len(os.listdir("logs")) > 0
        True
    """

    def __init__(self, log_dir="logs", histogram_freq: int = 0, update_freq="epoch"):
        super().__init__()
        if isinstance(histogram_freq, bool) or not isinstance(histogram_freq, int) or histogram_freq < 0:
            raise ValueError(f"TensorBoard: histogram_freq must be a non-negative integer, received {histogram_freq!r}")
        if update_freq == "epoch":
            every = 0
        elif update_freq == "batch":
            every = 1
        elif isinstance(update_freq, int) and not isinstance(update_freq, bool) and update_freq > 0:
            every = update_freq
        else:
            raise ValueError(f"TensorBoard: update_freq must be 'epoch', 'batch' or a positive integer, "
                             f"received {update_freq!r}")
        try:
            import tensorboardX
        except ImportError as e:
            raise ImportError("TensorBoard needs tensorboardX to write event files: "
                              "pip install 'neuronet[tensorboard]' (or pip install tensorboardX)") from e
        self._writer_class = tensorboardX.SummaryWriter
        self.log_dir, self.histogram_freq, self.update_freq = os.fspath(log_dir), histogram_freq, update_freq
        self._every = every
        self._writers: dict = {}
        self._step = 0

    def _writer(self, part: str):
        """The event writer of ``part`` ("train" or "validation"), opened on first use."""
        if part not in self._writers:
            self._writers[part] = self._writer_class(os.path.join(self.log_dir, part))
        return self._writers[part]

    def on_train_begin(self, logs=None):
        self._step = 0
        self._writer("train")

    def on_train_batch_end(self, batch, logs=None):
        self._step += 1
        if self._every and self._step % self._every == 0 and logs and "loss" in logs:
            self._writer("train").add_scalar("batch_loss", float(logs["loss"]), self._step)

    def on_epoch_end(self, epoch, logs=None):
        for name, value in (logs or {}).items():
            try:
                value = float(value)
            except (TypeError, ValueError):
                continue
            if name.startswith("val_"):
                self._writer("validation").add_scalar(f"epoch_{name[4:]}", value, epoch)
            else:
                self._writer("train").add_scalar("epoch_learning_rate" if name == "lr" else f"epoch_{name}",
                                                 value, epoch)
        if self.histogram_freq and (epoch + 1) % self.histogram_freq == 0 and self.model is not None:
            writer = self._writer("train")
            for name, param in self.model.named_parameters():
                writer.add_histogram(name, backend.to_numpy(param.data).reshape(-1), epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}
