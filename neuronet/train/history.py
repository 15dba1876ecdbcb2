"""History: the per-epoch logs that ``fit`` returns, and their plot."""
from __future__ import annotations

__all__ = ["History"]

from .callbacks import Callback


class History(Callback):
    """Records every epoch's logs: ``history.history["loss"]``, ``["val_accuracy"]``, ...

    ``fit`` always adds one and returns it.  ``plot(path)`` draws the loss and metric curves.

    Example:
        >>> model = nt.Sequential([nt.nn.Dense(1)])
        >>> _ = model.compile(optimizer="sgd", loss="mse")
        >>> x = np.random.rand(16, 2).astype(np.float32)
        >>> history = model.fit(x, x[:, :1], epochs=3, validation_split=0.25, verbose=0)
        >>> sorted(history.history), history.epoch
        (['loss', 'lr', 'val_loss'], [0, 1, 2])
    """

    def __init__(self):
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None):
        # Keep earlier epochs when fit is called again (resuming with initial_epoch).
        pass

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(float(v))

    def plot(self, path: str | None = None, show: bool | None = None, title: str | None = None):
        """Draw loss (and each metric) per epoch, training beside validation, with whole-epoch ticks.

        Args:
            path: write the plot to this PNG.
            show: open it in a window (default: when no ``path`` is given, outside notebooks, and
                matplotlib's backend can show windows).
            title: the figure's title.

        Returns:
            The matplotlib Figure (in a notebook it shows inline as the cell's value).  Needs
            matplotlib (``pip install 'neuronet[plots]'``); the backend is left as the user chose it
            (Agg only on a machine without a display: see ``neuronet/_pyplot.py``).
        """
        from .._pyplot import finish, pyplot
        names = [k for k in self.history if not k.startswith("val_") and k not in ("lr", "reg_loss")]
        if not names:
            raise ValueError("History.plot: nothing recorded yet (fit has not run an epoch)")
        plt = pyplot("History.plot")
        from matplotlib.ticker import MaxNLocator
        fig, axes = plt.subplots(1, len(names), figsize=(4.5 * len(names), 3.6), squeeze=False)
        epochs = [e + 1 for e in self.epoch]
        for ax, name in zip(axes[0], names):
            ax.plot(epochs, self.history[name], marker="o", ms=3, label=f"train {name}")
            if f"val_{name}" in self.history:
                ax.plot(epochs, self.history[f"val_{name}"], marker="o", ms=3, label=f"validation {name}")
            ax.set_xlabel("epoch")
            ax.set_ylabel(name)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))   # epochs are whole numbers
            ax.grid(alpha=0.3)
            ax.legend()
        if title:
            fig.suptitle(title)
        fig.tight_layout()
        return finish(plt, fig, path, show)
