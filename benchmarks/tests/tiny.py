"""Tiny versions of the benchmark workloads for the tests: the same architecture on a few samples."""
import dataclasses

import numpy as np

from benchmarks.workloads import BY_NAME, resnet


def tiny(workload, batch=4, steps=12):
    """``workload`` on its first ``batch`` samples (and the first ``steps`` tokens of token inputs: neither
    the recurrent nor the Transformer workloads fix the length); the architecture is unchanged, except
    that ResNet-18 is built 8× narrower (widths 8-16-32-64) so that a step takes well under a second."""
    if isinstance(workload, str):
        workload = BY_NAME[workload]
    if workload.name == "resnet18":
        workload = resnet.workload(width=8, batch=workload.batch, name="resnet18")
    x, y = workload.make_inputs(np.random.default_rng(0))
    x, y = x[:batch], y[:batch]
    if x.dtype.kind in "iu":
        x = x[:, :steps]
    x, y = np.ascontiguousarray(x), np.ascontiguousarray(y)
    return dataclasses.replace(workload, batch=len(x), make_inputs=lambda rng: (x.copy(), y.copy()))


def classes(workload) -> int:
    return 2 if workload.name.startswith(("lstm", "gru", "transformer")) else 10
