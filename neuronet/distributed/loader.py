"""Each rank's part of every global batch: the data side of data-parallel training."""
from __future__ import annotations

import math

import numpy as np

from ..checks import positive_int
from ..data.loader import ArrayDataset
from .comm import rank, size
from .gradients import set_batch_share

__all__ = ["DistributedLoader"]


class DistributedLoader:
    """Yield this rank's rows of every global batch, the same batches on every rank.

    Every rank draws the same permutation (from ``seed`` and the epoch number), cuts it into
    global batches of ``batch_size`` rows and takes its contiguous part of each: rank ``r`` of
    ``R`` gets rows ``[r·m/R, (r+1)·m/R)`` of a batch of ``m`` rows.  So ``R`` ranks training on
    their parts, with gradients averaged (:func:`average_gradients`), take exactly the steps one
    process takes on the whole batches — weighted by each rank's share of the batch, which this
    loader reports for every batch it yields, so the last partial batch averages exactly too.

    Args:
        *arrays: inputs and targets with the same first dimension (``x, y``).
        batch_size: the **global** batch size (all ranks together); at least the number of ranks.
        shuffle: a new permutation every epoch (``seed + epoch``), else the data order.
        seed: the permutations' seed, the same on every rank.

    Example:
        >>> x = np.arange(8.0).reshape(8, 1)
        >>> loader = nt.distributed.DistributedLoader(x, batch_size=4, shuffle=False, world_rank=1, world_size=2)
        >>> [batch[0].ravel().tolist() for batch in loader]  # rank 1's half of each global batch
        [[2.0, 3.0], [6.0, 7.0]]
    """

    def __init__(self, *arrays, batch_size: int = 32, shuffle: bool = True, seed: int = 0,
                 world_rank: int | None = None, world_size: int | None = None):
        self.dataset = ArrayDataset(*arrays)
        self.batch_size = positive_int("DistributedLoader", "batch_size", batch_size)
        self.rank = rank() if world_rank is None else int(world_rank)
        self.size = size() if world_size is None else int(world_size)
        if self.batch_size < self.size:
            raise ValueError(f"DistributedLoader: the global batch_size {self.batch_size} is smaller than the "
                             f"{self.size} ranks; every rank needs at least one row of every batch")
        if len(self.dataset) < self.size:
            raise ValueError(f"DistributedLoader: {len(self.dataset)} samples cannot give each of {self.size} ranks one")
        self.shuffle, self.seed, self.epoch = bool(shuffle), int(seed), 0

    def __len__(self) -> int:
        return math.ceil(len(self.dataset) / self.batch_size)

    def _part(self, m: int) -> slice:
        return slice(self.rank * m // self.size, (self.rank + 1) * m // self.size)

    def _usable(self) -> int:
        """Rows used per epoch: a last remainder too small to give every rank a row is dropped."""
        n = len(self.dataset)
        last = n % self.batch_size
        return n - last if last and last < self.size else n

    def local_samples(self) -> int:
        """How many rows this rank sees per epoch."""
        n = self._usable()
        rows = 0
        for start in range(0, n, self.batch_size):
            part = self._part(min(n, start + self.batch_size) - start)
            rows += part.stop - part.start
        return rows

    def __iter__(self):
        """One epoch.  The epoch number (and so the permutation) advances only when a pass is
        complete, so a pass that ``fit`` abandons after its first batch (its input probe) does
        not shift the epochs."""
        n = self._usable()
        order = (np.random.default_rng([self.seed, self.epoch]).permutation(len(self.dataset)) if self.shuffle
                 else np.arange(len(self.dataset)))
        for start in range(0, n, self.batch_size):
            batch = order[start:min(n, start + self.batch_size)]
            mine = batch[self._part(len(batch))]
            set_batch_share(len(mine), len(batch))
            yield self.dataset[mine]
        set_batch_share(None)
        self.epoch += 1
