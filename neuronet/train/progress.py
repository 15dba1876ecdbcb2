"""Progress display for ``fit``: a per-epoch bar on a terminal, one line per epoch elsewhere."""
from __future__ import annotations

import shutil
import sys
import time

from .callbacks import Callback

__all__ = ["ProgressBar", "format_logs"]


def format_logs(logs: dict) -> str:
    return " - ".join(f"{k}: {v:.4g}" if isinstance(v, float) else f"{k}: {v}" for k, v in logs.items())


class ProgressBar(Callback):
    """Per-epoch progress with loss/metrics, ETA and samples/s.

    On a terminal (and with tqdm installed) a live bar is drawn while the epoch runs; at its end
    the bar gives way to one line with every loss and metric (validation ones included), never
    cut at the terminal's width, as Keras prints it.  When output is not a terminal (logs, CI)
    only that line is printed per epoch.  ``verbose=2`` forces the one-line form; ``verbose=0``
    prints nothing.

    Example:
        >>> import io
        >>> out = io.StringIO()
        >>> model = nt.Sequential([nt.nn.Dense(1)])
        >>> _ = model.compile(optimizer="sgd", loss="mse")
        >>> _ = model.fit(np.ones((8, 2), np.float32), np.ones((8, 1), np.float32), epochs=1, verbose=0,
        ...               callbacks=[nt.train.ProgressBar(stream=out)])
        >>> "loss" in out.getvalue()
        True
    """

    def __init__(self, verbose: int = 1, stream=None):
        super().__init__()
        self.verbose = verbose
        self.stream = stream or sys.stdout
        self.bar = None

    def _live(self) -> bool:
        if self.verbose != 1 or not getattr(self.stream, "isatty", lambda: False)():
            return False
        try:
            import tqdm  # noqa: F401
        except ImportError:
            return False
        return True

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        self.t0 = time.perf_counter()
        self.samples = 0
        if self.verbose and self._live():
            from tqdm import tqdm
            width = shutil.get_terminal_size().columns
            self.bar = tqdm(total=self.params.get("steps"), desc=f"Epoch {epoch + 1}/{self.params.get('epochs')}",
                            unit="batch", file=self.stream, leave=False, dynamic_ncols=False,
                            ncols=width if width > 0 else 80)  # a width read as 0 would print empty lines

    def on_train_batch_end(self, batch, logs=None):
        logs = logs or {}
        self.samples += int(logs.get("size", 0))
        if self.bar is not None:
            rate = self.samples / max(time.perf_counter() - self.t0, 1e-9)
            shown = {k: v for k, v in logs.items() if k not in ("size", "batch")}
            self.bar.set_postfix_str(f"{format_logs(shown)} - {rate:,.0f} samples/s", refresh=False)
            self.bar.update(1)

    def on_epoch_end(self, epoch, logs=None):
        if not self.verbose:
            return
        dt = time.perf_counter() - self.t0
        rate = self.samples / max(dt, 1e-9)
        text = f"{format_logs(logs or {})} - {dt:.1f}s - {rate:,.0f} samples/s"
        if self.bar is not None:  # the bar is cleared; the line below holds everything it could not
            self.bar.close()
            self.bar = None
        print(f"Epoch {epoch + 1}/{self.params.get('epochs')} - {text}", file=self.stream, flush=True)
