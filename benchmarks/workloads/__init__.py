"""The benchmark workloads, one file per family, and selection by name from the command line."""
from __future__ import annotations

from . import cnn, generative, latency, mlp, resnet, rnn, transformer
from .base import MissingFeature, Workload, copy_weights, require

ALL: list[Workload] = [*mlp.WORKLOADS, *cnn.WORKLOADS, *rnn.WORKLOADS, *transformer.WORKLOADS,
                       *generative.WORKLOADS, *resnet.WORKLOADS, *latency.WORKLOADS]
BY_NAME = {w.name: w for w in ALL}

__all__ = ["ALL", "BY_NAME", "MissingFeature", "Workload", "copy_weights", "require", "select"]


def select(spec: str | None) -> list[Workload]:
    """Workloads named by a comma list of names, families or name prefixes ('mlp,lenet').

    'lenet' selects 'lenet' and 'lenet-infer'; 'rnn' selects the family; None selects all.
    """
    if not spec:
        return list(ALL)
    chosen = []
    for token in (t.strip() for t in spec.split(",") if t.strip()):
        matches = [w for w in ALL if token in (w.name, w.family) or w.name.startswith(token + "-")]
        if not matches:
            raise ValueError(f"--workloads: unknown workload {token!r}; known: {', '.join(BY_NAME)} "
                             f"or families {', '.join(sorted({w.family for w in ALL}))}")
        chosen += [w for w in matches if w not in chosen]
    return chosen
