"""An exponential moving average of a module's weights, for evaluating or sampling with them.

The averaged weights θ̄ ← d·θ̄ + (1 − d)·θ after every update smooth out the last steps' noise;
a GAN's generator sampled with them gives steadier, better samples than its raw weights
(Yazıcı et al., "The Unusual Effectiveness of Averaging in GAN Training", ICLR 2019; the
StyleGAN/BigGAN practice).  The same as ``torch.optim.swa_utils.AveragedModel`` with an EMA
function and ``use_buffers=True``, but without a second model: the averages live beside the
module and are swapped in for a ``with ema.average_parameters():`` block.
"""
from __future__ import annotations

from contextlib import contextmanager

__all__ = ["ExponentialMovingAverage"]


class ExponentialMovingAverage:
    """Averages of ``module``'s parameters and floating-point buffers (batch norm's running statistics).

    Args:
        module: the module whose weights are averaged (its lazy layers must be built).
        decay: d in θ̄ ← d·θ̄ + (1 − d)·θ, in [0, 1); 0.999 averages over about the last 1000 steps.
        warmup: use min(d, (1 + t)/(10 + t)) at the t-th update (TensorFlow's ``num_updates`` rule),
            so the early averages are not dominated by the initial weights.

    Example:
        >>> net = nt.nn.Linear(1, 1, bias=False)
        >>> net.weight.data[...] = 0.0
        >>> ema = nt.optim.ExponentialMovingAverage(net, decay=0.5, warmup=False)
        >>> for _ in range(3):
        ...     net.weight.data[...] = 1.0; ema.update()  # after each optimizer.step()
        >>> with ema.average_parameters():  # sample or evaluate with the averages
        ...     net.weight.item()  # 1 − 0.5³: each update moves the average halfway to 1
        0.875
        >>> net.weight.item()  # the trained weights are back after the block
        1.0
    """

    def __init__(self, module, decay: float = 0.999, warmup: bool = True):
        if isinstance(decay, bool) or not isinstance(decay, (int, float)) or not 0.0 <= decay < 1.0:
            raise ValueError(f"ExponentialMovingAverage: decay must be a number in [0, 1), got {decay!r}")
        unbuilt = module.unbuilt_modules() if hasattr(module, "unbuilt_modules") else []
        if unbuilt:
            raise ValueError(f"ExponentialMovingAverage: build the module first (run it once); unbuilt layers: "
                             f"{', '.join(unbuilt)}")
        self.module, self.decay, self.warmup = module, float(decay), bool(warmup)
        self.num_updates = 0
        self.shadow = {name: array.copy() for name, array in self._arrays()}

    def _arrays(self):
        """(name, array) of the averaged values: parameters' data and floating-point buffers, in place."""
        for name, p in self.module.named_parameters():
            yield name, p.data
        for name, b in self.module.named_buffers():
            if getattr(b, "dtype", None) is not None and b.dtype.kind == "f":
                yield name, b

    def current_decay(self) -> float:
        t = self.num_updates
        return min(self.decay, (1.0 + t) / (10.0 + t)) if self.warmup else self.decay

    def update(self) -> None:
        """θ̄ ← d·θ̄ + (1 − d)·θ for every averaged value (call after each optimizer step)."""
        d = self.current_decay()
        for name, array in self._arrays():
            shadow = self.shadow[name]
            shadow *= d
            shadow += (1.0 - d) * array
        self.num_updates += 1

    def copy_to(self) -> None:
        """Overwrite the module's weights with the averages (for good)."""
        for name, array in self._arrays():
            array[...] = self.shadow[name]

    @contextmanager
    def average_parameters(self):
        """The module runs with the averaged weights inside the block; its own come back after it."""
        saved = [(array, array.copy()) for _, array in self._arrays()]
        self.copy_to()
        try:
            yield self.module
        finally:
            for array, value in saved:
                array[...] = value

    def state_dict(self) -> dict:
        return {"decay": self.decay, "warmup": self.warmup, "num_updates": self.num_updates,
                "shadow": {k: v.copy() for k, v in self.shadow.items()}}

    def load_state_dict(self, state: dict) -> None:
        missing = set(self.shadow) - set(state["shadow"])
        if missing:
            raise ValueError(f"ExponentialMovingAverage.load_state_dict: no average for {sorted(missing)}")
        self.decay, self.warmup = float(state["decay"]), bool(state["warmup"])
        self.num_updates = int(state["num_updates"])
        for k in self.shadow:
            self.shadow[k][...] = state["shadow"][k]
